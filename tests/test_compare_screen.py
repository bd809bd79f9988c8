"""The county comparison (县区对比), the ranking page's additions, and screen mode (大屏) — through AppTest on the
demo city (KPM_STORE points at an empty directory), and the playlist arithmetic as pure functions.

Every figure a page shows is checked against the metrics CLI's JSON for the same store and month.
"""
from __future__ import annotations

import contextlib
import io
import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from data.store import DEMO_DIR, Store
from metrics.__main__ import main as cli_main
from metrics.format import format_value
from tests.helpers import metrics_json
from ui.screen import (DEFAULT_INTERVAL, MAX_INTERVAL, MIN_INTERVAL, Playlist, apply_command, parse_playlist,
                       resolve_page)

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
PAGES = [("pages/overview.py", "pages_overview", "", True), ("pages/progress.py", "pages_progress", "", False),
         ("pages/compare.py", "pages_compare", "", False), ("pages/duel.py", "pages_duel", "", False)]

needs_demo = pytest.mark.skipif(not Store(DEMO_DIR).months(), reason="the demo store (python -m data demo) is empty")


# ------------------------------------------------------------------ playlist: pure functions


def test_pages_resolve_by_chinese_title_english_title_and_url_path():
    assert resolve_page("总览", PAGES) == "pages/overview.py"
    assert resolve_page("项目推进", PAGES) == "pages/progress.py"
    assert resolve_page("县区比拼", PAGES) == "pages/compare.py"
    assert resolve_page("县区对比", PAGES) == "pages/duel.py"
    assert resolve_page("overview", PAGES) == "pages/overview.py"
    assert resolve_page("/compare", PAGES) == "pages/compare.py"
    assert resolve_page("County ranking", PAGES) == "pages/compare.py"
    assert resolve_page("duel.py", PAGES) == "pages/duel.py"
    assert resolve_page("不存在", PAGES) is None and resolve_page(" ", PAGES) is None


def test_parse_playlist_reads_pages_counties_interval_and_reports_unknown_names():
    p = parse_playlist({"playlist": "总览，progress、县区比拼,乱写", "counties": "东城区,石门县,火星县", "interval": "12"},
                       PAGES, ["东城区", "石门县", "高新区"])
    assert p.pages == ("pages/overview.py", "pages/progress.py", "pages/compare.py")
    assert p.counties == ("东城区", "石门县")
    assert p.unknown == ("乱写", "火星县")
    assert p.interval == 12 and not p.paused and p.step == 0
    assert p.length == 6 and p.rotating


def test_interval_is_clamped_and_defaults():
    assert parse_playlist({"interval": "1"}, PAGES).interval == MIN_INTERVAL
    assert parse_playlist({"interval": "999999"}, PAGES).interval == MAX_INTERVAL
    assert parse_playlist({"interval": "abc"}, PAGES).interval == DEFAULT_INTERVAL
    assert parse_playlist({}, PAGES).interval == DEFAULT_INTERVAL


def test_steps_walk_counties_within_each_page_then_the_next_page():
    p = parse_playlist({"playlist": "总览,县区比拼", "counties": "东城区,石门县"}, PAGES)
    seen = [p.at(s) for s in range(p.length)]
    assert seen == [("pages/overview.py", "东城区"), ("pages/overview.py", "石门县"),
                    ("pages/compare.py", "东城区"), ("pages/compare.py", "石门县")]
    # the next step of the last one wraps round to the first
    last = Playlist(p.pages, p.counties, step=3)
    assert last.advanced().step == 0 and last.advanced().at() == seen[0]
    assert Playlist(p.pages, p.counties, step=0).advanced(-1).step == 3


def test_pages_only_counties_only_and_nothing():
    pages = parse_playlist({"playlist": "总览,项目推进,县区比拼"}, PAGES)
    assert [pages.at(s) for s in range(3)] == [("pages/overview.py", None), ("pages/progress.py", None),
                                               ("pages/compare.py", None)]
    counties = parse_playlist({"counties": "甲县,乙县"}, PAGES)
    assert counties.at(0) == (None, "甲县") and counties.at(1) == (None, "乙县")  # stays on the page shown
    still = parse_playlist({}, PAGES)
    assert still.length == 1 and not still.rotating and still.advanced().step == 0


def test_pin_holds_one_county_and_stops_the_county_rotation():
    p = parse_playlist({"playlist": "总览,县区比拼", "counties": "东城区,石门县", "pin": "高新区"}, PAGES,
                       ["东城区", "石门县", "高新区"])
    assert p.length == 2 and [p.at(s) for s in range(2)] == [("pages/overview.py", "高新区"),
                                                              ("pages/compare.py", "高新区")]
    unknown = parse_playlist({"pin": "火星县"}, PAGES, ["东城区"])
    assert unknown.pin is None and unknown.unknown == ("火星县",)


def test_url_step_next_prev_and_paused():
    base = {"playlist": "总览,项目推进,县区比拼"}
    assert parse_playlist({**base, "step": "2"}, PAGES).at() == ("pages/compare.py", None)
    assert parse_playlist({**base, "step": "7"}, PAGES).step == 1  # taken modulo the length
    assert parse_playlist({**base, "step": "-3"}, PAGES).step == 0
    assert parse_playlist({**base, "step": "2", "next": "1"}, PAGES).step == 0
    assert parse_playlist({**base, "step": "0", "prev": "1"}, PAGES).step == 2
    paused = parse_playlist({**base, "paused": "1"}, PAGES)
    assert paused.paused and not paused.rotating
    assert paused.params()["paused"] == "1" and "step" in paused.params()


def test_key_commands():
    p = parse_playlist({"playlist": "总览,县区比拼"}, PAGES)
    assert apply_command(p, "next").step == 1
    assert apply_command(p, "prev").step == 1
    assert apply_command(p, "pause").paused and not apply_command(apply_command(p, "pause"), "pause").paused
    assert apply_command(p, None) == p and apply_command(p, "exit") == p


def test_params_round_trip_through_the_url():
    p = parse_playlist({"playlist": "总览,县区比拼", "counties": "东城区,石门县", "interval": "45", "step": "3",
                        "paused": "1", "pin": ""}, PAGES)
    again = parse_playlist(p.params(), PAGES)
    assert again == p
    assert p.params() == {"mode": "screen", "playlist": "总览,县区比拼", "counties": "东城区,石门县",
                          "interval": "45", "paused": "1", "step": "3"}


# ------------------------------------------------------------------ AppTest on the demo city


@pytest.fixture(scope="module")
def demo_env(tmp_path_factory):
    """An empty store, so the app shows the demo city; the CLI reads the demo store directly."""
    mp = pytest.MonkeyPatch()
    mp.setenv("KPM_STORE", str(tmp_path_factory.mktemp("empty_store")))
    mp.delenv("KPM_SCORECARD", raising=False)
    yield Store(DEMO_DIR).months()
    mp.undo()


def cli(*args: str) -> dict:
    return metrics_json(*args, "--data", str(DEMO_DIR))


def app(page: str | None = None, **params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for k, v in params.items():
        at.query_params[k] = v
    if page:
        at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def html_of(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown]


def block(at: AppTest, cls: str) -> str:
    """The markdown element that is a <div class="cls…"> (not the style sheet naming the class)."""
    return next(h for h in html_of(at) if h.startswith(f'<div class="{cls}'))


def header_page(at: AppTest) -> str:
    return re.search(r'class="kpm-page">([^<]+)<', block(at, "kpm-head")).group(1)


def qp(at: AppTest, key: str) -> list[str]:
    """A query parameter's values as a list (AppTest hands back a str or a list)."""
    v = at.query_params.get(key)
    return [] if v is None else [v] if isinstance(v, str) else list(v)


@needs_demo
def test_duel_defaults_to_the_red_flag_and_the_snail_with_aligned_tiles(demo_env):
    month = demo_env[-1]
    at = app("pages/duel.py")
    rank = cli("ranking", "--month", month)["rows"]
    red = [r["county"] for r in rank if r["flag"] == "红旗"][0]
    snail = [r["county"] for r in rank if r["flag"] == "蜗牛"][-1]
    pick = at.multiselect(key="duel_counties")
    assert pick.value == [red, snail]
    assert qp(at, "vs") == [red, snail]  # the choice stays in the URL


@needs_demo
def test_duel_tiles_show_each_countys_cli_figures_in_the_same_order(demo_env):
    month = demo_env[-1]
    at = app("pages/duel.py")
    by = {r["county"]: r["indicators"] for r in cli("indicators", "--month", month, "--by", "county")["rows"]}
    picked = at.multiselect(key="duel_counties").value
    tiles = [h for h in html_of(at) if h.startswith('<div class="kpi"')]
    tile_ids = _duel_tiles()
    assert len(tiles) == len(tile_ids) * len(picked)
    for row, iid in enumerate(tile_ids):  # one row per indicator, one column per county, in the picked order
        for col, county in enumerate(picked):
            tile = tiles[row * len(picked) + col]
            value = re.search(r'<div class="val">([^<]*)</div>', tile).group(1)
            assert value == format_value(iid, by[county][iid]), (iid, county)
            assert "统计项目" in tile  # n beside every figure
    table = at.dataframe[0].value
    assert list(table.columns) == ["指标"] + [c for county in picked for c in (county, f"{county} n")]
    subheads = [s.value for s in at.subheader]
    assert subheads == ["关键指标（每行同一指标）", "逐月走势（纵轴相同）", "评分表各项得分（0–100，县区间相对）", "指标对比"]


@needs_demo
def test_duel_takes_up_to_four_counties_from_the_url(demo_env):
    counties = sorted({r["county"] for r in cli("ranking", "--month", demo_env[-1])["rows"]})
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["vs"] = ",".join(counties[:3])  # typed by hand; the page writes repeated keys back
    at.switch_page("pages/duel.py")
    at.run()
    assert not at.exception
    assert at.multiselect(key="duel_counties").value == counties[:3]
    assert len([h for h in html_of(at) if h.startswith('<div class="kpi"')]) == 3 * len(_duel_tiles())
    at.multiselect(key="duel_counties").set_value(counties[:1]).run()
    assert any("请至少选择2个县区" in i.value for i in at.info)


def _duel_tiles() -> list[str]:
    import ast

    tree = ast.parse((ROOT / "pages" / "duel.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == "TILES":
            return ast.literal_eval(node.value)
    raise AssertionError("pages/duel.py has no TILES")


@needs_demo
def test_ranking_page_arrows_badges_warnings_gap_and_bulletin_buttons(demo_env):
    month = demo_env[-1]
    at = app("pages/compare.py")
    rank = cli("ranking", "--month", month)["rows"]
    table = at.dataframe[0].value
    assert table["县区"].to_list() == [r["county"] for r in rank]
    for got, want in zip(table["名次变化"].to_list(), rank):
        rc = want["rank_change"]
        assert got == ("—" if rc is None else f"↑{rc}" if rc > 0 else f"↓{-rc}" if rc < 0 else "→0")
    flags = table["标识"].to_list()
    assert "红旗" in flags[0] and "蜗牛" in flags[-1]
    warned = [r for r in rank if r["warning"]]
    errors = [e.value for e in at.error]
    assert len(errors) == len(warned)
    for e, r in zip(errors, warned):
        assert r["county"] in e and r["explanation"] in e
    # December: nothing is left to spread over the months, so the per-month columns are left out and said why.
    assert month.endswith("-12")
    gap = at.dataframe[1].value
    assert "距年度计划差额(万元)" in gap.columns and "此后每月需完成(万元)" not in gap.columns
    assert any("12月为年末" in c.value for c in at.caption)
    labels = [b.proto.label for b in at.get("download_button")]
    assert "下载月通报（Word）" in labels and "下载通报表格（Excel）" in labels


@needs_demo
def test_gap_table_mid_year_shows_the_monthly_investment_needed(demo_env):
    from metrics.engine import Dataset, Filters
    from metrics.watchlists import gap_to_target

    month = next(m for m in reversed(demo_env) if m.endswith("-06"))
    at = app("pages/compare.py", month=month)
    gap = at.dataframe[1].value
    want = gap_to_target(Dataset.from_store(Store(DEMO_DIR)), month, Filters())
    assert gap["县区"].to_list() == want.get_column("county").to_list()
    assert gap["此后每月需完成(万元)"].to_list() == pytest.approx(want.get_column("monthly_needed").to_list(), abs=0.01)
    assert gap["剩余月数"].to_list() == [6] * want.height
    assert any("剩余月数" in c.value for c in at.caption)


# ------------------------------------------------------------------ screen mode through AppTest


@needs_demo
def test_screen_mode_hides_the_chrome_and_renders_no_sidebar(demo_env):
    at = app(mode="screen")
    css = next(h for h in html_of(at) if h.startswith("<style>") and "stSidebarCollapsedControl" in h)
    for testid in ("stHeader", "stToolbar", "stSidebar", "stSidebarCollapsedControl", "stDecoration"):
        assert f'data-testid="{testid}"' in css
    assert "display:none !important" in css
    assert not at.sidebar.children, "no sidebar widget is rendered in screen mode"
    assert not at.selectbox and not at.multiselect
    assert header_page(at) == "总览"
    head = block(at, "kpm-head")
    assert "示范市" in head and "数据截至" in head and "2025年12月" in head
    assert len([h for h in html_of(at) if h.startswith('<div class="kpi"')]) == 8
    assert at.get("bidi_component"), "the live clock / key listener component is mounted"


@needs_demo
def test_screen_pin_narrows_the_tiles_to_the_county(demo_env):
    month = demo_env[-1]
    at = app(mode="screen", pin="石门县")
    want = cli("indicators", "--month", month, "--county", "石门县")["indicators"]
    tiles = [h for h in html_of(at) if h.startswith('<div class="kpi"')]
    first = re.search(r'<div class="val">([^<]*)</div>', tiles[0]).group(1)
    assert first == format_value("investment_completion_rate", want["investment_completion_rate"])
    assert "石门县" in block(at, "kpm-head")
    assert qp(at, "pin") == ["石门县"]


@needs_demo
def test_screen_ranking_board_lists_every_county_in_rank_order(demo_env):
    at = app("pages/compare.py", mode="screen")
    board = block(at, "kpm-h2")
    rank = cli("ranking", "--month", demo_env[-1])["rows"]
    counties = re.findall(r"<td><b>([^<]+)</b></td>", board)
    assert counties == [r["county"] for r in rank]
    warned = next(h for h in html_of(at) if h.startswith('<div class="kpm-h2">') and "kpm-scroll" in h)
    for r in rank:
        if r["warning"]:
            assert r["explanation"] in warned


@needs_demo
def test_screen_url_next_and_step_move_the_playlist(demo_env):
    at = app(mode="screen", playlist="总览,县区比拼", step="0", next="1")
    assert header_page(at) == "县区比拼"
    assert qp(at, "step") == ["1"] and not qp(at, "next")
    at.query_params["next"] = "1"
    at.run()
    assert header_page(at) == "总览" and qp(at, "step") == ["0"]  # wrapped round
    at2 = app(mode="screen", playlist="overview,compare", step="1")
    assert header_page(at2) == "县区比拼"


@needs_demo
def test_screen_county_rotation_and_pause_are_shown(demo_env):
    at = app(mode="screen", playlist="总览", counties="东城区,石门县", step="1", interval="10")
    head = block(at, "kpm-head")
    assert "石门县" in head
    status = block(at, "kpm-status")
    assert "轮播 2/2" in status and "每10秒" in status and "下一页：总览（东城区）" in status
    paused = app(mode="screen", playlist="总览,县区比拼", paused="1")
    assert "已暂停" in block(paused, "kpm-status")
    assert qp(paused, "paused") == ["1"]


@needs_demo
def test_sidebar_switch_turns_screen_mode_on(demo_env):
    at = app()
    toggle = at.toggle(key="screen_toggle")
    assert toggle.label == "大屏模式"
    toggle.set_value(True).run()
    assert qp(at, "mode") == ["screen"]
    assert header_page(at) == "总览"
