"""链群配套: on-chain investment share, chain coverage, investment by chain."""
from __future__ import annotations

import streamlit as st

from ui import cached, charts, dimension, screen, state
from ui.i18n import t
from ui.widgets import guard, month_num, page_title

sel = state.current()
page_title("pages_chain", sel)
if guard(sel):
    dimension.render("chain", sel, trend=["chain_investment_share", "chain_coverage"],
                     bars=["chain_investment_share"])
    if not screen.active():  # the screen shows the dimension's layout alone
        st.subheader(t("by_chain"))
        by_chain = cached.compute([sel.month], sel.filters, "chain",
                                  ["total_investment_sum", "investment_completion_rate", "project_count"])
        c1, c2 = st.columns(2)
        view = (sel.month, sel.filters)
        charts.show(c1, "chain_total", view, lambda: charts.bar_chart(
            by_chain, "chain", "total_investment_sum", height=420, horizontal=True))
        charts.show(c2, "chain_completion", view, lambda: charts.bar_chart(
            by_chain, "chain", "investment_completion_rate", month_num=month_num(sel), height=420, horizontal=True))
