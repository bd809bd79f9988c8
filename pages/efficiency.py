"""项目效益: profit-tax rate, tax per mu, production rate, and each producing project's efficiency (tiles, trends and
bars: pages/__init__.py)."""
from __future__ import annotations

import streamlit as st

from metrics.rowsets import project_efficiency
from ui import cached, charts
from ui.i18n import t
from ui.page import serve
from ui.state import Selection


def render(sel: Selection) -> None:
    """Below the dimension's layout: every producing project's 亩均税收 against its 投资利税率."""
    st.subheader(t("efficiency_title"))
    rows = project_efficiency(cached.snapshot(sel.month, sel.filters)).rename(
        {"tax_per_mu": "亩均税收", "profit_tax_rate": "投资利税率"})
    if rows.is_empty():
        st.info(t("efficiency_none"))
    else:
        charts.show(st, "efficiency_scatter", (sel.month, sel.filters), lambda: charts.efficiency_scatter(rows))


if __name__ == "__main__":
    serve(render)
