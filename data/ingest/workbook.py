"""Workbooks (.xlsx and .xls alike): which sheet to read, its values (python-calamine) with error cells kept as such,
formula cells reported, merged header spans — one Table, whatever the format."""
from __future__ import annotations

import io
from dataclasses import dataclass, field

from data.ingest import source
from data.ingest.cells import ExcelError
from data.ingest.header import SCAN_ROWS, Table, grid_table, has_header
from data.ingest.result import ImportResult
from data.ingest.source import MAX_COLUMNS, Refused, unreadable
from data.ingest.vocabulary import BUILTIN, Vocabulary
from data.problems import Problem, show_value

MAX_FORMULA_LINES = 20  # formula cells named one by one in the report; the rest are counted

Formulas = dict[tuple[int, int], tuple[str, str]]  # (row0, col0) → (coordinate, formula text; '' if not kept)


@dataclass
class SheetInfo:
    """A worksheet's name and whether the analyst sees it (hidden sheets are never picked automatically)."""

    name: str
    visible: bool


@dataclass
class Scan:
    """What a sheet holds besides its values: formula cells, error cells, merged ranges (1-based bounds)."""

    formulas: Formulas = field(default_factory=dict)
    errors: dict[tuple[int, int], str] = field(default_factory=dict)
    merges: list = field(default_factory=list)  # (min_row, min_col, max_row, max_col)
    empty_results: set[tuple[int, int]] = field(default_factory=set)  # formulas whose saved result is "" (=IF(…,"",…))


def col_letter(j: int) -> str:
    """'A' for column 0."""
    from openpyxl.utils import get_column_letter

    return get_column_letter(j + 1)


def too_many_cells(n: int, name: str) -> Refused:
    """The refusal of a sheet over the cell cap (read from data.ingest.source at each call)."""
    return Refused(Problem("单元格过多", value=f"{n:,}", message=(
        f"工作表“{name}”有 {n:,} 个单元格，超过上限 {source.MAX_CELLS:,}：请删除多余的行列或格式后再导入。")))


def _failed(e: BaseException) -> None:
    if isinstance(e, (KeyboardInterrupt, SystemExit, GeneratorExit)):
        raise e


def calamine_book(data: bytes, kind: str):
    """The python-calamine workbook of the bytes; a file it cannot open is refused as damaged."""
    import python_calamine

    try:
        return python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except BaseException as e:  # noqa: BLE001 — a Rust panic on a damaged file is a BaseException
        _failed(e)
        raise unreadable(e, kind) from None


def sheet_values(book, name: str, kind: str) -> list[list]:
    """The sheet's rows from A1, empty cells None and trailing empty cells dropped (as calamine gives values)."""
    try:
        grid = book.values.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except BaseException as e:  # noqa: BLE001
        _failed(e)
        raise unreadable(e, kind) from None
    rows = []
    for row in grid:
        n = len(row)
        while n and row[n - 1] == "":
            n -= 1
        rows.append([None if v == "" else v for v in row[:n]])
    while rows and not rows[-1]:
        rows.pop()
    return rows


def _with_errors(rows: list[list], errors: dict[tuple[int, int], str]) -> None:
    """Put each error cell back as an ExcelError ('#DIV/0!'): value readers return them empty."""
    for (r, c), text in errors.items():
        if c >= MAX_COLUMNS:
            continue
        while len(rows) <= r:
            rows.append([])
        row = rows[r]
        if len(row) <= c:
            row.extend([None] * (c + 1 - len(row)))
        row[c] = ExcelError(text)


def merged(rows: list[list], bounds: list) -> tuple[dict[tuple[int, int], tuple[object, int]],
                                                     list[tuple[int, int, int]]]:
    """Header-area merges as spans {(row0, col0): (value, width)}; ranges merged down as (row, last row, col0)."""
    spans: dict[tuple[int, int], tuple[object, int]] = {}
    merges: list[tuple[int, int, int]] = []
    for min_row, min_col, max_row, max_col in bounds:
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


def _formula(text: str) -> str:
    return "" if not text else text if text.startswith("=") else f"={text}"


def _named(f: str) -> str:
    return f"公式“{f}”" if f else "公式"


def _report_formulas(found: list, into: list, rule: str, line, more) -> None:
    """One problem per formula cell, up to MAX_FORMULA_LINES, then one counting the rest."""
    for r, c, coord, text, value in found[:MAX_FORMULA_LINES]:
        into.append(Problem(rule, f"{col_letter(c)} 列", r + 1, _formula(text), line(coord, _formula(text), value)))
    if len(found) > MAX_FORMULA_LINES:
        into.append(Problem(rule, message=more(len(found) - MAX_FORMULA_LINES)))


def formula_problems(scan: Scan, rows: list[list], warnings: list, errors: list) -> None:
    """Formula cells: a warning with a cached value (imported as is), an error without one (never computed here)."""
    uncached, cached = [], []
    for (r, c), (coord, text) in sorted(scan.formulas.items()):
        value = rows[r][c] if r < len(rows) and c < len(rows[r]) else None
        if value is None and (r, c) in scan.empty_results:
            value = ""
        (uncached if value is None else cached).append((r, c, coord, text, value))
    _report_formulas(uncached, errors, "公式未计算", lambda coord, f, _: (
        f"单元格 {coord} 是{_named(f)}，文件中没有它的计算结果：公式未计算，请在Excel中另存为数值"
        "（或在 Excel/WPS 中打开、重新计算并保存）后再导入。"),
        lambda k: f"另有 {k} 个公式单元格没有计算结果：公式未计算，请在Excel中另存为数值。")
    _report_formulas(cached, warnings, "公式单元格", lambda coord, f, value: (
        f"单元格 {coord} 是{_named(f)}，已按文件中保存的计算结果“{show_value(value)}”导入（不重新计算）："
        "请确认结果是最新的；建议报送前把公式另存为数值。"),
        lambda k: f"另有 {k} 个公式单元格，已按保存的计算结果导入（不重新计算）。")


def _read(book, name: str) -> tuple[list[list], Scan, dict]:
    """The sheet's values (error cells restored), its scan and its header spans; the caps are checked first."""
    scan = book.scan(name)
    rows = sheet_values(book, name, book.kind)
    _with_errors(rows, scan.errors)
    spans, scan.merges = merged(rows, scan.merges)
    return rows, scan, spans


def _named_sheet(book, sheet: str) -> str:
    names = [s.name for s in book.sheets]
    wanted = sheet.strip()
    name = next((n for n in names if n == wanted or n.strip() == wanted), None)
    if name is None:
        raise Refused(Problem("工作表不存在", value=sheet, message=(
            f"工作簿中没有名为“{sheet}”的工作表。现有工作表：{'、'.join(names)}。请用 --sheet 指定其中之一。")))
    return name


def _several(names: list[str]) -> Refused:
    quoted = "".join(f"“{n}”" for n in names)
    return Refused(Problem("多个台账工作表", value="、".join(names), message=(
        f"工作簿中有 {len(names)} 个工作表都有台账表头：{quoted}，无法确定导入哪一个：请在数据管理页面选择工作表，"
        f"或在命令行加 --sheet 工作表名（如 --sheet {names[0]}）。")))


def _choose(book, res: ImportResult, sheet: str | None,
            vocab: Vocabulary = BUILTIN) -> tuple[str, list[list], Scan, dict]:
    """The sheet named, else the one visible sheet with a ledger header (the first sheet if none has one)."""
    if sheet:
        name = _named_sheet(book, sheet)
        return (name, *_read(book, name))
    shown = [s.name for s in book.sheets if s.visible] or [s.name for s in book.sheets]
    if not shown:
        raise Refused(Problem("工作表不存在", message="工作簿中没有工作表：请检查文件。"))
    found, first = [], None
    for name in shown:
        read = (name, *_read(book, name))
        first = first or read
        if has_header(read[1], read[3], vocab):
            found.append(read)
    if len(found) > 1:
        res.sheet_choices = [f[0] for f in found]
        raise _several(res.sheet_choices)
    if not found:
        return first  # its header search names the problem
    if found[0][0] != shown[0]:
        res.warnings.append(Problem("已读取其他工作表", value=found[0][0], message=(
            f"第一个工作表“{shown[0]}”没有表头，已读取工作表“{found[0][0]}”：如要导入其他工作表，请用 --sheet 指定。")))
    return found[0]


def read_workbook(book, res: ImportResult, sheet: str | None, vocab: Vocabulary = BUILTIN) -> Table:
    """The Table of the chosen sheet; the sheet's name, formula findings and sheet choice go into res."""
    res.sheet, rows, scan, spans = _choose(book, res, sheet, vocab)
    formula_problems(scan, rows, res.warnings, res.errors)
    table = grid_table(rows, spans, lambda j: f"{col_letter(j)} 列", vocab)
    table.merges = scan.merges
    table.date1904 = book.date1904
    return table
