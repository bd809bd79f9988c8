"""县区对比 on the screen (ui/screen/comparison.py): which counties it compares (pure), and through AppTest on the demo city
the board itself — the counties as columns with rank and 红旗/蜗牛/约谈预警, one row per indicator with the figures
the desk page shows — and its part in the playlist (`playlist=`, `pin=`, `counties=`, `vs=`).

The figures are literals: the demo store is committed (data/demo); the indicator values are those
tests/test_ranking_comparison.py recomputed in plain Python from the demo parquet for the desk page's tiles.
"""
from __future__ import annotations

import html
import re

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from data.store import DEMO_DIR, Store
from metrics.dataset import Dataset
from metrics.ranking import RED, SNAIL, ranking
from tests.app_store import june_without
from tests.helpers import open_page
from ui.comparison import compared


# December 2025 (高新区 = 红旗, 石门县 = 蜗牛 and under 约谈预警, as are 西城区 and 北岭县).
ROWS = ["名次", "投资完成率", "新开工项目开工率", "民间投资占比", "产业投资占比", "前期手续办结率", "签约项目开工率", "本年完成投资"]
VALUES = {"高新区": ["第1名", "108.3%", "95.2%", "40.5%", "81.8%", "92.3%", "72.5%", "75.9亿元"],
          "石门县": ["第9名", "59.8%", "57.1%", "14.8%", "30.3%", "90.2%", "36.4%", "42.4亿元"]}
N = {"高新区": [95, 42, 95, 95, 52, 40, 95], "石门县": [82, 28, 82, 82, 39, 11, 82]}  # 项目 behind each figure


# ------------------------------------------------------------------ which counties: pure

RANK = pl.DataFrame({"county": ["甲", "乙", "丙", "丁", "戊"], "flag": [RED, None, None, None, SNAIL]})
KNOWN = ["甲", "乙", "丙", "丁", "戊"]


def test_without_vs_the_red_flag_against_the_snail():
    assert compared(RANK, KNOWN) == (["甲", "戊"], False, [])


def test_vs_chooses_up_to_four_and_reports_names_that_are_no_county():
    assert compared(RANK, KNOWN, ["乙,丙、丁", "戊", "甲", "火星县"]) == (["乙", "丙", "丁", "戊"], True, ["火星县"])
    assert compared(RANK, KNOWN, ["火星县"]) == (["甲", "戊"], False, ["火星县"])  # nothing known: the default


def test_a_focus_county_comes_first_against_the_flags_or_vs():
    assert compared(RANK, KNOWN, focus=["丙"]) == (["丙", "甲", "戊"], False, [])
    assert compared(RANK, KNOWN, focus=["戊"]) == (["戊", "甲"], False, [])  # the snail against the red flag
    assert compared(RANK, KNOWN, ["乙"], focus=["丙"]) == (["丙", "乙"], True, [])
    assert compared(RANK, KNOWN, ["乙", "丙", "丁", "戊"], focus=["甲"])[0] == ["甲", "乙", "丙", "丁"]


def test_a_set_short_of_two_is_filled_from_the_top_of_the_ranking():
    assert compared(RANK, KNOWN, ["甲"]) == (["甲", "乙"], True, [])
    assert compared(RANK, KNOWN, ["丙"], focus=["丙"])[0] == ["丙", "甲"]
    unflagged = RANK.with_columns(flag=pl.lit(None, pl.String))  # e.g. no county reported: no flags
    assert compared(unflagged, KNOWN)[0] == ["甲", "乙"]


# ------------------------------------------------------------------ the board through AppTest


def app(page: str | None = "pages/duel.py", **params: str) -> AppTest:
    return open_page(page, **params)


def board(at: AppTest) -> str:
    found = [m.value for m in at.markdown if m.value.startswith('<div class="kpm-duel-wrap">')]
    assert len(found) == 1, "the screen shows one 县区对比 board"
    return found[0]


def heads(at: AppTest) -> list[tuple[str, str, list[str]]]:
    """Each county column: (name, th classes, marks)."""
    out = []
    for cls, name, marks in re.findall(r'<th class="([^"]*)"><div class="cname" title="[^"]*">([^<]+)</div>'
                                       r'<div class="marks">(.*?)</div></th>', board(at)):
        out.append((html.unescape(name), cls, [html.unescape(m) for m in re.findall(r'">([^<]+)</span>', marks)]))
    return out


def rows(at: AppTest) -> list[tuple[str, list[str], list[str]]]:
    """Each row: (indicator, the value in each column, the line under it)."""
    out = []
    for tr in re.findall(r"<tr[^>]*>(<td.*?)</tr>", board(at)):
        label = re.search(r'<div class="iname"[^>]*>([^<]+)</div>', tr).group(1)
        values = re.findall(r'<div class="v [a-z]+" style="font-size:\d+px">([^<]+)</div>', tr)
        subs = [re.sub(r"<[^>]+>", "", s) for s in re.findall(r'<div class="s">(.*?)</div>', tr)]
        out.append((html.unescape(label), [html.unescape(v) for v in values], [html.unescape(s) for s in subs]))
    return out


def header_page(at: AppTest) -> str:
    head = next(m.value for m in at.markdown if m.value.startswith('<div class="kpm-head'))
    return re.search(r'class="kpm-page">([^<]+)<', head).group(1)


def test_screen_duel_is_one_board_red_flag_against_snail_with_rank_marks_and_figures(demo_env):
    assert demo_env[-1] == "2025-12"
    at = app(mode="screen")
    assert header_page(at) == "县区对比"
    assert not at.multiselect and not at.dataframe and not at.get("arrow_vega_lite_chart"), "the desk page's parts"
    assert heads(at) == [("高新区", "red", [RED]), ("石门县", "snail", [SNAIL, "⚠ 约谈预警"])]
    got = rows(at)
    assert [r[0] for r in got] == ROWS
    for col, county in enumerate(("高新区", "石门县")):
        assert [r[1][col] for r in got] == VALUES[county]
        # the line under each indicator: the gap to target or the change, and the projects counted
        assert [int(re.search(r"(\d+)个项目$", r[2][col]).group(1)) for r in got[1:]] == N[county]
    assert got[1][2] == ["+8.3个百分点 · 95个项目", "-40.2个百分点 · 82个项目"]  # 投资完成率 vs 时序进度 100%
    assert "本月红旗与蜗牛" in board(at)


def test_screen_duel_score_and_rank_change_are_the_rankings(demo_env):
    # the scores themselves are tested in tests/test_ranking.py: here, that the board prints the ranking's
    r = {x["county"]: x for x in ranking(Dataset.from_store(Store(DEMO_DIR)), "2025-12").iter_rows(named=True)}
    sub = rows(app(mode="screen"))[0][2]
    # two decimals: 青山县 70.79 and 经开区 70.78, 3rd and 4th, would both print 70.8 with one
    assert sub == [f"{r['高新区']['score']:.2f} · →0", f"{r['石门县']['score']:.2f} · →0"] == ["90.34 · →0", "11.19 · →0"]


def test_screen_duel_takes_vs_from_the_link_four_at_most_and_says_what_it_ignored(demo_env):
    at = app(mode="screen", vs="东城区,西城区,北岭县,临河县,石门县,火星县")
    assert [h[0] for h in heads(at)] == ["东城区", "西城区", "北岭县", "临河县"]
    assert [h[2] for h in heads(at)] == [[], ["⚠ 约谈预警"], ["⚠ 约谈预警"], []]
    assert rows(at)[0][1] == ["第2名", "第7名", "第8名", "第6名"]
    b = board(at)
    assert "网址所选县区（vs=）" in b and "火星县" in b and "已忽略" in b


def test_screen_duel_puts_the_pinned_county_first_and_outlined(demo_env):
    at = app(mode="screen", pin="青山县")
    assert [(h[0], "focus" in h[1]) for h in heads(at)] == [("青山县", True), ("高新区", False), ("石门县", False)]
    assert rows(at)[0][1] == ["第3名", "第1名", "第9名"]
    assert "黄框" in board(at)
    red = app(mode="screen", pin="高新区")  # the 红旗 itself: against the 蜗牛
    assert [h[0] for h in heads(red)] == ["高新区", "石门县"]


def test_screen_duel_in_the_playlist_rotating_counties(demo_env):
    at = app(None, mode="screen", playlist="总览,县区对比", counties="东城区,南湖县", step="1", next="1")
    assert header_page(at) == "县区对比"  # step 2: the second page, the first county
    assert [h[0] for h in heads(at)] == ["东城区", "高新区", "石门县"]
    status = next(m.value for m in at.markdown if m.value.startswith('<div class="kpm-status'))
    assert "轮播 3/4" in status and "县区对比（南湖县）" in status
    at.query_params["next"] = "1"
    at.run()
    assert [h[0] for h in heads(at)] == ["南湖县", "高新区", "石门县"]
    by_name = app(None, mode="screen", playlist="county comparison", vs="临河县,北岭县")  # English title, vs kept
    assert header_page(by_name) == "县区对比" and [h[0] for h in heads(by_name)] == ["临河县", "北岭县"]


def test_screen_duel_in_english(demo_env):
    at = app(mode="screen", lang="en")
    got = rows(at)
    assert got[0][0] == "Rank" and got[0][1] == ["rank 1", "rank 9"]
    assert got[1][2][0].endswith("n 95")


@pytest.fixture(scope="module")
def june_without_beiling(tmp_path_factory) -> Store:
    """April–June 2025 of the demo city; 北岭县 reported April and May but not June (as in test_ranking_unreported.py)."""
    return june_without(tmp_path_factory.mktemp("s"))


def test_screen_duel_with_a_county_that_has_not_reported(june_without_beiling, monkeypatch):
    monkeypatch.setenv("KPM_STORE", str(june_without_beiling.root))
    at = app(mode="screen", pin="北岭县")
    (name, _, marks), *others = heads(at)
    assert name == "北岭县" and marks == ["未报送"] and len(others) == 2
    got = rows(at)
    assert got[0][1][0] == "—" and got[0][2][0] == "未报送"
    assert all(r[1][0] == "—" for r in got[1:])  # no figures of its own this month
    assert "None" not in board(at)
