"""The global selection (month, county, chain, tier, level), kept in the URL query parameters."""
from __future__ import annotations

from dataclasses import dataclass

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from metrics.filters import Filters

MULTI = ("county", "chain", "tier", "level")
KEYS = ("month",) + MULTI
FOLLOW = "_follow"  # {key: the default it had on this session's last run} (follow, below)
DEMO, DEMO_KEY = "demo", "view_demo"  # ?demo=1 and the sidebar's 查看示范市: the demo city beside the user's data


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
    st.session_state[DEMO_KEY] = st.query_params.get(DEMO) == "1"
    st.session_state["_sel_init"] = True


def demo_view() -> bool:
    """Whether this view asks for the demo city although the user's store has data (the sidebar switch, or ?demo=1
    in the link: the switch's state when it is drawn, else the URL); False outside a script run."""
    if get_script_run_ctx(suppress_warning=True) is None:
        return False
    if DEMO_KEY in st.session_state:
        return bool(st.session_state[DEMO_KEY])
    return st.query_params.get(DEMO) == "1"


def switch_view() -> None:
    """on_change of 查看示范市: the other city's months and names differ, so the selection starts afresh."""
    reset()
    st.session_state.get(FOLLOW, {}).pop("sel_month", None)
    if st.session_state.get(DEMO_KEY):
        st.query_params[DEMO] = "1"
    elif DEMO in st.query_params:
        del st.query_params[DEMO]


def moved_on(value, default, last):
    """`value`, or the new `default` when value still shows the default of the last run (`last`) and it moved."""
    return default if last is not None and value == last and default != last else value


def follow(key: str, default, options=None) -> None:
    """Keep a widget on its default until the viewer chooses otherwise: a value still showing last run's default
    moves with it (a month was published, the month due moved on — in this session or another one); a value no
    longer offered, or none yet, becomes the default. Call before the widget is drawn, and give it no index/value."""
    seen = st.session_state.setdefault(FOLLOW, {})
    value = st.session_state.get(key)
    if value is None or (options is not None and value not in options):
        value = default
    value = moved_on(value, default, seen.get(key))
    if st.session_state.get(key) != value:
        st.session_state[key] = value
    seen[key] = default


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
    new.pop(DEMO, None)
    if demo_view():
        new[DEMO] = "1"
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
