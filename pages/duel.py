"""县区对比: 2–4 counties side by side — the same KPI tiles in aligned columns, trend small multiples on a shared
scale, the scorecard's scaled scores as parallel coordinates, and every figure with its n.

Each county is measured with the sidebar's filters except the county filter (as in the ranking). The chosen
counties stay in the URL (`?vs=高新区&vs=石门县`, or `?vs=高新区,石门县` typed by hand); by default the month's 红旗 and 蜗牛.
In screen mode: the side-by-side board (ui.screen.duel).
"""
from __future__ import annotations

import polars as pl
import streamlit as st

from data.months import to_month
from metrics.format import format_value
from metrics.ranking import RED, SNAIL, load_scorecard, ranking_table
from metrics.registry import BY_ID
from ui import cached, charts, screen, state
from ui.i18n import ind_name, t
from ui.widgets import guard, kpi_tile_html, md_escape, page_title, show_table, tile_grid, with_previous

TILES = ["investment_completion_rate", "schedule_deviation", "start_rate", "resume_rate", "completed_ytd_sum",
         "monthly_investment", "private_share", "industrial_share", "procedures_complete_rate", "signed_start_rate",
         "lagging_projects", "stopped_projects"]
TRENDS = ["investment_completion_rate", "start_rate", "private_share"]
URL_KEY = "vs"

sel = state.current()
page_title("pages_duel", sel)
if screen.active():
    screen.duel(sel)
elif guard(sel):
    card = load_scorecard()
    base = sel.filters.without("county")
    counties = cached.options().get("county", [])
    rank = cached.ranking(sel.month, base)
    flags = {r["county"]: r for r in rank.iter_rows(named=True)}
    scores = dict(zip(rank.get_column("county").to_list(), ranking_table(rank, ("score",), text=True).to_series()))
    default = ([c for c in rank.filter(pl.col("flag") == RED)["county"].to_list()[:1]]
               + [c for c in rank.filter(pl.col("flag") == SNAIL)["county"].to_list()[-1:]])
    if "duel_counties" not in st.session_state:
        # ?vs=高新区&vs=石门县 or ?vs=高新区,石门县
        from_url = [c for v in st.query_params.get_all(URL_KEY) for c in v.split(",") if c in counties][:4]
        st.session_state["duel_counties"] = from_url or [c for c in dict.fromkeys(default) if c in counties]
    picked = st.multiselect(t("duel_pick"), counties, key="duel_counties", max_selections=4, select_all=False,
                            placeholder=t("duel_pick_ph"))
    if st.query_params.get_all(URL_KEY) != picked:
        st.query_params[URL_KEY] = picked
    if len(picked) < 2:
        st.info(t("duel_need_two"))
        st.stop()

    m = to_month(sel.month)
    months = with_previous(sel.month)
    ids = list(dict.fromkeys(TILES + [i.id for i in card.items]))
    by = cached.compute(months, base, "county", ids).filter(pl.col("county").is_in(picked))
    now = {r["county"]: r for r in by.filter(pl.col("snapshot_month") == m).iter_rows(named=True)}
    before = {r["county"]: r for r in by.filter(pl.col("snapshot_month") != m).iter_rows(named=True)}

    # Column heads: county, rank, flags — then one row per indicator so tiles line up across counties.
    st.subheader(t("duel_tiles"))
    cols = st.columns(len(picked))
    for col, c in zip(cols, picked):
        r = flags.get(c)
        badge = ""
        if r:
            badge = f"{t('rank_n').format(n=r['rank'])} · {t('score')} {scores[c]}"
            badge += {RED: f" :green-badge[{RED}]", SNAIL: f" :red-badge[{SNAIL}]"}.get(r["flag"], "")
            badge += f" :orange-badge[⚠ {t('interview_warning')}]" if r["warning"] else ""
        col.markdown(f"### {md_escape(c)}\n{badge}")
    # a row per indicator, a column per county, lined up with the heads' columns
    tile_grid((kpi_tile_html(BY_ID[iid], now.get(c, {}).get(iid), before.get(c, {}).get(iid),
                             now.get(c, {}).get(f"n__{iid}"), m.month) for iid in TILES for c in picked),
              len(picked), fixed=True)

    # Small multiples: one row per indicator, one column per county, the same y scale everywhere in a row.
    st.subheader(t("duel_trends"))
    series = cached.series(base, TRENDS, by="county").filter(pl.col("county").is_in(picked))
    width = max(180, int(1100 / len(picked)))
    for iid in TRENDS:
        ind = BY_ID[iid]
        ref_name = t("time_schedule") if ind.target == "time_schedule" else t("target")

        def trend_frame(iid=iid, ind=ind) -> pl.DataFrame:  # built only when this view's chart is new
            d = series.select(pl.col("snapshot_month").dt.strftime("%Y-%m").alias("月份"),
                              pl.col("county").alias("县区"), pl.col(iid).alias("值"), pl.col(f"n__{iid}").alias("n"),
                              pl.col("snapshot_month").dt.year().alias("年"),
                              pl.col("snapshot_month").dt.month().alias("_m"))
            target = [ind.target_for(x) for x in d["_m"].to_list()]
            return d.with_columns(pl.Series("目标", target, dtype=pl.Float64)).drop("_m")

        charts.show(st, "duel_trend", (base, iid, tuple(picked), width),
                    lambda: charts.duel_trend(trend_frame(), iid, picked, width, ref_name), width=None)

    # Parallel coordinates of the scorecard's scaled scores (0–100 among all counties this month).
    st.subheader(t("duel_scores"))
    order = [ind_name(i.id) for i in card.items]

    def scores() -> pl.DataFrame:
        return pl.DataFrame([{"县区": c, "指标": ind_name(i.id), "得分": flags[c][f"scaled__{i.id}"],
                              "值": format_value(i.id, flags[c][i.id]), "权重": i.weight}
                             for c in picked if c in flags for i in card.items])

    if any(c in flags for c in picked):
        charts.show(st, "duel_scores", (sel.month, base, tuple(picked), card),
                    lambda: charts.duel_scores(scores(), order, picked))
        st.caption(t("duel_scores_caption"))

    # The figures with n beside each rate, downloadable.
    st.subheader(t("duel_table"))
    rows = []
    for iid in ids:
        ind = BY_ID[iid]
        row = {t("indicator"): ind_name(iid)}
        for c in picked:
            row[c] = format_value(ind, now.get(c, {}).get(iid))
            row[f"{c} n"] = now.get(c, {}).get(f"n__{iid}")
        rows.append(row)
    show_table(pl.DataFrame(rows, strict=False), f"县区对比_{sel.month}", key="duel_table", height="content")
