"""Readers: a ledger's bytes (CSV, xlsx, xls or parquet) → one source-neutral Table."""
from __future__ import annotations

import csv
import io

import polars as pl

from data.ingest.header import SCAN_ROWS, Table, grid_table, score
from data.ingest.result import ImportResult
from data.ingest.source import (MAX_COLUMNS, MAX_UNZIPPED_BYTES, Refused, decode, max_rows, mb, too_many_columns,
                                too_many_rows)
from data.ingest.vocabulary import BUILTIN, Vocabulary
from data.ingest.workbook import read_workbook
from data.ingest.xls import XlsBook
from data.ingest.xlsx import XlsxBook
from data.problems import Problem


def _read_csv(data: bytes, vocab: Vocabulary = BUILTIN) -> list[list]:
    """The rows, split on whichever of comma, tab or semicolon makes the best header."""
    text = decode(data)
    best: tuple[int, list[list]] | None = None
    for delim in (",", "\t", ";"):
        try:
            rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delim))
        except csv.Error as e:
            raise Refused(Problem("文件格式不支持", message=f"CSV 文件格式有误（{e}）：请用 Excel 重新导出。")) from None
        s = max((score(r, vocab) for r in rows[:SCAN_ROWS]), default=0)
        if best is None or s > best[0]:
            best = (s, rows)
    return best[1]


def _parquet_unreadable(e: BaseException) -> Refused:
    return Refused(Problem("文件无法读取", message=f"Parquet 文件无法读取（{type(e).__name__}）：请重新导出。"))


def _parquet_table(data: bytes) -> Table:
    """Columns by their names; the size limits are checked from the footer before any row is read."""
    try:
        import pyarrow.parquet as pq

        meta = pq.read_metadata(io.BytesIO(data))
        n_rows, n_cols = meta.num_rows, meta.num_columns
        unpacked = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
    except Exception as e:  # a damaged footer: nothing else can be read either
        raise _parquet_unreadable(e) from None
    if n_rows > max_rows():
        raise too_many_rows(n_rows, "Parquet 文件")
    if n_cols > MAX_COLUMNS:
        raise too_many_columns(n_cols, "Parquet 文件", "请只导出台账的列。")
    if unpacked > MAX_UNZIPPED_BYTES:
        raise Refused(Problem("文件解压后过大", value=mb(unpacked), message=(
            f"Parquet 文件解压后有 {mb(unpacked)}，超过安全上限 {mb(MAX_UNZIPPED_BYTES)}，未读取：请只导出台账的列和行。")))
    try:
        df = pl.read_parquet(io.BytesIO(data))
    except (Exception, pl.exceptions.PanicException) as e:  # damaged or foreign parquet (polars may panic on it)
        raise _parquet_unreadable(e) from None
    cols = [s.to_list() for s in df.iter_columns()]
    rows = [(i + 1, [c[i] for c in cols]) for i in range(df.height)]
    return Table(list(df.columns), [None] * df.width, rows, None, [f"第 {j + 1} 列" for j in range(df.width)])


def _no_sheets(kind: str) -> Problem:
    return Problem("参数被忽略", message=f"{kind} 文件没有工作表，已忽略指定的工作表名。")


def read_table(data: bytes, res: ImportResult, sheet: str | None, vocab: Vocabulary = BUILTIN) -> Table:
    """The Table of a file of the kind res.kind (headings read with `vocab`); file-level findings and the sheet read
    go into res."""
    if res.kind == "parquet":
        if sheet:
            res.warnings.append(_no_sheets("Parquet"))
        table = _parquet_table(data)
        table.vocab = vocab
        return table
    if res.kind in ("xlsx", "xls"):
        return read_workbook((XlsxBook if res.kind == "xlsx" else XlsBook)(data), res, sheet, vocab)
    rows = _read_csv(data, vocab)
    if len(rows) > max_rows() + SCAN_ROWS:
        raise too_many_rows(len(rows), "CSV 文件")
    if sheet:
        res.warnings.append(_no_sheets("CSV"))
    return grid_table(rows, {}, lambda j: f"第 {j + 1} 列", vocab)
