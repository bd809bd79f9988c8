"""Build: a Table → the canonical snapshot frame, every problem named by its source row; read_ledger runs it all.

The steps, in order: read each heading (heads.py, headings.py), keep the project rows (rows.py), settle the report's
month and unit (settle.py, from the lines above the header: facts.py), check the headings' years and months against
it (heads.py), parse every cell as real tables write it (columns.py, values.py), derive what the file states once or
implies (derive.py), complete what it does not have (complete.py), and check every rule (data.validate)."""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from data.ingest.basis import EMPTY, Basis, Rows, made_code, name_key
from data.ingest.cells import blank, parsers
from data.ingest.columns import Cells, Readings, cells_warnings, parse_column
from data.ingest.complete import Completer
from data.ingest.derive import derive_period, derive_start, file_values, investor_names, period_dates
from data.ingest.facts import read_facts, resolve_unit
from data.ingest.header import Table
from data.ingest.heads import Heads, check_stamps, map_headers, reading_warning
from data.ingest.readers import read_table
from data.ingest.result import ImportResult
from data.ingest.rows import project_rows, unmerge
from data.ingest.settle import looks_like_county, month_column, settle_month, settle_unit, unit_warning
from data.ingest.source import Refused, clean_filename, load, sniff
from data.ingest.vocabulary import Vocabulary
from data.mappings import NONE, Mappings, _likeness
from data.problems import Problem
from data.schema import (ALL_COLUMNS, COLUMN_BY_NAME, COLUMNS, FULL_SCHEMA, PRIOR_YEARS, Column, normalize_header,
                         snapshot_frame, split_unit)
from data.validate import RULE_BY_ID, validate

__all__ = ["Context", "build", "looks_like_county", "made_code", "name_key", "period_dates", "read_cells",
           "read_ledger"]


@dataclass
class Context:
    """What a read knows besides the file: taught mappings, the unit it was given, the store to complete from, and
    — reading a register — the register's year (attributes only, no month)."""

    mappings: Mappings = NONE
    unit: str | None = None
    basis: Basis = EMPTY
    register_year: int | None = None


def read_ledger(source: str | Path | bytes, *, filename: str | None = None, sheet: str | None = None,
                month: str | None = None, mappings: Mappings = NONE, context: Context | None = None) -> ImportResult:
    """Read and check one ledger file (with the store's taught mappings, completing from `context`'s store); the
    frame only when there are no errors."""
    ctx = context or Context(mappings)
    res = ImportResult(frame=None, filename=filename)
    try:
        data, name = load(source, filename)
        res.filename = clean_filename(name, res.warnings)
        res.sha256 = hashlib.sha256(data).hexdigest()
        res.kind = sniff(data)
        table = _table(data, res, sheet, ctx)
    except Refused as e:
        res.errors.append(e.problem)
        res.unknown_headers = e.unknown_headers
        return res
    res.header_row = table.header_row
    build(table, res, month, ctx)
    return res


def _table(data: bytes, res: ImportResult, sheet: str | None, ctx: Context) -> Table:
    """The file's Table; read again with a unit's own taught headings when its 填报单位 line names that unit."""
    table = read_table(data, res, sheet, Vocabulary(ctx.mappings, ctx.unit))
    if ctx.unit is None and ctx.mappings.units:
        text = read_facts(table.above).unit_text
        unit = resolve_unit(text, ctx.basis.known_units()) if text else None
        if unit in ctx.mappings.units:
            again = ImportResult(frame=None, filename=res.filename, kind=res.kind)
            table = read_table(data, again, sheet, Vocabulary(ctx.mappings, unit))
    return table


# ---- the report's rows ------------------------------------------------------------------------------------------------
@dataclass
class Read:
    """What reading a table's cells gave: the rows (values, which the file gives), the month, the unit."""

    rows: Rows
    month: dt.date | None
    year: int
    unit: str | None            # the import's unit (given or from the file)
    county_unit: bool           # that unit is a county
    heads: Heads
    reported: Cells


def read_cells(table: Table, res: ImportResult, month: str | None, ctx: Context) -> Read | None:
    """Headings, rows, month, unit, every cell and the file-level values; None when the file is refused before its
    cells can be read (a heading's year or month, or no month)."""
    facts = read_facts(table.above)
    heads = map_headers(table, res)
    rowmap = heads.row_mapping()
    reported = unmerge(table, rowmap, res.errors)
    groups: list[tuple[int, str]] = []
    keep = project_rows(table, rowmap, res.warnings, groups)
    _report_unmatched(table, heads.unmatched, keep, res.warnings)
    res.unknown_headers = list(dict.fromkeys(str(table.headers[j]).strip() for j in heads.unmatched
                                             if not blank(table.headers[j])))
    res.source_rows = [r for r, _ in keep]
    kinds = parsers(table.date1904)
    column = None
    if ctx.register_year is not None:
        the_month, year = None, ctx.register_year
        if facts.year is not None and facts.year != year:
            res.errors.append(Problem("名单年份不符", "", None, facts.month_text or facts.level_text, (
                f"标题写的是 {facts.year} 年，但导入的是 {year} 年的名单：请核对 --year 或标题。")))
            return None
    else:
        column = month_column(keep, heads, res, reported, kinds)
        the_month, column = settle_month(table, heads, column, month, facts, res, len(keep))
        if the_month is None:
            return None
        year = the_month.year
    if not check_stamps(table, heads, the_month, year, res):
        return None
    reading_warning(table, heads, res)
    unit, county_unit = settle_unit(ctx.unit, ctx.basis.known_units(), facts, res)
    res.unit = unit if unit and not county_unit else None
    rows = _values(table, heads, keep, res, reported, ctx, kinds, year, the_month, column)
    if unit and not ctx.unit:
        unit_warning(facts, unit, county_unit, rows, ctx.basis.known_units(), res)
    file_values(table, rows, facts, unit, county_unit, groups, keep, res)
    if the_month is not None:
        derive_start(table, heads, keep, rows, the_month, res, reported, kinds, year)
    derive_period(rows, res)
    return Read(rows, the_month, year, unit, county_unit, heads, reported)


def _values(table: Table, heads: Heads, keep, res: ImportResult, reported: Cells, ctx: Context, kinds: dict,
            year: int, month: dt.date | None, column: list | None) -> Rows:
    n = len(keep)
    values: dict[str, list] = {}
    given: dict[str, list[bool]] = {}
    seen = Readings()
    for col in ALL_COLUMNS:
        given[col.name] = [col.name in heads.chosen] * n
        if col.name not in heads.chosen or col.name == "snapshot_month":
            values[col.name] = [None] * n
            continue
        j, factor = heads.chosen[col.name]
        values[col.name] = parse_column(col, j, factor, keep, res, reported, ctx.mappings, kinds, year, seen,
                                         given[col.name])
    if month is not None:
        values["snapshot_month"] = column if column is not None else [month] * n
        given["snapshot_month"] = [True] * n
    money = COLUMN_BY_NAME["completed_investment_ytd"]
    amounts = {m: parse_column(money, j, f, keep, res, reported, ctx.mappings, kinds, year, seen,
                                zh=str(table.headers[j]).strip()) for m, (j, f) in sorted(heads.amounts.items())}
    prior = None
    if PRIOR_YEARS in heads.chosen and "completed_investment_total" not in heads.chosen:
        j, f = heads.chosen[PRIOR_YEARS]
        prior = parse_column(money, j, f, keep, res, reported, ctx.mappings, kinds, year, seen,
                              zh=str(table.headers[j]).strip())
    cells_warnings(seen, year, res)
    if seen.names:
        investor_names(values, given, seen.names, res)
    present = {c for c in heads.chosen if c in COLUMN_BY_NAME}
    return Rows(values, given, [r for r, _ in keep], "project_id" in heads.chosen, amounts, prior, present)


def _report_unmatched(table: Table, unmatched: list[int], keep: list[tuple[int, list]],
                      warnings: list[Problem]) -> None:
    """A warning for each ignored column: one with an unknown header, or none but holding data."""
    for j in unmatched:
        h = table.headers[j]
        if blank(h):
            if any(not blank(values[j]) for _, values in keep):
                warnings.append(Problem("未识别的列", table.labels[j], table.header_row, "",
                                        f"{table.labels[j]}没有表头但有数据，已忽略：如需导入，请补上标准表头。"))
        else:
            warnings.append(Problem("未识别的列", str(h).strip(), table.header_row, str(h), (
                f"{table.labels[j]}表头“{str(h).strip()}”不是标准列名，此列已忽略：如需导入，请改为标准表头"
                "（如“总投资(万元)”“计划开工时间”）。")))


# ---- the ledger: complete, then check ----------------------------------------------------------------------------------
def build(table: Table, res: ImportResult, month: str | None, ctx: Context = Context()) -> None:
    """Read the cells, complete what the file does not have, check every rule; the frame only when error-free."""
    read = read_cells(table, res, month, ctx)
    if read is None:
        if not res.errors:  # an empty 报送月份 column over no rows: nothing to import
            res.errors.append(Problem("没有数据", "", table.header_row, "", (
                f"{table.where}下面没有项目数据：请确认数据在表头下方，且不是只有合计行。")))
        return
    rows = read.rows
    unreported: Cells = set()
    filled: set[str] = set()
    if rows.n:
        completer = Completer(rows, res, read.month, ctx.basis, res.unit)
        unreported = completer.run()
        filled = completer.filled
        res.made_codes = not rows.has_id and rows.has("project_name")
    skip = _missing(table, rows, res, read, filled)
    if not rows.n and not res.errors:
        res.errors.append(Problem("没有数据", "", table.header_row, "", (
            f"{table.where}下面没有项目数据：请确认数据在表头下方，且不是只有合计行。")))
    frame = pl.DataFrame({c.name: pl.Series(c.name, rows.values[c.name], dtype=c.dtype) for c in ALL_COLUMNS})
    # Columns already reported as missing would fail every row again; leave them out of the rule checks.
    _check_rules(frame.drop(sorted(skip)) if skip else frame, res, read.reported | unreported)
    if not res.errors:
        res.frame = snapshot_frame(frame.cast(FULL_SCHEMA))


def _missing(table: Table, rows: Rows, res: ImportResult, read: Read, filled: set[str]) -> set[str]:
    """Required columns nothing gave any row: one error each (naming a heading it may be). Rows a required attribute
    is missing for (matched neither in the register nor last month): one error each, naming the columns. Optional
    columns nothing gave: a warning each (the text columns say nothing). The columns to leave out of the rules."""
    unknown = [str(table.headers[j]).strip() for j in read.heads.unmatched if not blank(table.headers[j])]
    found = [str(h).strip() for h in table.headers if not blank(h)]
    v = rows.values
    absent = [c for c in COLUMNS if c.name != "snapshot_month" and not rows.has(c.name)
              and all(x is None for x in v[c.name])
              and not (c.name == "completed_investment_ytd" and rows.amounts)]  # read from the months' columns
    missing = [c for c in absent if c.required and not c.unreported
               and not (c.name == "project_id" and "project_name" in read.heads.chosen)]
    hints = _hints(missing, unknown)
    for col in missing:
        aka = f"（也可写作：{'、'.join(col.aliases)}）" if col.aliases else ""
        res.errors.append(Problem("缺少必填列", col.zh, table.header_row, "", (
            f"{table.where}中找不到必填列“{col.zh}”{aka}。已识别的表头：{'、'.join(found)}。请补上该列或更正列名。"
            + hints.get(col.name, ""))))
    for col in absent:
        if not col.required and col.name not in filled:
            aka = f"（也可写作：{'、'.join(col.aliases)}）" if col.aliases else ""
            res.warnings.append(Problem("缺少可选列", col.zh, table.header_row, "",
                                        f"没有找到“{col.zh}”列{aka}，按空值处理：如有此项数据，请补上该列。"))
    skip = {c.name for c in missing}
    by_row: dict[int, list[str]] = {}
    for col in COLUMNS:
        if not col.required or col.unreported or col.name in skip or col.name == "snapshot_month" or rows.has(col.name):
            continue
        for i, x in enumerate(v[col.name]):
            if x is None and not rows.given[col.name][i]:
                by_row.setdefault(i, []).append(col.zh)
                read.reported.add((col.zh, rows.source_rows[i]))
    for i, cols in sorted(by_row.items()):
        name = v["project_name"][i] or v["project_id"][i] or ""
        res.errors.append(Problem("未匹配项目缺少必填项", "、".join(cols), rows.source_rows[i], name, (
            f"“{name}”在名单和此前已发布的数据中都没有找到（或它们没有这些列），文件中也没有：{'、'.join(cols)}。"
            "请在文件中补上这些列，或先导入本年度名单。")))
    return skip


def _hints(missing: list[Column], unknown: list[str]) -> dict[str, str]:
    """For each missing column, the unrecognised heading most like it (each heading proposed once) and the command
    that teaches it; the headings listed for every column (any of them may be it)."""
    if not unknown:
        return {}
    pairs = []
    for col in missing:
        keys = {normalize_header(h) for h in (col.zh, *col.aliases, col.en)} | {split_unit(h)[0] for h in (col.zh, *col.aliases)}
        for k, h in enumerate(unknown):
            pairs.append((-_likeness(split_unit(h)[0] or normalize_header(h), keys), k, col.name, h))
    proposed: dict[str, str] = {}
    used: set[str] = set()
    for score, _, name, h in sorted(pairs):
        if name in proposed or h in used or (score == 0 and len(unknown) > 1):  # shares nothing: no guess
            continue
        proposed[name], _ = h, used.add(h)
    out = {}
    listed = f"未识别的表头：{'、'.join(unknown)}"
    for col in missing:
        h = proposed.get(col.name)
        if h is not None:
            out[col.name] = (f"{listed}——如“{h}”就是“{col.zh}”，可在导入页面选择对应，或运行 "
                             f"python -m data mapping add --column {h} {col.zh}，以后导入都会记住。")
        else:
            out[col.name] = (f"{listed}——如其中一列就是“{col.zh}”，可在导入页面选择对应，或运行 "
                             f"python -m data mapping add --column 原表头 {col.zh}，以后导入都会记住。")
    return out


def _check_rules(frame: pl.DataFrame, res: ImportResult, reported: Cells) -> None:
    """The validation rules on the parsed frame; an empty required cell already reported (unreadable, merged, missing
    attribute) or 未填报 is skipped."""
    for p in validate(frame, res.source_rows):
        if p.rule == RULE_BY_ID["required"].name and (p.column, p.row) in reported:
            continue
        res.errors.append(p)
