"""The many-viewers load script (bench/load.py): a short real run with 2 browser sessions, and its loopback guard."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")


def test_load_script_two_sessions(tmp_path):
    if not CHROMIUM.exists():
        pytest.fail("浏览器测试需要 /usr/bin/chromium：apt-get install -y chromium fonts-noto-cjk（或运行 bash tests/run.sh）")
    out = tmp_path / "load.json"
    # p95 is not asserted here (it depends on what else the machine is doing); the 20-session run in the README is.
    p = subprocess.run([sys.executable, "-m", "bench.load", "--start-server", "--sessions", "2", "--seconds", "10",
                        "--think", "0.2", "0.5", "--p95-target", "60", "--json", str(out)],
                       cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stdout + p.stderr
    r = json.loads(out.read_text(encoding="utf-8"))
    assert r["errors"] == 0 and r["views"] >= 2, r
    assert r["views_by_kind"]["url"] >= 1
    assert r["p50_s"] is not None and 0 < r["p50_s"] <= r["p95_s"] <= r["max_s"]
    assert r["server_pid"] and r["rss_before_mb"] > 50 and r["rss_after_mb"] is not None
    assert r["server_cpu_s"] > 0 and r["browser_cpu_s"] > 0 and r["server_cpu_per_view_s"] > 0
    assert r["url"].startswith("http://127.0.0.1:") and r["seconds"] < 60
    assert "p95" in p.stdout and "服务器内存" in p.stdout
    # The server timed its own script runs (ui/runlog.py): one per view at least, each well under the page time.
    assert r["server_runs"] >= r["views"] and 0 < r["server_run_p50_s"] <= r["server_run_p95_s"] <= r["max_s"]
    assert "服务器端每次脚本运行" in p.stdout
    # The server's output went to a log file (an unread pipe would stall the server once full).
    assert "Streamlit" in Path(r["server_log"]).read_text(encoding="utf-8", errors="replace")


def test_load_script_ends_when_a_session_is_stuck(monkeypatch):
    """A session wedged where no step timeout applies is given up at the run's bound and named in the errors."""
    if not CHROMIUM.exists():
        pytest.fail("浏览器测试需要 /usr/bin/chromium：apt-get install -y chromium fonts-noto-cjk（或运行 bash tests/run.sh）")
    import asyncio

    from bench import load

    async def wedged(i, browser, base, *args, **kwargs):
        res = args[4]
        res.step[i] = "打开 /overview"
        await asyncio.Event().wait()  # never set: stands for a browser call that never returns

    monkeypatch.setattr(load, "app_pages", lambda: [])  # no warm-up: no server is needed for this
    monkeypatch.setattr(load, "filter_values", lambda store: ([], []))
    monkeypatch.setattr(load, "session", wedged)
    monkeypatch.setattr(load, "NAV_TIMEOUT_S", 0.5)
    monkeypatch.setattr(load, "OVERRUN_S", 1.0)
    out = asyncio.run(asyncio.wait_for(load.run_load("http://127.0.0.1:9", 2, 1.0, None, None, (0.1, 0.2), 7), 60))
    assert out["views"] == 0 and out["errors"] == 2
    assert all("没有结束" in e and "打开 /overview" in e for e in out["error_samples"])


@pytest.mark.parametrize("url", ["http://10.0.0.1:8501", "http://192.168.1.5", "http://example.com:8501"])
def test_load_script_refuses_non_loopback_targets(url):
    p = subprocess.run([sys.executable, "-m", "bench.load", "--url", url, "--sessions", "1", "--seconds", "1"],
                       cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert p.returncode != 0 and "回环地址" in p.stderr


def test_load_script_bounds():
    p = subprocess.run([sys.executable, "-m", "bench.load", "--start-server", "--sessions", "500"], cwd=ROOT,
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 2 and "--sessions" in p.stderr


def test_browser_processes_exclude_the_server_and_can_be_lowered():
    """--start-server makes the server a child too: it must count neither as browser CPU nor be deprioritised."""
    import os

    from bench.load import browser_pids, lower_priority

    sleeper = [sys.executable, "-c", "import time; time.sleep(30)"]
    server, browser = subprocess.Popen(sleeper), subprocess.Popen(sleeper)
    try:
        pids = browser_pids(server.pid)
        assert browser.pid in pids and server.pid not in pids
        lower_priority(pids)
        assert os.getpriority(os.PRIO_PROCESS, browser.pid) == 19
        assert os.getpriority(os.PRIO_PROCESS, server.pid) == os.getpriority(os.PRIO_PROCESS, os.getpid())
    finally:
        server.kill(), browser.kill()


def test_a_terminated_run_takes_its_server_down():
    """`timeout` sends SIGTERM: the server the script started must not outlive it."""
    import signal
    import time

    from bench.load import descendants

    p = subprocess.Popen([sys.executable, "-m", "bench.load", "--start-server", "--sessions", "1", "--seconds", "120"],
                         cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        servers: list[int] = []
        deadline = time.monotonic() + 60
        while not servers and time.monotonic() < deadline:
            time.sleep(0.5)
            servers = [pid for pid in descendants(p.pid)
                       if b"streamlit" in Path(f"/proc/{pid}/cmdline").read_bytes()]
        assert servers, "the load script started no server"
        p.send_signal(signal.SIGTERM)
        assert p.wait(timeout=60) == 128 + signal.SIGTERM
        time.sleep(1)
        alive = [pid for pid in servers if Path(f"/proc/{pid}").exists()
                 and Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"]
        assert alive == []
    finally:
        p.kill()
