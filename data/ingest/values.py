"""Cells as real tables write them (DOMAIN.md Part 3 "Values"): amounts with their unit, 约, dates without a year,
月底 and 上/中/下旬, labels with a suffix, an organisation's name where 投资主体 should be. Each a pure function."""
from __future__ import annotations

import calendar
import datetime as dt
import re

from data.ingest.cells import nfkc
from data.schema import APPROXIMATE, CELL_UNITS, LABEL_SUFFIXES, ORGANISATION_ENDINGS

_UNITS = "|".join(sorted(CELL_UNITS, key=len, reverse=True))
AMOUNT_RE = re.compile(rf"^({APPROXIMATE})?\s*([+-]?(?:\d{{1,3}}(?:,\d{{3}})+|\d+)(?:\.\d+)?|[+-]?\.\d+)\s*({_UNITS})?$")
_DAY_RE = re.compile(r"^(?:(\d{4})年)?(\d{1,2})月(\d{1,2})[日号]?$")
_END_RE = re.compile(r"^(?:(\d{4})年)?(\d{1,2})月(?:底|末|份底)$")
_TEN_RE = re.compile(r"^(?:(\d{4})年)?(\d{1,2})月(上旬|中旬|下旬|初)$")
_MONTH_ONLY_RE = re.compile(r"^(\d{1,2})月份?$")
TEN_DAY = {"上旬": 1, "初": 1, "中旬": 11, "下旬": 21}


def cell_amount(value: object) -> tuple[float, float | None, bool] | None:
    """A money cell written with its unit or 约 ('6.8亿元', '约1.35亿', '3500万'): (number, the unit's factor to 万元 or
    None when it states none, approximate); None when the cell is not such text (a plain number parses as before)."""
    if not isinstance(value, str):
        return None
    s = nfkc(value).replace(" ", "")
    m = AMOUNT_RE.match(s)
    if not m or not (m.group(1) or m.group(3)):
        return None
    return float(m.group(2).replace(",", "")), (CELL_UNITS[m.group(3)] if m.group(3) else None), bool(m.group(1))


def last_day(year: int, month: int) -> dt.date:
    """The month's last day."""
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def loose_date(value: object, year: int | None) -> tuple[dt.date, bool, str | None] | None:
    """A date cell written without a year or by part of a month: (the date, whether the year was left out (the
    report's year is taken), '月底' or '旬' or None). '7月5日' → 7月5日 of `year`; '4月底' → its last day; '4月上旬/中旬/
    下旬' → the 1st/11th/21st; '7月' → the 1st. None when the cell is none of these (or no year is known)."""
    if not isinstance(value, str):
        return None
    s = nfkc(value).replace(" ", "")
    for rx in (_DAY_RE, _END_RE, _TEN_RE, _MONTH_ONLY_RE):
        m = rx.match(s)
        if not m:
            continue
        g = m.groups()
        written, mo = (None, int(g[0])) if rx is _MONTH_ONLY_RE else ((int(g[0]) if g[0] else None), int(g[1]))
        y = written if written is not None else year
        if y is None or not 1 <= mo <= 12:
            return None
        try:
            if rx is _DAY_RE:
                return dt.date(y, mo, int(g[2])), written is None, None
            if rx is _END_RE:
                return last_day(y, mo), written is None, "月底"
            if rx is _TEN_RE:
                return dt.date(y, mo, TEN_DAY[g[2]]), written is None, "旬"
            return dt.date(y, mo, 1), True, None
        except ValueError:
            return None
    return None


def strip_suffix(text: str) -> str | None:
    """A label without its suffix (产业类 → 产业, 社会民生项目 → 社会民生, 基础设施类项目 → 基础设施), or None."""
    for suffix in LABEL_SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix):
            return text[: -len(suffix)]
    return None


def is_organisation(text: object) -> bool:
    """Whether an 投资主体 cell holds an organisation's name (某某能源化工有限公司, 某县人民政府) rather than a type."""
    if not isinstance(text, str):
        return False
    s = nfkc(text)
    return len(s) >= 4 and s.endswith(ORGANISATION_ENDINGS)
