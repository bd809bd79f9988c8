"""项目台账: the searchable project table, the ten watch lists, and one project's history across the months
(tables and their formats: ui/ledger.py; the history: ui/project_history.py)."""
from __future__ import annotations

import polars as pl
import streamlit as st

from data.schema import BUILD_TYPES, STATUSES
from metrics.lights import LIGHTS
from metrics.projects import search_expr
from metrics.watchlists import LIST_BY_ID, WATCH_LISTS
from ui import cached, cards, ledger, phone
from ui.i18n import ind_name, lang, t
from ui.page import serve
from ui.project_history import history_panel
from ui.state import Selection
from ui.widgets import guard


def projects_tab(sel: Selection) -> None:
    """Every selected project, searchable by name or code and narrowed by 建设性质, 建设状态 and light."""
    c1, c2, c3, c4 = st.columns([3, 2, 2, 2])
    query = c1.text_input(t("search"), key="ledger_q", placeholder=t("search_ph"))
    build = c2.multiselect(t("build_type"), BUILD_TYPES, key="ledger_build", placeholder=t("all"), select_all=False)
    status = c3.multiselect(t("status"), STATUSES, key="ledger_status", placeholder=t("all"), select_all=False)
    lights = c4.multiselect(t("light"), LIGHTS, key="ledger_light", placeholder=t("all"),
                            format_func=ledger.light_text, select_all=False)   # empty = all: "Select all" means the same
    df = cached.projects(sel.month, sel.filters)
    if query and query.strip():
        df = df.filter(search_expr(query))
    for col, chosen in (("build_type", build), ("status", status), ("light", lights)):
        if chosen:
            df = df.filter(pl.col(col).is_in(chosen))
    columns = ledger.with_text(ledger.TABLE_COLUMNS, df)   # 形象进度 and the register's text, where the rows have them
    table = ledger.as_shown(df.select(columns).sort(["county", "total_investment", "project_id"],
                                                                   descending=[False, True, False]))
    labels = ledger.labels(columns)
    count = t("n_projects").format(n=f"{table.height:,}")
    phone.phone("ledger_n").caption(f"{count} · {t('phone_red_first')}")
    with phone.desk("ledger"):
        st.caption(f"{count} · {t('select_row_hint')}")
        ledger.selectable(table, f"项目台账_{sel.month}", labels, "ledger_table", ledger.money_config(labels),
                          above=500)
    phone.cards("ledger", cards.project_cards(df, ledger.light_text, ledger.project_href))


def _list_name(list_id: str) -> str:
    w = LIST_BY_ID[list_id]
    return w.en if lang() == "en" else w.zh


def lists_tab(sel: Selection) -> None:
    """One watch list at a time, each with its count and its rule in words."""
    counts = cached.list_counts(sel.month, sel.filters)
    ids = [w.id for w in WATCH_LISTS]
    picked = st.pills(t("list_pick"), ids, key="ledger_list", default=ids[0], required=True,
                      format_func=lambda i: f"{_list_name(i)}（{counts.get(i, 0)}）")
    w = LIST_BY_ID[picked or ids[0]]
    st.markdown(f"#### {_list_name(w.id)} · {t('n_projects').format(n=counts.get(w.id, 0))}")
    ref = f"（{t('list_indicator')}：{ind_name(w.indicator)}）" if w.indicator else ""
    st.caption(f"{t('list_caliber')}：{w.caliber}{ref}")
    df = cached.watch_list(sel.month, w.id, sel.filters)
    if df.is_empty():
        st.info(t("list_empty"))
        return
    if "deviation" in df.columns:
        df = df.with_columns((pl.col("deviation") * 100).round(1))
    labels = ledger.labels(df.columns)
    if "deviation" in labels:
        labels["deviation"] = t("deviation_pts")
    st.caption(t("select_row_hint"))
    ledger.selectable(ledger.lead(ledger.as_shown(df), w.columns), f"{w.zh}_{sel.month}", labels, f"wl_{w.id}",
                      ledger.money_config(labels), above=620)


def history_tab() -> None:
    """A chooser over every project ever stored, then its history."""
    index = cached.project_index()
    names = {r["project_id"]: f"{r['project_id']} · {r['project_name']}（{r['county']}）"
             for r in index.iter_rows(named=True)}
    st.selectbox(t("project_pick"), list(names), index=None, key=ledger.PROJECT_KEY, on_change=ledger.chosen,
                 format_func=lambda i: names.get(i, i), placeholder=t("project_pick_ph"))
    pid = st.session_state.get(ledger.PROJECT_KEY)
    if not pid:
        st.info(t("project_none"))
        return
    history_panel(pid)


def render(sel: Selection) -> None:
    """Three tabs; a ticked row or ?project=ID opens the history tab on that project."""
    if not (sel.month and sel.month in cached.months()):
        guard(sel)
        return
    known = set(cached.project_index().get_column("project_id").to_list())
    if st.session_state.get(ledger.PROJECT_KEY) not in known | {None}:
        st.session_state[ledger.PROJECT_KEY] = None
    pending = st.session_state.pop(ledger.PENDING, None)
    if pending in known:
        ledger.open_project(pending)
    unknown = ledger.seed_from_url(known)
    if unknown:
        st.warning(t("project_unknown").format(pid=unknown))
    labels = [t("tab_projects"), t("tab_lists"), t("tab_history")]
    if st.session_state.get(ledger.TAB_KEY) not in labels:
        st.session_state.pop(ledger.TAB_KEY, None)
    tab_projects, tab_lists, tab_history = st.tabs(labels, key=ledger.TAB_KEY, on_change="rerun")
    with tab_projects:
        if tab_projects.open is not False and guard(sel):
            projects_tab(sel)
    with tab_lists:
        if tab_lists.open is not False and guard(sel):
            lists_tab(sel)
    with tab_history:
        if tab_history.open is not False:
            history_tab()


if __name__ == "__main__":
    serve(render)
