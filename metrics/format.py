"""Display formats for indicator values and table cells: one place, so every page, table, bulletin and export agrees."""
from __future__ import annotations

import datetime as dt
import math

from data.schema import YI
from data.text import DASH
from metrics.indicator import Indicator
from metrics.registry import BY_ID

NO_CHAIN = "（未归链）"  # the by-chain row of projects on no chain (chain is null)


def _missing(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def fmt_money(v, unit: str = "万元") -> str:
    """1234567.8 → '1,234,568万元'; with unit='亿元' → '123.5亿元'."""
    if _missing(v):
        return DASH
    if unit == "亿元":
        return f"{v / YI:,.1f}亿元"
    return f"{v:,.0f}万元"


def fmt_amount(v) -> str:
    """An amount in 万元, or in 亿元 from 10亿 up."""
    return fmt_money(v, "亿元" if not _missing(v) and abs(v) >= 10 * YI else "万元")


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


def fmt_number(v, digits: int = 0) -> str:
    """1234.5 → '1,235' (— for undefined)."""
    return DASH if _missing(v) else f"{v:,.{digits}f}"


_VALUE = {"比率": fmt_rate, "百分点": fmt_points, "万元": fmt_amount, "个": fmt_count,
          "天": lambda v: f"{v:,.0f}天", "万元/亩": lambda v: f"{v:,.2f}万元/亩"}


def format_value(ind: Indicator | str, v) -> str:
    """An indicator value as users read it (— for undefined)."""
    ind = BY_ID[ind] if isinstance(ind, str) else ind
    return DASH if _missing(v) else _VALUE.get(ind.unit, str)(v)


_CHANGE = {"比率": fmt_points, "百分点": fmt_points, "万元": lambda d: f"{d:+,.0f}万元", "个": lambda d: f"{int(d):+d}个"}


def format_change(ind: Indicator, value, prev) -> str:
    """The change of an indicator from `prev` to `value`, signed, in its unit (rates in 个百分点)."""
    if _missing(value) or _missing(prev):
        return DASH
    return _CHANGE.get(ind.unit, lambda d: f"{d:+,.1f}{ind.unit}")(value - prev)


def format_gap(ind: Indicator, value, target) -> str:
    """How far a value is from its target: signed, in 个百分点 for a rate and in 个 for a count."""
    if target is None or _missing(value):
        return DASH
    d = value - target
    return _CHANGE[ind.unit](d) if ind.unit in ("比率", "百分点", "个") else format_value(ind, d)


# A figure in a table whose header names the unit, so that cells carry bare numbers (as tables in a 通报 do).
_FIGURE_UNIT = {"比率": "%", "万元": "亿元"}
_FIGURE = {"比率": lambda v: f"{v * 100:.1f}", "百分点": lambda v: f"{v * 100:+.1f}",
           "万元": lambda v: f"{v / YI:,.2f}", "个": lambda v: f"{int(v):,}", "天": lambda v: f"{v:,.0f}"}


def figure_header(iid: str) -> str:
    """A key-figure column header with the unit in it: '投资完成率(%)', '本年完成投资(亿元)'."""
    ind = BY_ID[iid]
    return f"{ind.zh}({_FIGURE_UNIT.get(ind.unit, ind.unit)})"


def figure_text(iid: str, v) -> str:
    """A key figure in the unit its header names (— when undefined)."""
    return DASH if _missing(v) else _FIGURE.get(BY_ID[iid].unit, lambda x: f"{x:,.2f}")(v)


def list_cell(col: str, v) -> str:
    """A watch-list cell as printed: rates in %, 进度偏差 in points, amounts with separators, dates ISO, 是/否,
    nothing for null."""
    if v is None:
        return ""
    if col in ("completion_rate", "time_schedule"):
        return fmt_rate(v)
    if col == "deviation":
        return f"{v * 100:+.1f}"
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, float):
        return f"{v:,.0f}"
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()[:10]
    return str(v)


def rank_change_text(v) -> str:
    """+2 → '↑2', -1 → '↓1', 0 → '→0', None → '—'."""
    if v is None:
        return DASH
    return f"↑{v}" if v > 0 else f"↓{-v}" if v < 0 else "→0"
