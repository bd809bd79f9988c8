"""项目推进: completion against 时序进度 and a year earlier, starts (序时 and early), resumption, monthly investment,
red/yellow lights, lagging/stopped/zombie."""
from __future__ import annotations

import streamlit as st

from ui import cached, charts, dimension, screen, state
from ui.i18n import t
from ui.widgets import guard, page_title

sel = state.current()
page_title("pages_progress", sel)
if guard(sel):
    dimension.render("progress", sel, trend=["investment_completion_rate", "start_rate"],
                     bars=["investment_completion_rate", "start_rate"],
                     tiles=["investment_completion_rate", "schedule_deviation", "start_rate", "resume_rate",
                            "monthly_investment", "monthly_investment_mom", "completed_ytd_yoy",
                            "new_vs_continuing_gap", "planned_starts_to_date", "overdue_not_started", "early_starts",
                            "new_starts_100m", "red_projects", "yellow_projects", "lagging_projects",
                            "stopped_projects", "zombie_projects", "funds_in_place_rate"])
    if not screen.active():  # the screen shows the dimension's layout alone
        st.subheader(t("monthly_investment_title"))
        charts.show(st, "trend", (sel.filters, "monthly_investment", 300), lambda: charts.trend_chart(
            cached.series(sel.filters, ["monthly_investment"]), "monthly_investment", height=300))
