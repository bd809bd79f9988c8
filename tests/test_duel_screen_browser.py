"""县区对比 on the screen in a real browser: the demo city with four of its counties renamed to 8–12 characters
(高新技术产业开发区, 经济技术开发区管理委员会, …), four of them compared and one pinned, at 1920×1080 and on a 4:3
projector at 1024×768 — no scrolling, every text at least 20 design px, no number cut off, no two lines of text on
top of each other.

The screen is designed at 1,080 px high and scaled to the room's screen (scale = height / 1,080). Where the page does
not scale itself at 1024×768, the browser is given what a scaled page lays out — a 1440×1080 viewport drawn at
768 / 1080 device pixels per px — so the board is checked at the 4:3 design width either way.
Screenshots: artifacts/screenshots/duel_*.png.
"""
from __future__ import annotations

import shutil
import urllib.parse

import polars as pl
import pytest

from data.store import DEMO_DIR, Store
from tests.helpers import ROOT, log_text, streamlit_server

SHOTS = ROOT / "artifacts" / "screenshots"
LONG = {"高新区": "高新技术产业开发区", "经开区": "经济技术开发区管理委员会", "石门县": "石门土家族自治县",
        "青山县": "青山湖生态文化旅游度假区"}
FOUR = ",".join(LONG.values())
PIN = "石门土家族自治县"


def long_named_store(root):
    """The demo store with LONG's counties renamed, in snapshots and in the audit log (who reported)."""
    (root / "snapshots").mkdir(parents=True)
    for f in sorted((DEMO_DIR / "snapshots").glob("*.parquet")):
        pl.read_parquet(f).with_columns(pl.col("county").replace(LONG)).write_parquet(root / "snapshots" / f.name)
    text = (DEMO_DIR / "audit.jsonl").read_text(encoding="utf-8")
    for old, new in LONG.items():
        text = text.replace(f'"{old}"', f'"{new}"')
    (root / "audit.jsonl").write_text(text, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if not Store(DEMO_DIR).months():
        pytest.skip("the demo store (python -m data demo) is empty")
    store = long_named_store(tmp_path_factory.mktemp("long") / "store")
    with streamlit_server(store, tmp_path_factory.mktemp("log")) as srv:
        yield srv["url"]
    text = log_text(srv)
    shutil.rmtree(store, ignore_errors=True)
    assert "Traceback" not in text, text[-3000:]


def url(server: str, **params: str) -> str:
    return f"{server}/duel?{urllib.parse.urlencode({'mode': 'screen', **params})}"


SETTLED = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  const block = document.querySelector('[data-testid="stMainBlockContainer"]');
  const sig = JSON.stringify([document.scrollingElement.scrollHeight, block && block.scrollHeight,
                              document.querySelectorAll('td, canvas, svg').length, document.fonts.status]);
  const same = window.__kpmDuel === sig;
  window.__kpmDuel = sig;
  return same && document.fonts.status === 'loaded';
}"""

# Everything measured in CSS px of the page (design px when the page is scaled by the device pixel ratio).
MEASURE = """() => {
  const main = document.querySelector('[data-testid="stMain"]');
  const block = document.querySelector('[data-testid="stMainBlockContainer"]');
  let bottom = 0;
  for (const el of block.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.height > 0 && r.width > 0) bottom = Math.max(bottom, r.bottom);
  }
  const wrap = document.querySelector('.kpm-duel-wrap') || block;
  const walker = document.createTreeWalker(wrap, NodeFilter.SHOW_TEXT);
  const lines = [], small = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (!n.textContent.trim() || n.parentElement.closest('style')) continue;
    const el = n.parentElement, fs = parseFloat(getComputedStyle(el).fontSize);
    if (fs < 20) small.push([n.textContent.trim(), fs]);
    // A text's line box: its glyph box narrowed to the line height about its middle (the glyphs of a tight line
    // height stand out of it by design; the line boxes of two lines never may overlap).
    const lh = parseFloat(getComputedStyle(el).lineHeight);
    const range = document.createRange(); range.selectNodeContents(n);
    for (const r of range.getClientRects()) if (r.width > 0 && r.height > 0) {
      const mid = (r.top + r.bottom) / 2, half = Math.min(r.height, isNaN(lh) ? r.height : lh) / 2;
      lines.push({t: n.textContent.trim(), l: r.left, r: r.right, top: mid - half, b: mid + half});
    }
  }
  // Two line boxes of different text on top of each other (a 1 px touch between neighbours is not an overlap).
  const overlaps = [];
  for (let i = 0; i < lines.length; i++) for (let j = i + 1; j < lines.length; j++) {
    const a = lines[i], b = lines[j];
    const w = Math.min(a.r, b.r) - Math.max(a.l, b.l), h = Math.min(a.b, b.b) - Math.max(a.top, b.top);
    if (w > 1 && h > 1) overlaps.push([a.t, b.t]);
  }
  // Text cut off: wider than its box (an ellipsis), a line more than its box shows (a clamped line; glyphs standing
  // a few px out of a tight line height are not), or out of its cell.
  const clipped = [];
  for (const el of wrap.querySelectorAll('.v, .s, .cname, .marks, .iname, .isub')) {
    const line = parseFloat(getComputedStyle(el).lineHeight);
    if (el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + line / 2)
      clipped.push(el.textContent);
    const cell = (el.closest('td, th') || el.parentElement).getBoundingClientRect();
    const r = el.getBoundingClientRect();
    if (r.left < cell.left - 0.5 || r.right > cell.right + 0.5 || r.top < cell.top - 0.5
        || r.bottom > cell.bottom + 0.5)
      clipped.push(el.textContent);
  }
  const px = (sel) => [...wrap.querySelectorAll(sel)].map(e => parseFloat(getComputedStyle(e).fontSize));
  return {
    h: innerHeight, w: innerWidth, doc: document.scrollingElement.scrollHeight,
    main: [main.scrollHeight, main.clientHeight], bottom,
    names: [...wrap.querySelectorAll('.cname')].map(e => e.textContent),
    value: px('.v'), small, overlaps, clipped, lines: lines.length,
  };
}"""


def _open(browser, address: str, viewport: dict, scale: float = 1.0):
    ctx = browser.new_context(viewport=viewport, device_scale_factor=scale, locale="zh-CN")
    page = ctx.new_page()
    page.goto(address)
    page.wait_for_selector(".kpm-head", timeout=60_000)
    page.wait_for_function(SETTLED, polling=300, timeout=60_000)
    return ctx, page


def _check(m: dict, counties: list[str]) -> None:
    assert m["doc"] <= m["h"] and m["main"][0] <= m["main"][1] + 1, f"the page scrolls: {m['doc']}, {m['main']}"
    assert m["bottom"] <= m["h"], f"the board ends at {m['bottom']:.0f} of {m['h']} px"
    assert m["names"] == counties
    assert not m["small"], f"text under 20 px: {m['small']}"
    assert not m["clipped"], f"text cut off: {m['clipped']}"
    assert not m["overlaps"], f"text on top of text: {m['overlaps'][:5]}"
    assert m["lines"] > 8 * len(counties) * 2  # the check saw the board's text (a value and a line in every cell)


def test_four_long_names_and_a_pinned_county_fit_1920x1080(server, browser):
    ctx, page = _open(browser, url(server, vs=FOUR, pin=PIN), {"width": 1920, "height": 1080})
    try:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "duel_1920x1080_four.png"))
        m = page.evaluate(MEASURE)
        _check(m, [PIN, "高新技术产业开发区", "经济技术开发区管理委员会", "青山湖生态文化旅游度假区"])
        assert m["value"] == [48.0] * 32, m["value"]  # 8 rows × 4 counties, none shrunk to fit
    finally:
        ctx.close()


def test_the_default_pair_fits_1920x1080_in_big_type(server, browser):
    ctx, page = _open(browser, url(server), {"width": 1920, "height": 1080})
    try:
        page.screenshot(path=str(SHOTS / "duel_1920x1080_default.png"))
        m = page.evaluate(MEASURE)
        _check(m, ["高新技术产业开发区", PIN])  # December's 红旗 and 蜗牛
        assert m["value"] == [58.0] * 16, m["value"]
    finally:
        ctx.close()


@pytest.mark.parametrize("lang", ["zh", "en"])  # English labels are longer and wrap
def test_four_long_names_fit_a_4_3_projector_at_1024x768(server, browser, lang):
    address = url(server, vs=FOUR, pin=PIN, lang=lang)
    ctx, page = _open(browser, address, {"width": 1024, "height": 768})
    # Does the page scale itself? Then the city name's box is smaller than its font size says.
    scaled = page.evaluate("""() => { const v = document.querySelector('.kpm-city');
      return v.getBoundingClientRect().height < 0.9 * parseFloat(getComputedStyle(v).fontSize); }""")
    if not scaled:  # what a page scaled to 768 / 1080 lays out: the 4:3 design size, drawn smaller
        ctx.close()
        ctx, page = _open(browser, address, {"width": 1440, "height": 1080}, scale=768 / 1080)
    try:
        page.screenshot(path=str(SHOTS / f"duel_1024x768_four_{lang}.png"))
        m = page.evaluate(MEASURE)
        _check(m, [PIN, "高新技术产业开发区", "经济技术开发区管理委员会", "青山湖生态文化旅游度假区"])
    finally:
        ctx.close()
