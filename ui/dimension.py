"""The common layout of a dimension page: KPI tiles, trend against target, county bars, by-county table."""
from __future__ import annotations

import polars as pl
import streamlit as st

from metrics.format import format_value
from metrics.registry import BY_ID, by_dimension
from ui import cached
from ui.i18n import ind_name, t
from ui.state import Selection
from ui.widgets import county_bars, month_num, show_table, trend_chart


def by_county_table(sel: Selection, ids: list[str], name: str) -> pl.DataFrame:
    """Every county's values for the given indicators, formatted for reading, with n beside each rate."""
    df = cached.compute([sel.month], sel.filters, "county", ids)
    cols = [pl.col("county").alias(t("county"))]
    for iid in ids:
        ind = BY_ID[iid]
        # Formatted in Python, not by map_elements: a Python function run in Polars' thread pool deadlocks the
        # server when another session's table is converted at the same time (Polars 2.1; bench/load.py --protocol).
        cols.append(pl.Series(ind_name(iid), [format_value(ind, v) for v in df.get_column(iid).to_list()],
                              dtype=pl.String))
        if ind.is_rate and f"n__{iid}" in df.columns:
            cols.append(pl.col(f"n__{iid}").alias(f"{ind_name(iid)} n"))
    table = df.select(cols)
    show_table(table, name, key=f"tbl_{name}")
    return df


def render(dimension: str, sel: Selection, *, trend: list[str], bars: list[str], tiles: list[str] | None = None
           ) -> pl.DataFrame:
    """Tiles for the dimension's indicators, trend charts, county bars and the by-county table; returns that table."""
    ids = [i.id for i in by_dimension(dimension)]
    data_month = month_num(sel)
    from ui import screen
    from ui.widgets import kpi_row

    if screen.active():  # the meeting-room layout: 8 tiles and 2 charts, nothing below
        screen.dimension(sel, tiles or ids, trend, bars)

    kpi_row(tiles or ids, sel)
    if trend:
        series = cached.series(sel.filters, trend)
        cols = st.columns(len(trend))
        for col, iid in zip(cols, trend):
            col.altair_chart(trend_chart(series, iid), width="stretch")
    if bars:
        by = cached.compute([sel.month], sel.filters, "county", bars)
        cols = st.columns(min(len(bars), 2))
        for k, iid in enumerate(bars):
            with cols[k % len(cols)]:
                county_bars(by, iid, data_month)
    st.subheader(t("by_county"))
    return by_county_table(sel, ids, f"{t('pages_' + dimension)}_{sel.month}")
