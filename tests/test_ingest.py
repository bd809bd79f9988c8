"""Reading ledgers: the sample, every format, header detection, cell parsing, every rule from a file, the store."""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import zipfile
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from data.ingest import (
    import_file, parse_bool, parse_date, parse_month_value, parse_number, parse_text, read_ledger,
)
from data.schema import COLUMNS, SCHEMA, ZH
from data.store import Store
from tests.factories import (
    ledger_rows, tree_bytes, valid_frame, write_csv, write_parquet, write_table_csv, write_table_xlsx, write_xlsx,
)
from tests.helpers import DEMO_LEDGER, with_row

SAMPLE = DEMO_LEDGER
HEADERS = [c.zh for c in COLUMNS]
FIRST_DATA_ROW = 4  # write_xlsx: title row 1, unit row 2, header row 3


def _col(zh: str) -> int:
    return HEADERS.index(zh)


def _report_has(res, rule: str, column: str, row: int | None) -> bool:
    text = res.report(limit=500)
    where = f"第 {row} 行" if row is not None else ""
    return any(p.rule == rule and p.column == column and p.row == row for p in res.errors) and \
        rule in text and f"「{column}」" in text and where in text


# ---- the demo county's ledger (laid out like the county offices' sample) -------------------------------------------
@pytest.fixture(scope="module")
def sample():
    res = read_ledger(SAMPLE)
    assert res.errors == [], res.report()
    return res


def test_sample_imports(sample):
    f = sample.frame
    assert f.height == 89 and f.schema == SCHEMA and f.columns == [c.name for c in COLUMNS]
    assert sample.month == "2024-06" and sample.sheet == "重点项目台账" and sample.kind == "xlsx"
    assert sample.header_row == 3
    assert sample.source_rows == list(range(5, 94))  # two header rows, 合计 on row 94 skipped
    assert "合计" not in f["project_id"].to_list()
    assert f.row(0, named=True) == {
        "snapshot_month": dt.date(2024, 6, 1), "project_id": "2020-369925-36-03-814940",
        "project_name": "石门县星河绿色农产品精深加工项目", "county": "石门县", "chain": "绿色食品", "category": "产业",
        "industry_class": "新兴产业", "level": "县级", "build_type": "续建", "status": "在建", "investor_type": "国有企业",
        "total_investment": 5030.0, "plan_investment_year": 994.92, "completed_investment_ytd": 223.89,
        "completed_investment_total": 4258.97, "funds_in_place_ytd": 197.86, "planned_start": dt.date(2020, 11, 12),
        "actual_start": dt.date(2021, 3, 16), "planned_completion": dt.date(2024, 10, 13),
        "proc_approval": dt.date(2020, 9, 21), "proc_land": dt.date(2020, 11, 4), "proc_planning": dt.date(2021, 1, 12),
        "proc_eia": dt.date(2020, 11, 10), "proc_energy": dt.date(2021, 1, 11),
        "proc_construction_permit": dt.date(2021, 3, 3), "land_area_mu": 31.7, "annual_tax": None,
        "annual_profit_tax": None, "is_signed_attraction": False, "leader": None, "problems": None,
        "in_statistics": True}
    last = f.row(88, named=True)
    assert (last["project_id"], last["status"], last["actual_start"], last["in_statistics"]) == (
        "2024-369925-84-03-591696", "未开工", None, False)
    assert sample.sha256 == hashlib.sha256(SAMPLE.read_bytes()).hexdigest() and sample.filename == SAMPLE.name


def test_sample_agrees_with_its_cells_read_directly(sample):
    """openpyxl's own reading of the sheet is the oracle: every code in order, and each money column's sum equal to
    the file's 合计 row."""
    ws = openpyxl.load_workbook(SAMPLE, read_only=True).active
    rows = list(ws.iter_rows(min_row=5, values_only=True))
    data, total = rows[:-1], rows[-1]
    assert total[0] == "合计" and [r[0] for r in data] == list(range(1, 90))
    assert sample.frame["project_id"].to_list() == [r[1] for r in data]
    for j, name in enumerate(("total_investment", "plan_investment_year", "completed_investment_ytd",
                              "completed_investment_total", "funds_in_place_ytd"), start=11):
        assert sample.frame[name].sum() == pytest.approx(total[j], abs=0.005), name


def test_a_cell_of_only_spaces_reads_as_empty(tmp_path):
    wb = openpyxl.load_workbook(SAMPLE)
    wb.active["AE7"] = "   "  # 存在问题 of the third project
    wb.save(tmp_path / "spaces.xlsx")
    res = read_ledger(tmp_path / "spaces.xlsx")
    assert res.errors == [] and res.frame.row(2, named=True)["problems"] is None


def test_sample_in_every_format_gives_the_same_frame(sample, tmp_path):
    f = sample.frame
    files = {
        "xlsx": write_xlsx(f, tmp_path / "a.xlsx"),
        "csv-gb18030": write_csv(f, tmp_path / "b.csv", encoding="gb18030", title="石门县2024年6月重点项目"),
        "csv-utf8-bom": write_csv(f, tmp_path / "c.csv", encoding="utf-8-sig"),
        "csv-utf8-tab": write_csv(f, tmp_path / "d.txt", encoding="utf-8", delimiter="\t"),
        "csv-semicolon": write_csv(f, tmp_path / "e.csv", encoding="utf-8", delimiter=";"),
        "parquet": write_parquet(f, tmp_path / "f.parquet"),
    }
    for label, path in files.items():
        res = read_ledger(path)
        assert res.errors == [], (label, res.report())
        assert_frame_equal(res.frame, f), label
        assert res.month == "2024-06"


def test_gb18030_really_is_not_utf8(sample, tmp_path):
    data = write_csv(sample.frame, tmp_path / "g.csv", encoding="gb18030").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    res = read_ledger(data)
    assert res.errors == [] and res.kind == "csv"
    assert_frame_equal(res.frame, sample.frame)


def test_source_rows_csv_and_parquet(tmp_path):
    f = valid_frame(3)
    assert read_ledger(write_csv(f, tmp_path / "a.csv", title="标题")).source_rows == [3, 4, 5]
    assert read_ledger(write_parquet(f, tmp_path / "a.parquet")).source_rows == [1, 2, 3]


def test_bytes_source_and_extension_ignored(tmp_path):
    f = valid_frame(3)
    xlsx = write_xlsx(f, tmp_path / "really.csv")  # an xlsx with a misleading extension
    res = read_ledger(xlsx.read_bytes(), filename="上传.csv")
    assert res.kind == "xlsx" and res.filename == "上传.csv"
    assert_frame_equal(res.frame, f)
    csv_as_xlsx = write_csv(f, tmp_path / "really.xlsx")
    assert read_ledger(csv_as_xlsx).kind == "csv"


# ---- refused file types ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("data,needle", [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, ".xls"),
    (b"", "空"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR" + bytes(range(256)), "无法识别"),
    (b"<html><table><tr><td>x</td></tr></table></html>", "网页"),
])
def test_refused_types(data, needle):
    res = read_ledger(data, filename="x.xls")
    assert res.frame is None and len(res.errors) == 1 and needle in res.errors[0].message
    assert ".xlsx" in res.errors[0].message and res.errors[0].rule == "文件格式不支持"


def test_other_zip_refused():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("word/document.xml", "<w/>")
    res = read_ledger(buf.getvalue())
    assert [p.rule for p in res.errors] == ["文件格式不支持"] and "zip" in res.errors[0].message


def test_damaged_xlsx(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("xl/workbook.xml", "not xml")
    res = read_ledger(buf.getvalue())
    assert [p.rule for p in res.errors] == ["文件无法读取"] and "损坏" in res.errors[0].message


def test_missing_file(tmp_path):
    res = read_ledger(tmp_path / "nope.xlsx")
    assert [p.rule for p in res.errors] == ["文件无法读取"] and "找不到文件" in res.errors[0].message


def test_undecodable_csv():
    res = read_ledger(b"\xff\xff\x81\x30\xff,abc\n" * 3)
    assert res.frame is None and [p.rule for p in res.errors] == ["文件编码无法识别"]
    assert "UTF-8" in res.errors[0].message and "GB18030" in res.errors[0].message and "另存为" in res.errors[0].message


def test_no_header(tmp_path):
    res = read_ledger("a,b,c\n1,2,3\n".encode())
    assert res.frame is None and [p.rule for p in res.errors] == ["未找到表头"]


# ---- sheets ------------------------------------------------------------------------------------------------------
def test_sheet_selection(tmp_path):
    path = write_xlsx(valid_frame(2), tmp_path / "a.xlsx", sheet="六月")
    wb = openpyxl.load_workbook(path)
    wb.create_sheet("说明", 0).append(["填表说明"])
    wb.save(path)
    res = read_ledger(path)  # first sheet is 说明: no header there, so the one sheet with a header is read
    assert res.ok and res.sheet == "六月" and res.frame.height == 2, res.report()
    assert [p.message for p in res.warnings if p.rule == "已读取其他工作表"] == [
        "第一个工作表“说明”没有表头，已读取工作表“六月”：如要导入其他工作表，请用 --sheet 指定。"]
    res = read_ledger(path, sheet="六月")
    assert res.errors == [] and res.sheet == "六月"
    assert_frame_equal(res.frame, valid_frame(2))
    res = read_ledger(path, sheet="七月")
    assert [(p.rule, p.message) for p in res.errors] == [
        ("工作表不存在", "工作簿中没有名为“七月”的工作表。现有工作表：说明、六月。请用 --sheet 指定其中之一。")]


# ---- headers -----------------------------------------------------------------------------------------------------
def _two_level_xlsx(path: Path, frame: pl.DataFrame, group: str = "投资情况(亿元)", unit_row: str | None = None,
                    merge: bool = True, sub_unit: str = "") -> Path:
    """The sample's layout: top headers merged over two rows, money sub-headers under a merged group."""
    headers, rows = ledger_rows(frame, style="cells")
    money = [ZH[c] for c in ("total_investment", "plan_investment_year", "completed_investment_ytd",
                             "completed_investment_total", "funds_in_place_ytd")]
    first = headers.index(money[0])
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["某县重点项目表"])
    if unit_row:
        ws.append([unit_row])
    top = len(ws["A"]) + 1 if unit_row else 2
    top_row = ["序号"] + [None if h in money else h for h in headers]
    top_row[first + 1] = group
    sub_row = [None] + [h.replace("(万元)", sub_unit) if h in money else None for h in headers]
    ws.append(top_row)
    ws.append(sub_row)
    if merge:
        ws.merge_cells(start_row=top, start_column=first + 2, end_row=top, end_column=first + 1 + len(money))
        for j, h in enumerate(["序号", *headers], 1):
            if h not in money:
                ws.merge_cells(start_row=top, start_column=j, end_row=top + 1, end_column=j)
    for i, row in enumerate(rows, 1):
        ws.append([i, *[v / 10_000 if (h in money and v is not None and not sub_unit) else v
                        for h, v in zip(headers, row)]])
    ws.append(["小计"])
    wb.save(path)
    return path


def test_two_level_header_with_group_unit(tmp_path):
    f = valid_frame(4)
    res = read_ledger(_two_level_xlsx(tmp_path / "a.xlsx", f))
    assert res.errors == [], res.report()
    assert res.source_rows == [4, 5, 6, 7]
    assert_frame_equal(res.frame, f, abs_tol=1e-6)


def test_two_level_header_without_merges_and_unit_row(tmp_path):
    f = valid_frame(4)
    res = read_ledger(_two_level_xlsx(tmp_path / "a.xlsx", f, group="投资情况", unit_row="填报单位：某县　单位：亿元",
                                      merge=False))
    assert res.errors == [], res.report()
    assert_frame_equal(res.frame, f, abs_tol=1e-6)


def test_sub_header_own_unit_wins(tmp_path):
    f = valid_frame(3)
    res = read_ledger(_two_level_xlsx(tmp_path / "a.xlsx", f, sub_unit="(万元)"))
    assert res.errors == [], res.report()
    assert_frame_equal(res.frame, f)


def test_unit_row_yuan_scales_money(tmp_path):
    f = valid_frame(3)
    headers, rows = ledger_rows(f, style="cells")
    money = [i for i, h in enumerate(headers) if h.endswith("(万元)")]
    headers = [h.replace("(万元)", "") for h in headers]
    rows = [[v * 10_000 if i in money and v is not None else v for i, v in enumerate(r)] for r in rows]
    res = read_ledger(write_table_xlsx(headers, rows, tmp_path / "a.xlsx", unit_row="单位：元"))
    assert res.errors == [], res.report()
    assert_frame_equal(res.frame, f, abs_tol=1e-6)


def test_english_and_alias_headers_csv(tmp_path):
    f = valid_frame(3)
    _, rows = ledger_rows(f)
    names = [c.name for c in COLUMNS]
    assert_frame_equal(read_ledger(write_table_csv(names, rows, tmp_path / "en.csv")).frame, f)
    aliased = ["月份" if h == "报送月份" else "项目代码" if h == "项目编码" else "项目总投资(万元)"
               if h == "总投资(万元)" else h for h in HEADERS]
    assert_frame_equal(read_ledger(write_table_csv(aliased, rows, tmp_path / "al.csv")).frame, f)


def test_unmatched_columns_warn_and_junk_rows_skipped(tmp_path):
    f = valid_frame(3)
    headers, rows = ledger_rows(f, style="cells")
    headers = headers + ["备注", None]
    rows = [r + ["无", None] for r in rows]
    rows.insert(1, [None] * len(headers))  # empty row
    rows.insert(2, list(headers))  # the header repeated (a second page)
    rows.append(["注：本表由县发改局汇总"] + [None] * (len(headers) - 1))
    path = write_table_xlsx(headers, rows, tmp_path / "a.xlsx")
    wb = openpyxl.load_workbook(path)
    wb.active["A6"] = None  # the repeated header has no 序号; the empty row keeps its pre-printed number
    wb.save(path)
    res = read_ledger(path)
    assert res.errors == [], res.report()
    assert_frame_equal(res.frame, f)
    assert res.source_rows == [4, 7, 8]
    warned = {(p.rule, p.column) for p in res.warnings}
    assert ("未识别的列", "备注") in warned and ("已跳过说明行", "") in warned
    assert not any(p.column == "序号" for p in res.warnings)


def test_subtotal_rows_skipped_but_not_project_names(tmp_path):
    f = valid_frame(3)
    headers, rows = ledger_rows(f, style="cells")
    name = headers.index("项目名称")
    subtotal = [None] * len(headers)
    subtotal[name], subtotal[headers.index("总投资(万元)")] = "产业项目小计（2个）", 30000
    rows.insert(2, subtotal)
    res = read_ledger(write_table_xlsx(headers, rows, tmp_path / "a.xlsx"))
    assert res.errors == [], res.report()
    assert res.source_rows == [4, 5, 7]
    rows[0][headers.index("项目编码")], rows[0][name] = None, "城市总计划馆项目"  # a project with its code missing
    res = read_ledger(write_table_xlsx(headers, rows, tmp_path / "b.xlsx"))
    assert ("必填项为空", "项目编码", 4) in {(p.rule, p.column, p.row) for p in res.errors}


@pytest.mark.parametrize("seq,name", [(None, "一、产业类项目（2个）"), ("一", "产业类项目"), (None, "（二）基础设施项目"),
                                      (None, "2、社会民生项目"), (None, "第三类 生态环保项目"), ("（一）", "工业项目")])
def test_group_heading_rows_skipped_with_a_warning(tmp_path, seq, name):
    f = valid_frame(3)
    headers, rows = ledger_rows(f, style="cells")
    heading = [None] * len(headers)
    heading[headers.index("项目名称")], heading[headers.index("总投资(万元)")] = name, 30000  # with its subtotal
    rows.insert(1, heading)
    path = write_table_xlsx(headers, rows, tmp_path / "a.xlsx", total_row=False)
    if seq is not None:  # the heading's numeral in the 序号 column, as many county tables do
        wb = openpyxl.load_workbook(path)
        wb.active.cell(5, 1).value = seq
        wb.save(path)
    res = read_ledger(path)
    assert res.errors == [], res.report()
    assert_frame_equal(res.frame, f)
    assert res.source_rows == [4, 6, 7]
    skipped = [p for p in res.warnings if p.rule == "已跳过分组标题行"]
    assert [(p.row, p.value) for p in skipped] == [(5, " ".join(x for x in (seq, name) if x))]


def test_a_project_named_like_a_heading_is_not_skipped(tmp_path):
    f = valid_frame(2)
    headers, rows = ledger_rows(f, style="cells")
    rows[0][headers.index("项目编码")], rows[0][headers.index("项目名称")] = None, "一、城市更新项目"
    res = read_ledger(write_table_xlsx(headers, rows, tmp_path / "a.xlsx", total_row=False))
    # It has its 县区, 类别, 状态 …: a project missing its code, reported, not dropped.
    assert ("必填项为空", "项目编码", 4) in {(p.rule, p.column, p.row) for p in res.errors}
    assert not any(p.rule == "已跳过分组标题行" for p in res.warnings)


def _merge_down(path: Path, column: str, first: int, last: int) -> Path:
    """Merge one column's cells over data rows first..last (sheet rows), as a county office does for a block."""
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    c = HEADERS.index(column) + 2  # after the 序号 column, 1-based
    for r in range(first + 1, last + 1):
        ws.cell(r, c).value = None
    ws.merge_cells(start_row=first, start_column=c, end_row=last, end_column=c)
    wb.save(path)
    return path


def test_attribute_cells_merged_down_count_for_every_row(tmp_path):
    f = valid_frame(5).with_columns(county=pl.Series(["甲县", "甲县", "甲县", "乙县", "乙县"]),
                                    chain=pl.lit("新材料"), level=pl.lit("市级"))
    path = write_xlsx(f, tmp_path / "a.xlsx")
    for column, first, last in (("县区", 4, 6), ("县区", 7, 8), ("产业链", 4, 8), ("项目级别", 5, 8)):
        _merge_down(path, column, first, last)
    res = read_ledger(path)
    assert res.errors == [], res.report()
    assert_frame_equal(res.frame, f)


@pytest.mark.parametrize("column", ["总投资(万元)", "项目编码", "项目名称"])
def test_codes_names_and_numbers_merged_down_are_refused(tmp_path, column):
    path = _merge_down(write_xlsx(valid_frame(4), tmp_path / "a.xlsx"), column, 5, 7)
    res = read_ledger(path)
    assert res.frame is None
    merged = [p for p in res.errors if p.rule == "合并单元格"]
    assert [(p.column, p.row) for p in merged] == [(column, 5)] and "第 5–7 行" in merged[0].message
    # The covered rows are not reported a second time as empty.
    assert not any(p.column == column and p.row in (6, 7) for p in res.errors), res.report()
    assert "合并单元格" in res.report()


def test_column_number_row_under_header_skipped(tmp_path):
    f = valid_frame(2)
    headers, rows = ledger_rows(f)
    numbers = ["甲", "乙", *[str(i) for i in range(1, len(headers) - 1)]]
    res = read_ledger(write_table_csv(headers, [numbers, *rows], tmp_path / "a.csv"))
    assert res.errors == [], res.report()
    assert res.source_rows == [3, 4]
    assert_frame_equal(res.frame, f)


def test_utf16_csv(tmp_path):
    f = valid_frame(2)
    assert_frame_equal(read_ledger(write_csv(f, tmp_path / "u.txt", encoding="utf-16", delimiter="\t")).frame, f)


def test_missing_optional_column_warns(tmp_path):
    f = valid_frame(3).with_columns(chain=pl.lit(None, pl.String()))
    headers, rows = ledger_rows(f)
    j = _col("产业链")
    res = read_ledger(write_table_csv(headers[:j] + headers[j + 1:], [r[:j] + r[j + 1:] for r in rows],
                                      tmp_path / "a.csv"))
    assert res.errors == [] and ("缺少可选列", "产业链") in {(p.rule, p.column) for p in res.warnings}
    assert_frame_equal(res.frame, f)


# ---- cell parsing ------------------------------------------------------------------------------------------------
D = dt.date(2024, 3, 15)


@pytest.mark.parametrize("raw", [D, dt.datetime(2024, 3, 15, 10, 30), 45366, 45366.75, "45366", "2024-03-15",
                                 "2024/3/15", "2024.3.15", "2024年3月15日", "20240315", 20240315,
                                 "2024-03-15 10:30:00", "2024-03-15T08:00", " ２０２４-03-15 "])
def test_dates(raw):
    assert parse_date(raw) == D


@pytest.mark.parametrize("raw", ["2024-02-30", "明年", "3/15", "15.3.2024", 12, True, "2024-03-15 上午"])
def test_bad_dates(raw):
    with pytest.raises(ValueError):
        parse_date(raw)


@pytest.mark.parametrize("raw,want", [(None, None), ("", None), ("  ", None), ("2024-03", dt.date(2024, 3, 1))])
def test_date_blanks(raw, want):
    assert parse_date(raw) == want


@pytest.mark.parametrize("raw", [dt.date(2024, 6, 1), dt.datetime(2024, 6, 30), "2024-06", "2024年6月", "202406",
                                 202406, "2024/6", "2024-06-01", "2024年06月"])
def test_months(raw):
    assert parse_month_value(raw) == dt.date(2024, 6, 1)


@pytest.mark.parametrize("raw,want", [
    ("是", True), ("否", False), ("Y", True), ("n", False), ("Yes", True), ("NO", False), ("TRUE", True),
    ("false", False), ("1", True), ("0", False), (1, True), (0, False), ("√", True), ("×", False), (" 是 ", True),
    ("", None), (None, None), (True, True),
])
def test_bools(raw, want):
    assert parse_bool(raw) is want


@pytest.mark.parametrize("raw", ["对", "2", 2, "是的"])
def test_bad_bools(raw):
    with pytest.raises(ValueError):
        parse_bool(raw)


@pytest.mark.parametrize("raw,want", [
    ("1,234.5", 1234.5), ("1，234.5", 1234.5), (" 12 ", 12.0), ("１２３", 123.0), ("", None), (None, None),
    (7, 7.0), ("-3", -3.0), (".5", 0.5), ("1e3", 1000.0), ("—", None), (float("nan"), None),
])
def test_numbers(raw, want):
    assert parse_number(raw) == want


@pytest.mark.parametrize("raw", ["12万", "abc", "1,23", "1.2.3", True, dt.date(2024, 1, 1), "#DIV/0!"])
def test_bad_numbers(raw):
    with pytest.raises(ValueError):
        parse_number(raw)


def test_text():
    assert parse_text("  甲县 ") == "甲县" and parse_text("   ") is None and parse_text(123.0) == "123"


# ---- a failing file for every rule -------------------------------------------------------------------------------
def _cells(n=6):
    return ledger_rows(valid_frame(n), style="cells")


def _mutate(i: int, zh: str, value):
    """A mutation setting one cell of data row i."""
    def apply(headers, rows):
        rows[i][headers.index(zh)] = value
        return headers, rows
    return apply


def _dup(headers, rows):
    rows[4][headers.index("项目编码")] = rows[1][headers.index("项目编码")]
    return headers, rows


def _drop(zh):
    def apply(headers, rows):
        j = headers.index(zh)
        return headers[:j] + headers[j + 1:], [r[:j] + r[j + 1:] for r in rows]
    return apply


def _double(headers, rows):
    j = headers.index("总投资(万元)")
    return headers + ["项目总投资"], [r + [r[j]] for r in rows]


R = FIRST_DATA_ROW
CASES = {
    "必填": (_mutate(2, "项目名称", None), "必填项为空", "项目名称", R + 2),
    "编码重复": (_dup, "项目编码重复", "项目编码", R + 4),
    "枚举": (_mutate(1, "建设状态", "已批复"), "取值不在范围", "建设状态", R + 1),
    "枚举全角": (_mutate(1, "项目级别", "国家级"), "取值不在范围", "项目级别", R + 1),
    "产业类型缺失": (_mutate(0, "产业类型", None), "产业类型缺失", "产业类型", R),
    "产业类型应为空": (_mutate(1, "产业类型", "新兴产业"), "产业类型应为空", "产业类型", R + 1),
    "金额为负": (_mutate(3, "本年资金到位(万元)", -1), "数值为负", "本年资金到位(万元)", R + 3),
    "面积为负": (_mutate(1, "用地面积(亩)", "-2"), "数值为负", "用地面积(亩)", R + 1),
    "累计小于本年": (_mutate(1, "开工累计完成投资(万元)", 1.0), "开工累计小于本年累计", "开工累计完成投资(万元)", R + 1),
    "累计超总投资": (_mutate(2, "开工累计完成投资(万元)", 99_999_999), "累计投资超过总投资", "开工累计完成投资(万元)",
               R + 2),
    "开工晚于报送月": (_mutate(1, "实际开工时间", "2024-07-01"), "开工时间晚于报送月", "实际开工时间", R + 1),
    "月份不一致": (_mutate(5, "报送月份", "2024-05"), "报送月份不一致", "报送月份", R + 5),
    "类型错误-金额": (_mutate(1, "总投资(万元)", "五亿左右"), "类型错误", "总投资(万元)", R + 1),
    "类型错误-日期": (_mutate(2, "计划开工时间", "三月中旬"), "类型错误", "计划开工时间", R + 2),
    "类型错误-是否": (_mutate(3, "是否入统", "待定"), "类型错误", "是否入统", R + 3),
    "类型错误-月份": (_mutate(0, "报送月份", "六月"), "类型错误", "报送月份", R),
    "缺少必填列": (_drop("县区"), "缺少必填列", "县区", 3),
    "缺少报送月份": (_drop("报送月份"), "缺少报送月份", "报送月份", 3),
    "表头重复": (_double, "表头重复", "总投资(万元)", 3),
}
@pytest.mark.parametrize("case", list(CASES))
def test_every_rule_from_a_file(case, tmp_path):
    mutate, rule, column, row = CASES[case]
    headers, rows = mutate(*_cells())
    res = read_ledger(write_table_xlsx(headers, rows, tmp_path / "bad.xlsx"))
    assert res.frame is None
    assert _report_has(res, rule, column, row), res.report()


def test_type_error_names_the_raw_value(tmp_path):
    headers, rows = _cells()
    rows[1][_col("总投资(万元)")] = "五亿左右"  # (“约5亿” reads as 50 000, DOMAIN.md Part 3)
    res = read_ledger(write_table_xlsx(headers, rows, tmp_path / "bad.xlsx"))
    [p] = [p for p in res.errors if p.rule == "类型错误"]
    assert p.value == "五亿左右" and p.row == 5 and "数字" in p.message
    assert not any(p.rule == "必填项为空" and p.column == "总投资(万元)" for p in res.errors)  # not reported twice


def test_report_lists_several_problems(tmp_path):
    headers, rows = _cells()
    rows[0][_col("建设状态")] = "已批复"
    rows[2][_col("县区")] = None
    rows[3][_col("总投资(万元)")] = -10
    rows[4][_col("计划竣工时间")] = "明年底"
    res = read_ledger(write_table_xlsx(headers, rows, tmp_path / "bad.xlsx"))
    text = res.report()
    for rule, row in [("取值不在范围", 4), ("必填项为空", 6), ("数值为负", 7), ("类型错误", 8)]:
        assert rule in text and f"第 {row} 行" in text
    # the four cells typed wrong, and the negative 总投资 also makes the project's 3,000 spent exceed it
    assert sorted((p.rule, p.column, p.row) for p in res.errors) == [
        ("取值不在范围", "建设状态", 4), ("必填项为空", "县区", 6), ("数值为负", "总投资(万元)", 7),
        ("类型错误", "计划竣工时间", 8), ("累计投资超过总投资", "开工累计完成投资(万元)", 7)]
    assert text.startswith("检查结果：错误 5 条，警告 0 条。")


# ---- months ------------------------------------------------------------------------------------------------------
def test_two_month_file_refused(tmp_path):
    f = pl.concat([valid_frame(3, "2024-05"), valid_frame(3, "2024-06").with_columns(
        project_id=pl.col("project_id") + "b")])
    res = read_ledger(write_xlsx(f, tmp_path / "two.xlsx"))
    assert res.frame is None
    [p] = [p for p in res.errors if p.rule == "报送月份不一致" and p.row is None]
    assert "2024-05" in p.message and "2024-06" in p.message


def test_month_conflict_refused(tmp_path):
    res = read_ledger(write_xlsx(valid_frame(3), tmp_path / "a.xlsx"), month="2024-07")
    assert res.frame is None and [p.rule for p in res.errors] == ["月份冲突"]
    assert "2024-06" in res.errors[0].message and "2024-07" in res.errors[0].message


def test_month_argument_agrees_or_fills(tmp_path):
    f = valid_frame(3)
    assert_frame_equal(read_ledger(write_xlsx(f, tmp_path / "a.xlsx"), month="2024-06").frame, f)
    headers, rows = _drop("报送月份")(*ledger_rows(f))
    path = write_table_csv(headers, rows, tmp_path / "b.csv")
    res = read_ledger(path)
    assert [p.rule for p in res.errors] == ["缺少报送月份"] and "--month" in res.errors[0].message
    res = read_ledger(path, month="2024-06")
    assert res.month == "2024-06"
    assert_frame_equal(res.frame, f)
    assert [p.rule for p in read_ledger(path, month="六月").errors] == ["月份格式错误"]


# ---- import into the store ---------------------------------------------------------------------------------------
def test_import_file_writes_and_refuses_existing_month(tmp_path):
    store = Store(tmp_path / "store")
    out = import_file(SAMPLE, store=store, user="analyst")
    assert out.ok and out.month == "2024-06" and out.rows == 89 and out.record["action"] == "import"
    assert store.months() == ["2024-06"] and store.read("2024-06").height == 89
    before = tree_bytes(store.root)
    again = import_file(SAMPLE, store=store)
    assert not again.ok and again.errors[0].rule == "月份已有数据" and again.record is None
    assert tree_bytes(store.root) == before
    replaced = import_file(SAMPLE, store=store, replace=True)
    assert replaced.ok and replaced.record["action"] == "replace" and len(store.history("2024-06")) == 1


def test_import_file_refuses_invalid_and_writes_nothing(tmp_path):
    store = Store(tmp_path / "store")
    headers, rows = _cells()
    rows[0][_col("建设状态")] = "已批复"
    out = import_file(write_table_xlsx(headers, rows, tmp_path / "bad.xlsx"), store=store)
    assert not out.ok and out.record is None and not (tmp_path / "store").exists()


def test_import_warns_against_previous_month(tmp_path):
    store = Store(tmp_path / "store")
    may = valid_frame(5, "2024-05")
    assert import_file(write_parquet(may, tmp_path / "may.parquet"), store=store).ok
    june = valid_frame(5, "2024-06").filter(pl.col("project_id") != "P0004").with_columns(
        completed_investment_ytd=pl.when(pl.col("project_id") == "P0001").then(0.0)
        .otherwise(pl.col("completed_investment_ytd")))
    out = import_file(write_xlsx(june, tmp_path / "june.xlsx"), store=store)
    assert out.ok, out.report()
    got = sorted((p.rule, p.row, p.value) for p in out.warnings)
    assert got == [("上月项目本月缺失", None, "P0004"), ("本年累计减少", FIRST_DATA_ROW + 1, "0")]


def test_write_failure_leaves_store_intact(tmp_path, monkeypatch):
    store = Store(tmp_path / "store")
    assert import_file(SAMPLE, store=store).ok
    old = store.read("2024-06")
    before = tree_bytes(store.root)
    f = valid_frame(4)

    def boom(*a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", boom)
    out = import_file(write_parquet(f, tmp_path / "new.parquet"), store=store, replace=True)
    monkeypatch.undo()
    assert not out.ok and out.errors[-1].rule == "写入失败" and "未改变" in out.errors[-1].message
    assert_frame_equal(store.read("2024-06"), old)
    assert {k: v for k, v in tree_bytes(store.root).items() if not k.startswith("history/")} == before
    assert not list((tmp_path / "store").rglob("*.tmp"))


# ---- property tests ----------------------------------------------------------------------------------------------
import signal  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from data.schema import BUILD_TYPES, CATEGORIES, INDUSTRY_CLASSES, INVESTOR_TYPES, LEVELS, STATUSES  # noqa: E402
from data.months import parse_month  # noqa: E402

# Names drawn from characters that cannot spell a header, a 合计 word or a footnote opener.
SAFE = "甲乙丙丁戊己庚辛壬癸东西南北中ABCxyz0123456789-_·（）"
TEXT = st.text(alphabet=SAFE, min_size=1, max_size=10).map(str.strip).filter(bool)
MONEY = st.floats(0, 5e6, allow_nan=False, allow_infinity=False).map(lambda x: abs(round(x, 2)))
DATES = st.none() | st.dates(dt.date(2000, 1, 1), dt.date(2035, 12, 31))
# Examples, seed and deadline come from the profile (tests/conftest.py): fixed in CI, wider with HYPOTHESIS_PROFILE=wide.
PROPS = settings(suppress_health_check=[HealthCheck.too_slow])


@st.composite
def frames(draw, min_size: int = 1):
    """A random snapshot that obeys every DOMAIN.md rule."""
    n = draw(st.integers(min_size, 6))
    month = parse_month(draw(st.sampled_from(["2023-01", "2024-06", "2024-12"])))
    ids = draw(st.lists(TEXT, min_size=n, max_size=n, unique=True))
    rows = []
    for pid in ids:
        category = draw(st.sampled_from(CATEGORIES))
        total = draw(MONEY)
        done = round(total * draw(st.floats(0, 1.1)), 2)
        rows.append({
            "snapshot_month": month, "project_id": pid, "project_name": draw(TEXT), "county": draw(TEXT),
            "chain": draw(st.none() | TEXT), "category": category,
            "industry_class": draw(st.sampled_from(INDUSTRY_CLASSES)) if category == "产业" else None,
            "level": draw(st.sampled_from(LEVELS)), "build_type": draw(st.sampled_from(BUILD_TYPES)),
            "status": draw(st.sampled_from(STATUSES)), "investor_type": draw(st.sampled_from(INVESTOR_TYPES)),
            "total_investment": total, "plan_investment_year": draw(MONEY),
            "completed_investment_ytd": round(done * draw(st.floats(0, 1)), 2), "completed_investment_total": done,
            "funds_in_place_ytd": draw(MONEY), "planned_start": draw(DATES),
            "actual_start": draw(st.none() | st.dates(dt.date(2000, 1, 1), month)),
            "planned_completion": draw(DATES), "proc_approval": draw(DATES), "proc_land": draw(DATES),
            "proc_planning": draw(DATES), "proc_eia": draw(DATES), "proc_energy": draw(DATES),
            "proc_construction_permit": draw(DATES), "land_area_mu": draw(st.none() | MONEY),
            "annual_tax": draw(st.none() | MONEY), "annual_profit_tax": draw(st.none() | MONEY),
            "is_signed_attraction": draw(st.booleans()), "leader": draw(st.none() | TEXT),
            "problems": draw(st.none() | TEXT), "in_statistics": draw(st.booleans()),
        })
    return pl.DataFrame(rows, schema=SCHEMA)


def _write(frame: pl.DataFrame, fmt: str, folder: Path) -> Path:
    if fmt == "xlsx":
        return write_xlsx(frame, folder / "l.xlsx")
    if fmt == "parquet":
        return write_parquet(frame, folder / "l.parquet")
    enc, delim = {"csv-gb18030": ("gb18030", ","), "csv-bom-tab": ("utf-8-sig", "\t"),
                  "csv-utf8-semicolon": ("utf-8", ";")}[fmt]
    return write_csv(frame, folder / "l.csv", encoding=enc, delimiter=delim, title="某县重点项目")


FORMATS = ["xlsx", "parquet", "csv-gb18030", "csv-bom-tab", "csv-utf8-semicolon"]


@PROPS
@given(frame=frames(), fmt=st.sampled_from(FORMATS))
def test_random_valid_frames_round_trip(frame, fmt):
    assert validate_frame_ok(frame)
    with tempfile.TemporaryDirectory() as d:
        folder = Path(d)
        path = _write(frame, fmt, folder)
        res = read_ledger(path)
        assert res.errors == [], res.report()
        assert_frame_equal(res.frame, frame)
        store = Store(folder / "store")
        out = import_file(path, store=store)
        assert out.ok, out.report()
        assert_frame_equal(store.read(res.month), frame)


def validate_frame_ok(frame: pl.DataFrame) -> bool:
    from data.validate import validate
    return validate(frame) == []


def _negative(f, draw):
    col = draw(st.sampled_from(["total_investment", "plan_investment_year", "funds_in_place_ytd"]))
    i = draw(st.integers(0, f.height - 1))
    return with_row(f, i, **{col: -1.0 - f[col][i]}), "数值为负", ZH[col], i


def _bad_enum(f, draw):
    col = draw(st.sampled_from(["category", "level", "build_type", "status", "investor_type"]))
    i = draw(st.integers(0, f.height - 1))
    return with_row(f, i, **{col: draw(st.sampled_from(["其它类", "国家级", "新增类"]))}), "取值不在范围", ZH[col], i


def _duplicate(f, draw):
    i = draw(st.integers(1, f.height - 1))
    return with_row(f, i, project_id=f["project_id"][0]), "项目编码重复", ZH["project_id"], i


def _ytd_over_total(f, draw):
    i = draw(st.integers(0, f.height - 1))
    done = f["completed_investment_total"][i]
    return (with_row(f, i, completed_investment_ytd=round(done + 100.0, 2)), "开工累计小于本年累计",
            ZH["completed_investment_total"], i)


def _blank(f, draw):
    col = draw(st.sampled_from(["project_id", "project_name", "county", "status", "total_investment",
                                "completed_investment_ytd", "in_statistics", "is_signed_attraction"]))
    i = draw(st.integers(0, f.height - 1))
    return with_row(f, i, **{col: None}), "必填项为空", ZH[col], i


@PROPS
@given(frame=frames(min_size=2), corrupt=st.sampled_from([_negative, _bad_enum, _duplicate, _ytd_over_total, _blank]),
       fmt=st.sampled_from(FORMATS), data=st.data())
def test_random_corruptions_refused_and_store_untouched(frame, corrupt, fmt, data):
    bad, rule, column, i = corrupt(frame, data.draw)
    with tempfile.TemporaryDirectory() as d:
        folder = Path(d)
        store = Store(folder / "store")
        month = f"{frame['snapshot_month'][0]:%Y-%m}"
        assert import_file(write_parquet(valid_frame(3, month), folder / "old.parquet"), store=store).ok
        before = tree_bytes(store.root)
        path = _write(bad, fmt, folder)
        res = read_ledger(path)
        out = import_file(path, store=store, replace=True)
        assert not out.ok and out.record is None
        want_row = res.source_rows[i] if res.source_rows else None
        assert any(p.rule == rule and p.column == column and p.row == want_row for p in out.errors), out.report()
        assert tree_bytes(store.root) == before


# ---- crash safety ------------------------------------------------------------------------------------------------
CHILD = """
import sys
from data.ingest import import_file
from data.store import Store
store = Store(sys.argv[1])
files = sys.argv[2:]
print("ready", flush=True)
i = 0
while True:
    out = import_file(files[i % len(files)], store=store, replace=True)
    assert out.ok, out.report()
    i += 1
"""


def test_killed_import_leaves_a_readable_store(tmp_path):
    a, b = valid_frame(4), valid_frame(7)
    pa, pb = write_parquet(a, tmp_path / "a.parquet"), write_xlsx(b, tmp_path / "b.xlsx")
    store = Store(tmp_path / "store")
    assert import_file(pa, store=store).ok
    rng = __import__("random").Random(7)
    for _ in range(5):
        child = subprocess.Popen([sys.executable, "-c", CHILD, str(store.root), str(pb), str(pa)],
                                 cwd=Path(__file__).resolve().parents[1], stdout=subprocess.PIPE, text=True)
        assert child.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.0, 0.4))
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        child.stdout.close()
        got = store.read("2024-06")
        assert got.height in (4, 7)
        assert_frame_equal(got, a if got.height == 4 else b)
        assert store.info()[0].month == "2024-06"
    # The lock died with the child: a normal import still goes through.
    assert import_file(pa, store=store, replace=True).ok
    assert_frame_equal(store.read("2024-06"), a)
