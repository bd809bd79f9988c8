"""How a chart becomes the Vega-Lite spec a page sends: Altair builds it (a Templated chart: its shape once per
language, a view only fills its frames in), its frames travel as named Arrow datasets, and the finished spec is kept
once per view (store content, language, chart, what else the view names) for every viewer of it."""
from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass

import altair as alt
import polars as pl
import streamlit as st
from streamlit.dataframe_util import convert_anything_to_arrow_bytes

from ui import cached
from ui.i18n import lang

SPECS_KEPT = 512  # finished specs kept in the process (the city's views at one data version fit many times over)
# Checking a spec against the Vega-Lite schema is most of the cost of a new view's chart (measured: README, load).
# A chart's structure is fixed by its builder and only its data varies, which travels as Arrow outside the schema,
# so the test suite checks every chart the pages draw (tests/conftest.py sets this) and the server does not.
VALIDATE_ENV = "KPM_VALIDATE_CHARTS"
PLACEHOLDER = "kpm-template-data-"  # a Templated chart's datasets in its template, renamed per view



def _name_datasets(chart, datasets: dict[str, bytes]) -> None:
    """Replace every Polars frame in the chart (top level, layers, facet spec) by a named dataset holding its Arrow
    bytes, as Streamlit's own Altair path does — once, here, instead of on every view."""
    data = getattr(chart, "data", alt.Undefined)
    if isinstance(data, pl.DataFrame):
        name, datasets[name] = _arrow(data)
        chart.data = alt.NamedData(name=name)
    for part in ("layer", "hconcat", "vconcat", "concat"):
        subs = getattr(chart, part, alt.Undefined)
        for sub in subs if isinstance(subs, list) else ():
            _name_datasets(sub, datasets)
    sub = getattr(chart, "spec", alt.Undefined)
    if isinstance(sub, alt.SchemaBase):
        _name_datasets(sub, datasets)


def _arrow(frame: pl.DataFrame) -> tuple[str, bytes]:
    arrow = convert_anything_to_arrow_bytes(frame)
    return "data-" + hashlib.blake2b(arrow, digest_size=12).hexdigest(), arrow  # content-named: new data, new name


def _to_dict(chart: alt.TopLevelMixin) -> dict:
    """The chart's Vega-Lite dict without Altair's theme (Streamlit's own theme styles it, as with st.altair_chart),
    checked against the schema where $KPM_VALIDATE_CHARTS is 1 (the tests)."""
    spec = chart.to_dict(validate=os.environ.get(VALIDATE_ENV) == "1", context={"top_level": False})
    spec["$schema"] = alt.SCHEMA_URL
    color = spec.get("encoding", {}).get("color")
    if isinstance(color, dict) and "title" in color and color["title"] is None:
        color["title"] = " "  # what Streamlit patches on every view (a null legend title): done once, in the cache
    return spec


@dataclass(frozen=True, eq=False)
class Templated:
    """A chart whose look `shape` fixes (with the language) and whose data alone varies from view to view: Altair
    builds and converts it once per shape, and a new view only fills its frames in (measured: README, load)."""
    shape: tuple
    frames: tuple[pl.DataFrame, ...]
    make: Callable[..., alt.TopLevelMixin]  # make(*data): the chart, with one Altair data source per frame

    def chart(self) -> alt.TopLevelMixin:
        """The Altair chart itself, the frames inline."""
        return self.make(*self.frames)


@st.cache_resource(show_spinner=False, max_entries=SPECS_KEPT)
def _template(language: str, shape: tuple, n: int, _make: Callable[..., alt.TopLevelMixin]) -> dict:
    return _to_dict(_make(*(alt.NamedData(name=f"{PLACEHOLDER}{i}") for i in range(n))))


def _filled(node, names: dict[str, str]):
    """A copy of the template's tree with every placeholder dataset renamed (no container shared with it)."""
    if isinstance(node, dict):
        if len(node) == 1 and node.get("name") in names:
            return {"name": names[node["name"]]}
        return {k: _filled(v, names) for k, v in node.items()}
    if isinstance(node, list):
        return [_filled(v, names) for v in node]
    return node


def finish(chart: alt.TopLevelMixin | Templated) -> dict:
    """The chart's Vega-Lite dict as st.vega_lite_chart takes it, data as named Arrow datasets (a Templated chart:
    its shape's template, filled with this view's frames)."""
    datasets: dict[str, bytes] = {}
    if isinstance(chart, Templated):
        names = {}
        for i, frame in enumerate(chart.frames):
            name, datasets[name] = _arrow(frame)
            names[f"{PLACEHOLDER}{i}"] = name
        spec = _filled(_template(lang(), chart.shape, len(chart.frames), chart.make), names)
    else:
        _name_datasets(chart, datasets)
        spec = _to_dict(chart)
    if datasets:
        spec["datasets"] = datasets
    return spec


@st.cache_resource(show_spinner=False, max_entries=SPECS_KEPT)
def _cached_spec(key: tuple, _build: Callable[[], alt.TopLevelMixin],
                 _finish: Callable[[alt.TopLevelMixin], dict] | None) -> dict:
    # cache_resource: one shared dict per key, not a copy per view; Streamlit copies its top level before changing it.
    return (_finish or finish)(_build())


def spec(chart_id: str, view: Sequence[Hashable], build: Callable[[], alt.TopLevelMixin],
         finish_with: Callable[[alt.TopLevelMixin], dict] | None = None) -> dict:
    """The finished spec of `chart_id` for this view; `view` names everything besides the shown store's content
    and the language that the chart's data and labels depend on, `build` makes the chart when the view is new,
    `finish_with` (default `finish`) turns it into the dict — another look, such as the screen's, is another
    `chart_id`."""
    store, _, content = cached.source()
    return _cached_spec((str(store.root), content, lang(), chart_id, *view), build, finish_with)
