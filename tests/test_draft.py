"""The next month's 底稿: it re-imports unchanged, carries dropdowns, formats, a frozen header and 填报说明."""
from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from data.draft import draft_ledger
from data.ingest import import_file, read_ledger
from data.schema import COLUMNS, ZH
from data.store import Store

SNAPSHOTS = Path(__file__).resolve().parent.parent / "data" / "demo" / "snapshots"
AUGUST = dt.date(2025, 8, 1)
LETTER = {c.name: openpyxl.utils.get_column_letter(j) for j, c in enumerate(COLUMNS, start=1)}


@pytest.fixture(scope="module")
def shimen() -> pl.DataFrame:
    """石门县's published July 2025 (the demo store's month)."""
    frame = pl.read_parquet(SNAPSHOTS / "2025-07.parquet").filter(pl.col("county") == "石门县")
    assert frame.height == 104  # the demo month as generated; a change of the demo data shows here first
    return frame


@pytest.fixture(scope="module")
def workbook_bytes(shimen) -> bytes:
    return draft_ledger(shimen, AUGUST, "石门县")


@pytest.fixture(scope="module")
def ledger(workbook_bytes):
    return openpyxl.load_workbook(io.BytesIO(workbook_bytes)).worksheets[0]


def _expected(frame: pl.DataFrame, month: dt.date) -> pl.DataFrame:
    return frame.with_columns(pl.lit(month, dtype=pl.Date).alias("snapshot_month"))


def _validations(ws) -> dict[str, list]:
    by_col: dict[str, list] = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            by_col.setdefault(openpyxl.utils.get_column_letter(rng.min_col), []).append((dv, rng))
    return by_col


def _list_values(dv) -> tuple[str, ...]:
    assert dv.formula1.startswith('"') and dv.formula1.endswith('"'), dv.formula1
    return tuple(dv.formula1[1:-1].split(","))


# ---- it imports back --------------------------------------------------------------------------------------------
def test_unchanged_template_imports_as_the_same_rows_in_the_next_month(shimen, workbook_bytes):
    res = read_ledger(workbook_bytes, filename="石门县_2025年8月_底稿.xlsx")
    assert res.errors == [] and res.warnings == [], res.report()
    assert res.month == "2025-08" and res.sheet == "重点项目台账" and res.kind == "xlsx"
    assert res.header_row == 2  # the title row above is skipped by the header detection
    assert res.source_rows == list(range(3, 3 + 104))
    assert_frame_equal(res.frame, _expected(shimen, AUGUST))


def test_unchanged_template_imports_into_a_store(shimen, workbook_bytes, tmp_path):
    store = Store(tmp_path / "store")
    out = import_file(workbook_bytes, store=store, filename="石门县_底稿.xlsx", user="填报员")
    assert out.ok, out.report()
    assert out.month == "2025-08" and out.rows == 104
    assert_frame_equal(store.read("2025-08"), _expected(shimen, AUGUST), check_row_order=False)


def test_title_row_names_unit_and_month_and_survives_import(ledger, workbook_bytes):
    assert ledger["A1"].value == "石门县 2025年8月 重点项目台账"
    assert [c.value for c in ledger[2]] == [c.zh for c in COLUMNS]
    assert read_ledger(workbook_bytes).header_row == 2
    assert "A1:AF1" in {str(r) for r in ledger.merged_cells.ranges}


def test_title_falls_back_to_the_single_county_or_none(shimen):
    two = pl.read_parquet(SNAPSHOTS / "2025-07.parquet").filter(pl.col("county").is_in(["石门县", "东城区"]))
    title = lambda b: openpyxl.load_workbook(io.BytesIO(b)).worksheets[0]["A1"].value  # noqa: E731
    assert title(draft_ledger(shimen, AUGUST)) == "石门县 2025年8月 重点项目台账"
    assert title(draft_ledger(two, AUGUST)) == "2025年8月 重点项目台账"
    assert title(draft_ledger(two, AUGUST, "市交通局")) == "市交通局 2025年8月 重点项目台账"


def test_december_rolls_into_january_and_month_is_its_first_day():
    dec = pl.read_parquet(SNAPSHOTS / "2025-12.parquet").filter(pl.col("county") == "东城区")
    res = read_ledger(draft_ledger(dec, dt.date(2026, 1, 20), "东城区"))
    assert res.errors == [], res.report()
    assert res.month == "2026-01"
    assert_frame_equal(res.frame, _expected(dec, dt.date(2026, 1, 1)))


def test_a_project_added_in_an_empty_row_imports(shimen, workbook_bytes):
    wb = openpyxl.load_workbook(io.BytesIO(workbook_bytes))
    ws = wb.worksheets[0]
    new = {**shimen.row(0, named=True), "project_id": "NEW-0001", "project_name": "石门县新增测试项目"}
    r = 3 + 104 + 10  # a few rows below the last project, inside the prepared empty rows
    for j, c in enumerate(COLUMNS, start=1):
        v = new[c.name]
        ws.cell(r, j, ("是" if v else "否") if c.kind == "bool" else (AUGUST if c.name == "snapshot_month" else v))
    buf = io.BytesIO()
    wb.save(buf)
    res = read_ledger(buf.getvalue())
    assert res.errors == [], res.report()
    assert res.frame.height == 105 and res.frame["project_id"][-1] == "NEW-0001"


def test_text_that_looks_like_a_formula_stays_text(shimen):
    frame = shimen.with_columns(
        pl.when(pl.int_range(pl.len()) == 0).then(pl.lit("=征地拆迁+资金")).otherwise(pl.col("problems"))
        .alias("problems"))
    b = draft_ledger(frame, AUGUST)
    res = read_ledger(b)
    assert res.errors == [] and res.warnings == [], res.report()  # no 公式单元格 warning
    assert res.frame["problems"][0] == "=征地拆迁+资金"
    assert_frame_equal(res.frame, _expected(frame, AUGUST))


def test_control_characters_are_dropped_not_fatal(shimen):
    frame = shimen.with_columns(
        pl.when(pl.int_range(pl.len()) == 0).then(pl.lit("资金\x07未到位")).otherwise(pl.col("problems"))
        .alias("problems"))
    res = read_ledger(draft_ledger(frame, AUGUST))
    assert res.errors == [], res.report()
    assert res.frame["problems"][0] == "资金未到位"


# ---- dropdowns, formats, frozen header ------------------------------------------------------------------------
LITERAL_LISTS = {  # written out here, independently of the schema, for the columns a reporter sees most
    "category": ("产业", "基础设施", "社会民生", "生态环保", "其他"),
    "build_type": ("新开工", "续建", "前期", "储备"),
    "status": ("未开工", "在建", "停工", "竣工", "投产"),
    "is_signed_attraction": ("是", "否"),
    "in_statistics": ("是", "否"),
}


def test_every_enum_and_yes_no_column_has_a_list_validation_over_data_and_500_empty_rows(ledger):
    by_col = _validations(ledger)
    listed = [c for c in COLUMNS if c.kind in ("enum", "bool")]
    assert len(listed) == 8
    last = 2 + 104 + 500
    for c in listed:
        found = [(dv, rng) for dv, rng in by_col.get(LETTER[c.name], []) if dv.type == "list"]
        assert len(found) == 1, c.zh
        dv, rng = found[0]
        assert (rng.min_row, rng.max_row, rng.min_col, rng.max_col) == (3, last, rng.min_col, rng.min_col), c.zh
        expected = ("是", "否") if c.kind == "bool" else c.allowed
        assert _list_values(dv) == expected, c.zh
        assert dv.showErrorMessage and dv.errorStyle == "stop", c.zh
        assert c.zh in dv.error and "下拉列表" in dv.error, c.zh
    for name, values in LITERAL_LISTS.items():
        dv = next(dv for dv, _ in by_col[LETTER[name]] if dv.type == "list")
        assert _list_values(dv) == values, name
    no_list = {LETTER[c.name] for c in COLUMNS if c.kind not in ("enum", "bool")}
    assert not [col for col in no_list for dv, _ in by_col.get(col, []) if dv.type == "list"]


def test_date_columns_have_a_date_validation(ledger):
    by_col = _validations(ledger)
    for c in COLUMNS:
        if c.kind not in ("date", "month"):
            continue
        found = [dv for dv, rng in by_col.get(LETTER[c.name], []) if dv.type == "date"]
        assert len(found) == 1, c.zh
        dv = found[0]
        # Serial numbers of 1950-01-01 and 2100-12-31 (Excel epoch 1899-12-30), the importer's accepted span.
        assert (dv.operator, dv.formula1, dv.formula2) == ("between", "18264", "73415"), c.zh
        assert c.zh in dv.error and dv.showErrorMessage


def test_cells_are_real_dates_numbers_and_yes_no(ledger, shimen):
    first = shimen.row(0, named=True)
    for c in COLUMNS:
        cell = ledger[f"{LETTER[c.name]}3"]
        v = first[c.name]
        if c.kind == "date" and v is not None:
            assert isinstance(cell.value, dt.datetime) and cell.value.date() == v, c.zh
            assert cell.number_format == "yyyy-mm-dd" and cell.is_date, c.zh
        elif c.kind == "month":
            assert cell.value == dt.datetime(2025, 8, 1) and cell.is_date, c.zh
        elif c.kind == "money" and v is not None:
            assert type(cell.value) in (int, float) and cell.value == v, c.zh
            assert cell.number_format == "#,##0.00", c.zh
        elif c.kind == "bool":
            assert cell.value == ("是" if v else "否"), c.zh
    dates = [ledger[f"{LETTER['actual_start']}{r}"] for r in range(3, 3 + 104)]
    assert all(d.value is None or (isinstance(d.value, dt.datetime) and d.number_format == "yyyy-mm-dd")
               for d in dates)
    # Rows typed in later get the column's format too.
    assert ledger.column_dimensions[LETTER["planned_start"]].number_format == "yyyy-mm-dd"
    assert ledger.column_dimensions[LETTER["total_investment"]].number_format == "#,##0.00"


def test_header_row_is_frozen_and_columns_have_widths(ledger, workbook_bytes):
    header_row = read_ledger(workbook_bytes).header_row
    frozen = openpyxl.utils.cell.coordinate_from_string(ledger.freeze_panes)
    assert frozen[1] == header_row + 1
    for c in COLUMNS:
        width = ledger.column_dimensions[LETTER[c.name]].width
        assert 8 <= width <= 40, c.zh
    assert ledger.column_dimensions[LETTER["project_name"]].width > ledger.column_dimensions[LETTER["level"]].width


# ---- 填报说明 -------------------------------------------------------------------------------------------------------
def _guide(b: bytes):
    wb = openpyxl.load_workbook(io.BytesIO(b))
    assert wb.sheetnames == ["重点项目台账", "填报说明"]
    ws = wb["填报说明"]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    head = next(i for i, r in enumerate(rows) if r[:7] == ["列", "中文表头", "类型", "是否必填", "每月更新", "规则", "可选值"])
    return rows, head


def test_instructions_list_every_column_with_rule_and_values(workbook_bytes):
    rows, head = _guide(workbook_bytes)
    body = {r[1]: r for r in rows[head + 1: head + 1 + len(COLUMNS)]}
    assert list(body) == [c.zh for c in COLUMNS]
    for j, c in enumerate(COLUMNS, start=1):
        r = body[c.zh]
        assert r[0] == openpyxl.utils.get_column_letter(j)
        assert r[3] == ("是" if c.required else "否")
        assert r[5] == (c.rule or "可空")
        if c.kind == "enum":
            assert r[6] == "、".join(c.allowed)
        elif c.kind == "bool":
            assert r[6] == "是、否"
        else:
            assert r[6] is None
    assert body["项目类别"][6] == "产业、基础设施、社会民生、生态环保、其他"
    assert body["项目编码"][3] == "是" and body["产业链"][3] == "否"
    assert any(r[0] and "2025-08" in str(r[0]) for r in rows[:head])  # the notes name the month to report


# The month's progress, written out by hand: what a county re-reports every month.
PROGRESS = ("建设状态", "实际开工时间", "本年累计完成投资(万元)", "开工累计完成投资(万元)", "本年资金到位(万元)", "存在问题", "是否入统")


def test_the_progress_columns_are_marked_to_update_with_a_colour_and_a_note(shimen):
    wb = openpyxl.load_workbook(io.BytesIO(draft_ledger(shimen, AUGUST, "石门县", source="2025-07")))
    ws = wb.worksheets[0]
    heads = {c.value: c for c in ws[2]}
    marked = {h for h, c in heads.items() if c.comment is not None}
    assert marked == set(PROGRESS)
    colours = {h: c.fill.fgColor.rgb for h, c in heads.items()}
    assert len({colours[h] for h in PROGRESS}) == 1 and colours["建设状态"] not in {colours["项目名称"], colours["总投资(万元)"]}
    note = heads["本年累计完成投资(万元)"].comment.text
    assert "本月须更新" in note and "2025-08" in note and "2025-07 的数据" in note
    first_row = {ws.cell(2, j).value: ws.cell(3, j) for j in range(1, ws.max_column + 1)}
    assert first_row["建设状态"].fill.fgColor.rgb != first_row["项目名称"].fill.fgColor.rgb   # carried figures shaded
    rows, head = _guide(draft_ledger(shimen, AUGUST, "石门县", source="2025-07"))
    body = {r[1]: r for r in rows[head + 1: head + 1 + len(COLUMNS)]}
    assert {h for h, r in body.items() if r[4] == "是"} == set(PROGRESS)
    notes = " ".join(str(r[0]) for r in rows[:head] if r[0])
    assert "橙色表头的列（建设状态、实际开工时间" in notes and "沿用的是 2025-07 的数据" in notes
    assert read_ledger(draft_ledger(shimen, AUGUST, "石门县", source="2025-07")).warnings == []   # still imports clean
    jan = openpyxl.load_workbook(io.BytesIO(draft_ledger(shimen, dt.date(2026, 1, 1), "石门县", source="2025-12")))
    assert "1月份的本年累计从 0 起算" in {c.value: c for c in jan.worksheets[0][2]}["本年资金到位(万元)"].comment.text


def test_the_rules_sheet_is_chinese(workbook_bytes):
    """No English field name (or any other Latin word) in 填报说明: a county reporter reads it."""
    import re

    wb = openpyxl.load_workbook(io.BytesIO(workbook_bytes))
    text = [str(c.value) for row in wb["填报说明"].iter_rows() for c in row if c.value is not None]
    assert not [v for v in text if v in {c.name for c in COLUMNS}]
    latin = [v for v in text if not re.fullmatch(r"[A-Z]{1,2}", v)   # the 列 letters are Excel's own
             and re.search(r"[A-Za-z]{2,}", re.sub(r"yyyy-mm(-dd)?|YYYY-MM", "", v))]
    assert not latin, latin


def test_indicator_calibers_are_listed_when_given(shimen):
    b = draft_ledger(shimen, AUGUST, indicators=[("投资完成率", "本年累计完成投资 ÷ 年度计划投资")])
    rows, head = _guide(b)
    tail = rows[head + 1 + len(COLUMNS):]
    assert ["主要指标", "口径"] in [[r[1], r[5]] for r in tail]
    assert ["投资完成率", "本年累计完成投资 ÷ 年度计划投资"] in [[r[1], r[5]] for r in tail]
    assert read_ledger(b).errors == []


# ---- a unit without a published month --------------------------------------------------------------------------
def test_empty_template_has_headers_validations_and_instructions_and_is_refused_as_empty():
    b = draft_ledger(None, AUGUST, "北岭县")
    wb = openpyxl.load_workbook(io.BytesIO(b))
    ws = wb.worksheets[0]
    assert ws["A1"].value == "北岭县 2025年8月 重点项目台账"
    assert [c.value for c in ws[2]] == [c.zh for c in COLUMNS]
    assert ws.max_row == 2  # no data cells, only prepared rows
    by_col = _validations(ws)
    status = next((dv, rng) for dv, rng in by_col[LETTER["status"]] if dv.type == "list")
    assert _list_values(status[0]) == LITERAL_LISTS["status"] and (status[1].min_row, status[1].max_row) == (3, 502)
    assert len([1 for v in by_col.values() for dv, _ in v if dv.type == "list"]) == 8
    rows, head = _guide(b)
    assert [r[1] for r in rows[head + 1: head + 1 + len(COLUMNS)]] == [ZH[c.name] for c in COLUMNS]
    res = read_ledger(b)
    assert [(p.rule, p.row, p.message) for p in res.errors] == [
        ("没有数据", 2, "第 2 行表头下面没有项目数据：请确认数据在表头下方，且不是只有合计行。")]
    assert res.frame is None
    # An empty frame is the same as none.
    empty = pl.read_parquet(SNAPSHOTS / "2025-07.parquet").clear()
    assert [(p.rule, p.row) for p in read_ledger(draft_ledger(empty, AUGUST, "北岭县")).errors] == [("没有数据", 2)]
