"""县区比拼 (formerly /compare): the ranking table with rank change, 红旗/蜗牛, 约谈预警 and why, the gap to target,
red/yellow lights by county, and the monthly bulletin (Word + Excel) in one click. On the screen: the ranking board
(ui.screen.layouts.ranking)."""
from __future__ import annotations

import polars as pl
import streamlit as st

from data.city import city_name
from data.months import months_left
from data.text import DOCX_MIME, XLSX_MIME
from metrics.format import RATE_COLUMN, money_column, score_column
from metrics.plan_gap import GAP_MONEY, gap_headers
from metrics.ranking import RANK_COLUMNS, indicator_of, load_scorecard, ranking_table, scorecard_path
from metrics.registry import BY_ID
from reports import bulletin
from ui import cached, cards, phone, state
from ui.i18n import ind_name, lang, ranking_headers, t
from ui.page import serve
from ui.widgets import in_units, number_config, show_table, unit_configs

LIGHT_IDS = ["red_projects", "yellow_projects", "project_count"]  # 三色预警 by county


def bulletin_buttons(sel: state.Selection) -> None:
    """月通报 for this month and selection, generated when clicked (never on page load)."""
    ds, month, filters = cached.dataset(), sel.month, sel.filters
    name = f"{city_name()}重点项目建设情况通报_{month}"
    c1, c2, _ = st.columns([2, 2, 4])
    c1.download_button(t("bulletin_docx"), lambda: bulletin.office_bulletin(ds, cached.source()[0], month, filters),
                       f"{name}.docx", DOCX_MIME, key="bulletin_docx", help=t("bulletin_help"),
                       icon=":material/description:", on_click="ignore", type="primary")
    c2.download_button(t("bulletin_xlsx"), lambda: bulletin.build_workbook(ds, month, filters), f"{name}.xlsx",
                       XLSX_MIME, key="bulletin_xlsx", help=t("bulletin_help"), icon=":material/table_view:",
                       on_click="ignore")


def render(sel: state.Selection) -> None:
    """The scorecard, the bulletin buttons, the ranking and why, the gap to the year's plan, the lights by county."""
    card = load_scorecard()
    items = ("，" if lang() == "zh" else ", ").join(f"{ind_name(i.id)} {i.weight:g}" for i in card.items)
    st.caption(t("scorecard_caption").format(items=items, months=card.warning_months, places=card.warning_places))
    bulletin_buttons(sel)
    r = cached.ranking(sel.month, sel.filters)
    heads = ranking_headers()
    # metrics.format's rule: rates ×100 under (%) with one decimal; scores with enough decimals to tell the
    # ranks apart; the grid and the files show the same.
    units = {ind_name(i.id): RATE_COLUMN for i in card.items if indicator_of(i.id).is_rate}
    cfg = unit_configs(units)
    cfg[heads["score"]] = number_config(score_column(r.get_column("score").to_list(), r.get_column("rank").to_list()))
    cfg[RANK_COLUMNS["explanation"][0]] = st.column_config.TextColumn(width="large")
    # Tables are built once per selection, store content and language for every viewer (cached.table).
    with phone.desk("ranking"):
        show_table(lambda: in_units(ranking_table(r, RANK_COLUMNS, text=("rank_change",),
                                                  indicators=[i.id for i in card.items], headers=heads,
                                                  indicator_header=ind_name), units),
                   f"县区排名_{sel.month}", key="ranking", column_config=cfg, cache=(sel.month, sel.filters),
                   cache_files=(scorecard_path(), cached.source()[0].root / "duban.jsonl"))   # 按期办结率 may score
    phone.cards("ranking", cards.ranking_cards(r, ranking_table(r, ("score",), text=True).to_series(), card))

    st.subheader(t("warning_why"))
    warned = r.filter(pl.col("warning"))
    if warned.is_empty():
        st.success(t("no_warning"))
    for row in warned.iter_rows(named=True):
        flag = f"，{row['flag']}" if row["flag"] else ""
        st.error(f"**⚠ {row['county']}（第{row['rank']}名{flag}）**：{row['explanation']}")

    st.subheader(t("gap_title"))
    year_end = months_left(sel.month) == 0
    # December: no month is left to spread the shortfall over, so those columns would be empty.
    dropped = ("months_left", "monthly_needed", "next_month_needed") if year_end else ()
    gap = cached.gap_to_target(sel.month, sel.filters).drop(dropped)
    money = money_column(v for c in GAP_MONEY if c in gap.columns for v in gap.get_column(c).to_list())
    names = gap_headers("")  # headers without a unit: in_units adds each column's
    units = {names[c]: money for c in GAP_MONEY} | {names[c]: RATE_COLUMN
                                                    for c in ("investment_completion_rate", "time_schedule")}

    def gap_table() -> pl.DataFrame:
        return in_units(gap.rename(names, strict=False), units)

    with phone.desk("gap"):
        show_table(gap_table, f"距年度目标_{sel.month}", key="gap", column_config=unit_configs(units),
                   cache=(sel.month, sel.filters, money.unit))
    phone.cards("gap", cards.gap_cards(gap))
    st.caption(t("gap_caption_year_end") if year_end else t("gap_caption"))

    st.subheader(t("lights_title"))
    cols = [pl.col("county").alias(t("county")), *(pl.col(i).alias(ind_name(i)) for i in LIGHT_IDS)]
    show_table(lambda: cached.compute([sel.month], sel.filters, "county", LIGHT_IDS).sort(
        ["red_projects", "yellow_projects", "county"], descending=[True, True, False]).select(cols),
        f"三色预警_{sel.month}", key="lights", cache=(sel.month, sel.filters))
    st.caption(t("lights_caption"))


if __name__ == "__main__":
    serve(render)
