"""督办事项: what the meeting decides, assigned to units and followed to closure. Everyone reads the desk (the five
indicators, the units, the items coloured by their warning, one item's history, the downloads); an analyst assigns
and reviews; a unit's reporter answers its own items (ui/duban/)."""
from __future__ import annotations

import datetime as dt

import streamlit as st

from data import duban
from data.accounts.roles import ANALYST, REPORTER, VIEWER
from data.store import Store
from metrics import duban as m
from reports import duban_demo
from ui import auth, cached
from ui.duban.actions import assign_panel, flash, review_panel
from ui.duban.desk import desk
from ui.duban.files import files_panel
from ui.duban.unit import unit_panel
from ui.i18n import t
from ui.page import serve
from ui.sign_in import sign_in_panel
from ui.state import Selection


def actor() -> duban.Actor:
    """Who takes a step in this session: the signed-in name, its role and, for a reporter, its unit."""
    return duban.Actor(auth.audit_user(), auth.role(), auth.reporter_unit())


def render(sel: Selection) -> None:
    """Sign-in, the as-of date, then the role's tabs: a reporter's own unit first; an analyst's 交办 and 审核."""
    role = auth.role()
    with st.expander(t("db_sign_in")):
        sign_in_panel()
    flash()   # what the last button wrote, or why it was refused (ui/duban/actions.py)
    shown, is_demo, _ = cached.source()
    # who acts, acts on the user's own store; a viewer reads the store the app shows (the demo city's log, as of
    # its own day, until the user's first ledger)
    store = Store() if role != VIEWER else shown
    demo_day = is_demo and role == VIEWER
    try:
        ledger = duban.load(store)
    except duban.DubanError as e:
        st.error(str(e))
        return
    as_of = st.columns([1, 3])[0].date_input(t("db_as_of"), value=duban_demo.AS_OF if demo_day else dt.date.today(),
                          key=f"db_as_of_{demo_day}", help=t("db_as_of_help"))
    if role == VIEWER:
        st.caption(t("db_viewer"))
    who = actor()
    labels = ([t("tab_db_mine")] if role == REPORTER else []) + [t("tab_db_desk")] + (
        [t("tab_db_assign"), t("tab_db_review")] if role == ANALYST else [])
    # a link from a project (项目台账's project view: ?project=ID) opens 交办 on it
    first = t("tab_db_assign") if role == ANALYST and st.query_params.get("project") else None
    tabs = dict(zip(labels, st.tabs(labels, default=first)))
    if role == REPORTER:
        with tabs[t("tab_db_mine")]:
            unit_panel(store, ledger, who, as_of)
    with tabs[t("tab_db_desk")]:
        rows = m.item_rows(ledger, as_of)   # replayed once: the desk and the downloads read the same rows
        shown = desk(ledger, rows)
        if role != REPORTER:   # a unit's reporter prints its own orders from the city, not the city's list
            st.markdown(f"##### {t('tab_db_files')}")
            files_panel(rows, shown, as_of)
    if role == ANALYST:
        with tabs[t("tab_db_assign")]:
            assign_panel(store, ledger, who)
        with tabs[t("tab_db_review")]:
            review_panel(store, ledger, who, as_of)


if __name__ == "__main__":
    serve(render)
