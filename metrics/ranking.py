"""县区大比拼: scorecard from a settings file, min–max scaling, composite score, rank, 红旗/蜗牛, 约谈预警, explanations."""
from __future__ import annotations

import datetime as dt
import os
import tomllib
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from data.months import add_months, to_month
from data.text import DASH
from metrics import duban_score
from metrics.dataset import Dataset
from metrics.engine import compute
from metrics.filters import Filters
from metrics.format import fmt_points, fmt_score, format_value, rank_change_text, score_digits
from metrics.indicator import Indicator, meets
from metrics.registry import BY_ID
from metrics.rowsets import MONTH

C = pl.col
SCORECARD_ENV = "KPM_SCORECARD"
DEFAULT_SCORECARD = Path(__file__).resolve().parent / "scorecard.toml"
RED, SNAIL = "红旗", "蜗牛"


@dataclass(frozen=True)
class Item:
    """One scorecard line."""

    id: str
    weight: float
    direction: str


@dataclass(frozen=True)
class Scorecard:
    """Indicators with weights and directions, and the 约谈预警 settings."""

    items: tuple[Item, ...]
    warning_months: int = 3
    warning_places: int = 3

    @property
    def total_weight(self) -> float:
        return sum(i.weight for i in self.items)


def indicator_of(iid: str) -> Indicator:
    """A scorecard line's indicator: the registry's, or 按期办结率 (metrics/duban_score.py, by configuration)."""
    return BY_ID.get(iid) or duban_score.EXTRA[iid]


def scorecard_path(path: str | os.PathLike | None = None) -> Path:
    """The scorecard file in force: the argument, $KPM_SCORECARD, or metrics/scorecard.toml."""
    return Path(path or os.environ.get(SCORECARD_ENV) or DEFAULT_SCORECARD)


def load_scorecard(path: str | os.PathLike | None = None) -> Scorecard:
    """Read and check a scorecard TOML; errors in Chinese name the line to fix."""
    path = scorecard_path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValueError(f"评分表文件不存在：{path}") from None
    except tomllib.TOMLDecodeError as e:
        raise ValueError(f"评分表 {path} 格式错误：{e}") from None
    items = []
    for n, entry in enumerate(raw.get("indicator", []), 1):
        iid = entry.get("id")
        if iid not in BY_ID and iid not in duban_score.EXTRA:
            raise ValueError(f"评分表第{n}个指标“{iid}”不存在，请使用 README 指标表中的编号。")
        direction = entry.get("direction", indicator_of(iid).direction)
        if direction not in ("higher", "lower"):
            raise ValueError(f"评分表指标“{iid}”的 direction 应为 higher 或 lower，而不是“{direction}”。")
        weight = entry.get("weight")
        if not isinstance(weight, (int, float)) or weight <= 0:
            raise ValueError(f"评分表指标“{iid}”的 weight 应为正数，而不是“{weight}”。")
        items.append(Item(iid, float(weight), direction))
    if not items:
        raise ValueError(f"评分表 {path} 没有任何 [[indicator]]。")
    w = raw.get("warning", {})
    months, places = int(w.get("months", 3)), int(w.get("places", 3))
    if months < 1 or places < 1:
        raise ValueError("评分表 [warning] 的 months 和 places 应为正整数。")
    return Scorecard(tuple(items), months, places)


def _scaled(item: Item) -> pl.Expr:
    """Direction-aware min–max to 0–100 within a month; all equal → 100; null → 0."""
    v = C(item.id)
    lo, hi = v.min().over(MONTH), v.max().over(MONTH)
    span = hi - lo
    frac = (v - lo) / span if item.direction == "higher" else (hi - v) / span
    return (pl.when(v.is_null()).then(0.0).when(span == 0).then(100.0).otherwise(frac * 100.0)
            .alias(f"scaled__{item.id}"))


def score_table(by_county: pl.DataFrame, card: Scorecard) -> pl.DataFrame:
    """Scaled scores, composite score, rank and bottom position per month for a by-county indicator table."""
    df = by_county.with_columns([_scaled(i) for i in card.items])
    score = pl.sum_horizontal([C(f"scaled__{i.id}") * i.weight for i in card.items]) / card.total_weight
    # Rounded so that float noise never breaks a real tie (ties share the better rank).
    df = df.with_columns(score=score).with_columns(_s=C("score").round(9))
    return df.with_columns(
        rank=C("_s").rank("min", descending=True).over(MONTH).cast(pl.Int64),
        rank_from_bottom=C("_s").rank("min", descending=False).over(MONTH).cast(pl.Int64),
        n_counties=pl.len().over(MONTH).cast(pl.Int64),
    ).drop("_s")


def _amount(ind, gap: float) -> str:
    """How far apart two values are, in points for a rate."""
    return fmt_points(gap, signed=False) if ind.is_rate else format_value(ind, abs(gap))


def _explain(row: dict, card: Scorecard, month: int, best: dict[str, tuple[str, float]]) -> list[str]:
    """Words for the indicators that cost a county most points, largest loss first."""
    losses = sorted(((i.weight * (100 - row[f"scaled__{i.id}"]), i) for i in card.items), key=lambda t: -t[0])
    parts = []
    for loss, item in losses[:3]:
        if loss <= 1e-9:
            break
        ind = indicator_of(item.id)
        v = row[item.id]
        if v is None:
            parts.append(f"{ind.zh}无统计对象（按0分计）")
            continue
        target = ind.target_for(month)
        target_name = "时序进度" if ind.target == "time_schedule" else "目标"
        if meets(item.direction, v, target) is False:
            side = "低于" if item.direction == "higher" else "高于"
            parts.append(f"{ind.zh}{format_value(ind, v)}，{side}{target_name}{_amount(ind, v - target)}")
        elif item.id in best:
            county, bv = best[item.id]
            parts.append(f"{ind.zh}{format_value(ind, v)}，落后最优（{county}）{_amount(ind, bv - v)}")
    return parts


def ranking(ds: Dataset, month: dt.date | str, filters: Filters = Filters(), card: Scorecard | None = None,
            ) -> pl.DataFrame:
    """The county ranking of a month: score, rank, rank change, flag, warning, explanation, and each indicator."""
    card = card or load_scorecard()
    m = to_month(month)
    filters_all = filters.without("county")  # every county is measured with the same filters except county
    months = [add_months(m, -k) for k in range(max(card.warning_months, 2))]
    ids = [i.id for i in card.items if i.id in BY_ID]
    stored = [x for x in months if ds.has(x)]
    missing = {x: ds.unreported_counties(x) for x in stored}
    raw = compute(ds, stored, filters_all, "county", ids).filter(C("county").is_not_null())
    if any(i.id in duban_score.EXTRA for i in card.items):   # 按期办结率 from the 督办 log, when configured
        raw = raw.join(duban_score.by_county(ds, stored), on=[MONTH, "county"], how="left")
    for x, counties in missing.items():  # a county that has not reported that month is not scored in it
        raw = raw.filter(~((C(MONTH) == x) & C("county").is_in(sorted(counties))))
    table = score_table(raw, card)
    now = table.filter(C(MONTH) == m)
    if now.is_empty():
        return _with_unreported(now.with_columns(rank_change=pl.lit(None, pl.Int64), flag=pl.lit(None, pl.String),
                                                 warning=pl.lit(False), explanation=pl.lit("")),
                                missing.get(m, set()), m, filters)
    prev = table.filter(C(MONTH) == add_months(m, -1)).select("county", C("rank").alias("_prev_rank"))
    window = [add_months(m, -k) for k in range(card.warning_months)]
    window_complete = all(ds.has(x) for x in window)
    bottom = (table.filter(C(MONTH).is_in(window) & (C("rank_from_bottom") <= card.warning_places))
              .group_by("county").agg(pl.len().alias("_bottom_months")))
    max_rank = now.get_column("rank").max()
    out = (now.join(prev, on="county", how="left").join(bottom, on="county", how="left")
           .with_columns(
               rank_change=(C("_prev_rank") - C("rank")).cast(pl.Int64),
               flag=pl.when(C("rank") == 1).then(pl.lit(RED)).when(C("rank") == max_rank).then(pl.lit(SNAIL))
               .otherwise(pl.lit(None, pl.String)),
               warning=pl.lit(window_complete) & (C("_bottom_months").fill_null(0) == card.warning_months))
           .drop("_prev_rank", "_bottom_months")
           .sort(["rank", "county"]))
    best = {}
    for item in card.items:
        col = out.filter(C(item.id).is_not_null())
        if not col.is_empty():
            r = col.sort(item.id, descending=item.direction == "higher").row(0, named=True)
            best[item.id] = (r["county"], r[item.id])
    explanations = []
    for row in out.iter_rows(named=True):
        parts = _explain(row, card, m.month, best)
        text = "；".join(parts) if parts else "各项评分指标均为最优"
        if row["warning"]:
            text = f"连续{card.warning_months}个月排名后{card.warning_places}位：{text}"
        explanations.append(text)
    out = out.with_columns(explanation=pl.Series(explanations, dtype=pl.String))
    return _with_unreported(out, missing.get(m, set()), m, filters)


UNREPORTED = "未报送：本月没有已发布的台账，不参加排名"


def _with_unreported(out: pl.DataFrame, unreported: set[str], m: dt.date, filters: Filters) -> pl.DataFrame:
    """The ranking with each unreported county listed last, unranked (rank, score and flag null), saying why."""
    if unreported:
        rows = pl.DataFrame({"county": sorted(unreported)}).with_columns(
            pl.lit(m).alias(MONTH), pl.lit(False).alias("warning"), pl.lit(UNREPORTED).alias("explanation"))
        out = pl.concat([out, rows], how="diagonal_relaxed")
    if filters.county:
        out = out.filter(C("county").is_in(list(filters.county)))  # ranks stay those among all counties
    return out


def _printed(fmt: Callable, col: str) -> Callable[[pl.DataFrame], pl.Series]:
    # Formatted in Python, not with map_elements: a Python UDF inside a Polars plan can deadlock the server
    # against another session's to_pandas (bench/load.py --protocol found it; see tests/test_load_protocol.py).
    return lambda df: pl.Series([fmt(v) for v in df.get_column(col).to_list()], dtype=pl.String)


def _scores(df: pl.DataFrame) -> pl.Series:
    """The scores as printed: one decimal, or enough to tell counties ranked apart (metrics.format.score_digits)."""
    digits = score_digits(df.get_column("score").to_list(), df.get_column("rank").to_list())
    return pl.Series([fmt_score(v, digits) for v in df.get_column("score").to_list()], dtype=pl.String)


# The columns a ranking table can show: key → (header, cell as stored, cell as printed: an expression, or a
# function of the frame for a Python formatter).
_WARNING = pl.when(C("warning")).then(pl.lit("约谈预警")).otherwise(pl.lit(""))
_FLAG = pl.when(C("rank").is_null()).then(pl.lit("未报送")).otherwise(C("flag").fill_null(""))  # unranked: why
RANK_COLUMNS: dict[str, tuple[str, pl.Expr, pl.Expr | Callable[[pl.DataFrame], pl.Series]]] = {
    "rank": ("名次", C("rank"), C("rank").cast(pl.String).fill_null(DASH)),
    "county": ("县区", C("county"), C("county")),
    "score": ("得分", C("score").round(4), _scores),
    "rank_change": ("名次变化", C("rank_change"), _printed(rank_change_text, "rank_change")),
    "flag": ("红旗/蜗牛", _FLAG, _FLAG),
    "warning": ("约谈预警", _WARNING, _WARNING),
    "explanation": ("说明", C("explanation"), C("explanation")),
}


def ranking_table(rank: pl.DataFrame, columns: Sequence[str], *, text: bool | Collection[str] = False,
                  indicators: Sequence[str] = (), headers: dict[str, str] | None = None,
                  indicator_header: Callable[[str], str] = lambda iid: indicator_of(iid).zh) -> pl.DataFrame:
    """The ranking as a table: the chosen RANK_COLUMNS with their headers (or `headers`), the values of
    `indicators` before 说明; cells as stored, or as printed for the columns named in `text` (True: all)."""
    headers = headers or {}
    printed = set(RANK_COLUMNS) if text is True else set(text or ())
    cells = [RANK_COLUMNS[c][2 if c in printed else 1] for c in columns if c != "explanation"]
    cols = [(pl.lit(cell(rank)) if callable(cell) and not isinstance(cell, pl.Expr) else cell)
            .alias(headers.get(c, RANK_COLUMNS[c][0])) for c, cell in zip([c for c in columns if c != "explanation"], cells)]
    cols += [C(i).alias(indicator_header(i)) for i in indicators]
    if "explanation" in columns:
        cols.append(C("explanation").alias(headers.get("explanation", RANK_COLUMNS["explanation"][0])))
    return rank.select(cols)
