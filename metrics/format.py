"""Display formats for indicator values: one place, so every page, table and export agrees."""
from __future__ import annotations

import math

from metrics.registry import BY_ID, Indicator

DASH = "—"
NO_CHAIN = "（未归链）"  # the by-chain row of projects on no chain (chain is null)


def _missing(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def fmt_money(v, unit: str = "万元") -> str:
    """1234567.8 → '1,234,568万元'; with unit='亿元' → '123.5亿元'."""
    if _missing(v):
        return DASH
    if unit == "亿元":
        return f"{v / 10_000:,.1f}亿元"
    return f"{v:,.0f}万元"


def fmt_rate(v) -> str:
    """0.4567 → '45.7%'."""
    return DASH if _missing(v) else f"{v * 100:.1f}%"


def fmt_points(v, signed: bool = True) -> str:
    """-0.183 → '-18.3个百分点'."""
    if _missing(v):
        return DASH
    return f"{v * 100:+.1f}个百分点" if signed else f"{abs(v) * 100:.1f}个百分点"


def fmt_count(v) -> str:
    return DASH if _missing(v) else f"{int(v):,}个"


def format_value(ind: Indicator | str, v) -> str:
    """An indicator value as users read it (— for undefined)."""
    ind = BY_ID[ind] if isinstance(ind, str) else ind
    if ind.unit == "比率":
        return fmt_rate(v)
    if ind.unit == "百分点":
        return fmt_points(v)
    if ind.unit == "万元":
        return fmt_money(v, "亿元" if not _missing(v) and abs(v) >= 100_000 else "万元")
    if ind.unit == "个":
        return fmt_count(v)
    if ind.unit == "天":
        return DASH if _missing(v) else f"{v:,.0f}天"
    if ind.unit == "万元/亩":
        return DASH if _missing(v) else f"{v:,.2f}万元/亩"
    return DASH if _missing(v) else str(v)


def neutralise_cell(v):
    """Guard a cell against spreadsheet formula injection: text starting with = + - @ gets a leading quote."""
    if isinstance(v, str) and v[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + v
    return v
