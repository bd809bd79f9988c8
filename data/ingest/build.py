"""Build: a Table → the canonical snapshot frame, every problem named by its source row; read_ledger runs it all."""
from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import Counter
from pathlib import Path

import polars as pl

from data.ingest.cells import HOW_TO_FIX, blank, nfkc, parse_month_value, parsers
from data.ingest.header import Table, match
from data.ingest.readers import read_table
from data.ingest.result import ImportResult
from data.ingest.rows import Mapping, project_rows, unmerge
from data.ingest.source import Refused, clean_filename, load, sniff
from data.mappings import NONE, Mappings
from data.months import month_key
from data.problems import Problem
from data.schema import COLUMN_BY_NAME, COLUMNS, SCHEMA, ZH, Column, normalize_header, split_unit, synonym_index
from data.validate import RULE_BY_ID, validate

SEQ_HEADERS = {"序号", "序", "no", "no.", "编号序号"}  # numbering columns: never imported, never reported
Cells = set[tuple[str, int]]  # (Chinese column, source row) of cells already reported


def read_ledger(source: str | Path | bytes, *, filename: str | None = None, sheet: str | None = None,
                month: str | None = None, mappings: Mappings = NONE) -> ImportResult:
    """Read and check one ledger file (with the store's taught mappings); the frame only when there are no errors."""
    res = ImportResult(frame=None, filename=filename)
    try:
        data, name = load(source, filename)
        res.filename = clean_filename(name, res.warnings)
        res.sha256 = hashlib.sha256(data).hexdigest()
        res.kind = sniff(data)
        table = read_table(data, res, sheet)
    except Refused as e:
        res.errors.append(e.problem)
        return res
    res.header_row = table.header_row
    build(table, res, month, mappings)
    return res


def build(table: Table, res: ImportResult, month: str | None, mappings: Mappings = NONE) -> None:
    """Map the headers, keep the project rows, parse every cell, settle the month, check every rule."""
    mapping, unmatched = _map_headers(table, res.errors, mappings)
    reported = unmerge(table, mapping, res.errors)
    keep = project_rows(table, mapping, res.warnings)
    _report_unmatched(table, unmatched, keep, res.warnings)
    res.unknown_headers = list(dict.fromkeys(str(table.headers[j]).strip() for j in unmatched
                                             if not blank(table.headers[j])))
    missing = _report_missing_columns(table, mapping, res, unmatched)
    res.source_rows = [r for r, _ in keep]
    columns = _parse_cells(keep, mapping, res, reported, mappings, parsers(table.date1904))
    if res.made_codes:
        columns["project_id"] = made_codes(columns, res)
    month_given = _settle_month(table, mapping, columns, month, res, len(keep))
    if not keep and not res.errors:
        res.errors.append(Problem("没有数据", "", table.header_row, "", (
            f"{table.where}下面没有项目数据：请确认数据在表头下方，且不是只有合计行。")))
    frame = pl.DataFrame({c.name: pl.Series(c.name, columns[c.name], dtype=c.dtype) for c in COLUMNS})
    # Columns already reported as missing would fail every row again; leave them out of the rule checks.
    absent = set(missing) | ({"snapshot_month"} if "snapshot_month" not in mapping and not month_given else set())
    _check_rules(frame.drop(sorted(absent)) if absent else frame, res, reported)
    if not res.errors:
        res.frame = frame.select(list(SCHEMA.names())).cast(SCHEMA)


def _map_headers(table: Table, errors: list[Problem], mappings: Mappings) -> tuple[Mapping, list[int]]:
    """Each canonical column's source column and unit factor, and the source columns that name none."""
    mapping: Mapping = {}
    unmatched: list[int] = []
    for j, h in enumerate(table.headers):
        if blank(h):
            unmatched.append(j)
            continue
        name, factor = match(str(h))
        if name is None:
            name, factor = mappings.column_for(h), 1.0
        if name is None:
            if normalize_header(h) not in SEQ_HEADERS:
                unmatched.append(j)
            continue
        if COLUMN_BY_NAME[name].kind == "money" and split_unit(str(h))[1] is None and table.group_factor[j]:
            factor = table.group_factor[j]
        if name in mapping:
            first = mapping[name][0]
            errors.append(Problem("表头重复", ZH[name], table.header_row, str(h), (
                f"{table.labels[first]}“{table.headers[first]}”和 {table.labels[j]}“{h}”都对应“{ZH[name]}”："
                "请删除或改名其中一列。")))
            continue
        mapping[name] = (j, factor)
    return mapping, unmatched


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


def _report_missing_columns(table: Table, mapping: Mapping, res: ImportResult, unmatched: list[int]) -> list[str]:
    """An error for each required column not found (naming the headers not recognised, which may be it), a
    warning for each optional one; the required ones missing. No 项目编码 beside 项目名称: codes are made."""
    found = [str(h).strip() for h in table.headers if not blank(h)]
    unknown = [str(table.headers[j]).strip() for j in unmatched if not blank(table.headers[j])]
    missing = []
    for col in COLUMNS:
        if col.name in mapping or col.name == "snapshot_month":
            continue
        aka = f"（也可写作：{'、'.join(col.aliases)}）" if col.aliases else ""
        if col.name == "project_id" and "project_name" in mapping:
            res.made_codes = True
            continue
        if col.required:
            missing.append(col.name)
            taught = (f"未识别的表头：{'、'.join(unknown)}——如其中一列就是“{col.zh}”，可在导入页面选择对应，或运行 "
                      f"python -m data mapping add --column {unknown[0]} {col.zh}，以后导入都会记住。"
                      if unknown else "")
            res.errors.append(Problem("缺少必填列", col.zh, table.header_row, "", (
                f"{table.where}中找不到必填列“{col.zh}”{aka}。已识别的表头：{'、'.join(found)}。请补上该列或更正列名。"
                + taught)))
        else:
            res.warnings.append(Problem("缺少可选列", col.zh, table.header_row, "",
                                        f"没有找到“{col.zh}”列{aka}，按空值处理：如有此项数据，请补上该列。"))
    return missing


def _parse_cells(keep: list[tuple[int, list]], mapping: Mapping, res: ImportResult, reported: Cells,
                 mappings: Mappings, kinds: dict) -> dict[str, list]:
    """Every column's values (parsed as `kinds` says, in the workbook's date system), a county's own way of
    writing a value mapped to the canonical one (counted, one warning per mapping); an unreadable cell is an
    error (added to reported), never silently nulled."""
    errors = res.errors
    columns: dict[str, list] = {}
    for col in COLUMNS:
        if col.name not in mapping:
            columns[col.name] = [None] * len(keep)
            continue
        j, factor = mapping[col.name]
        parse = kinds[col.kind]
        canon = _canonical_value(col, mappings)
        counts: Counter = Counter()
        unknown: Counter = Counter()  # values the column does not know, as written: the page offers to teach them
        out = []
        for src_row, values in keep:
            raw = values[j]
            if canon is not None and isinstance(raw, str):
                key = nfkc(raw)
                if key in canon:
                    counts[(key, canon[key])] += 1
                    raw = canon[key]
            try:
                v = parse(raw)
            except (ValueError, OverflowError, TypeError):
                v = None
                if col.kind == "bool" and isinstance(raw, str):
                    unknown[nfkc(raw)] += 1
                reported.add((col.zh, src_row))
                errors.append(Problem("类型错误", col.zh, src_row, raw, f"“{col.zh}”的值无法识别：{HOW_TO_FIX[col.kind]}"))
            if v is not None and factor != 1.0:
                v = round(v * factor, 8)
            if col.kind == "enum" and v is not None and v not in (col.allowed or ()):
                unknown[v] += 1
            out.append(v)
        columns[col.name] = out
        if unknown:
            res.unknown_values[col.name] = dict(unknown)
        res.warnings.extend(Problem("取值对应", col.zh, None, src, f"{col.zh}：{src} → {to}（{n} 行）")
                            for (src, to), n in sorted(counts.items(), key=lambda kv: -kv[1]))
    return columns


def _canonical_value(col: Column, mappings: Mappings) -> dict[str, str] | None:
    """written → canonical for an enumerated or 是/否 column: the contract's synonyms, then what was taught."""
    if col.kind not in ("enum", "bool"):
        return None
    table = {**synonym_index(col.name), **mappings.values.get(col.name, {})}
    return {nfkc(k): v for k, v in table.items()} or None


def name_key(name: str) -> str:
    """A project name folded for matching: NFKC, no blanks or punctuation, lower case."""
    return re.sub(r"[\s\W_]+", "", nfkc(name)).lower()


def made_code(county: str, name: str) -> str:
    """The stable code made for a project a ledger names but does not code: the same county and name give the
    same code in every month and on every machine."""
    return "X" + hashlib.sha1(f"{county}|{name_key(name)}".encode()).hexdigest()[:11].upper()


def made_codes(columns: dict[str, list], res: ImportResult) -> list[str | None]:
    """Codes made from the names (no 项目编码 column); two rows of one county with the same name are an error."""
    seen: dict[tuple, int] = {}
    out = []
    for src_row, county, name in zip(res.source_rows, columns["county"], columns["project_name"]):
        if not name:
            out.append(None)
            continue
        key = (county, name_key(name))
        if key in seen:
            res.errors.append(Problem("项目名称重复", ZH["project_name"], src_row, name, (
                f"文件没有“项目编码”列，项目按名称对应，但第 {seen[key]} 行和第 {src_row} 行的项目名称相同（“{name}”）："
                "请改为不同的名称，或增加“项目编码”列。")))
        seen.setdefault(key, src_row)
        out.append(made_code(county or "", name))
    return out


def _month_arg(month: str | None) -> tuple[dt.date | None, Problem | None]:
    if month is None or not str(month).strip():
        return None, None
    try:
        d = parse_month_value(str(month))
    except ValueError:
        d = None
    if d is None:
        return None, Problem("月份格式错误", ZH["snapshot_month"], None, month,
                             f"指定的月份“{month}”无法识别：请写成 YYYY-MM，例如 2024-06。")
    return d, None


def _settle_month(table: Table, mapping: Mapping, columns: dict[str, list], month: str | None, res: ImportResult,
                  n: int) -> bool:
    """报送月份 from the column or the argument, which must agree (an empty column yields); True if the argument holds."""
    arg, problem = _month_arg(month)
    if problem:
        res.errors.append(problem)
    if "snapshot_month" in mapping and arg is not None and all(m is None for m in columns["snapshot_month"]):
        del mapping["snapshot_month"]
    if "snapshot_month" in mapping:
        found = sorted({m for m in columns["snapshot_month"] if m is not None})
        if len(found) == 1:
            res.month = month_key(found[0])
            if arg is not None and arg != found[0]:
                res.errors.append(Problem("月份冲突", ZH["snapshot_month"], None, res.month, (
                    f"文件中的报送月份是 {res.month}，但指定的月份是 {month_key(arg)}：请核对，"
                    "是否传错了月份的文件；如确是该月的台账，把指定的月份改为它（页面上的“报送月份”栏，命令行的 --month）"
                    "或去掉。")))
    elif arg is not None:
        columns["snapshot_month"] = [arg] * n
        res.month = month_key(arg)
    elif not problem:
        res.errors.append(Problem("缺少报送月份", ZH["snapshot_month"], table.header_row, "", (
            "文件中没有“报送月份”列，也没有指定月份：请在表中增加“报送月份”列（如 2024-06），"
            "或导入时指定月份（命令行加 --month 2024-06）。")))
    return arg is not None


def _check_rules(frame: pl.DataFrame, res: ImportResult, reported: Cells) -> None:
    """The validation rules on the parsed frame; an empty required cell already reported as unreadable is skipped."""
    for p in validate(frame, res.source_rows):
        if p.rule == RULE_BY_ID["required"].name and (p.column, p.row) in reported:
            continue  # already reported as 类型错误 (with the raw value) or as 合并单元格
        res.errors.append(p)
