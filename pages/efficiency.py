"""项目效益: profit-tax rate, tax per mu, production rate, and each producing project's efficiency."""
from __future__ import annotations

import streamlit as st

from metrics.rowsets import project_efficiency
from ui import cached, charts, dimension, screen, state
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
            charts.show(st, "efficiency_scatter", (sel.month, sel.filters),
                        lambda: charts.efficiency_scatter(rows))
