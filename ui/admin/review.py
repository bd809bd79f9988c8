"""数据管理 · 待审核: each pending submission re-checked and compared, with 通过并发布 and 退回 (with a reason)."""
from __future__ import annotations

import hashlib

import polars as pl
import streamlit as st

from data.schema import ZH
from data.store import Store
from data.text import DASH, shown_time
from ui import cached
from ui.admin.actions import REVIEW_ERR, publish_submission, return_submission
from ui.admin.importing import CHANGE_RULES
from ui.admin.submitting import pending_queue, review
from ui.admin.upload import WILL_REPLACE, problem_tables, rule
from ui.i18n import t
from ui.widgets import md_escape, show_table


def changes(r, tag: str) -> None:
    """Which projects and figures the submission changes against the unit's last published month, old beside new."""
    df = r.changes
    figures = df.filter(pl.col("变化") == "数据变化")
    st.markdown(f"##### {t('review_changes').format(p=figures['项目编码'].n_unique(), n=figures.height)}")
    st.caption(t("review_changes_caption").format(m=r.previous))
    # the figures next to the name, the code last: at 1024 px beside the sidebar the card is ~530 px wide
    widths = {"项目名称": 140, "变化": 72, "字段": 145, "原值": 85, "新值": 85, "项目编码": 110}
    show_table(df, f"{r.unit}_{r.month}_变化明细", key=f"rev_changes|{tag}", height=min(38 + 35 * max(df.height, 1), 360),
               column_order=tuple(widths), column_config={k: st.column_config.TextColumn(width=w) for k, w in widths.items()})


# A submission re-checked once per content of the store, its audit log and settings (what a re-check reads).
reviewed = cached.store_cached(32, files=cached.review_files, reads_store=True)(review)


def review_card(store: Store, month: str, unit: str, rec: dict, error: str | None) -> None:
    """One pending submission: who sent what when, the check's verdict, the change, the problems, the decision."""
    r = reviewed(month, unit, store=store)
    tag = f"{month}|{unit}"
    with st.container(border=True, key=f"review_{hashlib.sha1(tag.encode()).hexdigest()[:10]}"):
        st.markdown(f"#### {month} · {md_escape(unit)}")
        st.caption(t("review_head").format(who=md_escape(rec.get("user") or DASH),
                                           at=shown_time(rec.get("time")),
                                           src=md_escape(rec.get("source") or DASH), n=f"{r.rows:,}"))
        if r.outcome.errors:
            st.error(t("review_bad").format(n=len(r.outcome.errors)))
        else:
            st.success(t("review_ok"))
        for p in rule(r.outcome, WILL_REPLACE):
            st.warning(p.message)
        if rec.get("completions"):   # where the columns the report lacked came from, as its check said
            st.markdown(f"##### {t('review_completions')}")
            st.markdown("\n".join(f"- {md_escape(line)}" for line in rec["completions"]))
        if r.change:
            st.markdown(t("review_change").format(m=r.previous, text=r.change))
            counts = " · ".join(f"{t(k)} {sum(1 for w in r.outcome.warnings if w.rule == name)}"
                                for k, name in CHANGE_RULES.items())
            st.caption(counts)
            changes(r, tag)
        else:
            st.caption(t("review_new_unit"))
        with st.expander(t("review_rows").format(n=f"{r.rows:,}")):
            show_table(r.frame.rename(ZH, strict=False), f"{unit}_{month}_报送数据", key=f"rev_rows|{tag}", height=320)
        with st.expander(t("review_details").format(e=len(r.outcome.errors), w=len(r.outcome.warnings))):
            problem_tables(r.outcome, f"{unit}_{month}", key=f"rev_{tag}")
        if error:
            st.error(error)
        reason_key = f"rev_reason|{tag}"
        st.text_input(t("return_reason"), key=reason_key, placeholder="例如：第 5 行项目的本年累计完成投资小于上月，请核实")
        row = st.container(horizontal=True)  # buttons as wide as their labels, at any window width
        row.button(t("publish"), key=f"rev_pub|{tag}", type="primary", disabled=bool(r.outcome.errors),
                   on_click=publish_submission, args=(month, unit), icon=":material/check:")
        row.button(t("return"), key=f"rev_ret|{tag}", on_click=return_submission, args=(month, unit, reason_key),
                   icon=":material/undo:")


def review_tab(store: Store) -> None:
    queue = pending_queue(store)
    if not queue:
        st.info(t("review_none"))
        return
    errors = st.session_state.get(REVIEW_ERR, {})
    for month, unit, rec in queue:
        review_card(store, month, unit, rec, errors.get((month, unit)))
