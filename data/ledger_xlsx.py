"""How the ledgers we write ourselves look in Excel — the 底稿 (data/draft.py) and the demo's county ledger
(data/demo/sample_ledger.py): the title across the sheet, the header's cells, 是/否 for a yes/no value, the workbook's
bytes. One look, so a county sees the same table from both."""
from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill

YES_NO = ("是", "否")  # how the ledgers write a 是/否 column; the importer reads these (and more) back
HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


def yes_no(value: bool) -> str:
    return YES_NO[0] if value else YES_NO[1]


def title_row(ws, text: str, last_col: str, *, size: int, height: float, font: str | None = None) -> None:
    """The first row: `text` in bold, centred across columns A to `last_col`."""
    ws["A1"] = text
    ws["A1"].font = Font(name=font, size=size, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center")
    ws.merge_cells(f"A1:{last_col}1")
    ws.row_dimensions[1].height = height


def head(cell, *, color: str | None = None, border: Border | None = None) -> None:
    """A header cell: bold (in `color`), on the header's fill, centred and wrapped."""
    cell.font = Font(bold=True, color=color)
    cell.fill = HEAD_FILL
    cell.alignment = CENTER
    if border is not None:
        cell.border = border


def workbook_bytes(wb: Workbook) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
