"""The benchmark cases, each in three implementations (ours = metrics.engine, pandas, DuckDB), and the cross-check.

`cold` builds everything inside each timed call. The warm cases share what a long-lived dashboard process holds
(one Dataset with its prepared-rows cache / one pandas frames cache / one in-memory DuckDB table), built during
the untimed warm-up (repetition -1). Repetition i uses its own filter where the case says the filter changes,
so that no result cache can help.
"""
from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from bench import baseline_duckdb as bduck
from bench import baseline_pandas as bpd
from data.months import add_months
from data.schema import TIER_LABELS
from data.store import Store
from metrics.dataset import Dataset
from metrics.engine import compute, compute_many, indicators_at, month_series
from metrics.filters import Filters
from metrics.ranking import load_scorecard, ranking
from metrics.registry import HEADLINE as REGISTRY_HEADLINE, HEAT as REGISTRY_HEAT, IDS as REGISTRY_IDS

# The indicators the pandas and DuckDB baselines implement (DOMAIN.md Part 1), which every implementation computes
# in the cross-checked cases; Part 2's are checked against an independent oracle in tests/ instead.
IDS = tuple(i for i in REGISTRY_IDS if i in bpd.NEEDS and i in bduck.OUT)

# What the 总览 page asks for on every rerun (mirrors pages/overview.py: KPI tiles for the month and last month,
# the completion-rate trend, the county × indicator heat table).
HEADLINE = list(REGISTRY_HEADLINE)
HEAT = list(REGISTRY_HEAT)
SERIES_IDS = ["investment_completion_rate", "time_schedule"]


class CrossCheckError(AssertionError):
    """A baseline's result differs from ours: the timings would compare different work."""


@dataclass
class Context:
    """The store under test and what every implementation needs to know about it."""

    store: Store
    months: list[dt.date]
    paths: dict[dt.date, str]
    chains: list[str]

    @classmethod
    def of(cls, store: Store) -> Context:
        ds = Dataset.from_store(store)
        paths = {m: str(store.path_for(m)) for m in ds.months}
        chains = (pl.scan_parquet(paths[ds.latest]).select(pl.col("chain").drop_nulls().unique().sort())
                  .collect().get_column("chain").to_list())
        return cls(store, ds.months, paths, chains)

    # The long-lived state of a dashboard process, one per implementation, shared by the warm cases.
    @functools.cached_property
    def dataset(self) -> Dataset:
        return Dataset.from_store(self.store)

    @functools.cached_property
    def pandas_src(self) -> bpd.PandasSource:
        return bpd.PandasSource(self.paths, warm=True)

    @functools.cached_property
    def duck_src(self) -> bduck.DuckSource:
        return bduck.DuckSource(self.paths, warm=True)

    def close(self) -> None:
        if "duck_src" in self.__dict__:
            self.__dict__.pop("duck_src").close()
        self.__dict__.pop("pandas_src", None)
        self.__dict__.pop("dataset", None)

    @property
    def latest(self) -> dt.date:
        return self.months[-1]

    def filters(self, i: int) -> Filters:
        """A different chain + tier selection for each repetition i (i = -1: the warm-up)."""
        k = len(self.chains)
        j = i + 1
        chains = tuple(sorted({self.chains[j % k], self.chains[(j * 5 + 3) % k], self.chains[(j * 7 + 11) % k]}))
        tiers = (TIER_LABELS[j % 4], TIER_LABELS[(j + 1) % 4 + (1 if j % 3 == 0 else 0)])
        return Filters.of(chain=chains, tier=tuple(dict.fromkeys(tiers)))


@dataclass
class Case:
    """One workload in three implementations; each is called with the repetition number (-1: warm-up)."""

    name: str
    ours: Callable[[int], object]
    pandas: Callable[[int], object]
    duckdb: Callable[[int], object]
    compare: Callable[[object, object, str], None]


def cases(ctx: Context, names: list[str] | None = None) -> list[Case]:
    """The cases; warm ones use the context's long-lived state (one Dataset / pandas cache / DuckDB table)."""
    m = ctx.latest
    card = load_scorecard()
    none = Filters()
    page_months = [m] + ([add_months(m, -1)] if add_months(m, -1) in ctx.paths else [])

    def page_requests(f: Filters):
        return [(page_months, f, None, HEADLINE), (ctx.months, f, None, SERIES_IDS), ([m], f, "county", HEAT)]

    def base_page(mod, src, f):
        return [mod.indicators(src, months, ff, by, ids) for months, ff, by, ids in page_requests(f)]

    all_cases = [
        Case("cold",  # a new Dataset / pandas reader / DuckDB connection every time: nothing cached
             lambda i: indicators_at(Dataset.from_store(Store(ctx.store.root)), m, ids=IDS),
             lambda i: bpd.indicators(bpd.PandasSource(ctx.paths), [m], none, None, IDS),
             lambda i: _duck_cold(ctx, lambda src: bduck.indicators(src, [m], none, None, IDS)),
             lambda ours, other, who: compare_indicators(ours, other, None, IDS, who)),
        Case("filter_change",
             lambda i: compute(ctx.dataset, [m], ctx.filters(i), "county", IDS),
             lambda i: bpd.indicators(ctx.pandas_src, [m], ctx.filters(i), "county", IDS),
             lambda i: bduck.indicators(ctx.duck_src, [m], ctx.filters(i), "county", IDS),
             lambda ours, other, who: compare_indicators(ours, other, "county", IDS, who)),
        Case("month_series",
             lambda i: month_series(ctx.dataset, ["investment_completion_rate"], by="county"),
             lambda i: bpd.indicators(ctx.pandas_src, ctx.months, none, "county", ["investment_completion_rate"]),
             lambda i: bduck.indicators(ctx.duck_src, ctx.months, none, "county", ["investment_completion_rate"]),
             lambda ours, other, who: compare_indicators(ours, other, "county", ["investment_completion_rate"], who)),
        Case("ranking",
             lambda i: ranking(ctx.dataset, m, card=card),
             lambda i: bpd.ranking(ctx.pandas_src, m, card.items, card.warning_months, card.warning_places, none),
             lambda i: bduck.ranking(ctx.duck_src, m, card.items, card.warning_months, card.warning_places, none),
             compare_ranking),
        Case("page_rerun",
             lambda i: compute_many(ctx.dataset, page_requests(ctx.filters(i))),
             lambda i: base_page(bpd, ctx.pandas_src, ctx.filters(i)),
             lambda i: base_page(bduck, ctx.duck_src, ctx.filters(i)),
             lambda ours, other, who: compare_page(ours, other, page_requests(none), who)),
    ]
    return [c for c in all_cases if names is None or c.name in names]


def _duck_cold(ctx: Context, fn):
    src = bduck.DuckSource(ctx.paths)  # a fresh connection: nothing cached
    try:
        return fn(src)
    finally:
        src.close()


# ---------------------------------------------------------------- cross-check
def _num(v) -> float | None:
    if v is None:
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return v
    return None if math.isnan(f) else f


def _same(a, b) -> bool:
    a, b = _num(a), _num(b)
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6)
    return a == b


def _records(df, keys: list[str], cols: list[str]) -> dict[tuple, dict]:
    if isinstance(df, pl.DataFrame):
        rows = df.select(keys + cols).to_dicts()
    else:
        rows = df[keys + cols].to_dict("records")
    out = {}
    for r in rows:
        k = tuple(r[key].date() if hasattr(r[key], "date") and callable(r[key].date) else r[key] for key in keys)
        if k in out:
            raise CrossCheckError(f"duplicate key {k}")
        out[k] = r
    return out


def _compare(ours, other, keys: list[str], cols: list[str], who: str) -> None:
    a, b = _records(ours, keys, cols), _records(other, keys, cols)
    if set(a) != set(b):
        only_a, only_b = sorted(set(a) - set(b), key=str)[:5], sorted(set(b) - set(a), key=str)[:5]
        raise CrossCheckError(f"{who}: different groups — only ours: {only_a}; only theirs: {only_b}")
    bad = [(k, c, a[k][c], b[k][c]) for k in sorted(a, key=str) for c in cols if not _same(a[k][c], b[k][c])]
    if bad:
        lines = "\n".join(f"  {k} {c}: ours={x!r} theirs={y!r}" for k, c, x, y in bad[:10])
        raise CrossCheckError(f"{who}: {len(bad)} values differ from ours:\n{lines}")


def compare_indicators(ours: pl.DataFrame, other, by: str | None, ids, who: str) -> None:
    _compare(ours, other, ["snapshot_month"] + ([by] if by else []), list(ids), who)


def compare_page(ours: list, other: list, requests, who: str) -> None:
    for k, (o, t, (_, _, by, ids)) in enumerate(zip(ours, other, requests, strict=True)):
        compare_indicators(o, t, by, ids, f"{who} (总览 request {k + 1})")


def compare_ranking(ours: pl.DataFrame, other, who: str) -> None:
    _compare(ours, other, ["county"], ["score", "rank", "rank_change", "flag", "warning"], who)
