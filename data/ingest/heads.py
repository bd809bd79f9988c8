"""The report's headings: each source column's reading (a taught mapping set aside where the contract reads the heading
or names the same column, 表头重复 for two unstamped columns of one), and — once the month is known — the years and
months the headings are stamped with checked against it, the report month's own column of each kind chosen."""
from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field

from data.ingest.cells import blank
from data.ingest.header import SEQ_HEADERS, Table
from data.ingest.headings import Reading, is_money
from data.ingest.result import ImportResult
from data.ingest.rows import Mapping
from data.months import month_key
from data.problems import Problem
from data.schema import (COLUMN_BY_NAME, DERIVED_READS, HEADER_INDEX, MONTH_AMOUNT, PRIOR_YEARS, START_EITHER, ZH,
                         normalize_header, split_unit)

MONTHLY = ("completed_investment_ytd", MONTH_AMOUNT, "progress_note")  # kinds with one column per month allowed


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


def map_headers(table: Table, res: ImportResult) -> Heads:
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
            aside.append(f"“{str(h).strip()}”记为“{ZH[taught]}”（按标准读作“{zh_of(r.reads)}”）")
        if is_money(r.reads) and split_unit(str(h))[1] is None and table.group_factor[j]:
            r = dataclasses.replace(r, factor=table.group_factor[j])
        readings[j] = r
    for reads in dict.fromkeys(r.reads for r in readings.values()):
        js = [j for j, r in readings.items() if r.reads == reads]
        recognised = [j for j in js if readings[j].taught is None]
        for j in js:
            if recognised and readings[j].taught is not None:
                aside.append(f"“{str(table.headers[j]).strip()}”记为“{zh_of(reads)}”，但{table.labels[recognised[0]]}"
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
            duplicate(table, res, reads, js[0], j)
            del readings[j]
    return heads


def zh_of(reads: str) -> str:
    return ZH.get(reads) or DERIVED_READS.get(reads, reads)


def duplicate(table: Table, res: ImportResult, reads: str, first: int, j: int) -> None:
    res.errors.append(Problem("表头重复", zh_of(reads), table.header_row, str(table.headers[j]), (
        f"{table.labels[first]}“{table.headers[first]}”和 {table.labels[j]}“{table.headers[j]}”都对应“{zh_of(reads)}”："
        "请删除或改名其中一列。")))


def check_stamps(table: Table, heads: Heads, month: dt.date | None, year: int, res: ImportResult) -> bool:
    """Every heading's year is the report's (the year before, for prior years) and its month not later than the
    report's; of the kinds with one column per month the report month's own is read. False: the file is refused."""
    said = f"报送月份 {month_key(month)}" if month else f"名单年份 {year}"
    bad = []
    for j, r in heads.readings.items():
        h = str(table.headers[j]).strip()
        if r.year is not None and r.year != (year - 1 if r.reads == PRIOR_YEARS else year):
            want = f"应为{year - 1}年（上年）" if r.reads == PRIOR_YEARS else f"应为{year}年"
            bad.append(Problem("表头年份不符", zh_of(r.reads), table.header_row, h,
                               f"表头“{h}”的年份与{said} 不符（{want}）：请核对报送月份或表头，文件未导入。"))
        elif month is not None and r.month is not None and r.month > month.month:
            bad.append(Problem("表头月份晚于报送月份", zh_of(r.reads), table.header_row, h,
                               f"表头“{h}”是 {r.month} 月，晚于{said}：请核对报送月份或表头，文件未导入。"))
    if month is not None and not bad:
        for reads in MONTHLY:
            js = heads.of(reads)
            if not js:
                continue
            own = [j for j in js if (heads.readings[j].month or month.month) == month.month]
            if not own:
                names = "、".join(f"“{str(table.headers[j]).strip()}”" for j in js)
                bad.append(Problem("没有报送月份的列", zh_of(reads), table.header_row, names, (
                    f"{names}都是{said}以前月份的列，没有 {month.month} 月的：请确认报送月份，或补上本月的列，文件未导入。")))
                continue
            for j in own[1:]:
                if reads != MONTH_AMOUNT or heads.readings[j].month == heads.readings[own[0]].month:
                    duplicate(table, res, reads, own[0], j)
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


def reading_warning(table: Table, heads: Heads, res: ImportResult) -> None:
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
        read.append(f"“{shown}”→{zh_of(r.reads)}")
    earlier = "、".join(f"“{str(table.headers[j]).strip()}”" for j in heads.earlier)
    if read or earlier:
        text = ("按表头读取：" + "、".join(read) + "。") if read else ""
        text += f"以前月份的列未读取：{earlier}。" if earlier else ""
        res.warnings.append(Problem("按表头读取", "", table.header_row, "", text))


