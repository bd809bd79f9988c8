"""在线填报's pure side (data/register_form.py): the rows a reporter starts from, checked exactly as an upload, a draft
that survives. The page (phase 2) only renders these."""
from __future__ import annotations

import polars as pl
import pytest

from data import register, register_form as rf
from data.ingest import import_file
from data.store import Store
from tests.factories import tree_bytes
from tests.real_tables import write_rows

REGISTER = [["项目编码", "项目名称", "县区", "项目类别", "项目级别", "建设性质", "投资主体", "总投资(万元)", "年度计划投资(万元)",
             "是否招商引资签约项目", "年底应达形象进度"],
            ["A1", "甲县物流园", "甲县", "基础设施", "县级", "续建", "国有企业", 9000, 3000, "否", "主体完工"],
            ["A2", "甲县农贸市场", "甲县", "社会民生", "县级", "新开工", "政府投资", 2000, 800, "否", None]]
MAY = [["报送月份", "项目编码", "项目名称", "县区", "项目类别", "项目级别", "建设性质", "建设状态", "投资主体", "总投资(万元)",
        "年度计划投资(万元)", "本年累计完成投资(万元)", "开工累计完成投资(万元)", "本年资金到位(万元)", "实际开工时间",
        "是否招商引资签约项目", "是否入统", "形象进度"],
       ["2025-05", "A1", "甲县物流园", "甲县", "基础设施", "县级", "续建", "在建", "国有企业", 9000, 3000, 1000, 4000, 900,
        "2024-04-01", "否", "是", "主体三层"]]


@pytest.fixture()
def store(tmp_path) -> Store:
    s = Store(tmp_path / "s")
    assert register.import_register(write_rows(REGISTER, tmp_path / "r.xlsx"), store=s, year=2025).ok
    assert import_file(write_rows(MAY, tmp_path / "m.xlsx"), store=s).ok
    return s


def test_the_form_starts_from_the_register_and_last_month(store):
    form = rf.progress_form(store, "甲县", "2025-06")
    assert form.source == "2025年度名单、2025-05已发布的数据" and not form.draft
    rows = form.rows.to_dicts()
    assert [(r["project_id"], r["completed_investment_ytd"], r["status"], r["progress_note"], r["target_note"],
             r["in_statistics"]) for r in rows] == [("A1", 1000.0, "在建", "主体三层", "主体完工", True),
                                                    ("A2", None, None, None, None, None)]
    assert set(rf.FORM_COLUMNS) <= set(form.rows.columns)


def test_year_to_date_amounts_start_empty_in_a_new_year(store):
    form = rf.progress_form(store, "甲县", "2026-01")
    assert form.rows.filter(pl.col("project_id") == "A1")["completed_investment_ytd"].to_list() == [None]


def test_a_form_is_checked_exactly_as_the_same_rows_uploaded(store, tmp_path):
    rows = rf.progress_form(store, "甲县", "2025-06").rows.with_columns(
        pl.Series("completed_investment_ytd", [1500.0, 100.0]), pl.Series("status", ["在建", "施工"]),
        pl.Series("progress_note", ["主体五层", "完成招标"]), pl.Series("funds_in_place_ytd", [1200.0, 80.0]),
        pl.Series("in_statistics", [True, False]))
    form = rf.check_form(store, "甲县", "2025-06", rows)
    # the same progress report as a file the reporter uploads (its columns under their Chinese headers)
    sent = rf.form_report(rows, "2025-06")
    from data.schema import ZH
    table = [[ZH[c] for c in sent.columns], *[list(r) for r in sent.iter_rows()]]
    upload = import_file(write_rows(table, tmp_path / "u.xlsx"), store=store, month="2025-06", reporter_unit="甲县",
                         dry_run=True)
    assert not form.ok and not upload.ok
    assert [(p.rule, p.column, p.value) for p in form.errors] == [(p.rule, p.column, p.value) for p in upload.errors] \
        == [("取值不在范围", "建设状态", "施工")]
    assert form.errors[0].row == 2 and upload.errors[0].row == 3  # the form's row 2; the file's row 3 under its header
    assert sorted(w.rule for w in form.warnings) == sorted(w.rule for w in upload.warnings)
    assert [c.line for c in form.completions] == [c.line for c in upload.completions]


def test_a_form_is_submitted_for_review_like_an_upload(store):
    rows = rf.progress_form(store, "甲县", "2025-06").rows.with_columns(
        pl.Series("completed_investment_ytd", [1500.0, 100.0]), pl.Series("status", ["在建", "在建"]),
        pl.Series("funds_in_place_ytd", [1200.0, 80.0]), pl.Series("in_statistics", [True, False]))
    before = tree_bytes(store.root)
    checked = rf.check_form(store, "甲县", "2025-06", rows)
    assert checked.ok, checked.report()
    assert tree_bytes(store.root) == before  # a check writes nothing
    out = rf.check_form(store, "甲县", "2025-06", rows, submit=True, user="wang")
    assert out.ok and out.record["action"] == "submit" and out.record["unit"] == "甲县"
    rec, pending = store.pending("2025-06", "甲县")
    assert pending["completed_investment_ytd"].to_list() == [1500.0, 100.0]
    assert pending["total_investment"].to_list() == [9000.0, 2000.0]  # attributes completed from the register
    store.publish("2025-06", "甲县", user="analyst")
    assert store.read("2025-06")["project_id"].to_list() == ["A1", "A2"]


def test_a_column_no_row_filled_is_left_out_so_its_values_are_unreported(store):
    rows = rf.progress_form(store, "甲县", "2026-01").rows.with_columns(
        pl.Series("completed_investment_ytd", [100.0]))  # no 2026 list: last month's one project
    assert rows["funds_in_place_ytd"].to_list() == [None]  # a new year: this year's money not prefilled
    out = rf.check_form(store, "甲县", "2026-01", rows)
    assert out.ok, out.report()
    assert {c.zh: c.text for c in out.completions}["本年资金到位(万元)"] == "1项未填报"


def test_a_draft_survives_and_is_what_the_form_opens_with(store):
    rows = rf.progress_form(store, "甲县", "2025-06").rows.with_columns(pl.lit("草稿").alias("progress_note"))
    rf.save_draft(store, "甲县", "2025-06", rows)
    again = rf.progress_form(store, "甲县", "2025-06")
    assert again.draft and again.rows.equals(rows)
    assert not rf.progress_form(store, "甲县", "2025-06", use_draft=False).draft
    rf.discard_draft(store, "甲县", "2025-06")
    assert rf.load_draft(store, "甲县", "2025-06") is None


def test_a_submitted_or_returned_form_starts_from_what_was_handed_in(store):
    rows = rf.progress_form(store, "甲县", "2025-06").rows.with_columns(
        pl.Series("completed_investment_ytd", [1500.0, 100.0]), pl.Series("status", ["在建", "在建"]),
        pl.Series("progress_note", ["主体五层", "完成招标"]), pl.Series("funds_in_place_ytd", [1200.0, 80.0]),
        pl.Series("in_statistics", [True, False]))
    assert rf.check_form(store, "甲县", "2025-06", rows, submit=True, user="wang").ok
    form = rf.progress_form(store, "甲县", "2025-06")
    assert form.source == "2025-06待审核的报送" and not form.draft
    assert form.rows.select("project_id", "completed_investment_ytd", "progress_note").rows() == [
        ("A1", 1500.0, "主体五层"), ("A2", 100.0, "完成招标")]
    store.return_submission("2025-06", "甲县", "A2 的投资请核实", user="li")
    form = rf.progress_form(store, "甲县", "2025-06")
    assert form.source == "2025-06被退回的报送" and form.rows["progress_note"].to_list() == ["主体五层", "完成招标"]
    assert rf.progress_form(store, "甲县", "2025-06", use_draft=False).source == "2025-06被退回的报送"
    rf.save_draft(store, "甲县", "2025-06", form.rows.with_columns(pl.Series("progress_note", ["主体六层", "完成招标"])))
    assert rf.progress_form(store, "甲县", "2025-06").rows["progress_note"].to_list() == ["主体六层", "完成招标"]
    assert rf.progress_form(store, "乙县", "2025-06").source is None       # another unit: nothing of 甲县's
