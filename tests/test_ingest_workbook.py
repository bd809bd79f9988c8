"""Workbooks as counties send them: Excel 97-2003 .xls read directly (the .xls twin of a county-style .xlsx imports
the same rows), error cells reported, the 1904 date system, and which sheet is read when a workbook has several."""
from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from openpyxl.utils.datetime import CALENDAR_MAC_1904
from polars.testing import assert_frame_equal

from data.demo.sample_ledger import write_sample_ledger
from data.ingest import import_file, read_ledger
from data.ingest import source as ingest_source
from data.store import Store
from tests.factories import ledger_rows, tree_bytes, valid_frame, write_table_xlsx, write_xlsx
from tests.xls_twin import write_xls_twin

D = dt.date


def _county_style(frame: pl.DataFrame, path: Path) -> Path:
    """The sample ledger's layout (title, 填报单位/单位：万元 line, merged two-level header, 序号, 合计 row, date cells),
    with 县区 merged down over each county's block as county offices write it."""
    frame = frame.sort("county", "project_id")
    write_sample_ledger(frame, path)
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    col = next(c.column for c in ws[3] if c.value == "县区")
    first = 5
    for county in frame.get_column("county").unique(maintain_order=True):
        n = frame.filter(pl.col("county") == county).height
        for r in range(first + 1, first + n):
            ws.cell(r, col).value = None
        if n > 1:
            ws.merge_cells(start_row=first, start_column=col, end_row=first + n - 1, end_column=col)
        first += n
    wb.save(path)
    return path


# ---- .xls -----------------------------------------------------------------------------------------------------------
def test_the_xls_twin_of_a_county_style_xlsx_imports_the_same_rows(tmp_path):
    frame = valid_frame(9)
    xlsx = _county_style(frame, tmp_path / "台账.xlsx")
    xls = write_xls_twin(xlsx, tmp_path / "台账.xls")
    assert xls.read_bytes()[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # a real OLE2/BIFF file, not a renamed xlsx
    a, b = read_ledger(xlsx), read_ledger(xls)
    assert a.ok and b.ok, (a.report(), b.report())
    assert (a.kind, b.kind) == ("xlsx", "xls")
    expected = frame.sort("county", "project_id")
    assert_frame_equal(a.frame, expected)  # the oracle is the frame the ledger was written from
    assert_frame_equal(b.frame, expected)
    assert a.source_rows == b.source_rows == list(range(5, 14))  # title, unit line, two header rows above
    assert a.header_row == b.header_row == 3 and b.sheet == "重点项目台账"
    stores = [Store(tmp_path / n) for n in ("s1", "s2")]
    for store, path in zip(stores, (xlsx, xls)):
        assert import_file(path, store=store).ok
    assert_frame_equal(stores[0].read("2024-06"), stores[1].read("2024-06"))


def test_xls_uploads_are_accepted_by_the_page_uploader():
    from ui.admin.importing import UPLOAD_TYPES

    assert "xls" in UPLOAD_TYPES


def test_an_unreadable_ole_file_is_refused_with_what_to_do():
    res = read_ledger(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(2048), filename="x.xls")
    assert res.frame is None and [p.rule for p in res.errors] == ["文件格式不支持"]
    assert "另存为" in res.errors[0].message and ".xlsx" in res.errors[0].message


def test_the_cell_cap_applies_to_xls(tmp_path, monkeypatch):
    xls = write_xls_twin(write_xlsx(valid_frame(4), tmp_path / "a.xlsx"), tmp_path / "a.xls")
    assert read_ledger(xls).ok
    monkeypatch.setattr(ingest_source, "MAX_CELLS", 50)
    res = read_ledger(xls)
    assert [p.rule for p in res.errors] == ["单元格过多"] and "工作表“台账”" in res.errors[0].message


def test_the_row_cap_applies_to_xls(tmp_path, monkeypatch):
    xls = write_xls_twin(write_xlsx(valid_frame(80), tmp_path / "a.xlsx"), tmp_path / "a.xls")
    monkeypatch.setenv("KPM_MAX_ROWS", "40")
    assert [p.rule for p in read_ledger(xls).errors] == ["行数过多"]
    monkeypatch.setenv("KPM_MAX_ROWS", "100")
    assert read_ledger(xls).ok


# ---- error cells and formulas ----------------------------------------------------------------------------------------
def _with_errors(tmp_path: Path) -> Path:
    """A ledger whose 总投资 (number) and 项目名称 (text) cells of the first project are Excel error values."""
    headers, rows = ledger_rows(valid_frame(3), style="cells")
    rows[0][headers.index("总投资(万元)")] = "#DIV/0!"   # openpyxl writes these as error cells (t="e")
    rows[0][headers.index("项目名称")] = "#N/A"
    path = write_table_xlsx(headers, rows, tmp_path / "err.xlsx")
    assert b't="e"' in __import__("zipfile").ZipFile(path).read("xl/worksheets/sheet1.xml")
    return path


@pytest.mark.parametrize("kind", ["xlsx", "xls"])
def test_error_cells_are_reported_never_emptied_or_imported_as_text(tmp_path, kind):
    path = _with_errors(tmp_path)
    if kind == "xls":
        path = write_xls_twin(path, tmp_path / "err.xls")
    res = read_ledger(path)
    assert res.frame is None
    bad = sorted((p.column, p.row, p.value) for p in res.errors if p.rule == "类型错误")
    assert bad == [("总投资(万元)", 4, "#DIV/0!"), ("项目名称", 4, "#N/A")], res.report()


def test_an_xls_formula_cell_is_named_in_the_report(tmp_path):
    f = valid_frame(3)
    path = write_xlsx(f, tmp_path / "a.xlsx")
    wb = openpyxl.load_workbook(path)
    col = [c.value for c in wb.active[3]].index("存在问题") + 1
    wb.active.cell(5, col).value = "=1+2"
    wb.save(path)
    res = read_ledger(write_xls_twin(path, tmp_path / "a.xls"))
    coord = f"{openpyxl.utils.get_column_letter(col)}5"
    found = [p for p in res.warnings + res.errors if p.rule in ("公式单元格", "公式未计算")]
    assert len(found) == 1 and coord in found[0].message and found[0].row == 5, res.report()


# ---- Excel's 1904 date system ----------------------------------------------------------------------------------------
def _ledger_1904(tmp_path: Path, serials: list) -> Path:
    """A 1904-system workbook: date cells as dates, and 计划开工时间 as plain serial numbers (no date format)."""
    headers, rows = ledger_rows(valid_frame(len(serials)), style="cells")
    j = headers.index("计划开工时间")
    for row, v in zip(rows, serials):
        row[j] = v
    path = write_table_xlsx(headers, rows, tmp_path / "mac.xlsx")
    wb = openpyxl.load_workbook(path)
    wb.epoch = CALENDAR_MAC_1904
    wb.save(path)
    assert b'date1904="1"' in __import__("zipfile").ZipFile(path).read("xl/workbook.xml")
    return path


@pytest.mark.parametrize("kind", ["xlsx", "xls"])
def test_the_1904_date_system_does_not_shift_dates(tmp_path, kind):
    # In the 1904 system serial 0 is 1904-01-01: 43904 = 2024-03-15, 16802 = 1950-01-01, 71953 = 2100-12-31.
    path = _ledger_1904(tmp_path, [43904, 16802, 71953])
    if kind == "xls":
        path = write_xls_twin(path, tmp_path / "mac.xls")
    res = read_ledger(path)
    assert res.ok, res.report()
    assert res.frame["planned_start"].to_list() == [D(2024, 3, 15), D(1950, 1, 1), D(2100, 12, 31)]
    want = valid_frame(3)
    for c in ("actual_start", "planned_completion", "proc_approval", "proc_land"):  # real date cells
        assert res.frame[c].to_list() == want[c].to_list(), c


def test_1904_serials_outside_1950_2100_are_refused(tmp_path):
    res = read_ledger(_ledger_1904(tmp_path, [43904, 16801, 71954]))
    assert sorted((p.column, p.row) for p in res.errors) == [("计划开工时间", 5), ("计划开工时间", 6)], res.report()


# ---- which sheet ----------------------------------------------------------------------------------------------------
def _workbook(tmp_path: Path, sheets: list[tuple[str, pl.DataFrame | None]], hidden: tuple[str, ...] = ()) -> Path:
    """Sheets in order: a ledger for a frame, or a 填报说明-like text sheet for None."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, frame in sheets:
        ws = wb.create_sheet(name)
        if frame is None:
            ws.append(["填报说明"])
            ws.append(["一、本表按月报送，金额单位为万元。"])
            continue
        headers, rows = ledger_rows(frame, style="cells")
        ws.append(headers)
        for row in rows:
            ws.append(row)
        if name in hidden:
            ws.sheet_state = "hidden"
    path = tmp_path / "book.xlsx"
    wb.save(path)
    return path


@pytest.mark.parametrize("kind", ["xlsx", "xls"])
def test_a_first_sheet_without_a_header_gives_way_to_the_sheet_with_one(tmp_path, kind):
    path = _workbook(tmp_path, [("填报说明", None), ("重点项目台账", valid_frame(3))])
    if kind == "xls":
        path = write_xls_twin(path, tmp_path / "book.xls")
    res = read_ledger(path)
    assert res.ok and res.sheet == "重点项目台账" and res.frame.height == 3, res.report()
    assert [p.message for p in res.warnings if p.rule == "已读取其他工作表"] == [
        "第一个工作表“填报说明”没有表头，已读取工作表“重点项目台账”：如要导入其他工作表，请用 --sheet 指定。"]


def test_several_ledger_sheets_are_refused_naming_them_unless_one_is_chosen(tmp_path):
    path = _workbook(tmp_path, [("填报说明", None), ("六月", valid_frame(2)), ("七月", valid_frame(3, "2024-07"))])
    res = read_ledger(path)
    assert res.frame is None and [p.rule for p in res.errors] == ["多个台账工作表"]
    assert res.sheet_choices == ["六月", "七月"]
    assert "“六月”“七月”" in res.errors[0].message and "--sheet" in res.errors[0].message
    store = Store(tmp_path / "store")
    out = import_file(path, store=store)
    assert not out.ok and out.sheet_choices == ["六月", "七月"] and tree_bytes(store.root) == {}
    res = read_ledger(path, sheet="七月")
    assert res.ok and res.month == "2024-07" and res.frame.height == 3 and res.sheet_choices == []


def test_a_hidden_sheet_is_never_picked_by_itself(tmp_path):
    path = _workbook(tmp_path, [("六月", valid_frame(2)), ("旧表", valid_frame(4))], hidden=("旧表",))
    res = read_ledger(path)
    assert res.ok and res.sheet == "六月" and res.frame.height == 2, res.report()
    assert not [p for p in res.warnings if p.rule == "已读取其他工作表"]
    assert read_ledger(path, sheet="旧表").frame.height == 4


def test_the_cli_names_the_sheets_and_takes_sheet(tmp_path):
    import contextlib

    from data.__main__ import main

    path = _workbook(tmp_path, [("六月", valid_frame(2)), ("七月", valid_frame(3, "2024-07"))])
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["import", str(path), "--store", str(tmp_path / "store")])
    assert code == 1 and "“六月”“七月”" in out.getvalue() and "--sheet" in out.getvalue()
    with contextlib.redirect_stdout(io.StringIO()):
        code = main(["import", str(path), "--store", str(tmp_path / "store"), "--sheet", "六月"])
    assert code == 0 and Store(tmp_path / "store").months() == ["2024-06"]


# ---- the 数据管理 page asks which sheet -----------------------------------------------------------------------------
def test_the_upload_page_offers_the_ledger_sheets_and_imports_the_one_chosen(tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from tests import app_store
    from tests.auth_helpers import ANALYST_HASH, sign_in
    from ui import auth

    store = app_store.build_store(tmp_path / "store")
    monkeypatch.setenv("KPM_STORE", str(store.root))
    monkeypatch.setenv("KPM_ANALYST_PASSWORD_HASH", ANALYST_HASH)
    monkeypatch.chdir(tmp_path)  # no .streamlit/secrets.toml
    auth.LIMITER.reset()
    july = app_store.month_frame("2024-06").with_columns(pl.col("snapshot_month").dt.offset_by("1mo"))
    book = _workbook(tmp_path, [("填报说明", None), ("七月", july), ("七月（草稿）", july.head(2))])
    at = AppTest.from_file(str(Path(__file__).resolve().parents[1] / "app.py"), default_timeout=60).run()
    at.switch_page("pages/admin.py").run()
    at = sign_in(at)
    at.file_uploader[0].set_value(("两个台账.xlsx", book.read_bytes(),
                                   "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")).run()
    assert not at.exception, [e.value for e in at.exception]
    pick = at.selectbox(key="admin_sheet_pick")
    assert pick.options == ["七月", "七月（草稿）"] and at.button(key="admin_confirm").disabled
    pick.select("七月").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.text_input(key="admin_sheet").value == "七月"
    assert not [s for s in at.selectbox if s.key == "admin_sheet_pick"]  # answered: no longer asked
    at.button(key="admin_confirm").click().run()
    assert Store(store.root).months()[-1] == "2024-07" and Store(store.root).read("2024-07").height == july.height


# ---- the xlsx scan: formula and error cells from the sheet XML ------------------------------------------------------
def _scan(data: bytes):
    import zipfile

    from data.ingest.xlsx import _scan_sheet_xml

    return _scan_sheet_xml(zipfile.ZipFile(io.BytesIO(data)), "xl/worksheets/sheet1.xml")


@pytest.mark.parametrize("chunk", [1 << 20, 997])  # 997 bytes: a cut inside nearly every formula cell
def test_formula_and_error_cells_are_found_across_the_streams_chunks(tmp_path, monkeypatch, chunk):
    import xml.etree.ElementTree as ET
    import zipfile

    from data.ingest import xlsx

    monkeypatch.setattr(xlsx, "CHUNK", chunk)
    n = 2000
    path = write_xlsx(valid_frame(n), tmp_path / "big.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    col = [c.value for c in ws[3]].index("存在问题") + 1
    for r in range(4, 4 + n):
        ws.cell(r, col).value = f'=IF(1>2,"a&b","x{r}")'
    ws.cell(4, 2).value, ws.cell(1500, 3).value = "#DIV/0!", "#REF!"
    wb.save(path)
    xml = zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml")
    assert len(xml) > 2 * 2**20  # read in 1 MiB chunks: many cells straddle a cut
    ns = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    root = ET.fromstring(xml)  # the oracle: a full XML parse
    want = {c.get("r"): c.find(ns + "f").text for c in root.iter(ns + "c") if c.find(ns + "f") is not None}
    got = _scan(path.read_bytes())
    assert {coord: text for coord, text in got.scan.formulas.values()} == want and len(want) == n
    assert got.scan.errors == {(3, 1): "#DIV/0!", (1499, 2): "#REF!"}
    assert got.cells == sum(1 for _ in root.iter(ns + "c")) and got.rows == sum(1 for _ in root.iter(ns + "row"))


def test_a_shared_formulas_dependents_are_named_with_their_own_references(tmp_path):
    import re
    import zipfile

    path = write_xlsx(valid_frame(3), tmp_path / "a.xlsx")
    data = path.read_bytes()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":  # 序号 column A as one shared formula, as Excel saves it
                body = re.sub(rb'<c r="A4"[^>]*>.*?</c>', b'<c r="A4"><f t="shared" ref="A4:A6" si="0">B4*0+1</f>'
                              b'<v>1</v></c>', body, flags=re.S)
                for r, v in ((5, 2), (6, 3)):
                    body = re.sub(rb'<c r="A%d"[^>]*>.*?</c>' % r,
                                  b'<c r="A%d"><f t="shared" si="0"/><v>%d</v></c>' % (r, v), body, flags=re.S)
            dst.writestr(info, body)
    got = _scan(out.getvalue())
    assert sorted(got.scan.formulas.values()) == [("A4", "B4*0+1"), ("A5", "B5*0+1"), ("A6", "B6*0+1")]
    res = read_ledger(out.getvalue())
    assert res.ok and [p.row for p in res.warnings if p.rule == "公式单元格"] == [4, 5, 6], res.report()
