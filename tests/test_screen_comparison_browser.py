"""县区对比 on the screen in a real browser: what its board promises beyond fitting the room. tests/test_screen_fit.py
measures the fit (no scrolling, nothing cut, nothing overlapping, text ≥ 16 design px) of every view, the four
longest names side by side in Chinese and English among them; here, on the city with long unit names
(tests/screen_cities.py) at the same sizes: the counties in the order asked (the pinned one first, then `vs=`),
every text of the board at least 20 design px (labels, names, marks, the lines under the figures), and the figures
at their full size — 58 px for two counties, 48 px for four, none shrunk to fit.
"""
from __future__ import annotations

import urllib.parse

import pytest

from tests.helpers import log_text, streamlit_server
from tests.screen_cities import CITIES
from tests.test_screen_fit import SETTLED, SIZES, View, view_query

CITY = CITIES["long"]
LABEL_PX = 20  # the board's smallest text, in design px
VALUE_PX = {2: 58.0, 4: 48.0}  # the figures' type by the number of counties
FOUR = ["经济技术开发区管理委员会", "北岭湖生态文化旅游示范区", "高新技术产业开发区", "临港经济技术开发区"]
# (view, the counties it shows, in order): the month's 红旗 and 蜗牛 by default; the four longest names, the longest
# pinned (first, outlined) and the next three in vs=.
CASES = [(View("pages/duel.py"), ["高新技术产业开发区", "石门土家族自治县"]),
         (View("pages/duel.py", True, True), FOUR),
         (View("pages/duel.py", True, True, "en"), FOUR)]

# The board's counties, its figures' type and any text under LABEL_PX, in design px (the screen's px ÷ its scale,
# as the fit test measures them).
BOARD = r"""(minPx) => {
  const up = (el) => el.parentElement;
  const zoomOf = (el) => {
    let z = 1; for (let a = el; a; a = up(a)) z *= parseFloat(getComputedStyle(a).zoom) || 1; return z; };
  const design = (el) => parseFloat(getComputedStyle(el).fontSize) * zoomOf(el) * 1080 / innerHeight;
  const wrap = document.querySelector('.kpm-duel-wrap');
  if (!wrap) return null;
  const small = [];
  const walker = document.createTreeWalker(wrap, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (!n.data.trim() || n.parentElement.closest('style')) continue;
    const px = design(n.parentElement);
    if (px < minPx - 0.01) small.push(`${n.data.trim()} ${px.toFixed(1)} px`);
  }
  return {names: [...wrap.querySelectorAll('.cname')].map(e => e.textContent),
          values: [...wrap.querySelectorAll('.v')].map(e => Math.round(design(e) * 10) / 10), small};
}"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    store = CITY.write(tmp_path_factory.mktemp("store"))
    with streamlit_server(store, tmp_path_factory.mktemp("log"), KPM_CITY=CITY.title) as srv:
        yield srv["url"]
        text = log_text(srv)
    assert "Traceback" not in text, text[-3000:]


@pytest.fixture(scope="module")
def tab(browser, server):
    ctx = browser.new_context(viewport={"width": SIZES[0][0], "height": SIZES[0][1]}, locale="zh-CN")
    yield ctx.new_page()
    ctx.close()


@pytest.mark.parametrize(("view", "counties"), CASES, ids=["default", "four", "four-en"])
def test_the_board_shows_the_counties_asked_in_big_type_at_every_size(server, tab, view, counties):
    tab.set_viewport_size({"width": SIZES[0][0], "height": SIZES[0][1]})
    tab.goto(f"{server}/duel?{urllib.parse.urlencode(view_query(view, CITY.units))}")
    tab.wait_for_selector(".kpm-duel-wrap", timeout=60_000)
    for w, h in SIZES:
        tab.set_viewport_size({"width": w, "height": h})
        tab.wait_for_function(SETTLED, polling=400, timeout=60_000)
        m = tab.evaluate(BOARD, LABEL_PX)
        assert m["names"] == counties, f"{w}×{h}"
        assert not m["small"], f"{w}×{h}: text under {LABEL_PX} design px: {m['small'][:8]}"
        # 8 rows (the rank and 7 indicators) in every column, none shrunk below the board's size for its columns
        assert m["values"] == [VALUE_PX[len(counties)]] * (8 * len(counties)), f"{w}×{h}: {m['values']}"
