"""Table exports (CSV, XLSX) with Chinese headers, guarded against spreadsheet formula injection."""
from __future__ import annotations

import io
from pathlib import Path

import polars as pl


# xlsxwriter's options: text is always written as a string cell (never a formula, URL or number), so '=1+1'
# stays exactly that text in Excel; the CSV guard (a leading ') is not needed, and would be visible there.
XLSX_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
                "nan_inf_to_errors": True}
FLOAT_TYPES = frozenset({pl.Float32, pl.Float64})


def _safe(df: pl.DataFrame) -> pl.DataFrame:
    """Text cells beginning with = + - @ (or a tab or carriage return) get a leading quote so a spreadsheet opening
    the CSV shows them as text, vectorised."""
    return df.with_columns(
        [pl.when(pl.col(c).str.contains(r"^[=+\-@\t\r]")).then(pl.lit("'") + pl.col(c)).otherwise(pl.col(c)).alias(c)
         for c, t in df.schema.items() if t == pl.String])


def _finite(df: pl.DataFrame) -> pl.DataFrame:
    """NaN and ±inf (a rate over nothing) become empty cells rather than Excel error cells."""
    return df.with_columns([pl.when(pl.col(c).is_finite()).then(pl.col(c)).alias(c)
                            for c, t in df.schema.items() if t in FLOAT_TYPES])


def to_csv_bytes(df: pl.DataFrame) -> bytes:
    """UTF-8 with BOM so Excel on a Chinese desktop opens it correctly."""
    return "\ufeff".encode() + _safe(df).write_csv().encode("utf-8")


def to_xlsx_bytes(sheets: dict[str, pl.DataFrame]) -> bytes:
    """One sheet per table, header row bold and frozen, text as string cells; written with xlsxwriter via polars."""
    from xlsxwriter import Workbook

    buf = io.BytesIO()
    with Workbook(buf, XLSX_OPTIONS) as wb:
        taken: list[str] = []
        for name, df in sheets.items():
            taken.append(_sheet_name(name, taken))
            _finite(df).write_excel(
                wb, taken[-1], header_format={"bold": True}, freeze_panes="A2", autofilter=False,
                table_style={"style": "Table Style Light 1", "banded_rows": False},
                dtype_formats={t: "General" for t in FLOAT_TYPES},  # numbers as stored, not rounded for display
                column_widths={c: 7 * min(40, max(10, len(str(c)) * 2 + 2)) for c in df.columns})
        if not taken:
            wb.add_worksheet("空")
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
