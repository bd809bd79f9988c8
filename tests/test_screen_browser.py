"""Screen mode (大屏) in a real browser at 1920×1080: `streamlit run app.py` on a free port reading an empty store
(so the demo city is shown), Debian's Chromium driven by Playwright.

Checks what a meeting room needs and AppTest cannot see: nothing to scroll on 总览 and 县区比拼, Streamlit's
chrome gone, type readable from 5 m (KPI values at 58 px as the README promises, every tile label ≥ 20 px), a dark theme, a ticking
clock, the playlist advancing on its timer, and the keys (space, →, Esc). Screenshots are saved to
artifacts/screenshots/screen_*.png for a person to look at.
"""
from __future__ import annotations

import re
import urllib.parse

import pytest

from data.store import DEMO_DIR, Store
from tests.helpers import ROOT, log_text, streamlit_server

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


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A headless Streamlit server on a free port reading an empty store (so the demo city is shown)."""
    if not Store(DEMO_DIR).months():
        pytest.skip("the demo store (python -m data demo) is empty")
    with streamlit_server(tmp_path_factory.mktemp("empty_store"), tmp_path_factory.mktemp("log")) as srv:
        yield srv["url"]
    text = log_text(srv)
    assert "Traceback" not in text, text[-3000:]


@pytest.fixture
def page(browser):
    ctx = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
    pg = ctx.new_page()
    yield pg
    ctx.close()


# The page is done: the script has finished, no spinner or skeleton is left, every chart has drawn with a size,
# and the layout measured by two successive polls is the same (charts and fonts have settled).
SETTLED = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (document.querySelector('[data-testid="stSpinner"], [data-testid="stSkeleton"], [data-testid="stAppSkeleton"]'))
    return false;
  const charts = [...document.querySelectorAll('[data-testid="stVegaLiteChart"], [data-testid="stArrowVegaLiteChart"]')];
  const drawn = charts.every(c => [...c.querySelectorAll('canvas, svg')].some(g => {
    const r = g.getBoundingClientRect(); return r.width > 0 && r.height > 0; }));
  const block = document.querySelector('[data-testid="stMainBlockContainer"]');
  const sig = JSON.stringify([charts.length, document.scrollingElement.scrollHeight, block && block.scrollHeight,
                              document.fonts.status]);
  const same = window.__kpmLayout === sig;
  window.__kpmLayout = sig;
  return drawn && same && document.fonts.status === 'loaded';
}"""


def _open(page, url: str, ready: str) -> dict:
    page.goto(url)
    page.wait_for_selector(ready, timeout=60_000)
    page.wait_for_function(SETTLED, polling=300, timeout=60_000)
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
    assert m["kpiValue"] == [58.0] * 8, m["kpiValue"]  # README: "KPI values at 58 px"
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
    from playwright.sync_api import expect

    clock = page.locator(".kpm-clock")  # inside the component's shadow root: a locator, not document.querySelector
    expect(clock).to_have_text(re.compile(r"^\d\d:\d\d:\d\d$"), timeout=15_000)  # the component drew the time
    first = clock.inner_text()
    expect(clock).not_to_have_text(first, timeout=15_000)                          # and it ticks (once a second)
    expect(clock).to_have_text(re.compile(r"^\d\d:\d\d:\d\d$"))
    assert re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日 星期[日一二三四五六]", page.inner_text(".kpm-day").strip())


def _params(page) -> dict[str, list[str]]:
    return urllib.parse.parse_qs(urllib.parse.urlparse(page.url).query)


def test_playlist_advances_on_its_timer_and_obeys_the_keys(server, page):
    q = urllib.parse.quote("总览,县区比拼")
    _open(page, f"{server}/?mode=screen&playlist={q}&interval=5", ".kpi .val")
    page.wait_for_url("**/ranking?**", timeout=20_000)          # the timer moved to the next page
    page.wait_for_selector(".kpm-board", timeout=30_000)
    assert _params(page)["step"] == ["1"]
    page.keyboard.press("Space")                                 # pause
    page.wait_for_function("location.search.includes('paused=1')", timeout=15_000)
    page.get_by_text("已暂停 2/2").wait_for(timeout=15_000)
    # What is asserted is that nothing happens for longer than one interval: there is no event to await, so
    # this one wait is by the clock (the page's own timer would have moved it after 5 s).
    page.wait_for_timeout(6500)
    assert "/ranking" in page.url and _params(page)["step"] == ["1"]
    page.keyboard.press("ArrowRight")                            # next, by hand, while paused
    page.wait_for_function("location.search.includes('step=0')", timeout=15_000)
    page.wait_for_selector(".kpi .val", timeout=30_000)
    assert "/ranking" not in page.url and _params(page)["paused"] == ["1"]
    page.keyboard.press("Space")                                 # resume
    page.wait_for_function("!location.search.includes('paused=1')", timeout=15_000)
    page.keyboard.press("Escape")                                # leave screen mode: the sidebar is back
    page.wait_for_selector('[data-testid="stSidebar"] [data-testid="stSelectbox"]', timeout=30_000)
    assert "mode" not in _params(page)
