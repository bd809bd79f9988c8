"""县区对比 (formerly /duel): 2–4 counties side by side — the same KPI tiles in aligned columns, trend small multiples
on a shared scale, the scorecard's scaled scores as parallel coordinates, and every figure with its n.

Each county is measured with the sidebar's filters except the county filter (as in the ranking). The chosen
counties stay in the URL (`?vs=高新区&vs=石门县`, or `?vs=高新区,石门县` typed by hand); by default the month's 红旗 and 蜗牛
(ui/comparison.py: the same rule as the screen's board, ui.screen.comparison).
"""
from __future__ import annotations

import polars as pl
import streamlit as st

from data.months import to_month
from metrics.ranking import RED, SNAIL, load_scorecard, ranking_table
from metrics.registry import BY_ID
from ui import cached, cards, charts, comparison, phone
from ui.comparison import MAX_COUNTIES, URL_KEY
from ui.i18n import ind_name, t
from ui.page import serve
from ui.state import Selection
from ui.widgets import kpi_tile_html, md_escape, show_table, tile_grid

TILES = ["investment_completion_rate", "schedule_deviation", "start_rate", "resume_rate", "completed_ytd_sum",
         "monthly_investment", "private_share", "industrial_share", "procedures_complete_rate", "signed_start_rate",
         "lagging_projects", "stopped_projects"]
TRENDS = ["investment_completion_rate", "start_rate", "private_share"]
PICKED = "duel_counties"  # the chooser's session key


def _pick(rank: pl.DataFrame, counties: list[str]) -> list[str]:
    """The chooser, seeded once from the link (vs=) or the month's 红旗 and 蜗牛; the choice is written back to it."""
    if PICKED not in st.session_state:
        from_url = [c for c in comparison.asked(st.query_params.get_all(URL_KEY)) if c in counties][:MAX_COUNTIES]
        st.session_state[PICKED] = from_url or [c for c in comparison.flagged(rank) if c in counties]
    picked = st.multiselect(t("duel_pick"), counties, key=PICKED, max_selections=MAX_COUNTIES, select_all=False,
                            placeholder=t("duel_pick_ph"))
    if st.query_params.get_all(URL_KEY) != picked:
        st.query_params[URL_KEY] = picked
    return picked


def _heads(picked: list[str], rank: pl.DataFrame) -> None:
    """A column head per county: its name, rank, score (as the ranking prints it) and marks (the tiles below line up
    with them)."""
    flags = {r["county"]: r for r in rank.iter_rows(named=True)}
    scores = dict(zip(rank.get_column("county").to_list(), ranking_table(rank, ("score",), text=True).to_series()))
    for col, c in zip(st.columns(len(picked)), picked):
        r = flags.get(c)
        badge = ""
        if r:
            badge = f"{t('rank_n').format(n=r['rank'])} · {t('score')} {scores[c]}"
            badge += {RED: f" :green-badge[{RED}]", SNAIL: f" :red-badge[{SNAIL}]"}.get(r["flag"], "")
            badge += f" :orange-badge[⚠ {t('interview_warning')}]" if r["warning"] else ""
        col.markdown(f"### {md_escape(c)}\n{badge}")


def render(sel: Selection) -> None:
    """The chooser, then tiles row by row, trends on one scale, the scorecard's scores and the figures table."""
    card = load_scorecard()
    base = sel.filters.without("county")
    rank = cached.ranking(sel.month, base)
    flags = {r["county"]: r for r in rank.iter_rows(named=True)}
    picked = _pick(rank, cached.options().get("county", []))
    if len(picked) < 2:
        st.info(t("duel_need_two"))
        st.stop()
    ids = list(dict.fromkeys(TILES + [i.id for i in card.items if i.id in BY_ID]))   # snapshot indicators
    now, before = comparison.county_rows(sel.month, base, ids, picked)

    st.subheader(t("duel_tiles"))
    m = to_month(sel.month)
    with phone.desk("duel_tiles"):  # a row per indicator, a column per county, lined up with the heads' columns
        _heads(picked, rank)
        tile_grid((kpi_tile_html(BY_ID[iid], now.get(c, {}).get(iid), before.get(c, {}).get(iid),
                                 now.get(c, {}).get(f"n__{iid}"), m.month) for iid in TILES for c in picked),
                  len(picked), fixed=True)
    phone.cards("duel_tiles", cards.comparison_grid(TILES, picked, now, m.month, flags))  # counties head the columns

    # Small multiples: one row per indicator, one column per county, the same y scale everywhere in a row.
    st.subheader(t("duel_trends"))
    series = cached.series(base, TRENDS, by="county").filter(pl.col("county").is_in(picked))
    width = max(180, int(1100 / len(picked)))
    desk, narrow = phone.desk("duel_trends"), phone.phone("duel_trends")
    for iid in TRENDS:
        ref_name = t("time_schedule") if BY_ID[iid].target == "time_schedule" else t("target")
        charts.show(desk, "duel_trend", (base, iid, tuple(picked), width), lambda iid=iid, ref_name=ref_name:
                    charts.duel_trend(comparison.trend_frame(series, iid), iid, picked, width, ref_name), width=None)
        # a narrow window: the counties as coloured lines in one chart as wide as the window
        charts.show(narrow, "trend", (base, iid, tuple(picked), "county"), lambda iid=iid:
                    charts.for_phone(charts.trend_chart(series, iid, color="county", height=240)))

    st.subheader(t("duel_scores"))
    if any(c in flags for c in picked):
        scores = comparison.scores_frame(picked, flags, card)
        names = [ind_name(i.id) for i in card.items]
        charts.show(phone.desk("duel_scores"), "duel_scores", (sel.month, base, tuple(picked), card),
                    lambda: charts.duel_scores(scores, names, picked))
        charts.show(phone.phone("duel_scores"), "duel_scores", (sel.month, base, tuple(picked), card, "phone"),
                    lambda: charts.for_phone(charts.duel_scores(scores, names, picked, label_angle=-40)))
        st.caption(t("duel_scores_caption"))

    with phone.desk("duel_table"):  # the figures with n beside each rate, downloadable (a phone has them above)
        st.subheader(t("duel_table"))
        show_table(comparison.figures_table(ids, picked, now), f"县区对比_{sel.month}", key="duel_table",
                   height="content")


if __name__ == "__main__":
    serve(render)
