"""README: "Every table downloads as CSV (UTF-8 with BOM) and XLSX with Chinese headers; in the CSV, text cells
starting with `= + - @` are prefixed with `'` against formula injection; the XLSX writes every text as a string cell,
exactly as typed, so none can become a formula." — the export functions and the table widget's buttons."""
from __future__ import annotations

import csv
import io

import openpyxl
import polars as pl
import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from reports.export import to_csv_bytes, to_xlsx_bytes

# (cell as typed, cell as exported): every text cell a spreadsheet would read as a formula gets a leading quote.
CELLS = [
    ("=HYPERLINK(\"http://x\",\"点我\")", "'=HYPERLINK(\"http://x\",\"点我\")"),
    ("+86-139", "'+86-139"),
    ("-2+3", "'-2+3"),
    ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
    ("征地未完成", "征地未完成"),
    ("a=b+c", "a=b+c"),  # only the first character matters
    ("'已加引号", "'已加引号"),
]
FRAME = pl.DataFrame({"存在问题": [c for c, _ in CELLS], "总投资(万元)": [-5.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0]})


def _csv_rows(data: bytes) -> list[list[str]]:
    assert data[:3] == b"\xef\xbb\xbf", "CSV must start with the UTF-8 BOM"
    return list(csv.reader(io.StringIO(data[3:].decode("utf-8"), newline="")))


def test_csv_export_has_a_bom_chinese_headers_and_neutralised_cells():
    rows = _csv_rows(to_csv_bytes(FRAME))
    assert rows[0] == ["存在问题", "总投资(万元)"]
    assert [r[0] for r in rows[1:]] == [want for _, want in CELLS]
    assert rows[1][1] == "-5.0"  # a negative number is a number, not text: left as it is


def test_xlsx_export_writes_text_not_formulas():
    wb = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes({"问题项目": FRAME})))
    ws = wb["问题项目"]
    assert [c.value for c in ws[1]] == ["存在问题", "总投资(万元)"]
    got = [ws.cell(r, 1) for r in range(2, 2 + len(CELLS))]
    assert [c.value for c in got] == [typed for typed, _ in CELLS]  # the text as typed: no visible guard
    assert {c.data_type for c in got} == {"s"}  # no cell became a formula ('f')
    assert ws.cell(2, 2).value == -5.0 and ws.cell(2, 2).data_type == "n"


@pytest.mark.parametrize("first", ["=", "+", "-", "@"])
def test_each_formula_character_is_guarded_in_both_formats(first):
    df = pl.DataFrame({"项目名称": [f"{first}1+1"]})
    assert _csv_rows(to_csv_bytes(df))[1] == [f"'{first}1+1"]
    ws = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes({"t": df})))["t"]
    assert (ws.cell(2, 1).value, ws.cell(2, 1).data_type) == (f"{first}1+1", "s")


# ---- the table widget's download buttons (ui.widgets.show_table) --------------------------------------------------
def _table_page():
    import polars as pl

    from ui.widgets import show_table

    show_table(pl.DataFrame({"problems": ["=1+1", "+2", "-3", "@4", "正常"], "n": [1, 2, 3, 4, 5]}),
               "问题项目", {"problems": "存在问题", "n": "序号"}, key="t")


def test_the_table_widget_downloads_neutralised_csv_and_xlsx(monkeypatch):
    made: dict[str, object] = {}
    real = MediaFileManager.add_deferred

    def record(self, data, mimetype, coordinates, file_name=None, **kw):
        made[file_name] = data  # the callable the button runs when clicked
        return real(self, data, mimetype, coordinates, file_name=file_name, **kw)

    monkeypatch.setattr(MediaFileManager, "add_deferred", record)
    at = AppTest.from_function(_table_page, default_timeout=30).run()
    assert not at.exception, [e.value for e in at.exception]
    assert [b.label for b in at.get("download_button")] == ["下载 CSV", "下载 Excel"]
    assert set(made) == {"问题项目.csv", "问题项目.xlsx"}
    want = ["'=1+1", "'+2", "'-3", "'@4", "正常"]
    rows = _csv_rows(made["问题项目.csv"]())
    assert rows[0] == ["存在问题", "序号"] and [r[0] for r in rows[1:]] == want
    ws = openpyxl.load_workbook(io.BytesIO(made["问题项目.xlsx"]())).active
    assert [c.value for c in ws[1]] == ["存在问题", "序号"]
    assert [ws.cell(r, 1).value for r in range(2, 7)] == ["=1+1", "+2", "-3", "@4", "正常"]
    assert {ws.cell(r, 1).data_type for r in range(2, 7)} == {"s"}
