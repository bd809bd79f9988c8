"""Table exports (CSV, XLSX) with Chinese headers, guarded against spreadsheet formula injection."""
from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import polars as pl



def _safe(df: pl.DataFrame) -> pl.DataFrame:
    """Text cells beginning with = + - @ (or a tab or carriage return) get a leading quote so a spreadsheet shows
    them as text, vectorised."""
    return df.with_columns(
        [pl.when(pl.col(c).str.contains(r"^[=+\-@\t\r]")).then(pl.lit("'") + pl.col(c)).otherwise(pl.col(c)).alias(c)
         for c, t in df.schema.items() if t == pl.String])


def to_csv_bytes(df: pl.DataFrame) -> bytes:
    """UTF-8 with BOM so Excel on a Chinese desktop opens it correctly."""
    return "\ufeff".encode() + _safe(df).write_csv().encode("utf-8")


def to_xlsx_bytes(sheets: dict[str, pl.DataFrame]) -> bytes:
    """One sheet per table, header row bold and frozen; written with openpyxl."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    wb.remove(wb.active)
    for name, df in sheets.items():
        ws = wb.create_sheet(_sheet_name(name, wb.sheetnames))
        ws.append(list(df.columns))
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in _safe(df).iter_rows():
            ws.append([v.isoformat() if isinstance(v, dt.time) else v for v in row])
        for i, col in enumerate(df.columns, 1):
            ws.column_dimensions[ws.cell(1, i).column_letter].width = min(40, max(10, len(str(col)) * 2 + 2))
        ws.freeze_panes = "A2"
    if not wb.sheetnames:
        wb.create_sheet("空")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _sheet_name(name: str, taken: list[str]) -> str:
    base = "".join(ch for ch in name if ch not in '[]:*?/\\')[:31] or "Sheet"
    out, n = base, 2
    while out in taken:
        out = f"{base[:28]}_{n}"
        n += 1
    return out


def write_xlsx(sheets: dict[str, pl.DataFrame], path: str | Path) -> None:
    Path(path).write_bytes(to_xlsx_bytes(sheets))
