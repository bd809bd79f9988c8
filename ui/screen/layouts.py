"""The screen's layouts: the header, and 总览, a dimension page and 县区比拼 as the meeting room sees them (8 big
tiles and 2 charts, or the ranking board), each filling 1920×1080 without scrolling."""
from __future__ import annotations

import html
from collections.abc import Sequence

import altair as alt
import polars as pl
import streamlit as st

from data.months import month_zh, to_month
from metrics.bulletin import city_name
from metrics.format import DASH, fmt_count, fmt_rate
from metrics.indicator import meets
from metrics.ranking import RED, SNAIL, ranking_table
from metrics.registry import BY_ID
from ui import cached
from ui.i18n import ind_name, lang, ranking_headers, t
from ui.screen.theme import S_ACCENT, S_BAD, S_GOOD, S_WARN, show
from ui.state import Selection
from ui.widgets import axis_format, guard, kpi_row, lists_chart, month_num, target_status, trend_chart

CHART_H = 440  # two rows of tiles and one row of charts fill 1080 px below the header
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


def overview(sel: Selection, headline: Sequence[str]) -> None:
    """总览 on the screen: 8 big tiles, completion vs 时序进度 over the months, and the counties (or lists)."""
    if not guard(sel):
        return
    tiles, one_county = list(headline)[:8], len(sel.filters.county) == 1
    frames = cached.page_frames(sel.month, sel.filters, [*tiles, COMPLETION, *LIGHTS],
                                [] if one_county else [COMPLETION], sel.filters.without("county"))
    kpi_row(tiles, sel, frames.months, per_row=4)
    left, right = st.columns(2)
    show(left, trend_chart(frames.months, COMPLETION, height=CHART_H))
    if one_county:
        chart = lists_chart(cached.list_counts(sel.month, sel.filters), dx=6)
        show(right, chart.properties(height=CHART_H, title=f"{t('screen_lists')} · {sel.filters.county[0]}"))
    else:
        _county_bars(right, sel, COMPLETION, frames.counties)
    lit = frames.months.filter(pl.col("snapshot_month") == to_month(sel.month)).row(0, named=True)
    st.markdown(f'<div class="kpm-status" style="font-size:28px">{t("screen_lights")}：'
                f'<b class="kpm-bad">{t("light_red")} {fmt_count(lit["red_projects"])}</b> · '
                f'<b class="kpm-warn">{t("light_yellow")} {fmt_count(lit["yellow_projects"])}</b></div>',
                unsafe_allow_html=True)


def _county_bars(container, sel: Selection, iid: str, by: pl.DataFrame) -> None:
    """Every county on one indicator (`by`: every county's figures), best first, coloured against the target; a
    pinned county stays among the others (outlined, the rest dimmed) so the room sees where it stands."""
    ind = BY_ID[iid]
    m = month_num(sel)
    focus = list(sel.filters.county)
    d = (by.select(pl.col("county").alias("组"), pl.col(iid).alias("值")).drop_nulls()
         .sort("值", descending=ind.direction != "lower"))
    target = ind.target_for(m)
    d, color = target_status(d, ind, target, (S_GOOD, S_BAD, S_ACCENT))
    d = d.with_columns(pl.col("组").is_in(focus).alias("焦点"))
    pinned = alt.datum["焦点"]
    bars = alt.Chart(d).mark_bar().encode(
        x=alt.X("组:N", sort=d["组"].to_list(), title=None, axis=alt.Axis(labelAngle=0 if d.height <= 12 else -45)),
        y=alt.Y("值:Q", title=ind_name(iid), axis=alt.Axis(format=axis_format(ind))),
        color=color,
        opacity=alt.condition(pinned, alt.value(1.0), alt.value(0.4 if focus else 1.0)),
        stroke=alt.condition(pinned, alt.value(S_WARN), alt.value(None)),
        strokeWidth=alt.condition(pinned, alt.value(5), alt.value(0)))
    layers = [bars]
    if target is not None:
        layers.append(alt.Chart(pl.DataFrame({"t": [target]})).mark_rule(color=S_BAD, strokeDash=[6, 4], size=2)
                      .encode(y="t:Q"))
    title = f"{ind_name(iid)} · {t('county')}" + (f"（{'、'.join(focus)}）" if focus else "")
    show(container, alt.layer(*layers).properties(height=CHART_H, title=title))


def dimension(sel: Selection, tiles: Sequence[str], trend: Sequence[str], bars: Sequence[str]) -> None:
    """A dimension page on the screen: its first 8 tiles, its first trend and its first county chart (or its second
    trend); the rest of the page (tables, detail charts) is for the desk."""
    tiles, trends = list(tiles)[:8], list(trend)[:1 if bars else 2]
    frames = cached.page_frames(sel.month, sel.filters, [*tiles, *trends], list(bars)[:1],
                                sel.filters.without("county"))
    kpi_row(tiles, sel, frames.months, per_row=4)
    left, right = st.columns(2)
    if trends:
        show(left, trend_chart(frames.months, trends[0], height=CHART_H))
    if bars:
        _county_bars(right, sel, bars[0], frames.counties)
    elif len(trends) > 1:
        show(right, trend_chart(frames.months, trends[1], height=CHART_H))


def _arrow(v, text: str) -> str:
    cls = "kpm-flat" if v is None or v == 0 else "kpm-up" if v > 0 else "kpm-down"
    return f'<span class="{cls}">{html.escape(text)}</span>'


def ranking(sel: Selection) -> None:
    """县区比拼 on the screen: the ranking board (score bars, ↑↓, 红旗/蜗牛, 约谈预警, 万元 a month needed)
    and the 约谈预警 counties with the reasons in words."""
    if not guard(sel):
        return
    # The board always ranks every county; a pinned / rotating county is highlighted, not filtered out.
    focus = set(sel.filters.county)
    everyone = sel.filters.without("county")
    r = cached.ranking(sel.month, everyone)
    gap = {g["county"]: g for g in cached.gap_to_target(sel.month, everyone).iter_rows(named=True)}
    n = max(r.height, 1)
    fs = 28 if n <= 10 else 24 if n <= 14 else 20
    pad = max(3, min(16, int((680 / n - fs * 1.3) / 2)))
    # In December nothing is left to spread over the months: show the shortfall itself.
    need_key, need_label = (("shortfall", "gap_shortfall") if month_num(sel) == 12
                            else ("monthly_needed", "monthly_needed"))
    board = ranking_table(r, ("rank", "county", "score", "rank_change", "flag"), text=True, headers=ranking_headers())
    rows = []
    for row, (rank_txt, county_txt, score_txt, change_txt, _) in zip(r.iter_rows(named=True), board.iter_rows()):
        badges = ""
        if row["flag"] == RED:
            badges += f'<span class="kpm-badge red">{RED}</span>'
        elif row["flag"] == SNAIL:
            badges += f'<span class="kpm-badge snail">{SNAIL}</span>'
        if row["warning"]:
            badges += f'<span class="kpm-badge warn">⚠ {t("interview_warning")}</span>'
        if row["rank"] is None:  # a county that has not reported this month: listed, not scored
            badges += '<span class="kpm-badge snail">未报送</span>'
        g = gap.get(row["county"], {})
        rate, ts = g.get("investment_completion_rate"), g.get("time_schedule")
        ok = meets(BY_ID["investment_completion_rate"].direction, rate, ts)
        rate_cls = "" if ok is None else "kpm-ok" if ok else "kpm-bad"
        need = g.get(need_key)
        cls = ("red" if row["flag"] == RED else "snail" if row["flag"] == SNAIL else "") + (
            " focus" if row["county"] in focus else "")
        rows.append(
            f'<tr class="{cls}"><td>{rank_txt}</td><td><b>{html.escape(county_txt)}</b></td>'
            f'<td><span class="kpm-bar" style="width:{max(row["score"] or 0, 0) * 1.5:.0f}px"></span>'
            f'<span class="kpm-score">{score_txt}</span></td><td>{_arrow(row["rank_change"], change_txt)}</td>'
            f'<td>{badges}</td><td class="num {rate_cls}">{fmt_rate(rate)}</td>'
            f'<td class="num">{DASH if need is None else f"{need:,.0f}"}</td></tr>')
    heads = [(h, "") for h in board.columns] + [(ind_name("investment_completion_rate"), "num"), (t(need_label), "num")]
    head = "".join(f'<th class="{c}">{html.escape(h)}</th>' for h, c in heads)
    left, right = st.columns([3.1, 1.9], gap="large")
    left.markdown(f'<div class="kpm-h2">{t("pages_compare")} · {html.escape(month_zh(sel.month))}</div>'
                  f'<table class="kpm-board" style="--fs:{fs}px;--pad:{pad}px"><tr>{head}</tr>{"".join(rows)}</table>',
                  unsafe_allow_html=True)
    cards = []
    for row in r.filter(pl.col("county").is_in(list(focus)) & ~pl.col("warning")).iter_rows(named=True):
        cards.append(f'<div class="kpm-card focus"><h4>{html.escape(row["county"])}'
                     f'（{t("rank_n").format(n=row["rank"]) if row["rank"] is not None else "未报送"}）</h4>'
                     f'<p>{html.escape(row["explanation"])}</p></div>')
    warned = r.filter(pl.col("warning")).sort(pl.col("county").is_in(list(focus)), descending=True, maintain_order=True)
    for row in warned.iter_rows(named=True):
        flag = f"，{row['flag']}" if row["flag"] else ""
        cards.append(f'<div class="kpm-card"><h4>⚠ {html.escape(row["county"])}'
                     f'（{t("rank_n").format(n=row["rank"])}{flag}）</h4><p>{html.escape(row["explanation"])}</p></div>')
    if warned.is_empty():
        cards.append(f'<div class="kpm-card red"><p>{t("no_warning")}</p></div>')
    for row in r.filter(pl.col("flag") == RED).iter_rows(named=True):
        cards.append(f'<div class="kpm-card red"><h4>{html.escape(row["county"])}（{RED}）</h4>'
                     f'<p>{html.escape(row["explanation"])}</p></div>')
    right.markdown(f'<div class="kpm-h2">{t("warning_why")}</div><div class="kpm-scroll">{"".join(cards)}</div>',
                   unsafe_allow_html=True)
