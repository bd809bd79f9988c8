"""一张图 on the meeting screen: the county map of 投资完成率 (or `?map=ID`) filling the room's screen under the header,
each county's name and value on it, and beside it what the map cannot show — the units without a boundary with
their values — and the counties furthest behind, in design px for a screen 1080 high and 1440–1920+ wide."""
from __future__ import annotations

import hashlib
import html

import altair as alt
import streamlit as st
from streamlit.dataframe_util import convert_anything_to_arrow_bytes

from data.geo import TILES
from metrics.map import DEFAULT_INDICATOR, MapData
from metrics.registry import BY_ID
from ui import geomap as county_map
from ui.dimension import Figures
from ui.i18n import t
from ui.chart_specs import Templated, spec
from ui.map_chart import SCREEN, map_chart
from ui.screen.theme import FG, GRID, MUTED, S_BAD, dark, draw
from ui.state import Selection
from ui.widgets import guard

MAP_H = 700  # the map's own height, design px: title and legend above it, the header over all, 1080 in all
MAP_W = 880  # the map column's width on the narrowest (4:3, 1440 design px) screen: labels are placed for it
SIDE_ROWS = 12  # the panel's rows (beside-the-map units first, then the counties furthest behind)
BEHIND = 5  # at most this many counties furthest behind
CSS = (f"<style>.kpm-side {{width:100%;border-collapse:collapse;margin-bottom:14px}}"
       f".kpm-side td {{font-size:24px;padding:5px 4px;border-bottom:1px solid {GRID};color:{FG}}}"
       f".kpm-side td.num {{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}}"
       f".kpm-side tr.far td.num {{color:{S_BAD}}} .kpm-note {{font-size:18px;color:{MUTED}}}</style>")
PARAM = "map"  # ?map=ID: the indicator the screen's map shows


def _indicator() -> str:
    iid = st.query_params.get(PARAM) or DEFAULT_INDICATOR
    return iid if iid in BY_ID else DEFAULT_INDICATOR


def _dark(chart: Templated) -> dict:
    """The map's dark spec: its frames as named Arrow datasets (the areas look their values up in one, which the
    screen's own finishing would not reach), the screen's theme over it."""
    datasets = {}
    for frame in chart.frames:
        arrow = convert_anything_to_arrow_bytes(frame)
        datasets["data-" + hashlib.blake2b(arrow, digest_size=12).hexdigest()] = arrow
    out = dark(chart.make(*(alt.NamedData(name=n) for n in datasets)), MAP_H)
    out["datasets"] = {**out.get("datasets", {}), **datasets}
    return out


def _row(name: str, text: str, cls: str) -> str:
    return f'<tr class="{cls}"><td>{html.escape(name)}</td><td class="num">{html.escape(text)}</td></tr>'


def _table(title: str, rows: list[str]) -> str:
    return f'<div class="kpm-h2">{html.escape(title)}</div><table class="kpm-side">{"".join(rows)}</table>'


def panel(data: MapData) -> list[str]:
    """The panel beside the map: every unit without a boundary with its value (never dropped: past SIDE_ROWS the
    rest are named in one closing line), then, where room remains, the drawn counties furthest behind (lowest
    standing in the indicator's direction), and where the map's shapes come from."""
    beside = list(data.unmatched)
    parts = []
    if beside:
        parts.append(_table(t("geomap_screen_beside"), [_row(u.unit, u.text, "") for u in beside[:SIDE_ROWS]]))
        if len(beside) > SIDE_ROWS:
            more = t("geomap_screen_more").format(n=len(beside) - SIDE_ROWS,
                                                  names="、".join(u.unit for u in beside[SIDE_ROWS:]))
            parts.append(f'<div class="kpm-card more"><p>{html.escape(more)}</p></div>')
    # Behind: only for an indicator with a good direction (a neutral one, such as 总投资, has no laggards).
    room = min(BEHIND, SIDE_ROWS - len(beside) - 2) if BY_ID[data.indicator].direction in ("higher", "lower") else 0
    scored = sorted((u for u in data.units if u.key is not None and u.score is not None), key=lambda u: u.score)
    if room > 0 and scored:
        parts.append(_table(t("geomap_screen_behind"), [
            _row(u.unit, u.text, "far" if u.status in ("near", "far") else "") for u in scored[:room]]))
    note = t("geomap_tiles_short") if data.kind == TILES else t("geomap_source").format(city=data.city)
    parts.append(f'<div class="kpm-note">{html.escape(note)}</div>')
    return parts


def geomap(sel: Selection, figures: Figures | None = None) -> None:
    """The map and its panel; a pinned county is outlined on the map, the others kept around it."""
    if not guard(sel):
        return
    iid = _indicator()
    data = county_map.view(sel.month, sel.filters, iid)
    left, right = st.columns([3.2, 1], gap="medium")
    draw(left, spec("screen:geomap", (sel.month, sel.filters, iid, data.version),
                    lambda: map_chart(data, height=MAP_H, width=MAP_W, look=SCREEN), finish_with=_dark))
    right.markdown(f'{CSS}<div class="kpm-geoside">{"".join(panel(data))}</div>', unsafe_allow_html=True)
