"""The metrics CLI on a hand-checked store: every indicator, breakdowns, ranking, lists, errors; gap and history."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from data.store import Store
from metrics.dataset import Dataset
from metrics.filters import Filters
from metrics.plan_gap import gap_to_target
from metrics.projects import project_history
from metrics.watchlists import WATCH_LISTS, list_counts, watch_list
from reports.cli import main
from tests.factories import D, snapshot
from tests.helpers import run_module

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
    # Part 2: 2023-06 not stored; no planned_start; A lags 0.20 and B 0.25 (黄); A's problem is new this month
    "completed_ytd_yoy": None, "planned_starts_to_date": 0, "overdue_not_started": 0, "early_starts": 0,
    "red_projects": 0, "yellow_projects": 2, "long_standing_problems": 0,
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


# The June table as printed: EXPECTED_JUNE in each indicator's display format (87.5 days rounds to 88).
INDICATOR_TABLE = [
    '2024-06 指标',
    '指标                     编号                        数值',
    '-----------------------  --------------------------  -------------',
    '项目个数                 project_count               4个',
    '总投资                   total_investment_sum        5.5亿元',
    '年度计划投资             plan_investment_sum         200万元',
    '本年完成投资             completed_ytd_sum           55万元',
    '投资完成率               investment_completion_rate  27.5%',
    '时序进度                 time_schedule               50.0%',
    '进度偏差                 schedule_deviation          -22.5个百分点',
    '新开工项目开工率         start_rate                  100.0%',
    '续建项目复工率           resume_rate                 100.0%',
    '新建与续建完成率差       new_vs_continuing_gap       -5.0个百分点',
    '滞后项目数               lagging_projects            2个',
    '停工项目数               stopped_projects            0个',
    '僵尸项目数               zombie_projects             1个',
    '资金到位率               funds_in_place_rate         25.0%',
    '当月完成投资             monthly_investment          25万元',
    '当月投资环比             monthly_investment_mom      -16.7%',
    '亿元以上当月新开工       new_starts_100m             1个',
    '本年完成投资同比         completed_ytd_yoy           —',
    '序时应开工项目数         planned_starts_to_date      0个',
    '应开工未开工项目数       overdue_not_started         0个',
    '提前开工项目数           early_starts                0个',
    '红灯项目数               red_projects                0个',
    '黄灯项目数               yellow_projects             2个',
    '民间投资占比             private_share               20.0%',
    '产业投资占比             industrial_share            20.0%',
    '政府投资占比             government_share            80.0%',
    '新兴产业占比             emerging_share              100.0%',
    '传统产业占比             traditional_share           0.0%',
    '链上项目投资占比         chain_investment_share      100.0%',
    '产业链覆盖度             chain_coverage              50.0%',
    '投资利税率               profit_tax_rate             1.0%',
    '亩均税收                 tax_per_mu                  4.00万元/亩',
    '投产率                   production_rate             100.0%',
    '前期手续办结率           procedures_complete_rate    50.0%',
    '领导包抓覆盖率           leader_coverage             50.0%',
    '存在问题项目数           problem_projects            1个',
    '问题超3个月未解决项目数  long_standing_problems      0个',
    '立项至开工天数(中位数)   approval_to_start_days      88天',
    '入统率                   stats_inclusion_rate        66.7%',
    '储备(前期)项目总投资     pipeline_investment         5,000万元',
    '储备转化率               reserve_conversion_rate     100.0%',
    '招商签约项目数           signed_projects             1个',
    '签约项目开工率           signed_start_rate           100.0%',
]


def test_table_format_is_readable(store, capsys):
    code, out, _ = run(capsys, "indicators", "--data", str(store), "--month", "2024-06", "--format", "table")
    assert code == 0 and out.rstrip("\n").split("\n") == INDICATOR_TABLE


def test_ranking_json_shape(store, capsys):
    code, out, _ = run(capsys, "ranking", "--data", str(store), "--month", "2024-06", "--format", "json")
    doc = json.loads(out)
    assert code == 0 and doc["month"] == "2024-06"
    # 甲: completion 30 % (best: 30 points), private and industrial 100 % (15 + 15); no 新开工, 前期 or signed
    # project (0 of the other 40). 乙: completion 25 % (0), start, procedures 6/12 and signed best (20 + 10 + 10).
    # May: both scored 60 and shared rank 1, so 甲 stays and 乙 falls one place. April missing: no warning window.
    assert doc["rows"] == [
        {"county": "甲县", "score": 60.0, "rank": 1, "rank_change": 0, "flag": "红旗", "warning": False,
         "explanation": "新开工项目开工率无统计对象（按0分计）；前期手续办结率无统计对象（按0分计）；签约项目开工率无统计对象（按0分计）"},
        {"county": "乙县", "score": 40.0, "rank": 2, "rank_change": -1, "flag": "蜗牛", "warning": False,
         "explanation": "投资完成率25.0%，低于时序进度25.0个百分点；民间投资占比0.0%，低于目标60.0个百分点；"
                        "产业投资占比0.0%，低于目标60.0个百分点"}]
    code, out, _ = run(capsys, "ranking", "--data", str(store), "--month", "2024-05", "--format", "json")
    rows = json.loads(out)["rows"]
    assert [(r["county"], r["score"], r["rank"], r["rank_change"]) for r in rows] == [
        ("乙县", 60.0, 1, None), ("甲县", 60.0, 1, None)]  # April not stored: no change to show


def test_lists_json_table_and_xlsx(store, capsys, tmp_path):
    code, out, _ = run(capsys, "lists", "--data", str(store), "--month", "2024-06", "--list", "zombie",
                       "--format", "json")
    doc = json.loads(out)
    assert code == 0 and doc["count"] == 1 and doc["rows"][0]["project_id"] == "A"
    assert doc["rows"][0]["total_3m_ago"] == 300
    code, out, _ = run(capsys, "lists", "--data", str(store), "--month", "2024-06", "--list", "未入统清单",
                       "--format", "table")
    assert code == 0 and [line.split() for line in out.strip().split("\n")] == [
        ["2024-06", "未入统清单（1个）"],
        ["项目编码", "项目名称", "县区", "产业链", "项目级别", "建设性质", "建设状态", "总投资(万元)", "年度计划投资(万元)",
         "本年累计完成投资(万元)", "实际开工时间", "包抓领导"],
        ["--------", "--------", "----", "------", "--------", "--------", "--------", "------------",
         "------------------", "----------------------", "------------", "--------"],
        ["B", "测试项目", "乙县", "—", "市级", "新开工", "在建", "20,000", "100", "25", "2024-06-03", "—"]]
    target = tmp_path / "problems.xlsx"
    code, out, _ = run(capsys, "lists", "--data", str(store), "--month", "2024-06", "--list", "problems",
                       "--format", "xlsx", "--out", str(target))
    assert code == 0
    ws = openpyxl.load_workbook(target).active
    headers = [c.value for c in ws[1]]
    assert headers == ["项目编码", "项目名称", "县区", "产业链", "项目级别", "建设性质", "建设状态", "总投资(万元)",
                       "年度计划投资(万元)", "本年累计完成投资(万元)", "问题持续月数", "存在问题", "包抓领导"]
    assert ws.max_row == 2 and ws.cell(2, 1).value == "A"
    cell = ws.cell(2, headers.index("存在问题") + 1)
    assert (cell.value, cell.data_type) == ('=HYPERLINK("x")', "s")  # the text as typed, a string cell: never a formula


@pytest.mark.parametrize("args,msg", [
    (["indicators", "--month", "2024-09"], "库中没有 2024-09 的快照。已有月份：2024-03、2024-05、2024-06"),
    (["indicators", "--month", "2024-6x"], "月份“2024-6x”格式不对：请写成 YYYY-MM，例如 2024-06。"),
    (["indicators", "--month", "2024-06", "--tier", "3亿"],
     "规模档次“3亿”不存在，可选：亿元以下、1-5亿、5-10亿、10-100亿、100亿以上"),
    (["lists", "--month", "2024-06", "--list", "nope"],
     "没有清单“nope”。可选：lagging（滞后项目清单）、zombie（僵尸项目清单）、stopped（停工项目清单）、"
     "overdue_start（逾期未开工清单）、procedures_outstanding（手续未办结清单）、signed_not_started（签约未开工清单）、"
     "problems（问题项目清单）、not_in_statistics（未入统清单）、leader_missing（未落实包抓领导清单）、"
     "not_resumed（续建未复工清单）、red_light（红灯项目清单）、yellow_light（黄灯项目清单）"),
    (["lists", "--month", "2024-06", "--list", "zombie", "--format", "xlsx"],
     "xlsx 格式需要 --out 文件名，例如 --out 滞后项目.xlsx"),
])
def test_cli_errors_are_chinese_with_exit_2(store, capsys, args, msg):
    code, _, err = run(capsys, args[0], "--data", str(store), *args[1:])
    assert (code, err) == (2, f"错误：{msg}\n")


def test_missing_store_dir(capsys, tmp_path):
    code, _, err = run(capsys, "indicators", "--data", str(tmp_path / "no"), "--month", "2024-06")
    assert (code, err) == (2, f"错误：数据目录不存在：{tmp_path / 'no'}（应为 python -m data import 写入的库目录）\n")


def test_module_entry_point_runs(store):
    p = run_module("metrics", "indicators", "--data", store, "--month", "2024-06", "--format", "json")
    assert p.returncode == 0, p.stderr
    out = p.stdout
    assert json.loads(out)["indicators"]["project_count"] == 4


def test_watch_lists_and_counts_agree(store):
    ds = Dataset.from_store(Store(store))
    counts = list_counts(ds, "2024-06")
    for w in WATCH_LISTS:
        assert watch_list(ds, "2024-06", w.id).height == counts[w.id], w.id
    assert counts == {"lagging": 2, "zombie": 1, "stopped": 0, "overdue_start": 0, "procedures_outstanding": 1,
                      "signed_not_started": 0, "problems": 1, "not_in_statistics": 1, "leader_missing": 1,
                      "not_resumed": 0, "red_light": 0, "yellow_light": 2}  # 黄: A, B lag 0.20 and 0.25; lagging A (30 %) and B (25 %); leader missing: B (市级, none)
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
    assert gap["甲县"]["monthly_needed"] == pytest.approx(70 / 6)
    assert gap["甲县"]["next_month_needed"] == pytest.approx(100 * 7 / 12 - 30)
    assert [gap[c]["months_left"] for c in ("甲县", "乙县")] == [6, 6]


def test_project_history(store):
    ds = Dataset.from_store(Store(store))
    h = project_history(ds, "A")
    assert [d.month for d in h["snapshot_month"]] == [3, 5, 6]
    assert project_history(ds, "none").is_empty()
