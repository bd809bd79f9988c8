"""The map's data: one indicator for every county of a month, each on its boundary (or tile) and coloured by
direction and target; units without a boundary listed with their values, never dropped. Pure: the geography is
given, built once per city by data/geo/."""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import polars as pl

from data.geo import Geography, Match
from data.months import month_key, to_month
from metrics.dataset import Dataset
from metrics.engine import indicators_at
from metrics.filters import Filters
from metrics.format import format_value
from metrics.indicator import standing
from metrics.registry import BY_ID

DEFAULT_INDICATOR = "investment_completion_rate"
NO_DATA = "no_data"  # a standing's place when a county has no value (the others: metrics.indicator.standing's)
STATUSES = ("met", "near", "far", NO_DATA)
TARGET, RELATIVE, VALUE = "target", "relative", "value"  # how areas are coloured (see MapData.mode)


@dataclass(frozen=True)
class MapUnit:
    """One unit of the month on the map: its value (and n) and where it is drawn (key None: listed beside)."""

    unit: str
    key: str | None
    adcode: str | None
    boundary: str | None
    value: float | None
    n: int | None
    text: str
    status: str | None  # met | near | far (metrics.indicator.standing, as the heat table) | no_data; None: no target
    score: float | None  # 0 worst … 1 best among the month's units, in the indicator's direction
    how: str
    reason: str


@dataclass(frozen=True)
class MapData:
    """Everything one map shows and the CLI prints."""

    city: str
    adcode: str | None
    indicator: str
    month: str
    kind: str  # boundaries | tiles
    mode: str  # target: met/near/far as the heat table | relative: best green … worst red | value: one colour
    target: float | None
    units: tuple[MapUnit, ...]
    features: dict  # the GeoJSON FeatureCollection drawn, one Feature per area, with what is drawn on it
    version: str  # the geography's source, for chart caches

    @property
    def unmatched(self) -> tuple[MapUnit, ...]:
        """The units with no area on the map, in the order listed beside it."""
        return tuple(u for u in self.units if u.key is None)

    def as_json(self) -> dict:
        """The CLI's JSON (held to issue #28's shape)."""
        return {"city": self.city, "adcode": self.adcode, "indicator": self.indicator, "month": self.month,
                "units": [{"unit": u.unit, "adcode": u.adcode, "boundary": u.boundary, "value": u.value}
                          for u in self.units],
                "unmatched": [u.unit for u in self.unmatched], "features": self.features}

    def frame(self) -> pl.DataFrame:
        """One row per drawn area (key, name, unit, value, text, status, score, selected, lon, lat): what the chart
        looks up by key and writes on the map."""
        rows = [{"key": f["properties"]["key"], "name": f["properties"]["name"], **{k: f["properties"][k] for k in (
            "unit", "value", "text", "status", "score", "selected")}, "lon": f["properties"]["label"][0],
                 "lat": f["properties"]["label"][1]} for f in self.features["features"]]
        return pl.DataFrame(rows, schema={"key": pl.String, "name": pl.String, "unit": pl.String, "value": pl.Float64,
                                          "text": pl.String, "status": pl.String, "score": pl.Float64,
                                          "selected": pl.Boolean, "lon": pl.Float64, "lat": pl.Float64})


def _number(v) -> float | None:
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)


def _scores(values: dict[str, float | None], direction: str) -> dict[str, float | None]:
    """Each unit's standing among the units with a value: 0 the worst, 1 the best (0.5 when all are equal)."""
    present = [v for v in values.values() if v is not None]
    lo, hi = (min(present), max(present)) if present else (None, None)
    out = {}
    for u, v in values.items():
        if v is None:
            out[u] = None
        elif hi == lo:
            out[u] = 0.5
        else:
            s = (v - lo) / (hi - lo)
            out[u] = 1 - s if direction == "lower" else s
    return out


def map_data(ds: Dataset, month: dt.date | str, geo: Geography, iid: str = DEFAULT_INDICATOR,
             filters: Filters = Filters(), by: pl.DataFrame | None = None) -> MapData:
    """The month's map of indicator `iid` under `filters`: every county is shown whatever the county filter (the map
    is where a county is picked; the picked ones are marked `selected`). `by`: the month's indicators by county under
    the filters without the county one, when the page's own engine request has them already (no second pass)."""
    if iid not in BY_ID:
        raise KeyError(f"没有指标“{iid}”。")
    ind, month = BY_ID[iid], to_month(month)
    if by is None:
        by = indicators_at(ds, month, filters.without("county"), by="county", ids=[iid])
    by = by.filter(pl.col("county").is_not_null())
    n_col = f"n__{iid}"
    values = {r["county"]: _number(r[iid]) for r in by.iter_rows(named=True)}
    counts = {r["county"]: r.get(n_col) for r in by.iter_rows(named=True)}
    target = ind.target_for(month.month)
    verdict = target is not None and ind.direction in ("higher", "lower")
    mode = TARGET if verdict else RELATIVE if ind.direction in ("higher", "lower") else VALUE
    scores = _scores(values, ind.direction)
    matches: list[Match] = geo.match(list(values))
    units = []
    for m in matches:
        v = values[m.unit]
        status = (standing(ind, v, target) or NO_DATA) if verdict else None
        units.append(MapUnit(m.unit, geo.key_of(m), m.adcode, m.boundary.name if m.boundary else None, v,
                             counts[m.unit], format_value(ind, v), status, scores[m.unit], m.how, m.reason))
    order = {s.key: i for i, s in enumerate(geo.shapes)}
    units.sort(key=lambda u: (u.key is None, order.get(u.key, 0)))
    by_key = {u.key: u for u in units if u.key is not None}
    features = []
    for s in geo.shapes:
        u = by_key.get(s.key)
        features.append({"type": "Feature", "geometry": s.geometry, "properties": {
            "key": s.key, "name": s.name, "adcode": s.adcode, "unit": u.unit if u else None,
            "value": u.value if u else None, "text": u.text if u else format_value(ind, None),
            "status": (u.status if u else NO_DATA) if verdict else None, "score": u.score if u else None,
            "selected": bool(u and u.unit in filters.county), "label": list(s.label)}})
    return MapData(geo.city, geo.adcode, iid, month_key(month), geo.kind, mode, target, tuple(units),
                   {"type": "FeatureCollection", "features": features}, geo.version)
