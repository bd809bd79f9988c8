"""Every DOMAIN.md indicator on small hand-computed snapshots, with its edge cases."""
from __future__ import annotations

from pathlib import Path

import pytest

from metrics.dataset import Dataset
from metrics.engine import as_record, compute, indicators_at, month_series
from metrics.filters import Filters
from metrics.registry import IDS, INDICATORS
from tests.factories import D, snapshot, store_of

ROOT = Path(__file__).resolve().parents[1]
CONTRACT = ROOT / "docs" / "DOMAIN.md"  # the domain contract, vendored


def value(frames, month, iid, filters=Filters()):
    ds = Dataset.from_frame(store_of(*frames) if isinstance(frames, (list, tuple)) else frames)
    return as_record(indicators_at(ds, month, filters))[iid]


# ---------------------------------------------------------------- registry completeness
DOMAIN_IDS = {
    "project_count", "total_investment_sum", "plan_investment_sum", "completed_ytd_sum", "investment_completion_rate",
    "time_schedule", "schedule_deviation", "start_rate", "resume_rate", "new_vs_continuing_gap", "lagging_projects",
    "stopped_projects", "zombie_projects", "funds_in_place_rate", "monthly_investment", "monthly_investment_mom",
    "new_starts_100m", "private_share", "industrial_share", "government_share", "emerging_share",
    "traditional_share", "chain_investment_share", "chain_coverage", "profit_tax_rate", "tax_per_mu",
    "production_rate", "procedures_complete_rate", "leader_coverage", "problem_projects", "approval_to_start_days",
    "stats_inclusion_rate", "pipeline_investment", "reserve_conversion_rate", "signed_projects", "signed_start_rate",
}
PART2_IDS = {"completed_ytd_yoy", "planned_starts_to_date", "overdue_not_started", "early_starts", "red_projects",
             "yellow_projects", "long_standing_problems"}
# Part 3's indicators are the 督办 ones: they are measured over the 督办 log, not over snapshots.
PART3_IDS = ["duban_assigned", "duban_closed", "duban_on_time_rate", "duban_overdue", "duban_feedback_overdue"]


def contract_ids(text: str) -> tuple[list[str], list[str], list[str]]:
    """The indicator ids of the contract's Parts 1, 2 and 3: first cells of the tables headed `| id |`."""
    parts: tuple[list[str], list[str], list[str]] = ([], [], [])
    part, in_table = 0, False
    for line in text.splitlines():
        if line.startswith("# Part 2"):
            part = 1
        if line.startswith("# Part 3"):
            part = 2
        if line.startswith("| id |"):
            in_table = True
        elif in_table and line.startswith("|"):
            cell = line.split("|")[1].strip()
            if cell.strip("-: "):
                parts[part].append(cell)
        else:
            in_table = False
    return parts


def test_the_contract_parser_reads_every_part_of_the_vendored_copy():
    part1, part2, part3 = contract_ids(CONTRACT.read_text(encoding="utf-8"))
    assert part3 == PART3_IDS
    assert len(part1) == len(set(part1)) == 36 and set(part1) == DOMAIN_IDS
    assert part2 == ["completed_ytd_yoy", "planned_starts_to_date", "overdue_not_started", "early_starts",
                     "red_projects", "yellow_projects", "long_standing_problems"]


def test_registry_holds_exactly_the_domain_ids():
    """Part 1 and Part 2 of the contract exactly, each id once."""
    part1, part2, _ = (set(p) for p in contract_ids(CONTRACT.read_text(encoding="utf-8")))
    assert (part1, part2) == (DOMAIN_IDS, PART2_IDS)  # the hand-written oracle: the parser cannot drift unnoticed
    ids = set(IDS)
    assert len(IDS) == len(ids)
    assert ids == part1 | part2, f"missing {sorted(part1 | part2 - ids)}, unknown {sorted(ids - part1 - part2)}"


def test_duban_registry_holds_exactly_part3():
    """The 督办 indicators, declared once in metrics/duban.py, are Part 3's table: its ids in order, each 名称 as written."""
    from metrics.duban import DUBAN_INDICATORS

    text = CONTRACT.read_text(encoding="utf-8")
    _, _, part3 = contract_ids(text)
    assert part3 == PART3_IDS
    assert [i.id for i in DUBAN_INDICATORS] == PART3_IDS
    names = {line.split("|")[1].strip(): line.split("|")[2].strip() for line in text.splitlines()
             if line.startswith("| duban_")}
    assert {i.id: i.zh for i in DUBAN_INDICATORS} == names
    assert not set(PART3_IDS) & set(IDS)  # measured over the 督办 log, not in the snapshot registry


def test_every_duban_indicator_is_documented_in_the_readme():
    from metrics.duban import DUBAN_INDICATORS

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for ind in DUBAN_INDICATORS:
        row = next((line for line in readme.splitlines() if line.startswith(f"| `{ind.id}` |")), None)
        assert row is not None, f"README 指标表缺少 {ind.id}"
        assert ind.zh in row and ind.caliber in row


def test_vendored_contract_is_the_contract():
    """docs/DOMAIN.md is a byte-for-byte copy of the contract, checked where the contract sits beside the checkout."""
    spec = ROOT.parent / "shared" / "spec" / "DOMAIN.md"
    if not spec.is_file():
        pytest.skip(f"the domain contract is not beside this checkout ({spec}): only the vendored docs/DOMAIN.md is "
                    "checked")
    assert CONTRACT.read_bytes() == spec.read_bytes(), f"docs/DOMAIN.md differs from {spec}: copy it again"


@pytest.mark.parametrize("ind", INDICATORS, ids=lambda i: i.id)
def test_every_indicator_is_documented_in_the_readme(ind):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    row = next((line for line in readme.splitlines() if line.startswith(f"| `{ind.id}` |")), None)
    assert row is not None, f"README 指标表缺少 {ind.id}"
    assert ind.zh in row and ind.caliber in row


@pytest.mark.parametrize("ind", INDICATORS, ids=lambda i: i.id)
def test_every_indicator_has_complete_metadata(ind):
    assert ind.zh and ind.en and ind.caliber and ind.unit and ind.direction in ("higher", "lower", "neutral")


# ---------------------------------------------------------------- progress
def test_counts_and_sums_over_the_right_sets():
    s = snapshot("2024-06",
                 dict(project_id="A", build_type="新开工", total_investment=500, plan_investment_year=100,
                      completed_investment_ytd=40),
                 dict(project_id="B", build_type="续建", total_investment=300, plan_investment_year=50,
                      completed_investment_ytd=30),
                 dict(project_id="C", build_type="前期", total_investment=200, plan_investment_year=70,
                      completed_investment_ytd=5))
    assert value(s, "2024-06", "project_count") == 3
    assert value(s, "2024-06", "total_investment_sum") == 1000
    assert value(s, "2024-06", "plan_investment_sum") == 150  # 前期 excluded
    assert value(s, "2024-06", "completed_ytd_sum") == 70
    assert value(s, "2024-06", "investment_completion_rate") == pytest.approx(70 / 150)
    assert value(s, "2024-06", "time_schedule") == pytest.approx(0.5)
    assert value(s, "2024-06", "schedule_deviation") == pytest.approx(70 / 150 - 0.5)


def test_completion_rate_null_on_zero_plan_and_deviation_null_too():
    s = snapshot("2024-03", dict(project_id="A", plan_investment_year=0, completed_investment_ytd=0))
    assert value(s, "2024-03", "investment_completion_rate") is None
    assert value(s, "2024-03", "schedule_deviation") is None
    assert value(s, "2024-03", "funds_in_place_rate") is None
    assert value(s, "2024-03", "time_schedule") == pytest.approx(0.25)


def test_start_rate_counts_started_by_month_end():
    s = snapshot("2024-06",
                 dict(project_id="A", build_type="新开工", actual_start=D(2024, 6, 30)),
                 dict(project_id="B", build_type="新开工", actual_start=None),
                 dict(project_id="C", build_type="新开工", actual_start=D(2024, 2, 1)),
                 dict(project_id="D", build_type="续建", actual_start=None))
    assert value(s, "2024-06", "start_rate") == pytest.approx(2 / 3)
    assert value(snapshot("2024-06", dict(project_id="X")), "2024-06", "start_rate") is None


def test_resume_rate():
    s = snapshot("2024-06",
                 dict(project_id="A", build_type="续建", status="在建"),
                 dict(project_id="B", build_type="续建", status="停工"),
                 dict(project_id="C", build_type="续建", status="投产"),
                 dict(project_id="D", build_type="续建", status="未开工"),
                 dict(project_id="E", build_type="新开工", status="停工"))
    assert value(s, "2024-06", "resume_rate") == pytest.approx(2 / 4)


def test_new_vs_continuing_gap_and_its_null():
    s = snapshot("2024-06",
                 dict(project_id="A", build_type="新开工", plan_investment_year=100, completed_investment_ytd=20),
                 dict(project_id="B", build_type="续建", plan_investment_year=100, completed_investment_ytd=60))
    assert value(s, "2024-06", "new_vs_continuing_gap") == pytest.approx(0.2 - 0.6)
    only_new = snapshot("2024-06", dict(project_id="A", build_type="新开工"))
    assert value(only_new, "2024-06", "new_vs_continuing_gap") is None


def test_lagging_projects_threshold_is_strict():
    # June: schedule 0.5 → lagging below 0.4
    s = snapshot("2024-06",
                 dict(project_id="A", plan_investment_year=100, completed_investment_ytd=39),  # lagging
                 dict(project_id="B", plan_investment_year=100, completed_investment_ytd=40),  # exactly 0.4: not
                 dict(project_id="C", plan_investment_year=100, completed_investment_ytd=0, status="竣工"),
                 dict(project_id="D", plan_investment_year=0, completed_investment_ytd=0),
                 dict(project_id="E", build_type="前期", plan_investment_year=100, completed_investment_ytd=0),
                 dict(project_id="F", build_type="新开工", plan_investment_year=100, completed_investment_ytd=0,
                      status="停工"))
    assert value(s, "2024-06", "lagging_projects") == 2
    assert value(s, "2024-06", "lagging_projects", Filters(county=("无此县",))) == 0


def test_stopped_projects():
    s = snapshot("2024-06", dict(project_id="A", status="停工", build_type="前期"), dict(project_id="B"))
    assert value(s, "2024-06", "stopped_projects") == 1


def test_zombie_needs_the_snapshot_three_calendar_months_earlier():
    then = snapshot("2024-03",
                    dict(project_id="A", completed_investment_total=500),
                    dict(project_id="B", completed_investment_total=500),
                    dict(project_id="C", completed_investment_total=500),
                    dict(project_id="D", completed_investment_total=500))
    now = snapshot("2024-06",
                   dict(project_id="A", completed_investment_total=500),  # unchanged → zombie
                   dict(project_id="B", completed_investment_total=501),  # moved
                   dict(project_id="C", completed_investment_total=500, status="竣工"),  # finished
                   dict(project_id="D", completed_investment_total=400, status="停工", build_type="新开工"),  # lower
                   dict(project_id="E", completed_investment_total=0))  # absent 3 months ago
    assert value([then, now], "2024-06", "zombie_projects") == 2
    # with only the month two back stored, nothing can be a zombie
    may = snapshot("2024-04", dict(project_id="A", completed_investment_total=500))
    assert value([may, now], "2024-06", "zombie_projects") == 0


def test_zombie_across_the_year_boundary():
    then = snapshot("2023-11", dict(project_id="A", completed_investment_total=800))
    now = snapshot("2024-02", dict(project_id="A", completed_investment_total=800, completed_investment_ytd=0))
    assert value([then, now], "2024-02", "zombie_projects") == 1


def test_monthly_investment_and_mom():
    apr = snapshot("2024-04", dict(project_id="A", completed_investment_ytd=10))
    may = snapshot("2024-05", dict(project_id="A", completed_investment_ytd=30),
                   dict(project_id="B", completed_investment_ytd=5))  # B absent in April → counts 5
    jun = snapshot("2024-06", dict(project_id="A", completed_investment_ytd=40),
                   dict(project_id="B", completed_investment_ytd=20),
                   dict(project_id="C", build_type="储备", completed_investment_ytd=99))  # not construction set
    frames = [apr, may, jun]
    assert value(frames, "2024-05", "monthly_investment") == 25
    assert value(frames, "2024-06", "monthly_investment") == 25
    assert value(frames, "2024-06", "monthly_investment_mom") == pytest.approx(0.0)
    assert value(frames, "2024-05", "monthly_investment_mom") == pytest.approx(25 / 10 - 1)


def test_monthly_investment_in_january_counts_the_whole_ytd():
    dec = snapshot("2023-12", dict(project_id="A", completed_investment_ytd=900))
    jan = snapshot("2024-01", dict(project_id="A", completed_investment_ytd=15))
    assert value([dec, jan], "2024-01", "monthly_investment") == 15
    assert value([dec, jan], "2024-01", "monthly_investment_mom") is None  # m−1 in another year


def test_mom_null_when_last_month_missing_or_zero():
    apr = snapshot("2024-04", dict(project_id="A", completed_investment_ytd=10))
    jun = snapshot("2024-06", dict(project_id="A", completed_investment_ytd=40))
    assert value([apr, jun], "2024-06", "monthly_investment_mom") is None  # May not stored
    # May missing from the store: every project counts as absent last month
    assert value([apr, jun], "2024-06", "monthly_investment") == 40
    flat_may = snapshot("2024-05", dict(project_id="A", completed_investment_ytd=10))
    assert value([apr, flat_may, jun], "2024-06", "monthly_investment_mom") is None  # May's monthly was 0


def test_mom_uses_each_months_own_attributes_under_filters():
    apr = snapshot("2024-04", dict(project_id="A", county="甲县", completed_investment_ytd=0))
    may = snapshot("2024-05", dict(project_id="A", county="甲县", completed_investment_ytd=10))
    jun = snapshot("2024-06", dict(project_id="A", county="乙县", completed_investment_ytd=30))
    assert value([apr, may, jun], "2024-06", "monthly_investment_mom", Filters(county=("乙县",))) is None
    assert value([apr, may, jun], "2024-06", "monthly_investment", Filters(county=("乙县",))) == 20


def test_new_starts_100m_in_the_month_only():
    s = snapshot("2024-06",
                 dict(project_id="A", total_investment=10_000, actual_start=D(2024, 6, 1)),  # exactly 1亿
                 dict(project_id="B", total_investment=9_999.99, actual_start=D(2024, 6, 5)),
                 dict(project_id="C", total_investment=50_000, actual_start=D(2024, 5, 31)),
                 dict(project_id="D", total_investment=50_000, actual_start=D(2024, 6, 30), build_type="前期"))
    assert value(s, "2024-06", "new_starts_100m") == 2


# ---------------------------------------------------------------- structure
def test_investment_structure_shares_by_total_investment_over_construction_set():
    s = snapshot("2024-06",
                 dict(project_id="A", investor_type="民间投资", category="产业", industry_class="新兴产业",
                      total_investment=300, chain="集成电路"),
                 dict(project_id="B", investor_type="政府投资", category="基础设施", total_investment=500),
                 dict(project_id="C", investor_type="国有企业", category="产业", industry_class="传统产业",
                      total_investment=200, build_type="新开工"),
                 dict(project_id="D", investor_type="民间投资", category="产业", industry_class="新兴产业",
                      total_investment=9999, build_type="储备", chain="光伏"))
    assert value(s, "2024-06", "private_share") == pytest.approx(0.3)
    assert value(s, "2024-06", "industrial_share") == pytest.approx(0.5)
    assert value(s, "2024-06", "government_share") == pytest.approx(0.5)
    assert value(s, "2024-06", "emerging_share") == pytest.approx(0.6)
    assert value(s, "2024-06", "traditional_share") == pytest.approx(0.4)
    assert value(s, "2024-06", "chain_investment_share") == pytest.approx(0.6)
    # chains among selected construction projects (集成电路) / chains in the whole snapshot (集成电路, 光伏)
    assert value(s, "2024-06", "chain_coverage") == pytest.approx(0.5)


def test_shares_null_without_construction_projects():
    s = snapshot("2024-06", dict(project_id="A", build_type="储备", category="产业", industry_class="新兴产业"))
    for iid in ("private_share", "industrial_share", "government_share", "emerging_share", "traditional_share",
                "chain_investment_share"):
        assert value(s, "2024-06", iid) is None, iid


def test_chain_coverage_denominator_ignores_filters():
    s = snapshot("2024-06",
                 dict(project_id="A", county="甲县", chain="集成电路"),
                 dict(project_id="B", county="乙县", chain="光伏"),
                 dict(project_id="C", county="乙县", chain="新材料"))
    assert value(s, "2024-06", "chain_coverage", Filters(county=("甲县",))) == pytest.approx(1 / 3)
    none = snapshot("2024-06", dict(project_id="A"))
    assert value(none, "2024-06", "chain_coverage") is None
    # A filter that selects nothing covers 0 of the snapshot's 3 chains: the denominator is not zero, so 0.0.
    assert value(s, "2024-06", "chain_coverage", Filters(county=("丙县",))) == 0.0
    assert value(s, "2024-06", "project_count", Filters(county=("丙县",))) == 0


# ---------------------------------------------------------------- efficiency
def test_efficiency_over_producing_projects():
    s = snapshot("2024-06",
                 dict(project_id="A", status="投产", total_investment=1000, annual_profit_tax=100, annual_tax=60,
                      land_area_mu=20),
                 dict(project_id="B", status="投产", total_investment=1000, annual_profit_tax=None, annual_tax=40,
                      land_area_mu=0),
                 dict(project_id="C", status="竣工", total_investment=1000, annual_profit_tax=999, annual_tax=999,
                      land_area_mu=5))
    assert value(s, "2024-06", "profit_tax_rate") == pytest.approx(100 / 2000)
    assert value(s, "2024-06", "tax_per_mu") == pytest.approx(60 / 20)
    assert value(s, "2024-06", "production_rate") == pytest.approx(2 / 3)
    assert value(snapshot("2024-06", dict(project_id="A")), "2024-06", "production_rate") is None
    assert value(snapshot("2024-06", dict(project_id="A", status="投产", land_area_mu=None)), "2024-06",
                 "tax_per_mu") is None


# ---------------------------------------------------------------- management
def test_procedures_complete_rate():
    full = {p: D(2023, 1, 1) for p in ("proc_approval", "proc_land", "proc_planning", "proc_eia", "proc_energy",
                                       "proc_construction_permit")}
    s = snapshot("2024-06",
                 dict(project_id="A", build_type="新开工", **full),
                 dict(project_id="B", build_type="前期", proc_approval=D(2023, 1, 1), proc_eia=D(2023, 2, 1)),
                 dict(project_id="C", build_type="续建"),  # not counted
                 dict(project_id="D", build_type="储备", **full))  # not counted
    assert value(s, "2024-06", "procedures_complete_rate") == pytest.approx(8 / 12)
    assert value(snapshot("2024-06", dict(project_id="X")), "2024-06", "procedures_complete_rate") is None


def test_leader_coverage_over_provincial_and_city_construction_projects():
    s = snapshot("2024-06",
                 dict(project_id="A", level="省级", leader="张伟"),
                 dict(project_id="B", level="市级", leader=None),
                 dict(project_id="C", level="县级", leader=None),
                 dict(project_id="D", level="市级", leader=None, build_type="前期"))
    assert value(s, "2024-06", "leader_coverage") == pytest.approx(0.5)


def test_problem_projects_ignores_blank_text():
    s = snapshot("2024-06", dict(project_id="A", problems="征地拆迁未完成"), dict(project_id="B", problems="   "),
                 dict(project_id="C", problems=None))
    assert value(s, "2024-06", "problem_projects") == 1


def test_approval_to_start_median_within_the_year():
    s = snapshot("2024-06",
                 dict(project_id="A", proc_approval=D(2024, 1, 1), actual_start=D(2024, 1, 11)),  # 10
                 dict(project_id="B", proc_approval=D(2023, 12, 1), actual_start=D(2024, 1, 30)),  # 60
                 dict(project_id="C", proc_approval=D(2024, 2, 1), actual_start=D(2024, 3, 2)),  # 30
                 dict(project_id="D", proc_approval=D(2024, 2, 1), actual_start=D(2024, 3, 12)),  # 40
                 dict(project_id="E", proc_approval=D(2022, 1, 1), actual_start=D(2023, 6, 1)),  # last year
                 dict(project_id="F", proc_approval=None, actual_start=D(2024, 2, 1)))
    assert value(s, "2024-06", "approval_to_start_days") == pytest.approx(35)
    assert value(snapshot("2024-06", dict(project_id="A")), "2024-06", "approval_to_start_days") is None


def test_stats_inclusion_over_started_construction_projects():
    s = snapshot("2024-06",
                 dict(project_id="A", actual_start=D(2024, 1, 1), in_statistics=True),
                 dict(project_id="B", actual_start=D(2024, 1, 1), in_statistics=False),
                 dict(project_id="C", actual_start=None, in_statistics=False),
                 dict(project_id="D", actual_start=D(2024, 1, 1), in_statistics=False, build_type="前期"))
    assert value(s, "2024-06", "stats_inclusion_rate") == pytest.approx(0.5)


# ---------------------------------------------------------------- pipeline
def test_pipeline_and_signed():
    s = snapshot("2024-06",
                 dict(project_id="A", build_type="储备", total_investment=100),
                 dict(project_id="B", build_type="前期", total_investment=50, is_signed_attraction=True),
                 dict(project_id="C", is_signed_attraction=True, actual_start=D(2024, 3, 1)),
                 dict(project_id="D", is_signed_attraction=True))
    assert value(s, "2024-06", "pipeline_investment") == 150
    assert value(s, "2024-06", "signed_projects") == 3
    assert value(s, "2024-06", "signed_start_rate") == pytest.approx(1 / 3)
    assert value(snapshot("2024-06", dict(project_id="A")), "2024-06", "signed_start_rate") is None


def test_reserve_conversion_from_the_years_earliest_snapshot():
    feb = snapshot("2024-02",  # earliest of 2024 in the store (January missing)
                   dict(project_id="A", build_type="储备", county="甲县"),
                   dict(project_id="B", build_type="前期", county="甲县"),
                   dict(project_id="C", build_type="前期", county="乙县"),
                   dict(project_id="D", build_type="续建", county="甲县"))
    dec = snapshot("2023-12", dict(project_id="Z", build_type="储备"))
    jun = snapshot("2024-06",
                   dict(project_id="A", build_type="新开工", county="乙县", actual_start=D(2024, 5, 1)),  # converted
                   dict(project_id="C", build_type="新开工", county="乙县", actual_start=None),  # present, not started
                   dict(project_id="D", build_type="续建", actual_start=D(2022, 1, 1)))  # not in base
    frames = [dec, feb, jun]
    assert value(frames, "2024-06", "reserve_conversion_rate") == pytest.approx(1 / 3)
    # filters apply to base attributes: A was in 甲县 in February
    assert value(frames, "2024-06", "reserve_conversion_rate", Filters(county=("甲县",))) == pytest.approx(1 / 2)
    assert value(frames, "2024-06", "reserve_conversion_rate", Filters(county=("乙县",))) == pytest.approx(0.0)
    assert value(frames, "2024-02", "reserve_conversion_rate") == pytest.approx(0.0)
    assert value([jun], "2024-06", "reserve_conversion_rate") is None  # base is June itself: no pipeline


# ---------------------------------------------------------------- filters, tiers, empty selections
@pytest.mark.parametrize("total,tier", [(0, "亿元以下"), (9_999.99, "亿元以下"), (10_000, "1-5亿"),
                                        (50_000, "5-10亿"), (100_000, "10-100亿"), (999_999, "10-100亿"),
                                        (1_000_000, "100亿以上")])
def test_tier_filter_bounds_are_left_closed(total, tier):
    s = snapshot("2024-06", dict(project_id="A", total_investment=total))
    assert value(s, "2024-06", "project_count", Filters(tier=(tier,))) == 1
    others = [t for t in ("亿元以下", "1-5亿", "5-10亿", "10-100亿", "100亿以上") if t != tier]
    assert value(s, "2024-06", "project_count", Filters(tier=tuple(others))) == 0


def test_filter_selecting_nothing_gives_zero_counts_and_null_rates():
    s = snapshot("2024-06", dict(project_id="A"))
    rec = as_record(indicators_at(Dataset.from_frame(s), "2024-06", Filters(county=("无此县",))))
    assert rec["project_count"] == 0 and rec["total_investment_sum"] == 0
    assert rec["investment_completion_rate"] is None and rec["start_rate"] is None
    assert rec["time_schedule"] == pytest.approx(0.5)
    assert set(rec) == set(IDS)


def test_multi_select_filters_and_breakdown_agree():
    s = snapshot("2024-06",
                 dict(project_id="A", county="甲县", level="省级", chain="光伏", total_investment=20_000),
                 dict(project_id="B", county="乙县", level="市级", chain="光伏"),
                 dict(project_id="C", county="丙县", level="市级", chain="新材料"))
    ds = Dataset.from_frame(s)
    assert as_record(indicators_at(ds, "2024-06", Filters(county=("甲县", "乙县"))))["project_count"] == 2
    assert as_record(indicators_at(ds, "2024-06", Filters(chain=("光伏",), level=("市级",))))["project_count"] == 1
    by = indicators_at(ds, "2024-06", by="tier")
    assert dict(zip(by["tier"], by["project_count"])) == {"1-5亿": 1, "亿元以下": 2}
    by_county = compute(ds, ["2024-06"], by="county")
    assert by_county["project_count"].sum() == 3


def test_month_series_covers_every_stored_month():
    frames = [snapshot(m, dict(project_id="A", completed_investment_ytd=v))
              for m, v in (("2024-01", 5), ("2024-02", 8), ("2024-04", 20))]
    ds = Dataset.from_frame(store_of(*frames))
    ser = month_series(ds, ["monthly_investment", "time_schedule"])
    assert ser["monthly_investment"].to_list() == [5, 3, 20]
    assert ser["time_schedule"].to_list() == pytest.approx([1 / 12, 2 / 12, 4 / 12])
    by = month_series(ds, ["project_count"], by="county")
    assert by.height == 3


def test_n_counts_the_population_of_each_rate():
    s = snapshot("2024-06", dict(project_id="A", build_type="新开工"), dict(project_id="B", build_type="新开工"),
                 dict(project_id="C"))
    df = indicators_at(Dataset.from_frame(s), "2024-06")
    assert df["n__start_rate"][0] == 2
    assert df["n__investment_completion_rate"][0] == 3
    assert df["n__project_count"][0] == 3 and df["n__stopped_projects"][0] == 3
    by = indicators_at(Dataset.from_frame(s), "2024-06", by="county")
    assert by["n__problem_projects"].to_list() == [3]


def test_breakdown_of_a_month_not_stored_is_empty():
    ds = Dataset.from_frame(snapshot("2024-06", dict(project_id="A")))
    out = compute(ds, ["2024-09"], by="county")
    assert out.is_empty() and "county" in out.columns and "project_count" in out.columns
