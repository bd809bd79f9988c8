"""The ten watch lists on a hand-written June 2024 snapshot where every list has members, each stated as a literal.

Time schedule in June is 6/12 = 50 %, the month ends on 2024-06-30. Each project is built to sit on the lists
named beside it (and on no other), including the edges of each rule: 40 % completion (exactly 10 points below
schedule, not lagging) vs 39 %; planned start on the day before the month end, on the month end, the day after;
started on the month end vs an actual start after it (not started yet); present three months earlier vs only two.
"""
from __future__ import annotations

import pytest

from metrics.dataset import Dataset
from metrics.filters import Filters
from metrics.watchlists import WATCH_LISTS, list_counts, watch_list
from tests.factories import D, snapshot, store_of

MONTH = "2024-06"
# On no list by itself: a continuing project under way since 2023, at 50 % of its plan, county-level.
QUIET = dict(build_type="续建", status="在建", plan_investment_year=100.0, completed_investment_ytd=50.0,
             actual_start=D(2023, 1, 1))
FULL = {p: D(2024, 1, 10) for p in ("proc_approval", "proc_land", "proc_planning", "proc_eia", "proc_energy",
                                     "proc_construction_permit")}
# A new start that has not started: its whole plan is still to do (0 of 100 → lagging too).
NEW_IDLE = dict(build_type="新开工", status="未开工", plan_investment_year=100.0, completed_investment_ytd=0.0,
                actual_start=None, **FULL)
PIPE = dict(build_type="前期", status="未开工", plan_investment_year=0.0, completed_investment_ytd=0.0, actual_start=None)


def p(pid: str, base: dict, county: str = "甲县", **kw) -> dict:
    return {**base, "project_id": pid, "county": county, **kw}


JUNE = [
    p("Q0", QUIET),                                                       # none
    p("LAG1", QUIET, completed_investment_ytd=39.0),                      # lagging (39 % < 40 %)
    p("LAG_EDGE", QUIET, completed_investment_ytd=40.0),                  # none (exactly 10 points below)
    p("DONE", QUIET, status="竣工", completed_investment_ytd=0.0),        # none (completed projects do not lag)
    p("PLAN0", QUIET, plan_investment_year=0.0, completed_investment_ytd=0.0),  # none (no plan this year)
    p("ZOMBIE", QUIET, completed_investment_total=300.0),                 # zombie (300 in March, 300 now)
    p("ZUP", QUIET, completed_investment_total=301.0),                    # none (300 → 301)
    p("ZDONE", QUIET, status="竣工", completed_investment_total=300.0),   # none (竣工 is not a zombie)
    p("ZAPR", QUIET, completed_investment_total=300.0),                   # none (in April, not in March)
    p("STOP_C", QUIET, status="停工"),                                    # stopped, not_resumed
    p("STOP_N", QUIET, build_type="新开工", status="停工", actual_start=D(2024, 4, 1), **FULL),  # stopped
    p("OVER1", NEW_IDLE, planned_start=D(2024, 6, 29)),                   # overdue_start (1 day), lagging
    p("OVER_END", NEW_IDLE, planned_start=D(2024, 6, 30)),                # lagging (due on the month end: not past)
    p("OVER_NEXT", NEW_IDLE, planned_start=D(2024, 7, 1)),                # lagging
    p("OVER_NULL", NEW_IDLE),                                             # lagging (no planned start)
    p("OVER_OLD", NEW_IDLE, "乙县", planned_start=D(2024, 1, 15), total_investment=5_000.0),  # overdue 167, lagging
    p("OVER_FUT", NEW_IDLE, "乙县", planned_start=D(2024, 6, 1), actual_start=D(2024, 7, 5),
      total_investment=8_000.0),                                          # overdue_start (29 days), lagging
    p("START_END", QUIET, build_type="新开工", planned_start=D(2024, 3, 1), actual_start=D(2024, 6, 30), **FULL),
    p("PROC1", PIPE, **{**FULL, "proc_eia": None}),                       # procedures_outstanding (环评)
    p("PROC_FULL", PIPE, **FULL),                                         # none
    p("PROC_NEW", QUIET, build_type="新开工", actual_start=D(2024, 5, 10),
      **{**FULL, "proc_land": None, "proc_construction_permit": None}),   # procedures_outstanding (用地、施工许可)
    p("RES_NONE", PIPE, build_type="储备"),                               # none (储备 is not asked for procedures)
    p("SIGN_NEW", NEW_IDLE, "乙县", is_signed_attraction=True),           # signed_not_started, lagging
    p("SIGN_RES", PIPE, "乙县", build_type="储备", is_signed_attraction=True),  # signed_not_started
    p("SIGN_END", QUIET, "乙县", is_signed_attraction=True, actual_start=D(2024, 6, 30)),  # none (started)
    p("SIGN_FUT", PIPE, "乙县", build_type="储备", is_signed_attraction=True, actual_start=D(2024, 7, 1)),
    p("PROB", QUIET, problems="征地拆迁未完成"),                          # problems
    p("PROB_BLANK", QUIET, problems="   "),                               # none
    p("PROB_EMPTY", QUIET, problems=""),                                  # none
    p("NIS", QUIET, "乙县", in_statistics=False),                          # not_in_statistics
    p("NIS_IDLE", NEW_IDLE, "乙县", in_statistics=False),                  # lagging (not started: nothing to count)
    p("NIS_PIPE", PIPE, "乙县", actual_start=D(2024, 2, 1), in_statistics=False, **FULL),  # none (前期)
    p("LEAD_P", QUIET, level="省级"),                                      # leader_missing
    p("LEAD_C", QUIET, "乙县", build_type="新开工", level="市级", actual_start=D(2024, 5, 1), **FULL),  # leader_missing
    p("LEAD_OK", QUIET, level="省级", leader="张伟"),                      # none
    p("LEAD_PIPE", PIPE, level="市级", **FULL),                            # none (前期)
    p("NR_IDLE", QUIET, "乙县", status="未开工", actual_start=None, plan_investment_year=0.0,
      completed_investment_ytd=0.0),                                      # not_resumed
    p("NR_PROD", QUIET, "乙县", status="投产"),                            # none
]
MARCH = [p(pid, QUIET, completed_investment_total=300.0) for pid in ("ZOMBIE", "ZUP", "ZDONE")]
APRIL = [p("ZAPR", QUIET, completed_investment_total=300.0)]

# Each list's members in the lists' order: by county (乙县 sorts before 甲县), the largest total investment first,
# then by project code.
EXPECTED = {
    "lagging": ["OVER_FUT", "OVER_OLD", "NIS_IDLE", "SIGN_NEW", "LAG1", "OVER1", "OVER_END", "OVER_NEXT",
                "OVER_NULL"],
    "zombie": ["ZOMBIE"],
    "stopped": ["STOP_C", "STOP_N"],
    "overdue_start": ["OVER_FUT", "OVER_OLD", "OVER1"],
    "procedures_outstanding": ["PROC1", "PROC_NEW"],
    "signed_not_started": ["SIGN_FUT", "SIGN_NEW", "SIGN_RES"],
    "problems": ["PROB"],
    "not_in_statistics": ["NIS"],
    "leader_missing": ["LEAD_C", "LEAD_P"],
    "not_resumed": ["NR_IDLE", "STOP_C"],
    # 三色预警 (DOMAIN.md Part 2), members checked against tests/oracle_part2.py: OVER_* are new starts due with plan
    # 100 and nothing done (lag 0.5 → 红), SIGN_NEW likewise, NIS/NIS_IDLE started ≥ 2 months and not in statistics;
    # LAG1 is 11 points behind (ts 0.50 − 0.39; 0.10 < lag ≤ 0.30 → 黄).
    "red_light": ["OVER_FUT", "OVER_OLD", "NIS", "NIS_IDLE", "SIGN_NEW", "OVER1", "OVER_END", "OVER_NEXT", "OVER_NULL"],
    "yellow_light": ["LAG1"],
}


@pytest.fixture(scope="module")
def ds() -> Dataset:
    return Dataset.from_frame(store_of(snapshot("2024-03", *MARCH), snapshot("2024-04", *APRIL),
                                       snapshot(MONTH, *JUNE)))


def test_the_fixture_covers_every_list():
    assert list(EXPECTED) == [w.id for w in WATCH_LISTS]
    assert all(EXPECTED.values())


@pytest.mark.parametrize("list_id", list(EXPECTED))
def test_each_list_holds_exactly_its_members_in_order(ds, list_id):
    assert watch_list(ds, MONTH, list_id)["project_id"].to_list() == EXPECTED[list_id]


def test_list_counts_equal_the_members(ds):
    assert list_counts(ds, MONTH) == {"lagging": 9, "zombie": 1, "stopped": 2, "overdue_start": 3,
                                      "procedures_outstanding": 2, "signed_not_started": 3, "problems": 1,
                                      "not_in_statistics": 1, "leader_missing": 2, "not_resumed": 2,
                                      "red_light": 9, "yellow_light": 1}


def test_overdue_days_are_counted_to_the_month_end(ds):
    got = dict(watch_list(ds, MONTH, "overdue_start").select("project_id", "days_overdue").iter_rows())
    # 06-29 → 06-30: 1; 01-15 → 06-30: 16 + 29 + 31 + 30 + 31 + 30 = 167; 06-01 → 06-30: 29
    assert got == {"OVER1": 1, "OVER_OLD": 167, "OVER_FUT": 29}


def test_missing_procedures_are_named(ds):
    got = dict(watch_list(ds, MONTH, "procedures_outstanding").select("project_id", "procedures_missing").iter_rows())
    assert got == {"PROC1": "环评", "PROC_NEW": "用地、施工许可"}


def test_lagging_and_zombie_columns(ds):
    lag = {r["project_id"]: r for r in watch_list(ds, MONTH, "lagging").iter_rows(named=True)}
    assert lag["LAG1"]["completion_rate"] == pytest.approx(0.39)
    assert lag["LAG1"]["deviation"] == pytest.approx(-0.11)
    assert lag["OVER1"]["completion_rate"] == 0.0 and lag["OVER1"]["time_schedule"] == 0.5
    zombie = watch_list(ds, MONTH, "zombie").row(0, named=True)
    assert (zombie["completed_investment_total"], zombie["total_3m_ago"]) == (300.0, 300.0)


def test_a_county_filter_narrows_every_list(ds):
    assert list_counts(ds, MONTH, Filters(county=("乙县",))) == {
        "lagging": 4, "zombie": 0, "stopped": 0, "overdue_start": 2, "procedures_outstanding": 0,
        "signed_not_started": 3, "problems": 0, "not_in_statistics": 1, "leader_missing": 1, "not_resumed": 1,
        "red_light": 5, "yellow_light": 0}
    assert watch_list(ds, MONTH, "signed_not_started", Filters(county=("乙县",)))["project_id"].to_list() == [
        "SIGN_FUT", "SIGN_NEW", "SIGN_RES"]
