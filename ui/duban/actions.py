"""督办's analyst actions: 交办 from a project (the 建议交办 list or any project, prefilled with its reported problem,
unit and leader) or a meeting decision (several 承办单位 at once, 协办单位 listed), the tier's due date (editable by
hand); and the review of an open item: 办结 with a grade, 退回 / 撤销 with a reason, a changed due date with a reason.
Every write goes through data/duban_steps.py, which refuses in Chinese and leaves the store unchanged."""
from __future__ import annotations

import datetime as dt

import polars as pl
import streamlit as st

from data import duban_days as days, duban_steps as steps
from data.duban import GRADES, OPEN_STATES, REQUESTED, Actor, DubanError, Ledger
from data.store import Store
from data.text import DASH
from metrics import duban as m
from ui import cached
from ui.duban.desk import mark_expr
from ui.i18n import t

FLASH = "db_flash"
NONCE = "db_nonce"  # bumped after an assignment: the form's widgets start empty again
# Every write runs in a button's callback, before the script: what it wrote (or why it was refused) is shown by the
# run that follows, and the tables of that run already read the new log.


def done(message: str) -> None:
    st.session_state[FLASH] = ("ok", message)


def refused(e: Exception) -> None:
    st.session_state[FLASH] = ("error", str(e))


def act(fn, *args, **kwargs) -> None:
    """A button's callback: take one step (fn(store, actor, id, …)); tell what was recorded or why it was refused."""
    try:
        item = fn(*args, **kwargs)
    except DubanError as e:
        refused(e)
        return
    done(t("db_done").format(id=item.id, step=item.steps[-1].zh))


def flash() -> None:
    """What the last button did: a success, or the refusal in Chinese (nothing was written)."""
    got = st.session_state.pop(FLASH, None)
    if got and got[0] == "ok":
        st.success(got[1], icon=":material/check_circle:")
    elif got:
        st.error(got[1], icon=":material/block:")


def _units(store: Store) -> list[str]:
    return sorted(steps.known_units(store))


def _deadline(ledger: Ledger, key: str, assigned_on: dt.date, tier: str) -> dt.date | None:
    """The due date the tier gives (shown), or one set by hand; None: the tier's (counted again when written)."""
    try:
        due, fb = days.due_date(assigned_on, tier, ledger.days), days.feedback_due_date(assigned_on, ledger.days)
        st.caption(t("db_due_rule").format(tier=tier, due=due, fb=fb, days=ledger.days))
    except days.DaysError as e:
        st.warning(str(e))
        due = assigned_on
    if st.checkbox(t("db_due_hand"), key=f"{key}_hand"):
        st.date_input(t("db_due_on"), value=due, min_value=assigned_on, key=f"{key}_due")
    return None


def _common(ledger: Ledger, key: str, units: list[str], *, leader: str = "") -> None:
    """协办单位, tier, dates, 责任人 and 督办领导: what both ways of assigning ask (read back by _assign)."""
    c1, c2, c3 = st.columns([2, 1, 1])
    c1.multiselect(t("db_co_units"), units, key=f"{key}_co", accept_new_options=True, placeholder=t("db_unit_new"))
    tier = c2.radio(t("db_tier"), days.TIERS, horizontal=True, key=f"{key}_tier")
    assigned_on = c3.date_input(t("db_assigned_on"), value=dt.date.today(), key=f"{key}_on")
    _deadline(ledger, key, assigned_on or dt.date.today(), tier)
    c1, c2 = st.columns(2)
    c1.text_input(t("db_person"), key=f"{key}_person")
    c2.text_input(t("db_leader"), value=leader or "", key=f"{key}_leader")


def _assign(store: Store, actor: Actor, key: str, units_key: str, **fields) -> None:
    """The 交办 button's callback: the form's values as the widgets hold them, written by data.duban_steps.assign."""
    got = st.session_state
    chosen = got.get(units_key)
    units = chosen if isinstance(chosen, list) else [chosen]
    try:
        items = steps.assign(
            store, actor, units=[u for u in units if u], content=got.get(f"{key}_content", ""),
            tier=got.get(f"{key}_tier"), co_units=got.get(f"{key}_co", []), assigned_on=got.get(f"{key}_on"),
            due_on=got.get(f"{key}_due") if got.get(f"{key}_hand") else None, person=got.get(f"{key}_person"),
            leader=got.get(f"{key}_leader"), **fields)
    except DubanError as e:
        refused(e)
        return
    got[NONCE] = got.get(NONCE, 0) + 1
    done(t("db_assigned_ok").format(ids="、".join(f"{i.id}（{i.unit}，{t('db_due_on')} {i.due_on}）" for i in items)))


def _suggested(store: Store, ledger: Ledger, month: str) -> pl.DataFrame:
    """建议交办 of the store's latest month, each with the unit that reported it."""
    return m.suggestions(cached.store_dataset(store), month, ledger, units=steps.project_units(store, month))


def from_project(store: Store, ledger: Ledger, actor: Actor) -> None:
    """The 建议交办 list and a picker over every stored project (?project=ID preselects one), then the prefilled form."""
    months = store.months()
    if not months:
        st.info(t("db_no_projects"))
        return
    sug = _suggested(store, ledger, months[-1])
    st.markdown(f"##### {t('db_suggest')} · {months[-1]}")
    index = cached.project_index(store=store)
    names = {r["project_id"]: f"{r['project_id']} · {r['project_name']}（{r['county']}）" for r in index.iter_rows(named=True)}
    reasons = dict(zip(sug["project_id"], sug["reason"]))
    if sug.is_empty():
        st.caption(t("db_suggest_none"))
    else:
        shown = sug.select("project_id", "project_name", "unit", "leader", "reason", "problems").fill_null(DASH)
        ev = st.dataframe(shown.rename({"project_id": t("db_project"), "project_name": t("db_s_name"),
                                        "unit": t("db_unit"), "leader": t("db_leader"), "reason": t("db_s_reason"),
                                        "problems": t("db_s_problems")}),
                          hide_index=True, width="stretch", key="db_suggest_table", on_select="rerun",
                          selection_mode="single-row")
        rows = ev.selection.rows if ev and ev.selection else []
        picked = shown["project_id"][rows[0]] if rows else None
        if picked and st.session_state.get("db_suggest_last") != picked:
            st.session_state["db_suggest_last"] = st.session_state["db_project_pick"] = picked
    wanted = st.query_params.get("project")
    if wanted in names and "db_project_pick" not in st.session_state:
        st.session_state["db_project_pick"] = wanted
    order = [*[p for p in sug["project_id"] if p in names], *[p for p in names if p not in reasons]]
    pid = st.selectbox(t("db_pick_project"), order, index=None, key="db_project_pick", placeholder=t("db_pick_project_ph"),
                       format_func=lambda p: names[p] + (f" · {t('db_s_mark')}：{reasons[p]}" if p in reasons else ""))
    if not pid:
        return
    pre = steps.project_prefill(store, pid)
    key = f"db_p_{pid}_{st.session_state.get(NONCE, 0)}"
    units = _units(store)
    st.selectbox(t("db_unit"), units if pre["unit"] in units else [pre["unit"], *units], key=f"{key}_unit",
                 index=(units.index(pre["unit"]) if pre["unit"] in units else 0), accept_new_options=True)
    source = st.radio(t("db_source"), ("问题", "预警"), horizontal=True, key=f"{key}_source",
                      index=1 if pid in reasons and "红灯" in reasons[pid] and "问题" not in reasons[pid] else 0)
    st.text_area(t("db_content"), value=pre["content"] or "", key=f"{key}_content")
    _common(ledger, key, units, leader=pre["leader"] or "")
    st.button(t("db_assign_btn"), type="primary", key=f"{key}_go", icon=":material/assignment_ind:", on_click=_assign,
              args=(store, actor, key, f"{key}_unit"), kwargs={"source": source, "project_id": pid})


def from_meeting(store: Store, ledger: Ledger, actor: Actor) -> None:
    """A meeting decision: its name, several 承办单位 (one item each), 协办单位 listed on each."""
    key = f"db_m_{st.session_state.get(NONCE, 0)}"
    units = _units(store)
    meeting = st.text_input(t("db_meeting"), key=f"{key}_meeting",
                            placeholder=f"{dt.date.today().year}年{dt.date.today().month}月全市重点项目调度会")
    st.multiselect(t("db_units_many"), units, key=f"{key}_units", accept_new_options=True, placeholder=t("db_unit_new"))
    st.text_area(t("db_content"), key=f"{key}_content")
    _common(ledger, key, units)
    st.button(t("db_assign_btn"), type="primary", key=f"{key}_go", icon=":material/assignment_ind:", on_click=_assign,
              args=(store, actor, key, f"{key}_units"), kwargs={"source": "会议", "meeting": meeting})


def assign_panel(store: Store, ledger: Ledger, actor: Actor) -> None:
    how = st.radio(t("db_from"), ("project", "meeting"), horizontal=True, key="db_from",
                   format_func=lambda k: t(f"db_from_{k}"))
    (from_project if how == "project" else from_meeting)(store, ledger, actor)


def _review(step: str, store: Store, actor: Actor, item_id: str) -> None:
    """A review form's callback: the step with what its form holds, dated as the 办理日期 says."""
    got = st.session_state
    on = got.get(f"db_r_on_{item_id}")
    if step == "close":
        act(steps.close, store, actor, item_id, got.get(f"db_grade_{item_id}"), on=on)
    elif step == "return":
        act(steps.return_item, store, actor, item_id, got.get(f"db_return_reason_{item_id}", ""), on=on)
    elif step == "cancel":
        act(steps.cancel, store, actor, item_id, got.get(f"db_cancel_reason_{item_id}", ""), on=on)
    else:
        act(steps.change_due, store, actor, item_id, got.get(f"db_new_due_{item_id}"),
            got.get(f"db_due_reason_{item_id}", ""), on=on)


def review_panel(store: Store, ledger: Ledger, actor: Actor, as_of: dt.date) -> None:
    """One open item at a time (申请办结 first, then the overdue): 办结 / 退回 when it asks to close, 撤销 and a new
    due date always."""
    rows = m.item_rows(ledger, as_of).filter(pl.col("status").is_in(list(OPEN_STATES))).with_columns(mark=mark_expr())
    if rows.is_empty():
        st.info(t("db_no_open"))
        return
    rows = rows.sort([pl.col("status") != REQUESTED, ~pl.col("overdue"), "due_on", "id"])
    text = {r["id"]: f"{r['id']} · {r['unit']} · {r['status']}" + (f" · {r['mark']}" if r["mark"] else "")
            + f" · {r['content'][:24]}" for r in rows.iter_rows(named=True)}
    pick = st.selectbox(t("db_review_pick"), list(text), key="db_review_pick", format_func=text.get)
    item, state = ledger.item(pick), ledger.item(pick).at()
    last = item.steps[-1] if item.steps else None
    if last:
        st.caption(f"{last.zh}（{last.user}，{last.on}）：{last.text or last.grade}")
    st.date_input(t("db_step_on"), value=max(dt.date.today(), item.last_on), min_value=item.last_on,
                  key=f"db_r_on_{pick}")
    cb = {"on_click": _review, "kwargs": {"store": store, "actor": actor, "item_id": pick}}
    left, right = st.columns(2)
    if state.status == REQUESTED:
        with left.form(f"db_close_{pick}", clear_on_submit=True):
            st.selectbox(t("db_grade"), GRADES, key=f"db_grade_{pick}")
            st.form_submit_button(t("db_close_btn"), type="primary", icon=":material/task_alt:", args=("close",), key=f"db_close_go_{pick}", **cb)
        with right.form(f"db_return_{pick}", clear_on_submit=True):
            st.text_input(t("db_reason"), key=f"db_return_reason_{pick}")
            st.form_submit_button(t("db_return_btn"), icon=":material/assignment_return:", args=("return",), key=f"db_return_go_{pick}", **cb)
    with left.form(f"db_due_{pick}", clear_on_submit=True):
        st.date_input(t("db_new_due"), value=state.due_on, min_value=item.assigned_on, key=f"db_new_due_{pick}")
        st.text_input(t("db_reason"), key=f"db_due_reason_{pick}")
        st.form_submit_button(t("db_change_due_btn"), icon=":material/event:", args=("deadline",), key=f"db_due_go_{pick}", **cb)
    with right.form(f"db_cancel_{pick}", clear_on_submit=True):
        st.text_input(t("db_reason"), key=f"db_cancel_reason_{pick}")
        st.form_submit_button(t("db_cancel_btn"), icon=":material/cancel:", args=("cancel",), key=f"db_cancel_go_{pick}", **cb)

