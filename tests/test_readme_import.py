"""README, importing: "cells per sheet (10 million)" is a limit applied before the file is parsed; "Excel serial dates
are accepted between 1950 and 2100"; `audit.jsonl` holds the uploaded file's sha256 (CLI and the 数据管理 page)."""
from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import re
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from data.__main__ import main as data_main
from data.ingest import import_file, parse_date, read_ledger
from data.ingest import source as ingest  # where the caps are declared and read at each call
from data.store import Store
from tests import app_store
from tests.auth_helpers import analyst_env, sign_in
from tests.factories import ledger_rows, tree_bytes, valid_frame, write_csv, write_table_xlsx, write_xlsx

ROOT = Path(__file__).resolve().parents[1]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def _run_data(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = data_main(list(args))
    return code, out.getvalue()


# ---- the cell cap -------------------------------------------------------------------------------------------------
def test_the_cell_cap_is_ten_million():
    assert ingest.MAX_CELLS == 10_000_000


def _cells_in_first_sheet(data: bytes) -> int:
    """An independent count: parse the sheet XML with ElementTree and count its <c> elements."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheet = next(n for n in z.namelist() if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n))
        return sum(1 for el in ET.fromstring(z.read(sheet)).iter(f"{MAIN_NS}c"))


@pytest.fixture
def ledger_xlsx(tmp_path) -> tuple[Path, int]:
    path = write_xlsx(valid_frame(4), tmp_path / "台账.xlsx")
    return path, _cells_in_first_sheet(path.read_bytes())


def test_a_sheet_at_the_cap_is_read_and_one_cell_more_is_refused(ledger_xlsx, monkeypatch, tmp_path):
    path, cells = ledger_xlsx
    assert cells > 100  # title, unit row, header and four projects
    monkeypatch.setattr(ingest, "MAX_CELLS", cells)
    res = read_ledger(path)
    assert res.ok and res.frame.height == 4, res.report()
    monkeypatch.setattr(ingest, "MAX_CELLS", cells - 1)
    res = read_ledger(path)
    assert res.frame is None and [p.rule for p in res.errors] == ["单元格过多"]
    assert res.errors[0].value == f"{cells:,}"
    assert res.errors[0].message == (f"工作表“台账”有 {cells:,} 个单元格，超过上限 {cells - 1:,}："
                                     "请删除多余的行列或格式后再导入。")


def test_python_dash_m_data_import_applies_the_cell_cap(ledger_xlsx, monkeypatch, tmp_path):
    path, cells = ledger_xlsx
    store = tmp_path / "store"
    monkeypatch.setattr(ingest, "MAX_CELLS", cells - 1)
    code, out = _run_data("import", str(path), "--store", str(store))
    assert code == 1 and "单元格过多" in out and f"超过上限 {cells - 1:,}" in out
    assert tree_bytes(store) == {}  # refused before anything was written
    monkeypatch.setattr(ingest, "MAX_CELLS", cells)
    code, out = _run_data("import", str(path), "--store", str(store))
    assert code == 0, out
    assert Store(store).months() == ["2024-06"]


# ---- Excel serial dates: 1950 … 2100 -------------------------------------------------------------------------------
# Serial n is 1899-12-30 + n days: 18264 = 1950-01-01, 73415 = 2100-12-31, 45366 = 2024-03-15.
@pytest.mark.parametrize("serial, date", [(18264, dt.date(1950, 1, 1)), (73415, dt.date(2100, 12, 31)),
                                          (45366, dt.date(2024, 3, 15)), (45366.75, dt.date(2024, 3, 15)),
                                          ("45366", dt.date(2024, 3, 15))])
def test_serials_inside_the_bounds_are_dates(serial, date):
    assert parse_date(serial) == date


@pytest.mark.parametrize("serial", [18263, 73416, 1, 0, 12345, "12345", 99999, -45366])
def test_serials_outside_the_bounds_are_refused_not_made_dates(serial):
    with pytest.raises(ValueError):
        parse_date(serial)


def _ledger_with_planned_start(tmp_path, values: list) -> Path:
    """A 3-project xlsx ledger whose 计划开工时间 cells are the given raw numbers (Excel number cells)."""
    headers, rows = ledger_rows(valid_frame(3), style="cells")
    col = headers.index("计划开工时间")
    for row, v in zip(rows, values):
        row[col] = v
    return write_table_xlsx(headers, rows, tmp_path / "序列号.xlsx")


def test_an_imported_serial_inside_the_bounds_becomes_its_date(tmp_path):
    res = read_ledger(_ledger_with_planned_start(tmp_path, [45366, 18264, 73415]))
    assert res.ok, res.report()
    assert res.frame["planned_start"].to_list() == [dt.date(2024, 3, 15), dt.date(1950, 1, 1), dt.date(2100, 12, 31)]


def test_an_imported_serial_outside_the_bounds_is_an_error_naming_column_row_and_value(tmp_path):
    res = read_ledger(_ledger_with_planned_start(tmp_path, [45366, 18263, 99999]))
    assert res.frame is None
    bad = [(p.column, p.row, p.value) for p in res.errors]
    # header on sheet row 3 (title, unit row above), projects on rows 4, 5, 6
    assert bad == [("计划开工时间", 5, "18263"), ("计划开工时间", 6, "99999")], res.report()


# ---- audit.jsonl: the sha256 of the file as uploaded ---------------------------------------------------------------
def test_cli_import_records_the_files_sha256(tmp_path):
    path = write_csv(valid_frame(5), tmp_path / "六月台账.csv")
    want = hashlib.sha256(path.read_bytes()).hexdigest()
    store = tmp_path / "store"
    code, out = _run_data("import", str(path), "--store", str(store))
    assert code == 0, out
    rec = Store(store).audit()[-1]
    assert rec["sha256"] == want and rec["source"] == "六月台账.csv" and rec["action"] == "import"
    assert rec["stored_sha256"] == hashlib.sha256((store / "snapshots" / "2024-06.parquet").read_bytes()).hexdigest()


def test_replace_records_the_new_files_sha256(tmp_path):
    store = Store(tmp_path / "store")
    first = write_csv(valid_frame(5), tmp_path / "a.csv").read_bytes()
    second = write_xlsx(valid_frame(6), tmp_path / "b.xlsx").read_bytes()
    assert import_file(first, store=store, filename="a.csv").ok
    assert import_file(second, store=store, filename="b.xlsx", replace=True).ok
    assert [(r["action"], r["sha256"]) for r in store.audit()] == [
        ("import", hashlib.sha256(first).hexdigest()), ("replace", hashlib.sha256(second).hexdigest())]


def test_an_upload_on_the_admin_page_records_the_uploaded_bytes_sha256(tmp_path, monkeypatch):
    store = app_store.build_store(tmp_path / "store")
    monkeypatch.setenv("KPM_STORE", str(store.root))
    analyst_env(monkeypatch)
    content = write_xlsx(valid_frame(5, "2024-07"), tmp_path / "七月台账.xlsx").read_bytes()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    at.switch_page("pages/admin.py").run()
    at = sign_in(at)
    assert not at.exception, [e.value for e in at.exception]
    at.file_uploader[0].set_value(("七月台账.xlsx", content, XLSX))
    at.run()
    at.button(key="admin_confirm").click().run()
    assert not at.exception, [e.value for e in at.exception]
    rec = Store(store.root).audit()[-1]
    assert rec["month"] == "2024-07" and rec["source"] == "七月台账.xlsx"
    assert rec["sha256"] == hashlib.sha256(content).hexdigest()
    assert rec["user"] == "analyst"
