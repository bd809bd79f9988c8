"""The common layout of a dimension page: KPI tiles, trend against target, county bars, by-county table."""
from __future__ import annotations

from dataclasses import dataclass

import polars as pl
import streamlit as st

from metrics.format import fmt_money, format_value, money_unit
from metrics.registry import BY_ID, by_dimension
from ui import cached, cards, charts, phone
from ui.i18n import ind_name, t
from ui.state import Selection
from ui.widgets import kpi_row, month_num, show_table


@dataclass(frozen=True)
class Figures:
    """What a page's KPI tiles, trend charts and county bars show (indicator ids); a dimension page names its
    dimension, whose every indicator goes in its by-county table (and in its tiles, unless `tiles` names them)."""

    tiles: tuple[str, ...] = ()
    trend: tuple[str, ...] = ()
    bars: tuple[str, ...] = ()
    dimension: str | None = None

    @property
    def indicators(self) -> list[str]:
        """The dimension's indicators, in the registry's order (none for a page that is no dimension)."""
        return [i.id for i in by_dimension(self.dimension)] if self.dimension else []

    @property
    def tile_ids(self) -> list[str]:
        return list(self.tiles) or self.indicators


def by_county_table(df: pl.DataFrame, ids: list[str], name: str, cache: tuple | None = None) -> None:
    """Every county's values (`df`: the month by county) for the given indicators, formatted for reading, with n
    beside each rate; with `cache` (the selection it shows) built once for every viewer of it (cached.table)."""
    def build() -> pl.DataFrame:
        cols = [pl.col("county").alias(t("county"))]
        for iid in ids:
            ind = BY_ID[iid]
            # Formatted in Python, not by map_elements: a Python function run in Polars' thread pool deadlocks the
            # server when another session's table is converted at the same time (Polars 2.1; bench/load.py --protocol).
            values = df.get_column(iid).to_list()
            if ind.unit == "万元":  # a column of amounts in one unit, its largest's (metrics.format)
                unit = money_unit(*values)
                cells = [fmt_money(v, unit) for v in values]
            else:
                cells = [format_value(ind, v) for v in values]
            cols.append(pl.Series(ind_name(iid), cells, dtype=pl.String))
            if ind.is_rate and f"n__{iid}" in df.columns:
                cols.append(pl.col(f"n__{iid}").alias(f"{ind_name(iid)} n"))
        return df.select(cols)

    show_table(build, name, key=f"tbl_{name}", cache=cache and (*cache, tuple(ids)))


def render(sel: Selection, figures: Figures) -> None:
    """Tiles for the dimension's indicators, trend charts, county bars and the by-county table, from one engine
    request (the screen draws ui.screen.layouts.dimension instead)."""
    ids, tiles, trend, bars = figures.indicators, figures.tile_ids, list(figures.trend), list(figures.bars)
    frames = cached.page_frames(sel.month, sel.filters, [*tiles, *trend], [*bars, *ids])
    kpi_row(tiles, sel, frames.months)
    if trend:
        cols = st.columns(len(trend))
        for col, iid in zip(cols, trend):
            charts.show(col, "trend", (sel.filters, iid, 300),
                        lambda: charts.trend_chart(frames.months, iid, height=300))
    if bars:
        cols = st.columns(min(len(bars), 2))
        for k, iid in enumerate(bars):
            with cols[k % len(cols)]:
                charts.county_bars(frames.counties, iid, month_num(sel), (sel.month, sel.filters))
    st.subheader(t("by_county"))
    with phone.desk("by_county"):
        by_county_table(frames.counties, ids, f"{t('pages_' + figures.dimension)}_{sel.month}",
                        cache=(sel.month, sel.filters))
    phone.cards("by_county", cards.heat_cards(frames.counties, ids, month_num(sel)))  # a narrow window: a card a county
