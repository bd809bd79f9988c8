"""数据管理 · mappings: the picker that teaches the importer a file's unrecognised headers and values (best guesses
first), and the list of remembered mappings with removal — analysts only, through data/mappings.py as the CLI."""
from __future__ import annotations

import hashlib

import polars as pl
import streamlit as st

from data import mappings
from data.ingest import ImportOutcome
from data.schema import COLUMN_BY_NAME
from data.store import Store, StoreError
from ui.admin.actions import FLASH, options
from ui.auth import can_write
from ui.i18n import t
from ui.admin.importing import is_demo_store

NOTE = "_admin_map_note"   # {file suffix: (ok, text)}: what the last 保存对应 of that file did, shown once above it


def _key(sfx: str, *parts: str) -> str:
    """A widget key per file and per unrecognised header or value (a digest: the text may hold anything)."""
    return f"admin_map{sfx}_" + hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:12]


def _teachable(outcome: ImportOutcome) -> tuple[list[str], list[tuple[str, str, int]]]:
    """The file's unrecognised headers, and its unrecognised values (column name, value, rows) of columns that
    have fixed values."""
    values = [(c, v, n) for c, vals in outcome.unknown_values.items() if mappings.choices(c) for v, n in vals.items()]
    return outcome.unknown_headers, values


def picker(outcome: ImportOutcome, sfx: str) -> None:
    """For each unrecognised header a choice of column, for each unrecognised value a choice of value (likeliest
    first, nothing chosen = left as it is), and 保存对应 (remembered, then the file is checked again)."""
    note = st.session_state.get(NOTE, {}).pop(sfx, None)
    if note:
        (st.success if note[0] else st.error)(note[1])
    headers, values = _teachable(outcome)
    if not headers and not values:
        return
    if not can_write():   # a reporter cannot teach the importer: the analyst does, for every later import
        st.info(t("map_ask_analyst"), icon=":material/translate:")
        return
    with st.container(border=True):
        st.markdown(f"##### {t('map_title')}")
        st.caption(t("map_help"))
        for h in headers:
            st.selectbox(t("map_header").format(h=h), mappings.suggest_columns(h), index=None,
                         placeholder=t("map_header_skip"), key=_key(sfx, "column", h))
        for column, value, n in values:
            st.selectbox(t("map_value").format(c=COLUMN_BY_NAME[column].zh, v=value, n=n),
                         mappings.suggest_values(column, value), index=None, placeholder=t("map_value_skip"),
                         key=_key(sfx, "value", column, value))
        st.button(t("map_save"), key=f"admin_map_save{sfx}", icon=":material/save:", on_click=save,
                  args=(sfx, headers, values))


def save(sfx: str, headers: list[str], values: list[tuple[str, str, int]]) -> None:
    """on_click of 保存对应: each chosen header and value remembered with the store (audited, with the analyst's
    name); the rerun checks the file again with them."""
    if not can_write():
        return
    store = Store()
    if is_demo_store(store):
        return
    user = options()["user"]
    saved, refused = [], []
    chosen = [("column", h, None, st.session_state.get(_key(sfx, "column", h))) for h in headers]
    chosen += [("value", v, c, st.session_state.get(_key(sfx, "value", c, v))) for c, v, _ in values]
    for kind, source, column, canonical in chosen:
        if not canonical:
            continue
        try:
            if kind == "column":
                mappings.add_column(store, source, canonical, user=user)
                saved.append(t("map_saved_header").format(s=source, c=canonical))
            else:
                mappings.add_value(store, column, source, canonical, user=user)
                saved.append(t("map_saved_value").format(c=COLUMN_BY_NAME[column].zh, s=source, v=canonical))
        except StoreError as e:
            refused.append(str(e))
        st.session_state.pop(_key(sfx, kind, *((column,) if column else ()), source), None)
    notes = st.session_state.setdefault(NOTE, {})
    if refused:
        notes[sfx] = (False, "\n\n".join(refused))
    elif saved:
        notes[sfx] = (True, t("map_saved").format(items="；".join(saved)))
    else:
        notes[sfx] = (False, t("map_nothing"))


def _label(row: dict) -> str:
    if row["kind"] == "列名":
        return t("map_row_header").format(s=row["source"], c=row["canonical"])
    return t("map_row_value").format(c=row["column_zh"], s=row["source"], v=row["canonical"])


def remembered_panel(store: Store) -> None:
    """The remembered mappings (who taught each, when) and the removal of one; analysts only."""
    if not can_write():
        return
    rows = mappings.listing(store)
    with st.expander(t("map_list").format(n=len(rows)), icon=":material/translate:"):
        if not rows:
            st.caption(t("map_list_none"))
            return
        st.dataframe(pl.DataFrame({"类型": [r["kind"] for r in rows], "列": [r["column_zh"] for r in rows],
                                   "原写法": [r["source"] for r in rows], "对应为": [r["canonical"] for r in rows],
                                   "设置人": [r["user"] for r in rows], "设置时间": [r["time"] for r in rows]}),
                     hide_index=True, width="stretch", key="admin_map_table")
        c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
        c1.selectbox(t("map_remove_pick"), list(range(len(rows))), index=None, key="admin_map_remove_pick",
                     format_func=lambda i: _label(rows[i]), placeholder=t("map_remove_placeholder"))
        c2.button(t("map_remove"), key="admin_map_remove", icon=":material/delete:", on_click=remove, args=(rows,))


def remove(rows: list[dict]) -> None:
    """on_click of 删除对应: the chosen mapping is forgotten (audited); later imports no longer apply it."""
    i = st.session_state.pop("admin_map_remove_pick", None)
    if not can_write() or i is None or not 0 <= i < len(rows):
        return
    store = Store()
    if is_demo_store(store):
        return
    row = rows[i]
    try:
        mappings.remove(store, row["source"], column=None if row["kind"] == "列名" else row["column"],
                        user=options()["user"])
    except StoreError as e:
        st.session_state[FLASH] = ("error", str(e))
        return
    st.session_state[FLASH] = t("map_removed").format(what=_label(row))
