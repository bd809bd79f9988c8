"""总览: the cockpit — headline KPIs against targets, completion vs 时序进度, county heat table, watch-list counts."""
from __future__ import annotations

import streamlit as st

from ui import cached, charts, screen, state
from ui.i18n import t
from ui.widgets import guard, kpi_row, month_num, page_title

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
    view = (sel.month, sel.filters)
    charts.show(left, "trend", (sel.filters, "investment_completion_rate", 320), lambda: charts.trend_chart(
        frames.months, "investment_completion_rate", height=320))
    charts.show(right, "lists", view, lambda: charts.lists_chart(
        cached.list_counts(sel.month, sel.filters), text_size=14, label_limit=220))
    right.caption(t("lists_caption"))

    st.subheader(t("heat_title"))
    charts.show(st, "heat", (*view, tuple(HEAT)), lambda: charts.heat_table(frames.counties, HEAT, month_num(sel)))
    st.caption(t("heat_caption"))
