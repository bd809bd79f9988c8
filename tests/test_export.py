"""XLSX exports write text as string cells, exactly as typed: no visible guard quote, never a formula; the CSV
export keeps its leading-quote guard. Read back with openpyxl and, independently, from the sheet XML."""
from __future__ import annotations

import csv
import io
import re
import zipfile

import openpyxl
import polars as pl
import pytest

from reports.export import to_csv_bytes, to_xlsx_bytes

RISKY = ["=1+1", "+1", "-1", "@SUM(A1)", "=HYPERLINK(\"http://x\",\"点我\")", "\t=1", "'已加引号", "http://x.cn", "123"]


def _sheet_xml(data: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return z.read("xl/worksheets/sheet1.xml")


def test_risky_text_reads_back_as_exactly_that_text_in_string_cells():
    data = to_xlsx_bytes({"问题": pl.DataFrame({"存在问题": RISKY})})
    ws = openpyxl.load_workbook(io.BytesIO(data))["问题"]
    cells = [ws.cell(r, 1) for r in range(2, 2 + len(RISKY))]
    assert [c.value for c in cells] == RISKY
    assert [c.data_type for c in cells] == ["s"] * len(RISKY)
    xml = _sheet_xml(data)
    assert b"<f>" not in xml and b"<f " not in xml  # no formula element anywhere in the sheet
    assert len(re.findall(rb'<c r="A\d+"[^>]*t="s"', xml)) == len(RISKY) + 1  # header + each text cell


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)"])
def test_csv_keeps_the_guard_and_xlsx_does_not_show_it(text):
    df = pl.DataFrame({"项目名称": [text]})
    rows = list(csv.reader(io.StringIO(to_csv_bytes(df)[3:].decode("utf-8"), newline="")))
    assert rows[1] == ["'" + text]
    ws = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes({"t": df})))["t"]
    assert (ws.cell(2, 1).value, ws.cell(2, 1).data_type) == (text, "s")


def test_numbers_stay_numbers_and_non_finite_values_are_empty():
    df = pl.DataFrame({"总投资(万元)": [-5.0, 1234.5678, float("nan"), float("inf"), None], "个数": [1, 2, 3, 4, 5]})
    data = to_xlsx_bytes({"t": df})
    ws = openpyxl.load_workbook(io.BytesIO(data))["t"]
    assert [ws.cell(r, 1).value for r in range(2, 7)] == [-5.0, 1234.5678, None, None, None]
    assert [ws.cell(r, 2).value for r in range(2, 7)] == [1, 2, 3, 4, 5]
    assert ws.cell(2, 1).data_type == "n" and ws.freeze_panes == "A2" and ws.cell(1, 1).font.b
    assert b"#NUM!" not in _sheet_xml(data)


def test_several_sheets_keep_their_names_and_an_empty_workbook_still_opens():
    wb = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes({"甲": pl.DataFrame({"a": [1]}), "甲 ": pl.DataFrame(),
                                                          "a/b": pl.DataFrame({"x": ["y"]})})))
    assert wb.sheetnames == ["甲", "甲 ", "ab"]
    assert openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes({}))).sheetnames == ["空"]
