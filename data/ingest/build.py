"""Build: a Table → the canonical snapshot frame, every problem named by its source row; read_ledger runs it all.

The steps, in order: read each heading (headings.py), keep the project rows (rows.py), settle the report's month and
unit (the file's lines above the header: facts.py), check the headings' years and months against it, parse every
cell as real tables write it (values.py), derive what headings imply (sums, prior years, 建设起止年限, 开工/计划开工),
complete what the file does not have (complete.py), and check every rule (data.validate)."""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from data.ingest.cells import HOW_TO_FIX, blank, nfkc, parse_month_value, parsers
from data.ingest.complete import EMPTY, Basis, Completer, Rows, made_code, name_key
from data.ingest.facts import Facts, heading_category, read_facts, resolve_unit
from data.ingest.header import SEQ_HEADERS, Table
from data.ingest.headings import Reading, Vocabulary, _is_money
from data.ingest.readers import read_table
from data.ingest.result import ImportResult
from data.ingest.rows import Mapping, project_rows, unmerge
from data.ingest.source import Refused, clean_filename, load, sniff
from data.ingest.values import cell_amount, is_organisation, last_day, loose_date, strip_suffix
from data.mappings import NONE, Mappings, _likeness
from data.problems import Problem
from data.schema import (ALL_COLUMNS, COLUMN_BY_NAME, COLUMNS, DERIVED_READS, FULL_SCHEMA, HEADER_INDEX, MONTH_AMOUNT,
                         PRIOR_YEARS, START_EITHER, ZH, Column, normalize_header, snapshot_frame, split_unit,
                         synonym_index)
from data.store import month_key
from data.validate import RULE_BY_ID, validate

__all__ = ["Context", "build", "looks_like_county", "made_code", "name_key", "read_ledger"]
Cells = set[tuple[str, int]]  # (Chinese column, source row) of cells already reported
MONTHLY = ("completed_investment_ytd", MONTH_AMOUNT, "progress_note")  # kinds with one column per month allowed
OFFICE_ENDINGS = ("局", "委", "办", "厅", "中心", "公司", "集团", "部", "会", "院", "处", "所", "站")


@dataclass
class Context:
    """What a read knows besides the file: taught mappings, the unit it was given, the store to complete from, and
    — reading a register — the register's year (attributes only, no month)."""

    mappings: Mappings = NONE
    unit: str | None = None
    basis: Basis = EMPTY
    register_year: int | None = None


def looks_like_county(name: str, known: dict[str, str]) -> bool:
    """Whether a unit is a county (its rows are its 县区's): as the store knows it, else by its name (…县/区/市/旗,
    not an office: 市交通局 is a department)."""
    if name in known:
        return known[name] == "county"
    s = nfkc(name)
    return s.endswith(("县", "区", "市", "旗", "新城", "新区")) and not s.endswith(OFFICE_ENDINGS)


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


# ---- headings ---------------------------------------------------------------------------------------------------------
@dataclass
class Heads:
    """Each source column's reading, and — once the month is known — the column read for each canonical column."""

    readings: dict[int, Reading]
    unmatched: list[int]
    chosen: dict[str, tuple[int, float]] = field(default_factory=dict)
    amounts: dict[int, tuple[int, float]] = field(default_factory=dict)  # month → MONTH_AMOUNT column
    earlier: list[int] = field(default_factory=list)  # earlier months' columns, not read

    def row_mapping(self) -> Mapping:
        """Every read column for the row steps: canonical names, others keyed 'reads#j'."""
        out: Mapping = {}
        for j, r in self.readings.items():
            key = r.reads if r.reads in COLUMN_BY_NAME and r.reads not in out else f"{r.reads}#{j}"
            out[key] = (j, r.factor)
        return out

    def of(self, reads: str) -> list[int]:
        return [j for j, r in self.readings.items() if r.reads == reads]


def _map_headers(table: Table, res: ImportResult) -> Heads:
    """Each column's reading; a taught mapping set aside where the contract reads the heading (or another heading
    as the same column), a warning naming it; two columns for one unstamped column are 表头重复."""
    vocab = table.vocab
    readings: dict[int, Reading] = {}
    unmatched: list[int] = []
    aside: list[str] = []
    for j, h in enumerate(table.headers):
        if blank(h):
            unmatched.append(j)
            continue
        group = table.groups[j] if table.groups else None
        r = vocab.read(h, group)
        if r is None:
            if normalize_header(h) not in SEQ_HEADERS:
                unmatched.append(j)
            continue
        taught = vocab.set_aside(h) if r.taught is None else None
        if taught is not None and taught != r.reads:
            aside.append(f"“{str(h).strip()}”记为“{ZH[taught]}”（按标准读作“{_zh(r.reads)}”）")
        if _is_money(r.reads) and split_unit(str(h))[1] is None and table.group_factor[j]:
            r = dataclasses.replace(r, factor=table.group_factor[j])
        readings[j] = r
    for reads in dict.fromkeys(r.reads for r in readings.values()):
        js = [j for j, r in readings.items() if r.reads == reads]
        recognised = [j for j in js if readings[j].taught is None]
        for j in js:
            if recognised and readings[j].taught is not None:
                aside.append(f"“{str(table.headers[j]).strip()}”记为“{_zh(reads)}”，但{table.labels[recognised[0]]}"
                             f"“{table.headers[recognised[0]]}”已是该列")
                del readings[j]
    if aside:
        res.warnings.append(Problem("记住的对应未使用", "", table.header_row, "", (
            "表头按标准写法读取，以下记住的对应未使用：" + "；".join(aside) + "。如不再需要，可用 python -m data mapping remove 删除。")))
    heads = Heads(readings, unmatched)
    for reads in dict.fromkeys(r.reads for r in readings.values()):
        if reads in MONTHLY:
            continue  # one column per month allowed: chosen once the month is known
        js = heads.of(reads)
        for j in js[1:]:
            _duplicate(table, res, reads, js[0], j)
            del readings[j]
    return heads


def _zh(reads: str) -> str:
    return ZH.get(reads) or DERIVED_READS.get(reads, reads)


def _duplicate(table: Table, res: ImportResult, reads: str, first: int, j: int) -> None:
    res.errors.append(Problem("表头重复", _zh(reads), table.header_row, str(table.headers[j]), (
        f"{table.labels[first]}“{table.headers[first]}”和 {table.labels[j]}“{table.headers[j]}”都对应“{_zh(reads)}”："
        "请删除或改名其中一列。")))


def _check_stamps(table: Table, heads: Heads, month: dt.date | None, year: int, res: ImportResult) -> bool:
    """Every heading's year is the report's (the year before, for prior years) and its month not later than the
    report's; of the kinds with one column per month the report month's own is read. False: the file is refused."""
    said = f"报送月份 {month_key(month)}" if month else f"名单年份 {year}"
    bad = []
    for j, r in heads.readings.items():
        h = str(table.headers[j]).strip()
        if r.year is not None and r.year != (year - 1 if r.reads == PRIOR_YEARS else year):
            want = f"应为{year - 1}年（上年）" if r.reads == PRIOR_YEARS else f"应为{year}年"
            bad.append(Problem("表头年份不符", _zh(r.reads), table.header_row, h,
                               f"表头“{h}”的年份与{said} 不符（{want}）：请核对报送月份或表头，文件未导入。"))
        elif month is not None and r.month is not None and r.month > month.month:
            bad.append(Problem("表头月份晚于报送月份", _zh(r.reads), table.header_row, h,
                               f"表头“{h}”是 {r.month} 月，晚于{said}：请核对报送月份或表头，文件未导入。"))
    if month is not None and not bad:
        for reads in MONTHLY:
            js = heads.of(reads)
            if not js:
                continue
            own = [j for j in js if (heads.readings[j].month or month.month) == month.month]
            if not own:
                names = "、".join(f"“{str(table.headers[j]).strip()}”" for j in js)
                bad.append(Problem("没有报送月份的列", _zh(reads), table.header_row, names, (
                    f"{names}都是{said}以前月份的列，没有 {month.month} 月的：请确认报送月份，或补上本月的列，文件未导入。")))
                continue
            for j in own[1:]:
                if reads != MONTH_AMOUNT or heads.readings[j].month == heads.readings[own[0]].month:
                    _duplicate(table, res, reads, own[0], j)
            if reads == MONTH_AMOUNT:
                for j in js:
                    heads.amounts.setdefault(heads.readings[j].month or month.month, (j, heads.readings[j].factor))
            else:
                heads.chosen[reads] = (own[0], heads.readings[own[0]].factor)
                heads.earlier += [j for j in js if j not in own]
    res.errors.extend(bad)
    for j, r in heads.readings.items():
        if r.reads in COLUMN_BY_NAME and r.reads not in MONTHLY:
            heads.chosen.setdefault(r.reads, (j, r.factor))
        elif r.reads in (PRIOR_YEARS, START_EITHER):
            heads.chosen.setdefault(r.reads, (j, r.factor))
    return not bad


def _reading_warning(table: Table, heads: Heads, res: ImportResult) -> None:
    """One warning naming the headings read by the contract's vocabulary beyond the plain column names."""
    read = []
    for j, r in heads.readings.items():
        h = normalize_header(table.headers[j])
        if r.taught is None and (h in HEADER_INDEX or split_unit(h)[0] in HEADER_INDEX) and not r.stamped:
            continue
        if j in heads.earlier:
            continue
        group = table.groups[j] if table.groups and table.groups[j] else None
        shown = f"{str(group).strip()}/{str(table.headers[j]).strip()}" if group else str(table.headers[j]).strip()
        read.append(f"“{shown}”→{_zh(r.reads)}")
    earlier = "、".join(f"“{str(table.headers[j]).strip()}”" for j in heads.earlier)
    if read or earlier:
        text = ("按表头读取：" + "、".join(read) + "。") if read else ""
        text += f"以前月份的列未读取：{earlier}。" if earlier else ""
        res.warnings.append(Problem("按表头读取", "", table.header_row, "", text))


# ---- the month and the unit -------------------------------------------------------------------------------------------
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


def _month_column(keep, heads: Heads, res: ImportResult, reported: Cells, kinds) -> list | None:
    js = heads.of("snapshot_month")
    if not js:
        return None
    j = js[0]
    col = COLUMN_BY_NAME["snapshot_month"]
    out = []
    for src, values in keep:
        try:
            out.append(kinds["month"](values[j]))
        except (ValueError, OverflowError, TypeError):
            out.append(None)
            reported.add((col.zh, src))
            res.errors.append(Problem("类型错误", col.zh, src, values[j], f"“{col.zh}”的值无法识别：{HOW_TO_FIX['month']}"))
    return out


def _settle_month(table: Table, heads: Heads, column: list | None, month: str | None, facts: Facts,
                  res: ImportResult, n: int) -> tuple[dt.date | None, list | None]:
    """The report's month: the 报送月份 column (its most common month, for reading; the rules name any other), else
    the argument (the two must agree; an empty column yields), else the title, else the N of a 1-N月 heading.
    Returns the month and the column's values (None when the month came otherwise)."""
    arg, problem = _month_arg(month)
    if problem:
        res.errors.append(problem)
    if column is not None and all(m is None for m in column) and (arg is not None or facts.month is not None):
        column = None
        for j in heads.of("snapshot_month"):
            del heads.readings[j]
    if column is not None:
        found = Counter(m for m in column if m is not None)
        if len(found) == 1:
            res.month = month_key(next(iter(found)))
            if arg is not None and arg != next(iter(found)):
                res.errors.append(Problem("月份冲突", ZH["snapshot_month"], None, res.month, (
                    f"文件中的报送月份是 {res.month}，但指定的月份是 {month_key(arg)}：请核对，"
                    "去掉 --month 或改为文件中的月份。")))
        if not found:  # every cell empty, and nothing else gives the month: each row is missing it
            col = COLUMN_BY_NAME["snapshot_month"]
            res.errors.extend(Problem(RULE_BY_ID["required"].name, col.zh, r, "",
                                      f"“{col.zh}”为必填项，此行为空：请补填（{col.rule}）。") for r in res.source_rows)
            return None, None
        return found.most_common(1)[0][0].replace(day=1), column
    if arg is not None:
        if facts.month is not None and facts.month != arg:
            res.errors.append(Problem("月份冲突", ZH["snapshot_month"], None, month_key(facts.month), (
                f"标题“{facts.month_text}”写的是 {month_key(facts.month)}，但指定的月份是 {month_key(arg)}：请核对，"
                "去掉 --month 或改正标题。")))
        res.month = month_key(arg)
        return arg, None
    if problem:
        return None, None
    found, where = facts.month, f"标题“{facts.month_text}”"
    if found is None:
        found, where = _month_from_headings(table, heads, facts)
    if found is None:
        res.errors.append(Problem("缺少报送月份", ZH["snapshot_month"], table.header_row, "", (
            "文件中没有“报送月份”列，标题和表头也没有写明月份，也没有指定月份：请在表中增加“报送月份”列（如 2024-06），"
            "或导入时指定月份（命令行加 --month 2024-06）。")))
        return None, None
    res.month = month_key(found)
    res.warnings.append(Problem("报送月份取自文件", ZH["snapshot_month"], None, res.month,
                                f"文件没有“报送月份”列：报送月份 {res.month} 取自{where}（{n} 行）。"))
    return found, None


def _month_from_headings(table: Table, heads: Heads, facts: Facts) -> tuple[dt.date | None, str]:
    """The latest N of the 1-N月 headings, in the year the heading, the title or another heading states."""
    ytd = [(r.month, r.year, j) for j, r in heads.readings.items() if r.reads == "completed_investment_ytd" and r.month]
    if not ytd:
        return None, ""
    m, y, j = max(ytd, key=lambda t: t[0])
    years = [r.year for r in heads.readings.values() if r.year and r.reads != PRIOR_YEARS]
    prior = [r.year + 1 for r in heads.readings.values() if r.year and r.reads == PRIOR_YEARS]
    year = y or facts.year or next(iter(years + prior), None)
    if year is None or not 1 <= m <= 12:
        return None, ""
    return dt.date(year, m, 1), f"表头“{str(table.headers[j]).strip()}”"


def _settle_unit(ctx: Context, facts: Facts, res: ImportResult) -> tuple[str | None, bool]:
    """The import's unit — given, else the 填报单位/报送单位/报送部门 line's — and whether it is a county."""
    known = ctx.basis.known_units()
    named = resolve_unit(facts.unit_text, known) if facts.unit_text else None
    if ctx.unit:
        if named and named != ctx.unit and named in known:
            res.warnings.append(Problem("报送单位不一致", ZH["county"], None, named, (
                f"文件写明的报送单位是“{facts.unit_text}”，按指定的单位“{ctx.unit}”导入：如有误，请核对文件或单位。")))
        return ctx.unit, looks_like_county(ctx.unit, known)
    if named:
        return named, looks_like_county(named, known)
    return None, False


def _unit_warning(facts: Facts, unit: str, county_unit: bool, rows: Rows, known: dict, res: ImportResult) -> None:
    """The unit a 填报单位 line gave, said when it matters: a department's whole file, or a county file without 县区."""
    if county_unit and rows.has("county"):
        return  # its rows carry their 县区: the line only repeats it
    res.warnings.append(Problem("报送单位取自文件", ZH["county"], None, unit, (
        f"报送单位取自“{facts.unit_line}”：{unit}" + ("" if unit in known else "（库中还没有这个单位）")
        + ("。" if county_unit else "，整个文件作为该单位的报送。"))))


# ---- cells -----------------------------------------------------------------------------------------------------------
@dataclass
class _Readings:
    """Counts of the cell readings of DOMAIN.md Part 3, each reported once with its count."""

    units: Counter = field(default_factory=Counter)
    approx: list = field(default_factory=list)
    no_year: int = 0
    parts: Counter = field(default_factory=Counter)
    names: list = field(default_factory=list)


def _canonical_value(col: Column, mappings: Mappings) -> dict[str, str] | None:
    """written → canonical for an enumerated or 是/否 column: the contract's synonyms, then what was taught."""
    if col.kind not in ("enum", "bool"):
        return None
    table = {**synonym_index(col.name), **mappings.values.get(col.name, {})}
    return {nfkc(k): v for k, v in table.items()} or None


def _label(col: Column, canon: dict[str, str] | None, key: str) -> str | None:
    """The canonical value of an enumerated cell written with a suffix (产业类 → 产业), or None."""
    bare = strip_suffix(key)
    if bare is None:
        return None
    if bare in (col.allowed or ()):
        return bare
    return (canon or {}).get(bare)


def _parse_column(col: Column, j: int, factor: float, keep, res: ImportResult, reported: Cells, mappings: Mappings,
                  kinds: dict, year: int | None, seen: _Readings, given: list[bool] | None = None,
                  zh: str | None = None) -> list:
    """One column's values, as real tables write them; an unreadable cell is an error (added to reported)."""
    zh = zh or col.zh
    parse = kinds[col.kind]
    canon = _canonical_value(col, mappings)
    counts: Counter = Counter()
    unknown: Counter = Counter()  # values the column does not know, as written: the page offers to teach them
    out = []
    for i, (src_row, values) in enumerate(keep):
        raw = values[j]
        if canon is not None and isinstance(raw, str):
            key = nfkc(raw)
            if key in canon:
                counts[(key, canon[key])] += 1
                raw = canon[key]
            elif col.kind == "enum" and key not in (col.allowed or ()):
                label = _label(col, canon, key)
                if label is not None:
                    counts[(key, label)] += 1
                    raw = label
        v = None
        try:
            if col.kind == "money" and (amount := cell_amount(raw)) is not None:
                number, unit, approx = amount
                v = number * (unit if unit is not None else factor)
                if unit is not None:
                    seen.units[zh] += 1
                if approx:
                    seen.approx.append((src_row, zh, str(raw).strip()))
                out.append(round(v, 8))
                continue
            v = parse(raw)
        except (ValueError, OverflowError, TypeError):
            loose = loose_date(raw, year) if col.kind == "date" else None
            if loose is not None:
                v = loose[0]
                seen.no_year += loose[1]
                if loose[2]:
                    seen.parts[loose[2]] += 1
            else:
                if col.kind == "bool" and isinstance(raw, str):
                    unknown[nfkc(raw)] += 1
                reported.add((zh, src_row))
                res.errors.append(Problem("类型错误", zh, src_row, raw, f"“{zh}”的值无法识别：{HOW_TO_FIX[col.kind]}"))
        if v is not None and factor != 1.0 and col.kind in ("money", "float"):
            v = round(v * factor, 8)
        if col.kind == "enum" and v is not None and v not in (col.allowed or ()):
            if col.name == "investor_type" and is_organisation(v) and given is not None:
                seen.names.append((i, src_row, v))
                given[i] = False
                v = None
            else:
                unknown[v] += 1
        out.append(v)
    if unknown:
        res.unknown_values[col.name] = dict(unknown)
    res.warnings.extend(Problem("取值对应", zh, None, src, f"{zh}：{src} → {to}（{n} 行）")
                        for (src, to), n in sorted(counts.items(), key=lambda kv: -kv[1]))
    return out


def _cells_warnings(seen: _Readings, year: int | None, res: ImportResult) -> None:
    if seen.units:
        parts = "、".join(f"{zh} {n} 个" for zh, n in seen.units.items())
        res.warnings.append(Problem("金额带单位", "", None, "", (
            f"单元格中写明了单位的金额已按其单位换算为万元（{parts}），单元格的单位优先于表头和“单位：”行。")))
    if seen.approx:
        rows = "、".join(f"第 {r} 行{zh}“{v}”" for r, zh, v in seen.approx[:20])
        res.warnings.append(Problem("约数", "", None, "", (
            f"{len(seen.approx)} 个金额写的是约数，已按所写数值导入：{rows}{'等' if len(seen.approx) > 20 else ''}。"
            "请尽量填报准确数。")))
    if seen.no_year:
        res.warnings.append(Problem("日期未写年份", "", None, "", (
            f"{seen.no_year} 个日期没有写年份，已按报送年份 {year} 年读取（如“7月5日”读作 {year}-07-05）。")))
    if seen.parts:
        said = {"月底": "“X月底”读作该月最后一天", "旬": "上旬、中旬、下旬读作1日、11日、21日"}
        parts = "；".join(f"{said[k]}（{n} 个）" for k, n in seen.parts.items())
        res.warnings.append(Problem("日期按旬或月底读取", "", None, "", f"{parts}。"))


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
    heads = _map_headers(table, res)
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
        column = _month_column(keep, heads, res, reported, kinds)
        the_month, column = _settle_month(table, heads, column, month, facts, res, len(keep))
        if the_month is None:
            return None
        year = the_month.year
    if not _check_stamps(table, heads, the_month, year, res):
        return None
    _reading_warning(table, heads, res)
    unit, county_unit = _settle_unit(ctx, facts, res)
    res.unit = unit if unit and not county_unit else None
    rows = _values(table, heads, keep, res, reported, ctx, kinds, year, the_month, column)
    if unit and not ctx.unit:
        _unit_warning(facts, unit, county_unit, rows, ctx.basis.known_units(), res)
    _file_values(table, rows, facts, unit, county_unit, groups, keep, res)
    if the_month is not None:
        _derive_start(table, heads, keep, rows, the_month, res, reported, kinds, year)
    _derive_period(rows, res)
    return Read(rows, the_month, year, unit, county_unit, heads, reported)


def _values(table: Table, heads: Heads, keep, res: ImportResult, reported: Cells, ctx: Context, kinds: dict,
            year: int, month: dt.date | None, column: list | None) -> Rows:
    n = len(keep)
    values: dict[str, list] = {}
    given: dict[str, list[bool]] = {}
    seen = _Readings()
    for col in ALL_COLUMNS:
        given[col.name] = [col.name in heads.chosen] * n
        if col.name not in heads.chosen or col.name == "snapshot_month":
            values[col.name] = [None] * n
            continue
        j, factor = heads.chosen[col.name]
        values[col.name] = _parse_column(col, j, factor, keep, res, reported, ctx.mappings, kinds, year, seen,
                                         given[col.name])
    if month is not None:
        values["snapshot_month"] = column if column is not None else [month] * n
        given["snapshot_month"] = [True] * n
    money = COLUMN_BY_NAME["completed_investment_ytd"]
    amounts = {m: _parse_column(money, j, f, keep, res, reported, ctx.mappings, kinds, year, seen,
                                zh=str(table.headers[j]).strip()) for m, (j, f) in sorted(heads.amounts.items())}
    prior = None
    if PRIOR_YEARS in heads.chosen and "completed_investment_total" not in heads.chosen:
        j, f = heads.chosen[PRIOR_YEARS]
        prior = _parse_column(money, j, f, keep, res, reported, ctx.mappings, kinds, year, seen,
                              zh=str(table.headers[j]).strip())
    _cells_warnings(seen, year, res)
    if seen.names:
        _investor_names(values, given, seen.names, res)
    present = {c for c in heads.chosen if c in COLUMN_BY_NAME}
    return Rows(values, given, [r for r, _ in keep], "project_id" in heads.chosen, amounts, prior, present)


def _investor_names(values: dict, given: dict, names: list, res: ImportResult) -> None:
    """An organisation's name in 投资主体 goes to 项目业主 (unless the row has one), the type is completed."""
    for i, _, name in names:
        if not given["owner"][i] or values["owner"][i] is None:
            values["owner"][i] = name
            given["owner"][i] = True
    shown = "、".join(f"第 {r} 行“{v}”" for _, r, v in names[:20])
    res.warnings.append(Problem("投资主体为单位名称", ZH["investor_type"], None, "", (
        f"{len(names)} 行的投资主体写的是单位名称（{shown}{'等' if len(names) > 20 else ''}）：已作为项目业主保存，"
        "投资主体按名单或上月数据补全（政府投资、国有企业、民间投资、外商投资之一）。")))


def _file_values(table: Table, rows: Rows, facts: Facts, unit: str | None, county_unit: bool,
                 groups: list[tuple[int, str]], keep, res: ImportResult) -> None:
    """Values the file states once: 县区 = the unit (a county's own file), the title's level, group headings' category."""
    v, g, n = rows.values, rows.given, rows.n
    if not rows.has("county") and unit and county_unit:
        v["county"], g["county"] = [unit] * n, [True] * n
        res.warnings.append(Problem("县区取自报送单位", ZH["county"], None, unit,
                                    f"文件没有“县区”列：各行县区按报送单位填为“{unit}”（{n} 行）。"))
    if not rows.has("level") and facts.level:
        v["level"], g["level"] = [facts.level] * n, [True] * n
        res.warnings.append(Problem("项目级别取自标题", ZH["level"], None, facts.level,
                                    f"文件没有“项目级别”列：项目级别取自标题“{facts.level_text}”，为{facts.level}（{n} 行）。"))
    if not rows.has("category") and groups:
        current, counts = None, Counter()
        marks = iter(sorted(groups))
        nxt = next(marks, None)
        for i, (src, _) in enumerate(keep):
            while nxt is not None and nxt[0] < src:
                category, top = heading_category(nxt[1])
                if category is not None or top:
                    current = category
                nxt = next(marks, None)
            if current is not None:
                v["category"][i], g["category"][i] = current, True
                counts[current] += 1
        if counts:
            parts = "、".join(f"{c} {k} 行" for c, k in counts.items())
            res.warnings.append(Problem("项目类别取自分组标题", ZH["category"], None, "",
                                        f"文件没有“项目类别”列：项目类别取自表中的分组标题（{parts}）。"))


def _derive_start(table: Table, heads: Heads, keep, rows: Rows, month: dt.date, res: ImportResult, reported: Cells,
                  kinds: dict, year: int) -> None:
    """开工/计划开工时间 (one column for both): actual start when on or before the month's end, else planned start."""
    if START_EITHER not in heads.chosen:
        return
    j, _ = heads.chosen[START_EITHER]
    col = COLUMN_BY_NAME["actual_start"]
    seen = _Readings()
    dates = _parse_column(col, j, 1.0, keep, res, reported, NONE, kinds, year, seen, zh=str(table.headers[j]).strip())
    _cells_warnings(seen, year, res)
    end = last_day(month.year, month.month)
    v, g = rows.values, rows.given
    counts = Counter()
    for i, d in enumerate(dates):
        if not g["actual_start"][i]:
            v["actual_start"][i] = d if d is not None and d <= end else None
            g["actual_start"][i] = True
            counts["actual_start" if v["actual_start"][i] else "none"] += 1
        if d is not None and d > end and not g["planned_start"][i]:
            v["planned_start"][i], g["planned_start"][i] = d, True
            counts["planned_start"] += 1
    res.warnings.append(Problem("开工时间按月末区分", ZH["actual_start"], None, "", (
        f"“{str(table.headers[j]).strip()}”一列中，不晚于报送月份月末的读作实际开工时间（{counts['actual_start']} 行），"
        f"晚于月末的读作计划开工时间（{counts['planned_start']} 行）。")))


_PERIOD_TOKEN = __import__("re").compile(r"(\d{4})(?:\s*[年.\-/]\s*(\d{1,2})(?!\d)\s*月?)?")


def period_dates(text: object) -> tuple[dt.date | None, dt.date | None]:
    """(planned start, planned completion) a 建设起止年限 states: a month at the start gives its first day, at the end
    its last day; a bare year or a duration gives none ('2023.3-2025.12' → 2023-03-01, 2025-12-31)."""
    if not isinstance(text, str):
        return None, None
    tokens = [(int(y), int(m) if m else None) for y, m in _PERIOD_TOKEN.findall(nfkc(text))]
    if len(tokens) != 2:
        return None, None
    (y0, m0), (y1, m1) = tokens
    start = dt.date(y0, m0, 1) if m0 and 1 <= m0 <= 12 else None
    end = last_day(y1, m1) if m1 and 1 <= m1 <= 12 else None
    return start, end


def _derive_period(rows: Rows, res: ImportResult) -> None:
    """计划开工/竣工时间 from 建设起止年限 where the file has no such column and the period states the month."""
    if not rows.has("construction_period"):
        return
    v, g = rows.values, rows.given
    counts = Counter()
    for i, text in enumerate(v["construction_period"]):
        start, end = period_dates(text)
        for name, d in (("planned_start", start), ("planned_completion", end)):
            if d is not None and not g[name][i]:
                v[name][i], g[name][i] = d, True
                counts[name] += 1
    if counts:
        parts = "、".join(f"{ZH[k]} {n} 行" for k, n in counts.items())
        res.warnings.append(Problem("时间取自建设起止年限", "", None, "", (
            f"文件没有计划开工或计划竣工时间的列：已按“建设起止年限”中写明的月份读取（{parts}）；只写年份的不读取，"
            "按名单或上月数据补全。")))


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
