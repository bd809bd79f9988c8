"""Month helpers: a month is the date of its first day, written 'YYYY-MM'."""
from __future__ import annotations

import datetime as dt
import re

_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


class MonthError(ValueError):
    """A month not written as YYYY-MM (the message, in Chinese, says how to write it)."""


def parse_month(text: str) -> dt.date:
    """'2024-06' → date(2024, 6, 1); raises MonthError with a Chinese message otherwise."""
    m = _MONTH_RE.match(str(text).strip())
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise MonthError(f"月份“{text}”格式不对：请写成 YYYY-MM，例如 2024-06。")
    return dt.date(int(m.group(1)), int(m.group(2)), 1)


def is_month_key(text: str) -> bool:
    """Whether text has the 'YYYY-MM' shape (file names of the store)."""
    return bool(_MONTH_RE.match(str(text)))


def month_key(month: dt.date) -> str:
    """date(2024, 6, 1) → '2024-06'."""
    return f"{month.year:04d}-{month.month:02d}"


def to_month(value: dt.date | str) -> dt.date:
    """A date or 'YYYY-MM' as the first day of its month."""
    if isinstance(value, dt.date):
        return value.replace(day=1)
    return parse_month(value)


def add_months(month: dt.date, n: int) -> dt.date:
    """First day of the month n months after `month` (n may be negative)."""
    idx = month.year * 12 + month.month - 1 + n
    return dt.date(idx // 12, idx % 12 + 1, 1)


def previous_month(month: str) -> str:
    """'2024-01' → '2023-12'."""
    return month_key(add_months(parse_month(month), -1))


def month_zh(month: dt.date | str) -> str:
    """'2025-06' → '2025年6月', as titles and headers write it."""
    m = to_month(month)
    return f"{m.year}年{m.month}月"


def next_month(month: str) -> str:
    """'2024-12' → '2025-01'."""
    return month_key(add_months(parse_month(month), 1))


def months_left(month: dt.date | str) -> int:
    """The months of the year after `month`, over which a shortfall is spread: 6 after June, 0 after December."""
    return 12 - to_month(month).month
