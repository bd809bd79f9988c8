"""What an indicator is: its metadata, its target, and the kinds of indicator that are not a plain aggregate."""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from metrics.rowsets import schedule

Expr = Callable[[], pl.Expr]


@dataclass(frozen=True, kw_only=True)
class Calendar:
    """A value of the snapshot month itself; no row is read."""

    value: Callable[[pl.Expr], pl.Expr]  # the snapshot_month column → the value


@dataclass(frozen=True, kw_only=True)
class Derived:
    """Computed after aggregation from other indicators of the same month and group."""

    inputs: tuple[str, ...]
    value: Callable[..., pl.Expr]  # the inputs' columns, in order → the value


@dataclass(frozen=True, kw_only=True)
class MonthOffset:
    """of(m) ÷ of(m − months) − 1 per group, the earlier month measured over its own snapshot with the same
    filters applied to its own rows; null when that month is not stored or its value is 0."""

    of: str  # an aggregate indicator
    months: int
    same_year: bool = False  # also null when m − months lies in an earlier year (year-to-date figures restart)


@dataclass(frozen=True, kw_only=True)
class YearBaseConversion:
    """Of the rows meeting `base` in the year's earliest stored snapshot (filtered and grouped by their attributes
    there), the share present in month m's snapshot and meeting `converted` there."""

    base: Expr  # over the base month's prepared rows
    converted: Expr  # over month m's prepared rows


@dataclass(frozen=True, kw_only=True)
class SnapshotRatio:
    """`num` over the selected rows ÷ `den` over the month's whole snapshot, whatever the filters."""

    num: Expr
    den: Expr


Kind = Calendar | Derived | MonthOffset | YearBaseConversion | SnapshotRatio | None


@dataclass(frozen=True, kw_only=True)
class Indicator:
    """One indicator: metadata, its target, and how it is computed (an aggregate `expr`, or a `kind`)."""

    id: str
    zh: str
    en: str
    dimension: str
    unit: str  # 个 | 万元 | 比率 | 百分点 | 天 | 万元/亩
    direction: str  # higher | lower | neutral
    caliber: str  # 口径, shown to users
    expr: Expr | None = None  # aggregate over prepared rows (plain aggregates)
    kind: Kind = None  # how an indicator that is not a plain aggregate is computed
    base: Expr | None = None  # the rows counted as n (the indicator's population)
    target: float | dict[int, float] | str | None = None  # number, {month: value} curve, or "time_schedule"
    target_source: str = ""
    empty: float | None = None  # value when the selection holds no rows: 0 for counts and sums, None for rates

    def __post_init__(self) -> None:
        if (self.expr is None) == (self.kind is None):
            raise ValueError(f"指标“{self.id}”应声明 expr（普通聚合）或 kind（其他类型）之一，且只能声明一个。")

    @property
    def is_rate(self) -> bool:
        return self.unit in ("比率", "百分点")

    def target_for(self, month: int) -> float | None:
        """The target in force for month 1–12 (a curve is a step function over months)."""
        t = self.target
        if t is None:
            return None
        if t == "time_schedule":
            return schedule(month)
        if isinstance(t, dict):
            applicable = [v for k, v in sorted(t.items()) if k <= month]
            return applicable[-1] if applicable else None
        return float(t)


def _missing(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def meets(direction: str, value, target):
    """Whether a value meets its target: ≥ for higher-is-better, ≤ for lower. Works on numbers (None when there
    is no verdict: no value, no target, or a neutral direction) and on polars expressions."""
    if target is None or direction not in ("higher", "lower"):
        return None
    if not isinstance(value, pl.Expr) and _missing(value):
        return None
    return value >= target if direction == "higher" else value <= target


NEAR_POINTS = 0.05  # a rate short of its target by at most 5 个百分点 is 接近目标
NEAR_SHARE = 0.10  # any other figure short of its target by at most a tenth of it


def standing(ind: Indicator, value, target) -> str | None:
    """Where a value stands against its target: 'met', 'near' (short by at most NEAR_POINTS for a rate,
    NEAR_SHARE of the target otherwise) or 'far'; None without a verdict (no value, no target, neutral)."""
    ok = meets(ind.direction, value, target)
    if ok is None:
        return None
    if ok:
        return "met"
    near = NEAR_POINTS if ind.is_rate else NEAR_SHARE * abs(target)
    return "near" if abs(value - target) <= near + 1e-9 else "far"  # 95.0% against 100%: near, float noise aside
