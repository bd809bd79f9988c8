"""Shared test machinery: paths inside the repository, the pages' table, CLI runs, a Streamlit server, row edits."""
from __future__ import annotations

import contextlib
import io
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app.py"
# The demo city's county ledger (data/demo/sample_ledger.py), laid out like the county offices' sample ledger.
DEMO_LEDGER = ROOT / "data" / "demo" / "ledgers" / "石门县_2024年6月_重点项目台账.xlsx"
# Where a development checkout finds the domain contract and the sample ledger: beside it, never required.
SHARED = ROOT.parent / "shared"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
NO_CHROMIUM = "浏览器测试需要 /usr/bin/chromium 和中文字体：apt-get install -y chromium fonts-noto-cjk（或运行 bash tests/run.sh）"


# ---- the pages' table ---------------------------------------------------------------------------------------------
def app_pages() -> list[tuple]:
    """Every page of the pages' table (pages/__init__.py) as (module path, title key, icon, default)."""
    from pages import PAGES

    return [(p.path, p.title, p.icon, p.default) for p in PAGES]


def page_paths() -> list[str]:
    """The module path of every page ('pages/overview.py', …)."""
    return [p[0] for p in app_pages()]


# ---- command lines ---------------------------------------------------------------------------------------------------
def clean_env(**extra: str | None) -> dict[str, str]:
    """This process's environment without the settings a developer may have exported (store, fault injection,
    scorecard), plus extra (None removes a variable)."""
    env = {k: v for k, v in os.environ.items() if k not in ("KPM_STORE", "KPM_FAULT", "KPM_SCORECARD")}
    for k, v in extra.items():
        if v is None:
            env.pop(k, None)
        else:
            env[k] = v
    return env


def run_module(module: str, *args, env: dict[str, str] | None = None, input: str | None = None,
               timeout: float = 120, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """`python -m module args…` as a user runs it (from the checkout, clean environment); never a traceback."""
    proc = subprocess.run([sys.executable, "-m", module, *map(str, args)], cwd=cwd, capture_output=True, text=True,
                          env=clean_env(**(env or {})), input=input, timeout=timeout)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def metrics_json(*args: str) -> dict:
    """The metrics command line run in this process with --format json: its exit code must be 0; the parsed output."""
    from reports.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main([*args, "--format", "json"]) == 0
    return json.loads(out.getvalue())


# ---- a Streamlit server ----------------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(url: str, proc: subprocess.Popen | None = None, timeout: float = 90) -> None:
    """Poll the server's /_stcore/health until it answers 200 (fail at once if the process has exited)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"streamlit exited with {proc.returncode}")
        with contextlib.suppress(OSError):
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        time.sleep(0.3)
    raise AssertionError(f"streamlit did not answer on {url} within {timeout:.0f} s")


@contextlib.contextmanager
def streamlit_server(store: Path, log_dir: Path, **env: str | None) -> Iterator[dict]:
    """`streamlit run app.py` on a free loopback port with KPM_STORE=store (env: more variables, None removes one);
    yields {"url", "store", "log" (the open log file), "proc"}; stopped on exit."""
    port = free_port()
    full_env = clean_env(KPM_STORE=str(store), PYTHONUNBUFFERED="1", **env)
    log = (Path(log_dir) / "streamlit.log").open("w+", encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(APP), "--server.headless", "true", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
        cwd=ROOT, env=full_env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, proc)
        yield {"url": url, "store": store, "log": log, "proc": proc}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def log_text(server: dict) -> str:
    """Everything the server has logged so far."""
    log = server["log"]
    if log.closed:
        return Path(log.name).read_text(encoding="utf-8", errors="replace")
    log.flush()
    log.seek(0)
    return log.read()


# ---- frames ----------------------------------------------------------------------------------------------------------
def with_row(frame: pl.DataFrame, i: int, **values) -> pl.DataFrame:
    """The frame with some cells of row i replaced (each value cast to its column's type)."""
    idx = pl.int_range(pl.len()) == i
    return frame.with_columns(
        pl.when(idx).then(pl.lit(v, dtype=frame.schema[k])).otherwise(pl.col(k)).alias(k) for k, v in values.items())


def open_page(page: str | None = None, timeout: float = 120, **params: str):
    """AppTest of app.py opened straight on a page (as a link to it: the first run is the page's) with URL query
    parameters; fails on any exception."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(APP), default_timeout=timeout)
    for k, v in params.items():
        at.query_params[k] = v
    if page:
        at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def start_app(query: dict | None = None, page: str | None = None, timeout: float = 60):
    """AppTest of app.py (optionally with URL query parameters), switched to a page; fails on any exception."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(APP), default_timeout=timeout)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at

