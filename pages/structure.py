"""投资结构: private, industrial and government shares of the construction set."""
from __future__ import annotations

import streamlit as st

from metrics.rowsets import CONSTRUCTION
from ui import cached, charts, dimension, screen, state
from ui.widgets import guard, page_title

sel = state.current()
page_title("pages_structure", sel)
if guard(sel):
    dimension.render("structure", sel, trend=["private_share", "industrial_share"],
                     bars=["private_share", "government_share"])
    if not screen.active():  # the screen shows the dimension's layout alone
        def rows():  # read only when a chart's view is new
            return cached.snapshot(sel.month, sel.filters).filter(CONSTRUCTION)

        c1, c2 = st.columns(2)
        view = (sel.month, sel.filters)
        charts.show(c1, "structure_investor", view, lambda: charts.stacked_share(
            rows(), "county", "investor_type", title="各县区投资主体结构（按总投资）"))
        charts.show(c2, "structure_category", view, lambda: charts.stacked_share(
            rows(), "county", "category", title="各县区项目类别结构（按总投资）"))
