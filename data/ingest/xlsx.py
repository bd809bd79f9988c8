"""Excel workbooks: size checks from the zip and the sheet XML, formula cells, merged ranges, the sheet's rows."""
from __future__ import annotations

import io
import re
import zipfile

from data.ingest.header import SCAN_ROWS
from data.ingest import source
from data.ingest.source import (MAX_COLUMNS, Refused, check_zip, max_rows, too_many_columns,
                                too_many_rows, unreadable)
from data.problems import Problem, show_value

MAX_FORMULA_LINES = 20  # formula cells named one by one in the report; the rest are counted

_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s>/]")
_CELL_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s>/]")
_FORMULA_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s>/]")
_MERGE_REF = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?mergeCell\b[^>]*?\bref=\"([A-Za-z$]+\$?\d+(?::[A-Za-z$]+\$?\d+)?)\"")

Formulas = dict[tuple[int, int], tuple[str, str]]  # (row0, col0) → (coordinate, formula text)


def col_letter(j: int) -> str:
    """'A' for column 0."""
    from openpyxl.utils import get_column_letter

    return get_column_letter(j + 1)


def _scan_sheet_xml(zf: zipfile.ZipFile, part: str) -> tuple[int, int, int, list[str]]:
    """(rows, cells, formulas) counted from the sheet's XML as a stream — the sheet's own <dimension> may lie — and
    its merged ranges ('A1:AG1', …), which openpyxl's read-only mode does not expose."""
    rows = cells = formulas = 0
    refs: list[str] = []
    tail = b""
    with zf.open(part) as fh:
        while True:
            chunk = fh.read(1 << 20)
            buf = tail + chunk
            if not chunk:
                cut = len(buf)
            else:
                cut = buf.rfind(b"<")
                cut = len(buf) if cut < 0 else cut
            head, tail = buf[:cut], buf[cut:]
            rows += len(_ROW_TAG.findall(head))
            cells += len(_CELL_TAG.findall(head))
            formulas += len(_FORMULA_TAG.findall(head))
            refs += [m.decode("ascii") for m in _MERGE_REF.findall(head)]
            if not chunk:
                return rows, cells, formulas, refs
            if len(tail) > 4096:  # a '<' that never closes: not XML we could use, stop carrying it
                tail = b""


def _pick_sheet(worksheets: list, sheet: str | None):
    names = [ws.title for ws in worksheets]
    if sheet is None:
        if not names:
            raise Refused(Problem("工作表不存在", message="工作簿中没有工作表：请检查文件。"))
        return worksheets[0]
    wanted = sheet.strip()
    ws = next((w for w in worksheets if w.title == wanted or w.title.strip() == wanted), None)
    if ws is None:
        raise Refused(Problem("工作表不存在", value=sheet, message=(
            f"工作簿中没有名为“{sheet}”的工作表。现有工作表：{'、'.join(names)}。请用 --sheet 指定其中之一。")))
    return ws


def _formula_cells(ws) -> Formulas:
    """The sheet's formula cells, read with data_only=False and never evaluated."""
    formulas: Formulas = {}
    for row in ws.iter_rows():
        for cell in row:
            if getattr(cell, "data_type", None) == "f":
                text = getattr(cell.value, "text", cell.value)
                formulas[(cell.row - 1, cell.column - 1)] = (cell.coordinate, str(text or ""))
    return formulas


def preflight(data: bytes, sheet: str | None) -> tuple[Formulas, list[str]]:
    """Before the full load: zip checks, the sheet's size (dimension and XML), its formula cells and merged ranges."""
    import openpyxl

    zf = check_zip(data)
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as e:  # openpyxl raises many types for damaged files; all mean the same to the analyst
        raise unreadable(e) from None
    try:
        ws = _pick_sheet(wb.worksheets, sheet)
        limit = max_rows() + SCAN_ROWS
        declared_rows, declared_cols = ws.max_row or 0, ws.max_column or 0
        if declared_rows > limit:
            raise too_many_rows(declared_rows, f"工作表“{ws.title}”（按其尺寸标记）")
        if declared_cols > MAX_COLUMNS:
            raise too_many_columns(declared_cols, f"工作表“{ws.title}”", "请删除多余的列后再导入。")
        part = getattr(ws, "_worksheet_path", None)
        n_formulas = 0
        refs: list[str] = []
        if part:
            n_rows, n_cells, n_formulas, refs = _scan_sheet_xml(zf, part)
            if n_rows > limit:
                raise too_many_rows(n_rows, f"工作表“{ws.title}”")
            if n_cells > source.MAX_CELLS:  # read at each call, so a deployment (or test) may lower it
                raise Refused(Problem("单元格过多", value=f"{n_cells:,}", message=(
                    f"工作表“{ws.title}”有 {n_cells:,} 个单元格，超过上限 {source.MAX_CELLS:,}：请删除多余的行列或格式后再导入。")))
        return (_formula_cells(ws) if n_formulas or not part else {}), refs
    finally:
        wb.close()


def _formula(text: str) -> str:
    return text if text.startswith("=") else f"={text}"


def _report_formulas(found: list, into: list, rule: str, line, more) -> None:
    """One problem per formula cell, up to MAX_FORMULA_LINES, then one counting the rest."""
    for r, c, coord, text, value in found[:MAX_FORMULA_LINES]:
        into.append(Problem(rule, f"{col_letter(c)} 列", r + 1, _formula(text), line(coord, _formula(text), value)))
    if len(found) > MAX_FORMULA_LINES:
        into.append(Problem(rule, message=more(len(found) - MAX_FORMULA_LINES)))


def formula_problems(formulas: Formulas, rows: list[list], warnings: list, errors: list) -> None:
    """Formula cells: a warning with a cached value (imported as is), an error without one (never computed here)."""
    uncached, cached = [], []
    for (r, c), (coord, text) in sorted(formulas.items()):
        value = rows[r][c] if r < len(rows) and c < len(rows[r]) else None
        (uncached if value is None else cached).append((r, c, coord, text, value))
    _report_formulas(uncached, errors, "公式未计算", lambda coord, f, _: (
        f"单元格 {coord} 是公式“{f}”，文件中没有它的计算结果：公式未计算，请在Excel中另存为数值"
        "（或在 Excel/WPS 中打开、重新计算并保存）后再导入。"),
        lambda k: f"另有 {k} 个公式单元格没有计算结果：公式未计算，请在Excel中另存为数值。")
    _report_formulas(cached, warnings, "公式单元格", lambda coord, f, value: (
        f"单元格 {coord} 是公式“{f}”，已按文件中保存的计算结果“{show_value(value)}”导入（不重新计算）："
        "请确认结果是最新的；建议报送前把公式另存为数值。"),
        lambda k: f"另有 {k} 个公式单元格，已按保存的计算结果导入（不重新计算）。")


def _rstrip(row: tuple) -> list:
    """Drop trailing empty cells: formatting can stretch a sheet to thousands of blank columns."""
    n = len(row)
    while n and row[n - 1] is None:
        n -= 1
    return list(row[:n])


def _values(data: bytes, sheet: str | None) -> tuple[list[list], str]:
    """The chosen sheet's cell values, row by row, and its title."""
    import openpyxl

    try:
        # Read-only streams the sheet (~1.6× faster than building every cell object).
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            ws = _pick_sheet(wb.worksheets, sheet)
            ws.reset_dimensions()  # the sheet's <dimension> may be wrong: read every row and cell there is
            return [_rstrip(r) for r in ws.iter_rows(values_only=True)], ws.title
        finally:
            wb.close()
    except Refused:
        raise
    except Exception as e:  # openpyxl raises many types for damaged files; all mean the same to the analyst
        raise unreadable(e) from None


def _merged(rows: list[list], refs: list[str]) -> tuple[dict[tuple[int, int], tuple[object, int]],
                                                        list[tuple[int, int, int]]]:
    """Header-area merges as spans {(row0, col0): (value, width)}; ranges merged down as (row, last row, col0)."""
    from openpyxl.utils.cell import range_boundaries

    spans: dict[tuple[int, int], tuple[object, int]] = {}
    merges: list[tuple[int, int, int]] = []
    for ref in refs:
        try:
            min_col, min_row, max_col, max_row = range_boundaries(ref)
        except (ValueError, TypeError):
            continue  # a malformed ref merges nothing
        if None in (min_col, min_row, max_col, max_row):
            continue
        if max_row > min_row:
            merges.append((min_row, max_row, min_col - 1))
        if min_row > SCAN_ROWS + 2:
            continue
        top = rows[min_row - 1] if min_row <= len(rows) else []
        value = top[min_col - 1] if min_col <= len(top) else None
        width = max_col - min_col + 1
        for r in range(min_row, min(max_row, SCAN_ROWS + 2) + 1):
            for c in range(min_col, min(max_col, MAX_COLUMNS) + 1):
                spans[(r - 1, c - 1)] = (value, width)
    return spans, merges


def read_xlsx(data: bytes, sheet: str | None, refs: list[str]
              ) -> tuple[list[list], dict, str, list[tuple[int, int, int]]]:
    """(rows, header spans, sheet title, merged-down ranges); refs: the merged ranges the preflight found."""
    rows, title = _values(data, sheet)
    spans, merges = _merged(rows, refs)
    return rows, spans, title, merges
