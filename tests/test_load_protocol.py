"""The protocol load client (bench/stream.py, `python -m bench.load --protocol`): against a tiny app that raises on
a given link, page or filter, and a short run against the dashboard."""
from __future__ import annotations

import asyncio
import dataclasses
import json
import subprocess
import sys
import urllib.parse
from pathlib import Path

import pytest

from bench import load
from bench.stream import Viewer

ROOT = Path(__file__).resolve().parents[1]

TINY_APP = '''
import streamlit as st


def home():
    st.title("首页")
    if st.query_params.get("boom") == "1":
        raise RuntimeError("链接要求出错")


def second():
    st.title("第二页")
    chosen = st.session_state.get("sel_county") or []
    st.caption("所选：" + ("、".join(chosen) or "全部"))
    if "炸县" in chosen and st.query_params.get("armed") == "1":  # armed by a link: random filters never raise
        raise ValueError("筛选要求出错")


def boom():
    st.title("出错页")
    raise ZeroDivisionError("这一页总是出错")


def untitled():
    st.write("这一页没有标题")


nav = st.navigation([st.Page(home, title="首页", default=True), st.Page(second, title="第二页", url_path="second"),
                     st.Page(boom, title="出错页", url_path="boom"), st.Page(untitled, title="无标题", url_path="untitled")])
st.sidebar.multiselect("县区", ["甲县", "乙县", "炸县"], key="sel_county")
nav.run()
'''
GOOD_PAGES = [("", "首页"), ("second", "第二页")]


def _serve(cmd: list[str], cwd: Path, env: dict | None = None):
    port = load.free_port()
    log = open(cwd / f"server-{port}.log", "wb")
    proc = subprocess.Popen(cmd + ["--server.port", str(port), "--server.address", "127.0.0.1",
                                   "--server.headless", "true", "--browser.gatherUsageStats", "false"],
                            cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        load.wait_healthy(base, 120)
    except BaseException:
        proc.kill()
        raise
    return proc, base, log


def _stop(proc, log) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """The tiny app, served as the dashboard is: error details hidden from the browser."""
    d = tmp_path_factory.mktemp("tiny")
    (d / "tiny.py").write_text(TINY_APP, encoding="utf-8")
    proc, base, log = _serve([sys.executable, "-m", "streamlit", "run", "tiny.py", "--client.showErrorDetails", "none"],
                             d)
    yield base
    _stop(proc, log)


def _caption(view) -> list[str]:
    return [el.markdown.body for el in view.elements.values() if el.WhichOneof("type") == "markdown"]


def test_each_kind_of_view_reports_what_the_page_showed(tiny):
    async def go():
        v = Viewer(tiny, 60)
        try:
            out = {}
            out["link"] = load.view_problems(await v.open(""), "首页")
            out["link_boom"] = load.view_problems(await v.open("", "boom=1"), "首页")
            out["page"] = load.view_problems(await v.switch("second", "第二页"), "第二页")
            out["page_boom"] = load.view_problems(await v.switch("boom", "出错页"), "出错页")
            out["untitled"] = load.view_problems(await v.switch("untitled", "无标题"), "无标题")
            await v.open("second", "armed=1")
            (county,) = v.sidebar_multiselects()  # found in the received deltas, not named by the test
            out["county"] = (county.label, county.id.endswith("sel_county"), county.options)
            out["filter_boom"] = load.view_problems(await v.change(dataclasses.replace(county, value=["炸县"])), "第二页")
            view = await v.change(dataclasses.replace(v.sidebar_multiselects()[0], value=["甲县"]))
            out["filter"] = (load.view_problems(view, "第二页"), _caption(view))
            # The tab holds the widget's value across page switches and sends it back, as a browser does.
            await v.switch("", "首页")
            view = await v.switch("second", "第二页")
            out["kept"] = _caption(view)
            return out
        finally:
            await v.close()

    out = asyncio.run(asyncio.wait_for(go(), 300))
    assert out["link"] == [] and out["page"] == []
    # With showErrorDetails = "none" the message is redacted, but the exception element is there.
    assert len(out["link_boom"]) == 1 and out["link_boom"][0].startswith("出现异常："), out
    assert len(out["page_boom"]) == 1 and out["page_boom"][0].startswith("出现异常："), out
    assert out["untitled"] == ["页面没有标题「无标题」（一级标题：无）"]
    assert out["county"] == ("县区", True, ["甲县", "乙县", "炸县"])
    assert len(out["filter_boom"]) == 1 and out["filter_boom"][0].startswith("出现异常："), out
    assert out["filter"] == ([], ["所选：甲县"])
    assert out["kept"] == ["所选：甲县"]


def _run_main(monkeypatch, base: str, pages, tmp_path: Path) -> tuple[int, dict]:
    monkeypatch.setattr(load, "app_pages", lambda: pages)
    monkeypatch.setattr(load, "filter_values", lambda store: ([], []))
    out = tmp_path / "load.json"
    rc = load.main(["--protocol", "--url", base, "--sessions", "3", "--seconds", "6", "--ramp", "1",
                    "--think", "0.1", "0.3", "--p95-target", "120", "--json", str(out)])
    return rc, json.loads(out.read_text(encoding="utf-8"))


def test_a_run_counts_each_exception_as_an_error(tiny, monkeypatch, tmp_path):
    rc, r = _run_main(monkeypatch, tiny, GOOD_PAGES + [("boom", "出错页")], tmp_path)
    assert rc == 1 and not r["met"], r
    assert r["errors"] >= 2 and r["app_exceptions"] >= 2, r  # the warm-up view of /boom and the sessions' ones
    assert all("/boom" in e and "出现异常" in e for e in r["error_samples"]), r["error_samples"]
    assert r["views"] > 0 and r["mode"] == "protocol"


def test_a_run_without_failing_views_meets_its_targets(tiny, monkeypatch, tmp_path):
    rc, r = _run_main(monkeypatch, tiny, GOOD_PAGES, tmp_path)
    assert rc == 0 and r["met"] and r["errors"] == 0, r
    assert r["views_by_kind"]["url"] >= 3 and r["views_by_kind"]["click"] >= 1 and r["views_by_kind"]["filter"] >= 1
    assert 0 < r["p50_s"] <= r["p95_s"] <= r["max_s"]
    assert r["browser_cpu_s"] is None and r["client_cpu_s"] > 0 and r["server_pid"]


def test_a_page_without_its_title_is_an_error(tiny, monkeypatch, tmp_path):
    rc, r = _run_main(monkeypatch, tiny, [("untitled", "无标题")], tmp_path)
    assert rc == 1 and r["errors"] >= 1 and r["app_exceptions"] == 0, r
    assert "页面没有标题「无标题」" in r["error_samples"][0]


def test_a_filter_change_on_the_dashboard_reaches_the_server(tmp_path):
    """The sidebar's county multiselect, found in the deltas, set as a browser sets it: the app writes the county
    into the URL and the page's caption names it."""
    port = load.free_port()
    proc = load.start_server(port, str(tmp_path / "store"))  # an empty store: the demo city
    base = f"http://127.0.0.1:{port}"
    log = open(proc.log_path, "rb")

    async def go():
        v = Viewer(base, 120)
        try:
            first = await v.open("progress", "month=2025-06")
            county = next(w for w in v.sidebar_multiselects() if w.label == "县区")
            view = await v.change(dataclasses.replace(county, value=["东城区"]))
            return first, view, v.query
        finally:
            await v.close()

    try:
        load.wait_healthy(base, 120)
        first, view, query = asyncio.run(asyncio.wait_for(go(), 300))
    finally:
        _stop(proc, log)
    assert load.view_problems(first, "项目推进") == [] and load.view_problems(view, "项目推进") == []
    assert urllib.parse.parse_qs(query) == {"month": ["2025-06"], "county": ["东城区"]}
    assert any("县区：东城区" in c for c in _caption(view)), _caption(view)


def test_protocol_run_against_the_dashboard(tmp_path):
    out = tmp_path / "load.json"
    p = subprocess.run([sys.executable, "-m", "bench.load", "--protocol", "--start-server", "--sessions", "3",
                        "--seconds", "12", "--think", "0.2", "0.5", "--p95-target", "120", "--json", str(out)],
                       cwd=ROOT, capture_output=True, text=True, timeout=400)
    assert p.returncode == 0, p.stdout + p.stderr
    r = json.loads(out.read_text(encoding="utf-8"))
    assert r["mode"] == "protocol" and r["errors"] == 0, r
    kinds = r["views_by_kind"]
    assert kinds["url"] >= 3 and kinds["click"] >= 1 and kinds["filter"] >= 1, kinds
    # The app timed its own runs (KPM_RUN_LOG): at least one per view, and no run outlasts the slowest view.
    assert r["server_runs"] >= r["views"] and r["server_run_max_s"] <= r["max_s"]
    assert r["server_cpu_per_view_s"] > 0 and r["rss_before_mb"] > 50
    assert "websocket 协议" in p.stdout and "改筛选" in p.stdout
    pages = r["server_pages"]  # the script thread's CPU per page, from the same log
    assert sum(v["runs"] for v in pages.values()) == r["server_runs"]
    assert all(v["cpu_mean_s"] > 0 for v in pages.values())


def test_replicas_share_the_sessions_and_the_store(tmp_path):
    """--replicas 2: two server processes, each session kept on one of them; CPU and memory are the two processes'
    together."""
    out = tmp_path / "load.json"
    p = subprocess.run([sys.executable, "-m", "bench.load", "--protocol", "--start-server", "--replicas", "2",
                        "--sessions", "4", "--seconds", "10", "--think", "0.2", "0.5", "--p95-target", "120",
                        "--json", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=400)
    assert p.returncode == 0, p.stdout + p.stderr
    r = json.loads(out.read_text(encoding="utf-8"))
    assert r["replicas"] == 2 and len(r["server_pids"]) == 2 and r["errors"] == 0, r
    assert sorted(map(int, r["server_runs_by_pid"])) == sorted(r["server_pids"])  # both served views
    assert min(r["server_runs_by_pid"].values()) >= 2
    assert r["rss_before_mb"] > 100  # two processes' memory
    assert len(p.stdout.split("服务器日志：")[1].split()[0].split("、")) == 2  # a log per process


@pytest.mark.parametrize("url", ["http://10.0.0.1:8501", "http://example.com:8501"])
def test_protocol_mode_refuses_non_loopback_targets(url):
    p = subprocess.run([sys.executable, "-m", "bench.load", "--protocol", "--url", url, "--sessions", "1",
                        "--seconds", "1"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert p.returncode != 0 and "回环地址" in p.stderr


def test_protocol_mode_bounds():
    p = subprocess.run([sys.executable, "-m", "bench.load", "--protocol", "--start-server", "--sessions", "201"],
                       cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert p.returncode == 2 and "1–200" in p.stderr


def test_no_python_functions_inside_polars_on_the_page_paths():
    """A Python function run by Polars (map_elements, map_batches, …) executes in Polars' thread pool and needs the
    GIL there; Polars 2.1's DataFrame.to_pandas (Streamlit's st.dataframe) holds the GIL while it waits for the same
    pool. Two sessions doing one each deadlock the whole server for good (the protocol load run at 50 sessions
    stopped finishing any run after ~45: gdb showed both pool threads in PyGILState_Ensure under a map_elements and
    a to_pandas waiting on the pool). Pages and ui/ format values in Python instead."""
    import ast

    udfs = {"map_elements", "map_batches", "map_groups", "map_rows", "apply"}
    found = []
    for path in sorted([ROOT / "app.py", *(ROOT / "ui").rglob("*.py"), *(ROOT / "pages").glob("*.py")]):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in udfs:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} .{node.attr}")
    assert found == []
