"""总览: the cockpit — headline KPIs against targets, completion vs 时序进度, county heat table, watch-list counts."""
from __future__ import annotations

import altair as alt
import polars as pl
import streamlit as st

from metrics.format import format_value
from metrics.registry import BY_ID
from ui import cached, screen, state
from ui.i18n import ind_name, t
from ui.widgets import BAD, GOOD, guard, kpi_row, lists_chart, month_num, page_title, trend_chart

HEADLINE = ["investment_completion_rate", "schedule_deviation", "start_rate", "monthly_investment",
            "completed_ytd_sum", "private_share", "industrial_share", "signed_start_rate"]
HEAT = ["investment_completion_rate", "schedule_deviation", "start_rate", "resume_rate", "private_share",
        "industrial_share", "procedures_complete_rate", "signed_start_rate", "leader_coverage", "lagging_projects"]

sel = state.current()
on_screen = screen.active()
if on_screen:  # the meeting-room layout: 8 big tiles and 2 charts, no scrolling at 1920×1080
    screen.overview(sel, HEADLINE)
else:
    page_title("pages_overview", sel)
if not on_screen and guard(sel):
    frames = cached.page_frames(sel.month, sel.filters, HEADLINE, HEAT)  # tiles, trend and heat table together
    kpi_row(HEADLINE, sel, frames.months)
    left, right = st.columns([3, 2])
    left.altair_chart(trend_chart(frames.months, "investment_completion_rate", height=320), width="stretch")
    right.altair_chart(lists_chart(cached.list_counts(sel.month, sel.filters), text_size=14, label_limit=220),
                       width="stretch")
    right.caption(t("lists_caption"))

    st.subheader(t("heat_title"))
    by = frames.counties
    m = month_num(sel)
    long = []
    for iid in HEAT:
        ind = BY_ID[iid]
        col = by.get_column(iid)
        lo, hi = col.min(), col.max()
        for county, v in zip(by["county"].to_list(), col.to_list()):
            if v is None or lo is None or hi == lo:
                score = 0.5 if v is not None else None
            else:
                score = (v - lo) / (hi - lo)
                score = 1 - score if ind.direction == "lower" else score
            target = ind.target_for(m)
            long.append({"县区": county, "指标": ind_name(iid), "值": format_value(ind, v), "相对": score,
                         "目标": format_value(ind, target) if target is not None else "—"})
    ldf = pl.DataFrame(long)
    order = [ind_name(i) for i in HEAT]
    heat = alt.Chart(ldf).mark_rect(stroke="white").encode(
        x=alt.X("指标:N", sort=order, title=None, axis=alt.Axis(labelAngle=0, orient="top", labelLimit=120)),
        y=alt.Y("县区:N", title=None),
        color=alt.Color("相对:Q", scale=alt.Scale(domain=[0, 1], range=[BAD, "#f5f5f5", GOOD]),
                        legend=alt.Legend(title="县区间相对表现", format=".0%")),
        tooltip=["县区", "指标", "值", "目标"])
    text = alt.Chart(ldf).mark_text(fontSize=14).encode(x=alt.X("指标:N", sort=order), y="县区:N", text="值:N")
    st.altair_chart((heat + text).properties(height=max(260, 36 * by.height)), width="stretch")
    st.caption(t("heat_caption"))
