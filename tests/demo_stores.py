"""The stores the v2 tests measure: the demo city as generated, and a harsher variant of it."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from data.store import Store

C = pl.col
MONTH = "snapshot_month"
ROOT = Path(__file__).resolve().parents[1]


def demo_frames() -> list[pl.DataFrame]:
    store = Store(ROOT / "data" / "demo")
    return [store.read(m) for m in store.months()]


def variant_frames() -> list[pl.DataFrame]:
    """The demo made harsher where it is gentle: a month missing, blank problems, projects changing county, chain and
    level, investment lags exactly on 0.10 / 0.30."""
    out = []
    for f in demo_frames():
        m = f.get_column(MONTH)[0]
        if m == dt.date(2024, 9, 1):
            continue  # a gap in the store ends every streak running through it
        n = pl.int_range(pl.len())
        f = f.with_columns(
            problems=pl.when((n % 17 == 3) & C("problems").is_null()).then(pl.lit(" \u3000\t"))
            .when(n % 23 == 5).then(pl.lit("")).otherwise(C("problems")),
            # Early months under other attributes: filters must not reach into history.
            county=pl.when((n % 5 == 0) & (m.month % 2 == 0)).then(pl.lit("旧县")).otherwise(C("county")),
            chain=pl.when((n % 7 == 0) & (m.year == 2024)).then(pl.lit("旧链")).otherwise(C("chain")),
            level=pl.when((n % 11 == 0) & (m.month <= 6)).then(pl.lit("省级")).otherwise(C("level")),
        )
        if m.month >= 4:  # plan 1200 makes m/12 − 0.30 and m/12 − 0.10 exact in 万元
            boundary = C("_constr_demo") & (n % 13 == 1)
            f = (f.with_columns(_constr_demo=C("build_type").is_in(["新开工", "续建"]) & ~C("status").is_in(["竣工", "投产"]))
                 .with_columns(
                     plan_investment_year=pl.when(boundary).then(1200.0).otherwise(C("plan_investment_year")),
                     completed_investment_ytd=pl.when(boundary & (n % 2 == 0)).then(100.0 * m.month - 360)
                     .when(boundary).then(100.0 * m.month - 120).otherwise(C("completed_investment_ytd")))
                 .drop("_constr_demo"))
        out.append(f)
    return out
