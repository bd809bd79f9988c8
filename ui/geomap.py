"""The county map (一张图) as pages draw it: the shown store's geography and the month's map data kept once per view
(store content, geography.json, month, selection, indicator) for every viewer, the desk's map with its indicator
chooser, a click on a county narrowing the view to it, and the units without a boundary listed beside it."""
from __future__ import annotations

import functools
from dataclasses import replace

import polars as pl
import streamlit as st

from data import geo
from data.city import city_name
from data.files import file_stamp
from data.geo.kept import FILE
from metrics.filters import Filters
from metrics.map import DEFAULT_INDICATOR, MapData, map_data
from metrics.registry import HEAT
from ui import cached, charts
from ui.i18n import ind_name, lang, t
from ui.map_chart import map_chart, picked_unit
from ui.state import Selection, focus_county

# What the map offers to colour by: the heat table's indicators (总览), the completion rate first, and three more.
INDICATORS = (DEFAULT_INDICATOR, *(i for i in HEAT if i != DEFAULT_INDICATOR), "red_projects", "monthly_investment",
              "completed_ytd_sum")
PICK_KEY = "geomap_indicator"
DESK_H = 460
# A phone (its browser says "Mobi"): the columns stack and the map is the screen's width, so the labels are placed
# for that width and the map is lower (placed for the height alone, they would crowd a map drawn narrower).
PHONE_W, PHONE_H = 340, 380


def _phone() -> bool:
    return "Mobi" in (st.context.headers.get("User-Agent") or "")


@st.cache_resource(show_spinner=False, max_entries=8)
def _geography(root: str, content: str, stamp: str, city: str) -> geo.Geography:
    """The shown store's geography, built once per store content and geography.json (a tile map reads every month's
    units: ~12 ms, which a view must not pay)."""
    return geo.geography(cached.source()[0], city)


@st.cache_resource(show_spinner=False, max_entries=128)
def _map(root: str, content: str, stamp: str, city: str, month: str, iid: str, filters: Filters,
         _by: pl.DataFrame | None) -> MapData:
    """One view's map data, shared by every viewer (the outlines are cached per city in data/geo/shapes.py); `_by`
    (not part of the key: it is what the key names) the page's own figures by county, when it has them."""
    return map_data(cached.dataset(), month, _geography(root, content, stamp, city), iid, filters, by=_by)


def picked(data: MapData, county: tuple[str, ...]) -> MapData:
    """`data` (drawn with no county picked) with the areas of the `county` filter's units marked as picked."""
    if not county:
        return data
    features = [{**f, "properties": {**f["properties"], "selected": f["properties"]["unit"] in county}}
                for f in data.features["features"]]
    return replace(data, features={**data.features, "features": features})


def _pick_key() -> str:
    """The chooser's widget key, per language: Streamlit keeps a choice by its shown name, which the language changes."""
    return f"{PICK_KEY}_{lang()}"


def indicator() -> str:
    """The indicator the desk map shows (its chooser's choice)."""
    iid = st.session_state.get(_pick_key())
    return iid if iid in INDICATORS else DEFAULT_INDICATOR


def request(sel: Selection) -> tuple | None:
    """The engine request for the desk map's values when they differ from the page's by-county figures (a county is
    picked, and the map keeps every county): a page adds it to its own one request (cached.page_frames's `also`)."""
    if not sel.filters.county:
        return None
    return ((sel.month,), sel.filters.without("county"), "county", (indicator(),))


def view(month: str, filters: Filters, iid: str = DEFAULT_INDICATOR, by: pl.DataFrame | None = None) -> MapData:
    """The shown store's map of `iid` for the month under `filters` (every county drawn, the picked ones marked).
    The county filter does not change the map's values, only which areas are outlined: the values are computed and
    kept once for the other filters (a click on a county costs no second engine pass). `by`: the month's indicators
    by county under the filters without the county one, as the page computed them in its own engine request."""
    store, _, content = cached.source()
    stamp = str(file_stamp(store.root / FILE)) if (store.root / FILE).exists() else ""
    by = by if by is not None and iid in by.columns else None
    data = _map(str(store.root), content, stamp, city_name(), month, iid, cached.canonical(filters.without("county")),
                by)
    return picked(data, filters.county)


def _pick(widget_key: str) -> None:
    """on_select of the map: narrow the view to the clicked county (a callback runs before the script, so it may
    still set the sidebar's county widget), as the county bars do."""
    unit = picked_unit(st.session_state.get(widget_key))
    if unit:
        focus_county(unit)


def beside_frame(data: MapData) -> pl.DataFrame:
    """The units with no area on the map, each with its value and why it has none: listed, never dropped."""
    rows = data.unmatched
    return pl.DataFrame({t("county"): [u.unit for u in rows], ind_name(data.indicator): [u.text for u in rows],
                         t("geomap_why"): [u.reason or u.how for u in rows]},
                        schema={t("county"): pl.String, ind_name(data.indicator): pl.String,
                                t("geomap_why"): pl.String})


def desk(sel: Selection, *, height: int = DESK_H, by: pl.DataFrame | None = None) -> None:
    """The map on a desk page: the indicator chooser, the map (a click filters to a county), the units beside it;
    `by`: the page's figures by county for the month under the filters without the county one, if it has them."""
    iid = indicator()
    data = view(sel.month, sel.filters, iid, by)
    left, right = st.columns([3, 1])
    widget_key = f"geomap_{iid}"
    height, width = (PHONE_H, PHONE_W) if _phone() else (height, None)
    charts.show(left, "geomap", (sel.month, sel.filters, iid, height, width, data.version),
                lambda: map_chart(data, height=height, width=width, select=True),
                on_select=functools.partial(_pick, widget_key), key=widget_key)
    names = {i: ind_name(i) for i in INDICATORS}  # named in this run's language (the widget formats later, too)
    right.selectbox(t("geomap_indicator"), INDICATORS, key=_pick_key(), format_func=names.__getitem__)
    if data.unmatched:
        right.caption(t("geomap_beside").format(n=len(data.unmatched)))
        frame = cached.table(("geomap_beside", sel.month, sel.filters, iid, data.version), lambda: beside_frame(data))
        right.dataframe(frame, hide_index=True, width="stretch")
    source = t("geomap_tiles") if data.kind == geo.TILES else t("geomap_source").format(city=data.city)
    right.caption(f"{source} {t('geomap_click')}")
