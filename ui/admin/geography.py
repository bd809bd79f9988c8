"""数据管理 · 地图: the city whose county map is drawn and how the store's units match its boundaries — set the city
(name or adcode; a misspelt name is refused naming the closest), see each unit's match and the unmatched, match a
unit by hand, mark one as having no boundary, forget either; analysts only, through data/geo/ as the CLI."""
from __future__ import annotations

import polars as pl
import streamlit as st

from data import geo
from data.store import Store, StoreError
from data.text import DASH
from ui.admin.actions import options
from ui.auth import can_write
from ui.i18n import t

CITY, UNIT, BOUNDARY = "admin_geo_city", "admin_geo_unit", "admin_geo_boundary"
MARKED = "admin_geo_marked"
NOTE = "_admin_geo_note"  # (ok, text) of the last change or refusal, shown once beside the controls (not at the top)


def listing_frame(rows: list[geo.Row]) -> pl.DataFrame:
    """Each unit with its boundary, adcode and how it was matched (未对应 and why, for the unmatched)."""
    return pl.DataFrame({t("geo_col_unit"): [r.unit for r in rows],
                         t("geo_col_boundary"): [r.boundary or DASH for r in rows],
                         t("geo_col_adcode"): [r.adcode or DASH for r in rows],
                         t("geo_col_how"): [r.how or t("geo_unmatched_how") for r in rows],
                         t("geo_col_reason"): [r.reason or "" for r in rows]})


def _run(step, done: str) -> None:
    """Run one change of the store's geography as the signed-in analyst; its message (or refusal) for the next run."""
    if not can_write():
        return
    try:
        step(Store(), options()["user"])
    except (StoreError, geo.BoundaryError) as e:
        st.session_state[NOTE] = (False, str(e))
        return
    st.session_state[NOTE] = (True, done)


def set_city() -> None:
    """on_click of 设置城市."""
    text = (st.session_state.get(CITY) or "").strip()
    if not text:
        st.session_state[NOTE] = (False, t("geo_city_missing"))
        return
    out = {}

    def step(store, user):
        out["city"], out["dropped"] = geo.set_city(store, text, user=user)

    _run(step, "")
    if "city" in out:
        c = out["city"]
        msg = t("geo_city_done").format(city=f"{c.province}{c.name}", code=c.adcode, n=len(geo.counties(c)))
        if out["dropped"]:
            msg += t("geo_city_dropped").format(units="、".join(out["dropped"]))
        st.session_state[NOTE] = (True, msg)


def set_match() -> None:
    """on_click of 手工对应: the chosen unit to the chosen boundary."""
    unit, code = st.session_state.get(UNIT), st.session_state.get(BOUNDARY)
    if not unit or not code:
        st.session_state[NOTE] = (False, t("geo_pick_both"))
        return
    _run(lambda store, user: geo.set_match(store, unit, code, user=user),
         t("geo_match_done").format(unit=unit, code=code))


def mark(action: str) -> None:
    """on_click of 标注无边界 (action 'none') or 取消手工设置 ('forget') for the chosen unit."""
    key = UNIT if action == "none" else MARKED
    unit = st.session_state.get(key)
    if not unit:
        st.session_state[NOTE] = (False, t("geo_pick_unit"))
        return
    if action == "none":
        _run(lambda store, user: geo.mark_no_boundary(store, unit, user=user), t("geo_none_done").format(unit=unit))
    else:
        _run(lambda store, user: geo.forget(store, unit, user=user), t("geo_forget_done").format(unit=unit))


def unset_city() -> None:
    _run(lambda store, user: geo.unset_city(store, user=user), t("geo_unset_done"))


def geography_tab(store: Store) -> None:
    """The city and the matching; the controls for analysts, the listing for everyone."""
    try:
        saved, rows, free = geo.listing(store)
    except geo.BoundaryError as e:
        st.error(str(e))
        return
    analyst = can_write()
    if saved.city is None:
        st.info(t("geo_no_city"), icon=":material/grid_view:")
    else:
        st.markdown(t("geo_city_is").format(city=f"{saved.city.province}{saved.city.name}", code=saved.city.adcode))
    if analyst:
        # buttons as wide as their labels, wrapping under the field on a narrow screen (fixed columns cut them)
        row = st.container(horizontal=True, vertical_alignment="bottom")
        row.text_input(t("geo_city_input"), key=CITY, placeholder=t("geo_city_placeholder"), width=360)
        row.button(t("geo_city_set"), key="admin_geo_set", icon=":material/location_city:", on_click=set_city)
        if saved.city is not None:
            row.button(t("geo_city_unset"), key="admin_geo_unset", icon=":material/grid_view:", on_click=unset_city)
    note = st.session_state.pop(NOTE, None)
    if note and note[1]:
        (st.success if note[0] else st.error)(note[1])
    if saved.city is None:
        if saved.no_boundary:
            st.caption(t("geo_marked_tiles").format(units="、".join(saved.no_boundary)))
        return
    unmatched = [r.unit for r in rows if not r.how]
    if unmatched:
        st.warning(t("geo_unmatched").format(n=len(unmatched), units="、".join(unmatched)), icon=":material/help:")
    if rows:
        st.dataframe(listing_frame(rows), hide_index=True, width="stretch", key="admin_geo_table")
    else:
        st.caption(t("geo_no_units"))
    if free:
        st.caption(t("geo_free").format(n=len(free), names="、".join(b.name for b in free)))
    if not analyst or not rows:
        return
    bounds = {b.adcode: b.name for b in geo.counties(saved.city)}
    st.markdown(f"##### {t('geo_hand_title')}")
    row = st.container(horizontal=True, vertical_alignment="bottom")
    row.selectbox(t("geo_col_unit"), [r.unit for r in rows], index=None, key=UNIT, placeholder=t("geo_pick"),
                  width=240)
    row.selectbox(t("geo_col_boundary"), list(bounds), index=None, key=BOUNDARY, placeholder=t("geo_pick"),
                  format_func=lambda code: f"{bounds[code]}（{code}）", width=240)
    row.button(t("geo_match"), key="admin_geo_match", icon=":material/link:", on_click=set_match)
    row.button(t("geo_none"), key="admin_geo_none", icon=":material/link_off:", on_click=mark, args=("none",))
    marked = [*saved.hand, *saved.no_boundary]
    if marked:
        row = st.container(horizontal=True, vertical_alignment="bottom")
        row.selectbox(t("geo_forget_pick"), marked, index=None, key=MARKED, placeholder=t("geo_pick"), width=360)
        row.button(t("geo_forget"), key="admin_geo_forget", icon=":material/undo:", on_click=mark, args=("forget",))
    st.caption(t("geo_cli"))
