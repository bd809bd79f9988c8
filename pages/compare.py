"""县区比拼: the ranking table with rank change, 红旗/蜗牛, 约谈预警 and why, and the gap to target."""
from __future__ import annotations

import polars as pl
import streamlit as st

from metrics.ranking import load_scorecard
from metrics.registry import BY_ID
from metrics.watchlists import GAP_ZH
from ui import data, state
from ui.i18n import ind_name
from ui.widgets import guard, page_title, show_table

sel = state.current()
page_title("pages_compare", sel)
if guard(sel):
    card = load_scorecard()
    st.caption("评分表：" + "，".join(f"{ind_name(i.id)} {i.weight:g}" for i in card.items)
               + f"；约谈预警：连续{card.warning_months}个月排名后{card.warning_places}位。")
    r = data.ranking(sel.month, sel.filters)
    arrow = pl.when(pl.col("rank_change").is_null()).then(pl.lit("—")).when(pl.col("rank_change") > 0).then(
        pl.format("↑{}", pl.col("rank_change"))).when(pl.col("rank_change") < 0).then(
        pl.format("↓{}", -pl.col("rank_change"))).otherwise(pl.lit("→0"))
    table = r.select(
        pl.col("rank").alias("名次"), pl.col("county").alias("县区"), pl.col("score").round(1).alias("综合得分"),
        arrow.alias("名次变化"), pl.col("flag").fill_null("").alias("标识"),
        pl.when(pl.col("warning")).then(pl.lit("⚠ 约谈预警")).otherwise(pl.lit("")).alias("预警"),
        *[pl.col(i.id).alias(ind_name(i.id)) for i in card.items],
        pl.col("explanation").alias("失分说明"))
    cfg = {ind_name(i.id): st.column_config.NumberColumn(format="percent") for i in card.items if BY_ID[i.id].is_rate}
    show_table(table, f"县区排名_{sel.month}", key="ranking", column_config=cfg)
    st.subheader("距年度目标")
    gap = data.gap_to_target(sel.month, sel.filters)
    show_table(gap.rename(GAP_ZH), f"距年度目标_{sel.month}", key="gap",
               column_config={GAP_ZH["investment_completion_rate"]: st.column_config.NumberColumn(format="percent"),
                              GAP_ZH["time_schedule"]: st.column_config.NumberColumn(format="percent")})
