"""Display formats for indicator values and table cells: one place, so every page, table, bulletin and export agrees.

The rule (README, 数字的写法):
- A rate has one decimal: 45.7%, 100.0%; a difference of rates is in 个百分点 (+1.2个百分点).
- An amount (stored in 万元) is written in 亿元 with one decimal from 1亿元 up (64.7亿元), else in whole 万元
  (8,537万元). A change or a gap is written in the unit of the value it goes with (64.7亿元, 较上月 +20.8亿元).
- A column of figures (a table, a chart's axis) names its unit in the header: amounts in one unit, that of its
  largest figure (年度计划投资(亿元)), in 亿元 with two decimals (counties side by side: 0.09亿 is not 0.1) or in
  whole 万元; rates ×100 under (%) with one decimal, '108.3%' in a grid.
- The ledger's own figures (项目台账, the watch lists, a project's history, the bulletin's annexes) stay in 万元 as
  the counties report them.
- A score has one decimal, or as many as it takes for two counties ranked apart not to print alike.
"""
from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from data.schema import YI
from data.text import DASH
from metrics.indicator import Indicator
from metrics.registry import BY_ID

NO_CHAIN = "（未归链）"  # the by-chain row of projects on no chain (chain is null)


def _missing(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def money_unit(*values) -> str:
    """The unit amounts are written in: '亿元' when the largest of them reaches 1亿元, else '万元' (a figure and its
    change, or a column, are written in one unit)."""
    present = [abs(v) for v in values if not _missing(v)]
    return "亿元" if present and max(present) >= YI else "万元"


def fmt_money(v, unit: str | None = None, *, signed: bool = False) -> str:
    """646,600 → '64.7亿元'; 8,537.1 → '8,537万元'; `unit` forces one; `signed` → '+20.8亿元'."""
    if _missing(v):
        return DASH
    unit = unit or money_unit(v)
    shown, digits = (v / YI, 1) if unit == "亿元" else (v, 0)
    shown = 0.0 if round(shown, digits) == 0 else shown  # never '-0.0'
    return f"{shown:{'+' if signed else ''},.{digits}f}{unit}"


def fmt_amount(v) -> str:
    """An amount in its unit: 亿元 from 1亿 up, else 万元."""
    return fmt_money(v)


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


_CHANGE = {"比率": fmt_points, "百分点": fmt_points, "个": lambda d: f"{int(d):+d}个"}


def _difference(ind: Indicator, value, d) -> str:
    """A signed difference `d` that goes with `value`: an amount in the value's unit, a rate in 个百分点."""
    if ind.unit == "万元":
        return fmt_money(d, money_unit(value), signed=True)
    return _CHANGE.get(ind.unit, lambda x: f"{x:+,.1f}{ind.unit}")(d)


def format_change(ind: Indicator, value, prev) -> str:
    """The change of an indicator from `prev` to `value`, signed, in the unit `value` is written in (rates in
    个百分点): 64.7亿元 beside +20.8亿元."""
    if _missing(value) or _missing(prev):
        return DASH
    return _difference(ind, value, value - prev)


def format_gap(ind: Indicator, value, target) -> str:
    """How far a value is from its target: signed, in 个百分点 for a rate, in the value's unit for an amount."""
    if target is None or _missing(value):
        return DASH
    return _difference(ind, value, value - target)


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


# ---- columns of figures ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Column:
    """How a table shows a column of figures: the stored values ÷ `divisor`, `unit` named in the header, `digits`
    decimals with thousands separators; a rate (`percent`) ×100 in the file under '(%)', '108.3%' in the grid."""

    unit: str = ""
    divisor: float = 1
    digits: int = 1
    percent: bool = False

    def header(self, name: str) -> str:
        """'年度计划投资(亿元)', '投资完成率(%)'; a score's header stays as it is."""
        return f"{name}({self.unit})" if self.unit else name

    @property
    def printf(self) -> str:
        """The grid's sprintf-style format (st.column_config.NumberColumn), which rounds (its presets' `step`
        truncates: 108.29% would show as 108.2%)."""
        return f"%.{self.digits}f%%" if self.percent else f"%,.{self.digits}f"

    def text(self, v) -> str:
        """A cell as a document or the screen prints it: '17.8', '108.3%', '70.83'."""
        if _missing(v):
            return DASH
        return fmt_rate(v) if self.percent else f"{v / self.divisor:,.{self.digits}f}"


RATE_COLUMN = Column("%", 0.01, 1, percent=True)


def money_column(values: Iterable) -> Column:
    """A column of amounts (万元 stored) in the unit of its largest: 亿元 with two decimals (a table sets counties
    side by side: 0.09亿 must not print as 0.1), or whole 万元."""
    return Column("亿元", YI, 2) if money_unit(*values) == "亿元" else Column("万元", 1, 0)


def score_digits(scores: Sequence, ranks: Sequence) -> int:
    """Decimals for scores: one, or as many as it takes (up to 4) for counties with different ranks to print apart
    (70.83 and 70.79 rather than 70.8 twice); an equal rank is a tie (并列) and may print alike."""
    pairs = [(s, r) for s, r in zip(scores, ranks) if not _missing(s) and r is not None]
    for digits in range(1, 5):
        printed = {}
        if all(printed.setdefault(f"{s:.{digits}f}", r) == r for s, r in pairs):
            return digits
    return 4


def score_column(scores: Sequence, ranks: Sequence) -> Column:
    """A column of scores: one decimal, or enough to tell counties ranked apart (score_digits)."""
    return Column(digits=score_digits(scores, ranks))


def fmt_score(v, digits: int = 1) -> str:
    """70.8333 → '70.8' (— for a county without a score)."""
    return DASH if _missing(v) else f"{v:.{digits}f}"
