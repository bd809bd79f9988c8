"""Screen mode (大屏) in a real browser at 1920×1080: `streamlit run app.py` on a free port reading an empty store
(so the demo city is shown), Debian's Chromium driven by Playwright.

Checks what a meeting room needs and AppTest cannot see: nothing to scroll on 总览 and 县区比拼, Streamlit's
chrome gone, type readable from 5 m (KPI values ≥ 48 px, every tile label ≥ 20 px), a dark theme, a ticking
clock, the playlist advancing on its timer, and the keys (space, →, Esc). Screenshots are saved to
artifacts/screenshots/screen_*.png for a person to look at.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from data.store import DEMO_DIR, Store

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
SHOTS = ROOT / "artifacts" / "screenshots"
VIEWPORT = {"width": 1920, "height": 1080}

MEASURE = """() => {
  const main = document.querySelector('[data-testid="stMain"]');
  const block = document.querySelector('[data-testid="stMainBlockContainer"]');
  let bottom = 0;
  for (const el of block.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.height > 0 && r.width > 0) bottom = Math.max(bottom, r.bottom);
  }
  const shown = (sel) => [...document.querySelectorAll(sel)].some(e => {
    const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0; });
  const px = (sel, prop) => [...document.querySelectorAll(sel)].map(e => parseFloat(getComputedStyle(e)[prop]));
  const rgb = (c) => (c.match(/\\d+(\\.\\d+)?/g) || []).slice(0, 3).map(Number);
  return {
    doc: document.scrollingElement.scrollHeight,
    main: main ? [main.scrollHeight, main.clientHeight] : null,
    bottom,
    chrome: ['header[data-testid="stHeader"]', '[data-testid="stToolbar"]', '[data-testid="stSidebar"]',
             '[data-testid="stSidebarCollapsedControl"]', '[data-testid="stExpandSidebarButton"]', 'footer']
            .filter(shown),
    kpiValue: px('.kpi .val', 'fontSize'), kpiLabel: px('.kpi .lbl', 'fontSize'), kpiSub: px('.kpi .sub', 'fontSize'),
    boardText: px('.kpm-board td', 'fontSize'), cardText: px('.kpm-card p', 'fontSize'),
    bg: rgb(getComputedStyle(document.querySelector('.stApp')).backgroundColor),
    fg: rgb(getComputedStyle(document.querySelector('.kpm-city')).color),
    city: document.querySelector('.kpm-city') ? document.querySelector('.kpm-city').innerText : '',
    charts: document.querySelectorAll('[data-testid="stVegaLiteChart"], [data-testid="stArrowVegaLiteChart"]').length,
  };
}"""


def _luminance(rgb: list[float]) -> float:
    def ch(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (ch(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail("大屏浏览器测试需要 Chromium：sudo apt-get install -y chromium fonts-noto-cjk "
                    "（Debian/Ubuntu；tests/run.sh 以 root 运行时会自动安装）")
    if shutil.which("fc-list") and not subprocess.run(["fc-list", ":lang=zh"], capture_output=True,
                                                      text=True).stdout.strip():
        pytest.fail("没有中文字体，大屏上的中文会显示为方框：sudo apt-get install -y fonts-noto-cjk")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM),
                              args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        yield b
        b.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A headless Streamlit server on a free port reading an empty store (so the demo city is shown)."""
    if not Store(DEMO_DIR).months():
        pytest.skip("the demo store (python -m data demo) is empty")
    store = tmp_path_factory.mktemp("empty_store")
    port = _free_port()
    env = {**os.environ, "KPM_STORE": str(store), "PYTHONUNBUFFERED": "1"}
    env.pop("KPM_SCORECARD", None)
    log = (tmp_path_factory.mktemp("log") / "streamlit.log").open("w+")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, f"streamlit exited with {proc.returncode}"
            with contextlib.suppress(OSError):
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            assert time.monotonic() < deadline, "streamlit did not start within 60 s"
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.seek(0)
        text = log.read()
        log.close()
        assert "Traceback" not in text, text[-3000:]


@pytest.fixture
def page(browser):
    ctx = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
    pg = ctx.new_page()
    yield pg
    ctx.close()


def _open(page, url: str, ready: str) -> dict:
    page.goto(url)
    page.wait_for_selector(ready, timeout=60_000)
    page.wait_for_function("document.querySelectorAll('[data-testid=\"stSpinner\"]').length === 0", timeout=30_000)
    page.wait_for_timeout(2500)  # charts finish drawing
    return page.evaluate(MEASURE)


def _check_screen(m: dict) -> None:
    assert m["doc"] <= VIEWPORT["height"], m
    scroll_h, client_h = m["main"]
    assert scroll_h <= client_h + 1, f"the main area scrolls: {m['main']}"
    assert m["bottom"] <= VIEWPORT["height"], f"content ends at {m['bottom']} px"
    assert m["chrome"] == [], f"Streamlit chrome still visible: {m['chrome']}"
    assert _luminance(m["bg"]) < 0.05, f"background not dark: {m['bg']}"
    assert _luminance(m["fg"]) > 0.7, f"header text not light: {m['fg']}"
    assert m["city"].startswith("示范市")


def _save(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name))


def test_overview_on_the_screen_fits_1080p_in_large_type(server, page):
    m = _open(page, f"{server}/overview?mode=screen", ".kpi .val")
    _save(page, "screen_overview.png")
    _check_screen(m)
    assert len(m["kpiValue"]) == 8 and min(m["kpiValue"]) >= 48, m["kpiValue"]
    assert min(m["kpiLabel"]) >= 20 and min(m["kpiSub"]) >= 20, (m["kpiLabel"], m["kpiSub"])
    assert m["charts"] == 2


def test_ranking_on_the_screen_fits_1080p_in_large_type(server, page):
    m = _open(page, f"{server}/compare?mode=screen", ".kpm-board")
    _save(page, "screen_compare.png")
    _check_screen(m)
    assert m["boardText"] and min(m["boardText"]) >= 20, m["boardText"]
    assert m["cardText"] and min(m["cardText"]) >= 20, m["cardText"]


def test_a_pinned_county_on_a_dimension_page_fits_too(server, page):
    m = _open(page, f"{server}/progress?mode=screen&pin={urllib.parse.quote('石门县')}", ".kpi .val")
    _save(page, "screen_progress_pinned.png")
    _check_screen(m)
    assert "石门县" in page.inner_text(".kpm-meta")


def test_clock_ticks_in_the_browser(server, page):
    _open(page, f"{server}/?mode=screen", ".kpm-clock")
    first = page.inner_text(".kpm-clock")
    page.wait_for_timeout(1600)
    assert page.inner_text(".kpm-clock") != first
    assert ":" in first and "星期" in page.inner_text(".kpm-day")


def _params(page) -> dict[str, list[str]]:
    return urllib.parse.parse_qs(urllib.parse.urlparse(page.url).query)


def test_playlist_advances_on_its_timer_and_obeys_the_keys(server, page):
    q = urllib.parse.quote("总览,县区比拼")
    _open(page, f"{server}/?mode=screen&playlist={q}&interval=5", ".kpi .val")
    page.wait_for_url("**/compare?**", timeout=20_000)          # the timer moved to the next page
    page.wait_for_selector(".kpm-board", timeout=30_000)
    assert _params(page)["step"] == ["1"]
    page.keyboard.press("Space")                                 # pause
    page.wait_for_function("location.search.includes('paused=1')", timeout=15_000)
    page.wait_for_timeout(6500)                                  # longer than the interval: nothing moves
    assert "/compare" in page.url and _params(page)["step"] == ["1"]
    page.keyboard.press("ArrowRight")                            # next, by hand, while paused
    page.wait_for_function("location.search.includes('step=0')", timeout=15_000)
    page.wait_for_selector(".kpi .val", timeout=30_000)
    assert "/compare" not in page.url and _params(page)["paused"] == ["1"]
    page.keyboard.press("Space")                                 # resume
    page.wait_for_function("!location.search.includes('paused=1')", timeout=15_000)
    page.keyboard.press("Escape")                                # leave screen mode: the sidebar is back
    page.wait_for_selector('[data-testid="stSidebar"] [data-testid="stSelectbox"]', timeout=30_000)
    assert "mode" not in _params(page)
