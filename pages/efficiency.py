"""项目效益: profit-tax rate, tax per mu, production rate, and each producing project's efficiency."""
from __future__ import annotations

import altair as alt
import streamlit as st

from metrics.rowsets import project_efficiency
from ui import cached, dimension, screen, state
from ui.i18n import t
from ui.widgets import guard, page_title

sel = state.current()
page_title("pages_efficiency", sel)
if guard(sel):
    dimension.render("efficiency", sel, trend=["profit_tax_rate", "tax_per_mu"], bars=["tax_per_mu"])
    if not screen.active():  # the screen shows the dimension's layout alone
        st.subheader(t("efficiency_title"))
        rows = project_efficiency(cached.snapshot(sel.month, sel.filters)).rename(
            {"tax_per_mu": "亩均税收", "profit_tax_rate": "投资利税率"})
        if rows.is_empty():
            st.info(t("efficiency_none"))
        else:
            st.altair_chart(alt.Chart(rows).mark_circle(opacity=0.75).encode(
                x=alt.X("亩均税收:Q", title="亩均税收（万元/亩）", axis=alt.Axis(format=",.1f")),
                y=alt.Y("投资利税率:Q", title="投资利税率", axis=alt.Axis(format=".0%")),
                size=alt.Size("total_investment:Q", title="总投资（万元）", legend=alt.Legend(format=",.0f")),
                color=alt.Color("county:N", title="县区"),
                tooltip=[alt.Tooltip("project_name:N", title="项目名称"), alt.Tooltip("county:N", title="县区"),
                         alt.Tooltip("chain:N", title="产业链"),
                         alt.Tooltip("total_investment:Q", title="总投资（万元）", format=",.0f"),
                         alt.Tooltip("亩均税收:Q", format=",.2f"), alt.Tooltip("投资利税率:Q", format=".1%")],
            ).properties(height=420), width="stretch")
