"""Many viewers at once: N sessions against one dashboard server for a bounded time — real headless-Chromium
sessions, or (--protocol) simulated browser tabs speaking Streamlit's websocket protocol (bench/stream.py).

    python -m bench.load --sessions 20 --seconds 60 --start-server          # launches streamlit on a free port
    python -m bench.load --sessions 20 --seconds 60 --url http://127.0.0.1:8501
    python -m bench.load --protocol --sessions 100 --seconds 120 --think 10 30 --start-server
    python -m bench.load --protocol --sessions 50 --seconds 60 --start-server --replicas 2  # two processes, one store

Sessions (one browser context each) join over a ramp-up (--ramp, 10 s) and keep switching pages — by clicking the
sidebar navigation (same Streamlit session) or, for --url-share of the views (0.3) and always the first, by opening
a URL with a filter in the query string (?month=…&county=…, a new session, as a shared link does) — pausing 1–5 s
(--think) between views. Page time = from the click or navigation until the app reports its
script as not running, the status widget is gone and the page's own title is rendered. Reported: views, errors
(stException elements, failed or timed-out loads, page JavaScript errors), p50/p95/max page time, the server
process's RSS (/proc/PID/status) before, at peak and after, CPU seconds of the server and of the browsers, and —
with --start-server — the server's own time per script run (the app logs it to KPM_RUN_LOG, ui/runlog.py), which
no browser on this machine can slow down except by taking CPU. --nice-browsers runs the browsers at nice 19.
Each page load or click is given --nav-timeout seconds (30) before it counts as an error.
--protocol sends what a browser sends — a link's first rerun request, a sidebar page switch, a sidebar filter change
(--filter-share of the later views, 0.3) — and times each view from the request to the server's script_finished,
checking its elements for exceptions and the page's title; it renders nothing, so a hundred sessions cost this machine
little beside the server (its own CPU is reported as client_cpu_s).
--replicas N (with --start-server) starts N server processes over one store directory and keeps session i on
process i mod N, as a proxy with sticky sessions does (README, deployment); CPU and memory are theirs together.
The run log also gives each page's script-thread CPU (server_pages).
Only loopback addresses; sessions and time are capped; it stops by itself (also on SIGTERM, taking its server down).
Exit code 0 when the targets hold (no errors, p95 ≤ --p95-target, growth ≤ --mem-target).
"""
from __future__ import annotations

import argparse
import asyncio
import ipaddress
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"]
MAX_SESSIONS, MAX_SECONDS = 50, 600
MAX_REPLICAS = 8
MAX_PROTOCOL_SESSIONS = 200   # simulated tabs are cheap; the bound keeps a typo from flooding the server
NAV_TIMEOUT_S = 30.0
OVERRUN_S = 30.0   # beyond the run's own length and its last step's timeouts, before stuck sessions are given up
READY_JS = """(title) => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (document.querySelector('[data-testid="stStatusWidget"] img, [data-testid="stStatusWidget"] button')) return false;
  const h = [...document.querySelectorAll('[data-testid="stMain"] h1')].map(e => e.innerText.trim());
  return h.some(t => t.startsWith(title));
}"""


# ---- what to visit -------------------------------------------------------------------------------------------------
def app_pages() -> list[tuple[str, str]]:
    """(url path, Chinese title) of every page of the pages' table (pages/__init__.py)."""
    from pages import PAGES
    from ui.i18n import LABELS

    return [(p.url, LABELS[p.title][0]) for p in PAGES]


def filter_values(store_dir: str | None) -> tuple[list[str], list[str]]:
    """Months and counties of the store the server shows (the demo city when the store is empty)."""
    from data.store import active_store

    store, _ = active_store(store_dir)
    months = store.months()
    counties = sorted(store.read(months[-1]).get_column("county").unique().to_list()) if months else []
    return months, counties


# ---- the server ----------------------------------------------------------------------------------------------------
def check_loopback(url: str) -> str:
    host = urllib.parse.urlsplit(url).hostname or ""
    try:
        ok = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        ok = False
    if not ok:
        raise SystemExit(f"只对本机回环地址做负载测试（127.0.0.1、localhost、[::1]），拒绝：{url}")
    return url.rstrip("/")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(url: str, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"服务器 {url} 在 {seconds:.0f} 秒内没有就绪。")


def start_server(port: int, store_dir: str | None, run_log: str | None = None) -> subprocess.Popen:
    """A Streamlit server on the loopback port over store_dir (a new empty one: the demo city); its script runs
    are logged to run_log (a new file unless given: replicas share one)."""
    env = {**os.environ, "KPM_STORE": store_dir or tempfile.mkdtemp(prefix="kpm-load-store-")}
    cmd = [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port", str(port),
           "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"]
    # The server's log goes to a file, not an unread pipe: a full pipe (64 KB of warnings under load) would block
    # the server's logging and stall every session.
    log = tempfile.NamedTemporaryFile(prefix="kpm-load-server-", suffix=".log", delete=False)
    # The app appends each script run's server time to KPM_RUN_LOG (ui/runlog.py): page time without the browser.
    if run_log is None:
        runs = tempfile.NamedTemporaryFile(prefix="kpm-load-runs-", suffix=".tsv", delete=False)
        runs.close()
        run_log = runs.name
    env["KPM_RUN_LOG"] = run_log
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    log.close()
    proc.log_path = log.name  # type: ignore[attr-defined]
    proc.run_log = run_log  # type: ignore[attr-defined]
    return proc


def server_runs(path: str | None, since: float, until: float) -> list[float]:
    """Seconds of each script run the server started within [since, until] (wall clock), from its run log."""
    if not path or not os.path.exists(path):
        return []
    out = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        try:
            t0, seconds = float(parts[0]), float(parts[1])
        except (IndexError, ValueError):
            continue
        if since <= t0 <= until:
            out.append(seconds)
    return out


def page_cpu(path: str | None, since: float, until: float) -> tuple[dict[str, dict[str, float]], dict[str, int]]:
    """From the run log: per page, script runs and the mean and median CPU seconds of its script thread (what the
    page itself cost the server, apart from the event loop's work for it and from the runs it waited for); and the
    script runs of each server process."""
    if not path or not os.path.exists(path):
        return {}, {}
    by: dict[str, list[float]] = {}
    processes: dict[str, int] = {}
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        try:
            t0, cpu, page, pid = float(parts[0]), float(parts[3]), parts[4], parts[5]
        except (IndexError, ValueError):
            continue
        if since <= t0 <= until:
            by.setdefault(page, []).append(cpu)
            processes[pid] = processes.get(pid, 0) + 1
    pages = {p: {"runs": len(v), "cpu_mean_s": statistics.fmean(v), "cpu_p50_s": statistics.median(v)}
             for p, v in sorted(by.items(), key=lambda kv: -statistics.fmean(kv[1]))}
    return pages, processes


def pid_listening_on(port: int) -> int | None:
    """The process (of this user) listening on the TCP port, from /proc/net/tcp{,6} and /proc/*/fd."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            parts = line.split()
            if len(parts) > 9 and parts[3] == "0A" and int(parts[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(parts[9])
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            for fd in (proc / "fd").iterdir():
                link = os.readlink(fd)
                if link.startswith("socket:[") and link[8:-1] in inodes:
                    return int(proc.name)
        except OSError:
            continue
    return None


def rss_mb(pid: int | None) -> float | None:
    if pid is None:
        return None
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (all its threads) from /proc/PID/stat; 0 when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def descendants(root: int, skip: Sequence[int] = ()) -> list[int]:
    """Every live process below root, leaving out those in skip and everything below them."""
    children: dict[int, list[int]] = {}
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                ppid = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(proc.name))
    out, todo = [], [root]
    while todo:
        for c in children.get(todo.pop(), []):
            if c not in skip:
                out.append(c)
                todo.append(c)
    return out


def browser_pids(server_pids: Sequence[int]) -> list[int]:
    """This run's Playwright driver and Chromium processes — not the servers, which --start-server also starts."""
    return descendants(os.getpid(), skip=server_pids)


def total_rss_mb(pids: Sequence[int]) -> float | None:
    """The servers' RSS together (None when one cannot be read)."""
    values = [rss_mb(pid) for pid in pids]
    return sum(values) if values and None not in values else None


class CpuMeter:
    """CPU seconds used by the server and by this run's browsers between start() and stop() (browser processes that
    end in between are counted up to their last sample)."""

    def __init__(self, server_pids: Sequence[int]):
        self.server_pids = tuple(server_pids)
        self.seen: dict[int, tuple[float, float]] = {}   # browser pid → (first, last) CPU seconds

    def sample(self) -> None:
        for pid in browser_pids(self.server_pids):
            c = cpu_seconds(pid)
            first = self.seen.get(pid, (c, c))[0]
            self.seen[pid] = (first, max(c, self.seen.get(pid, (c, c))[1]))

    def start(self) -> None:
        self.server0 = sum(map(cpu_seconds, self.server_pids)) if self.server_pids else None
        self.seen.clear()
        self.sample()

    def stop(self) -> tuple[float | None, float]:
        self.sample()
        server = (sum(map(cpu_seconds, self.server_pids)) - self.server0
                  if self.server_pids and self.server0 is not None else None)
        return server, sum(last - first for first, last in self.seen.values())


# ---- the sessions --------------------------------------------------------------------------------------------------
@dataclass
class Results:
    times: dict[str, list[float]] = field(default_factory=lambda: {"url": [], "click": []})  # + "filter" (protocol)
    server: list[float] = field(default_factory=list)   # the browser's first frame sent → script_finished received
    step: dict[int, str] = field(default_factory=dict)   # what each session is doing (named if the run overruns)
    errors: list[str] = field(default_factory=list)
    views: int = 0
    rss: list[float] = field(default_factory=list)


def _query(rng: random.Random, months: list[str], counties: list[str]) -> str:
    q: list[tuple[str, str]] = []
    if months and rng.random() < 0.7:
        q.append(("month", rng.choice(months[-12:])))
    if counties and rng.random() < 0.5:
        q.extend(("county", c) for c in rng.sample(counties, rng.choice([1, 1, 2])))
    return urllib.parse.urlencode(q)


def _on_frame(payload, finished: list[float]) -> None:
    """Note when the server says a script run finished (a tiny ForwardMsg; big delta frames are not parsed). The
    frame is seen by the browser's network layer, so this time is not delayed by the page's own rendering."""
    if isinstance(payload, (bytes, bytearray)) and len(payload) < 512:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        try:
            if ForwardMsg.FromString(bytes(payload)).WhichOneof("type") == "script_finished":
                finished.append(time.perf_counter())
        except Exception:  # not a ForwardMsg we know: ignore
            pass


async def _ready(page, title: str, timeout_s: float | None = None) -> None:
    await page.wait_for_function(READY_JS, arg=title, polling=100, timeout=(timeout_s or NAV_TIMEOUT_S) * 1000)


STATE_JS = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  const sw = document.querySelector('[data-testid="stStatusWidget"]');
  return {state: app && app.getAttribute('data-test-script-state'), conn: app && app.getAttribute('data-test-connection-state'),
          status: sw ? sw.innerText.slice(0, 80) : null, path: location.pathname,
          h1: [...document.querySelectorAll('[data-testid="stMain"] h1')].map(e => e.innerText.trim().slice(0, 30))};
}"""


async def _where(page) -> str:
    """What the page showed when it did not become ready (for the error line)."""
    try:
        return json.dumps(await page.evaluate(STATE_JS), ensure_ascii=False)
    except Exception as e:  # the page itself is gone
        return f"（页面状态不可读：{type(e).__name__}）"


async def _exceptions(page) -> list[str]:
    loc = page.locator('[data-testid="stException"]')
    n = await loc.count()
    return [(await loc.nth(i).inner_text())[:200] for i in range(n)]


async def session(i: int, browser, base: str, pages: list[tuple[str, str]], months: list[str], counties: list[str],
                  deadline: float, res: Results, think: tuple[float, float], seed: int, server_timing: bool,
                  delay: float = 0.0, url_share: float = 0.3) -> None:
    rng = random.Random(seed * 1000 + i)
    await asyncio.sleep(delay)  # viewers arrive over the ramp-up, not all in the same instant
    # Reduced motion: no spinner or skeleton animations repainting while a page loads (they only cost this machine's
    # CPU, which the browsers share with the server; a viewer's own browser pays them on its own computer).
    ctx = await browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN", reduced_motion="reduce")
    page = await ctx.new_page()
    page.on("pageerror", lambda e: res.errors.append(f"会话{i} 页面脚本错误：{str(e)[:200]}"))
    finished: list[float] = []
    sent: list[float] = []
    if server_timing:  # every websocket frame then crosses the Playwright pipe: for a few sessions only
        def watch(ws) -> None:
            ws.on("framesent", lambda payload: sent.append(time.perf_counter()))
            ws.on("framereceived", lambda payload: _on_frame(payload, finished))
        page.on("websocket", watch)
    current = None
    try:
        while time.monotonic() < deadline:
            path, title = rng.choice([p for p in pages if p[0] != current] or pages)
            kind = "url" if current is None or rng.random() < url_share else "click"
            res.step[i] = f"{'打开' if kind == 'url' else '点击'} /{path}"
            t0 = time.perf_counter()
            finished.clear()
            sent.clear()
            try:
                if kind == "url":
                    q = _query(rng, months, counties)
                    resp = await page.goto(f"{base}/{path}" + (f"?{q}" if q else ""), wait_until="commit",
                                           timeout=NAV_TIMEOUT_S * 1000)
                    if resp is None or resp.status >= 400:
                        res.errors.append(f"会话{i} 打开 /{path} 失败：HTTP {resp.status if resp else '无响应'}")
                else:
                    link = page.locator(f'[data-testid="stSidebarNav"] a[href$="/{path}"]')
                    if await link.count() == 0:
                        link = page.locator('[data-testid="stSidebarNav"] a', has_text=title)
                    await link.first.click(timeout=NAV_TIMEOUT_S * 1000)
                await _ready(page, title)
                res.times[kind].append(time.perf_counter() - t0)
                # Server time: from the browser's request (its first websocket frame of this view: the rerun, or the
                # new session's first message) to the server's script_finished. Both are seen by the browser's
                # network layer, so the page's own loading and rendering are not in it.
                if finished and sent and finished[-1] > sent[0]:
                    res.server.append(finished[-1] - sent[0])
                res.views += 1
                for text in await _exceptions(page):
                    res.errors.append(f"会话{i} /{path} 出现异常：{text}")
                current = path
            except Exception as e:  # a timeout or a dead page: count it, start over with a fresh load
                res.errors.append(f"会话{i} /{path}（{kind}）未能加载：{type(e).__name__}: {str(e).splitlines()[0][:120]}"
                                  f" · {await _where(page)}")
                current = None
            pause = rng.uniform(*think)
            res.step[i] = "停顿"
            await asyncio.sleep(max(0.0, min(pause, deadline - time.monotonic())))
        res.step[i] = "关闭"
    finally:
        await _bounded(ctx.close(), 15)
        res.step.pop(i, None)

# ---- the protocol sessions (--protocol) ----------------------------------------------------------------------------
KIND_ZH = {"url": "打开链接", "click": "点击导航", "filter": "改筛选"}


def view_problems(view, title: str) -> list[str]:
    """What is wrong with a finished view: exceptions, a script that did not compile, an unknown page, a cached
    message the client never had, or no page title."""
    from bench.stream import COMPILE_ERROR

    out = [f"出现异常：{text}" for text in view.exceptions()]
    if view.status == COMPILE_ERROR:
        out.append("出现异常：脚本无法编译（script_finished: FINISHED_WITH_COMPILE_ERROR）")
    if view.page_not_found:
        out.append("页面不存在（page_not_found）")
    if view.unknown_refs:
        out.append(f"服务器引用了 {view.unknown_refs} 条本会话没有缓存的消息")
    if not any(h.startswith(title) for h in view.h1()):
        out.append(f"页面没有标题「{title}」（一级标题：{'、'.join(view.h1()) or '无'}）")
    return out


def _new_filter(rng: random.Random, widget):
    """The widget with a value a viewer might pick next: cleared when set (sometimes), else one or two options."""
    from dataclasses import replace

    if widget.value and rng.random() < 0.4:
        return replace(widget, value=[])
    value = rng.sample(widget.options, min(len(widget.options), rng.choice([1, 1, 2])))
    return replace(widget, value=value if value != widget.value else [])


async def proto_session(i: int, base: str, pages: list[tuple[str, str]], months: list[str], counties: list[str],
                        deadline: float, res: Results, think: tuple[float, float], seed: int, delay: float = 0.0,
                        url_share: float = 0.3, filter_share: float = 0.3) -> None:
    from bench.stream import Viewer

    rng = random.Random(seed * 1000 + i)
    await asyncio.sleep(delay)
    viewer = Viewer(base, NAV_TIMEOUT_S)
    titles = dict(pages)
    current = None
    try:
        while time.monotonic() < deadline:
            r = rng.random()
            filters = viewer.sidebar_multiselects()
            if current is None or r < url_share:
                kind = "url"
            elif r < url_share + filter_share and filters:
                kind = "filter"
            else:
                kind = "click"
            path = current if kind == "filter" else rng.choice([p for p, _ in pages if p != current] or [pages[0][0]])
            title = titles[path]
            res.step[i] = f"{KIND_ZH[kind]} /{path}"
            t0 = time.perf_counter()
            try:
                if kind == "url":
                    view = await viewer.open(path, _query(rng, months, counties))
                elif kind == "click":
                    view = await viewer.switch(path, title)
                else:
                    view = await viewer.change(_new_filter(rng, rng.choice(filters)))
                res.times[kind].append(time.perf_counter() - t0)
                res.views += 1
                res.errors.extend(f"会话{i} /{path}（{KIND_ZH[kind]}）{p}" for p in view_problems(view, title))
                current = path
            except Exception as e:  # a timeout or a dropped connection: count it, start over with a fresh link
                res.errors.append(f"会话{i} /{path}（{KIND_ZH[kind]}）未能加载：{type(e).__name__}: "
                                  f"{str(e).splitlines()[0][:160] if str(e) else ''}")
                current = None
            res.step[i] = "停顿"
            await asyncio.sleep(max(0.0, min(rng.uniform(*think), deadline - time.monotonic())))
        res.step[i] = "关闭"
    finally:
        await _bounded(viewer.close(), 15)
        res.step.pop(i, None)


async def proto_warm(base: str, pages: list[tuple[str, str]], res: Results) -> None:
    """One view of each page (a link each, as the browser warm-up opens them) fills the server's caches."""
    from bench.stream import Viewer

    viewer = Viewer(base, 90.0)
    try:
        for path, title in pages:
            try:
                view = await viewer.open(path)
                res.errors.extend(f"预热 /{path} {p}" for p in view_problems(view, title))
            except Exception as e:  # a page that cannot load even alone is an error of the run, not a crash
                res.errors.append(f"预热 /{path} 未能加载：{type(e).__name__}: {str(e)[:160]}")
    finally:
        await _bounded(viewer.close(), 15)


def lower_priority(pids: list[int]) -> None:
    """Run these processes at the lowest CPU priority (nice 19). Chromium sets its renderers' priority itself, so
    this is repeated while the run lasts (see sample_rss)."""
    for pid in pids:
        try:
            os.setpriority(os.PRIO_PROCESS, pid, 19)
        except OSError:  # already gone
            pass


async def _bounded(aw, seconds: float) -> None:
    """Await a clean-up step, but never longer than seconds: a wedged browser must not keep the run going."""
    try:
        await asyncio.wait_for(aw, seconds)
    except Exception:  # timed out or the target is already gone: nothing left to clean
        pass


async def sample_rss(pids: Sequence[int], res: Results, stop: asyncio.Event, cpu: CpuMeter, nice: bool = False
                     ) -> None:
    while not stop.is_set():
        v = total_rss_mb(pids)
        if v is not None:
            res.rss.append(v)
        cpu.sample()
        if nice:
            lower_priority(browser_pids(pids))
        try:
            await asyncio.wait_for(stop.wait(), 0.5)
        except asyncio.TimeoutError:
            pass


async def run_load(bases: Sequence[str], sessions: int, seconds: float, pids: Sequence[int], store_dir: str | None,
                   think: tuple[float, float], seed: int, server_timing: bool = False, ramp: float = 10.0,
                   url_share: float = 0.3, nice_browsers: bool = False, run_log: str | None = None,
                   protocol: bool = False, filter_share: float = 0.3, only: Sequence[str] = ()) -> dict:
    pages = [p for p in app_pages() if not only or p[0] in only]
    months, counties = filter_values(store_dir)
    res = Results()
    if protocol:
        res.times["filter"] = []
        for base in bases:
            await proto_warm(base, pages, res)
        # Session i stays on replica i mod N, as a proxy with sticky sessions keeps a browser on one process.
        m = await _measure(res, pids, sessions, seconds, ramp, False, lambda i, deadline, delay: proto_session(
            i, bases[i % len(bases)], pages, months, counties, deadline, res, think, seed, delay, url_share,
            filter_share))
        await asyncio.sleep(2.0)
        return _report(bases, sessions, res, m, pids, run_log, protocol)

    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        if nice_browsers:
            lower_priority(browser_pids(pids))
        try:
            # Warm-up: one view of each page fills the server's caches; memory is measured from here.
            warm = await browser.new_context(viewport={"width": 1440, "height": 900})
            wp = await warm.new_page()
            for base, (path, title) in ((b, p) for b in bases for p in pages):
                try:
                    await wp.goto(f"{base}/{path}", wait_until="commit", timeout=90_000)
                    await _ready(wp, title, 90)
                    for text in await _exceptions(wp):
                        res.errors.append(f"预热 /{path} 出现异常：{text}")
                except Exception as e:  # a page that cannot load even alone is an error of the run, not a crash
                    res.errors.append(f"预热 /{path} 未能加载：{type(e).__name__}: {str(e).splitlines()[0][:160]}")
            await _bounded(warm.close(), 15)
            m = await _measure(res, pids, sessions, seconds, ramp, nice_browsers, lambda i, deadline, delay: session(
                i, browser, bases[i % len(bases)], pages, months, counties, deadline, res, think, seed, server_timing,
                delay,
                url_share))
        finally:
            await _bounded(browser.close(), 30)
    await asyncio.sleep(2.0)
    return _report(bases, sessions, res, m, pids, run_log, protocol)


async def _measure(res: Results, pids: Sequence[int], sessions: int, seconds: float, ramp: float, nice_browsers: bool,
                   make) -> dict:
    """Run the sessions (make(i, deadline, delay) → coroutine) over the ramp-up, sampling the server meanwhile."""
    await asyncio.sleep(1.0)
    before = total_rss_mb(pids)
    cpu = CpuMeter(pids)
    cpu.start()
    client0 = time.process_time()
    stop = asyncio.Event()
    sampler = asyncio.create_task(sample_rss(pids, res, stop, cpu, nice_browsers))
    t0, wall0 = time.monotonic(), time.time()
    deadline = t0 + seconds
    runs = asyncio.gather(*(make(i, deadline, min(ramp, seconds / 2) * i / sessions) for i in range(sessions)))
    # Every step inside a session has its own timeout; this bound catches what has none (a wedged browser or
    # server), so the script always ends and says which sessions were stuck where.
    try:
        await asyncio.wait_for(runs, seconds + NAV_TIMEOUT_S * 3 + OVERRUN_S)
    except asyncio.TimeoutError:
        res.errors.extend(f"会话{i} 在时限内没有结束，停在：{step}" for i, step in sorted(res.step.items()))
    elapsed, wall1 = time.monotonic() - t0, time.time()
    stop.set()
    await sampler
    server_cpu, browser_cpu = cpu.stop()
    return {"before": before, "elapsed": elapsed, "wall0": wall0, "wall1": wall1, "server_cpu": server_cpu,
            "browser_cpu": browser_cpu, "client_cpu": time.process_time() - client0}


def pct(xs: list[float], q: float) -> float | None:
    if not xs:
        return None
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, round(q * (len(xs) - 1))))]


def _report(bases: Sequence[str], sessions: int, res: Results, m: dict, pids: Sequence[int], run_log: str | None,
            protocol: bool) -> dict:
    after, before = total_rss_mb(pids), m["before"]
    all_times = sorted(t for ts in res.times.values() for t in ts)
    runs = server_runs(run_log, m["wall0"], m["wall1"])
    server_cpu = m["server_cpu"]
    browser_cpu = None if protocol else m["browser_cpu"]
    return {
        "mode": "protocol" if protocol else "browser",
        "url": bases[0], "replicas": len(bases), "sessions": sessions, "seconds": round(m["elapsed"], 1),
        "views": res.views,
        "views_by_kind": {k: len(v) for k, v in res.times.items()},
        "errors": len(res.errors), "error_samples": res.errors[:10],
        "app_exceptions": sum(1 for e in res.errors if "出现异常" in e or "页面脚本错误" in e),
        "p50_s": pct(all_times, 0.50), "p95_s": pct(all_times, 0.95), "max_s": max(all_times) if all_times else None,
        "mean_s": statistics.fmean(all_times) if all_times else None,
        **{f"p95_{k}_s": pct(v, 0.95) for k, v in res.times.items()},
        "server_p50_s": pct(res.server, 0.50), "server_p95_s": pct(res.server, 0.95),
        "server_pid": pids[0] if pids else None, "server_pids": list(pids), "rss_before_mb": before,
        "rss_peak_mb": max(res.rss) if res.rss else None,
        "rss_after_mb": after,
        "rss_growth_mb": (after - before) if after is not None and before is not None else None,
        "rss_peak_growth_mb": (max(res.rss) - before) if res.rss and before is not None else None,
        "server_runs": len(runs), "server_run_p50_s": pct(runs, 0.50), "server_run_p95_s": pct(runs, 0.95),
        "server_run_max_s": max(runs) if runs else None,
        **dict(zip(("server_pages", "server_runs_by_pid"), page_cpu(run_log, m["wall0"], m["wall1"]))),
        "server_cpu_s": server_cpu, "browser_cpu_s": browser_cpu, "client_cpu_s": m["client_cpu"],
        "server_cpu_per_view_s": server_cpu / res.views if server_cpu is not None and res.views else None,
        "browser_cpu_per_view_s": browser_cpu / res.views if browser_cpu is not None and res.views else None,
        "client_cpu_per_view_s": m["client_cpu"] / res.views if res.views else None,
    }


def _fmt(x: float | None, unit: str = "s", nd: int = 2) -> str:
    return "—" if x is None else f"{x:.{nd}f} {unit}"


def main(argv: list[str] | None = None) -> int:
    global NAV_TIMEOUT_S  # --nav-timeout: every step of every session reads it
    ap = argparse.ArgumentParser(prog="python -m bench.load",
                                 description="多人同时查看的负载测试（真实浏览器或 --protocol 模拟浏览器的 websocket 协议，仅本机回环地址）")
    target = ap.add_mutually_exclusive_group(required=True)
    target.add_argument("--url", help="已运行的服务器，如 http://127.0.0.1:8501（仅回环地址）")
    target.add_argument("--start-server", action="store_true", help="自行在空闲的回环端口上启动 streamlit")
    ap.add_argument("--protocol", action="store_true",
                    help="不开浏览器：每个会话按浏览器的方式直接使用 Streamlit 的 websocket 协议（/_stcore/stream）")
    ap.add_argument("--sessions", type=int, default=20,
                    help=f"并发会话数（浏览器 1–{MAX_SESSIONS}，--protocol 1–{MAX_PROTOCOL_SESSIONS}）")
    ap.add_argument("--seconds", type=float, default=60, help=f"持续时间（秒，1–{MAX_SECONDS}）")
    ap.add_argument("--store", help="--start-server 时的数据库目录（默认空目录，即演示城市）")
    ap.add_argument("--replicas", type=int, default=1,
                    help=f"--start-server 时启动的服务器进程数（1–{MAX_REPLICAS}，共用一个数据库目录；"
                         "会话 i 固定在第 i mod N 个进程上，如同代理的粘性会话）")
    ap.add_argument("--server-pid", type=int, help="--url 时服务器进程号（默认按端口查找）")
    ap.add_argument("--think", type=float, nargs=2, default=(1.0, 5.0), metavar=("MIN", "MAX"),
                    help="两次查看之间的停顿（秒）")
    ap.add_argument("--url-share", type=float, default=0.3,
                    help="之后的查看中打开带筛选条件链接（新会话）的比例，其余为点击侧栏导航（默认 0.3）")
    ap.add_argument("--filter-share", type=float, default=0.3,
                    help="--protocol 时之后的查看中在侧栏改筛选条件（同一会话）的比例（默认 0.3）")
    ap.add_argument("--ramp", type=float, default=10.0, help="会话在开始后的这么多秒内陆续加入（默认 10）")
    ap.add_argument("--pages", nargs="+", metavar="PAGE",
                    help="只访问这些页面（url 路径，如 overview）：一页的代价，如有无地图的总览")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--server-timing", action="store_true",
                    help="另记服务器完成脚本的时间（每个 websocket 帧都经 Playwright 传回，只宜少量会话）")
    ap.add_argument("--nice-browsers", action="store_true",
                    help="浏览器以最低优先级运行（nice 19），服务器优先占用 CPU：近似观众各用自己的电脑（配合 --server-timing）")
    ap.add_argument("--nav-timeout", type=float, default=NAV_TIMEOUT_S,
                    help=f"每次打开或点击等待页面完成的时限（秒，默认 {NAV_TIMEOUT_S:g}）")
    ap.add_argument("--p95-target", type=float, default=3.0, help="p95 页面时间目标（秒）")
    ap.add_argument("--mem-target", type=float, default=300.0, help="服务器内存增长目标（MB）")
    ap.add_argument("--cpu-target", type=float, help="服务器每次查看的 CPU 秒数目标（默认不设）")
    ap.add_argument("--json", metavar="FILE", help="把结果另存为 JSON")
    args = ap.parse_args(argv)
    cap = MAX_PROTOCOL_SESSIONS if args.protocol else MAX_SESSIONS
    if not 1 <= args.sessions <= cap or not 1 <= args.seconds <= MAX_SECONDS:
        ap.error(f"--sessions 须在 1–{cap}，--seconds 须在 1–{MAX_SECONDS}")
    if not 0 <= args.url_share + args.filter_share <= 1 or min(args.url_share, args.filter_share) < 0:
        ap.error("--url-share 与 --filter-share 须不小于 0，且两者之和不超过 1")
    known = [u for u, _ in app_pages()]
    if args.pages and set(args.pages) - set(known):
        ap.error(f"--pages 中没有页面：{'、'.join(sorted(set(args.pages) - set(known)))}；可选：{'、'.join(known)}")
    if not 1 <= args.replicas <= MAX_REPLICAS or (args.replicas > 1 and not args.start_server):
        ap.error(f"--replicas 须在 1–{MAX_REPLICAS}，且多于 1 个时须与 --start-server 同用")
    if not 1 <= args.nav_timeout <= MAX_SECONDS:
        ap.error(f"--nav-timeout 须在 1–{MAX_SECONDS} 秒")
    NAV_TIMEOUT_S = args.nav_timeout
    if not args.protocol and not Path(CHROMIUM).exists():
        print(f"找不到 {CHROMIUM}：请先安装 Debian 的 chromium（apt-get install -y chromium）。", file=sys.stderr)
        return 2
    servers: list[subprocess.Popen] = []
    # A `timeout` or kill sends SIGTERM: leave through the finally below, so a server we started does not outlive us.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    try:
        if args.start_server:
            # Replicas share one store directory (the store's lock holds across processes) and one run log.
            store_dir = args.store or tempfile.mkdtemp(prefix="kpm-load-store-")
            bases = []
            for _ in range(args.replicas):
                port = free_port()
                while f"http://127.0.0.1:{port}" in bases:  # not bound yet by the replica it was given to
                    port = free_port()
                bases.append(f"http://127.0.0.1:{port}")
                servers.append(start_server(port, store_dir, servers[0].run_log if servers else None))
            for base, server in zip(bases, servers):
                try:
                    wait_healthy(base)
                except SystemExit as e:
                    if not isinstance(e.code, str):
                        raise  # SIGTERM while waiting: leave as the signal asked
                    raise SystemExit(f"{e} 服务器日志：{server.log_path}") from None
            pids = [server.pid for server in servers]
        else:
            bases = [check_loopback(args.url)]
            wait_healthy(bases[0], 10)
            pid = args.server_pid or pid_listening_on(urllib.parse.urlsplit(bases[0]).port or 80)
            pids = [pid] if pid else []
        load_before = os.getloadavg()
        out = asyncio.run(run_load(bases, args.sessions, args.seconds, pids, args.store if args.start_server else None,
                                   tuple(args.think), args.seed, args.server_timing, args.ramp, args.url_share,
                                   args.nice_browsers, servers[0].run_log if servers else None,
                                   args.protocol, args.filter_share, args.pages or ()))
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
    growth = out["rss_growth_mb"]
    out["targets"] = {"errors": 0, "p95_s": args.p95_target, "rss_growth_mb": args.mem_target,
                      "server_cpu_per_view_s": args.cpu_target}
    cpu = out["server_cpu_per_view_s"]
    out["met"] = (out["errors"] == 0 and out["views"] > 0 and out["p95_s"] is not None
                  and out["p95_s"] <= args.p95_target and (growth is None or growth <= args.mem_target)
                  and (args.cpu_target is None or (cpu is not None and cpu <= args.cpu_target)))
    kinds = out["views_by_kind"]
    mode = "websocket 协议（不开浏览器）" if args.protocol else "真实浏览器"
    print(f"负载测试（{mode}）：{out['sessions']} 个会话，{out['seconds']} 秒，{out['url']}"
          + (f" 等 {out['replicas']} 个服务器进程（共用数据库，会话固定在各自的进程上）" if out["replicas"] > 1 else ""))
    print(f"  查看次数 {out['views']}（点击导航 {kinds['click']}，打开链接 {kinds['url']}"
          + (f"，改筛选 {kinds['filter']}" if "filter" in kinds else "") + f"），"
          f"错误 {out['errors']}（其中页面异常 {out['app_exceptions']}，其余为超时、加载失败或缺少页面内容）")
    print(f"  页面时间 p50 {_fmt(out['p50_s'])} · p95 {_fmt(out['p95_s'])} · 最长 {_fmt(out['max_s'])}"
          f"（p95 点击 {_fmt(out['p95_click_s'])}，链接 {_fmt(out['p95_url_s'])}"
          + (f"，改筛选 {_fmt(out['p95_filter_s'])}" if "filter" in kinds else "") + "）"
          + ("：从请求发出到收到 script_finished" if args.protocol else ""))
    procs = "、".join(map(str, out["server_pids"])) or "未知"
    print(f"  服务器内存（进程 {procs}{'，合计' if out['replicas'] > 1 else ''}）：开始 {_fmt(out['rss_before_mb'], 'MB', 0)} · "
          f"峰值 {_fmt(out['rss_peak_mb'], 'MB', 0)} · 结束 {_fmt(out['rss_after_mb'], 'MB', 0)} · "
          f"增长 {_fmt(growth, 'MB', 0)}")
    if args.protocol:
        print(f"  CPU：服务器 {_fmt(out['server_cpu_s'], 's', 1)}（每次查看 {_fmt(out['server_cpu_per_view_s'], 's', 3)}）· "
              f"本测试进程 {_fmt(out['client_cpu_s'], 's', 1)}（每次查看 {_fmt(out['client_cpu_per_view_s'], 's', 3)}）")
    else:
        print(f"  CPU：服务器 {_fmt(out['server_cpu_s'], 's', 1)}（每次查看 {_fmt(out['server_cpu_per_view_s'])}）· "
              f"本机浏览器 {_fmt(out['browser_cpu_s'], 's', 1)}（每次查看 {_fmt(out['browser_cpu_per_view_s'])}）")
    if out["server_runs"]:
        print(f"  服务器端每次脚本运行（应用自记，不含浏览器）：{out['server_runs']} 次 · p50 {_fmt(out['server_run_p50_s'])} · "
              f"p95 {_fmt(out['server_run_p95_s'])} · 最长 {_fmt(out['server_run_max_s'])}")
    if out["server_pages"]:
        print("  各页面脚本线程 CPU（平均/中位数，秒；不含事件循环）：" + "，".join(
            f"{p} {v['cpu_mean_s']:.3f}/{v['cpu_p50_s']:.3f}（{v['runs']} 次）" for p, v in out["server_pages"].items()))
    if args.server_timing:
        print(f"  服务器响应（浏览器发出请求 → 收到 script_finished）：p50 {_fmt(out['server_p50_s'])} · "
              f"p95 {_fmt(out['server_p95_s'])}（不含浏览器加载与渲染）")
    if args.nice_browsers:
        print("  浏览器以最低优先级（nice 19）运行：服务器优先占用 CPU")
    out["nice_browsers"] = args.nice_browsers
    out["loadavg_before"], out["loadavg_after"] = load_before, os.getloadavg()
    print(f"  本机负载（1 分钟平均）：开始 {load_before[0]:.1f} · 结束 {out['loadavg_after'][0]:.1f}"
          f"（{os.cpu_count()} 核；其他进程也会拖慢结果）")
    for e in out["error_samples"]:
        print(f"  错误：{e}")
    if servers:
        out["server_log"] = servers[0].log_path
        print(f"  服务器日志：{'、'.join(server.log_path for server in servers)}")
    print(f"  目标（无错误，p95 ≤ {args.p95_target:g} s，内存增长 ≤ {args.mem_target:g} MB"
          + (f"，服务器每次查看 CPU ≤ {args.cpu_target:g} s" if args.cpu_target is not None else "") + "）："
          f"{'达到' if out['met'] else '未达到'}")
    if args.json:
        Path(args.json).write_text(json.dumps(out, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0 if out["met"] else 1


if __name__ == "__main__":
    sys.exit(main())
