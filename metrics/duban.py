"""督办 as of a date: each item's 逾期 / 临期 / 反馈逾期 / 按期办结, the five indicators (declared once) by unit and in
total, and the month's 建议交办 from the lights and problem streaks. Pure Polars over the replayed log."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from data import duban_days as days
from data.duban import CANCELLED, CLOSED, OPEN_STATES, Ledger
from data.months import add_months, month_key, to_month
from data.schema import CONSTRUCTION_SET
from metrics.dataset import Dataset
from metrics.filters import Filters
from metrics.lights import RED
from metrics.projects import projects
from metrics.rowsets import ratio

C = pl.col
UNIT = "unit"
# The items' columns `python -m data duban list --format json` prints, in its order (the issue's shape).
ITEM_KEYS = ("id", "unit", "project_id", "source", "tier", "content", "assigned_on", "due_on", "feedback_due_on",
             "status", "overdue", "due_soon", "feedback_overdue", "closed_on", "on_time", "grade")
ITEM_SCHEMA = {
    "id": pl.String, "unit": pl.String, "project_id": pl.String, "source": pl.String, "tier": pl.String,
    "content": pl.String, "assigned_on": pl.Date, "due_on": pl.Date, "feedback_due_on": pl.Date, "status": pl.String,
    "closed_on": pl.Date, "grade": pl.String, "co_units": pl.List(pl.String), "person": pl.String,
    "leader": pl.String, "meeting": pl.String, "first_feedback_on": pl.Date, "requested_on": pl.Date,
    "cancelled_on": pl.Date, "returned_reason": pl.String, "due_soon": pl.Boolean,
}

OPEN = C("status").is_in(list(OPEN_STATES))
OVERDUE = OPEN & (C("_as_of") > C("due_on"))                                   # 逾期
DUE_SOON = OPEN & ~OVERDUE & C("due_soon")                                     # 临期 (days counted in Python)
FEEDBACK_OVERDUE = OPEN & C("first_feedback_on").is_null() & (C("_as_of") > C("feedback_due_on"))  # 反馈逾期
CLOSED_BY = C("status") == CLOSED
# 按期办结: the 申请办结 the close accepted was made on or before the 办理时限 (the city's review does not count).
ON_TIME = pl.when(CLOSED_BY).then(C("requested_on") <= C("due_on"))


def _count(cond: pl.Expr) -> pl.Expr:
    return cond.fill_null(False).sum().cast(pl.Int64)


@dataclass(frozen=True, kw_only=True)
class DubanIndicator:
    """One 督办 indicator (DOMAIN.md Part 3): id, names, unit, direction, 口径 and its aggregate over item_rows (the
    items as of D with their flags)."""

    id: str
    zh: str
    en: str
    unit: str
    direction: str
    caliber: str
    expr: Callable[[], pl.Expr]


DUBAN_INDICATORS: tuple[DubanIndicator, ...] = (
    DubanIndicator(id="duban_assigned", zh="交办事项数", en="Items assigned", unit="项", direction="neutral",
                   caliber="交办日期不晚于统计日、且未在统计日及以前撤销的督办事项。",
                   expr=lambda: _count(C("status") != CANCELLED)),
    DubanIndicator(id="duban_closed", zh="已办结事项数", en="Items closed", unit="项", direction="higher",
                   caliber="在统计日及以前办结的督办事项。",
                   expr=lambda: _count(C("status") == CLOSED)),
    DubanIndicator(id="duban_on_time_rate", zh="按期办结率", en="Closed on time", unit="%", direction="higher",
                   caliber="统计日前按期办结的事项 ÷（统计日前办结的事项 + 统计日逾期未办结的事项）；"
                           "按期办结：被接受的办结申请不晚于办理时限（市里审核的时间不计入）；分母为 0 时为空。",
                   expr=lambda: ratio(_count(C("on_time")).cast(pl.Float64),
                                      (_count(C("status") == CLOSED) + _count(C("overdue"))).cast(pl.Float64))),
    DubanIndicator(id="duban_overdue", zh="逾期未办结事项数", en="Overdue items", unit="项", direction="lower",
                   caliber="统计日未办结、未撤销，且统计日晚于办理时限的事项。",
                   expr=lambda: _count(C("overdue"))),
    DubanIndicator(id="duban_feedback_overdue", zh="反馈逾期事项数", en="Feedback overdue", unit="项",
                   direction="lower",
                   caliber="统计日未办结、未撤销，尚无反馈（申请办结也算反馈），且统计日晚于首次反馈时限的事项。",
                   expr=lambda: _count(C("feedback_overdue"))),
)
DUBAN_IDS = tuple(i.id for i in DUBAN_INDICATORS)


def item_rows(ledger: Ledger, as_of: dt.date, unit: str | None = None) -> pl.DataFrame:
    """One row per item assigned on or before `as_of` (of `unit`, when given), in the order assigned, as it stood
    that day, with overdue, due_soon, feedback_overdue and on_time. 临期 counts days in the setting in force (a
    working-day count outside the calendar's years raises DaysError)."""
    rows = []
    for item in ledger.items.values():
        if item.assigned_on > as_of or (unit is not None and item.unit != unit):
            continue
        st = item.at(as_of)
        try:
            soon = st.open and as_of <= st.due_on and days.due_soon(as_of, st.due_on, ledger.days)
        except days.DaysError as e:
            raise days.DaysError(f"截至 {as_of:%Y-%m-%d} 的临期无法判断（{item.id}，办理时限 {st.due_on:%Y-%m-%d}）：{e}") from None
        rows.append({
            "id": item.id, "unit": item.unit, "project_id": item.project_id, "source": item.source,
            "tier": item.tier, "content": item.content, "assigned_on": item.assigned_on, "due_on": st.due_on,
            "feedback_due_on": item.feedback_due_on, "status": st.status, "closed_on": st.closed_on,
            "grade": st.grade, "co_units": list(item.co_units), "person": item.person, "leader": item.leader,
            "meeting": item.meeting, "first_feedback_on": st.first_feedback_on, "requested_on": st.requested_on,
            "cancelled_on": st.cancelled_on, "returned_reason": st.returned_reason, "due_soon": soon})
    frame = pl.DataFrame(rows, schema=ITEM_SCHEMA, orient="row")
    return (frame.with_columns(_as_of=pl.lit(as_of, pl.Date))
            .with_columns(overdue=OVERDUE, due_soon=DUE_SOON, feedback_overdue=FEEDBACK_OVERDUE, on_time=ON_TIME)
            .drop("_as_of"))


def for_unit(ledger: Ledger, unit: str, as_of: dt.date) -> pl.DataFrame:
    """A unit's items as its reporter sees them: open ones first, the most urgent (earliest 办理时限) first."""
    return item_rows(ledger, as_of, unit).sort([~OPEN, "due_on", "id"])


def _aggregates() -> list[pl.Expr]:
    return [i.expr().alias(i.id) for i in DUBAN_INDICATORS]


def by_unit(items: pl.DataFrame) -> pl.DataFrame:
    """The five indicators per 承办单位 of item_rows (an item counts for its 承办单位 only), units by name."""
    return items.group_by(UNIT).agg(_aggregates()).sort(UNIT)


def total(items: pl.DataFrame) -> dict:
    """The five indicators over every row of item_rows given."""
    return items.select(_aggregates()).row(0, named=True)


def _iso(value):
    return value.isoformat() if isinstance(value, dt.date) else value


def listing(ledger: Ledger, as_of: dt.date, unit: str | None = None) -> dict:
    """What `python -m data duban list --format json` prints: the as-of date, the day setting, every item assigned
    by then (of `unit`), the five indicators by unit and in total (rates null when their denominator is 0)."""
    items = item_rows(ledger, as_of, unit)
    units = by_unit(items)
    return {
        "as_of": as_of.isoformat(), "days": ledger.days,
        "items": [{k: _iso(r[k]) for k in ITEM_KEYS} for r in items.iter_rows(named=True)],
        "units": [{UNIT: r[UNIT], **{i: r[i] for i in DUBAN_IDS}} for r in units.iter_rows(named=True)],
        "total": {i: v for i, v in total(items).items()},
    }


# ---- 建议交办 ---------------------------------------------------------------------------------------------------------
SUGGEST_STREAK = 3  # problem reported this many months running (DOMAIN.md: 问题超3个月未解决)


def suggestions(ds: Dataset, month: dt.date | str, ledger: Ledger, *, as_of: dt.date | None = None,
                filters: Filters = Filters(), units: dict[str, str] | None = None) -> pl.DataFrame:
    """建议交办 for month m: construction-set projects of m whose problem streak is ≥ 3, or whose light is 红 in m and
    in m − 1, and that have no item open at `as_of` (default today). Each with the unit to assign to (`units`:
    project_id → reporting unit; else its 县区), why, and what to prefill (problem, leader)."""
    m = to_month(month)
    if not ds.has(m):
        return pl.DataFrame(schema=SUGGESTION_SCHEMA)
    now = projects(ds, m, filters).filter(C("build_type").is_in(list(CONSTRUCTION_SET)))
    prev_month = add_months(m, -1)
    red_before = (projects(ds, prev_month).filter(C("light") == RED).get_column("project_id").to_list()
                  if ds.has(prev_month) else [])
    streak = C("problem_months").fill_null(0) >= SUGGEST_STREAK
    twice_red = (C("light") == RED) & C("project_id").is_in(red_before)
    open_projects = [i.project_id for i in ledger.open_items(as_of or dt.date.today()) if i.project_id]
    reason = pl.concat_str([
        pl.when(streak).then(pl.concat_str([pl.lit("问题已连续报告"), C("problem_months").cast(pl.String), pl.lit("个月")])),
        pl.when(twice_red).then(pl.concat_str([pl.lit(f"{month_key(prev_month)}、{month_key(m)}连续红灯："),
                                               C("light_reason")])),
    ], separator="；", ignore_nulls=True)
    unit = (C("project_id").replace_strict(units, default=C("county"), return_dtype=pl.String) if units
            else C("county"))
    return (now.filter((streak | twice_red) & ~C("project_id").is_in(open_projects))
            .select("project_id", "project_name", unit.alias(UNIT), "county", "leader", "problems", "light",
                    "light_reason", "problem_months", reason.alias("reason"),
                    pl.when(streak).then(pl.lit("问题")).otherwise(pl.lit("预警")).alias("source"))
            .sort(["problem_months", "county", "project_id"], descending=[True, False, False], nulls_last=True))


SUGGESTION_SCHEMA = {"project_id": pl.String, "project_name": pl.String, UNIT: pl.String, "county": pl.String,
                     "leader": pl.String, "problems": pl.String, "light": pl.String, "light_reason": pl.String,
                     "problem_months": pl.Int64, "reason": pl.String, "source": pl.String}
