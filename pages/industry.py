"""产业结构: emerging vs traditional industry shares."""
from __future__ import annotations

import streamlit as st

from metrics.rowsets import CONSTRUCTION, INDUSTRIAL
from ui import cached, dimension, screen, state
from ui.widgets import guard, page_title, stacked_share

sel = state.current()
page_title("pages_industry", sel)
if guard(sel):
    dimension.render("industry", sel, trend=["emerging_share"], bars=["emerging_share", "traditional_share"])
    if not screen.active():  # the screen shows the dimension's layout alone
        rows = cached.snapshot(sel.month, sel.filters).filter(CONSTRUCTION & INDUSTRIAL)
        st.altair_chart(stacked_share(rows, "county", "industry_class", title="各县区新兴/传统产业结构（按总投资）"),
                        width="stretch")
