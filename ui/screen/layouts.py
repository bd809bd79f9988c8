"""The screen's layouts: the header, and 总览, a dimension page and 县区比拼 as the meeting room sees them (8 big
tiles and 2 charts, or the ranking board), each laid out in design px for a screen 1080 high and 1440–1920+ wide
(theme.DESIGN_H: the screen is zoomed to the window), filling it without scrolling."""
from __future__ import annotations

import html
import math

import polars as pl
import streamlit as st

from data.city import city_name
from data.months import month_zh, to_month
from data.text import DASH
from metrics.format import fmt_count, fmt_rate, money_column
from metrics.indicator import meets
from metrics.ranking import RED, SNAIL, ranking_table
from metrics.registry import BY_ID
from ui import cached
from ui.dimension import Figures
from ui.i18n import ind_name, lang, ranking_headers, t
from ui.screen import charts
from ui.screen.theme import draw, show, specs
from ui.state import Selection
from ui.widgets import guard, kpi_row, month_num

CHART_H = 440  # two rows of tiles and one row of charts fill 1080 design px below the header
TILE_ROW = 210  # one row of tiles with the gap under it: what the charts gain where they need the height
BOARD_H = 820  # the ranking board's rows share this height (1080 less the header, the title and the column heads)
BOARD_COLS = (5, 28, 15, 9, 19, 11, 13)  # % of the board: 名次, 县区, 得分, 变化, 标识, 完成率, 每月需完成
CARDS_H = 790  # the 约谈预警 panel's height; cards past it are named in one line
CARD_TEXT_W = 340  # a card's text width on the narrowest screen (4:3: 1440 design px wide), less what line breaks waste
COMPLETION = "investment_completion_rate"
LIGHTS = ["red_projects", "yellow_projects"]  # the overview's count line


def header(container, title: str, sel: Selection) -> None:
    """City, page, month, county (or all), data as of, and the month's 报送情况."""
    latest, imported, is_demo = cached.as_of()
    asof = f"{t('data_as_of')} {latest}"
    if imported:
        asof += f" · {t('imported_at')} {imported[:16]}"
    if is_demo:
        asof += f" · {t('screen_demo')}"
    county = "、".join(sel.filters.county)
    month_txt = month_zh(sel.month) if sel.month else DASH
    container.markdown(
        f'<div class="kpm-head kpm-screen-on"><div class="kpm-city">{html.escape(city_name())}'
        f'<span class="kpm-page">{html.escape(title)}</span></div>'
        f'<div class="kpm-meta"><b>{html.escape(month_txt)}</b>'
        + (f' · <b class="kpm-county">{html.escape(county)}</b>' if county else f" · {t('screen_all')}")
        + f' · {html.escape(asof)}</div>'
        + (f'<div class="kpm-meta kpm-report">{html.escape(cached.report_line(sel.month, lang()))}</div>' if sel.month else "")
        + '</div>', unsafe_allow_html=True)


def overview(sel: Selection, figures: Figures) -> None:
    """总览 on the screen: 8 big tiles, completion vs 时序进度 over the months, and the counties (or lists)."""
    if not guard(sel):
        return
    tiles, one_county = figures.tile_ids[:8], len(sel.filters.county) == 1
    frames = cached.page_frames(sel.month, sel.filters, [*tiles, COMPLETION, *LIGHTS],
                                [] if one_county else [COMPLETION], sel.filters.without("county"))
    tiles, height = _room(tiles, 0 if one_county else frames.counties.height)
    kpi_row(tiles, sel, frames.months, per_row=4)
    left, right = st.columns(2)
    show(left, "trend", (sel.filters, COMPLETION), lambda: charts.trend(frames.months, COMPLETION, height), height)
    if one_county:
        show(right, "lists", (sel.month, sel.filters), lambda: charts.lists(
            cached.list_counts(sel.month, sel.filters), sel.filters.county[0], height), height)
    else:
        _county_bars(right, sel, COMPLETION, frames.counties, height)
    lit = frames.months.filter(pl.col("snapshot_month") == to_month(sel.month)).row(0, named=True)
    st.markdown(f'<div class="kpm-status" style="font-size:28px">{t("screen_lights")}：'
                f'<b class="kpm-bad">{t("light_red")} {fmt_count(lit["red_projects"])}</b> · '
                f'<b class="kpm-warn">{t("light_yellow")} {fmt_count(lit["yellow_projects"])}</b></div>',
                unsafe_allow_html=True)


def _room(tiles: list[str], units: int) -> tuple[list[str], int]:
    """The tiles and the charts' height: two rows of tiles, or past TWO_PANELS units one row, so that each of the
    15 bars a half chart holds keeps room for its name and figure (about 32 design px, not 20)."""
    if units > charts.TWO_PANELS:
        return tiles[:4], CHART_H + TILE_ROW
    return tiles, CHART_H


def _county_bars(container, sel: Selection, iid: str, by: pl.DataFrame, height: int) -> None:
    """Every county on one indicator as lying bars (two charts side by side for many units); a pinned county
    stays among the others so the room sees where it stands."""
    drawn = specs("county_bars", (sel.month, sel.filters, iid),
                  lambda: charts.county_bars(by, iid, month_num(sel), list(sel.filters.county), height), height)
    for col, spec in zip(container.columns(len(drawn)) if len(drawn) > 1 else [container], drawn):
        draw(col, spec)


def dimension(sel: Selection, figures: Figures) -> None:
    """A dimension page on the screen: its first 8 tiles, its first trend and its first county chart (or its second
    trend); the rest of the page (tables, detail charts) is for the desk."""
    if not guard(sel):
        return
    bars = list(figures.bars)
    tiles, trends = figures.tile_ids[:8], list(figures.trend)[:1 if bars else 2]
    frames = cached.page_frames(sel.month, sel.filters, [*tiles, *trends], bars[:1],
                                sel.filters.without("county"))
    tiles, height = _room(tiles, frames.counties.height if bars else 0)
    kpi_row(tiles, sel, frames.months, per_row=4)
    left, right = st.columns(2)
    if trends:
        show(left, "trend", (sel.filters, trends[0]),
             lambda: charts.trend(frames.months, trends[0], height), height)
    if bars:
        _county_bars(right, sel, bars[0], frames.counties, height)
    elif len(trends) > 1:
        show(right, "trend", (sel.filters, trends[1]),
             lambda: charts.trend(frames.months, trends[1], height), height)


def flag_class(flag: str | None) -> str:
    """The CSS class of a 红旗 / 蜗牛 row or column ('' for neither)."""
    return "red" if flag == RED else "snail" if flag == SNAIL else ""


def badges(row: dict, unreported: str) -> str:
    """A county's marks on the screen: 红旗 or 蜗牛, ⚠约谈预警, and `unreported` when it has no rank this month."""
    out = ""
    if row.get("flag") in (RED, SNAIL):
        out += f'<span class="kpm-badge {flag_class(row["flag"])}">{row["flag"]}</span>'
    if row.get("warning"):
        out += f'<span class="kpm-badge warn">⚠ {t("interview_warning")}</span>'
    if row.get("rank") is None:  # a county that has not reported this month: listed, not scored
        out += f'<span class="kpm-badge snail">{unreported}</span>'
    return out


def _arrow(v, text: str) -> str:
    cls = "kpm-flat" if v is None or v == 0 else "kpm-up" if v > 0 else "kpm-down"
    return f'<span class="{cls}">{html.escape(text)}</span>'


def ranking(sel: Selection, figures: Figures | None = None) -> None:
    """县区比拼 on the screen: the ranking board (score bars, ↑↓, 红旗/蜗牛, 约谈预警, the investment a month needed)
    and the 约谈预警 counties with the reasons in words (the board has no figures of its own to choose)."""
    if not guard(sel):
        return
    # The board always ranks every county; a pinned / rotating county is highlighted, not filtered out.
    focus = set(sel.filters.county)
    everyone = sel.filters.without("county")
    r = cached.ranking(sel.month, everyone)
    gap = {g["county"]: g for g in cached.gap_to_target(sel.month, everyone).iter_rows(named=True)}
    # Every row on the screen: the rows share BOARD_H design px, type from 28 px (few units) down to 18 px (30).
    n = max(r.height, 1)
    row_h = min(BOARD_H / n, 66)
    fs = max(16, min(28, int((row_h - 6) / 1.3)))
    pad = max(0, min(16, int((row_h - 4 - fs * 1.25) / 2)))
    # In December nothing is left to spread over the months: show the shortfall itself.
    need_key, need_label = (("shortfall", "gap_shortfall") if month_num(sel) == 12
                            else ("monthly_needed", "monthly_needed"))
    board = ranking_table(r, ("rank", "county", "score", "rank_change", "flag"), text=True, headers=ranking_headers())
    money = money_column(g.get(need_key) for g in gap.values())  # the column's one unit, named in its head
    rows = []
    for row, (rank_txt, county_txt, score_txt, change_txt, _) in zip(r.iter_rows(named=True), board.iter_rows()):
        marks = badges(row, t("duel_screen_unreported"))
        g = gap.get(row["county"], {})
        rate, ts = g.get("investment_completion_rate"), g.get("time_schedule")
        ok = meets(BY_ID["investment_completion_rate"].direction, rate, ts)
        rate_cls = "" if ok is None else "kpm-ok" if ok else "kpm-bad"
        need = g.get(need_key)
        cls = flag_class(row["flag"]) + (" focus" if row["county"] in focus else "")
        rows.append(
            f'<tr class="{cls}"><td>{rank_txt}</td><td><b>{html.escape(county_txt)}</b></td>'
            f'<td><span class="kpm-bar" style="width:{min(max(row["score"] or 0, 0), 100) * 0.5:.0f}%"></span>'
            f'<span class="kpm-score">{score_txt}</span></td><td>{_arrow(row["rank_change"], change_txt)}</td>'
            f'<td>{marks}</td><td class="num {rate_cls}">{fmt_rate(rate)}</td>'
            f'<td class="num">{money.text(need)}</td></tr>')
    heads = [(h, "") for h in board.columns] + [(ind_name("investment_completion_rate"), "num"),
                                                (f'{t(need_label)}({t("unit_" + money.unit)})', "num")]
    head = "".join(f'<th class="{c}">{html.escape(h)}</th>' for h, c in heads)
    cols = "".join(f'<col style="width:{w}%">' for w in BOARD_COLS)
    longest = max([len(c) for c in r["county"].to_list()] or [3])  # the name column's type fits the longest name
    left, right = st.columns([3.4, 1.6], gap="medium")
    left.markdown(f'<div class="kpm-h2">{t("pages_ranking")} · {html.escape(month_zh(sel.month))}</div>'
                  f'<div class="kpm-boardbox"><table class="kpm-board" style="--fs:{fs}px;--pad:{pad}px;--nl:{longest}">'
                  f'<colgroup>{cols}</colgroup><tr>{head}</tr>{"".join(rows)}</table></div>', unsafe_allow_html=True)
    right.markdown(f'<div class="kpm-h2">{t("warning_why")}</div>'
                   f'<div class="kpm-scroll">{"".join(warning_panel(r, focus))}</div>', unsafe_allow_html=True)


def warning_panel(r: pl.DataFrame, focus: set[str]) -> list[str]:
    """The 约谈预警 panel's cards, as many as it holds at the narrowest (4:3) screen: a pinned county's own card
    first (the room asked for it), then every warned county (the pinned first) — those that do not fit are named in
    one closing line, which counts warned counties only —, or the note that none is warned; the 红旗's card last,
    only where it fits whole (the board marks it anyway), never counted among the warned."""
    cards, warned_cards, extra = [], [], []
    for row in r.filter(pl.col("county").is_in(list(focus)) & ~pl.col("warning")).iter_rows(named=True):
        rank = t("rank_n").format(n=row["rank"]) if row["rank"] is not None else t("duel_screen_unreported")
        cards.append(_card(row["county"], f'{row["county"]}（{rank}）', row["explanation"], "focus"))
    warned = r.filter(pl.col("warning")).sort(pl.col("county").is_in(list(focus)), descending=True, maintain_order=True)
    for row in warned.iter_rows(named=True):
        flag = f"，{row['flag']}" if row["flag"] else ""
        warned_cards.append(_card(row["county"], f'⚠ {row["county"]}（{t("rank_n").format(n=row["rank"])}{flag}）',
                                  row["explanation"], "warn"))
    if warned.is_empty():
        cards.append(_card("", "", t("no_warning"), "red"))
    for row in r.filter((pl.col("flag") == RED) & ~pl.col("warning") & ~pl.col("county").is_in(list(focus))
                        ).iter_rows(named=True):
        extra.append(_card(row["county"], f'{row["county"]}（{RED}）', row["explanation"], "red"))
    shown, used = [html_ for _, html_, _ in cards], sum(h for *_, h in cards)
    rest = []
    for k, (name, html_, h) in enumerate(warned_cards):
        names_after = [n for n, *_ in warned_cards[k + 1:]]
        # Room for this card, and for the closing line naming the warned counties after it, if any remain.
        line = _more_height(names_after) if names_after else 0.0
        if not rest and used + h + line <= CARDS_H:
            shown.append(html_)
            used += h
        else:
            rest.append(name)
    if rest:
        shown.append(_more(rest))
        used += _more_height(rest)
    for _, html_, h in extra:
        if used + h <= CARDS_H:
            shown.append(html_)
            used += h
    return shown


def _more_text(rest: list[str]) -> str:
    return t("screen_more").format(n=len(rest), names="、".join(rest))


def _more(rest: list[str]) -> str:
    """The closing line naming the warned counties the panel has no room for (wrapped, never cut)."""
    return f'<div class="kpm-card more"><p>{html.escape(_more_text(rest))}</p></div>'


def _more_height(rest: list[str]) -> float:
    return 20 + 12 + _lines(_more_text(rest), 21) * 21 * 1.45


def _text_w(text: str, px: float) -> float:
    """About how wide a line of text is: a CJK character is 1 em, a digit or Latin letter about 0.6."""
    return sum(px if ord(ch) > 0x2e80 else 0.6 * px for ch in text)


def _lines(text: str, px: int) -> int:
    """How many lines a text takes at `px` in a card on the narrowest screen."""
    return max(1, math.ceil(_text_w(text, px) / CARD_TEXT_W))


def _card(name: str, head: str, body: str, cls: str = "") -> tuple[str, str, float]:
    """(county, the card's HTML, its height in design px at the narrowest card width)."""
    h = 20 + 12 + (_lines(head, 28) * 28 * 1.3 + 4 if head else 0) + _lines(body, 21) * 21 * 1.45
    h4 = f"<h4>{html.escape(head)}</h4>" if head else ""
    return name, f'<div class="kpm-card {cls}">{h4}<p>{html.escape(body)}</p></div>', h
