"""链群配套: on-chain investment share, chain coverage, investment by chain (tiles, trends and bars:
pages/__init__.py)."""
from __future__ import annotations

import streamlit as st

from ui import cached, charts
from ui.i18n import t
from ui.page import serve
from ui.state import Selection
from ui.widgets import month_num


def render(sel: Selection) -> None:
    """Below the dimension's layout: each chain's total investment and completion rate."""
    st.subheader(t("by_chain"))
    by_chain = cached.compute([sel.month], sel.filters, "chain",
                              ["total_investment_sum", "investment_completion_rate", "project_count"])
    c1, c2 = st.columns(2)
    view = (sel.month, sel.filters)
    charts.show(c1, "chain_total", view, lambda: charts.bar_chart(
        by_chain, "chain", "total_investment_sum", height=420, horizontal=True))
    charts.show(c2, "chain_completion", view, lambda: charts.bar_chart(
        by_chain, "chain", "investment_completion_rate", month_num=month_num(sel), height=420, horizontal=True))


if __name__ == "__main__":
    serve(render)
