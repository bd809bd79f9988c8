"""产业结构: emerging vs traditional industry shares."""
from __future__ import annotations

import streamlit as st

from metrics.rowsets import CONSTRUCTION, INDUSTRIAL
from ui import cached, charts, dimension, screen, state
from ui.widgets import guard, page_title

sel = state.current()
page_title("pages_industry", sel)
if guard(sel):
    dimension.render("industry", sel, trend=["emerging_share"], bars=["emerging_share", "traditional_share"])
    if not screen.active():  # the screen shows the dimension's layout alone
        charts.show(st, "industry_class", (sel.month, sel.filters), lambda: charts.stacked_share(
            cached.snapshot(sel.month, sel.filters).filter(CONSTRUCTION & INDUSTRIAL), "county", "industry_class",
            title="各县区新兴/传统产业结构（按总投资）"))
