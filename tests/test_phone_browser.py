"""The phone and tablet layout (ui/phone.py, ui/cards.py) in Debian's Chromium through a real server: at 360×780,
390×844, 412×915 (phones) and 768×1024 (a tablet held upright), mobile and touch, every desk page of the pages' table
and the screen links open with the menu closed, the page never scrolls sideways, no text runs over other text, no
text is cut off (tests/test_screen_fit.py's measure), and 总览 shows at least four headline figures in its first
screen. One browser, one context a profile, the pages one after the other in it. Screenshots:
artifacts/screenshots/phone/."""
from __future__ import annotations

import pytest

from pages import PAGES
from tests.helpers import ROOT, log_text, streamlit_server
from tests.test_screen_fit import MEASURE
from ui.screen.playlist import page_url

SHOTS = ROOT / "artifacts" / "screenshots" / "phone"
PROFILES = ((360, 780), (390, 844), (412, 915), (768, 1024))
SHOT_PROFILES = {(390, 844), (768, 1024)}
LINKS = [page_url(p.path) for p in PAGES] + [f"{page_url(p.path)}?mode=screen" for p in PAGES if p.screen]
PHONE = 640  # ui/phone.py: up to this width, KPI tiles two to a row
MIN_PX = 11  # the phone's smallest text (a tile's second line), in CSS px

SETTLED = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (document.querySelector('[data-testid="stSpinner"], [data-testid="stSkeleton"], [data-testid="stAppSkeleton"]'))
    return false;
  if (!document.querySelector('[data-testid="stMainBlockContainer"] h1, .kpm-screen-on')) return false;
  const sb = document.querySelector('[data-testid="stSidebar"]');
  const charts = [...document.querySelectorAll('[data-testid="stVegaLiteChart"] svg.marks, [data-testid="stVegaLiteChart"] canvas')]
    .map(g => { const r = g.getBoundingClientRect(); return Math.round(r.width) + 'x' + Math.round(r.height); });
  const block = document.querySelector('[data-testid="stMainBlockContainer"]');
  const sig = JSON.stringify([charts, block && block.getBoundingClientRect().height, sb && sb.getAttribute('data-collapsed'),
                              document.fonts.status]);
  const same = window.__kpmPhone === sig;
  window.__kpmPhone = sig;
  return same && document.fonts.status === 'loaded';
}"""

# What the reader sees of the page: the sidebar's state, anything wider than the window, and the headline figures
# wholly inside the first screen.
LOOK = """() => {
  const W = innerWidth, H = innerHeight;
  const sb = document.querySelector('[data-testid="stSidebar"]');
  const wide = [];
  const se = document.scrollingElement;
  if (se.scrollWidth > W + 1) wide.push(`the page is ${se.scrollWidth} px wide`);
  for (const id of ['stAppViewContainer', 'stMain', 'stMainBlockContainer']) {
    const el = document.querySelector(`[data-testid="${id}"]`);
    if (el && el.scrollWidth > el.clientWidth + 1) wide.push(`${id} scrolls sideways: ${el.scrollWidth} in ${el.clientWidth}`);
  }
  const shown = (el) => el.checkVisibility({opacityProperty: true, visibilityProperty: true});
  for (const el of document.querySelectorAll('[data-testid="stMainBlockContainer"] *')) {
    if (!shown(el)) continue;
    const r = el.getBoundingClientRect();
    // A table wider than the window, panned inside its own frame, hides its columns (and a grid draws its headers
    // on a canvas, where they cannot be read back): nothing may scroll sideways, the page or a part of it.
    if (/auto|scroll/.test(getComputedStyle(el).overflowX) && el.scrollWidth > el.clientWidth + 1)
      wide.push(`${el.tagName.toLowerCase()}.${[...el.classList].slice(0, 2).join('.')}[${el.dataset.testid || ''}] scrolls sideways: ${el.scrollWidth} in ${el.clientWidth}`);
    if (r.width > 0 && (r.right > W + 1 || r.left < -1)) wide.push(`${el.tagName.toLowerCase()}.${[...el.classList].slice(0, 2).join('.')} spans ${r.left.toFixed(0)}–${r.right.toFixed(0)}`);
  }
  const figures = [...document.querySelectorAll('.kpi .val')].filter(el => { const r = el.getBoundingClientRect();
    return shown(el) && r.top >= 0 && r.bottom <= H && r.right <= W; }).length;
  const tiles = [...document.querySelectorAll('.kpi')].filter(shown).map(el => el.getBoundingClientRect());
  const pairs = tiles.length > 1 && Math.abs(tiles[0].top - tiles[1].top) < 1 && tiles[1].right <= W + 1;
  return {pairs, tiles: tiles.length, open: !!sb && sb.getAttribute('data-collapsed') === 'true' && sb.getBoundingClientRect().right > 10,
          wide: wide.slice(0, 6), figures};
}"""


# The page scrolls inside Streamlit's main frame, which clips what is below the window: laid out as one sheet, text
# the reader scrolls to is no longer taken for text cut off (MEASURE names it "off the screen", which is expected).
UNCLIP = """() => {
  for (let a = document.querySelector('[data-testid="stMainBlockContainer"]'); a; a = a.parentElement)
    if (getComputedStyle(a).overflowY !== 'visible') a.style.setProperty('overflow', 'visible', 'important');
}"""


@pytest.fixture(scope="module")
def server(tmp_path_factory, demo_env):
    """The app over an empty store (the demo city) on a free port."""
    with streamlit_server(tmp_path_factory.mktemp("store"), tmp_path_factory.mktemp("log")) as srv:
        yield srv
        text = log_text(srv)
    assert "Traceback" not in text, text[-3000:]


def _name(link: str) -> str:
    return link.replace("?mode=screen", "_screen")


@pytest.mark.parametrize("size", PROFILES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_every_page_reads_on_a_phone_and_a_tablet(browser, server, size):
    w, h = size
    ctx = browser.new_context(viewport={"width": w, "height": h}, is_mobile=True, has_touch=True,
                              device_scale_factor=2 if size in SHOT_PROFILES else 1, locale="zh-CN")
    page = ctx.new_page()
    problems = []
    try:
        for link in LINKS:
            page.goto(f"{server['url']}/{link}")
            page.wait_for_function(SETTLED, polling=500, timeout=90_000)
            seen = page.evaluate(LOOK)
            # The closed menu sits beside the window, clipped: no reader sees its text, so the measure skips it.
            page.add_style_tag(content='[data-testid="stSidebar"][data-collapsed="true"] {display:none !important}')
            page.evaluate(UNCLIP)
            m = page.evaluate(MEASURE, MIN_PX)
            if size in SHOT_PROFILES:
                SHOTS.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(SHOTS / f"{_name(link)}_{w}x{h}.png"))
            where = f"{w}×{h} /{link}"
            if seen["open"]:
                problems.append(f"{where}: the menu is open")
            problems += [f"{where}: {p}" for p in seen["wide"]]
            problems += [f"{where} overlap: {p}" for p in m["overlap"][:6]]
            # MEASURE names text below the window "off the screen": a desk page scrolls down, so only text cut by
            # its own box counts here (sideways overflow is LOOK's).
            problems += [f"{where} cut: {p}" for p in m["cut"] if not p.endswith("off the screen")][:6]
            problems += [f"{where} small: {p}" for p in m["small"][:3]]
            if link == "overview" and seen["figures"] < 4:
                problems.append(f"{where}: {seen['figures']} headline figures in the first screen, not 4")
            if w <= PHONE and "mode=screen" not in link and seen["tiles"] > 1 and not seen["pairs"]:
                problems.append(f"{where}: the KPI tiles are not two to a row")
            assert m["boxes"] > 10, f"{where}: only {m['boxes']} pieces of text were found to measure"
    finally:
        ctx.close()
    assert not problems, "\n".join(problems)


OPENED = "() => document.querySelector('[data-testid=\"stSidebar\"]').getAttribute('data-collapsed') === 'false'"
CLOSED = "() => document.querySelector('[data-testid=\"stSidebar\"]').getAttribute('data-collapsed') === 'true'"


def test_a_choice_in_the_sidebar_closes_it_on_a_phone(browser, server):
    """Opened by its button on a phone, the menu closes again once a page, or a county in the filter, is chosen."""
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="zh-CN")
    page = ctx.new_page()
    try:
        page.goto(f"{server['url']}/overview")
        page.wait_for_function(SETTLED, polling=500, timeout=90_000)
        assert not page.evaluate(LOOK)["open"]
        page.locator('[data-testid="stExpandSidebarButton"]').first.click()
        page.wait_for_function(OPENED, timeout=10_000)
        page.locator('[data-testid="stSidebarNav"] a', has_text="县区比拼").first.click()
        page.wait_for_function(CLOSED, timeout=10_000)
        page.wait_for_selector(".kpm-pc .kpm-rank", timeout=60_000)   # the ranking's county cards
        page.wait_for_function(SETTLED, polling=500, timeout=90_000)
        # a county chosen in the filter: the menu closes and the page shows that county
        page.locator('[data-testid="stExpandSidebarButton"]').first.click()
        page.wait_for_function(OPENED, timeout=10_000)
        county = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').first
        # the whole menu is listed above the filters: brought to the top as a thumb would, its list opens below it
        county.evaluate("e => e.scrollIntoView({block: 'start'})")
        county.click()
        page.locator('[role="option"]', has_text="石门县").first.click()
        page.wait_for_function(CLOSED, timeout=10_000)
        page.wait_for_function("() => document.body.innerText.includes('县区：石门县')", timeout=60_000)
    finally:
        ctx.close()
