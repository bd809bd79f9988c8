"""县区比拼: the ranking table with rank change, 红旗/蜗牛, 约谈预警 and why, the gap to target, and the monthly
bulletin (Word + Excel) in one click. In screen mode: the ranking board (ui.screen.ranking)."""
from __future__ import annotations

import polars as pl
import streamlit as st

from metrics import bulletin
from metrics.engine import to_month
from metrics.ranking import load_scorecard
from metrics.registry import BY_ID
from metrics.watchlists import GAP_ZH
from ui import data, screen, state
from ui.i18n import ind_name, t
from ui.widgets import guard, page_title, show_table

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def bulletin_buttons(sel: state.Selection) -> None:
    """月通报 for this month and selection, generated when clicked (never on page load)."""
    ds, month, filters = data.dataset(), sel.month, sel.filters
    name = f"{bulletin.city_name()}重点项目建设情况通报_{month}"
    c1, c2, _ = st.columns([2, 2, 4])
    c1.download_button(t("bulletin_docx"), lambda: bulletin.build_bulletin(ds, month, filters), f"{name}.docx", DOCX,
                       key="bulletin_docx", help=t("bulletin_help"), icon=":material/description:", on_click="ignore",
                       type="primary")
    c2.download_button(t("bulletin_xlsx"), lambda: bulletin.build_workbook(ds, month, filters), f"{name}.xlsx", XLSX,
                       key="bulletin_xlsx", help=t("bulletin_help"), icon=":material/table_view:", on_click="ignore")


sel = state.current()
if screen.active():
    screen.ranking(sel)
else:
    page_title("pages_compare", sel)
    if guard(sel):
        card = load_scorecard()
        st.caption("评分表：" + "，".join(f"{ind_name(i.id)} {i.weight:g}" for i in card.items)
                   + f"；约谈预警：连续{card.warning_months}个月排名后{card.warning_places}位。")
        bulletin_buttons(sel)
        r = data.ranking(sel.month, sel.filters)
        table = r.select(
            pl.col("rank").alias("名次"), pl.col("county").alias("县区"), pl.col("score").round(1).alias("综合得分"),
            # In Python, not map_elements: see ui/dimension.by_county_table (a deadlock under many viewers).
            pl.Series("名次变化", [bulletin.rank_change_text(v) for v in r.get_column("rank_change").to_list()],
                      dtype=pl.String),
            pl.col("flag").fill_null("").alias("标识"),
            pl.when(pl.col("warning")).then(pl.lit("⚠ 约谈预警")).otherwise(pl.lit("")).alias("预警"),
            *[pl.col(i.id).alias(ind_name(i.id)) for i in card.items],
            pl.col("explanation").alias("失分说明"))
        cfg = {ind_name(i.id): st.column_config.NumberColumn(format="percent") for i in card.items
               if BY_ID[i.id].is_rate}
        cfg["失分说明"] = st.column_config.TextColumn(width="large")
        cfg["预警"] = st.column_config.TextColumn(width=100)  # "⚠ 约谈预警" in full, not clipped to "⚠ 约谈"
        show_table(table, f"县区排名_{sel.month}", key="ranking", column_config=cfg)

        st.subheader(t("warning_why"))
        warned = r.filter(pl.col("warning"))
        if warned.is_empty():
            st.success(t("no_warning"))
        for row in warned.iter_rows(named=True):
            flag = f"，{row['flag']}" if row["flag"] else ""
            st.error(f"**⚠ {row['county']}（第{row['rank']}名{flag}）**：{row['explanation']}")

        st.subheader(t("gap_title"))
        gap = data.gap_to_target(sel.month, sel.filters)
        year_end = to_month(sel.month).month == 12
        if year_end:  # December: no month is left to spread the shortfall over, so those columns would be empty
            gap = gap.drop("months_left", "monthly_needed", "next_month_needed")
        money = [c for c in ("plan_investment_sum", "completed_ytd_sum", "shortfall", "monthly_needed",
                             "next_month_needed") if c in gap.columns]
        gap = gap.with_columns(pl.col(money).round(2))  # 万元 to the 百元, as the ledgers are kept
        cfg = {GAP_ZH[c]: st.column_config.NumberColumn(format="localized") for c in money}
        cfg |= {GAP_ZH[c]: st.column_config.NumberColumn(format="percent")
                for c in ("investment_completion_rate", "time_schedule")}
        show_table(gap.rename(GAP_ZH, strict=False), f"距年度目标_{sel.month}", key="gap", column_config=cfg)
        st.caption(t("gap_caption_year_end") if year_end else t("gap_caption"))
