"""The metrics CLI on a hand-checked store: every indicator, breakdowns, ranking, lists, errors; gap and history."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from data.store import Store
from metrics.__main__ import main
from metrics.engine import Dataset, Filters
from metrics.watchlists import WATCH_LISTS, gap_to_target, list_counts, project_history, watch_list
from tests.ledger import D, snapshot

ROOT = Path(__file__).resolve().parents[1]
FULL = {p: D(2024, 1, 10) for p in ("proc_approval", "proc_land", "proc_planning", "proc_eia", "proc_energy",
                                     "proc_construction_permit")}


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    """Two counties over March, May and June 2024 (April missing on purpose)."""
    root = tmp_path_factory.mktemp("store")
    s = Store(root)
    s.write(snapshot("2024-03",
                     dict(project_id="A", county="甲县", completed_investment_total=300),
                     dict(project_id="R", county="乙县", build_type="储备", total_investment=20_000)), source="mar.xlsx")
    s.write(snapshot("2024-05",
                     dict(project_id="A", county="甲县", completed_investment_ytd=20, completed_investment_total=300),
                     dict(project_id="B", county="乙县", build_type="新开工", completed_investment_ytd=10)),
            source="may.xlsx")
    s.write(snapshot(
        "2024-06",
        # 甲县: a continuing provincial project, private, industrial, emerging, on a chain, zombie (300 → 300)
        dict(project_id="A", county="甲县", level="省级", leader="张伟", investor_type="民间投资", category="产业",
             industry_class="新兴产业", chain="光伏", total_investment=10_000, plan_investment_year=100,
             completed_investment_ytd=30, completed_investment_total=300, funds_in_place_ytd=50,
             actual_start=D(2023, 3, 1), problems="=HYPERLINK(\"x\")"),
        # 乙县: a new start this month (≥1亿), government, all procedures, signed
        dict(project_id="B", county="乙县", build_type="新开工", total_investment=20_000, plan_investment_year=100,
             completed_investment_ytd=25, completed_investment_total=25, actual_start=D(2024, 6, 3),
             is_signed_attraction=True, in_statistics=False, level="市级", **FULL),
        # 乙县: the March reserve project, started → converted; producing with tax and land
        dict(project_id="R", county="乙县", build_type="续建", status="投产", total_investment=20_000,
             plan_investment_year=0, actual_start=D(2024, 5, 1), annual_tax=40, annual_profit_tax=200,
             land_area_mu=10, proc_approval=D(2024, 4, 1)),
        dict(project_id="P", county="乙县", build_type="前期", total_investment=5_000, plan_investment_year=0,
             chain="新材料")), source="jun.xlsx")
    return root


EXPECTED_JUNE = {
    "project_count": 4, "total_investment_sum": 55_000, "plan_investment_sum": 200, "completed_ytd_sum": 55,
    "investment_completion_rate": 55 / 200, "time_schedule": 0.5, "schedule_deviation": 55 / 200 - 0.5,
    "start_rate": 1.0, "resume_rate": 1.0, "new_vs_continuing_gap": 25 / 100 - 30 / 100, "lagging_projects": 2,
    "stopped_projects": 0, "zombie_projects": 1, "funds_in_place_rate": 50 / 200,
    # A: 30−20; B: 25−10; R: 0−0 (absent in May)
    "monthly_investment": 25, "monthly_investment_mom": None,  # April not stored → May's monthly has no base? see below
    "new_starts_100m": 1, "private_share": 10_000 / 50_000, "industrial_share": 10_000 / 50_000,
    "government_share": 40_000 / 50_000, "emerging_share": 1.0, "traditional_share": 0.0,
    "chain_investment_share": 1.0, "chain_coverage": 1 / 2, "profit_tax_rate": 200 / 20_000, "tax_per_mu": 4.0,
    "production_rate": 1.0, "procedures_complete_rate": 6 / 12, "leader_coverage": 1 / 2, "problem_projects": 1,
    "approval_to_start_days": (145 + 30) / 2,  # B: 2024-01-10 → 06-03; R: 04-01 → 05-01
    "stats_inclusion_rate": 2 / 3, "pipeline_investment": 5_000,
    "reserve_conversion_rate": 1.0, "signed_projects": 1, "signed_start_rate": 1.0,
}
# 环比: May's monthly = A 20 + B 10 = 30 (April missing → counts from 0); June 25 → 25/30 − 1.
EXPECTED_JUNE["monthly_investment_mom"] = 25 / 30 - 1


def run(capsys, *args) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_indicators_json_reproduces_every_hand_checked_value(store, capsys):
    code, out, _ = run(capsys, "indicators", "--data", str(store), "--month", "2024-06", "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert doc["month"] == "2024-06" and doc["filters"] == {"county": [], "chain": [], "tier": [], "level": []}
    assert set(doc["indicators"]) == set(EXPECTED_JUNE)
    for iid, want in EXPECTED_JUNE.items():
        got = doc["indicators"][iid]
        assert (got is None) == (want is None), iid
        if want is not None:
            assert got == pytest.approx(want), iid


def test_indicators_by_county_and_filters(store, capsys):
    code, out, _ = run(capsys, "indicators", "--data", str(store), "--month", "2024-06", "--by", "county",
                       "--format", "json")
    doc = json.loads(out)
    assert code == 0 and doc["by"] == "county"
    rows = {r["county"]: r["indicators"] for r in doc["rows"]}
    assert rows["甲县"]["project_count"] == 1 and rows["乙县"]["project_count"] == 3
    assert rows["甲县"]["start_rate"] is None  # no 新开工 project: null, not 0
    assert rows["乙县"]["reserve_conversion_rate"] == 1.0
    code, out, _ = run(capsys, "indicators", "--data", str(store), "--month", "2024-06", "--tier", "1-5亿",
                       "--tier", "亿元以下", "--level", "市级", "--format", "json")
    doc = json.loads(out)
    assert doc["indicators"]["project_count"] == 1 and doc["filters"]["tier"] == ["1-5亿", "亿元以下"]


def test_table_format_is_readable(store, capsys):
    code, out, _ = run(capsys, "indicators", "--data", str(store), "--month", "2024-06", "--format", "table")
    assert code == 0 and "投资完成率" in out and "27.5%" in out and "—" not in out.split("当月投资环比")[1][:30]


def test_ranking_json_shape(store, capsys):
    code, out, _ = run(capsys, "ranking", "--data", str(store), "--month", "2024-06", "--format", "json")
    doc = json.loads(out)
    assert code == 0 and doc["month"] == "2024-06"
    assert [r["rank"] for r in doc["rows"]] == sorted(r["rank"] for r in doc["rows"])
    for r in doc["rows"]:
        assert set(r) == {"county", "score", "rank", "rank_change", "flag", "warning", "explanation"}
        assert isinstance(r["rank_change"], int)  # May is stored and both counties were ranked then
        assert r["warning"] is False  # April missing: no three-month window
    code, out, _ = run(capsys, "ranking", "--data", str(store), "--month", "2024-05", "--format", "json")
    assert all(r["rank_change"] is None for r in json.loads(out)["rows"])  # April not stored


def test_lists_json_table_and_xlsx(store, capsys, tmp_path):
    code, out, _ = run(capsys, "lists", "--data", str(store), "--month", "2024-06", "--list", "zombie",
                       "--format", "json")
    doc = json.loads(out)
    assert code == 0 and doc["count"] == 1 and doc["rows"][0]["project_id"] == "A"
    assert doc["rows"][0]["total_3m_ago"] == 300
    code, out, _ = run(capsys, "lists", "--data", str(store), "--month", "2024-06", "--list", "未入统清单",
                       "--format", "table")
    assert code == 0 and "B" in out
    target = tmp_path / "problems.xlsx"
    code, out, _ = run(capsys, "lists", "--data", str(store), "--month", "2024-06", "--list", "problems",
                       "--format", "xlsx", "--out", str(target))
    assert code == 0
    ws = openpyxl.load_workbook(target).active
    headers = [c.value for c in ws[1]]
    assert "项目编码" in headers and "存在问题" in headers
    cell = ws.cell(2, headers.index("存在问题") + 1)
    assert (cell.value, cell.data_type) == ('=HYPERLINK("x")', "s")  # the text as typed, a string cell: never a formula


@pytest.mark.parametrize("args,msg", [
    (["indicators", "--month", "2024-09"], "没有 2024-09"),
    (["indicators", "--month", "2024-6x"], "YYYY-MM"),
    (["indicators", "--month", "2024-06", "--tier", "3亿"], "规模档次"),
    (["lists", "--month", "2024-06", "--list", "nope"], "没有清单"),
    (["lists", "--month", "2024-06", "--list", "zombie", "--format", "xlsx"], "--out"),
])
def test_cli_errors_are_chinese_with_exit_2(store, capsys, args, msg):
    code, _, err = run(capsys, args[0], "--data", str(store), *args[1:])
    assert code == 2 and msg in err


def test_missing_store_dir(capsys, tmp_path):
    code, _, err = run(capsys, "indicators", "--data", str(tmp_path / "no"), "--month", "2024-06")
    assert code == 2 and "数据目录不存在" in err


def test_module_entry_point_runs(store):
    out = subprocess.run([sys.executable, "-m", "metrics", "indicators", "--data", str(store), "--month", "2024-06",
                          "--format", "json"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert json.loads(out)["indicators"]["project_count"] == 4


def test_watch_lists_and_counts_agree(store):
    ds = Dataset.from_store(Store(store))
    counts = list_counts(ds, "2024-06")
    for w in WATCH_LISTS:
        assert watch_list(ds, "2024-06", w.id).height == counts[w.id], w.id
    assert counts["lagging"] == 2 and counts["zombie"] == 1 and counts["problems"] == 1
    assert counts["not_in_statistics"] == 1 and counts["leader_missing"] == 1
    assert set(watch_list(ds, "2024-06", "procedures_outstanding")["project_id"]) == {"P"}
    assert watch_list(ds, "2024-06", "procedures_outstanding")["procedures_missing"][0] == "立项、用地、规划、环评、能评、施工许可"
    assert list_counts(ds, "2024-06", Filters(county=("甲县",)))["lagging"] == 1


def test_gap_to_target(store):
    ds = Dataset.from_store(Store(store))
    gap = {r["county"]: r for r in gap_to_target(ds, "2024-06").iter_rows(named=True)}
    # 乙县: plan 100, ytd 25, six months left → 75/6 a month; on schedule in July needs 100×7/12 − 25
    assert gap["乙县"]["monthly_needed"] == pytest.approx(75 / 6)
    assert gap["乙县"]["next_month_needed"] == pytest.approx(100 * 7 / 12 - 25)
    assert gap["甲县"]["shortfall"] == pytest.approx(70)


def test_project_history(store):
    ds = Dataset.from_store(Store(store))
    h = project_history(ds, "A")
    assert [d.month for d in h["snapshot_month"]] == [3, 5, 6]
    assert project_history(ds, "none").is_empty()
