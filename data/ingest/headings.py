"""Headings: what a column heading reads as — a canonical column or a derived amount, its year, month and unit — from
the contract's vocabulary (data.schema HEADINGS and column aliases); what an analyst taught is data.ingest.vocabulary's."""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from data.schema import (COLUMN_BY_NAME, HEADER_INDEX, HEADINGS, MONTH_AMOUNT, PRIOR_YEARS, UNIT_FACTORS, normalize_header,
                         split_unit)

MONEY_READS = {MONTH_AMOUNT, PRIOR_YEARS}  # derived amounts: scaled to 万元 like money columns
_COMPILED = tuple((h, tuple(re.compile(p) for p in h.patterns)) for h in HEADINGS)
_GROUP_TAIL = re.compile(r"(?:完成情况|进度情况|进度|情况)$")


@dataclass(frozen=True)
class Reading:
    """What one column heading reads as: a column (or MONTH_AMOUNT, PRIOR_YEARS, START_EITHER), its unit factor to
    万元, the year and month it is stamped with (None: unstamped, the report's own), and the taught source if taught."""

    reads: str
    factor: float = 1.0
    year: int | None = None
    month: int | None = None
    taught: str | None = None  # the taught heading (as the mapping keeps it) when read through a taught mapping

    @property
    def stamped(self) -> bool:
        return self.year is not None or self.month is not None


def is_money(reads: str) -> bool:
    return reads in MONEY_READS or (reads in COLUMN_BY_NAME and COLUMN_BY_NAME[reads].kind == "money")


def _factor(reads: str, unit: str | None) -> float:
    return UNIT_FACTORS.get(unit or "万元", 1.0) if is_money(reads) else 1.0


def _pattern(base: str, group: str) -> Reading | None:
    for heading, patterns in _COMPILED:
        if heading.group is not None and heading.group not in group:
            continue
        for rx in patterns:
            m = rx.match(base)
            if m:
                g = m.groupdict()
                return Reading(heading.reads, 1.0, int(g["y"]) if g.get("y") else None,
                               int(g["m"]) if g.get("m") else None)
    return None


@functools.lru_cache(maxsize=8192)
def _recognise(text: str, group: str) -> Reading | None:
    h = normalize_header(text)
    if not h:
        return None
    base, unit = split_unit(h)
    name = HEADER_INDEX.get(h) or HEADER_INDEX.get(base)
    if name is not None:
        return Reading(name, _factor(name, unit if h not in HEADER_INDEX else None))
    r = _pattern(base, group)
    if r is None:
        return None
    return Reading(r.reads, _factor(r.reads, unit), r.year, r.month)


def recognise(text: object, group: object = None) -> Reading | None:
    """The contract's reading of a heading (under a group heading, for two-level headers), or None."""
    if not isinstance(text, str) or not text.strip():
        return None
    g = normalize_header(group) if isinstance(group, str) else ""
    r = _recognise(text, g)
    if r is None and g and g != normalize_header(text):
        # A period written in the group over a plain sub-heading: 1-9月 / 完成投资, 2025年 / 计划投资, 9月进度 / 形象进度.
        head = _GROUP_TAIL.sub("", split_unit(g)[0])
        if head:
            r = _recognise(head + normalize_header(text), "")
    return r
