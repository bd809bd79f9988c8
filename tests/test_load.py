"""The many-viewers load script (bench/load.py): a short real run with one browser session, its bounds and guards."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import CHROMIUM, NO_CHROMIUM, ROOT, run_module


def test_load_script_one_session_reports_a_clean_run(tmp_path):
    """What the script does, not how fast this machine is: one session with generous page timeouts (nothing
    competes for the two cores but the server), so every view finishes and the report can be checked exactly. No
    page time is asserted; the 20-session runs in the README measure that."""
    if not CHROMIUM.exists():
        pytest.fail(NO_CHROMIUM)
    out = tmp_path / "load.json"
    p = run_module("bench.load", "--start-server", "--sessions", "1", "--seconds", "8", "--think", "0.2", "0.5",
                   "--nav-timeout", "120", "--p95-target", "600", "--mem-target", "2000", "--json", out, timeout=600)
    assert p.returncode == 0, p.stdout + p.stderr
    r = json.loads(out.read_text(encoding="utf-8"))
    assert (r["sessions"], r["errors"], r["error_samples"], r["app_exceptions"]) == (1, 0, [], 0), r
    assert r["targets"] == {"errors": 0, "p95_s": 600.0, "rss_growth_mb": 2000.0, "server_cpu_per_view_s": None} and r["met"] is True
    # The first view opens a link; every later one is a link or a click; each finished view is timed.
    assert r["views"] >= 1 and r["views_by_kind"]["url"] >= 1
    assert r["views"] == r["views_by_kind"]["url"] + r["views_by_kind"]["click"]
    assert 0 < r["p50_s"] <= r["p95_s"] <= r["max_s"]
    assert r["seconds"] >= 8  # a session runs until the deadline, then finishes its last step
    assert r["server_pid"] and r["rss_before_mb"] > 50 and r["rss_after_mb"] > 50
    assert r["server_cpu_s"] > 0 and r["browser_cpu_s"] > 0 and r["server_cpu_per_view_s"] > 0
    assert r["url"].startswith("http://127.0.0.1:")
    assert p.stdout.startswith(f"负载测试（真实浏览器）：1 个会话，{r['seconds']} 秒，{r['url']}")
    assert f"查看次数 {r['views']}（点击导航 {r['views_by_kind']['click']}，打开链接 {r['views_by_kind']['url']}），错误 0" \
        in p.stdout
    assert "目标（无错误，p95 ≤ 600 s，内存增长 ≤ 2000 MB）：达到" in p.stdout
    # The server timed its own script runs (ui/runlog.py): at least one per view.
    assert r["server_runs"] >= r["views"] and 0 < r["server_run_p50_s"] <= r["server_run_p95_s"]
    assert "服务器端每次脚本运行" in p.stdout
    # The server's output went to a log file (an unread pipe would stall the server once full).
    assert "Streamlit" in Path(r["server_log"]).read_text(encoding="utf-8", errors="replace")


def test_load_script_ends_when_a_session_is_stuck(monkeypatch):
    """A session wedged where no step timeout applies is given up at the run's bound and named in the errors."""
    if not CHROMIUM.exists():
        pytest.fail(NO_CHROMIUM)
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
    out = asyncio.run(asyncio.wait_for(load.run_load(["http://127.0.0.1:9"], 2, 1.0, [], None, (0.1, 0.2), 7), 60))
    assert out["views"] == 0 and out["errors"] == 2
    assert out["error_samples"] == ["会话0 在时限内没有结束，停在：打开 /overview", "会话1 在时限内没有结束，停在：打开 /overview"]


@pytest.mark.parametrize("url", ["http://10.0.0.1:8501", "http://192.168.1.5", "http://example.com:8501"])
def test_load_script_refuses_non_loopback_targets(url):
    p = run_module("bench.load", "--url", url, "--sessions", "1", "--seconds", "1", timeout=60)
    assert p.returncode == 1 and p.stderr.strip().endswith(f"拒绝：{url}") and "回环地址" in p.stderr


@pytest.mark.parametrize("args,needle", [(["--sessions", "500"], "--sessions 须在 1–50"),
                                         (["--seconds", "0"], "--seconds 须在 1–600"),
                                         (["--nav-timeout", "0.5"], "--nav-timeout 须在 1–600 秒"),
                                         (["--replicas", "9"], "--replicas 须在 1–8")])
def test_load_script_bounds(args, needle):
    p = run_module("bench.load", "--start-server", *args, timeout=60)
    assert p.returncode == 2 and needle in p.stderr


def test_browser_processes_exclude_the_server_and_can_be_lowered():
    """--start-server makes the server a child too: it must count neither as browser CPU nor be deprioritised."""
    import os

    from bench.load import browser_pids, lower_priority

    sleeper = [sys.executable, "-c", "import time; time.sleep(30)"]
    server, browser = subprocess.Popen(sleeper), subprocess.Popen(sleeper)
    try:
        pids = browser_pids([server.pid])
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
