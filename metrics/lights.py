"""Per-project lights (三色预警), their reasons, 序时开工 flags and problem streaks, as expressions over prepared rows."""
from __future__ import annotations

import polars as pl

# The expressions read prepared rows (metrics.rowsets.prepare_rows): snapshot_month and the canonical columns, plus
#   _constr  build_type ∈ {新开工, 续建}      _started    actual_start not null and ≤ month end
#   _ts      month ÷ 12 (时序进度)              _month_end  the snapshot month's last day
# They are row-wise, so they work on one month or many (a project's history gets one light per month).
C = pl.col
MONTH = "snapshot_month"
RED, YELLOW, GREEN = "红", "黄", "绿"
LIGHTS = (RED, YELLOW, GREEN)  # worst first
PREPARED_COLUMNS = ("_constr", "_started", "_ts", "_month_end")

# Lag thresholds of the investment light, in fractions of the year (DOMAIN.md Part 2). The lag is compared in
# plain floating point, as 滞后项目数 compares its rate (README, "Decisions"): a lag that is 0.30 in the ledger's
# decimals may come out as 0.30000000000000004 and then lights 红.
RED_LAG, YELLOW_LAG = 0.30, 0.10  # behind 时序进度 by more than YELLOW_LAG: also 滞后 (metrics.rowsets.LAGGING)
LONG_PROBLEM_MONTHS = 3  # a problem reported this many months running or more is 问题超3个月未解决


def points(fraction: float) -> str:
    """A threshold in the 口径's words: 0.10 → '10个百分点'."""
    return f"{round(fraction * 100)}个百分点"

_NEW = C("build_type") == "新开工"
_CONSTR = C("_constr")
_STARTED = C("_started")


def month_index(col: str | pl.Expr) -> pl.Expr:
    """year × 12 + month of a date column (DOMAIN.md's i(d)); differences count calendar months."""
    d = C(col) if isinstance(col, str) else col
    return d.dt.year().cast(pl.Int32) * 12 + d.dt.month().cast(pl.Int32)


def has_problem(col: str = "problems") -> pl.Expr:
    """problems is not null and not blank (blank = empty or only white space)."""
    return C(col).is_not_null() & (C(col).str.strip_chars() != "")


# ---------------------------------------------------------------- 序时开工 flags
def planned_to_date() -> pl.Expr:
    """序时应开工: build_type 新开工 with planned_start not null and ≤ month end."""
    return _NEW & C("planned_start").is_not_null() & (C("planned_start") <= C("_month_end"))


def overdue_not_started() -> pl.Expr:
    """应开工未开工: planned to date and not started."""
    return planned_to_date() & ~_STARTED


def early_start() -> pl.Expr:
    """提前开工: 新开工, started, planned for a later month than this one (planned_start > month end)."""
    return _NEW & _STARTED & C("planned_start").is_not_null() & (C("planned_start") > C("_month_end"))


# ---------------------------------------------------------------- the three lights
def investment_lag() -> pl.Expr:
    """ts − ytd ÷ plan where the investment light applies, else null."""
    applies = _CONSTR & (C("plan_investment_year") > 0) & ~C("status").is_in(["竣工", "投产"])
    return pl.when(applies).then(C("_ts") - C("completed_investment_ytd") / C("plan_investment_year"))


def investment_light() -> pl.Expr:
    """红 when lag > 0.30, 黄 when 0.10 < lag ≤ 0.30, 绿 otherwise; null where it does not apply."""
    lag = investment_lag()
    return (pl.when(lag.is_null()).then(None)
            .when(lag > RED_LAG).then(pl.lit(RED))
            .when(lag > YELLOW_LAG).then(pl.lit(YELLOW))
            .otherwise(pl.lit(GREEN)))


def start_months() -> pl.Expr:
    """i(m) − i(planned_start) for a 新开工 row due by month end and not started, else null."""
    return pl.when(overdue_not_started()).then(month_index(MONTH) - month_index("planned_start"))


def start_light() -> pl.Expr:
    """红 when due ≥ 2 months (three months running) and not started, 黄 when due this or last month; else null."""
    k = start_months()
    return pl.when(k >= 2).then(pl.lit(RED)).when(k >= 0).then(pl.lit(YELLOW))


def statistics_months() -> pl.Expr:
    """i(m) − i(actual_start) for a started construction-set row not in statistics, else null."""
    applies = _CONSTR & _STARTED & (C("in_statistics") == False)  # noqa: E712 — null in_statistics: no light
    return pl.when(applies).then(month_index(MONTH) - month_index("actual_start"))


def statistics_light() -> pl.Expr:
    """红 when started ≥ 2 months ago and not in statistics, 黄 at 1 month, 绿 in the month it started; else null."""
    k = statistics_months()
    return pl.when(k >= 2).then(pl.lit(RED)).when(k == 1).then(pl.lit(YELLOW)).when(k == 0).then(pl.lit(GREEN))


def row_light() -> pl.Expr:
    """The row's light: the worst of the three; 绿 when none applies."""
    lights = (investment_light(), start_light(), statistics_light())
    return (pl.when(pl.any_horizontal([x == RED for x in lights])).then(pl.lit(RED))
            .when(pl.any_horizontal([x == YELLOW for x in lights])).then(pl.lit(YELLOW))
            .otherwise(pl.lit(GREEN)))


# ---------------------------------------------------------------- reasons
def _points(lag: pl.Expr) -> pl.Expr:
    """lag in percentage points with one decimal, halves rounded up ("32.5"), as text."""
    # Integer tenths, so the text never shows float noise; the margin keeps an exact half (0.3255) from
    # rounding down when its float is a hair below. polars' round() rounds halves to even, hence floor.
    tenths = (lag * 1000 + 0.5 + 1e-9).floor().cast(pl.Int64)
    return pl.concat_str([(tenths // 10).cast(pl.String), pl.lit("."), (tenths % 10).cast(pl.String)])


def investment_reason() -> pl.Expr:
    """'投资进度低于时序进度32.5个百分点' when the investment light is 红 or 黄, else null."""
    lit_up = investment_light().is_in([RED, YELLOW])
    return pl.when(lit_up).then(pl.concat_str([pl.lit("投资进度低于时序进度"), _points(investment_lag()),
                                               pl.lit("个百分点")]))


def start_reason() -> pl.Expr:
    """'计划2025-03开工，逾期3个月未开工' ('…，本月未开工' when due this month) where the start light is lit."""
    k = start_months()
    planned = pl.concat_str([pl.lit("计划"), C("planned_start").dt.strftime("%Y-%m"), pl.lit("开工，")])
    return (pl.when(k == 0).then(pl.concat_str([planned, pl.lit("本月未开工")]))
            .when(k >= 1).then(pl.concat_str([planned, pl.lit("逾期"), k.cast(pl.String), pl.lit("个月未开工")])))


def statistics_reason() -> pl.Expr:
    """'开工2个月未入统' when the statistics light is 红 or 黄, else null."""
    k = statistics_months()
    return pl.when(k >= 1).then(pl.concat_str([pl.lit("开工"), k.cast(pl.String), pl.lit("个月未入统")]))


def light_reason() -> pl.Expr:
    """Which rules lit the row, each tagged with its colour: '【红】…；【黄】…'; null for a row with none lit."""
    parts = []
    for light, reason in ((investment_light(), investment_reason()), (start_light(), start_reason()),
                          (statistics_light(), statistics_reason())):
        parts.append(pl.when(reason.is_not_null()).then(pl.concat_str([pl.lit("【"), light, pl.lit("】"), reason])))
    text = pl.concat_str(parts, separator="；", ignore_nulls=True)
    return pl.when(text != "").then(text)


def light_columns() -> list[pl.Expr]:
    """Everything a project table shows, for with_columns on prepared rows."""
    return [
        investment_light().alias("_light_investment"),
        start_light().alias("_light_start"),
        statistics_light().alias("_light_statistics"),
        row_light().alias("_light"),
        light_reason().alias("_light_reason"),
        planned_to_date().alias("_planned_to_date"),
        overdue_not_started().alias("_overdue_not_started"),
        early_start().alias("_early_start"),
    ]


# ---------------------------------------------------------------- problem streaks
def problem_streaks(history: pl.LazyFrame | pl.DataFrame) -> pl.LazyFrame:
    """(project_id, snapshot_month, _problem_streak) for every stored row with a problem, the streak ending there."""
    idx = month_index(MONTH)
    marked = (history.lazy().filter(has_problem())
              .select("project_id", idx.alias("_i")).unique())
    # Consecutive months of one project share i − (its rank among the project's months); a month missing from the
    # store, or one without the problem, breaks the sequence and so starts a new run.
    run = C("_i") - C("_i").rank("ordinal").over("project_id").cast(pl.Int32)
    return (marked.with_columns(_run=run)
            .select("project_id",
                    pl.date((C("_i") - 1) // 12, (C("_i") - 1) % 12 + 1, 1).alias(MONTH),
                    (C("_i") - C("_i").min().over("project_id", "_run") + 1).cast(pl.Int64).alias("_problem_streak")))


__all__ = ["GREEN", "LIGHTS", "PREPARED_COLUMNS", "RED", "YELLOW", "early_start", "has_problem", "investment_lag",
           "investment_light", "investment_reason", "light_columns", "light_reason", "month_index",
           "overdue_not_started", "planned_to_date", "problem_streaks", "row_light", "start_light", "start_months",
           "start_reason", "statistics_light", "statistics_months", "statistics_reason"]
