"""The county comparison (县区对比), the ranking page's additions, and screen mode (大屏) — through AppTest on the
demo city (KPM_STORE points at an empty directory), and the playlist arithmetic as pure functions.

Every figure a page shows is checked against a literal: the demo store is committed (data/demo), so its rankings
and its counties' figures are known (the duel's figures and the gap were recomputed in plain Python from the demo
parquet, outside metrics/, before being written here), so a broken formatter or figure fails them.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.helpers import open_page
from ui.page import Page
from ui.screen import (DEFAULT_INTERVAL, MAX_INTERVAL, MIN_INTERVAL, Playlist, apply_command, parse_playlist,
                       resolve_page)

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
PAGES = [Page("pages/overview.py", "pages_overview", "", default=True), Page("pages/progress.py", "pages_progress", ""),
         Page("pages/compare.py", "pages_ranking", ""), Page("pages/duel.py", "pages_comparison", "")]

# The demo city's December 2025: rank order, 约谈预警 reasons (the bottom three, three months running).
RANK_ORDER = ["高新区", "东城区", "青山县", "经开区", "南湖县", "临河县", "西城区", "北岭县", "石门县"]
WARNED = {
    "西城区": "连续3个月排名后3位：产业投资占比20.6%，低于目标39.4个百分点；投资完成率88.0%，低于时序进度12.0个百分点；"
            "民间投资占比22.6%，低于目标37.4个百分点",
    "北岭县": "连续3个月排名后3位：民间投资占比5.0%，低于目标55.0个百分点；投资完成率85.3%，低于时序进度14.7个百分点；"
            "产业投资占比38.3%，低于目标21.7个百分点",
    "石门县": "连续3个月排名后3位：投资完成率59.8%，低于时序进度40.2个百分点；新开工项目开工率57.1%，低于目标42.9个百分点；"
            "产业投资占比30.3%，低于目标29.7个百分点",
}


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


def app(page: str | None = None, **params: str) -> AppTest:
    return open_page(page, **params)


def html_of(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown]


def tiles_of(at: AppTest) -> list[str]:
    """Every KPI tile's HTML, in order (kpi_row draws a row's tiles in one element, the duel one per element)."""
    return [t for h in html_of(at) if '<div class="kpi"' in h and not h.lstrip().startswith("<style")
            for t in re.split(r'(?=<div class="kpi")', h) if t.startswith('<div class="kpi"')]


def block(at: AppTest, cls: str) -> str:
    """The markdown element that is a <div class="cls…"> (not the style sheet naming the class)."""
    return next(h for h in html_of(at) if h.startswith(f'<div class="{cls}'))


def header_page(at: AppTest) -> str:
    return re.search(r'class="kpm-page">([^<]+)<', block(at, "kpm-head")).group(1)


def qp(at: AppTest, key: str) -> list[str]:
    """A query parameter's values as a list (AppTest hands back a str or a list)."""
    v = at.query_params.get(key)
    return [] if v is None else [v] if isinstance(v, str) else list(v)


def test_duel_defaults_to_the_red_flag_and_the_snail_with_aligned_tiles(demo_env):
    assert demo_env[-1] == "2025-12"
    at = app("pages/duel.py")
    pick = at.multiselect(key="duel_counties")
    assert pick.value == ["高新区", "石门县"]  # December's 红旗 and 蜗牛
    assert qp(at, "vs") == ["高新区", "石门县"]  # the choice stays in the URL


# December 2025 as the tiles print it: (高新区, 石门县) per indicator, in TILES order.
DUEL_TILES = {
    "investment_completion_rate": ("108.3%", "59.8%"), "schedule_deviation": ("+8.3个百分点", "-40.2个百分点"),
    "start_rate": ("95.2%", "57.1%"), "resume_rate": ("100.0%", "100.0%"),
    "completed_ytd_sum": ("75.9亿元", "42.4亿元"),          # 758,821.04 / 423,815.64 万元
    "monthly_investment": ("8.5亿元", "5.2亿元"),            # 85,370.57 / 51,897.80 万元: 1亿 and up in 亿元
    "private_share": ("40.5%", "14.8%"), "industrial_share": ("81.8%", "30.3%"),
    "procedures_complete_rate": ("92.3%", "90.2%"), "signed_start_rate": ("72.5%", "36.4%"),
    "lagging_projects": ("6个", "44个"), "stopped_projects": ("1个", "1个"),
}


def test_duel_tiles_show_each_countys_figures_in_the_same_order(demo_env):
    at = app("pages/duel.py")
    picked = at.multiselect(key="duel_counties").value
    tiles = tiles_of(at)
    assert _duel_tiles() == list(DUEL_TILES)
    assert len(tiles) == len(DUEL_TILES) * 2
    shown = {}
    for row, iid in enumerate(DUEL_TILES):  # one row per indicator, one column per county, in the picked order
        values = [re.search(r'<div class="val">([^<]*)</div>', tiles[row * 2 + col]).group(1) for col in range(2)]
        shown[iid] = tuple(values)
        assert all("统计项目" in tiles[row * 2 + col] for col in range(2))  # n beside every figure
    assert shown == DUEL_TILES
    table = at.dataframe[0].value
    assert list(table.columns) == ["指标"] + [c for county in picked for c in (county, f"{county} n")]
    subheads = [s.value for s in at.subheader]
    assert subheads == ["关键指标（每行同一指标）", "逐月走势（纵轴相同）", "评分表各项得分（0–100，县区间相对）", "指标对比"]


def test_duel_takes_up_to_four_counties_from_the_url(demo_env):
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["vs"] = "东城区,临河县,北岭县"  # typed by hand; the page writes repeated keys back
    at.switch_page("pages/duel.py")
    at.run()
    assert not at.exception
    assert at.multiselect(key="duel_counties").value == ["东城区", "临河县", "北岭县"]
    assert len(tiles_of(at)) == 3 * 12
    at.multiselect(key="duel_counties").set_value(["东城区"]).run()
    assert any("请至少选择2个县区" in i.value for i in at.info)


def _duel_tiles() -> list[str]:
    from pages.comparison import TILES

    return TILES


def test_ranking_page_arrows_badges_warnings_gap_and_bulletin_buttons(demo_env):
    month = demo_env[-1]
    at = app("pages/compare.py")
    table = at.dataframe[0].value
    assert table["县区"].to_list() == RANK_ORDER
    assert table["名次变化"].to_list() == ["→0"] * 9  # December's order is November's
    assert table["标识"].to_list() == ["红旗"] + [""] * 7 + ["蜗牛"]
    assert [e.value for e in at.error] == [
        "**⚠ 西城区（第7名）**：" + WARNED["西城区"], "**⚠ 北岭县（第8名）**：" + WARNED["北岭县"],
        "**⚠ 石门县（第9名，蜗牛）**：" + WARNED["石门县"]]
    # December: nothing is left to spread over the months, so the per-month columns are left out and said why.
    assert month.endswith("-12")
    gap = at.dataframe[1].value
    assert "距年度计划差额(亿元)" in gap.columns and "此后每月需完成(亿元)" not in gap.columns
    assert any("12月为年末" in c.value for c in at.caption)
    labels = [b.proto.label for b in at.get("download_button")]
    assert "下载月通报（Word）" in labels and "下载通报表格（Excel）" in labels


def test_ranking_page_arrows_when_ranks_move(demo_env):
    at = app("pages/compare.py", month="2025-01")
    table = at.dataframe[0].value
    assert table["县区"].to_list() == ["高新区", "青山县", "东城区", "经开区", "南湖县", "北岭县", "临河县", "西城区", "石门县"]
    assert table["名次变化"].to_list() == ["→0", "↑2", "↑3", "↓2", "↓2", "↑2", "↓2", "↓1", "→0"]
    first = app("pages/compare.py", month="2024-01")  # no earlier month to compare with
    assert first.dataframe[0].value["名次变化"].to_list() == ["—"] * 9


def test_gap_table_mid_year_shows_the_monthly_investment_needed(demo_env):
    at = app("pages/compare.py", month="2025-06")
    gap = at.dataframe[1].value
    # e.g. 东城区: plan 373,728.39 − done 196,011.00 = 177,717.39万元 short, ÷ 6 months = 29,619.56 a month; in
    # 亿元, the unit of the table's largest figure (each ÷ 10,000), rates ×100 under (%)
    assert gap["县区"].to_list() == ["东城区", "临河县", "北岭县", "南湖县", "石门县", "经开区", "西城区", "青山县", "高新区"]
    assert gap["距年度计划差额(亿元)"].to_list() == pytest.approx(
        [17.771739, 25.450315, 23.913729, 22.683101, 49.707992, 75.394917, 23.949070, 51.591641, 31.723726], abs=1e-6)
    assert gap["此后每月需完成(亿元)"].to_list() == pytest.approx(
        [2.961956, 4.241719, 3.985621, 3.780517, 8.284665, 12.565819, 3.991512, 8.598607, 5.287288], abs=1e-6)
    assert gap["年度计划投资(亿元)"][0] == pytest.approx(37.372839) and gap["时序进度(%)"][0] == pytest.approx(50.0)
    assert gap["剩余月数"].to_list() == [6] * 9
    assert any("剩余月数" in c.value for c in at.caption)


# ------------------------------------------------------------------ screen mode through AppTest


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
    assert len(tiles_of(at)) == 8
    assert at.get("bidi_component"), "the live clock / key listener component is mounted"


def test_screen_pin_narrows_the_tiles_to_the_county(demo_env):
    at = app(mode="screen", pin="石门县")
    tiles = tiles_of(at)
    first = re.search(r'<div class="val">([^<]*)</div>', tiles[0]).group(1)
    assert first == "59.8%"  # 石门县's completion rate (the city's is another figure)
    assert "石门县" in block(at, "kpm-head")
    assert qp(at, "pin") == ["石门县"]


def test_screen_ranking_board_lists_every_county_in_rank_order(demo_env):
    at = app("pages/compare.py", mode="screen")
    board = block(at, "kpm-h2")
    counties = re.findall(r"<td><b>([^<]+)</b></td>", board)
    assert counties == RANK_ORDER
    warned = next(h for h in html_of(at) if h.startswith('<div class="kpm-h2">') and "kpm-scroll" in h)
    for explanation in WARNED.values():
        assert explanation in warned


def test_screen_url_next_and_step_move_the_playlist(demo_env):
    at = app(mode="screen", playlist="总览,县区比拼", step="0", next="1")
    assert header_page(at) == "县区比拼"
    assert qp(at, "step") == ["1"] and not qp(at, "next")
    at.query_params["next"] = "1"
    at.run()
    assert header_page(at) == "总览" and qp(at, "step") == ["0"]  # wrapped round
    at2 = app(mode="screen", playlist="overview,compare", step="1")
    assert header_page(at2) == "县区比拼"


def test_screen_county_rotation_and_pause_are_shown(demo_env):
    at = app(mode="screen", playlist="总览", counties="东城区,石门县", step="1", interval="10")
    head = block(at, "kpm-head")
    assert "石门县" in head
    status = block(at, "kpm-status")
    assert "轮播 2/2" in status and "每10秒" in status and "下一页：总览（东城区）" in status
    paused = app(mode="screen", playlist="总览,县区比拼", paused="1")
    assert "已暂停" in block(paused, "kpm-status")
    assert qp(paused, "paused") == ["1"]


def test_sidebar_switch_turns_screen_mode_on(demo_env):
    at = app()
    toggle = at.toggle(key="screen_toggle")
    assert toggle.label == "大屏模式"
    toggle.set_value(True).run()
    assert qp(at, "mode") == ["screen"]
    assert header_page(at) == "总览"


# ------------------------------------------------------------------ the board's panels name the right counties

RED_FLAG, SNAIL_FLAG = "高新区", "石门县"  # December 2025 of the demo city: first and last of RANK_ORDER


def board_rows(at: AppTest) -> list[tuple[str, list[str]]]:
    """Every row of the ranking board: (county, the marks on it)."""
    board = next(h for h in html_of(at) if h.startswith('<div class="kpm-h2">') and "kpm-board" in h)
    return [(name, re.findall(r'<span class="kpm-badge[^"]*">([^<]+)</span>', tds))
            for name, tds in re.findall(r"<td><b>([^<]+)</b></td>(.*?)</tr>", board)]


def panel(at: AppTest) -> tuple[list[tuple[str, str, str]], list[str], int | None]:
    """The 约谈预警 panel: its cards (warn for a head starting ⚠, else its class; county; what the head says of it),
    the counties its closing line names and the number that line gives (None without such a line)."""
    html = next(h for h in html_of(at) if h.startswith('<div class="kpm-h2">') and "kpm-scroll" in h)
    cards = []
    for cls, head in re.findall(r'<div class="kpm-card ([^"]*)"><h4>([^<]*)</h4>', html):
        m = re.fullmatch(r"(⚠ )?(.+?)（(.+)）", head)
        cards.append(("warn" if m.group(1) else cls, m.group(2), m.group(3)))
    more = re.search(r'<div class="kpm-card more"><p>另有(\d+)个(?:约谈预警)?县区（[^）]*）：([^<]*)</p>', html)
    return cards, (more.group(2).split("、") if more else []), (int(more.group(1)) if more else None)


def check_panels(at: AppTest, pinned: str | None = None) -> list[str]:
    """Each county the board and the panel name is where the ranking (written by hand above) puts it; returns the
    counties the closing line names."""
    rows = board_rows(at)
    assert [c for c, _ in rows] == RANK_ORDER
    for county, marks in rows:
        assert ("红旗" in marks) == (county == RED_FLAG), (county, marks)
        assert ("蜗牛" in marks) == (county == SNAIL_FLAG), (county, marks)
        assert any("约谈预警" in m for m in marks) == (county in WARNED), (county, marks)
    cards, named, n = panel(at)
    warned_cards = [c for cls, c, _ in cards if cls == "warn"]
    assert all(c in WARNED for c in warned_cards), warned_cards
    for cls, county, said in cards:
        rank = f"第{RANK_ORDER.index(county) + 1}名"
        if cls == "warn":  # ⚠ 西城区（第7名）, ⚠ 石门县（第9名，蜗牛）
            assert said == rank + ("，蜗牛" if county == SNAIL_FLAG else ""), (county, said)
        elif cls == "red":  # the 红旗's card: never among the warned, never in the closing line
            assert county == RED_FLAG and said == "红旗" and county not in named
        else:  # the pinned county's own card
            assert cls == "focus" and county == pinned and county not in WARNED and said == rank
    assert n is None or n == len(named)
    assert all(c in WARNED for c in named), f"the closing line names a county that is not warned: {named}"
    # every warned county once: on a card or in the closing line
    assert sorted(warned_cards + named) == sorted(WARNED)
    return named


def test_screen_board_panels_name_each_county_where_the_ranking_puts_it(demo_env):
    """Unpinned, the three warned counties fill the panel: no closing line, and the 红旗's card only where it
    fits (it was counted into a line saying 另有1个县区：高新区)."""
    at = app("pages/compare.py", mode="screen")
    assert check_panels(at) == []


def test_screen_board_pinned_county_first_and_the_closing_line_counts_only_the_warned(demo_env):
    at = app("pages/compare.py", mode="screen", pin="东城区")  # 2nd, not warned: its card first
    named = check_panels(at, pinned="东城区")
    cards, _, _ = panel(at)
    assert cards[0][:2] == ("focus", "东城区")
    assert named, "four cards do not fit the 4:3 panel: the last warned county is named in the closing line"
    # pinned to a warned county: it leads the warned cards, and nothing is said twice
    at = app("pages/compare.py", mode="screen", pin="北岭县")
    check_panels(at)
    assert panel(at)[0][0][:2] == ("warn", "北岭县")
    # pinned to the 红旗: its own card, not a second 红旗 card
    at = app("pages/compare.py", mode="screen", pin=RED_FLAG)
    check_panels(at, pinned=RED_FLAG)
    assert [c for _, c, _ in panel(at)[0]].count(RED_FLAG) == 1


# ------------------------------------------------------------------ the ranking page's grids print like every page


def sprintf(fmt: str, v: float) -> str:
    """What the grid prints for a sprintf-style format (sprintf.js: '%,.2f' groups thousands, '%%' is a %)."""
    if fmt.startswith("%,"):
        digits = int(fmt[3])
        return f"{v:,.{digits}f}" + fmt[5:]
    return fmt % v


def grid(at: AppTest, k: int) -> dict[str, list[str]]:
    """Each column of the k-th grid as it is printed (its numbers through the column's format)."""
    import json

    config = json.loads(at.dataframe[k].proto.columns)
    frame = at.dataframe[k].value
    out = {}
    for col in frame.columns:
        fmt = config.get(col, {}).get("type_config", {}).get("format")
        out[col] = [sprintf(fmt, v) if fmt else str(v) for v in frame[col].to_list()]
    return out


def test_ranking_grids_print_rates_with_one_decimal_and_scores_apart(demo_env):
    at = app("pages/compare.py")
    rank = grid(at, 0)
    assert rank["县区"] == RANK_ORDER
    # 高新区 108.29 %, 青山县's 新开工项目开工率 100 %, 北岭县's 民间投资占比 5 % (the 108.29% / 100% / 5%)
    assert rank["投资完成率(%)"][0] == "108.3%"
    assert rank["新开工项目开工率(%)"][2] == "100.0%" and rank["民间投资占比(%)"][7] == "5.0%"
    # 青山县 70.7894 and 经开区 70.7844, 3rd and 4th, would both print 70.8: every score gets two decimals
    assert rank["综合得分"] == ["90.34", "76.93", "70.79", "70.78", "57.65", "56.86", "51.43", "46.62", "11.19"]
    gap = grid(at, 1)
    # 东城区: plan 373,728.39万元 → 37.37亿元 (the table's unit, named in its header), 103.7 % of it done
    assert gap["县区"][0] == "东城区"
    assert (gap["年度计划投资(亿元)"][0], gap["投资完成率(%)"][0], gap["时序进度(%)"][0]) == ("37.37", "103.7%", "100.0%")
    assert gap["距年度计划差额(亿元)"][:3] == ["0.00", "2.49", "6.38"]  # 24,902.43 and 63,842.87万元 short
