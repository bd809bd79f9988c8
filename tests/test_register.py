"""The year's project list (register): imported per unit, versioned like submissions (history, audit, the lock, a
refused import writes nothing), 增补/调出 as a unit's re-import with --replace, listed, and the 底稿 it prefills."""
from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from data import register
from data.ingest import import_file
from data.store import Store
from data.store_check import check_store
from tests.factories import tree_bytes
from tests.real_tables import write_rows

ROOT = Path(__file__).resolve().parents[1]
HEAD = ["项目编码", "项目名称", "县区", "项目类别", "项目级别", "建设性质", "投资主体", "总投资(万元)", "年度计划投资(万元)",
        "是否招商引资签约项目", "建设内容"]
A1 = ["A1", "甲县物流园", "甲县", "基础设施", "县级", "续建", "国有企业", 9000, 3000, "否", "仓储10万平方米"]
A2 = ["A2", "甲县农贸市场", "甲县", "社会民生", "县级", "新开工", "政府投资", 2000, 800, "否", "市场1.2万平方米"]
A3 = ["A3", "甲县光伏电站", "甲县", "生态环保", "市级", "新开工", "民间投资", 15000, 5000, "是", "50兆瓦"]
B1 = ["B1", "乙县水厂", "乙县", "基础设施", "市级", "续建", "国有企业", 6000, 2500, "否", "日供水5万吨"]


def _cli(*args) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "KPM_STORE"}
    p = subprocess.run([sys.executable, "-m", "data", *map(str, args)], cwd=ROOT, capture_output=True, text=True,
                       env=env, timeout=120)
    assert "Traceback" not in p.stderr, p.stderr
    return p


def _file(tmp_path: Path, name: str, *rows) -> Path:
    return write_rows([HEAD, *rows], tmp_path / name)


def test_import_groups_into_units_and_lists(tmp_path):
    store = Store(tmp_path / "s")
    p = _cli("register", "import", _file(tmp_path, "名单.xlsx", A1, A2, B1), "--year", 2025, "--store", store.root)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "名单导入成功：2025年度，项目 3 个" in p.stdout
    assert "甲县：原 0 项 → 新 2 项：增补 2 项（“甲县物流园”、“甲县农贸市场”）、调出 0 项、属性有变化 0 项" in p.stdout
    assert register.units(store, 2025) == ["乙县", "甲县"]
    assert register.read(store, 2025)["甲县"].columns == ["project_id", "project_name", "county", "category", "level",
                                                           "build_type", "investor_type", "total_investment",
                                                           "plan_investment_year", "is_signed_attraction", "scope"]
    listed = _cli("register", "list", "--year", 2025, "--format", "json", "--store", store.root)
    body = json.loads(listed.stdout)
    assert body["year"] == 2025 and [(u["unit"], u["rows"]) for u in body["units"]] == [("乙县", 1), ("甲县", 2)]
    assert [(r["unit"], r["project_id"], r["project_name"], r["total_investment"], r["scope"]) for r in body["projects"]] \
        == [("乙县", "B1", "乙县水厂", 6000.0, "日供水5万吨"), ("甲县", "A1", "甲县物流园", 9000.0, "仓储10万平方米"),
            ("甲县", "A2", "甲县农贸市场", 2000.0, "市场1.2万平方米")]
    text = _cli("register", "list", "--year", 2025, "--store", store.root).stdout
    assert "2025年度重点项目名单：2 个单位，3 个项目" in text and "甲县农贸市场" in text
    [rec] = register.history(store, 2025)
    assert rec["action"] == "register" and rec["year"] == 2025 and rec["units"]["甲县"]["added"] == ["A1", "A2"]


def test_additions_and_removals_are_a_units_reimport_with_replace(tmp_path):
    store = Store(tmp_path / "s")
    assert register.import_register(_file(tmp_path, "a.xlsx", A1, A2, B1), store=store, year=2025, user="wang").ok
    before = tree_bytes(store.root)
    # 增补 A3, 调出 A2, A1's plan changed: refused without --replace, the store as it was
    new = _file(tmp_path, "b.xlsx", [*A1[:8], 3500, *A1[9:]], A3)
    refused = register.import_register(new, store=store, year=2025)
    assert not refused.ok and [p.rule for p in refused.errors] == ["名单已有数据"]
    assert "甲县：原 2 项 → 新 2 项：增补 1 项（“甲县光伏电站”）、调出 1 项（“甲县农贸市场”）、属性有变化 1 项" in \
        refused.errors[0].message
    assert tree_bytes(store.root) == before
    p = _cli("register", "import", new, "--year", 2025, "--replace", "--store", store.root)
    assert p.returncode == 0, p.stdout
    assert register.read(store, 2025)["甲县"]["project_id"].to_list() == ["A1", "A3"]
    assert register.read(store, 2025)["乙县"]["project_id"].to_list() == ["B1"]  # another unit's part untouched
    records = register.history(store, 2025)
    assert [(r["units"]["甲县"]["added"], r["units"]["甲县"]["removed"], r["units"]["甲县"]["changed"],
             r["units"]["甲县"]["replaced"]) for r in records] == [(["A1", "A2"], [], [], False),
                                                                  (["A3"], ["A2"], ["A1"], True)]
    kept = list((store.root / "register" / "history" / "2025").glob("甲县.*.parquet"))
    assert len(kept) == 1 and pl.read_parquet(kept[0])["project_id"].to_list() == ["A1", "A2"]
    assert check_store(store).ok


def test_a_project_in_two_units_lists_is_refused(tmp_path):
    store = Store(tmp_path / "s")
    assert register.import_register(_file(tmp_path, "a.xlsx", A1), store=store, year=2025).ok
    before = tree_bytes(store.root)
    out = register.import_register(_file(tmp_path, "b.xlsx", [*A1[:2], "乙县", *A1[3:]]), store=store, year=2025)
    assert not out.ok and "项目编码“A1”（甲县物流园）同时出现在“甲县”和“乙县”的2025年度名单中" in out.errors[0].message
    assert tree_bytes(store.root) == before


def test_a_register_is_checked_like_a_ledger(tmp_path):
    store = Store(tmp_path / "s")
    bad = [*A1[:3], "工业", *A1[4:7], -5, *A1[8:]]
    out = register.import_register(_file(tmp_path, "a.xlsx", bad, [*A2[:1], "甲县物流园", *A2[2:]]), store=store,
                                   year=2025)
    assert not out.ok
    assert {(p.rule, p.column, p.row) for p in out.errors} == {("取值不在范围", "项目类别", 2), ("数值为负", "总投资(万元)", 2),
                                                               ("项目名称重复", "项目名称", 3)}
    assert not (store.root / "register").exists()


def test_a_named_units_list(tmp_path):
    store = Store(tmp_path / "s")
    out = register.import_register(_file(tmp_path, "a.xlsx", A1, B1), store=store, year=2025, unit="市交通局")
    assert out.ok, out.report()
    assert register.units(store, 2025) == ["市交通局"]
    assert register.history(store, 2025)[0]["units"]["市交通局"]["kind"] == "named"


def test_the_template_of_a_unit_with_a_register_is_prefilled_from_it(tmp_path):
    store = Store(tmp_path / "s")
    may = [["报送月份", *HEAD[:5], "建设状态", *HEAD[5:10], "本年累计完成投资(万元)", "开工累计完成投资(万元)",
            "本年资金到位(万元)", "是否入统"],
           ["2025-05", *A2[:5], "在建", *A2[5:10], 300, 300, 200, "是"],
           ["2025-05", "A9", "甲县旧项目", "甲县", "其他", "县级", "在建", "续建", "政府投资", 100, 50, "否", 10, 90, 10, "是"]]
    assert import_file(write_rows(may, tmp_path / "may.xlsx"), store=store).ok
    assert register.import_register(_file(tmp_path, "a.xlsx", A1, A2), store=store, year=2025).ok
    out = tmp_path / "底稿.xlsx"
    p = _cli("template", "--unit", "甲县", "--month", "2025-06", "--store", store.root, "--out", out)
    assert p.returncode == 0 and "取自2025年度名单、2025-05已发布的数据，2 个项目" in p.stdout, p.stdout
    ws = openpyxl.load_workbook(out).worksheets[0]
    heads = [c.value for c in ws[2]]
    rows = [dict(zip(heads, (c.value for c in r))) for r in ws.iter_rows(min_row=3, max_row=4)]
    # the register's projects in its order; A2's progress as May published it; A9 (not on the list) gone
    assert [(r["项目编码"], r["项目名称"], r["本年累计完成投资(万元)"], r["建设状态"]) for r in rows] == [
        ("A1", "甲县物流园", None, None), ("A2", "甲县农贸市场", 300, "在建")]
    assert ws.cell(5, 2).value is None
    assert rows[0]["报送月份"] == dt.datetime(2025, 6, 1)


def test_without_a_register_the_template_is_last_months_as_before(tmp_path):
    store = Store(tmp_path / "s")
    got = register.prefill(store, "甲县", "2025-06")
    assert got is None
    may = pl.read_parquet(ROOT / "data" / "demo" / "snapshots" / "2025-05.parquet").filter(pl.col("county") == "石门县")
    store.write(may, source="demo")
    month, frame = register.prefill(store, "石门县", "2025-06")
    assert month == "2025-05" and frame.equals(store.last_published("石门县", "2025-06")[1])


@pytest.mark.parametrize("year", ["1999", "abc"])
def test_the_year_is_checked(tmp_path, year):
    p = _cli("register", "import", _file(tmp_path, "a.xlsx", A1), "--year", year, "--store", tmp_path / "s")
    assert p.returncode in (1, 2) and not (tmp_path / "s" / "register").exists()
