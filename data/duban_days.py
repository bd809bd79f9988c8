"""督办 days: calendar or working days (the State Council's official calendar), and the deadlines they give."""
from __future__ import annotations

import calendar
import datetime as dt

import chinese_calendar
from chinese_calendar.constants import holidays as _HOLIDAYS

from data.store import StoreError

CALENDAR_DAYS, WORKING_DAYS = "自然日", "工作日"
MODES = (CALENDAR_DAYS, WORKING_DAYS)
ORDINARY, MAJOR = "一般", "重大"
TIERS = (ORDINARY, MAJOR)
# DOMAIN.md Part 3 (after Shanxi's 13710: report back in 3 days, ordinary matters in 7, major ones in a month).
ORDINARY_DAYS = 7
FEEDBACK_DAYS = 3
# 临期: not overdue and the due date at most this many days (as set) after the as-of date.
DUE_SOON_DAYS = 2


class DaysError(StoreError):
    """A date the working-day calendar cannot count, or a day setting that does not exist (message in Chinese)."""


def known_years() -> tuple[int, int]:
    """The first and last year the installed official calendar knows (chinese-calendar's own bounds)."""
    years = [d.year for d in _HOLIDAYS]
    return min(years), max(years)


def is_workday(day: dt.date) -> bool:
    """Whether `day` is a working day of the official calendar (调休 workdays included); DaysError outside its years."""
    lo, hi = known_years()
    if not lo <= day.year <= hi:
        raise DaysError(f"{day:%Y-%m-%d} 超出工作日日历已知的年份：所用的国务院节假日安排（chinese-calendar "
                        f"{getattr(chinese_calendar, '__version__', '')}）只知道 {lo}–{hi} 年，不能按工作日计算，也不会"
                        "改按自然日计算。请改用自然日（python -m data duban settings --days 自然日），"
                        "或升级 chinese-calendar 后重试。")
    return chinese_calendar.is_workday(day)


def check_mode(mode: str) -> str:
    """The day setting as given, or DaysError naming the two choices."""
    if mode not in MODES:
        raise DaysError(f"天数口径“{mode}”不存在：可选 {CALENDAR_DAYS} 或 {WORKING_DAYS}。")
    return mode


def add_days(start: dt.date, n: int, mode: str) -> dt.date:
    """The n-th day after `start`: start + n calendar days, or the n-th working day strictly after `start` (the
    start day itself never counts, whether or not it is a working day)."""
    if check_mode(mode) == CALENDAR_DAYS:
        return start + dt.timedelta(days=n)
    day, left = start, n
    while left > 0:
        day += dt.timedelta(days=1)
        left -= is_workday(day)
    return day


def days_after(start: dt.date, end: dt.date, mode: str, cap: int | None = None) -> int:
    """How many days after `start` `end` is: calendar days, or the working days in (start, end] (0 when end ≤ start
    in working days; negative calendar days when end is before start). With `cap`, counting stops once it is
    passed (cap + 1 is returned), so a due date in a year the calendar does not know yet is still told apart from
    one that is near (a 重大 item assigned in December is due in January)."""
    if check_mode(mode) == CALENDAR_DAYS:
        return (end - start).days
    count = 0
    for k in range(1, (end - start).days + 1):
        count += is_workday(start + dt.timedelta(days=k))
        if cap is not None and count > cap:
            break
    return count


def next_month_same_day(day: dt.date) -> dt.date:
    """The same day of the next month, or that month's last day where the day does not exist (01-31 → 02-28/29)."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def due_date(assigned_on: dt.date, tier: str, mode: str) -> dt.date:
    """办理时限 by the tier: 一般 +7 days (as set), 重大 the same day next month (a calendar month in either mode)."""
    if tier not in TIERS:
        raise DaysError(f"事项等级“{tier}”不存在：可选 {ORDINARY} 或 {MAJOR}。")
    if tier == MAJOR:
        return next_month_same_day(assigned_on)
    return add_days(assigned_on, ORDINARY_DAYS, mode)


def feedback_due_date(assigned_on: dt.date, mode: str) -> dt.date:
    """The first feedback's due date: assigned_on + 3 days (as set)."""
    return add_days(assigned_on, FEEDBACK_DAYS, mode)


def due_soon(as_of: dt.date, due_on: dt.date, mode: str) -> bool:
    """临期 for an open item not overdue at `as_of` (as_of ≤ due_on): due_on at most 2 days (as set) after as_of."""
    if due_on < as_of:
        return False
    if (due_on - as_of).days <= DUE_SOON_DAYS:  # never more working days than calendar days: no calendar needed
        return True
    return days_after(as_of, due_on, mode, cap=DUE_SOON_DAYS) <= DUE_SOON_DAYS
