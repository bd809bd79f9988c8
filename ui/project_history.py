"""项目档案: one project across the months — its facts, money and completion against 时序进度, its lights month by
month, its investment curve, what changed, its procedures, its problems and every report it made."""
from __future__ import annotations

import polars as pl
import streamlit as st

from data.schema import PROC_COLUMNS, ZH
from data.text import DASH, EMPTY
from metrics.format import fmt_amount, fmt_rate
from metrics.projects import CHANGE_FIELDS, changes, procedures
from metrics.rowsets import HAS_PROBLEM, schedule
from ui import cached, charts
from ui.i18n import t
from ui.ledger import as_shown, labels, light_text, lights_strip, money_config, with_text
from ui.widgets import md_escape, show_table

HISTORY_COLUMNS = ("snapshot_month", "light", "light_reason", "build_type", "status", "total_investment",
                   "plan_investment_year", "completed_investment_ytd", "completed_investment_total",
                   "funds_in_place_ytd", "actual_start", "leader", "problems", "problem_months", "in_statistics")
HISTORY_TEXT = {"status": ("progress_note",)}   # the history table's 形象进度, where a month has one
FACT_TEXT = ("owner", "responsible_unit", "location", "construction_period")  # the register's, in the facts line


def _changes_table(h: pl.DataFrame) -> pl.DataFrame:
    """metrics.projects.changes with the page's headers, a field by its Chinese name, an empty value as （空）."""
    head = {"month": "报送月份", "field": t("field"), "before": t("before"), "after": t("after")}
    rows = [{head["month"]: r["month"], head["field"]: ZH[r["field"]], head["before"]: r["before"] or EMPTY,
             head["after"]: r["after"] or EMPTY} for r in changes(h)]
    return pl.DataFrame(rows, schema=dict.fromkeys(head.values(), pl.String))


def _figures(h: pl.DataFrame, last: dict, last_m: str) -> None:
    """Money, completion against 时序进度, and what the project is now."""
    c = st.columns(5)
    for box, col in zip(c, ("total_investment", "plan_investment_year", "completed_investment_ytd")):
        # the figure names its own unit (26.0亿元): the header's "(万元)" beside it would say another
        box.metric(ZH[col].removesuffix("(万元)"), fmt_amount(last[col]))
    rate = last["completion_rate"]
    sched = schedule(last["snapshot_month"].month)
    c[3].metric(t("hist_rate").format(m=last_m), fmt_rate(rate),
                None if rate is None else t("hist_vs_schedule").format(d=f"{(rate - sched) * 100:+.1f}",
                                                                       s=fmt_rate(sched)),
                delta_color="normal")
    c[4].metric(f"{ZH['build_type']} · {ZH['status']}", f"{last['build_type']} · {last['status']}")


def _procedures(pid: str, last: dict) -> None:
    rows, missing = procedures(last)
    if rows.is_empty():
        st.markdown(f"##### {t('hist_procs')}")
    else:
        charts.show(st, "project_procedures", (pid,), lambda: charts.procedures_chart(rows, PROC_COLUMNS))
    if not missing:
        st.caption(t("hist_procs_done"))
    elif len(missing) == len(PROC_COLUMNS):
        st.warning(t("hist_procs_none"))
    else:
        st.warning(t("hist_procs_missing").format(names="、".join(missing)))


def _problems(h: pl.DataFrame) -> None:
    st.markdown(f"##### {t('hist_problems')}")
    probs = h.filter(HAS_PROBLEM)
    if probs.is_empty():
        st.caption(t("hist_no_problems"))
        return
    with st.container(border=True):
        for rec in probs.select("snapshot_month", "problems", "problem_months").iter_rows(named=True):
            st.caption(f"{rec['snapshot_month']:%Y-%m} · " + t("hist_problem_months").format(n=rec["problem_months"]))
            st.text(rec["problems"])  # user text: plain, never Markdown or HTML


def progress_notes(h: pl.DataFrame) -> list[tuple[str, str]]:
    """(YYYY-MM, 形象进度) of each month that reported one, oldest first."""
    rows = h.select("snapshot_month", "progress_note").drop_nulls("progress_note").iter_rows()
    return [(f"{m:%Y-%m}", note) for m, note in rows if str(note).strip()]


def _progress(h: pl.DataFrame, last: dict) -> None:
    """形象进度 month by month (what leaders read of a project), under the year's target when the register gives one."""
    notes = progress_notes(h)
    if not notes:
        return
    st.markdown(f"##### {t('hist_progress')}")
    if last.get("target_note"):
        st.caption(md_escape(t("hist_target").format(x=last["target_note"])))
    with st.container(border=True):
        for month, note in reversed(notes):   # the latest first
            st.caption(month)
            st.text(note)   # user text: plain, never Markdown or HTML


def history_panel(pid: str) -> None:
    """Everything the store holds on one project."""
    h = cached.project_history(pid)
    if h.is_empty():
        st.warning(t("project_unknown").format(pid=pid))
        return
    last = h.row(-1, named=True)
    first_m, last_m = f"{h['snapshot_month'][0]:%Y-%m}", f"{last['snapshot_month']:%Y-%m}"
    st.subheader(f"{md_escape(last['project_name'])}")
    facts = [f"{ZH['project_id']} {last['project_id']}", last["county"], last["chain"] or "", last["category"],
             last["level"], last["investor_type"], f"{ZH['leader']} {last['leader'] or EMPTY}",
             *(f"{ZH[c]} {last[c]}" for c in FACT_TEXT if last.get(c)),
             t("hist_months").format(n=h.height, first=first_m, last=last_m)]
    st.caption(" · ".join(md_escape(f) for f in facts if f))
    if last.get("scope"):
        st.caption(md_escape(f"{ZH['scope']}：{last['scope']}"))
    st.page_link("pages/duban.py", label=t("db_from_this_project"), icon=":material/assignment_ind:",
                 query_params={"project": pid})   # 督办: 交办 prefilled from this project (analysts)
    _figures(h, last, last_m)

    st.markdown(f"##### {t('hist_lights')}")
    st.markdown(lights_strip(h), unsafe_allow_html=True)
    st.caption(t("hist_light_now").format(m=last_m, light=light_text(last["light"]),
                                          why=last["light_reason"] or t("light_none")))
    _progress(h, last)

    left, right = st.columns([3, 2])
    with left:
        charts.show(st, "project_curve", (pid,), lambda: charts.investment_curve(h))
        st.caption(t("hist_curve_note"))
    with right:
        st.markdown(f"##### {t('hist_changes')}")
        first = h.row(0, named=True)
        st.caption(t("hist_first").format(
            m=first_m, desc="，".join(f"{ZH[f]} {md_escape(first[f] or EMPTY)}" for f in CHANGE_FIELDS)))
        ch = _changes_table(h)
        if ch.is_empty():
            st.caption(t("hist_no_change"))
        else:
            st.dataframe(ch, hide_index=True, width="stretch")

    left, right = st.columns([3, 2])
    with left:
        _procedures(pid, last)
    with right:
        _problems(h)

    st.markdown(f"##### {t('hist_table')}")
    columns = with_text(HISTORY_COLUMNS, h, HISTORY_TEXT)
    heads = labels(columns)
    show_table(as_shown(h.select(columns)), f"项目档案_{pid}", heads, key="hist_table",
               column_config=money_config(heads), placeholder=DASH)
