"""Teaching that works (issue #26): taught headings find the header (two levels too), a heading taught for one unit
only, the contract's reading always wins over a taught one, refusals name every heading not recognised, the hint
proposes a plausible heading per missing column, and the report names every kind of problem."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from data import mappings, register
from data.ingest import import_file
from data.problems import Problem, format_report
from data.store import Store, StoreError
from tests.factories import tree_bytes
from tests.real_tables import write_rows

ROOT = Path(__file__).resolve().parents[1]
REGISTER = [["项目编码", "项目名称", "县区", "项目类别", "项目级别", "建设性质", "投资主体", "总投资(万元)", "年度计划投资(万元)",
             "是否招商引资签约项目"],
            ["P1", "甲县物流园", "甲县", "基础设施", "县级", "续建", "国有企业", 9000, 3000, "否"],
            ["P2", "甲县农贸市场", "甲县", "社会民生", "县级", "新开工", "政府投资", 2000, 800, "否"],
            ["Q1", "乙县物流园", "乙县", "基础设施", "县级", "续建", "国有企业", 7000, 2000, "否"]]
# A two-level header none of whose sub-headings the contract knows: 工程编号, 工程名称, 本年完成 …
TWO_LEVEL = [
    ["甲县2025年6月重点工程推进表"],
    ["工程概况", None, None, "资金(万元)", None, "推进情况"],
    ["工程编号", "工程名称", "所属片区", "本年度安排", "本年完成", "当前节点"],
    ["P1", "甲县物流园", "北片", 3000, 1200, "主体施工"],
    ["P2", "甲县农贸市场", "南片", 800, 0, "完成招标"],
]
TWO_LEVEL_MERGES = ("A1:F1", "A2:C2", "D2:E2")


def _cli(*args) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "KPM_STORE"}
    p = subprocess.run([sys.executable, "-m", "data", *map(str, args)], cwd=ROOT, capture_output=True, text=True,
                       env=env, timeout=120)
    assert "Traceback" not in p.stderr, p.stderr
    return p


@pytest.fixture()
def store(tmp_path) -> Store:
    s = Store(tmp_path / "store")
    assert register.import_register(write_rows(REGISTER, tmp_path / "名单.xlsx"), store=s, year=2025).ok
    return s


def test_a_header_of_unknown_headings_is_refused_naming_every_one(store, tmp_path):
    path = write_rows(TWO_LEVEL, tmp_path / "t.xlsx", TWO_LEVEL_MERGES)
    before = tree_bytes(store.root)
    out = import_file(path, store=store, unit="甲县")
    assert [p.rule for p in out.errors] == ["未找到表头"]
    # every text of the likeliest header rows the picker can teach, in the file's order
    assert out.unknown_headers == ["工程概况", "资金(万元)", "推进情况", "工程编号", "工程名称", "所属片区", "本年度安排", "本年完成",
                                   "当前节点"]
    assert "其中未能识别的表头：工程概况、资金(万元)" in out.errors[0].message
    assert tree_bytes(store.root) == before


def test_a_taught_two_level_header_is_found(store, tmp_path):
    for source, canonical in (("工程编号", "项目编码"), ("工程名称", "项目名称"), ("本年完成", "本年累计完成投资"),
                              ("当前节点", "形象进度")):
        mappings.add_column(store, source, canonical)
    out = import_file(write_rows(TWO_LEVEL, tmp_path / "t.xlsx", TWO_LEVEL_MERGES), store=store, unit="甲县")
    assert out.ok, out.report()
    assert out.result.header_row == 2  # the group row; the sub-headings under it on row 3
    got = store.read("2025-06").select("project_id", "county", "completed_investment_ytd", "progress_note",
                                       "total_investment").rows()
    assert got == [("P1", "甲县", 1200.0, "主体施工", 9000.0), ("P2", "甲县", 0.0, "完成招标", 2000.0)]
    assert {w.value for w in out.warnings if w.rule == "未识别的列"} == {"所属片区", "本年度安排"}


def test_a_heading_taught_for_one_unit_is_read_only_in_that_units_files(store, tmp_path):
    for source, canonical in (("工程编号", "项目编码"), ("本年完成", "本年累计完成投资")):
        mappings.add_column(store, source, canonical)
    mappings.add_column(store, "工程名称", "项目名称", unit="甲县")
    assert mappings.load(store).units == {"甲县": {"工程名称": "project_name"}}
    jia = [*TWO_LEVEL[:1], ["填报单位：甲县发展和改革局"], *TWO_LEVEL[1:]]
    merges = ("A1:F1", "A3:C3", "D3:E3")
    out = import_file(write_rows(jia, tmp_path / "jia.xlsx", merges), store=store)  # the unit from its 填报单位 line
    assert out.ok, out.report()
    assert store.read("2025-06").filter(pl.col("county") == "甲县")["project_name"].to_list() == ["甲县物流园", "甲县农贸市场"]
    assert not any(w.value == "工程名称" for w in out.warnings if w.rule == "未识别的列")
    yi = [*TWO_LEVEL[:1], ["填报单位：乙县发展和改革局"], *TWO_LEVEL[1:3], ["Q1", "乙县的名字", "北片", 2000, 500, "主体"]]
    other = import_file(write_rows(yi, tmp_path / "yi.xlsx", merges), store=store)
    # in 乙县's file 工程名称 names nothing: ignored, the name is the register's
    assert other.ok and "工程名称" in other.unknown_headers
    assert store.read("2025-06").filter(pl.col("county") == "乙县")["project_name"].to_list() == ["乙县物流园"]
    listed = _cli("mapping", "list", "--store", store.root).stdout
    assert "“工程名称” → “项目名称（仅甲县）”" in listed
    assert _cli("mapping", "remove", "--column", "工程名称", "--unit", "甲县", "--store", store.root).returncode == 0
    assert mappings.load(store).units == {}


def test_a_recognised_heading_always_wins_over_a_taught_one(store, tmp_path):
    # taught before 建设地点 was the contract's (location), and 所在地 taught as 县区: neither clashes with 县区
    (store.root / "mappings.json").write_text(json.dumps({"columns": {"建设地点": "county", "所在地": "county"},
                                                          "values": {}}, ensure_ascii=False), encoding="utf-8")
    rows = [["甲县2025年6月重点项目进度"], ["项目编码", "县区", "建设地点", "所在地", "本年累计完成投资"],
            ["P1", "甲县", "北片物流基地", "北片", 1200]]
    out = import_file(write_rows(rows, tmp_path / "t.xlsx"), store=store)
    assert out.ok, out.report()
    assert not any(p.rule == "表头重复" for p in out.errors)
    row = store.read("2025-06").row(0, named=True)
    assert (row["county"], row["location"]) == ("甲县", "北片物流基地")
    [w] = [w for w in out.warnings if w.rule == "记住的对应未使用"]
    assert "“建设地点”记为“县区”（按标准读作“建设地点”）" in w.message and "“所在地”记为“县区”" in w.message


def test_mapping_add_takes_a_column_with_or_without_its_unit(store, tmp_path):
    p = _cli("mapping", "add", "--column", "完成总额", "开工累计完成投资", "--store", store.root)
    assert p.returncode == 0, p.stderr
    assert mappings.load(store).columns == {"完成总额": "completed_investment_total"}
    mappings.add_column(store, "年内完成(万元)", "本年累计完成投资(万元)")
    rows = [["甲县2025年6月重点项目进度"], ["项目编码", "年内完成", "完成总额(万元)"], ["P1", 1200, 5000]]
    out = import_file(write_rows(rows, tmp_path / "t.xlsx"), store=store)
    assert out.ok, out.report()
    row = store.read("2025-06").row(0, named=True)
    assert (row["completed_investment_ytd"], row["completed_investment_total"]) == (1200.0, 5000.0)
    with pytest.raises(StoreError, match="已是标准表头“年度计划投资\\(万元\\)”的写法"):
        mappings.add_column(store, "2025年计划投资", "本年累计完成投资")


def test_the_hint_proposes_a_likely_heading_for_each_missing_column(tmp_path):
    store = Store(tmp_path / "empty")
    rows = [["甲县2025年6月重点项目进度"],
            ["项目编码", "工程名", "县区", "项目类别", "项目级别", "建设性质", "投资主体", "总投资(万元)", "年度计划投资(万元)",
             "是否招商引资签约项目", "今年完成额"],
            ["P1", "甲县物流园", "甲县", "基础设施", "县级", "续建", "国有企业", 9000, 3000, "否", 1200]]
    p = _cli("import", write_rows(rows, tmp_path / "t.xlsx"), "--store", store.root)
    assert p.returncode == 1
    assert "python -m data mapping add --column 工程名 项目名称" in p.stdout
    assert "python -m data mapping add --column 今年完成额 本年累计完成投资(万元)" in p.stdout
    assert "mapping add --column 工程名 本年累计完成投资" not in p.stdout


def test_the_report_names_every_kind_however_many_rows_one_kind_has():
    errors = [Problem("必填项为空", "项目名称", r, "", "请补填。") for r in range(3, 303)]
    errors += [Problem("取值不在范围", "建设状态", 400, "施工", "请改。"), Problem("数值为负", "总投资(万元)", 401, "-1", "改。")]
    warnings = [Problem("约数", "", None, "", "1 个金额写的是约数。")]
    text = format_report(errors, warnings, limit=50)
    for heading in ("■ 必填项为空（300 条），下列前 47 条", "■ 取值不在范围（1 条）", "■ 数值为负（1 条）", "■ 约数（1 条）"):
        assert heading in text
    assert "第 400 行" in text and "第 401 行" in text and "第 49 行" in text and "第 50 行" not in text
    assert "…另有 253 条未列出（共 303 条）。" in text
