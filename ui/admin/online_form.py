"""数据管理 · 在线填报: a reporter's progress form for the month their unit owes — prefilled from the year's register and
the unit's last published month (data.register_form), only the progress columns editable, checked as an upload is
(problems beside each row), every edit kept as a server-side draft, submitted for review like an upload."""
from __future__ import annotations

import dataclasses
import datetime as dt

import polars as pl
import streamlit as st

from data import register_form as rf
from data.ingest import ImportOutcome
from data.schema import COLUMN_BY_NAME, FULL_SCHEMA, ZH
from data.store import Store
from data.text import DASH, shown_time
from ui import auth
from ui.admin.actions import FLASH
from ui.admin.importing import is_demo_store
from ui.admin.submitting import due_month
from ui.admin.upload import completion_lines, problem_tables
from ui.i18n import t
from ui.widgets import md_escape

CHECK_COL = "_check"          # the editor's first column: what the check says about the row (read only)
EDITOR_N = "_form_editor_n"   # bumped on 放弃草稿 and 提交: a new editor, without the old one's edits
SAVED = "_form_saved"         # (editor key, rows) last saved as the draft
SUBMIT_ERR = "_form_submit_err"
# Notes about a file's columns that a form cannot act on (it has no columns to add, its unit is the reporter's own):
# the upload's check runs unchanged, the form only leaves these notes out.
FILE_ONLY_RULES = ("缺少可选列", "县区取自报送单位")


def form_outcome(outcome: ImportOutcome) -> ImportOutcome:
    """The check as the form shows it: the upload's check without FILE_ONLY_RULES's notes."""
    return dataclasses.replace(outcome, warnings=[w for w in outcome.warnings if w.rule not in FILE_ONLY_RULES])


def row_checks(outcome: ImportOutcome, n: int) -> list[str]:
    """Per form row (1-based Problem.row), its errors then warnings as one line: '✖ 建设状态：… ⚠ …' ('' when none)."""
    lines: list[list[str]] = [[] for _ in range(n)]
    for mark, problems in (("✖", outcome.errors), ("⚠", outcome.warnings)):
        for p in problems:
            if p.row is not None and 1 <= p.row <= n:
                lines[p.row - 1].append(f"{mark} {p.column + '：' if p.column else ''}{p.message}")
    return ["；".join(x) for x in lines]


def _column(c: str):
    """The editor's column of `c`, headed in Chinese; enums are chosen from their values, dates picked."""
    col, label = COLUMN_BY_NAME[c], ZH[c]
    if col.allowed:
        return st.column_config.SelectboxColumn(label, options=list(col.allowed))
    if col.kind in ("money", "float"):
        return st.column_config.NumberColumn(label, format="%.2f", min_value=0.0 if col.kind == "money" else None)
    if col.kind == "date":
        return st.column_config.DateColumn(label, format="YYYY-MM-DD")
    if col.kind == "bool":
        return st.column_config.CheckboxColumn(label)
    return st.column_config.TextColumn(label, width="medium" if c in ("progress_note", "problems") else None)


def _config() -> dict:
    conf = {c: _column(c) for c in (*rf.KEYS, *rf.FORM_COLUMNS, *rf.CONTEXT_COLUMNS)}
    conf["project_name"] = st.column_config.TextColumn(ZH["project_name"], pinned=True)
    conf[CHECK_COL] = st.column_config.TextColumn(t("form_check_col"), width="large")
    return conf


def _editor_key(unit: str, month: str) -> str:
    return f"form_editor|{unit}|{month}|{st.session_state.get(EDITOR_N, 0)}"


def edited_rows(shown: pl.DataFrame, like: pl.DataFrame) -> pl.DataFrame:
    """The form's rows `like` with the editor's progress columns (typed as the schema's): codes, names and the
    register's attributes are always the server's own, whatever a browser sends for its disabled columns."""
    return like.with_columns(shown.get_column(c).cast(FULL_SCHEMA[c], strict=False).alias(c)
                             for c in rf.FORM_COLUMNS if c in like.columns)


def _keep_draft(store: Store, unit: str, month: str, key: str, shown: pl.DataFrame, base: pl.DataFrame) -> None:
    """A cell was changed: keep the rows as the unit's draft on the server and run again, so the check column reads
    the draft. The editor's key stays (a keyed fixed-rows editor keeps its edits across value changes), so a cell
    typed while this runs is not lost; its edits re-applied to the draft give the draft again, which ends the loop."""
    state = st.session_state.get(key) or {}
    if not state.get("edited_rows"):
        return
    rows = edited_rows(shown, base)
    if rows.equals(base):
        return
    digest = repr(rows.to_dicts())
    if st.session_state.get(SAVED) == (key, digest):   # saved already, yet read back otherwise: never loop
        return
    rf.save_draft(store, unit, month, rows)
    st.session_state[SAVED] = (key, digest)
    st.rerun()


def _discard(store: Store, unit: str, month: str) -> None:
    """on_click of 放弃草稿: the form starts again from the register and the last published month."""
    if auth.reporter_unit() != unit:
        return
    rf.discard_draft(store, unit, month)
    st.session_state[EDITOR_N] = st.session_state.get(EDITOR_N, 0) + 1


def _submit(unit: str, month: str) -> None:
    """on_click of 提交审核: the form's rows (the saved draft, else the prefill) handed in for review like an upload."""
    if auth.reporter_unit() != unit or not auth.can_submit():   # the role checked again at the write
        return
    store = Store()
    rows = rf.progress_form(store, unit, month).rows
    out = rf.check_form(store, unit, month, rows, user=auth.audit_user(""), submit=True)
    if not out.ok:
        st.session_state[SUBMIT_ERR] = out.report(limit=20)
        return
    rf.discard_draft(store, unit, month)
    st.session_state.pop(SUBMIT_ERR, None)
    st.session_state[EDITOR_N] = st.session_state.get(EDITOR_N, 0) + 1
    st.session_state[FLASH] = t("form_submitted").format(m=month, unit=unit, n=f"{out.rows:,}")


def _source_line(store: Store, form: rf.Form) -> str:
    if form.draft:
        saved = rf.draft_saved_at(store, form.unit, form.month)
        return t("form_draft").format(at=shown_time(saved.isoformat(timespec="seconds")) if saved else "")
    return t("form_from").format(src=form.source)


def form_tab(store: Store, unit: str, today: dt.date | None = None) -> None:
    """The reporter's online form for the month their unit owes."""
    if is_demo_store(store):
        st.error(t("demo_store_refused"))
        return
    month = due_month(store, unit, today)
    form = rf.progress_form(store, unit, month)
    st.markdown(f"##### {t('form_title').format(m=month, unit=md_escape(unit))}")
    if form.rows.is_empty():
        st.info(t("form_nothing").format(unit=md_escape(unit), y=month[:4]), icon=":material/info:")
        return
    st.caption(_source_line(store, form) + t("form_help"))
    state = store.units(month).get(unit)
    if state is not None and state.pending is not None:   # a new submission supersedes the one waiting, as an upload's
        st.info(t("pending_again").format(m=month, at=shown_time(state.pending.get("time"))))
    checked = form_outcome(rf.check_form(store, unit, month, form.rows))
    shown = form.rows.with_columns(pl.Series(CHECK_COL, row_checks(checked, form.rows.height), pl.String))
    order = (*rf.KEYS, CHECK_COL, *rf.FORM_COLUMNS, *rf.CONTEXT_COLUMNS)
    key = _editor_key(unit, month)
    out = st.data_editor(shown.select(order), key=key, hide_index=True, num_rows="fixed", width="stretch",
                         column_config=_config(), disabled=[*rf.KEYS, CHECK_COL, *rf.CONTEXT_COLUMNS],
                         height=min(38 + 35 * form.rows.height, 560), placeholder=DASH)
    _keep_draft(store, unit, month, key, out, form.rows)
    c = st.columns(3)
    c[0].metric(t("rows"), f"{checked.rows:,}")
    c[1].metric(t("errors"), len(checked.errors))
    c[2].metric(t("warnings"), len(checked.warnings))
    if checked.ok:
        st.success(t("form_passed"))
    else:
        st.error(t("form_refused"))
    error = st.session_state.get(SUBMIT_ERR)
    if error:
        st.error(t("submit_failed"))
        st.text(error)
    row = st.container(horizontal=True)
    row.button(t("submit"), type="primary", key="form_submit", disabled=not checked.ok, on_click=_submit,
               args=(unit, month), icon=":material/send:")
    row.button(t("form_discard"), key="form_discard", disabled=not form.draft, on_click=_discard,
               args=(store, unit, month), icon=":material/restart_alt:")
    completion_lines(checked, "form_completions_title")
    problem_tables(checked, f"{unit}_{month}_在线填报", key="form")
