"""README, command line: `python -m metrics indicators … --by county|chain|tier|level|category|investor_type`, and
"Breakdown by chain includes a row for projects with no chain (`chain: null`, shown 未归链)".

A five-project month, every figure worked out by hand below. 建设项目 = 新开工 + 续建 (D is 储备, outside it).

| id | 县区 | 产业链 | 类别 | 级别 | 性质 | 主体 | 总投资 | 年度计划 | 本年完成 | 实际开工 |
|----|------|--------|------|------|------|------|-------:|--------:|--------:|----------|
| A  | 甲县 | 光伏   | 产业 | 省级 | 续建 | 民间投资 | 10000 | 1000 | 600 | 2023-03-01 |
| B  | 甲县 | —      | 基础设施 | 县级 | 新开工 | 政府投资 | 4000 | 400 | 100 | 2024-03-01 |
| C  | 乙县 | 光伏   | 产业 | 市级 | 续建 | 国有企业 | 6000 | 500 | 200 | 2023-03-01 |
| D  | 乙县 | —      | 社会民生 | 县级 | 储备 | 民间投资 | 2000 | 0 | 0 | — |
| E  | 乙县 | 新材料 | 产业 | 省级 | 新开工 | 外商投资 | 8000 | 800 | 0 | — |
"""
from __future__ import annotations

import contextlib
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from data.store import Store
from reports.cli import main as cli_main
from tests.factories import D, snapshot

ROOT = Path(__file__).resolve().parents[1]
CHECKED = ("project_count", "total_investment_sum", "plan_investment_sum", "completed_ytd_sum",
           "investment_completion_rate", "private_share", "start_rate")

# (project_count, total, plan, ytd, completion rate, private share, start rate) per group, by hand:
# plan/ytd/rate/shares over 建设项目 only; start rate over 新开工 only (None where the group has none).
EXPECTED = {
    "chain": {
        "光伏": (2, 16_000, 1_500, 800, 800 / 1_500, 10_000 / 16_000, None),             # A, C
        "新材料": (1, 8_000, 800, 0, 0.0, 0.0, 0.0),                                    # E
        None: (2, 6_000, 400, 100, 100 / 400, 0.0, 1.0),                                # B, D (未归链)
    },
    "level": {
        "省级": (2, 18_000, 1_800, 600, 600 / 1_800, 10_000 / 18_000, 0.0),              # A, E
        "市级": (1, 6_000, 500, 200, 200 / 500, 0.0, None),                              # C
        "县级": (2, 6_000, 400, 100, 100 / 400, 0.0, 1.0),                               # B, D
    },
    "category": {
        "产业": (3, 24_000, 2_300, 800, 800 / 2_300, 10_000 / 24_000, 0.0),              # A, C, E
        "基础设施": (1, 4_000, 400, 100, 100 / 400, 0.0, 1.0),                            # B
        "社会民生": (1, 2_000, 0, 0, None, None, None),                                   # D: no 建设项目 at all
    },
    "investor_type": {
        "民间投资": (2, 12_000, 1_000, 600, 600 / 1_000, 1.0, None),                      # A, D
        "政府投资": (1, 4_000, 400, 100, 100 / 400, 0.0, 1.0),                            # B
        "国有企业": (1, 6_000, 500, 200, 200 / 500, 0.0, None),                           # C
        "外商投资": (1, 8_000, 800, 0, 0.0, 0.0, 0.0),                                    # E
    },
    "county": {
        "甲县": (2, 14_000, 1_400, 700, 700 / 1_400, 10_000 / 14_000, 1.0),              # A, B
        "乙县": (3, 16_000, 1_300, 200, 200 / 1_300, 0.0, 0.0),                          # C, D, E
    },
    "tier": {  # left-closed bands: A's 10000万 is 1亿, so 1-5亿
        "1-5亿": (1, 10_000, 1_000, 600, 600 / 1_000, 1.0, None),                         # A
        "亿元以下": (4, 20_000, 1_700, 300, 300 / 1_700, 0.0, 0.5),                        # B, C, D, E
    },
}


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("by_store")
    Store(root).write(snapshot(
        "2024-06",
        dict(project_id="A", county="甲县", chain="光伏", category="产业", industry_class="新兴产业", level="省级",
             build_type="续建", investor_type="民间投资", total_investment=10_000, plan_investment_year=1_000,
             completed_investment_ytd=600, actual_start=D(2023, 3, 1)),
        dict(project_id="B", county="甲县", category="基础设施", level="县级", build_type="新开工",
             investor_type="政府投资", total_investment=4_000, plan_investment_year=400, completed_investment_ytd=100,
             actual_start=D(2024, 3, 1)),
        dict(project_id="C", county="乙县", chain="光伏", category="产业", industry_class="传统产业", level="市级",
             build_type="续建", investor_type="国有企业", total_investment=6_000, plan_investment_year=500,
             completed_investment_ytd=200, actual_start=D(2023, 3, 1)),
        dict(project_id="D", county="乙县", category="社会民生", level="县级", build_type="储备", status="未开工",
             investor_type="民间投资", total_investment=2_000, plan_investment_year=0, completed_investment_ytd=0),
        dict(project_id="E", county="乙县", chain="新材料", category="产业", industry_class="新兴产业", level="省级",
             build_type="新开工", status="未开工", investor_type="外商投资", total_investment=8_000,
             plan_investment_year=800, completed_investment_ytd=0)), source="by.xlsx", user="test")
    return root


def _run(*args: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert cli_main(list(args)) == 0
    return out.getvalue()


def _close(got, want) -> bool:
    return got is None if want is None else got == pytest.approx(want)


@pytest.mark.parametrize("by", list(EXPECTED))
def test_breakdown_rows_and_values(store, by):
    doc = json.loads(_run("indicators", "--data", str(store), "--month", "2024-06", "--by", by, "--format", "json"))
    assert doc["month"] == "2024-06" and doc["by"] == by
    rows = {r[by]: r["indicators"] for r in doc["rows"]}
    assert len(rows) == len(doc["rows"]), "a group is listed twice"
    assert set(rows) == set(EXPECTED[by])  # every group with a project, and nothing else
    for group, want in EXPECTED[by].items():
        got = [rows[group][i] for i in CHECKED]
        assert all(_close(g, w) for g, w in zip(got, want)), (group, got, want)


def test_by_chain_has_the_no_chain_row_as_null_in_json_and_named_in_the_table(store):
    doc = json.loads(_run("indicators", "--data", str(store), "--month", "2024-06", "--by", "chain", "--format", "json"))
    no_chain = [r for r in doc["rows"] if r["chain"] is None]
    assert len(no_chain) == 1 and no_chain[0]["indicators"]["project_count"] == 2
    table = _run("indicators", "--data", str(store), "--month", "2024-06", "--by", "chain", "--format", "table")
    header = table.splitlines()[1].split()
    assert header[0] == "指标" and sorted(header[1:]) == sorted(["光伏", "新材料", "（未归链）"])
    counts = next(line.split() for line in table.splitlines() if line.startswith("项目个数"))
    assert dict(zip(header[1:], counts[1:])) == {"光伏": "2个", "新材料": "1个", "（未归链）": "2个"}


def test_by_chain_through_python_dash_m(store):
    p = subprocess.run([sys.executable, "-m", "metrics", "indicators", "--data", str(store), "--month", "2024-06",
                        "--by", "chain", "--format", "json"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    rows = {r["chain"]: r["indicators"]["total_investment_sum"] for r in json.loads(p.stdout)["rows"]}
    assert rows == {"光伏": 16_000, "新材料": 8_000, None: 6_000}
