"""What a phone shows instead of a wide table: cards, one per county or project, as HTML (every text escaped). The
page draws the desk table and these side by side, ui/phone.py's CSS shows one of them by the window's width."""
from __future__ import annotations

import html
from collections.abc import Sequence

import polars as pl

from data.text import DASH
from metrics.format import fmt_money, fmt_rate, format_value, money_unit, rank_change_text
from metrics.indicator import meets, standing
from metrics.lights import GREEN, RED, YELLOW
from metrics.ranking import SNAIL, Scorecard, indicator_of
from metrics.registry import BY_ID
from ui.charts import BAD, GOOD, HEAT_FILL, HEAT_STANDING, NEUTRAL, WARN
from ui.i18n import ind_name, t

LIGHT_COLOR = {RED: BAD, YELLOW: WARN, GREEN: GOOD}
STANDING_FILL = dict(zip(HEAT_STANDING, HEAT_FILL))
MAX_PROJECT_CARDS = 60  # a phone lists this many projects; the search above narrows the rest down


def esc(v: object) -> str:
    """A value as safe HTML text (— for none)."""
    return html.escape(DASH if v is None else str(v))


def grid(cards: Sequence[str], empty: str = "") -> str:
    """Cards side by side as the width allows (one column on a phone)."""
    return f'<div class="kpm-cards">{"".join(cards) or esc(empty)}</div>'


def card(color: str, title: str, right: str, body: str, cls: str = "") -> str:
    """One card: a coloured edge, a title (HTML) with `right` beside it, then `body` (HTML)."""
    return (f'<div class="kpm-pc {cls}" style="--pc:{color}"><div class="t"><span>{title}</span>'
            f'<span class="r">{right}</span></div>{body}</div>')


def badges(flag: str | None, warning: bool, ranked: bool = True) -> str:
    """红旗 / 蜗牛, 约谈预警 and 未报送 as small tags (ui/phone.py styles them)."""
    out = ""
    if flag in ("红旗", SNAIL):
        out += f'<span class="kpm-tag {"red" if flag == "红旗" else "snail"}">{esc(flag)}</span>'
    if warning:
        out += f'<span class="kpm-tag warn">⚠ {esc(t("interview_warning"))}</span>'
    if not ranked:
        out += f'<span class="kpm-tag snail">{esc(t("phone_unreported"))}</span>'
    return out


def weakest(row: dict, scorecard: Scorecard) -> str | None:
    """The scorecard's indicator that costs the county most points (weight × (100 − its scaled score)), or None."""
    losses = [(i.weight * (100 - row[f"scaled__{i.id}"]), i.id) for i in scorecard.items
              if row.get(f"scaled__{i.id}") is not None]
    return max(losses)[1] if losses else None


def ranking_cards(rank: pl.DataFrame, scores: Sequence[str], scorecard: Scorecard) -> str:
    """A card per county in ranking order: rank and its change, the score (`scores`: as the table prints them),
    红旗/蜗牛 and 约谈预警, and the weakest indicator with its value."""
    out = []
    for row, score in zip(rank.iter_rows(named=True), scores):
        ranked = row["rank"] is not None
        change = row.get("rank_change")
        arrow_cls = "" if not change else "up" if change > 0 else "down"
        title = (f'<b class="kpm-rank">{esc(t("rank_n").format(n=row["rank"]) if ranked else DASH)}</b> '
                 f'{esc(row["county"])}')
        right = f'{esc(t("score"))} <b>{esc(score)}</b> <span class="kpm-chg {arrow_cls}">{esc(rank_change_text(change))}</span>'
        weak = weakest(row, scorecard) if ranked else None
        body = f'<div class="s">{badges(row.get("flag"), bool(row.get("warning")), ranked)}</div>'
        if weak:
            body += (f'<div class="s">{esc(t("phone_weakest"))}：<b>{esc(ind_name(weak))}</b> '
                     f'{esc(format_value(indicator_of(weak), row.get(weak)))}</div>')  # 按期办结率 too, when configured
        color = GOOD if row.get("flag") == "红旗" else BAD if row.get("flag") == SNAIL else \
            WARN if row.get("warning") else NEUTRAL
        out.append(card(color, title, right, body))
    return grid(out)


def gap_cards(gap: pl.DataFrame) -> str:
    """A card per county: 投资完成率 against 时序进度, the year's plan, what is done and the shortfall, and what each
    month left must bring."""
    money = [v for c in ("plan_investment_sum", "completed_ytd_sum", "shortfall") for v in gap.get_column(c).to_list()]
    unit = money_unit(*money)
    out = []
    for g in gap.iter_rows(named=True):
        rate, ts = g.get("investment_completion_rate"), g.get("time_schedule")
        ok = meets(BY_ID["investment_completion_rate"].direction, rate, ts)
        color = NEUTRAL if ok is None else GOOD if ok else BAD
        right = f'<b style="color:{color}">{esc(fmt_rate(rate))}</b> / {esc(t("time_schedule"))} {esc(fmt_rate(ts))}'
        body = (f'<div class="kv"><span>{esc(t("phone_plan"))} <b>{esc(fmt_money(g.get("plan_investment_sum"), unit))}</b></span>'
                f'<span>{esc(t("phone_done"))} <b>{esc(fmt_money(g.get("completed_ytd_sum"), unit))}</b></span>'
                f'<span>{esc(t("phone_shortfall"))} <b>{esc(fmt_money(g.get("shortfall"), unit))}</b></span>')
        if g.get("monthly_needed") is not None:
            body += f'<span>{esc(t("phone_monthly"))} <b>{esc(fmt_money(g.get("monthly_needed")))}</b></span>'
        out.append(card(color, esc(g["county"]), right, body + "</div>"))
    return grid(out)


def heat_cards(by: pl.DataFrame, ids: Sequence[str], month_num: int) -> str:
    """One card per county: each indicator's value on the fill of where it stands against its target (the heat
    table's colours and legend)."""
    out = []
    for row in by.iter_rows(named=True):
        cells = []
        for iid in ids:
            ind = BY_ID[iid]
            where = standing(ind, row.get(iid), ind.target_for(month_num)) or "none"
            cells.append(f'<span class="cell" style="background:{STANDING_FILL[where]}" '
                         f'title="{esc(t("heat_" + where))}"><i>{esc(ind_name(iid))}</i>'
                         f'<b>{esc(format_value(ind, row.get(iid)))}</b></span>')
        out.append(f'<div class="kpm-pc heat"><div class="t"><span>{esc(row["county"])}</span></div>'
                   f'<div class="cells">{"".join(cells)}</div></div>')
    legend = "".join(f'<span class="cell" style="background:{STANDING_FILL[k]}">{esc(t("heat_" + k))}</span>'
                     for k in HEAT_STANDING)
    return grid(out) + f'<div class="kpm-legend">{esc(t("heat_legend"))}：{legend}</div>'


def project_cards(df: pl.DataFrame, light_text, href=None) -> str:
    """A card per project, red lights first, then yellow, each by size (at most MAX_PROJECT_CARDS): its light, name
    (a link to its history when `href(project_id)` is given), county, 建设状态, completion this year, and why its light
    is not green."""
    worst = pl.col("light").replace_strict({RED: 0, YELLOW: 1, GREEN: 2}, default=3, return_dtype=pl.Int8)
    df = df.sort([worst, "total_investment", "project_id"], descending=[False, True, False], nulls_last=True)
    out = []
    for p in df.head(MAX_PROJECT_CARDS).iter_rows(named=True):
        light = p.get("light")
        rate = p.get("completion_rate")
        body = (f'<div class="s">{esc(p.get("county"))} · {esc(p.get("status"))} · {esc(t("phone_completion"))} '
                f'<b>{esc(fmt_rate(rate))}</b> · {esc(fmt_money(p.get("completed_investment_ytd")))}</div>')
        if light in (RED, YELLOW) and p.get("light_reason"):
            body += f'<div class="s why">{esc(p["light_reason"])}</div>'
        right = f'<span class="kpm-tag" style="background:{LIGHT_COLOR.get(light, NEUTRAL)}">{esc(light_text(light) or DASH)}</span>'
        name = esc(p.get("project_name"))
        if href is not None:  # a tap opens the history, as ticking a row does on the desk
            name = f'<a href="{html.escape(href(p["project_id"]))}" target="_self">{name}</a>'
        out.append(card(LIGHT_COLOR.get(light, NEUTRAL), name, right, body))
    more = df.height - MAX_PROJECT_CARDS
    note = f'<div class="kpm-more">{esc(t("phone_more").format(n=more))}</div>' if more > 0 else ""
    return grid(out, t("list_empty")) + note


def comparison_grid(ids: Sequence[str], picked: Sequence[str], now: dict[str, dict], month_num: int,
                    ranks: dict[str, dict] | None = None) -> str:
    """县区对比 on a phone: a row of county names heading the columns (with the rank and its marks from `ranks`, the
    ranking's rows by county), then for each indicator its name across the width and each county's value under its
    name, coloured against the target."""
    n = len(picked)
    head = ""
    for c in picked:
        r = (ranks or {}).get(c)
        marks = ""
        if r:
            rank = t("rank_n").format(n=r["rank"]) if r["rank"] is not None else ""
            marks = (f'<span class="m">{esc(rank)}</span>'
                     f'<span class="m">{badges(r.get("flag"), bool(r.get("warning")), r["rank"] is not None)}</span>')
        head += f'<span class="h">{esc(c)}{marks}</span>'

    rows = []
    for iid in ids:
        ind = BY_ID[iid]
        target = ind.target_for(month_num)
        vals = ""
        for c in picked:
            v = now.get(c, {}).get(iid)
            ok = meets(ind.direction, v, target)
            color = NEUTRAL if ok is None else GOOD if ok else BAD
            vals += f'<span class="v" style="color:{color}">{esc(format_value(ind, v))}</span>'
        rows.append(f'<div class="lbl">{esc(ind_name(iid))}</div>{vals}')
    return (f'<div class="kpm-vs" style="--n:{n}"><div class="head">{head}</div>'
            f'<div class="body">{"".join(rows)}</div></div>')
