"""Write the Excel 97-2003 (.xls) twin of an .xlsx with xlwt: every sheet, value, merged range, date cell and the
error cell and the 1904 date system as the .xlsx has them (formulas become xlwt formulas, which carry no saved result)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import xlwt
from openpyxl.utils.datetime import CALENDAR_MAC_1904

DATE = xlwt.easyxf(num_format_str="yyyy-mm-dd")
DATETIME = xlwt.easyxf(num_format_str="yyyy-mm-dd hh:mm")
PLAIN = xlwt.easyxf("")
# BIFF error codes ([MS-XLS] 2.5.97.2); xlwt's own name map has '#N/A!' and maps '#VALUE!' to #NUM!'s code
ERROR_CODES = {"#NULL!": 0x00, "#DIV/0!": 0x07, "#VALUE!": 0x0F, "#REF!": 0x17, "#NAME?": 0x1D, "#NUM!": 0x24,
               "#N/A": 0x2A}


def _style(value) -> xlwt.XFStyle:
    if isinstance(value, dt.datetime):
        return DATE if value.time() == dt.time() else DATETIME
    return DATE if isinstance(value, dt.date) else PLAIN


def _value(value):
    if isinstance(value, str) and value.startswith("=") and len(value) > 1:
        return xlwt.Formula(value[1:])
    return value


def write_xls_twin(xlsx: Path, out: Path) -> Path:
    """out: the .xls holding what xlsx holds."""
    src = openpyxl.load_workbook(xlsx)
    book = xlwt.Workbook(encoding="utf-8")
    book.dates_1904 = src.epoch == CALENDAR_MAC_1904
    for ws in src.worksheets:
        sheet = book.add_sheet(ws.title, cell_overwrite_ok=True)
        covered = set()
        for rng in ws.merged_cells.ranges:
            top = ws.cell(rng.min_row, rng.min_col).value
            sheet.write_merge(rng.min_row - 1, rng.max_row - 1, rng.min_col - 1, rng.max_col - 1, _value(top),
                              _style(top))
            covered.update((r, c) for r in range(rng.min_row, rng.max_row + 1)
                           for c in range(rng.min_col, rng.max_col + 1))
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is None or (cell.row, cell.column) in covered:
                    continue
                if cell.data_type == "e":  # an error cell (#DIV/0!) stays an error cell, not text
                    sheet.row(cell.row - 1).set_cell_error(cell.column - 1, ERROR_CODES[cell.value])
                    continue
                sheet.write(cell.row - 1, cell.column - 1, _value(cell.value), _style(cell.value))
    out = Path(out)
    book.save(str(out))
    return out
