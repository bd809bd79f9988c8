"""The global selection (month, county, chain, tier, level), kept in the URL query parameters."""
from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from metrics.filters import Filters

MULTI = ("county", "chain", "tier", "level")
KEYS = ("month",) + MULTI


@dataclass(frozen=True)
class Selection:
    """What the sidebar selects: a month 'YYYY-MM' and multi-select filters (empty = all)."""

    month: str
    filters: Filters

    def cache_key(self) -> tuple:
        return (self.month, tuple(self.filters.as_dict().items()))


def split_names(value: str | None) -> list[str]:
    """Names typed in a URL value, separated by , ， 、 ; or ；."""
    if not value:
        return []
    for sep in ("，", "、", ";", "；"):
        value = value.replace(sep, ",")
    return [v.strip() for v in value.split(",") if v.strip()]


def _from_url(key: str) -> list[str]:
    return [v for v in st.query_params.get_all(key) if v]


def init_from_url(months: list[str], options: dict[str, list[str]]) -> None:
    """Seed the sidebar widgets' session state from the URL once per session (a shared link opens the same view)."""
    if st.session_state.get("_sel_init"):
        return
    month = st.query_params.get("month")
    st.session_state["sel_month"] = month if month in months else (months[-1] if months else None)
    for k in MULTI:
        st.session_state[f"sel_{k}"] = [v for v in _from_url(k) if v in options.get(k, [])]
    if st.query_params.get("lang") == "en":
        st.session_state["lang"] = "en"
    st.session_state["_sel_init"] = True


def current() -> Selection:
    """The selection as the widgets hold it."""
    f = Filters(**{k: tuple(st.session_state.get(f"sel_{k}") or ()) for k in MULTI})
    return Selection(st.session_state.get("sel_month") or "", f)


def write_to_url(sel: Selection) -> None:
    """Mirror the selection into the query string so reloads and copied links keep it; keep other params."""
    params = {k: v for k, v in st.query_params.to_dict().items() if k not in KEYS and k != "lang"}
    for k in KEYS:
        st.query_params.pop(k, None) if k in st.query_params else None
    new: dict[str, str | list[str]] = dict(params)
    if sel.month:
        new["month"] = sel.month
    for k, vals in sel.filters.as_dict().items():
        if vals:
            new[k] = list(vals)
    if st.session_state.get("lang") == "en":
        new["lang"] = "en"
    if {k: st.query_params.get_all(k) for k in new} != {k: (v if isinstance(v, list) else [v]) for k, v in new.items()} \
            or set(st.query_params.keys()) != set(new):
        st.query_params.from_dict(new)


def reset() -> None:
    """Clear every filter (the month goes back to the latest)."""
    for k in MULTI:
        st.session_state[f"sel_{k}"] = []
    st.session_state.pop("sel_month", None)
    st.session_state["_sel_init"] = False
    for k in KEYS:
        st.query_params.pop(k, None) if k in st.query_params else None


def focus_county(county: str) -> None:
    """Narrow the view to one county (a click on a chart)."""
    st.session_state["sel_county"] = [county]
