"""The county map as one of our chart specs: Altair's mark_geoshape over the city's outlines (or the tile map), each
area coloured by direction and target, the county's name and value written on it. The outlines travel inline in the
spec (Vega's geoshape reads GeoJSON objects, which Arrow rows cannot carry) and are fixed per city, so they sit in
the chart's template; a view's values come as an Arrow dataset the areas look up by key. No URL to any host."""
from __future__ import annotations

from dataclasses import dataclass

import altair as alt
import polars as pl

from data.geo import TILES
from metrics.map import NO_DATA, RELATIVE, STATUSES, TARGET, MapData
from metrics.registry import BY_ID
from ui.chart_specs import Templated
from ui.charts import HEAT_FILL, axis_format, unit_title
from ui.i18n import ind_name, t
from ui.map_labels import LINE, Area, place_labels

LOOKED_UP = ["label", "unit", "value", "text", "standing", "score", "selected"]


@dataclass(frozen=True)
class Look:
    """Colours and type sizes of a map: the desk's by default; the screen passes its own (dark) look."""

    met: str = HEAT_FILL[0]  # against a target, the heat table's light fills: the names stay readable on them
    near: str = HEAT_FILL[1]
    far: str = HEAT_FILL[2]
    no_data: str = "#d3d8df"  # darker than the relative scale's middle: no value is not an average one
    low: str = "#e57373"  # relative: worst … middle … best
    middle: str = "#f5f5f5"
    high: str = "#66bb6a"
    values: str = "blues"  # a neutral indicator: one hue, darker for more
    stroke: str = "#ffffff"
    selected: str = "#1f2328"
    text: str = "#1f2328"
    name_size: int = 13
    value_size: int = 12


DESK = Look()
# The meeting screen's dark panel (ui/screen/theme.py: PANEL #131d33, FG #f1f5fb): deeper fills under light type,
# sizes for its 16 px floor per 1,080 lines. A starting point for the screen layout, which sets the sizes it fits.
SCREEN = Look(met="#1f7a4d", near="#8a6d1a", far="#a8383b", no_data="#243049", low="#a8383b", middle="#5d6b85",
              high="#1f7a4d",
              values="darkblue", stroke="#0b1220", selected="#ffd166", text="#f1f5fb", name_size=20, value_size=18)


def picked_unit(event: dict | None) -> str | None:
    """The unit a click on the map picked (st.vega_lite_chart's selection event of `pick`), or None."""
    picked = ((event or {}).get("selection") or {}).get("pick") or []
    return picked[0].get("unit") if picked else None


def _standing(status: str) -> str:
    """A standing's name as the heat table says it (达标, 接近目标, 差距较大), or 无数据."""
    return t("geomap_no_data") if status == NO_DATA else t(f"heat_{status}")


def _color(mode: str, look: Look, iid: str) -> alt.Color:
    no_value = "datum.value === null"
    if mode == TARGET:
        return alt.Color("standing:N", legend=alt.Legend(title=t("heat_legend"), orient="top"),
                         scale=alt.Scale(domain=[_standing(s) for s in STATUSES],
                                         range=[look.met, look.near, look.far, look.no_data]))
    if mode == RELATIVE:
        return alt.condition(no_value, alt.value(look.no_data), alt.Color(
            "score:Q", scale=alt.Scale(domain=[0, 1], range=[look.low, look.middle, look.high]),
            legend=alt.Legend(title=t("geomap_relative"), orient="top", format=".0%", labelExpr=(
                f"datum.value == 0 ? '{t('geomap_worst')}' : datum.value == 1 ? '{t('geomap_best')}' : ''"))))
    return alt.condition(no_value, alt.value(look.no_data), alt.Color(
        "value:Q", scale=alt.Scale(scheme=look.values),
        legend=alt.Legend(orient="top", title=unit_title(BY_ID[iid]), format=axis_format(BY_ID[iid]))))


def _outline(geometry: dict) -> list[tuple[float, float]]:
    """The outer rings' vertices of a (Multi)Polygon: the county's extent and size for placing its label."""
    polys = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    return [(x, y) for poly in polys for x, y in poly[0]]


def label_frame(data: MapData, *, height: int, width: int | None, look: Look) -> pl.DataFrame:
    """data.frame() with each area's label: its name (the unit's, or the boundary's where no unit has it) and that
    name in lines, its centre, the lines' offsets (px), anchor and leader line's end (lon/lat; leader: the label
    stands off its county) and its box's corners."""
    frame = data.frame()
    frame = frame.with_columns(label=frame["unit"].fill_null(frame["name"]),  # a county no unit names: its own name
                               standing=pl.Series([_standing(s) if s else None for s in frame["status"]],
                                                  dtype=pl.String))
    areas = [Area(k, name, text, (x, y), _outline(f["geometry"])) for k, name, text, x, y, f in zip(
        frame["key"], frame["label"], frame["text"], frame["lon"], frame["lat"], data.features["features"])]
    placed = place_labels(areas, tiles=data.kind == TILES, height=height, width=width, name_size=look.name_size,
                          value_size=look.value_size)
    cols = {"lines": [], "lx": [], "ly": [], "ndy": [], "vdy": [], "ax": [], "ay": [], "leader": [], "ex": [],
            "ey": [], "x0": [], "y0": [], "x1": [], "y1": []}
    for k in frame["key"]:
        p = placed[k]
        for col, v in zip(cols, (p.name, p.x, p.y, p.name_dy, p.value_dy, *p.anchor, p.leader, *p.leader_end,
                                 *p.corners[0], *p.corners[1])):
            cols[col].append(v)
    kinds = {"lines": pl.String, "leader": pl.Boolean}
    return frame.with_columns(**{k: pl.Series(k, v, kinds.get(k, pl.Float64)) for k, v in cols.items()})


def map_chart(data: MapData, *, height: int = 460, width: int | None = None, look: Look = DESK,
              select: bool = False) -> Templated:
    """The map of `data` (metrics.map.map_data): its plot `height` px high and as wide as its frame (`width`, when
    known, lets the labels be placed for it); with `select`, a point selection `pick` on the unit (a click on a
    county), as the county bars have."""
    # The areas with their key only: what every view of this city shares (the values are looked up per view).
    areas = [{"type": "Feature", "geometry": f["geometry"], "properties": {"key": f["properties"]["key"]}}
             for f in data.features["features"]]
    frame = label_frame(data, height=height, width=width, look=look)
    projection = "identity" if data.kind == TILES else "mercator"  # tiles: x east, y south, as laid out
    title = f"{ind_name(data.indicator)} · {t('geomap_title')}"

    def make(values) -> alt.LayerChart:
        # invalid=None: a county without a value is drawn (grey), not filtered out as Vega-Lite does for a null score
        shape = alt.Chart().mark_geoshape(stroke=look.stroke, strokeWidth=1, invalid=None).encode(
            color=_color(data.mode, look, data.indicator),
            tooltip=[alt.Tooltip("label:N", title=t("county")),
                     alt.Tooltip("text:N", title=ind_name(data.indicator)),
                     *([alt.Tooltip("standing:N", title=t("heat_legend"))] if data.mode == TARGET else [])])
        if select:
            shape = shape.add_params(alt.selection_point(name="pick", fields=["unit"]))
        # The picked counties outlined over all the others (in the areas' own layer a later neighbour would cover it).
        picked = alt.Chart().transform_filter("datum.selected").mark_geoshape(
            filled=False, stroke=look.selected, strokeWidth=3)
        # The outlines once in the spec, for both layers; each area's values looked up by its key.
        areas_layer = alt.layer(shape, picked, data=alt.Data(values=areas)).transform_lookup(
            lookup="properties.key", from_=alt.LookupData(data=values, key="key", fields=LOOKED_UP))
        at = [alt.Longitude("lx:Q"), alt.Latitude("ly:Q")]
        leaders = alt.Chart(values).transform_filter("datum.leader").mark_rule(color=look.text, strokeWidth=1).encode(
            alt.Longitude("ax:Q"), alt.Latitude("ay:Q"), alt.Longitude2("ex:Q"), alt.Latitude2("ey:Q"))
        # Invisible corners of every label box: Vega fits what the layers place to the frame, and text it does not
        # measure, so the corners keep the labels beside the map inside it.
        corners = [alt.Chart(values).mark_point(opacity=0, size=1).encode(alt.Longitude(f"x{i}:Q"),
                                                                           alt.Latitude(f"y{i}:Q")) for i in (0, 1)]
        # Each label's offsets come with it (a name of two lines pushes its value down): Vega reads them per datum.
        names = alt.Chart(values).mark_text(fontSize=look.name_size, fontWeight="bold", color=look.text,
                                            baseline="middle", lineBreak="\n", lineHeight=look.name_size * LINE,
                                            dy=alt.expr("datum.ndy")).encode(*at, alt.Text("lines:N"))
        figures = alt.Chart(values).mark_text(fontSize=look.value_size, color=look.text, baseline="middle",
                                              dy=alt.expr("datum.vdy")).encode(*at, alt.Text("text:N"))
        # autosize pad: `height` is the map's own, as the labels were placed for (Streamlit's theme would fit title,
        # legend and map together into it, and draw the map smaller than placed).
        return alt.layer(areas_layer, leaders, *corners, names, figures, height=height, title=title,
                         autosize=alt.AutoSizeParams(type="pad")).project(type=projection)

    shape_key = ("map_chart", data.version, data.adcode, data.kind, data.mode, data.indicator, height, look, select)
    return Templated(shape_key, (frame,), make)
