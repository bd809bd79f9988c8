"""督办 on the meeting screen: the units' board (逾期, 反馈逾期, 临期, 按期办结率 with its bar, 办结/交办), the units with
most overdue first, and beside it the overdue items by unit as cards (those that do not fit are named in one line).
Laid out like 县区比拼's board (layouts.ranking): the rows share the board's height, type from 28 px down to 16."""
from __future__ import annotations

import datetime as dt
import html

import polars as pl
import streamlit as st

from data.duban import CANCELLED, DubanError, load
from metrics import duban as m
from metrics.format import fmt_number, fmt_rate
from reports import duban_demo
from ui import cached
from ui.dimension import Figures
from ui.i18n import t
from ui.screen.layouts import BOARD_H, CARDS_H, _card, _lines
from ui.state import Selection

BOARD_COLS = (6, 30, 11, 13, 10, 18, 12)  # % of the board: 序号, 承办单位, 逾期, 反馈逾期, 临期, 按期办结率, 办结/交办
CONTENT_CHARS = 18  # an item's content on a card is cut to this many characters (the desk shows it whole)


def _board(by: pl.DataFrame, soon: dict[str, int], focus: set[str]) -> str:
    n = max(by.height, 1)
    row_h = min(BOARD_H / n, 66)
    fs = max(16, min(28, int((row_h - 6) / 1.3)))
    pad = max(0, min(16, int((row_h - 4 - fs * 1.25) / 2)))
    rows = []
    for k, r in enumerate(by.iter_rows(named=True), 1):
        rate = r["duban_on_time_rate"]
        bar = f'<span class="kpm-bar" style="width:{(rate or 0) * 40:.0f}%"></span>' if rate is not None else ""
        bad = "kpm-bad" if r["duban_overdue"] else ""
        rows.append(
            f'<tr class="{"focus" if r[m.UNIT] in focus else ""}"><td>{k}</td><td><b>{html.escape(r[m.UNIT])}</b></td>'
            f'<td class="num {bad}">{fmt_number(r["duban_overdue"])}</td>'
            f'<td class="num">{fmt_number(r["duban_feedback_overdue"])}</td>'
            f'<td class="num">{fmt_number(soon.get(r[m.UNIT], 0))}</td>'
            f'<td class="num">{bar}<span class="kpm-score">{fmt_rate(rate)}</span></td>'
            f'<td class="num">{r["duban_closed"]}/{r["duban_assigned"]}</td></tr>')
    names = {i.id: i.zh for i in m.DUBAN_INDICATORS}
    heads = [(t("db_no"), ""), (t("db_unit"), ""), (names["duban_overdue"], "num"),
             (names["duban_feedback_overdue"], "num"), (t("db_due_soon"), "num"), (names["duban_on_time_rate"], "num"),
             (t("db_closed_of"), "num")]
    head = "".join(f'<th class="{c}">{html.escape(h)}</th>' for h, c in heads)
    cols = "".join(f'<col style="width:{w}%">' for w in BOARD_COLS)
    longest = max([len(u) for u in by[m.UNIT].to_list()] or [3])
    return (f'<div class="kpm-boardbox"><table class="kpm-board" style="--fs:{fs}px;--pad:{pad}px;--nl:{longest}">'
            f'<colgroup>{cols}</colgroup><tr>{head}</tr>{"".join(rows)}</table></div>')


def _cards(items: pl.DataFrame, as_of: dt.date) -> list[str]:
    """One card per unit with overdue items (most first): each item's number, days late and content."""
    late = items.filter(pl.col("overdue")).sort("due_on")
    if late.is_empty():
        return [_card("", "", t("db_screen_none"), "red")[1]]
    groups = late.group_by(m.UNIT, maintain_order=True).agg(pl.len().alias("n"), pl.all()).sort(
        ["n", m.UNIT], descending=[True, False])
    cards, rest, used = [], [], 0.0
    for g in groups.iter_rows(named=True):
        lines = [f"{i} {t('db_screen_days').format(n=(as_of - d).days)} {c[:CONTENT_CHARS]}{'…' if len(c) > CONTENT_CHARS else ''}"
                 for i, d, c in zip(g["id"][:3], g["due_on"][:3], g["content"][:3])]
        body = "；".join(lines) + (f"；……共{g['n']}项" if g["n"] > 3 else "")
        _, card, h = _card(g[m.UNIT], f"⚠ {g[m.UNIT]}：{t('db_screen_n').format(n=g['n'])}", body, "warn")
        more = t("db_screen_more").format(n=groups.height - len(cards), names="、".join(groups[m.UNIT][len(cards):]))
        reserve = 20 + 12 + _lines(more, 21) * 21 * 1.45
        if not rest and used + h + (reserve if len(cards) + 1 < groups.height else 0) <= CARDS_H:
            cards.append(card)
            used += h
        else:
            rest.append(g[m.UNIT])
    if rest:
        text = t("db_screen_more").format(n=len(rest), names="、".join(rest))
        cards.append(f'<div class="kpm-card more"><p>{html.escape(text)}</p></div>')
    return cards


def duban(sel: Selection, figures: Figures | None = None) -> None:
    """督办 on the screen, as of today (the demo city: as of its own day): the board and the overdue items (a pinned
    unit is highlighted on the board)."""
    store, is_demo, _ = cached.source()
    as_of = duban_demo.AS_OF if is_demo else dt.date.today()
    try:
        items = m.item_rows(load(store), as_of)
    except DubanError as e:
        st.error(str(e))
        return
    items = items.filter(pl.col("status") != CANCELLED)
    left, right = st.columns([3.4, 1.6], gap="medium")
    title = f'<div class="kpm-h2">{t("db_screen_board")} · {as_of:%Y-%m-%d}</div>'
    if items.is_empty():
        left.markdown(title + f'<div class="kpm-card red"><p>{t("db_screen_empty")}</p></div>', unsafe_allow_html=True)
        return
    by = m.by_unit(items).sort(["duban_overdue", "duban_feedback_overdue", m.UNIT], descending=[True, True, False])
    soon = dict(items.group_by(m.UNIT).agg(pl.col("due_soon").sum()).iter_rows())
    left.markdown(title + _board(by, soon, set(sel.filters.county)), unsafe_allow_html=True)
    right.markdown(f'<div class="kpm-h2">{t("db_screen_overdue")}</div>'
                   f'<div class="kpm-scroll">{"".join(_cards(items, as_of))}</div>', unsafe_allow_html=True)
