"""督办's desk view: the filters (unit, source, tier, state, project), the five indicators as tiles and per unit, the
items by unit with 逾期 red, 临期 amber and 反馈逾期 marked, and one item's full history. Every figure comes from
metrics/duban.py; this module only shows it."""
from __future__ import annotations

import datetime as dt
import html

import pandas as pd
import polars as pl
import streamlit as st

from data.duban import OPEN_STATES, SOURCES, STATES, Ledger
from data.duban_days import TIERS
from data.text import DASH
from metrics import duban as m
from metrics.format import fmt_number, fmt_rate
from ui import phone
from ui.charts import BAD, NEUTRAL
from ui.duban import cards
from ui.i18n import lang, t
from ui.widgets import md_escape, tile_grid
from ui.widgets import tile_html as widget_tile  # the house's tile; tile_html here is 督办's

OVERDUE_BG, SOON_BG = "#fde0dd", "#fff3c4"   # 逾期 red, 临期 amber (the rows' background; the 预警 column says it)
# The items' columns as the desk shows them, with their label keys.
ITEM_COLUMNS = {"id": "db_id", "unit": "db_unit", "mark": "db_mark", "content": "db_content", "tier": "db_tier",
                "source": "db_source", "project_id": "db_project", "assigned_on": "db_assigned_on",
                "due_on": "db_due_on", "status": "db_state"}


def mark_expr() -> pl.Expr:
    """逾期 / 临期 / 反馈逾期 in words (the colour alone would not reach a printout or a colour-blind reader)."""
    return pl.concat_str([pl.when(pl.col("overdue")).then(pl.lit(t("db_overdue"))),
                          pl.when(pl.col("due_soon")).then(pl.lit(t("db_due_soon"))),
                          pl.when(pl.col("feedback_overdue")).then(pl.lit(t("db_feedback_overdue")))],
                         separator="、", ignore_nulls=True).fill_null("")


def filters(rows: pl.DataFrame, key: str = "db") -> tuple[pl.DataFrame, pl.DataFrame]:
    """The desk's filters, each empty for all: (the items of the units, sources, tiers and projects chosen — what
    the indicators count —, those of them in the states chosen, open only by default — what the list shows)."""
    # folded, and named by what is chosen: on a phone five open filters took the first two screens before any figure
    active = [t(f"db_{name}") for name in ("unit", "project", "source", "tier", "state")
              if st.session_state.get(f"{key}_{name}")]
    label = t("db_filters").format(chosen="、".join(active) if active else t("all"))
    box = st.expander(label, expanded=bool(active), icon=":material/filter_list:")
    top, low = box.columns(2), box.columns([1, 1, 2])
    picks = {
        "unit": top[0].multiselect(t("db_unit"), sorted(set(rows["unit"])), key=f"{key}_unit", placeholder=t("all")),
        "project_id": top[1].multiselect(t("db_project"), sorted(set(rows["project_id"].drop_nulls())),
                                         key=f"{key}_project", placeholder=t("all")),
        "source": low[0].multiselect(t("db_source"), SOURCES, key=f"{key}_source", placeholder=t("all")),
        "tier": low[1].multiselect(t("db_tier"), TIERS, key=f"{key}_tier", placeholder=t("all")),
    }
    states = low[2].multiselect(t("db_state"), STATES, key=f"{key}_state", placeholder=t("all"))
    open_only = st.toggle(t("db_open_only"), value=True, key=f"{key}_open")
    for col, chosen in picks.items():
        if chosen:
            rows = rows.filter(pl.col(col).is_in(chosen))
    shown = rows.filter(pl.col("status").is_in(states)) if states else rows
    return rows, shown.filter(pl.col("status").is_in(list(OPEN_STATES))) if open_only else shown


def tile_html(ind: m.DubanIndicator, value, n_units: int) -> str:
    """One tile in the house's KPI style: red for overdue counts above 0 and a rate below the half, grey else."""
    bad = (ind.direction == "lower" and (value or 0) > 0) or (ind.unit == "%" and value is not None and value < 0.5)
    text = fmt_rate(value) if ind.unit == "%" else f"{fmt_number(value)} {ind.unit}"
    name = html.escape(ind.en if lang() == "en" else ind.zh)
    return widget_tile(BAD if bad else NEUTRAL, name, html.escape(ind.caliber), html.escape(text),
                       t("db_tile_units").format(n=n_units))


def tiles(rows: pl.DataFrame) -> None:
    """The five indicators over the items in scope, each with its 口径 on ⓘ (five to a row, fewer where narrow)."""
    values = m.total(rows)
    units = rows[m.UNIT].n_unique()
    tile_grid([tile_html(i, values[i.id], units) for i in m.DUBAN_INDICATORS], 5)


def unit_table(rows: pl.DataFrame) -> None:
    """The five indicators per 承办单位, the units with most overdue first."""
    st.markdown(f"##### {t('db_by_unit')}")
    by = m.by_unit(rows).sort(["duban_overdue", "duban_feedback_overdue", m.UNIT], descending=[True, True, False])
    # formatted in Python, not in a Polars UDF (tests/test_load_protocol.py: a UDF beside to_pandas deadlocks)
    shown = by.with_columns(pl.Series("duban_on_time_rate", [fmt_rate(v) for v in by["duban_on_time_rate"]],
                                      dtype=pl.String))
    heads = {m.UNIT: t("db_unit"), **{i.id: (i.en if lang() == "en" else i.zh) for i in m.DUBAN_INDICATORS}}
    phone.desk("db_units").dataframe(shown.rename(heads), hide_index=True, width="stretch", key="db_unit_table")
    phone.cards("db_units", cards.unit_cards(by))   # a narrow window: a card a unit


def items_table(rows: pl.DataFrame, key: str, by_unit: bool = True) -> None:
    """The items by unit, the most urgent first within a unit (or in the order given), coloured by their warning."""
    rows = rows.with_columns(mark=mark_expr())
    if by_unit:
        rows = rows.sort(["unit", "overdue", "due_on", "id"], descending=[False, True, False, False])
    # dates and empty cells as text: a styled table shows a pandas date as a timestamp and a null as None
    shown = (rows.select(list(ITEM_COLUMNS)).with_columns(pl.col(pl.Date).dt.to_string("%Y-%m-%d"))
             .with_columns(pl.col(pl.String).fill_null(DASH))
             .rename({c: t(k) for c, k in ITEM_COLUMNS.items()}).to_pandas())
    red = [i for i, v in enumerate(rows["overdue"]) if v]
    amber = [i for i, v in enumerate(rows["due_soon"]) if v]
    styled = shown.style
    for idx, bg in ((red, OVERDUE_BG), (amber, SOON_BG)):   # whole rows coloured, by position (no Python UDF)
        if idx:
            styled = styled.set_properties(subset=pd.IndexSlice[idx, :], **{"background-color": bg})
    phone.desk(key).dataframe(styled, hide_index=True, width="stretch", key=key,
                              column_config={t("db_content"): st.column_config.TextColumn(width="large"),
                                             t("db_mark"): st.column_config.TextColumn(width="medium")})
    phone.cards(key, cards.item_cards(rows))   # a narrow window: a card an item


def history(ledger: Ledger, rows: pl.DataFrame, key: str) -> None:
    """A chooser over the items shown, then the chosen item's facts and every step: date, step, who, when, text."""
    ids = rows["id"].to_list()
    pick = st.selectbox(t("db_pick"), ids, index=None, key=key, placeholder=t("db_pick_ph"),
                        format_func=lambda i: f"{i} · {ledger.items[i].unit} · {ledger.items[i].content[:30]}")
    if not pick:
        return
    item = ledger.item(pick)
    facts = [item.id, item.unit, f"{t('db_tier')} {item.tier}", f"{t('db_source')} {item.source}",
             f"{t('db_assigned_on')} {item.assigned_on}", f"{t('db_due_on')} {item.at().due_on}",
             f"{t('db_co_units')} {'、'.join(item.co_units) or DASH}", f"{t('db_leader')} {item.leader or DASH}"]
    if item.meeting:
        facts.append(item.meeting)
    st.caption(" · ".join(md_escape(f) for f in facts))
    st.markdown(f"##### {t('db_history')}")
    steps = pl.DataFrame(item.history(), schema={"on": pl.Date, "step": pl.String, "user": pl.String,
                                                 "time": pl.String, "text": pl.String}, orient="row")
    phone.desk(f"{key}_steps").dataframe(steps.rename({c: t(f"db_h_{c}") for c in steps.columns}),
                                         hide_index=True, width="stretch", key=f"{key}_steps")
    phone.cards(f"{key}_steps", cards.step_cards(steps))


def desk(ledger: Ledger, rows: pl.DataFrame) -> pl.DataFrame:
    """The whole desk view of `rows` (metrics.duban.item_rows of the ledger); returns the rows shown (the downloads
    start from them)."""
    if rows.is_empty():
        st.info(t("db_empty"))
        return rows
    scope, rows = filters(rows)
    tiles(scope)
    if not scope.is_empty():
        unit_table(scope)
    st.markdown(f"##### {t('db_items')}")
    if rows.is_empty():
        st.info(t("db_none"))
        return rows
    items_table(rows, "db_items_table")
    history(ledger, rows, "db_history_pick")
    return rows
