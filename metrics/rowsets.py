"""Row sets and per-project quantities of the domain contract, and the row-level columns prepared for aggregation.

Each rule is written here once; the registry, the watch lists and the pages all read it from here.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import polars as pl

from data.months import add_months
from data.schema import CONSTRUCTION_SET, PIPELINE_SET, tier_expr
from metrics.lights import YELLOW_LAG, has_problem, problem_streaks

C = pl.col
MONTH = "snapshot_month"


def ratio(num: pl.Expr, den: pl.Expr) -> pl.Expr:
    """num / den, null when den is 0 or null (DOMAIN.md: a zero denominator gives null)."""
    return pl.when(den.is_not_null() & (den != 0)).then(num / den).otherwise(None)


def schedule(month: int) -> float:
    """时序进度 of month 1–12: m / 12."""
    return month / 12


_SCHEDULE = {k: schedule(k) for k in range(1, 13)}


def schedule_expr(month: pl.Expr) -> pl.Expr:
    """时序进度 of a date column: its month / 12 (the column form of `schedule`)."""
    # Looked up rather than divided: polars divides by a literal as a multiplication by its reciprocal, so May's
    # 5 / 12 would be 0.41666666666666663, not the float 5 / 12 the rules (and the lights' floats) are written in.
    return month.dt.month().replace_strict(_SCHEDULE, return_dtype=pl.Float64)


# ---- row sets over snapshot rows as stored
CONSTRUCTION = C("build_type").is_in(list(CONSTRUCTION_SET))  # 建设项目
PIPELINE = C("build_type").is_in(list(PIPELINE_SET))  # 储备/前期
NEW = C("build_type") == "新开工"
CONTINUING = C("build_type") == "续建"
PROC_SET = C("build_type").is_in(["新开工", "前期"])  # the projects whose six procedures are counted
INDUSTRIAL = C("category") == "产业"
PRODUCING = C("status") == "投产"
FINISHED = C("status").is_in(["竣工", "投产"])
RESUMED = C("status").is_in(["在建", "竣工", "投产"])
HAS_PROBLEM = has_problem()  # not null and not blank
PRODUCING_WITH_LAND = PRODUCING & (C("land_area_mu") > 0)
MONTH_END = C(MONTH).dt.month_end()
STARTED_BY_MONTH_END = C("actual_start").is_not_null() & (C("actual_start") <= MONTH_END)
ALL = C("project_id").is_not_null()  # per row (a literal True would aggregate to 1, not the row count)

# ---- per-project quantities
COMPLETION_RATE = pl.when(C("plan_investment_year") > 0).then(
    C("completed_investment_ytd") / C("plan_investment_year"))  # 本年完成 ÷ 年度计划; null without a plan
TAX_PER_MU = ratio(C("annual_tax"), C("land_area_mu"))  # 亩均税收 of one project
PROFIT_TAX_RATE = ratio(C("annual_profit_tax"), C("total_investment"))  # 投资利税率 of one project


@dataclass(frozen=True, kw_only=True)
class Lookback:
    """A column of the same project `months` calendar months earlier, joined onto each row by project_id."""

    months: int
    column: str
    alias: str
    present: str | None = None  # also a flag column: was the project in that snapshot


LOOKBACKS: tuple[Lookback, ...] = (
    Lookback(months=1, column="completed_investment_ytd", alias="_prev_ytd"),  # 当月完成投资
    Lookback(months=3, column="completed_investment_total", alias="_m3_total", present="_m3_present"),  # 僵尸项目
)
LOOKBACK_COLUMNS = tuple(dict.fromkeys(lb.column for lb in LOOKBACKS))


def lookback_outputs(lb: Lookback) -> set[str]:
    return {lb.alias} | ({lb.present} if lb.present else set())


def history_months(month: dt.date, columns: Iterable[str] | None = None) -> list[dt.date]:
    """The earlier months prepare_rows joins for `month` (only those feeding `columns`, when given)."""
    want = None if columns is None else set(columns)
    ks = [lb.months for lb in LOOKBACKS if want is None or want & lookback_outputs(lb)]
    return [add_months(month, -k) for k in dict.fromkeys(ks)]


@dataclass(frozen=True, kw_only=True)
class History:
    """A column from every stored month up to the row's own, joined by project_id and month: `table` turns the
    rows of those months (project_id, snapshot_month and `columns`, whatever their other attributes) into
    (project_id, snapshot_month, `alias`)."""

    columns: tuple[str, ...]
    alias: str
    table: Callable[[pl.LazyFrame], pl.LazyFrame]


HISTORIES: tuple[History, ...] = (
    History(columns=("problems",), alias="_problem_streak", table=problem_streaks),  # 问题超N个月未解决
)
HISTORY_COLUMNS = tuple(dict.fromkeys(c for h in HISTORIES for c in h.columns))
HISTORY_OUTPUTS = frozenset(h.alias for h in HISTORIES)
_HISTORY_KEYS = ["project_id", MONTH]


def history_table(raw: pl.LazyFrame) -> pl.LazyFrame:
    """(project_id, snapshot_month, every History column) over the rows of all months in `raw`."""
    out = None
    for h in HISTORIES:
        part = h.table(raw.select(*_HISTORY_KEYS, *h.columns)).select(*_HISTORY_KEYS, h.alias)
        out = part if out is None else out.join(part, on=_HISTORY_KEYS, how="full", coalesce=True)
    return out


def prepare_rows(raw: pl.LazyFrame, history: pl.LazyFrame | None = None) -> pl.LazyFrame:
    """Add the row-level columns the registry expressions use: tier, month end, 时序进度, construction set,
    started, the lookback columns (the rows of the earlier months must be in `raw` for those) and the history
    columns (from `history`, a history_table() of every stored month up to raw's; without it, from raw itself)."""
    out = raw
    for lb in LOOKBACKS:
        earlier = raw.select("project_id", C(MONTH).dt.offset_by(f"{lb.months}mo"), C(lb.column).alias(lb.alias),
                             *([pl.lit(True).alias(lb.present)] if lb.present else []))
        out = out.join(earlier, on=["project_id", MONTH], how="left")
    out = out.join(history_table(raw) if history is None else history, on=_HISTORY_KEYS, how="left")
    return out.with_columns(
        _tier=tier_expr("total_investment"),
        _month_end=MONTH_END,
        _ts=schedule_expr(C(MONTH)),
        _constr=CONSTRUCTION,
        _started=STARTED_BY_MONTH_END,
        # January resets the year-to-date figure; a project absent last month counts 0.
        _prev_ytd=pl.when(C(MONTH).dt.month() == 1).then(0.0).otherwise(C("_prev_ytd").fill_null(0.0)),
        _m3_present=C("_m3_present").fill_null(False),
    )


# ---- row sets over prepared rows (prepare_rows), where the sets the aggregates read most are columns, computed once
CONSTR = C("_constr")
STARTED = C("_started")
INDUSTRIAL_CONSTR = CONSTR & INDUSTRIAL
LEADER_SET = CONSTR & C("level").is_in(["省级", "市级"])  # projects that must have a 包抓领导
LAGGING = CONSTR & (C("plan_investment_year") > 0) & ~FINISHED & (COMPLETION_RATE < C("_ts") - YELLOW_LAG)
ZOMBIE = (CONSTR & C("status").is_in(["未开工", "在建", "停工"]) & C("_m3_present")
          & (C("completed_investment_total") <= C("_m3_total")))


def project_efficiency(rows: pl.DataFrame) -> pl.DataFrame:
    """Each producing project with land and investment, with its own 亩均税收 and 投资利税率."""
    return rows.filter(PRODUCING_WITH_LAND & (C("total_investment") > 0)).select(
        "project_id", "project_name", "county", "chain", "total_investment",
        TAX_PER_MU.alias("tax_per_mu"), PROFIT_TAX_RATE.alias("profit_tax_rate"))
