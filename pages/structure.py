"""投资结构: private, industrial and government shares of the construction set."""
from __future__ import annotations

import streamlit as st

from metrics.rowsets import CONSTRUCTION
from ui import cached, dimension, screen, state
from ui.widgets import guard, page_title, stacked_share

sel = state.current()
page_title("pages_structure", sel)
if guard(sel):
    dimension.render("structure", sel, trend=["private_share", "industrial_share"],
                     bars=["private_share", "government_share"])
    if not screen.active():  # the screen shows the dimension's layout alone
        rows = cached.snapshot(sel.month, sel.filters).filter(CONSTRUCTION)
        c1, c2 = st.columns(2)
        c1.altair_chart(stacked_share(rows, "county", "investor_type", title="各县区投资主体结构（按总投资）"),
                        width="stretch")
        c2.altair_chart(stacked_share(rows, "county", "category", title="各县区项目类别结构（按总投资）"),
                        width="stretch")
