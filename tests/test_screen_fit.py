"""The meeting screen fits every room: every page with a screen layout (the pages' table), at 1920×1080, 1366×768,
1024×768 and 3840×2160, for the demo city, a city with long unit names and one with thirty units
(tests/screen_cities.py); the pages that change with a pinned unit also pinned to the city's longest name, and 县区对比
with its four longest names side by side, in Chinese and in English.

A view fails when the page or anything inside it scrolls, when text is cut off (or a number hidden by an ellipsis),
when any two pieces of text overlap — HTML text by its line boxes (Range.getClientRects), chart text by the SVG
renderer's text boxes turned with their labels — or when text is smaller than 16 px per 1080 lines of the viewport.
One server per city; each view is loaded once and the window resized through the four sizes (the screen rescales
on a resize, as a room's browser does when it goes full screen). Screenshots: artifacts/screenshots/fit/.
"""
from __future__ import annotations

import ast
import re
import urllib.parse
from typing import NamedTuple

import pytest

from pages import PAGES
from tests.helpers import ROOT, log_text, streamlit_server
from tests.screen_cities import CITIES
from ui.screen.playlist import page_url

SHOTS = ROOT / "artifacts" / "screenshots" / "fit"
SIZES = ((1920, 1080), (1366, 768), (1024, 768), (3840, 2160))
SHOT_SIZES = {(1920, 1080), (1024, 768)}
MIN_DESIGN_PX = 16  # the smallest text, in px per 1080 lines of screen height


class View(NamedTuple):
    """A page as the room sees it: as the playlist shows it, or held on the city's longest unit name (`pin=`), and
    on 县区对比 with the three next-longest in `vs=` (four long names side by side), in Chinese or English."""

    path: str
    pinned: bool = False
    four: bool = False
    lang: str = "zh"


# Every screen page as the playlist shows it, the pages whose layout changes with a pinned unit (一张图 outlines it),
# and 县区对比's widest board (English labels are longer and wrap).
LAYOUT_PAGES = [p.path for p in PAGES if p.screen]
VIEWS = [*(View(p) for p in LAYOUT_PAGES), View("pages/overview.py", True), View("pages/ranking.py", True),
         View("pages/geomap.py", True), View("pages/duban.py", True),
         View("pages/comparison.py", True, True), View("pages/comparison.py", True, True, "en")]

# Everything the room sees, measured in the browser's own coordinates (so under any zoom).
MEASURE = r"""(minPx) => {
  const W = innerWidth, H = innerHeight, TOL = 1, LEAD = 0.1;
  const out = {scroll: [], cut: [], overlap: [], small: [], charts: []};
  const rules = [];
  const roots = [document];
  const elems = [];
  for (let i = 0; i < roots.length; i++)
    for (const el of roots[i].querySelectorAll('*')) { elems.push(el); if (el.shadowRoot) roots.push(el.shadowRoot); }
  const name = (s) => JSON.stringify(s.trim().replace(/\s+/g, ' ').slice(0, 24));
  const up = (el) => el.parentElement || (el.parentNode && el.parentNode.host) || null;
  const zoomOf = (el) => { let z = 1; for (let a = el; a; a = up(a)) z *= parseFloat(getComputedStyle(a).zoom) || 1; return z; };
  const se = document.scrollingElement;
  if (se.scrollHeight > H + TOL || se.scrollWidth > W + TOL)
    out.scroll.push(`the page is ${se.scrollWidth}×${se.scrollHeight} px in a ${W}×${H} window`);
  for (const el of elems) {
    const cs = getComputedStyle(el);
    if (!/auto|scroll/.test(cs.overflowX + cs.overflowY) || !el.checkVisibility()) continue;
    if (el.scrollHeight > el.clientHeight + TOL || el.scrollWidth > el.clientWidth + TOL)
      out.scroll.push(`${el.tagName.toLowerCase()}.${[...el.classList].join('.')}[${el.dataset.testid || ''}] scrolls: `
                      + `${el.scrollWidth}×${el.scrollHeight} in ${el.clientWidth}×${el.clientHeight}`);
  }
  // A box: its corners (clockwise), the text, its font size on the screen.
  const boxes = [];
  const clipsOf = (el) => {
    const c = [];
    for (let a = el; a; a = up(a)) {
      const cs = getComputedStyle(a);
      if (cs.overflowX !== 'visible' || cs.overflowY !== 'visible') c.push([a.getBoundingClientRect(), cs.textOverflow]);
    }
    return c;
  };
  // Text for screen readers only (the 1 px clipped "skip to content" link): the room never sees it.
  const readerOnly = (el) => { for (let a = el; a; a = up(a)) { const cs = getComputedStyle(a), r = a.getBoundingClientRect();
    if (/^rect\(0px,? 0px,? 0px,? 0px\)$/.test(cs.clip) || (r.width <= 1 && r.height <= 1 && cs.overflow === 'hidden')) return true; }
    return false; };
  const range = document.createRange();
  for (const root of roots) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!n.data.trim() || !el || el.closest('svg, style, script, noscript, title')) continue;
      if (!el.checkVisibility({opacityProperty: true, visibilityProperty: true}) || readerOnly(el)) continue;
      const cs = getComputedStyle(el);
      const font = parseFloat(cs.fontSize) * zoomOf(el);
      range.selectNodeContents(n);
      const rects = [...range.getClientRects()].filter(r => r.width > 0.5 && r.height > 0.5);
      if (!rects.length) continue;
      if (font < minPx - 0.01) out.small.push(`${name(n.data)} ${font.toFixed(1)} px`);
      const clips = clipsOf(el);
      // Line boxes carry the font's ascent and descent; the glyphs fill the em box around the middle.
      const em = (r) => { const mid = (r.top + r.bottom) / 2; return [r.left, mid - font / 2, r.right, mid + font / 2]; };
      const outside = (r) => { const [l, t, rt, b] = em(r); return clips.some(([c]) => l < c.left - TOL
        || rt > c.right + TOL || t < c.top - TOL || b > c.bottom + TOL); };
      for (const r of rects) {
        let [l, t, rt, b] = em(r);
        for (const [c] of clips) { l = Math.max(l, c.left); t = Math.max(t, c.top); rt = Math.min(rt, c.right); b = Math.min(b, c.bottom); }
        if (rt - l > TOL && b - t > TOL) boxes.push({p: [[l, t], [rt, t], [rt, b], [l, b]], s: n.data, where: 'html', node: n});
      }
      // What a clip hides: nothing at all without an ellipsis, never a digit with one.
      if (clips.length && rects.some(outside)) {
        const hidden = [];
        for (let i = 0; i < n.data.length; i++) {
          range.setStart(n, i); range.setEnd(n, i + 1);
          const r = range.getBoundingClientRect();
          if (r.width && outside(r)) hidden.push(n.data[i]);
        }
        const h = hidden.join('');
        const ellipsis = clips.some(([, to]) => to === 'ellipsis');
        // A 约谈预警 card (its closing line naming the counties that did not fit among them) is never cut at all.
        if (h.trim() && (!ellipsis || /\d/.test(h) || el.closest('.kpm-card')))
          out.cut.push(`${name(n.data)} loses ${name(h)}`);
      }
    }
  }
  for (const chart of document.querySelectorAll('[data-testid="stVegaLiteChart"], [data-testid="stArrowVegaLiteChart"]')) {
    const svg = chart.querySelector('svg.marks');
    const cr = chart.getBoundingClientRect();
    if (!svg) { out.charts.push(`a chart drawn without the SVG renderer (its labels cannot be read)`); continue; }
    const sr = svg.getBoundingClientRect();
    if (sr.width > cr.width + TOL || sr.width < 0.85 * cr.width)
      out.charts.push(`a chart ${sr.width.toFixed(0)} px wide in its ${cr.width.toFixed(0)} px frame`);
    for (const t of svg.querySelectorAll('text')) {
      if (!t.textContent.trim() || !t.checkVisibility({opacityProperty: true, visibilityProperty: true})) continue;
      if (parseFloat(t.getAttribute('opacity') ?? '1') === 0 || parseFloat(t.getAttribute('fill-opacity') ?? '1') === 0) continue;
      const m = t.getScreenCTM(), bb = t.getBBox();
      const size = parseFloat(getComputedStyle(t).fontSize);
      const scale = Math.hypot(m.a, m.b);
      if (size * scale < minPx - 0.01) out.small.push(`chart ${name(t.textContent)} ${(size * scale).toFixed(1)} px`);
      const mid = bb.y + bb.height / 2, [y0, y1] = [mid - size / 2, mid + size / 2];
      const pt = (x, y) => [m.a * x + m.c * y + m.e, m.b * x + m.d * y + m.f];
      // Chart text keeps a little leading (LEAD of its size above and below): rows of figures closer than that
      // run into each other for a reader across the room, though their glyph boxes may not touch.
      const [z0, z1] = [mid - size * (0.5 + LEAD), mid + size * (0.5 + LEAD)];
      boxes.push({p: [pt(bb.x, z0), pt(bb.x + bb.width, z0), pt(bb.x + bb.width, z1), pt(bb.x, z1)],
                  s: t.textContent, where: 'chart', node: t});
    }
    // A rule drawn over the data (a target line) must not run through any text.
    for (const l of svg.querySelectorAll('g.mark-rule.role-mark line')) {
      if (!l.checkVisibility({opacityProperty: true, visibilityProperty: true})) continue;
      const m = l.getScreenCTM(), bb = l.getBBox(), w = (parseFloat(l.getAttribute('stroke-width')) || 1) / 2;
      const pt = (x, y) => [m.a * x + m.c * y + m.e, m.b * x + m.d * y + m.f];
      const [x0, x1, y0, y1] = [bb.x - w, bb.x + bb.width + w, bb.y - w, bb.y + bb.height + w];
      rules.push({p: [pt(x0, y0), pt(x1, y0), pt(x1, y1), pt(x0, y1)], s: 'rule', where: 'rule', node: l});
    }
  }
  // Separating axis test on the (possibly turned) boxes; boxes that share less than TOL px do not overlap.
  const proj = (p, ax) => { let lo = Infinity, hi = -Infinity; for (const [x, y] of p) { const v = x * ax[0] + y * ax[1]; lo = Math.min(lo, v); hi = Math.max(hi, v); } return [lo, hi]; };
  const axes = (p) => [0, 1].map(i => { const dx = p[i + 1][0] - p[i][0], dy = p[i + 1][1] - p[i][1], l = Math.hypot(dx, dy) || 1; return [-dy / l, dx / l]; });
  const hits = (a, b) => [...axes(a.p), ...axes(b.p)].every(ax => { const [p0, p1] = proj(a.p, ax), [q0, q1] = proj(b.p, ax); return Math.min(p1, q1) - Math.max(p0, q0) > TOL; });
  const bound = boxes.map(b => { const xs = b.p.map(q => q[0]), ys = b.p.map(q => q[1]); return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)]; });
  for (const rule of rules)
    for (const box of boxes)
      if (box.where === 'chart' && hits(rule, box)) out.overlap.push(`a rule runs through chart text ${name(box.s)}`);
  for (let i = 0; i < boxes.length; i++) {
    const [l, t, r, b] = bound[i];
    if (l < -TOL || t < -TOL || r > W + TOL || b > H + TOL) out.cut.push(`${name(boxes[i].s)} off the screen`);
    for (let j = i + 1; j < boxes.length; j++) {
      const o = bound[j];
      if (o[0] >= r || o[2] <= l || o[1] >= b || o[3] <= t || boxes[i].node === boxes[j].node) continue;
      if (hits(boxes[i], boxes[j])) out.overlap.push(`${boxes[i].where} ${name(boxes[i].s)} × ${boxes[j].where} ${name(boxes[j].s)}`);
    }
  }
  out.boxes = boxes.length;
  return out;
}"""

# Settled: the script has finished, nothing is loading, every chart has drawn, and two successive polls measured the
# same layout (the rescale after a resize, the charts' redraw at their new width and the fonts are all done).
SETTLED = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (document.querySelector('[data-testid="stSpinner"], [data-testid="stSkeleton"], [data-testid="stAppSkeleton"]'))
    return false;
  if (!document.querySelector('.kpm-screen-on')) return false;
  const charts = [...document.querySelectorAll('[data-testid="stVegaLiteChart"], [data-testid="stArrowVegaLiteChart"]')];
  const sizes = charts.map(c => [...c.querySelectorAll('canvas, svg')].map(g => {
    const r = g.getBoundingClientRect(); return Math.round(r.width) + 'x' + Math.round(r.height); }).join());
  const block = document.querySelector('[data-testid="stMainBlockContainer"]');
  const sig = JSON.stringify([innerWidth, innerHeight, sizes, document.scrollingElement.scrollHeight,
                              block && block.getBoundingClientRect().height, document.fonts.status]);
  const same = window.__kpmFit === sig;
  window.__kpmFit = sig;
  return same && sizes.every(s => s && !s.startsWith('0x')) && document.fonts.status === 'loaded';
}"""


def test_screen_layouts_are_drawn_only_through_the_pages_table():
    """No page module draws a ui.screen layout itself: each page's layout is its row in the pages' table, which is
    what this test loads, so no screen goes unmeasured."""
    layouts = {"overview", "dimension", "ranking", "comparison", "duban", "geomap"}
    for path in sorted((ROOT / "pages").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        calls = {ast.unparse(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
        imported = {a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)
                    and (n.module or "").startswith("ui.screen") for a in n.names}
        drawn = {c for c in calls if re.fullmatch(r"screen\.(\w+)", c) and c.split(".")[1] in layouts}
        if path.name != "__init__.py":
            assert not drawn and not imported & layouts, f"{path.name} 直接调用了大屏布局：请在 pages/__init__.py 的页面表中声明"
    assert {p.screen.__name__ for p in PAGES if p.screen} == layouts


@pytest.fixture(scope="module", params=list(CITIES))
def city(request, tmp_path_factory):
    """(the city, its server's URL): one Streamlit server per city, its store written under the test's folder."""
    c = CITIES[request.param]
    store = c.write(tmp_path_factory.mktemp(f"store_{c.name}"))
    with streamlit_server(store, tmp_path_factory.mktemp(f"log_{c.name}"), KPM_CITY=c.title) as srv:
        yield c, srv["url"]
        text = log_text(srv)
    assert "Traceback" not in text, text[-3000:]


@pytest.fixture(scope="module")
def tab(browser, city):
    ctx = browser.new_context(viewport={"width": SIZES[0][0], "height": SIZES[0][1]}, locale="zh-CN")
    pg = ctx.new_page()
    yield pg
    ctx.close()


def _view_id(view: View) -> str:
    return (page_url(view.path) + ("-pinned" if view.pinned else "") + ("-four" if view.four else "")
            + ("" if view.lang == "zh" else f"-{view.lang}"))


def view_query(view: View, units) -> dict[str, str]:
    """The view's query string for a city with these units."""
    query = {"mode": "screen"}
    longest = sorted(units, key=len, reverse=True)  # stable: of equally long names, the first listed
    if view.pinned:
        query["pin"] = longest[0]
    if view.four:
        query["vs"] = ",".join(longest[1:4])
    if view.lang != "zh":
        query["lang"] = view.lang
    return query


@pytest.mark.parametrize("view", VIEWS, ids=_view_id)
def test_the_screen_fits_without_scrolling_overlap_or_small_text(city, tab, view):
    c, url = city
    _fits(tab, url, c, view)


def _fits(tab, url: str, c, view: View) -> None:
    """Load the view once, then measure it at every size; fail naming every problem."""
    tab.set_viewport_size({"width": SIZES[0][0], "height": SIZES[0][1]})
    tab.goto(f"{url}/{page_url(view.path)}?{urllib.parse.urlencode(view_query(view, c.units))}")
    tab.wait_for_selector(".kpm-screen-on", timeout=60_000)
    problems = []
    for w, h in SIZES:
        tab.set_viewport_size({"width": w, "height": h})
        tab.wait_for_function(SETTLED, polling=400, timeout=60_000)
        m = tab.evaluate(MEASURE, MIN_DESIGN_PX * h / 1080)
        name = f"{c.name}_{_view_id(view)}_{w}x{h}.png"
        if (w, h) in SHOT_SIZES or (w == 3840 and c.name == "demo" and _view_id(view) == "overview"):
            SHOTS.mkdir(parents=True, exist_ok=True)
            tab.screenshot(path=str(SHOTS / name))
        for kind in ("scroll", "cut", "overlap", "small", "charts"):
            problems += [f"{w}×{h} {kind}: {p}" for p in m[kind][:6]]
            if len(m[kind]) > 6:
                problems.append(f"{w}×{h} {kind}: … {len(m[kind]) - 6} more")
        assert m["boxes"] > 20, f"{w}×{h}: only {m['boxes']} pieces of text were found to measure"
    assert not problems, f"{c.name} {_view_id(view)}:\n" + "\n".join(problems)


# 一张图 on a real city's boundaries: 宜昌市's thirteen counties (small urban districts crowding each other, their labels
# set off with leader lines) and 宜昌高新区 beside the map, its units written as ledgers write them.
YICHANG = ("西陵区", "伍家岗", "点军区", "猇亭区", "夷陵区", "远安县", "兴山县", "秭归县", "长阳县", "五峰县", "宜都市",
           "当阳市", "枝江", "宜昌高新区")


@pytest.mark.parametrize("pinned", [False, True], ids=["plain", "pinned"])
def test_a_real_citys_map_fits_the_screen(browser, tmp_path_factory, pinned):
    import zlib

    import polars as pl

    from data import geo
    from data.store import Store
    from tests.demo_stores import demo_frames
    from tests.screen_cities import City

    store = Store(tmp_path_factory.mktemp("store_yichang"))
    for frame in demo_frames():
        units = [YICHANG[zlib.crc32(p.encode()) % len(YICHANG)] for p in frame.get_column("project_id").to_list()]
        store.write(frame.with_columns(pl.Series("county", units, pl.String)), source="yichang.xlsx")
    geo.set_city(store, "宜昌市")
    city = City("yichang", "宜昌市", YICHANG)
    ctx = browser.new_context(viewport={"width": SIZES[0][0], "height": SIZES[0][1]}, locale="zh-CN")
    with streamlit_server(store.root, tmp_path_factory.mktemp("log_yichang"), KPM_CITY="宜昌市") as srv:
        _fits(ctx.new_page(), srv["url"], city, View("pages/geomap.py", pinned))
        text = log_text(srv)
    ctx.close()
    assert "Traceback" not in text, text[-3000:]
