"""投资结构: private, industrial and government shares of the construction set (tiles, trends and bars:
pages/__init__.py)."""
from __future__ import annotations

import streamlit as st

from metrics.rowsets import CONSTRUCTION
from ui import cached, charts
from ui.i18n import t
from ui.page import serve
from ui.state import Selection


def render(sel: Selection) -> None:
    """Below the dimension's layout: each county's investment by investor and by category."""
    def rows():  # read only when a chart's view is new
        return cached.snapshot(sel.month, sel.filters).filter(CONSTRUCTION)

    c1, c2 = st.columns(2)
    view = (sel.month, sel.filters)
    charts.show(c1, "structure_investor", view, lambda: charts.stacked_share(
        rows(), "county", "investor_type", title=t("structure_investor_title")))
    charts.show(c2, "structure_category", view, lambda: charts.stacked_share(
        rows(), "county", "category", title=t("structure_category_title")))


if __name__ == "__main__":
    serve(render)
