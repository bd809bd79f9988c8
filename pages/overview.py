"""总览: the cockpit — headline KPIs against targets, completion vs 时序进度, the county map, heat table, watch lists."""
from __future__ import annotations

import streamlit as st

from metrics.registry import HEADLINE, HEAT
from ui import cached, cards, charts, geomap, phone
from ui.i18n import t
from ui.page import serve
from ui.state import Selection
from ui.widgets import kpi_row, month_num


def render(sel: Selection) -> None:
    """The eight headline tiles, completion against 时序进度 and the watch lists, the county map, then every county on ten
    indicators."""
    mapped = geomap.request(sel)  # the map's values, when a picked county makes them differ from the heat table's
    frames = cached.page_frames(sel.month, sel.filters, HEADLINE, (*HEAT, geomap.indicator()),
                                also=(mapped,) if mapped else ())
    kpi_row(list(HEADLINE), sel, frames.months)
    left, right = st.columns([3, 2])
    view = (sel.month, sel.filters)
    charts.show(left, "trend", (sel.filters, "investment_completion_rate", 320), lambda: charts.trend_chart(
        frames.months, "investment_completion_rate", height=320))
    charts.show(right, "lists", view, lambda: charts.lists_chart(
        cached.list_counts(sel.month, sel.filters), text_size=14, label_limit=220))
    right.caption(t("lists_caption"))

    st.subheader(t("geomap_title"))
    geomap.desk(sel, by=frames.also[0] if mapped else frames.counties)  # a click on a county narrows the view to it

    st.subheader(t("heat_title"))
    charts.show(phone.desk("heat"), "heat", (*view, HEAT),
                lambda: charts.heat_table(frames.counties, list(HEAT), month_num(sel)))
    phone.cards("heat", cards.heat_cards(frames.counties, HEAT, month_num(sel)))  # a narrow window: a card a county
    st.caption(t("heat_caption"))


if __name__ == "__main__":
    serve(render)
