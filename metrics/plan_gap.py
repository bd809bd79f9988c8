"""距年度目标: how far each county is from its annual plan, and what it must complete a month to reach it."""
from __future__ import annotations

import datetime as dt

import polars as pl

from data.months import months_left, to_month
from metrics.dataset import Dataset
from metrics.engine import compute
from metrics.filters import Filters
from metrics.rowsets import schedule

C = pl.col


def gap_to_target(ds: Dataset, month: dt.date | str, filters: Filters = Filters()) -> pl.DataFrame:
    """Per county: 万元 a month needed to reach the annual plan by December, and to be on 时序进度 next month."""
    m = to_month(month)
    df = compute(ds, [m], filters, "county", ["plan_investment_sum", "completed_ytd_sum",
                                              "investment_completion_rate", "time_schedule"])
    left = months_left(m)
    shortfall = (C("plan_investment_sum") - C("completed_ytd_sum")).clip(lower_bound=0)
    return df.select(
        "county", "plan_investment_sum", "completed_ytd_sum", "investment_completion_rate", "time_schedule",
        shortfall.alias("shortfall"),
        pl.lit(left, pl.Int64).alias("months_left"),
        (shortfall / left if left else pl.lit(None, pl.Float64)).alias("monthly_needed"),
        (C("plan_investment_sum") * schedule(m.month + 1) - C("completed_ytd_sum")).clip(lower_bound=0).alias(
            "next_month_needed") if left else pl.lit(None, pl.Float64).alias("next_month_needed"),
    ).sort("county")


GAP_MONEY = ("plan_investment_sum", "completed_ytd_sum", "shortfall", "monthly_needed", "next_month_needed")
GAP_NAMES = {"county": "县区", "plan_investment_sum": "年度计划投资", "completed_ytd_sum": "本年完成投资",
             "investment_completion_rate": "投资完成率", "time_schedule": "时序进度", "shortfall": "距年度计划差额",
             "months_left": "剩余月数", "monthly_needed": "此后每月需完成", "next_month_needed": "下月需完成以回到时序进度"}


def gap_headers(unit: str = "万元") -> dict[str, str]:
    """The gap table's Chinese headers, its amounts in `unit` (the table's one unit: metrics.format.money_column;
    '' for none)."""
    return {c: f"{n}({unit})" if c in GAP_MONEY and unit else n for c, n in GAP_NAMES.items()}


GAP_ZH = gap_headers()
