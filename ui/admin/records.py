"""数据管理 · what the store holds: 报送情况 of a month, 底稿 downloads, a reporter's own submissions, the stored
months (with 删除), and the audit log."""
from __future__ import annotations

import polars as pl
import streamlit as st

from data import register
from data.store import Store
from data.text import XLSX_MIME
from ui import cached
from ui.admin.actions import delete_month
from ui.admin.importing import audit_frame, months_frame
from ui.admin.submitting import (RECENT, draft_for, draft_name, due_month, own_submissions, report_frame,
                                 submission_months, upcoming_month)
from ui.auth import can_write
from ui.i18n import t
from ui.state import follow
from ui.widgets import md_escape, show_table


def _table(df: pl.DataFrame, none: str, name: str, key: str, **kwargs) -> bool:
    """The table with its downloads, or the `none` notice when it is empty; whether there was a table."""
    if df.is_empty():
        st.info(t(none))
        return False
    show_table(df, name, key=key, **kwargs)
    return True


def draft_box(store: Store, units: list[str]) -> None:
    """The 底稿 download: a unit's last published rows as next month's Excel ledger."""
    st.markdown(f"##### {t('template_title')}")
    c1, c2 = st.columns(2)
    unit = c1.selectbox(t("template_unit"), units, key="tpl_unit", disabled=len(units) == 1)
    if not unit:
        return
    months = list(dict.fromkeys([upcoming_month(store), *submission_months(store)[:RECENT]]))
    due = due_month(store, unit)
    key = f"tpl_month|{unit}"   # per unit: each unit's default is the month it owes, and moves on when it is in
    follow(key, due if due in months else months[0], months)
    month = c2.selectbox(t("template_month"), months, key=key)
    last = store.last_published(unit, month)
    if register.part_path(store, int(month[:4]), unit).exists():   # a unit with a register starts from it
        st.caption(t("template_register").format(n=f"{register.read_part(store, int(month[:4]), unit).height:,}",
                                                 y=month[:4], m=month, src=last[0] if last else None)
                   + (t("template_register_last").format(src=last[0]) if last else ""))
    elif last:
        st.caption(t("template_from").format(src=last[0], n=f"{last[1].height:,}", m=month))
    else:
        st.caption(t("template_empty").format(unit=unit, m=month))
    st.download_button(t("template"), lambda: draft_for(store, unit, month)[0], draft_name(unit, month),
                       XLSX_MIME, key="tpl_download", icon=":material/download:")


def mine_tab(store: Store, unit: str) -> None:
    months = submission_months(store, unit)[:RECENT]
    if not months:
        st.info(t("own_none"))
        return
    df = own_submissions(store, unit, months)
    st.caption(t("own_caption").format(n=len(months)))
    show_table(df, f"{unit}_报送记录", key="admin_mine",
               column_config={"退回原因": st.column_config.TextColumn(width="large")})


def report_tab(store: Store) -> None:
    """报送情况 of a chosen month: every expected unit's status."""
    months = submission_months(store)
    if not months:
        st.info(t("report_none"))
        return
    chosen = st.session_state.get("sel_month")   # the sidebar's month, until another is chosen here
    follow("admin_report_month", chosen if chosen in months else months[0], months)
    month = st.selectbox(t("report_month"), months, key="admin_report_month")
    report = cached.month_report(month, store=store)
    st.markdown(f"**{md_escape(report.line())}**")
    key = "report_deadline" if report.late_counted else "report_deadline_history"
    st.caption(t(key).format(d=f"{report.deadline:%Y-%m-%d}", day=store.settings().deadline_day))
    show_table(report_frame(report), f"报送情况_{month}", key="admin_report_table",
               column_config={"备注": st.column_config.TextColumn(width="large")})


def months_tab(store: Store) -> None:
    df = months_frame(store)
    if _table(df, "no_months", "已存月份", "admin_months") and can_write():
        with st.expander(t("delete_month")):
            month = st.selectbox(t("month"), df.get_column("报送月份").to_list()[::-1], key="admin_del_month")
            ok = st.checkbox(t("delete_confirm"), key="admin_del_ok")
            st.button(t("delete"), key="admin_delete", disabled=not ok, on_click=delete_month, args=(month,))


def audit_tab(store: Store) -> None:
    _table(audit_frame(store), "no_audit", "操作记录", "admin_audit")
