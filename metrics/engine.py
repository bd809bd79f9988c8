"""Compute registry indicators over snapshots: filters, breakdowns and month series in one lazy plan.

Plain aggregates run in one group-by over the prepared rows. An indicator of another kind (metrics.indicator)
is computed by the handler of its kind: a Calendar or Derived one after aggregation, the others by a part of
the plan joined onto the aggregates. No indicator is named here.
"""
from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import polars as pl

from data.months import add_months, to_month
from metrics.dataset import Dataset
from metrics.filters import BY_COLUMNS, Filters
from metrics.indicator import Calendar, Derived, Indicator, MonthOffset, SnapshotRatio, YearBaseConversion
from metrics.registry import BY_ID, IDS
from metrics.rowsets import MONTH, ratio

C = pl.col


@dataclass(frozen=True)
class _Query:
    """One compute() request: the dataset, the stored months measured, the selection and the breakdown."""

    ds: Dataset
    months: list[dt.date]
    filters: Filters
    by: str | None

    @property
    def keys(self) -> list[str]:
        return [MONTH] + ([BY_COLUMNS[self.by]] if self.by else [])

    @property
    def where(self) -> pl.Expr:
        return self.filters.expr(tier_col="_tier")


def _n_col(ind_id: str) -> str:
    return f"n__{ind_id}"


def _roots(exprs: Iterable[pl.Expr]) -> set[str]:
    """The columns some expressions read."""
    return {name for e in exprs for name in e.meta.root_names()}


def _inputs(ind: Indicator) -> tuple[str, ...]:
    """The indicators an indicator's kind reads."""
    if isinstance(ind.kind, Derived):
        return ind.kind.inputs
    if isinstance(ind.kind, MonthOffset):
        return (ind.kind.of,)
    return ()


def _closure(indicators: Iterable[Indicator]) -> list[Indicator]:
    """The indicators asked for and every indicator their kinds read, each after its inputs."""
    out: dict[str, Indicator] = {}

    def add(ind: Indicator) -> None:
        if ind.id not in out:
            for dep in _inputs(ind):
                add(BY_ID[dep])
            out[ind.id] = ind

    for ind in indicators:
        add(ind)
    return list(out.values())


@functools.lru_cache(maxsize=256)
def _agg_exprs_of(ids: tuple[str, ...]) -> tuple[pl.Expr, ...]:
    """The aggregate expressions of some indicators, built once (expressions are immutable)."""
    exprs = []
    for ind in map(BY_ID.__getitem__, ids):
        if ind.expr is not None:
            exprs.append(ind.expr().alias(ind.id))
        if isinstance(ind.kind, SnapshotRatio):
            exprs.append(ind.kind.num().alias(f"_num__{ind.id}"))
        if ind.base is not None:
            exprs.append(ind.base().fill_null(False).sum().cast(pl.Int64).alias(_n_col(ind.id)))
    return tuple(exprs)


# ---- kinds joined onto the aggregates: what each needs prepared, and the part of the plan it joins


def _snapshot_needs(q: _Query, ind: Indicator) -> dict[dt.date, set[str]]:
    return {m: _roots([ind.kind.den()]) for m in q.months}


def _snapshot_join(q: _Query, ind: Indicator, out: pl.LazyFrame) -> pl.LazyFrame:
    """SnapshotRatio: the denominator over every row of the month, whatever the filters."""
    num, den = f"_num__{ind.id}", f"_den__{ind.id}"
    whole = q.ds.rows(q.months, _roots([ind.kind.den()])).group_by(MONTH).agg(ind.kind.den().alias(den))
    # Without a breakdown an empty selection still has a value (0 of the month's whole): the denominator is the
    # whole snapshot's, so only a snapshot where it is 0 leaves the indicator undefined.
    out = whole.join(out, on=MONTH, how="left") if q.by is None else out.join(whole, on=MONTH, how="left")
    return out.with_columns(ratio(C(num).fill_null(0).cast(pl.Float64), C(den).cast(pl.Float64)).alias(ind.id))


def _earlier(q: _Query, kind: MonthOffset) -> list[dt.date]:
    """The stored months `kind.months` before each measured month (same year only, if so declared)."""
    pairs = [(m, add_months(m, -kind.months)) for m in q.months]
    return sorted({e for m, e in pairs if q.ds.has(e) and (not kind.same_year or e.year == m.year)})


def _offset_expr(ind: Indicator) -> pl.Expr:
    return BY_ID[ind.kind.of].expr().alias(f"_prev__{ind.id}")


def _offset_needs(q: _Query, ind: Indicator) -> dict[dt.date, set[str]]:
    cols = _roots([_offset_expr(ind), q.where, *map(C, q.keys)])
    return {e: cols for e in _earlier(q, ind.kind)}


def _offset_join(q: _Query, ind: Indicator, out: pl.LazyFrame) -> pl.LazyFrame:
    """MonthOffset: the `of` indicator over the earlier months, moved forward onto the month it is compared with."""
    kind, expr, of = ind.kind, _offset_expr(ind), BY_ID[ind.kind.of]
    earlier = (q.ds.rows(_earlier(q, kind), _roots([expr, q.where, *map(C, q.keys)])).filter(q.where)
               .group_by(q.keys).agg(expr)
               .with_columns(C(MONTH).dt.offset_by(f"{kind.months}mo")))
    # Without a breakdown an empty selection is still measured: `of` over no rows is its empty value (0 for a
    # sum), so a month whose earlier month had some gives −1. A breakdown lists only the groups with rows now.
    if q.by is None:
        out = out.join(earlier, on=MONTH, how="full", coalesce=True)
    else:
        out = out.join(earlier, on=q.keys, how="left", nulls_equal=True)
    now = C(of.id) if of.empty is None else C(of.id).fill_null(of.empty)
    return out.with_columns((ratio(now, C(f"_prev__{ind.id}")) - 1).alias(ind.id))


def _base_pairs(q: _Query) -> list[tuple[dt.date, dt.date]]:
    """(month, the earliest stored month of its year) for each measured month that has one."""
    pairs = [(m, q.ds.earliest_of_year(m.year)) for m in q.months]
    return [(m, e) for m, e in pairs if e is not None and e <= m]


def _base_cols(q: _Query, ind: Indicator) -> set[str]:
    return _roots([ind.kind.base(), q.where, *map(C, q.keys[1:])]) | {"project_id"}


def _conversion_needs(q: _Query, ind: Indicator) -> dict[dt.date, set[str]]:
    needs: dict[dt.date, set[str]] = {}
    for m, e in _base_pairs(q):
        needs.setdefault(e, set()).update(_base_cols(q, ind))
        needs.setdefault(m, set()).update(_roots([ind.kind.converted()]) | {"project_id"})
    return needs


def _conversion_join(q: _Query, ind: Indicator, out: pl.LazyFrame) -> pl.LazyFrame:
    """YearBaseConversion: base rows of the year's first snapshot (filtered and grouped by their attributes there),
    matched by project_id with the measured month's rows."""
    pairs, n, keys = _base_pairs(q), _n_col(ind.id), q.keys
    if not pairs:
        plan = pl.LazyFrame(schema={**{k: (pl.Date if k == MONTH else pl.String) for k in keys},
                                    ind.id: pl.Float64, n: pl.Int64})
    else:
        link = pl.LazyFrame({MONTH: [m for m, _ in pairs], "_base_month": [e for _, e in pairs]},
                            schema={MONTH: pl.Date, "_base_month": pl.Date})
        base = (q.ds.rows({e for _, e in pairs}, _base_cols(q, ind))
                .filter(ind.kind.base() & q.where)
                .select(C(MONTH).alias("_base_month"), "project_id", *keys[1:])
                .join(link, on="_base_month", how="inner"))
        now = (q.ds.rows(q.months, _roots([ind.kind.converted()]) | {"project_id"})
               .select("project_id", MONTH, ind.kind.converted().alias("_conv")))
        plan = (base.join(now, on=["project_id", MONTH], how="left")
                .group_by(keys)
                .agg(pl.len().cast(pl.Int64).alias(n), C("_conv").fill_null(False).sum().cast(pl.Int64).alias("_conv"))
                .with_columns(ratio(C("_conv").cast(pl.Float64), C(n).cast(pl.Float64)).alias(ind.id))
                .drop("_conv"))
    return out.join(plan, on=keys, how="full", coalesce=True, nulls_equal=True)


Needs = Callable[[_Query, Indicator], dict[dt.date, set[str]]]
Join = Callable[[_Query, Indicator, pl.LazyFrame], pl.LazyFrame]
# Joined in this order: a whole-snapshot denominator may add the month row an empty selection lacks.
_JOINED: dict[type, tuple[Needs, Join]] = {
    SnapshotRatio: (_snapshot_needs, _snapshot_join),
    MonthOffset: (_offset_needs, _offset_join),
    YearBaseConversion: (_conversion_needs, _conversion_join),
}
_ORDER = list(_JOINED)


def _plan(ds: Dataset, months: list[dt.date], filters: Filters, by: str | None,
          indicators: Sequence[Indicator]) -> pl.LazyFrame:
    """The lazy plan for the given indicators at the given months, grouped by month (and `by`)."""
    q = _Query(ds, months, filters, by)
    wanted = _closure(indicators)
    agg_exprs = list(_agg_exprs_of(tuple(i.id for i in wanted)))
    cols = _roots([*agg_exprs, q.where, *map(C, q.keys)])
    joined = sorted((i for i in wanted if type(i.kind) in _JOINED), key=lambda i: _ORDER.index(type(i.kind)))
    # One pass builds what the prepared rows lack: the measured months' columns and whatever each joined kind
    # reads from them or from other months.
    needs = {m: set(cols) for m in months}
    for ind in joined:
        for m, c in _JOINED[type(ind.kind)][0](q, ind).items():
            needs.setdefault(m, set()).update(c)
    ds.prepare(needs)
    rows = ds.rows(months, cols).filter(q.where)
    if len(q.keys) == 1 and len(months) == 1:
        # One month, no breakdown: a single group, which polars aggregates ~2× faster in a select than through
        # group_by; an empty selection still yields no row, as group_by does.
        out = (rows.select(pl.lit(months[0], pl.Date).alias(MONTH), *agg_exprs, pl.len().alias("_rows"))
               .filter(C("_rows") > 0).drop("_rows"))
    else:
        out = rows.group_by(q.keys).agg(agg_exprs)
    for ind in joined:
        out = _JOINED[type(ind.kind)][1](q, ind, out)
    return out


def _finish(df: pl.DataFrame, months: list[dt.date], by: str | None, indicators: Sequence[Indicator]) -> pl.DataFrame:
    """Add calendar and derived indicators, empty-selection defaults and a stable column order (one lazy pass)."""
    lf = df.lazy()
    if by is None:
        lf = pl.LazyFrame({MONTH: months}, schema={MONTH: pl.Date}).join(lf, on=MONTH, how="left")
    elif BY_COLUMNS[by] not in df.columns:  # no stored month: an empty breakdown, not a missing column
        lf = lf.with_columns(pl.lit(None, pl.String).alias(BY_COLUMNS[by]))
    have = set(df.columns)
    for ind in _closure(indicators):
        kind = ind.kind
        if isinstance(kind, Calendar):
            lf = lf.with_columns(kind.value(C(MONTH)).alias(ind.id))
            have.add(ind.id)
        elif isinstance(kind, Derived) and all(i in have for i in kind.inputs):
            lf = lf.with_columns(kind.value(*map(C, kind.inputs)).alias(ind.id))
            have.add(ind.id)
    missing = [pl.lit(None, dtype=pl.Int64 if ind.unit == "个" else pl.Float64).alias(ind.id)
               for ind in indicators if ind.id not in have]
    if missing:
        lf = lf.with_columns(missing)
    fills = []
    for ind in indicators:
        if ind.empty is not None:
            fills.append(C(ind.id).fill_null(ind.empty))
        n = _n_col(ind.id)
        if n in have:
            fills.append(C(n).fill_null(0))
    lf = lf.with_columns(fills) if fills else lf
    key_cols = [MONTH] + ([BY_COLUMNS[by]] if by else [])
    cols = key_cols + [i.id for i in indicators] + [_n_col(i.id) for i in indicators if _n_col(i.id) in have]
    lf = lf.select(cols)
    if by:
        lf = lf.rename({BY_COLUMNS[by]: by}) if BY_COLUMNS[by] != by else lf
        lf = lf.sort([MONTH, by], nulls_last=True)
    else:
        lf = lf.sort(MONTH)
    return lf.collect(engine="in-memory")


# Input rows from which polars' streaming engine (parallel group-by) beats the in-memory engine's lower fixed
# cost. Measured on the bench/ stores (2 cores): city queries (1–24k rows) run 1.3–1.5× faster in memory, a
# filtered 50k-row month about the same or faster in memory, 150k rows (3 province months) 2× faster streaming,
# the 1.8M-row province month series 4× faster streaming.
STREAMING_FROM_ROWS = 100_000


def _engine(ds: Dataset, months: Iterable[dt.date]) -> str:
    return "streaming" if ds.height(months) >= STREAMING_FROM_ROWS else "in-memory"


def compute(ds: Dataset, months: Iterable[dt.date | str], filters: Filters = Filters(), by: str | None = None,
            ids: Iterable[str] | None = None) -> pl.DataFrame:
    """Indicators (columns) for each month (and each `by` group), with n__<id> population counts."""
    if by is not None and by not in BY_COLUMNS:
        raise ValueError(f"不能按“{by}”分组，可选：{', '.join(BY_COLUMNS)}")
    months = sorted({to_month(m) for m in months})
    indicators = [BY_ID[i] for i in (ids or IDS)]
    present = [m for m in months if ds.has(m)]
    if not present:
        # A month with no snapshot: counts and sums 0, rates null (by-group: no rows).
        return _finish(pl.DataFrame(schema={MONTH: pl.Date}), months, by, indicators)
    df = _plan(ds, present, filters, by, indicators).collect(engine=_engine(ds, present))
    return _finish(df, present, by, indicators)


def compute_many(ds: Dataset, requests: Sequence[tuple]) -> list[pl.DataFrame]:
    """Several compute() requests (months, filters, by, ids) collected together, so polars shares the scans."""
    plans, metas = [], []
    for months, filters, by, ids in requests:
        months = sorted({to_month(m) for m in months if ds.has(to_month(m))})
        indicators = [BY_ID[i] for i in (ids or IDS)]
        plans.append(_plan(ds, months, filters, by, indicators) if months else None)
        metas.append((months, by, indicators))
    engines = [_engine(ds, months) for months, _, _ in metas]
    collected = {}
    for engine in set(engines):
        batch = [k for k, p in enumerate(plans) if p is not None and engines[k] == engine]
        collected.update(zip(batch, pl.collect_all([plans[k] for k in batch], engine=engine)))
    return [_finish(collected.get(k, pl.DataFrame(schema={MONTH: pl.Date})), months, by, indicators)
            for k, (months, by, indicators) in enumerate(metas)]


def indicators_at(ds: Dataset, month: dt.date | str, filters: Filters = Filters(), by: str | None = None,
                  ids: Iterable[str] | None = None) -> pl.DataFrame:
    """compute() for one month."""
    return compute(ds, [month], filters, by, ids)


def month_series(ds: Dataset, ids: Iterable[str], filters: Filters = Filters(), by: str | None = None) -> pl.DataFrame:
    """The given indicators for every stored month (and every `by` group)."""
    return compute(ds, ds.months, filters, by, ids)


def as_record(df: pl.DataFrame, ids: Iterable[str] | None = None) -> dict[str, float | int | None]:
    """The first row's indicator values as {id: value} (for JSON, tiles)."""
    ids = list(ids or IDS)
    if df.is_empty():
        return {i: BY_ID[i].empty for i in ids}
    row = df.row(0, named=True)
    return {i: row.get(i) for i in ids}
