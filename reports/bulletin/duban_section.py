"""The bulletin's section 督办事项办理情况: the counts, 按期办结率 by unit and the overdue list, as of the bulletin
month's last day (or today, while the month runs), every figure from metrics/duban.py; and its template fields."""
from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

import polars as pl

from data.duban import Ledger
from data.text import DASH
from metrics import duban as m
from metrics.filters import Filters
from metrics.format import fmt_rate

UNIT_HEADS = ("承办单位", "交办事项数", "已办结", "按期办结率", "逾期未办结", "反馈逾期")
OVERDUE_HEADS = ("序号", "督办编号", "承办单位", "事项内容", "交办日期", "办理时限", "逾期天数")
# The section's template fields (reports.bulletin.template.PLACEHOLDERS lists them with the others).
FIELDS = {
    "duban_summary": "督办事项办理情况一段（交办、办结、按期办结率、逾期和反馈逾期事项）；库中没有督办事项时为空",
    "duban_on_time_rate": "按期办结率，如“75.0%”（没有可计的事项时为“—”）",
    "duban_overdue_units": "有逾期未办结事项的单位及项数，如“石门县2项、东城区1项”（没有时为“无”）",
}


@dataclass
class DubanSection:
    """The section's figures: the as-of date, the five indicators in total, and the two tables (header first)."""

    as_of: dt.date
    total: dict
    units: pl.DataFrame      # the five indicators by unit (metrics.duban.by_unit), most overdue first
    overdue: pl.DataFrame    # the open items overdue at as_of, the longest overdue first

    def unit_rows(self) -> list[list[str]]:
        rows = [list(UNIT_HEADS)]
        for r in [*self.units.iter_rows(named=True), {m.UNIT: "合计", **self.total}]:
            rows.append([r[m.UNIT], str(r["duban_assigned"]), str(r["duban_closed"]), fmt_rate(r["duban_on_time_rate"]),
                         str(r["duban_overdue"]), str(r["duban_feedback_overdue"])])
        return rows

    def overdue_rows(self) -> list[list[str]]:
        rows = [list(OVERDUE_HEADS)]
        for k, r in enumerate(self.overdue.iter_rows(named=True), 1):
            rows.append([str(k), r["id"], r["unit"], r["content"], _day(r["assigned_on"]), _day(r["due_on"]),
                         str((self.as_of - r["due_on"]).days)])
        return rows


def _day(d: dt.date) -> str:
    return f"{d.month}月{d.day}日"


def as_of_for(month: dt.date) -> dt.date:
    """The bulletin month's last day, or today while that month is not over."""
    last = month.replace(day=calendar.monthrange(month.year, month.month)[1])
    return min(last, dt.date.today())


def collect_duban(ledger: Ledger | None, month: dt.date, filters: Filters = Filters()) -> DubanSection | None:
    """The section for a bulletin of `month` (its selected 县区 only, when the selection names some); None when
    no item was assigned by then."""
    if ledger is None:
        return None
    as_of = as_of_for(month)
    items = m.item_rows(ledger, as_of)
    if filters.county:
        items = items.filter(pl.col(m.UNIT).is_in(list(filters.county)))
    if items.is_empty():
        return None
    units = m.by_unit(items).sort(["duban_overdue", "duban_feedback_overdue", m.UNIT], descending=[True, True, False])
    overdue = items.filter(pl.col("overdue")).sort(["due_on", "id"])
    return DubanSection(as_of, m.total(items), units, overdue)


def overdue_units(s: DubanSection) -> str:
    """'石门县2项、东城区1项', or '无'."""
    rows = s.units.filter(pl.col("duban_overdue") > 0)
    return "、".join(f"{r[m.UNIT]}{r['duban_overdue']}项" for r in rows.iter_rows(named=True)) or "无"


def summary_sentence(s: DubanSection) -> str:
    """'截至2025年6月30日，累计交办督办事项12项，已办结7项，按期办结率62.5%；逾期未办结3项（…），反馈逾期1项。'"""
    t, d = s.total, s.as_of
    late = (f"逾期未办结{t['duban_overdue']}项（{overdue_units(s)}）" if t["duban_overdue"] else "无逾期未办结事项")
    return (f"截至{d.year}年{d.month}月{d.day}日，累计交办督办事项{t['duban_assigned']}项（不含已撤销），"
            f"已办结{t['duban_closed']}项，按期办结率{fmt_rate(t['duban_on_time_rate'])}；{late}，"
            f"反馈逾期{t['duban_feedback_overdue']}项。")


def fields(s: DubanSection | None) -> dict[str, str]:
    """The template fields' values (FIELDS)."""
    if s is None:
        return {"duban_summary": "", "duban_on_time_rate": DASH, "duban_overdue_units": "无"}
    return {"duban_summary": summary_sentence(s), "duban_on_time_rate": fmt_rate(s.total["duban_on_time_rate"]),
            "duban_overdue_units": overdue_units(s)}


def frames(s: DubanSection) -> dict[str, pl.DataFrame]:
    """The section's two tables for the bulletin's workbook (raw values, Chinese heads)."""
    units = s.units.rename({m.UNIT: UNIT_HEADS[0], "duban_assigned": UNIT_HEADS[1], "duban_closed": UNIT_HEADS[2],
                            "duban_on_time_rate": UNIT_HEADS[3], "duban_overdue": UNIT_HEADS[4],
                            "duban_feedback_overdue": UNIT_HEADS[5]})
    late = s.overdue.select(pl.col("id").alias("督办编号"), pl.col("unit").alias("承办单位"),
                            pl.col("content").alias("事项内容"), pl.col("assigned_on").alias("交办日期"),
                            pl.col("due_on").alias("办理时限"))
    return {"督办各单位办理情况": units, "督办逾期未办结事项": late}
