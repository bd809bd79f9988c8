"""The ranking on a hand-made four-county example: scaling, ties, flags, rank change, 约谈预警, explanation."""
from __future__ import annotations

import pytest

from metrics.dataset import Dataset
from metrics.filters import Filters
from metrics.ranking import Item, Scorecard, load_scorecard, ranking, score_table
from tests.factories import D, snapshot, store_of

CARD = Scorecard((Item("investment_completion_rate", 60, "higher"), Item("start_rate", 40, "higher")), 2, 2)


def month(m: str, rates: dict[str, tuple[float, bool | None]]):
    """Each county: one 续建 project with completion `rate`, one 新开工 project started or not (None: none)."""
    rows = []
    for i, (county, (rate, started)) in enumerate(rates.items()):
        rows.append(dict(project_id=f"C{i}", county=county, plan_investment_year=100, completed_investment_ytd=rate * 100))
        if started is not None:
            rows.append(dict(project_id=f"N{i}", county=county, build_type="新开工", plan_investment_year=0,
                             actual_start=D(2024, 1, 5) if started else None))
    return snapshot(m, *rows)


def test_scaling_score_rank_ties_and_flags():
    # 甲 best on both; 乙 and 丙 identical (tie); 丁 has no 新开工 project → start_rate null → 0 points.
    s = month("2024-05", {"甲县": (0.5, True), "乙县": (0.3, False), "丙县": (0.3, False), "丁县": (0.1, None)})
    r = ranking(Dataset.from_frame(s), "2024-05", card=CARD)
    got = {row["county"]: row for row in r.iter_rows(named=True)}
    # completion scaled: 甲 100, 乙/丙 50, 丁 0; start: 甲 100, 乙/丙 0, 丁 null → 0
    assert got["甲县"]["score"] == pytest.approx(100)
    assert got["乙县"]["score"] == pytest.approx(0.6 * 50)
    assert got["丁县"]["score"] == pytest.approx(0)
    assert [row["county"] for row in r.iter_rows(named=True)][0] == "甲县"
    assert (got["甲县"]["rank"], got["乙县"]["rank"], got["丙县"]["rank"], got["丁县"]["rank"]) == (1, 2, 2, 4)
    assert got["甲县"]["flag"] == "红旗" and got["丁县"]["flag"] == "蜗牛" and got["乙县"]["flag"] is None
    assert got["甲县"]["rank_change"] is None  # no April in the store
    # the indicators that cost most weighted points first (乙: start 40 lost, completion 30); May's schedule 41.7 %
    assert got["甲县"]["explanation"] == "各项评分指标均为最优"
    assert got["乙县"]["explanation"] == got["丙县"]["explanation"] == (
        "新开工项目开工率0.0%，低于目标100.0个百分点；投资完成率30.0%，低于时序进度11.7个百分点")
    assert got["丁县"]["explanation"] == "投资完成率10.0%，低于时序进度31.7个百分点；新开工项目开工率无统计对象（按0分计）"


def test_all_equal_scores_100_and_share_rank_one():
    s = month("2024-05", {"甲县": (0.4, True), "乙县": (0.4, True)})
    r = ranking(Dataset.from_frame(s), "2024-05", card=CARD)
    assert r["score"].to_list() == [100, 100] and r["rank"].to_list() == [1, 1]


def test_lower_is_better_direction():
    card = Scorecard((Item("government_share", 1, "lower"),), 3, 3)
    s = snapshot("2024-05", dict(project_id="A", county="甲县", investor_type="政府投资"),
                 dict(project_id="B", county="乙县", investor_type="民间投资"))
    r = ranking(Dataset.from_frame(s), "2024-05", card=card)
    assert r["county"].to_list() == ["乙县", "甲县"] and r["score"].to_list() == [100, 0]


def test_rank_change_and_interview_warning_over_consecutive_months():
    apr = month("2024-04", {"甲县": (0.1, False), "乙县": (0.5, True), "丙县": (0.3, True), "丁县": (0.2, False)})
    may = month("2024-05", {"甲县": (0.5, True), "乙县": (0.4, True), "丙县": (0.2, False), "丁县": (0.1, False)})
    ds = Dataset.from_frame(store_of(apr, may))
    r = {row["county"]: row for row in ranking(ds, "2024-05", card=CARD).iter_rows(named=True)}
    # April ranks: 乙1 丙2 丁3 甲4; May: 甲1 乙2 丙3 丁4
    assert r["甲县"]["rank_change"] == 3 and r["乙县"]["rank_change"] == -1 and r["丁县"]["rank_change"] == -1
    # bottom 2 in both months (CARD: 2 months, 2 places): 丁 (3rd, 4th) yes; 甲 (4th, 1st) no; 丙 (2nd, 3rd) no
    assert r["丁县"]["warning"] is True
    assert not r["甲县"]["warning"] and not r["丙县"]["warning"] and not r["乙县"]["warning"]
    assert r["丁县"]["explanation"] == ("连续2个月排名后2位：投资完成率10.0%，低于时序进度31.7个百分点；"
                                       "新开工项目开工率0.0%，低于目标100.0个百分点")
    # May scores: completion scaled 0.5→100, 0.4→75, 0.2→25, 0.1→0 (×60 %) plus start 100 or 0 (×40 %)
    assert [(row["county"], row["score"]) for row in ranking(ds, "2024-05", card=CARD).iter_rows(named=True)] == [
        ("甲县", pytest.approx(100)), ("乙县", pytest.approx(85)), ("丙县", pytest.approx(15)), ("丁县", 0)]


def test_no_warning_when_a_month_of_the_window_is_missing():
    mar = month("2024-03", {"甲县": (0.5, True), "乙县": (0.1, False), "丙县": (0.3, True)})
    may = month("2024-05", {"甲县": (0.5, True), "乙县": (0.1, False), "丙县": (0.3, True)})
    r = ranking(Dataset.from_frame(store_of(mar, may)), "2024-05", card=CARD)
    assert not any(r["warning"].to_list())
    assert r["rank_change"].to_list() == [None, None, None]


def test_ties_at_the_bottom_count_as_bottom_places():
    # 乙 and 丙 tie for last: both are the bottom (ties share the better rank from each end).
    s = [month(m, {"甲县": (0.5, True), "乙县": (0.1, False), "丙县": (0.1, False)}) for m in ("2024-04", "2024-05")]
    card = Scorecard(CARD.items, 2, 1)
    r = {row["county"]: row for row in ranking(Dataset.from_frame(store_of(*s)), "2024-05", card=card).iter_rows(
        named=True)}
    assert r["乙县"]["rank"] == r["丙县"]["rank"] == 2
    assert r["乙县"]["warning"] and r["丙县"]["warning"] and not r["甲县"]["warning"]
    assert r["乙县"]["flag"] == r["丙县"]["flag"] == "蜗牛"


def test_a_county_with_no_project_under_the_filter_is_not_ranked():
    s = month("2024-05", {"甲县": (0.5, True), "乙县": (0.3, False), "丙县": (0.1, False)})
    s = s.with_columns(chain=s["county"].replace({"甲县": "光伏", "乙县": "光伏", "丙县": "新材料"}))
    r = ranking(Dataset.from_frame(s), "2024-05", Filters(chain=("光伏",)), card=CARD)
    # 丙县 has no 光伏 project: left out, not scored 0 and made 蜗牛.
    assert r["county"].to_list() == ["甲县", "乙县"] and r["flag"].to_list() == ["红旗", "蜗牛"]


def test_county_filter_is_ignored_for_measurement_but_narrows_rows():
    s = month("2024-05", {"甲县": (0.5, True), "乙县": (0.3, False), "丙县": (0.1, False)})
    r = ranking(Dataset.from_frame(s), "2024-05", Filters(county=("丙县",)), card=CARD)
    assert r["county"].to_list() == ["丙县"] and r["rank"].to_list() == [3]


def test_default_scorecard_matches_the_domain_contract():
    card = load_scorecard()
    assert {(i.id, i.weight, i.direction) for i in card.items} == {
        ("investment_completion_rate", 30, "higher"), ("start_rate", 20, "higher"), ("private_share", 15, "higher"),
        ("industrial_share", 15, "higher"), ("procedures_complete_rate", 10, "higher"),
        ("signed_start_rate", 10, "higher")}
    assert (card.warning_months, card.warning_places) == (3, 3)


@pytest.mark.parametrize("text,msg", [
    ('[[indicator]]\nid = "nope"\nweight = 1\n', "评分表第1个指标“nope”不存在，请使用 README 指标表中的编号。"),
    ('[[indicator]]\nid = "start_rate"\nweight = -1\n', "评分表指标“start_rate”的 weight 应为正数，而不是“-1”。"),
    ('[[indicator]]\nid = "start_rate"\nweight = 1\ndirection = "up"\n',
     "评分表指标“start_rate”的 direction 应为 higher 或 lower，而不是“up”。"),
    ('[warning]\nmonths = 3\n', "评分表 {path} 没有任何 [[indicator]]。"),
    ('[[indicator\n', "评分表 {path} 格式错误："),  # then the TOML parser's own reason (its words vary by Python)
])
def test_bad_scorecards_are_refused_in_chinese(tmp_path, text, msg):
    p = tmp_path / "card.toml"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError) as e:
        load_scorecard(p)
    want = msg.format(path=p)
    assert str(e.value) == want if not want.endswith("：") else str(e.value).startswith(want) and len(str(e.value)) > len(want)


def test_score_table_null_scores_zero():
    import polars as pl

    df = pl.DataFrame({"snapshot_month": [D(2024, 1, 1)] * 3, "county": ["a", "b", "c"],
                       "investment_completion_rate": [0.2, None, 0.4], "start_rate": [1.0, 1.0, 1.0]})
    out = score_table(df, CARD)
    assert out["scaled__investment_completion_rate"].to_list() == [0, 0, 100]
    assert out["scaled__start_rate"].to_list() == [100, 100, 100]
