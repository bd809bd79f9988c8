"""Tables as a reader meets them in Chromium, on the demo city (an empty store): 县区对比's 指标对比 shows every row
without scrolling, and 项目台账's grid is as tall as the window leaves it (not a fixed 16 rows)."""
from __future__ import annotations

import pytest

from tests.helpers import streamlit_server
from tests.test_app_browser import wait_done

# 县区对比's 指标对比 for the default pair: pages/duel.py's tiles, then the scorecard's items not among them (none).
DUEL_ROWS = ["投资完成率", "进度偏差", "新开工项目开工率", "续建项目复工率", "本年完成投资", "当月完成投资", "民间投资占比",
             "产业投资占比", "前期手续办结率", "签约项目开工率", "滞后项目数", "停工项目数"]

GRID = """(which) => {
  const g = [...document.querySelectorAll('[data-testid="stDataFrame"]')].at(which);
  const sc = g.querySelector('.dvn-scroller'), frame = g.querySelector('.stDataFrameGlideDataEditor').parentElement;
  const buttons = [...document.querySelectorAll('[data-testid="stDownloadButton"]')].map(b => b.getBoundingClientRect());
  return {scroll: sc.scrollHeight, client: sc.clientHeight, frame: frame.getBoundingClientRect().height,
          top: frame.getBoundingClientRect().top, bottom: frame.getBoundingClientRect().bottom,
          buttons: Math.max(...buttons.map(r => r.bottom)), buttonsTop: Math.min(...buttons.map(r => r.top)),
          rows: [...g.querySelectorAll('tbody tr')].map(r => r.firstChild.textContent)};
}"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with streamlit_server(tmp_path_factory.mktemp("empty_store"), tmp_path_factory.mktemp("log")) as srv:
        yield srv


def _open(browser, server, path: str, width: int, height: int):
    ctx = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    pg = ctx.new_page()
    pg.set_default_timeout(60_000)
    pg.goto(f"{server['url']}/{path}")
    wait_done(pg)
    pg.wait_for_selector('[data-testid="stDataFrame"] .dvn-scroller')
    pg.wait_for_timeout(800)
    return ctx, pg


def test_the_duel_table_shows_its_last_row(browser, server):
    ctx, pg = _open(browser, server, "duel", 1920, 1080)
    try:
        g = pg.evaluate(GRID, -1)
        assert g["scroll"] <= g["client"] + 1, f"指标对比 scrolls inside: {g['scroll']} px of rows in {g['client']} px"
        assert g["rows"] == DUEL_ROWS
    finally:
        ctx.close()


@pytest.mark.parametrize("width, height", [(1920, 1600), (1920, 1080), (1024, 768)])
def test_the_ledger_grid_is_as_tall_as_the_window_leaves_it(browser, server, width, height):
    ctx, pg = _open(browser, server, "ledger", width, height)
    try:
        g = pg.evaluate(GRID, 0)
        if height > 1200:  # a tall window: far more than the 16 rows (600 px) the grid used to stop at
            assert g["frame"] > height - 600, g
        assert g["frame"] >= 320 - 1, g  # a short one still shows eight rows
        assert 0 <= g["buttonsTop"] - g["bottom"] <= 24, f"the download buttons are not right under the grid: {g}"
        if height >= 1080:  # the grid and its download buttons end on the first screen, nothing empty under them
            assert height - 120 <= g["buttons"] <= height, g
    finally:
        ctx.close()
