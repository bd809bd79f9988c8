"""督办, the unit's side (a reporter signed in for a unit): its own items, open ones first by due date with their
colours; returns with their reasons; 反馈 and 申请办结 with the result. Only the unit's own items are offered, and the
store refuses any other (data.duban.refusal)."""
from __future__ import annotations

import datetime as dt

import polars as pl
import streamlit as st

from data import duban_steps as steps
from data.duban import ASSIGNED, REQUESTED, WORKING, Actor, Ledger
from metrics import duban as m
from ui.duban.actions import act
from ui.duban.desk import history, items_table
from ui.i18n import t
from ui.widgets import md_escape


def _answer(store, actor: Actor, step: str, item_id: str) -> None:
    """An answer form's callback: 反馈 or 申请办结 with the text its form holds."""
    got = st.session_state
    fn, text = ((steps.feedback, f"db_fb_text_{item_id}") if step == "feedback"
                else (steps.request_close, f"db_rq_text_{item_id}"))
    act(fn, store, actor, item_id, got.get(text, ""), on=got.get(f"db_mine_on_{item_id}"))


def unit_panel(store, ledger: Ledger, actor: Actor, as_of: dt.date) -> None:
    """The reporter's own items and the two answers it may give."""
    st.info(t("db_mine_intro").format(unit=md_escape(actor.unit)), icon=":material/badge:")
    rows = m.for_unit(ledger, actor.unit, as_of)
    for r in rows.filter(pl.col("returned_reason").is_not_null()).iter_rows(named=True):
        back = next(s for s in reversed(ledger.item(r["id"]).steps) if s.step == "return")
        st.warning(t("db_returned").format(id=r["id"], who=md_escape(back.user), on=back.on,
                                           reason=md_escape(r["returned_reason"])), icon=":material/assignment_return:")
    if rows.is_empty():
        st.info(t("db_no_open"))
        return
    items_table(rows, "db_mine_table", by_unit=False)
    answerable = rows.filter(pl.col("status").is_in([ASSIGNED, WORKING]))
    waiting = rows.filter(pl.col("status") == REQUESTED)["id"].to_list()
    if waiting:
        st.caption(f"{'、'.join(waiting)}：{t('db_requested')}")
    if not answerable.is_empty():
        text = {r["id"]: f"{r['id']} · {t('db_due_on')} {r['due_on']} · {r['content'][:30]}"
                for r in answerable.iter_rows(named=True)}
        pick = st.selectbox(t("db_review_pick"), list(text), key="db_mine_pick", format_func=text.get)
        item = ledger.item(pick)
        st.date_input(t("db_step_on"), value=max(dt.date.today(), item.last_on), min_value=item.last_on,
                      key=f"db_mine_on_{pick}")
        left, right = st.columns(2)
        with left.form(f"db_fb_{pick}", clear_on_submit=True):
            st.text_area(t("db_feedback"), key=f"db_fb_text_{pick}")
            st.form_submit_button(t("db_feedback_btn"), type="primary", icon=":material/forum:", on_click=_answer,
                                  args=(store, actor, "feedback", pick), key=f"db_fb_go_{pick}")
        with right.form(f"db_rq_{pick}", clear_on_submit=True):
            st.text_area(t("db_result"), key=f"db_rq_text_{pick}")
            st.form_submit_button(t("db_request_btn"), icon=":material/task_alt:", on_click=_answer,
                                  args=(store, actor, "request_close", pick), key=f"db_rq_go_{pick}")
    history(ledger, rows, "db_mine_history")
