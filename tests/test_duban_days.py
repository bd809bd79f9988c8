"""督办 deadlines and 临期 in calendar and working days; every expected date is written out by hand from the State
Council's published holiday notices (2025: 春节 01-28..02-04 off, 01-26 Sun and 02-08 Sat worked; 端午 05-31..06-02
off; 国庆·中秋 10-01..10-08 off, 09-28 Sun and 10-11 Sat worked)."""
from __future__ import annotations

import datetime as dt

import pytest
from chinese_calendar.constants import holidays as LIBRARY_HOLIDAYS

from data import duban_days as days
from data.duban_days import CALENDAR_DAYS as CAL, MAJOR, ORDINARY, WORKING_DAYS as WORK

D = dt.date


@pytest.mark.parametrize("assigned, due, feedback", [
    (D(2025, 9, 28), D(2025, 10, 14), D(2025, 10, 9)),    # a 调休 Sunday: it is the start, never counted
    (D(2025, 9, 30), D(2025, 10, 16), D(2025, 10, 11)),   # the feedback falls on the 调休 Saturday 10-11
    (D(2025, 10, 3), D(2025, 10, 16), D(2025, 10, 11)),   # assigned on a holiday: counting starts at the next workday
    (D(2025, 10, 8), D(2025, 10, 16), D(2025, 10, 11)),  # the last holiday: the same as 10-03
    (D(2025, 1, 24), D(2025, 2, 10), D(2025, 2, 5)),      # 01-26 (Sun) worked, 02-08 (Sat) worked
    (D(2025, 1, 27), D(2025, 2, 12), D(2025, 2, 7)),
    (D(2025, 1, 26), D(2025, 2, 11), D(2025, 2, 6)),
    (D(2025, 5, 30), D(2025, 6, 11), D(2025, 6, 5)),      # 端午 05-31..06-02
    (D(2025, 6, 2), D(2025, 6, 11), D(2025, 6, 5)),
    (D(2025, 6, 6), D(2025, 6, 17), D(2025, 6, 11)),      # a Friday: weekends are skipped
])
def test_ordinary_deadline_and_feedback_in_working_days(assigned, due, feedback):
    assert days.due_date(assigned, ORDINARY, WORK) == due
    assert days.feedback_due_date(assigned, WORK) == feedback


@pytest.mark.parametrize("assigned, due, feedback", [
    (D(2025, 9, 30), D(2025, 10, 7), D(2025, 10, 3)),     # calendar days: holidays count
    (D(2025, 1, 27), D(2025, 2, 3), D(2025, 1, 30)),
    (D(2024, 12, 28), D(2025, 1, 4), D(2024, 12, 31)),
    (D(2024, 2, 26), D(2024, 3, 4), D(2024, 2, 29)),
])
def test_ordinary_deadline_and_feedback_in_calendar_days(assigned, due, feedback):
    assert days.due_date(assigned, ORDINARY, CAL) == due
    assert days.feedback_due_date(assigned, CAL) == feedback


@pytest.mark.parametrize("assigned, due", [
    (D(2025, 1, 31), D(2025, 2, 28)), (D(2024, 1, 31), D(2024, 2, 29)), (D(2024, 1, 29), D(2024, 2, 29)),
    (D(2025, 1, 29), D(2025, 2, 28)), (D(2025, 3, 31), D(2025, 4, 30)), (D(2025, 5, 31), D(2025, 6, 30)),
    (D(2025, 6, 2), D(2025, 7, 2)), (D(2025, 12, 15), D(2026, 1, 15)), (D(2025, 12, 31), D(2026, 1, 31)),
    (D(2025, 8, 31), D(2025, 9, 30)),
])
@pytest.mark.parametrize("mode", [CAL, WORK])
def test_major_deadline_is_a_calendar_month_in_either_mode(assigned, due, mode):
    assert days.due_date(assigned, MAJOR, mode) == due


def test_major_deadline_on_a_holiday_is_not_moved():
    assert days.due_date(D(2025, 9, 1), MAJOR, WORK) == D(2025, 10, 1)  # 国庆: still 10-01, a calendar month


@pytest.mark.parametrize("as_of, due, mode, soon", [
    # calendar days: due_on − D ∈ {0, 1, 2}
    (D(2025, 6, 6), D(2025, 6, 9), CAL, False), (D(2025, 6, 7), D(2025, 6, 9), CAL, True),
    (D(2025, 6, 9), D(2025, 6, 9), CAL, True),
    # working days: the working days in (D, due_on] at most 2
    (D(2025, 6, 5), D(2025, 6, 9), WORK, True),    # Fri 06-06 and Mon 06-09: two working days, four calendar days
    (D(2025, 6, 5), D(2025, 6, 9), CAL, False),
    (D(2025, 6, 4), D(2025, 6, 9), WORK, False),   # Thu, Fri, Mon: three
    (D(2025, 9, 30), D(2025, 10, 9), WORK, True),  # across 国庆: only 10-09 is a working day
    (D(2025, 9, 29), D(2025, 10, 9), WORK, True),  # 09-30 and 10-09
    (D(2025, 9, 28), D(2025, 10, 9), WORK, False),  # 09-29, 09-30, 10-09
    (D(2025, 10, 4), D(2025, 10, 12), WORK, False),  # 10-09, 10-10 and the 调休 Saturday 10-11: three
    (D(2025, 10, 9), D(2025, 10, 12), WORK, True),   # 10-10, 10-11 (10-12 is a Sunday): two
])
def test_due_soon_boundaries(as_of, due, mode, soon):
    assert days.due_soon(as_of, due, mode) is soon


def test_past_due_is_never_due_soon():
    assert days.due_soon(D(2025, 6, 10), D(2025, 6, 9), CAL) is False


def _library_years() -> tuple[int, int]:
    years = sorted({d.year for d in LIBRARY_HOLIDAYS})
    return years[0], years[-1]


@pytest.mark.parametrize("assigned", [D(1999, 3, 1), D(2099, 3, 1)])
def test_a_date_outside_the_known_years_is_refused_naming_them(assigned):
    lo, hi = _library_years()
    with pytest.raises(days.DaysError) as e:
        days.due_date(assigned, ORDINARY, WORK)
    assert f"{lo}–{hi}" in str(e.value) and "自然日" in str(e.value)
    assert days.due_date(assigned, ORDINARY, CAL) == assigned + dt.timedelta(days=7)  # calendar days need no calendar


def test_counting_into_an_unknown_year_is_refused():
    _, hi = _library_years()
    with pytest.raises(days.DaysError, match=f"{hi + 1}-01-"):
        days.due_date(D(hi, 12, 30), ORDINARY, WORK)


def test_unknown_setting_and_tier_are_refused():
    with pytest.raises(days.DaysError, match="自然日 或 工作日"):
        days.add_days(D(2025, 6, 2), 3, "工作天")
    with pytest.raises(days.DaysError, match="一般 或 重大"):
        days.due_date(D(2025, 6, 2), "紧急", CAL)


def test_a_due_date_in_an_unknown_year_is_still_told_not_near():
    """A 重大 item assigned on 12-05 of the calendar's last year is due on 01-05 of a year it does not know: on 12-15
    three working days already lie before 12-31, so it is not 临期 (a listing must not fail); on 12-30 it can only be
    told by the unknown year's calendar, so it is refused."""
    _, hi = _library_years()
    assert days.due_soon(D(hi, 12, 15), D(hi + 1, 1, 5), WORK) is False  # 12-16, 12-17, 12-18 (Wed–Fri in 2026)
    with pytest.raises(days.DaysError, match=f"{hi + 1}-01-"):
        days.due_soon(D(hi, 12, 30), D(hi + 1, 1, 5), WORK)
