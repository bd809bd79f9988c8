"""DOMAIN.md Part 2's seven indicators through the registry and the engine: literal cases through indicators_at, then
the demo store (and its harsher variant) month by month — overall, by county and under filters — against the
independent oracle (tests/oracle_part2.py)."""
from __future__ import annotations

import datetime as dt
import json

import polars as pl
import pytest

from data.store import Store
from metrics.dataset import Dataset
from metrics.engine import as_record, compute, indicators_at
from metrics.filters import Filters
from metrics.registry import BY_ID
from metrics.watchlists import list_counts, watch_list
from tests import oracle_part2 as O
from tests.demo_stores import ROOT, demo_frames, variant_frames
from tests.factories import D, snapshot, store_of

MONTH = "snapshot_month"
V2 = ("completed_ytd_yoy", "planned_starts_to_date", "overdue_not_started", "early_starts", "red_projects",
      "yellow_projects", "long_standing_problems")
COUNTS = V2[1:]


def values(frames, month: str, filters: Filters = Filters()) -> dict:
    ds = Dataset.from_frame(store_of(*frames))
    return as_record(indicators_at(ds, month, filters, ids=V2), V2)


# ---------------------------------------------------------------- metadata
def test_the_seven_are_declared_with_units_directions_and_dimensions():
    got = {i: (BY_ID[i].unit, BY_ID[i].direction, BY_ID[i].dimension, BY_ID[i].empty) for i in V2}
    assert got == {
        "completed_ytd_yoy": ("比率", "higher", "progress", None),
        "planned_starts_to_date": ("个", "neutral", "progress", 0),
        "overdue_not_started": ("个", "lower", "progress", 0),
        "early_starts": ("个", "higher", "progress", 0),
        "red_projects": ("个", "lower", "progress", 0),
        "yellow_projects": ("个", "lower", "progress", 0),
        "long_standing_problems": ("个", "lower", "management", 0),
    }


# ---------------------------------------------------------------- 同比
def _yoy_frames():
    return [
        snapshot("2023-06",
                 dict(project_id="Y1", county="甲县", completed_investment_ytd=100),
                 dict(project_id="Y2", county="乙县", build_type="新开工", completed_investment_ytd=50),  # gone now
                 dict(project_id="Y3", county="甲县", build_type="前期", completed_investment_ytd=999),  # not counted
                 dict(project_id="Y4", county="乙县", completed_investment_ytd=30)),
        snapshot("2023-07", dict(project_id="Y1", county="丙区", completed_investment_ytd=0, plan_investment_year=0)),
        snapshot("2024-06",
                 dict(project_id="Y1", county="甲县", completed_investment_ytd=150),
                 dict(project_id="Y4", county="甲县", completed_investment_ytd=60),  # moved to 甲县
                 dict(project_id="Y5", county="甲县", build_type="新开工", completed_investment_ytd=15)),
        snapshot("2024-07", dict(project_id="Y1", county="丙区", completed_investment_ytd=170)),
        snapshot("2024-08", dict(project_id="Y1", completed_investment_ytd=190)),
    ]


def test_yoy_compares_with_the_same_month_a_year_earlier_over_its_own_snapshot():
    f = _yoy_frames()
    assert values(f, "2024-06")["completed_ytd_yoy"] == pytest.approx(225 / 180 - 1)
    # 甲县 a year ago: Y1 only (Y4 was in 乙县 then), whatever the projects' county now
    assert values(f, "2024-06", Filters(county=("甲县",)))["completed_ytd_yoy"] == pytest.approx(225 / 100 - 1)


def test_yoy_is_minus_one_when_the_selection_is_empty_now_but_not_a_year_earlier():
    # 乙县 had 80 in 2023-06 and has no project in 2024-06: 本年完成投资 is 0 now, 0 ÷ 80 − 1
    assert values(_yoy_frames(), "2024-06", Filters(county=("乙县",)))["completed_ytd_yoy"] == pytest.approx(-1.0)


def test_yoy_is_null_without_a_snapshot_or_a_sum_a_year_earlier():
    f = _yoy_frames()
    assert values(f, "2024-08")["completed_ytd_yoy"] is None  # 2023-08 not stored
    assert values(f, "2024-07")["completed_ytd_yoy"] is None  # 2023-07 stored, its sum 0
    assert values(f, "2023-06")["completed_ytd_yoy"] is None  # 2022-06 not stored
    assert values(f, "2024-06", Filters(county=("丙区",)))["completed_ytd_yoy"] is None  # nothing either year
    assert values(f, "2025-06")["completed_ytd_yoy"] is None  # the month itself not stored


def test_yoy_by_county_groups_each_snapshot_by_its_own_county():
    ds = Dataset.from_frame(store_of(*_yoy_frames()))
    by = indicators_at(ds, "2024-06", by="county", ids=["completed_ytd_yoy"])
    # Only counties with projects now are listed (乙县, −1 through a filter, is not a row of the breakdown)
    assert dict(zip(by["county"], by["completed_ytd_yoy"])) == {"甲县": pytest.approx(1.25)}
    assert by["n__completed_ytd_yoy"].to_list() == [3]


def test_yoy_under_the_tier_filter_uses_each_years_total_investment():
    then = snapshot("2023-06", dict(project_id="A", total_investment=9_000, completed_investment_ytd=40),
                    dict(project_id="B", total_investment=20_000, completed_investment_ytd=100))
    now = snapshot("2024-06", dict(project_id="A", total_investment=12_000, completed_investment_ytd=90),
                   dict(project_id="B", total_investment=20_000, completed_investment_ytd=110))
    # 1-5亿: B a year ago (100); A and B now (200)
    assert values([then, now], "2024-06", Filters(tier=("1-5亿",)))["completed_ytd_yoy"] == pytest.approx(1.0)
    assert values([then, now], "2024-06", Filters(tier=("亿元以下",)))["completed_ytd_yoy"] == pytest.approx(-1.0)


# ---------------------------------------------------------------- 序时开工 and lights
NEW = dict(build_type="新开工", plan_investment_year=0)


def test_planned_starts_overdue_and_early_in_june():
    s = snapshot("2024-06",
                 dict(project_id="A", planned_start=D(2024, 6, 30), **NEW),  # due, not started: 黄
                 dict(project_id="B", planned_start=D(2024, 4, 1), **NEW),  # due two months ago: 红
                 dict(project_id="C", planned_start=D(2024, 3, 1), actual_start=D(2024, 3, 5), **NEW),
                 dict(project_id="D", planned_start=D(2024, 7, 1), actual_start=D(2024, 6, 2), **NEW),  # early
                 dict(project_id="E", planned_start=D(2024, 6, 20), actual_start=D(2024, 6, 1), **NEW),  # on time
                 dict(project_id="F", planned_start=None, actual_start=D(2024, 1, 1), **NEW),
                 dict(project_id="G", planned_start=D(2024, 1, 1), build_type="续建", plan_investment_year=0),
                 dict(project_id="H", planned_start=D(2024, 7, 1), actual_start=D(2024, 7, 2), **NEW))  # not yet
    assert values([s], "2024-06") == {"completed_ytd_yoy": None, "planned_starts_to_date": 4,
                                      "overdue_not_started": 2, "early_starts": 1, "red_projects": 1,
                                      "yellow_projects": 1, "long_standing_problems": 0}


def test_red_and_yellow_count_each_row_once_by_its_worst_light():
    s = snapshot("2024-06",  # ts 0.5, plan 100
                 dict(project_id="A", completed_investment_ytd=10),  # lag 0.40 红
                 dict(project_id="B", completed_investment_ytd=30),  # lag 0.20 黄
                 dict(project_id="C", completed_investment_ytd=30, actual_start=D(2024, 3, 1),
                      in_statistics=False),  # 黄 investment, 红 statistics → 红
                 dict(project_id="D", completed_investment_ytd=45, actual_start=D(2024, 5, 1),
                      in_statistics=False),  # 绿 investment, 黄 statistics → 黄
                 dict(project_id="E", completed_investment_ytd=45),  # 绿
                 dict(project_id="F", completed_investment_ytd=0, status="竣工"))  # no light applies: 绿
    v = values([s], "2024-06")
    assert (v["red_projects"], v["yellow_projects"]) == (2, 2)
    assert values([s], "2024-06", Filters(county=("无此县",)))["red_projects"] == 0


def test_red_and_yellow_lists_hold_the_counted_projects_with_their_reasons():
    s = snapshot("2024-06",
                 dict(project_id="A", completed_investment_ytd=10),
                 dict(project_id="B", completed_investment_ytd=30),
                 dict(project_id="C", completed_investment_ytd=30, actual_start=D(2024, 3, 1), in_statistics=False),
                 dict(project_id="E", completed_investment_ytd=45))
    ds = Dataset.from_frame(s)
    red, yellow = watch_list(ds, "2024-06", "red_light"), watch_list(ds, "2024-06", "yellow_light")
    assert dict(zip(red["project_id"], red["light_reason"])) == {
        "A": "【红】投资进度低于时序进度40.0个百分点",
        "C": "【黄】投资进度低于时序进度20.0个百分点；【红】开工3个月未入统"}
    assert dict(zip(yellow["project_id"], yellow["light_reason"])) == {"B": "【黄】投资进度低于时序进度20.0个百分点"}
    counts = list_counts(ds, "2024-06")
    assert (counts["red_light"], counts["yellow_light"]) == (2, 1)


# ---------------------------------------------------------------- problems lasting three months
def _problem_frames():
    return [
        snapshot("2024-01", dict(project_id="P1", problems="征地"), dict(project_id="P2", problems="资金"),
                 dict(project_id="P3", problems="用地", county="乙县")),
        snapshot("2024-02", dict(project_id="P1", problems="征地"), dict(project_id="P2", problems="资金"),
                 dict(project_id="P3", problems="用地", county="乙县"), dict(project_id="P4", problems="手续")),
        # 2024-03 is missing from the store
        snapshot("2024-04", dict(project_id="P1", problems="征地"), dict(project_id="P2", problems="资金"),
                 dict(project_id="P3", problems="用地")),
        snapshot("2024-05", dict(project_id="P1", problems="征地"), dict(project_id="P2", problems=" "),
                 dict(project_id="P3", problems="用地")),
        snapshot("2024-06", dict(project_id="P1", problems="征地"), dict(project_id="P2", problems="资金"),
                 dict(project_id="P3", problems="用地", county="甲县"), dict(project_id="P4", problems="手续")),
    ]


def test_long_standing_problems_end_at_a_missing_month():
    f = _problem_frames()
    assert values(f, "2024-02")["long_standing_problems"] == 0  # P1, P2, P3 at 2
    assert values(f, "2024-04")["long_standing_problems"] == 0  # 2024-03 missing: every streak restarts at 1
    assert values(f, "2024-05")["long_standing_problems"] == 0  # P1, P3 at 2; P2 blank
    assert values(f, "2024-06")["long_standing_problems"] == 2  # P1, P3 at 3; P2 at 1; P4 at 1


def test_long_standing_problems_look_earlier_months_up_whatever_the_filters():
    f = _problem_frames()
    # P3 was in 乙县 until May and is in 甲县 now: the filter picks June's rows, the streak counts its earlier months
    assert values(f, "2024-06", Filters(county=("甲县",)))["long_standing_problems"] == 2
    assert values(f, "2024-06", Filters(county=("乙县",)))["long_standing_problems"] == 0
    ds = Dataset.from_frame(store_of(*f))
    by = indicators_at(ds, "2024-06", by="county", ids=["long_standing_problems"])
    assert dict(zip(by["county"], by["long_standing_problems"])) == {"甲县": 2}


def test_problem_list_shows_how_long_each_problem_has_lasted_longest_first():
    ds = Dataset.from_frame(store_of(*_problem_frames()))
    df = watch_list(ds, "2024-06", "problems")
    assert list(zip(df["project_id"], df["problem_months"])) == [("P1", 3), ("P3", 3), ("P2", 1), ("P4", 1)]


def test_a_replaced_earlier_month_changes_the_streaks_of_a_dataset_already_used(tmp_path):
    store = Store(tmp_path)
    frames = _problem_frames()
    for f in frames:
        store.write(f, source="t.xlsx")
    ds = Dataset.from_store(store)
    assert as_record(indicators_at(ds, "2024-06", ids=["long_standing_problems"]))["long_standing_problems"] == 2
    # April now reports P1 without a problem: P1's June streak is 2, P3's still 3
    store.write(snapshot("2024-04", dict(project_id="P1"), dict(project_id="P2", problems="资金"),
                         dict(project_id="P3", problems="用地")), source="t2.xlsx", replace=True)
    assert as_record(indicators_at(ds, "2024-06", ids=["long_standing_problems"]))["long_standing_problems"] == 1


# ---------------------------------------------------------------- the demo store against the oracle
@pytest.fixture(scope="module", params=["demo", "variant"])
def world(request):
    """(name, Dataset, oracle store, oracle index); the demo is read from its parquet files."""
    if request.param == "demo":
        frames = demo_frames()
        ds = Dataset.from_store(Store(ROOT / "data" / "demo"))
    else:
        frames = variant_frames()
        ds = Dataset.from_frame(pl.concat(frames))
    store = O.load_frames(frames)
    return request.param, ds, store, O.by_id(store)


def _same(got: dict, want: dict) -> bool:
    yoy_ok = (got["completed_ytd_yoy"] is None and want["completed_ytd_yoy"] is None) or (
        None not in (got["completed_ytd_yoy"], want["completed_ytd_yoy"])
        and got["completed_ytd_yoy"] == pytest.approx(want["completed_ytd_yoy"], rel=1e-12, abs=1e-15))
    return yoy_ok and all(got[k] == want[k] for k in COUNTS)


def _rows(df: pl.DataFrame, key: str | None = None) -> dict:
    return {(r[MONTH], r[key]) if key else r[MONTH]: {i: r[i] for i in V2} for r in df.iter_rows(named=True)}


@pytest.mark.parametrize("filters", [Filters(), Filters.of(chain=["绿色食品", "新型储能", "旧链"], tier=["1-5亿", "5-10亿"]),
                                     Filters.of(level=["省级", "市级"], county=["石门县", "旧县", "高新区"])],
                         ids=["all", "chain+tier", "level+county"])
def test_every_month_equals_the_oracle(world, filters):
    name, ds, store, index = world
    got = _rows(compute(ds, ds.months, filters, ids=V2))
    assert set(got) == set(store)
    bad = {}
    for m in sorted(store):
        want = O.indicators(store, m, filters.as_dict(), index)
        if not _same(got[m], want):
            bad[m] = (got[m], want)
    assert not bad, list(bad.items())[:2]
    yoys = [got[m]["completed_ytd_yoy"] for m in store]
    assert sum(v is not None for v in yoys) >= (9 if name == "variant" else 12)
    assert sum(got[m]["long_standing_problems"] for m in store) > 0


def test_every_month_by_county_equals_the_oracle(world):
    name, ds, store, index = world
    got = _rows(compute(ds, ds.months, by="county", ids=V2), "county")
    checked = 0
    for m in sorted(store):
        counties = {r["county"] for r in store[m]}
        assert {c for (mm, c) in got if mm == m} == counties, m
        for county in counties:
            want = O.indicators(store, m, {"county": [county]}, index)
            assert _same(got[(m, county)], want), (m, county, got[(m, county)], want)
            checked += want["completed_ytd_yoy"] is not None
    assert checked >= 9 * 11


def test_lists_hold_as_many_projects_as_the_indicators_count(world):
    name, ds, store, index = world
    m = ds.months[-1]
    counts = list_counts(ds, m)
    want = O.indicators(store, m, None, index)
    assert (counts["red_light"], counts["yellow_light"]) == (want["red_projects"], want["yellow_projects"])
    problems = watch_list(ds, m, "problems")
    rows = O.row_results(store, m, None, index)
    assert dict(zip(problems["project_id"], problems["problem_months"])) == {
        pid: r["streak"] for pid, r in rows.items() if r["streak"] is not None}
    assert problems["problem_months"].to_list() == sorted(problems["problem_months"].to_list(), reverse=True)
    red = watch_list(ds, m, "red_light")
    assert dict(zip(red["project_id"], red["light_reason"])) == {
        pid: r["reason"] for pid, r in rows.items() if r["light"] == "红"}


def test_the_demo_has_months_a_year_apart():
    # The yoy comparison above is only as good as the months it compares: 2025 against 2024, month for month.
    months = Dataset.from_store(Store(ROOT / "data" / "demo")).months
    assert sum(dt.date(m.year - 1, m.month, 1) in months for m in months) == 12


def test_the_cli_reports_the_seven_overall_and_by_county(capsys):
    from reports.cli import main

    demo = ROOT / "data" / "demo"
    store = O.load_frames(demo_frames())
    m = max(store)
    filters = {"chain": ["绿色食品", "新型储能"]}
    assert main(["indicators", "--data", str(demo), "--month", f"{m:%Y-%m}", "--chain", "绿色食品", "--chain",
                 "新型储能", "--format", "json"]) == 0
    got = json.loads(capsys.readouterr().out)["indicators"]
    assert _same(got, O.indicators(store, m, filters))
    assert main(["indicators", "--data", str(demo), "--month", f"{m:%Y-%m}", "--by", "county", "--format", "json"]) == 0
    rows = {r["county"]: r["indicators"] for r in json.loads(capsys.readouterr().out)["rows"]}
    assert set(rows) == {r["county"] for r in store[m]}
    for county, got in rows.items():
        assert _same(got, O.indicators(store, m, {"county": [county]})), county
    assert main(["indicators", "--data", str(demo), "--month", f"{m:%Y-%m}", "--format", "table"]) == 0
    text = capsys.readouterr().out
    for iid in V2:
        assert BY_ID[iid].zh in text and iid in text
