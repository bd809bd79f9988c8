"""产业结构: emerging vs traditional industry shares (tiles, trends and bars: pages/__init__.py)."""
from __future__ import annotations

import streamlit as st

from metrics.rowsets import CONSTRUCTION, INDUSTRIAL
from ui import cached, charts
from ui.i18n import t
from ui.page import serve
from ui.state import Selection


def render(sel: Selection) -> None:
    """Below the dimension's layout: each county's industrial investment, emerging against traditional."""
    charts.show(st, "industry_class", (sel.month, sel.filters), lambda: charts.stacked_share(
        cached.snapshot(sel.month, sel.filters).filter(CONSTRUCTION & INDUSTRIAL), "county", "industry_class",
        title=t("industry_class_title")))


if __name__ == "__main__":
    serve(render)
