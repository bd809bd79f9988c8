"""DOMAIN.md Part 3 "Completion", one rule a test: each expected value written out from the rule, by hand."""
from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import polars as pl
import pytest

from data import register
from data.ingest import import_file
from data.store import Store
from metrics.engine import Dataset, compute
from tests.real_tables import write_rows

D = dt.date
REGISTER = [
    ["项目编码", "项目名称", "县区", "项目类别", "产业类型", "项目级别", "建设性质", "投资主体", "总投资(万元)", "年度计划投资(万元)",
     "是否招商引资签约项目", "项目业主"],
    ["P1", "甲县光伏制造基地", "甲县", "产业", "新兴产业", "市级", "续建", "民间投资", 50000, 12000, "是", "甲县光伏有限公司"],
    ["P2", "甲县污水处理厂扩建", "甲县", "生态环保", None, "县级", "续建", "政府投资", 8000, 3000, "否", "甲县水务局"],
    ["P3", "甲县职教中心", "甲县", "社会民生", None, "县级", "新开工", "政府投资", 12000, 4000, "否", None],
]
LEDGER = ["报送月份", "项目编码", "项目名称", "县区", "项目类别", "产业类型", "项目级别", "建设性质", "建设状态", "投资主体",
          "总投资(万元)", "年度计划投资(万元)", "本年累计完成投资(万元)", "开工累计完成投资(万元)", "本年资金到位(万元)",
          "实际开工时间", "立项(审批/核准/备案)时间", "用地面积(亩)", "年税收(万元)", "是否招商引资签约项目", "存在问题", "是否入统"]
# May, published: P1 and P2 of the register (P1 written 县级 then: the register says 市级) and P4, not in the register.
MAY = [
    LEDGER,
    ["2025-05", "P1", "甲县光伏制造基地", "甲县", "产业", "新兴产业", "县级", "续建", "停工", "民间投资", 50000, 12000, 5000,
     21000, 4500, "2024-03-01", "2023-11-02", 120, 35, "是", "组件线设备未到货", "是"],
    ["2025-05", "P2", "甲县污水处理厂扩建", "甲县", "生态环保", None, "县级", "续建", "在建", "政府投资", 8000, 3000, 1000,
     2600, 900, "2024-09-01", "2024-05-06", None, None, "否", None, "否"],
    ["2025-05", "P4", "甲县冷链物流园", "甲县", "基础设施", None, "县级", "新开工", "在建", "国有企业", 6000, 2000, 300, 300,
     300, "2025-04-20", "2025-01-15", 40, None, "否", None, "是"],
]


def progress(rows: list[list], headers=("项目编码", "本年累计完成投资"), month="2025-06") -> list[list]:
    return [[f"甲县{month[:4]}年{int(month[5:])}月重点项目进度"], list(headers), *rows]


@pytest.fixture()
def store(tmp_path) -> Store:
    s = Store(tmp_path / "store")
    assert register.import_register(write_rows(REGISTER, tmp_path / "名单.xlsx"), store=s, year=2025).ok
    assert import_file(write_rows(MAY, tmp_path / "5月.xlsx"), store=s).ok
    return s


def _import(store: Store, rows: list[list], path: Path, **kw):
    out = import_file(write_rows(rows, path), store=store, **kw)
    return out


def _row(store: Store, month: str, pid: str) -> dict:
    return next(r for r in store.read(month).to_dicts() if r["project_id"] == pid)


def test_an_attribute_the_file_lacks_comes_from_the_register_before_last_month(store, tmp_path):
    out = _import(store, progress([["P1", 6000], ["P2", 1500], ["P3", 0]]), tmp_path / "6月.xlsx")
    assert out.ok, out.report()
    p1 = _row(store, "2025-06", "P1")
    assert (p1["level"], p1["category"], p1["total_investment"], p1["owner"]) == ("市级", "产业", 50000.0, "甲县光伏有限公司")
    assert {c.zh: c.text for c in out.completions}["项目级别"] == "取自2025年度名单（3项）"


def test_a_file_without_codes_is_matched_to_the_register_by_name_within_its_unit(store, tmp_path):
    other = [REGISTER[0], ["Q1", "甲县 光伏制造基地", "乙县", "其他", None, "省级", "续建", "外商投资", 1, 1, "否", None]]
    assert register.import_register(write_rows(other, tmp_path / "乙县.xlsx"), store=store, year=2025).ok
    rows = [["甲县2025年6月重点项目进度"], ["项目名称", "县区", "本年累计完成投资"], ["甲县 光伏制造基地", "甲县", 6000],
            ["甲县污水处理厂（扩建）", "甲县", 1500]]
    out = _import(store, rows, tmp_path / "6月.xlsx")
    assert out.ok, out.report()
    # the register's P1 by its name in 甲县 (not 乙县's Q1 of the same name), blanks and brackets aside
    got = store.read("2025-06").select("project_id", "project_name", "level", "investor_type").rows()
    assert got == [("P1", "甲县 光伏制造基地", "市级", "民间投资"), ("P2", "甲县污水处理厂（扩建）", "县级", "政府投资")]
    # …and 乙县's own file of that name finds 乙县's Q1
    yi = [["乙县2025年6月重点项目进度"], ["项目名称", "县区", "本年累计完成投资"], ["甲县光伏制造基地", "乙县", 1]]
    assert _import(store, yi, tmp_path / "乙县.xlsx").ok
    assert store.read("2025-06").filter(pl.col("county") == "乙县").select("project_id", "level").rows() == [("Q1", "省级")]


def test_a_project_not_in_the_register_takes_last_months_attributes(store, tmp_path):
    out = _import(store, progress([["P1", 6000], ["P4", 500]]), tmp_path / "6月.xlsx")
    assert out.ok, out.report()
    p4 = _row(store, "2025-06", "P4")
    assert (p4["category"], p4["build_type"], p4["investor_type"], p4["total_investment"]) == ("基础设施", "新开工",
                                                                                               "国有企业", 6000.0)


def test_a_column_the_file_has_is_the_files_empty_cells_included(store, tmp_path):
    rows = progress([["P1", 6000, None], ["P2", 1500, "县级"]], headers=("项目编码", "本年累计完成投资", "项目级别"))
    out = _import(store, rows, tmp_path / "6月.xlsx")
    assert not out.ok
    assert [(p.rule, p.column, p.row) for p in out.errors] == [("必填项为空", "项目级别", 3)]


def test_every_other_absent_column_is_carried_from_the_units_last_published_month(store, tmp_path):
    out = _import(store, progress([["P1", 6000], ["P2", 1500]]), tmp_path / "6月.xlsx")
    assert out.ok, out.report()
    p1 = _row(store, "2025-06", "P1")
    assert (p1["proc_approval"], p1["land_area_mu"], p1["annual_tax"], p1["in_statistics"], p1["problems"],
            p1["actual_start"], p1["funds_in_place_ytd"]) == (D(2023, 11, 2), 120.0, 35.0, True, "组件线设备未到货",
                                                              D(2024, 3, 1), 4500.0)
    # 开工累计: May's amount before this year (21000 − 5000) plus this year's 6000
    assert p1["completed_investment_total"] == 22000.0


def test_a_null_required_progress_value_is_unreported_and_indicators_count_known_rows(store, tmp_path):
    rows = progress([["P1", 6000, "2024-03-01"], ["P2", 1500, "2024-09-01"], ["P3", 0, "2025-06-01"]],
                    headers=("项目编码", "本年累计完成投资", "实际开工时间"))
    out = _import(store, rows, tmp_path / "6月.xlsx")
    assert out.ok, out.report()
    p3 = _row(store, "2025-06", "P3")
    assert p3["funds_in_place_ytd"] is None and p3["in_statistics"] is None and p3["completed_investment_total"] is None
    lines = {c.zh: c.text for c in out.completions}
    assert lines["是否入统"] == "沿用2025-05（2项），1项未填报"
    assert lines["本年资金到位(万元)"] == "沿用2025-05（2项），1项未填报"
    row = compute(Dataset.from_store(store), ["2025-06"], ids=["funds_in_place_rate", "stats_inclusion_rate"]).row(
        0, named=True)
    # P1 and P2 are known; P3 (新开工, started on 6-01) has neither value: counted in neither rate
    assert row["funds_in_place_rate"] == pytest.approx((4500 + 900) / (12000 + 3000))
    assert row["n__funds_in_place_rate"] == 2
    assert row["stats_inclusion_rate"] == pytest.approx(1 / 2) and row["n__stats_inclusion_rate"] == 2


def test_an_absent_status_is_carried_else_worked_out_from_the_start(store, tmp_path):
    rows = [["甲县2025年6月重点项目进度"], ["项目编码", "本年累计完成投资", "实际开工时间", "项目名称", "项目类别", "项目级别", "建设性质", "投资主体",
                      "总投资(万元)", "年度计划投资(万元)", "是否招商引资签约项目", "县区"],
            ["P1", 6000, None, "甲县光伏制造基地", "产业", "市级", "续建", "民间投资", 50000, 12000, "是", "甲县"],
            ["P3", 0, "2025-06-10", "甲县职教中心", "社会民生", "县级", "新开工", "政府投资", 12000, 4000, "否", "甲县"],
            ["P9", 0, None, "甲县新建项目", "其他", "县级", "新开工", "政府投资", 900, 100, "否", "甲县"]]
    out = _import(store, rows, tmp_path / "6月.xlsx")
    assert out.ok, out.report()
    got = dict(store.read("2025-06").select("project_id", "status").rows())
    assert got == {"P1": "停工", "P3": "在建", "P9": "未开工"}  # P1 as in May; P3 started 6-10; P9 not started
    [w] = [w for w in out.warnings if w.rule == "建设状态推定"]
    assert "在建 1 行、未开工 1 行" in w.message


def test_a_register_row_without_a_code_gets_the_made_code_and_later_months_find_it(tmp_path):
    s = Store(tmp_path / "store")
    reg = [["项目名称", "县区", "项目类别", "项目级别", "建设性质", "投资主体", "总投资(万元)", "年度计划投资(万元)",
            "是否招商引资签约项目"],
           ["丙区智慧停车楼", "丙区", "基础设施", "县级", "新开工", "国有企业", 3000, 1000, "否"]]
    assert register.import_register(write_rows(reg, tmp_path / "名单.xlsx"), store=s, year=2025).ok
    made = "X" + hashlib.sha1("丙区|丙区智慧停车楼".encode()).hexdigest()[:11].upper()
    assert register.read(s, 2025)["丙区"]["project_id"].to_list() == [made]
    for month, ytd in (("2025-03", 100), ("2025-04", 250)):
        rows = [[f"丙区{month[:4]}年{int(month[5:])}月重点项目进度"], ["项目名称", "县区", "本年累计完成投资"],
                ["丙区 智慧停车楼", "丙区", ytd]]
        out = import_file(write_rows(rows, tmp_path / f"{month}.xlsx"), store=s)
        assert out.ok, out.report()
        assert s.read(month)["project_id"].to_list() == [made]


def test_a_row_matched_nowhere_must_carry_every_required_attribute(store, tmp_path):
    out = _import(store, progress([["P1", 6000], ["P8", 10]]), tmp_path / "6月.xlsx")
    assert not out.ok
    [p] = out.errors
    assert (p.rule, p.row, p.value) == ("未匹配项目缺少必填项", 4, "P8")
    assert p.column == "项目名称、县区、项目类别、项目级别、建设性质、投资主体、总投资(万元)、年度计划投资(万元)、是否招商引资签约项目"


def test_a_register_project_the_report_does_not_mention_is_a_warning(store, tmp_path):
    out = _import(store, progress([["P1", 6000], ["P3", 0]]), tmp_path / "6月.xlsx")
    assert out.ok, out.report()
    [w] = [w for w in out.warnings if w.rule == "未报进度"]
    assert "甲县在2025年度名单中的 1 个项目本月没有报送进度：“甲县污水处理厂扩建”" in w.message


def test_an_attribute_differing_from_the_register_is_the_reports_with_a_warning(store, tmp_path):
    rows = progress([["P1", 6000, 52000], ["P2", 1500, 8000]], headers=("项目编码", "本年累计完成投资", "总投资(万元)"))
    out = _import(store, rows, tmp_path / "6月.xlsx")
    assert out.ok, out.report()
    assert _row(store, "2025-06", "P1")["total_investment"] == 52000.0
    [w] = [w for w in out.warnings if w.rule == "与名单不一致"]
    assert "第 3 行“甲县光伏制造基地”总投资(万元)：名单为 50,000，本表为 52,000" in w.message and "1 处" in w.message


def test_last_month_is_the_units_latest_published_month(store, tmp_path):
    # 甲县's June, re-submitted by its reporter and waiting for review, is not published: July carries May's values
    june = _import(store, progress([["P1", 6000], ["P2", 1500]]), tmp_path / "6月.xlsx", reporter_unit="甲县")
    assert june.ok and store.units("2025-06")["甲县"].pending is not None
    # …and 乙县 has published June: a later month, but not 甲县's
    yi = [LEDGER, ["2025-06", "Y1", "乙县水厂", "乙县", "基础设施", None, "县级", "续建", "在建", "国有企业", 100, 50, 10, 10,
                   10, "2024-01-01", None, None, None, "否", None, "是"]]
    assert _import(store, yi, tmp_path / "乙县6月.xlsx").ok
    out = _import(store, progress([["P1", 7000]], month="2025-07"), tmp_path / "7月.xlsx")
    assert out.ok, out.report()
    p1 = _row(store, "2025-07", "P1")
    assert p1["status"] == "停工" and p1["completed_investment_total"] == 16000 + 7000
    assert {c.zh: c.text for c in out.completions}["建设状态"] == "沿用2025-05（1项）"


def test_only_the_register_of_the_reports_year_is_read(store, tmp_path):
    old = [REGISTER[0], ["P5", "甲县旧项目", "甲县", "其他", None, "县级", "续建", "政府投资", 100, 50, "否", None]]
    assert register.import_register(write_rows(old, tmp_path / "2024.xlsx"), store=store, year=2024).ok
    out = _import(store, progress([["P5", 10]]), tmp_path / "6月.xlsx")
    # nothing known of the file's only project: the columns it lacks are named, as a ledger's missing columns are
    assert not out.ok and {(p.rule, p.column) for p in out.errors} >= {("缺少必填列", "项目名称"), ("缺少必填列", "项目类别")}


def test_this_years_money_is_not_carried_into_a_new_year(tmp_path):
    s = Store(tmp_path / "store")
    dec = [MAY[0], ["2024-12", *MAY[1][1:]]]
    assert import_file(write_rows(dec, tmp_path / "12月.xlsx"), store=s).ok
    rows = [["甲县2025年1月重点项目进度"], ["项目编码", "本年累计完成投资"], ["P1", 800]]
    out = import_file(write_rows(rows, tmp_path / "1月.xlsx"), store=s)
    assert out.ok, out.report()
    p1 = _row(s, "2025-01", "P1")
    # 本年资金到位 is the year's: not December's 4500; 开工累计 = December's whole total + January's 800
    assert p1["funds_in_place_ytd"] is None and p1["completed_investment_total"] == 21000 + 800


@pytest.mark.parametrize("headers, rows, want", [
    # every month 1..N present: their sum
    (("项目编码", "1月完成投资", "2月完成投资", "3月完成投资", "4月完成投资", "5月完成投资", "6月完成投资"),
     [["P1", 1000, 1000, 1000, 1000, 1000, 1200]], 6200.0),
    # only this month's: May's 本年累计 (5000) + June's
    (("项目编码", "当月完成投资"), [["P1", 700]], 5700.0),
    (("项目编码", "5月完成投资", "6月完成投资"), [["P1", 800, 900]], 5900.0),
])
def test_ytd_from_the_months_amounts(store, tmp_path, headers, rows, want):
    out = _import(store, progress(rows, headers=headers), tmp_path / "6月.xlsx")
    assert out.ok, out.report()
    assert _row(store, "2025-06", "P1")["completed_investment_ytd"] == want


def test_january_ytd_is_januarys_amount(tmp_path):
    s = Store(tmp_path / "store")
    dec = [MAY[0], ["2024-12", *MAY[1][1:]]]
    assert import_file(write_rows(dec, tmp_path / "12月.xlsx"), store=s).ok
    rows = [["甲县2025年1月重点项目进度"], ["项目编码", "1月完成投资"], ["P1", 650]]
    out = import_file(write_rows(rows, tmp_path / "1月.xlsx"), store=s)
    assert out.ok, out.report()
    assert _row(s, "2025-01", "P1")["completed_investment_ytd"] == 650.0


def test_prior_years_plus_ytd_is_the_total_when_the_file_has_no_total(store, tmp_path):
    rows = progress([["P1", 6000, 15500]], headers=("项目编码", "本年累计完成投资", "截至上年底累计完成投资"))
    out = _import(store, rows, tmp_path / "6月.xlsx")
    assert out.ok, out.report()
    assert _row(store, "2025-06", "P1")["completed_investment_total"] == 21500.0
