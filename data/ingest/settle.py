"""The report's month and unit: the 报送月份 column, the month given, the title or a 1-N月 heading; the unit given or
named by a 填报单位/报送单位/报送部门 line, and whether it is a county."""
from __future__ import annotations

import datetime as dt
from collections import Counter

from data.ingest.basis import Rows
from data.ingest.cells import HOW_TO_FIX, nfkc, parse_month_value
from data.ingest.columns import Cells
from data.ingest.facts import Facts, resolve_unit
from data.ingest.header import Table
from data.ingest.heads import Heads
from data.ingest.result import ImportResult
from data.months import month_key
from data.problems import Problem
from data.schema import COLUMN_BY_NAME, PRIOR_YEARS, ZH
from data.validate import RULE_BY_ID

OFFICE_ENDINGS = ("局", "委", "办", "厅", "中心", "公司", "集团", "部", "会", "院", "处", "所", "站")


def looks_like_county(name: str, known: dict[str, str]) -> bool:
    """Whether a unit is a county (its rows are its 县区's): as the store knows it, else by its name (…县/区/市/旗,
    not an office: 市交通局 is a department)."""
    if name in known:
        return known[name] == "county"
    s = nfkc(name)
    return s.endswith(("县", "区", "市", "旗", "新城", "新区")) and not s.endswith(OFFICE_ENDINGS)


def month_arg(month: str | None) -> tuple[dt.date | None, Problem | None]:
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


def month_column(keep, heads: Heads, res: ImportResult, reported: Cells, kinds) -> list | None:
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


def settle_month(table: Table, heads: Heads, column: list | None, month: str | None, facts: Facts,
                  res: ImportResult, n: int) -> tuple[dt.date | None, list | None]:
    """The report's month: the 报送月份 column (its most common month, for reading; the rules name any other), else
    the argument (the two must agree; an empty column yields), else the title, else the N of a 1-N月 heading.
    Returns the month and the column's values (None when the month came otherwise)."""
    arg, problem = month_arg(month)
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
                    "是否传错了月份的文件；如确是该月的台账，把指定的月份改为它（页面上的“报送月份”栏，命令行的 --month）"
                    "或去掉。")))
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
        found, where = month_from_headings(table, heads, facts)
    if found is None:
        res.errors.append(Problem("缺少报送月份", ZH["snapshot_month"], table.header_row, "", (
            "文件中没有“报送月份”列，标题和表头也没有写明月份，也没有指定月份：请在表中增加“报送月份”列（如 2024-06），"
            "或导入时指定月份（命令行加 --month 2024-06）。")))
        return None, None
    res.month = month_key(found)
    res.warnings.append(Problem("报送月份取自文件", ZH["snapshot_month"], None, res.month,
                                f"文件没有“报送月份”列：报送月份 {res.month} 取自{where}（{n} 行）。"))
    return found, None


def month_from_headings(table: Table, heads: Heads, facts: Facts) -> tuple[dt.date | None, str]:
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


def settle_unit(given: str | None, known: dict[str, str], facts: Facts, res: ImportResult) -> tuple[str | None, bool]:
    """The import's unit — given, else the 填报单位/报送单位/报送部门 line's — and whether it is a county."""
    named = resolve_unit(facts.unit_text, known) if facts.unit_text else None
    if given:
        if named and named != given and named in known:
            res.warnings.append(Problem("报送单位不一致", ZH["county"], None, named, (
                f"文件写明的报送单位是“{facts.unit_text}”，按指定的单位“{given}”导入：如有误，请核对文件或单位。")))
        return given, looks_like_county(given, known)
    if named:
        return named, looks_like_county(named, known)
    return None, False


def unit_warning(facts: Facts, unit: str, county_unit: bool, rows: Rows, known: dict, res: ImportResult) -> None:
    """The unit a 填报单位 line gave, said when it matters: a department's whole file, or a county file without 县区."""
    if county_unit and rows.has("county"):
        return  # its rows carry their 县区: the line only repeats it
    res.warnings.append(Problem("报送单位取自文件", ZH["county"], None, unit, (
        f"报送单位取自“{facts.unit_line}”：{unit}" + ("" if unit in known else "（库中还没有这个单位）")
        + ("。" if county_unit else "，整个文件作为该单位的报送。"))))


