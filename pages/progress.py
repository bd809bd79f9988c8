"""项目推进: completion against 时序进度 and a year earlier, starts (序时 and early), resumption, monthly investment,
red/yellow lights, lagging/stopped/zombie (tiles, trends and bars: pages/__init__.py)."""
from __future__ import annotations

import streamlit as st

from ui import cached, charts
from ui.i18n import t
from ui.page import serve
from ui.state import Selection


def render(sel: Selection) -> None:
    """Below the dimension's layout: the investment of each month."""
    st.subheader(t("monthly_investment_title"))
    charts.show(st, "trend", (sel.filters, "monthly_investment", 300), lambda: charts.trend_chart(
        cached.series(sel.filters, ["monthly_investment"]), "monthly_investment", height=300))


if __name__ == "__main__":
    serve(render)
