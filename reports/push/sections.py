"""The brief's sections, declared once: what each reads from metrics/, how it is drawn, and its lines in the chat
summary. A new section is one more entry in SECTIONS."""
from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import altair as alt
import polars as pl

from data import duban as duban_log
from data.months import add_months
from data.store import Store
from data.submissions import MonthReport
from metrics.dataset import Dataset
from metrics.duban import DUBAN_INDICATORS, item_rows, total
from metrics.engine import compute
from metrics.filters import Filters
from metrics.format import fmt_rate, fmt_score, format_change, format_gap, format_value, rank_change_text, score_digits
from metrics.indicator import meets
from metrics.ranking import RED, SNAIL, Scorecard, ranking
from metrics.registry import BY_ID, HEADLINE
from metrics.rowsets import schedule
from reports.push.canvas import (BAD, FONT, GOOD, INK, INNER, LINE, MARGIN, MUTED, NEUTRAL, PANEL, WARN, WIDTH, Canvas,
                                 fit_size, text_width)
from reports.push.words import say



@dataclass
class Context:
    """What every section reads: the shown store, its dataset, the month, the language, the city, the scorecard."""

    store: Store
    ds: Dataset
    month: dt.date
    lang: str
    city: str
    card: Scorecard
    is_demo: bool = False
    as_of: dt.date = dataclasses.field(default_factory=dt.date.today)  # 督办's 逾期/临期 are as of a day

    @functools.cached_property
    def rank(self) -> pl.DataFrame:
        """The month's county ranking (shared by the sections that show it)."""
        return ranking(self.ds, self.month, Filters(), self.card)

    def name(self, iid: str) -> str:
        ind = BY_ID[iid]
        return ind.en if self.lang == "en" else ind.zh


@dataclass(frozen=True)
class Section:
    """One part of the brief: `collect` reads its figures (None: nothing to show, the section is left out), `draw`
    makes its charts (each a full-width Vega-Lite chart), `summary` its lines of the chat message's markdown."""

    id: str
    title: tuple[str, str]  # zh, en
    collect: Callable[[Context], Any]
    draw: Callable[[Any, Context], list[alt.TopLevelMixin]]
    summary: Callable[[Any, Context], list[str]]


# ---- 主要指标: 总览's headline figures against their targets -----------------------------------------------------
@dataclass(frozen=True)
class Tile:
    """One headline figure: this month's value, last month's and its target."""

    id: str
    value: float | None
    prev: float | None
    target: float | None


def headline(ctx: Context) -> list[Tile]:
    months = [ctx.month, add_months(ctx.month, -1)]
    frame = compute(ctx.ds, months, Filters(), None, list(HEADLINE))
    rows = {r["snapshot_month"]: r for r in frame.iter_rows(named=True)}
    now, before = rows.get(ctx.month, {}), rows.get(months[1], {})
    return [Tile(i, now.get(i), before.get(i), BY_ID[i].target_for(ctx.month.month)) for i in HEADLINE]


def _status(tile: Tile) -> str:
    ok = meets(BY_ID[tile.id].direction, tile.value, tile.target)
    return NEUTRAL if ok is None else GOOD if ok else BAD


def draw_headline(tiles: list[Tile], ctx: Context) -> list[alt.TopLevelMixin]:
    c, gap, h, lang = Canvas(), 24, 244, ctx.lang
    w = (INNER - gap) / 2
    for k, tile in enumerate(tiles):
        ind, x, y = BY_ID[tile.id], MARGIN + (k % 2) * (w + gap), (k // 2) * (h + gap)
        color = _status(tile)
        c.rect(x, y, w, h, PANEL, radius=14)
        c.rect(x, y, 10, h, color)
        name = ctx.name(tile.id)
        c.text(x + 30, y + 38, name, size=fit_size(name, w - 44, (30, 27, 24)), color=MUTED, limit=w - 44)
        c.text(x + 30, y + 100, format_value(ind, tile.value), size=60, bold=True, color=color, limit=w - 44)
        # One figure a line: a target, a gap and a change in 个百分点 do not fit one line of a phone's half width.
        for k2, (key, text) in enumerate((("target", format_value(ind, tile.target)),
                                          ("gap", format_gap(ind, tile.value, tile.target)),
                                          ("mom", format_change(ind, tile.value, tile.prev)))):
            c.text(x + 30, y + 152 + 34 * k2, f"{say(key, lang)} {text}", size=26, color=INK if k2 < 2 else MUTED,
                   limit=w - 44)
    return [c.chart()]


def summary_headline(tiles: list[Tile], ctx: Context) -> list[str]:
    out = []
    for tile in tiles[:4]:  # the chat message stays short: the first row and a half of tiles
        ind = BY_ID[tile.id]
        text = f"**{ctx.name(tile.id)}** {format_value(ind, tile.value)}"
        if tile.target is not None:
            text += f"（{say('target', ctx.lang)} {format_value(ind, tile.target)}）"
        out.append(text)
    return out


# ---- 县区排名: rank, score, change, 红旗/蜗牛, 约谈预警 and why ---------------------------------------------------
def ranking_rows(ctx: Context) -> list[dict]:
    cols = ["rank", "county", "score", "rank_change", "flag", "warning", "explanation"]
    return ctx.rank.select(cols).to_dicts() if ctx.rank.height else []


BADGE = {RED: BAD, SNAIL: "#6d4c41", "warning": "#e65100", "unreported": "#78909c"}


def _badges(row: dict, lang: str) -> list[tuple[str, str]]:
    out = []
    if row["rank"] is None:
        out.append((say("unreported", lang), BADGE["unreported"]))
    elif row["flag"] in (RED, SNAIL):
        out.append((say(row["flag"], lang), BADGE[row["flag"]]))
    if row["warning"]:
        out.append((say("warning", lang), BADGE["warning"]))
    return out


def draw_ranking(rows: list[dict], ctx: Context) -> list[alt.TopLevelMixin]:
    c, lang, h = Canvas(), ctx.lang, 62
    # Unit names up to 12 characters fit the 县区 column at 32 px (smaller type beyond); badges fit the 标识 column.
    cols = {"rank": MARGIN + 40, "county": MARGIN + 96, "score": MARGIN + 560, "rank_change": MARGIN + 640,
            "flags": MARGIN + 700}
    name_width = cols["score"] - 70 - cols["county"]
    digits = score_digits([r["score"] for r in rows], [r["rank"] for r in rows])  # as the ranking page prints them
    c.rect(MARGIN, 0, INNER, h, PANEL, radius=10)
    for key, x in cols.items():
        align = "center" if key in ("rank", "rank_change") else "right" if key == "score" else "left"
        c.text(x, h / 2, say(key, lang), size=26, color=MUTED, bold=True, align=align)
    for k in range(1, len(rows), 2):  # the stripes first: rectangles drawn later (badges) lie above them
        c.rect(MARGIN, h * (k + 1), INNER, h, "#f7f8fb")
    y = h
    for row in rows:
        mid = y + h / 2
        c.text(cols["rank"], mid, "—" if row["rank"] is None else str(row["rank"]), size=32, bold=True, align="center")
        c.text(cols["county"], mid, row["county"], size=fit_size(row["county"], name_width - 24, (32, 28, 24)),
               limit=name_width)
        c.text(cols["score"], mid, fmt_score(row["score"], digits), size=30, align="right")
        change = row["rank_change"]
        c.text(cols["rank_change"], mid, rank_change_text(change), size=28, align="center",
               color=GOOD if change and change > 0 else BAD if change and change < 0 else MUTED)
        x = cols["flags"]
        for label, color in _badges(row, lang):
            bw = text_width(label, 26) + 28
            c.rect(x, mid - 21, bw, 42, color, radius=8)
            c.text(x + bw / 2, mid, label, size=26, color="#ffffff", bold=True, align="center")
            x += bw + 12
        y += h
    c.rect(MARGIN, y, INNER, 2, LINE)
    y += 54
    warned = [r for r in rows if r["warning"]]
    c.text(MARGIN, y, say("warning_why" if warned else "no_warning", lang), size=30, bold=bool(warned),
           color=INK if warned else MUTED)
    y += 52
    for row in warned:  # the county on its own line: a long name would not leave room beside it
        c.text(MARGIN, y, row["county"], size=30, bold=True, color=BADGE["warning"], limit=INNER)
        y = c.lines(MARGIN, y + 42, row["explanation"], size=27, color=INK) + 14
    c.pad(y - 20)
    return [c.chart()]


def summary_ranking(rows: list[dict], ctx: Context) -> list[str]:
    lang = ctx.lang

    def names(pred) -> str:
        return "、".join(r["county"] for r in rows if pred(r)) or say("none", lang)

    return [say("summary_rank", lang, red=names(lambda r: r["flag"] == RED), snail=names(lambda r: r["flag"] == SNAIL),
                warn=names(lambda r: r["warning"]))]


# ---- 各县区投资完成率 against 时序进度 ----------------------------------------------------------------------------
RATE = "investment_completion_rate"


def completion(ctx: Context) -> dict:
    by = compute(ctx.ds, [ctx.month], Filters(), "county", [RATE]).filter(
        pl.col("county").is_not_null() & pl.col(RATE).is_not_null())
    return {"rows": by.select("county", RATE).sort(RATE, descending=True).rows(), "schedule": schedule(ctx.month.month)}


NAME_SIZES = (30, 26, 22)
NAMES_MAX = 420  # the names' column at most (past it a name ends in “…”), the page margin included


def draw_completion(part: dict, ctx: Context) -> list[alt.TopLevelMixin]:
    rows, ts = part["rows"], part["schedule"]
    # The names' column as wide as the longest name needs (12 characters fit), the bars in the rest.
    size = min((fit_size(c, NAMES_MAX - MARGIN - 16, NAME_SIZES) for c, _ in rows), default=NAME_SIZES[0])
    names_w = min(MARGIN + 16 + max((text_width(c, size) for c, _ in rows), default=0), NAMES_MAX)
    top = max([ts, *(v for _, v in rows)]) * 1.02
    h = 58 * max(len(rows), 1)
    # No axis: an axis hangs left of the plot and would widen the picture; the names are text at the margin, and
    # the value scale starts right of them. A figure sits inside its bar's end (clear of the 时序进度 line), or just
    # past it when the bar is too short to hold it.
    scale = alt.Scale(domain=[0, top], range=[names_w, WIDTH - MARGIN], nice=False)
    span = (WIDTH - MARGIN - names_w) / top
    records = [{"县区": county, "值": v, "色": GOOD if v >= ts else BAD, "文": fmt_rate(v), "内": v * span >= 150}
               for county, v in rows]
    y = alt.Y("县区:N", sort=None, axis=None)
    x = alt.X("值:Q", scale=scale, axis=None)
    data = alt.Data(values=records)
    bars = alt.Chart(data).mark_bar(height=38, cornerRadiusEnd=6).encode(y, x, alt.Color("色:N", scale=None))
    inside = alt.Chart(data).transform_filter("datum['内']").mark_text(
        align="right", dx=-12, fontSize=28, font=FONT, fontWeight="bold", color="#ffffff").encode(y, x, alt.Text("文:N"))
    outside = alt.Chart(data).transform_filter("!datum['内']").mark_text(
        align="left", dx=10, fontSize=28, font=FONT, fontWeight="bold").encode(y, x, alt.Text("文:N"),
                                                                            alt.Color("色:N", scale=None))
    names = alt.Chart(data).mark_text(align="left", fontSize=size, font=FONT, color=INK,
                                      limit=names_w - MARGIN - 12).encode(y, alt.XValue(MARGIN), alt.Text("县区:N"))
    rule = alt.Chart(alt.Data(values=[{"t": ts}])).mark_rule(strokeDash=[8, 6], size=3, color=INK).encode(
        alt.X("t:Q", scale=scale, axis=None))
    # The 时序进度 line under the bars: seen between them, never over a figure.
    chart = alt.layer(rule, bars, inside, outside, names).properties(width=WIDTH, height=h)
    note = Canvas()
    note.lines(MARGIN, 24, say("schedule_note", ctx.lang, v=fmt_rate(ts)), size=26, color=MUTED)
    return [chart, note.chart()]


def summary_completion(part: dict, ctx: Context) -> list[str]:
    behind = [c for c, v in part["rows"] if v < part["schedule"]]
    head = f"**{ctx.name(RATE)}**"
    if ctx.lang == "en":
        return [f"{head}: {len(behind)} of {len(part['rows'])} counties below the time schedule "
                f"{fmt_rate(part['schedule'])}" + (f" ({', '.join(behind)})" if behind else "")]
    return [f"{head}低于时序进度{fmt_rate(part['schedule'])}的县区：{'、'.join(behind) if behind else '无'}"]


# ---- 报送情况: each expected unit's status this month ------------------------------------------------------------
def report(ctx: Context) -> MonthReport | None:
    rep = ctx.store.report(f"{ctx.month:%Y-%m}")
    return rep if rep.units else None


STATUS_COLOR = {"published": GOOD, "late": WARN, "pending": "#1f5fbf", "returned": BAD, "missing": BAD}


def _status_of(unit) -> str:
    return "late" if unit.status == "published" and unit.late else unit.status


def draw_report(rep: MonthReport, ctx: Context) -> list[alt.TopLevelMixin]:
    c = Canvas()
    y = c.lines(MARGIN, 22, rep.line(ctx.lang), size=28, color=INK) + 8
    per_row, gap, h = 3, 16, 84
    w = (INNER - (per_row - 1) * gap) / per_row
    for k, unit in enumerate(rep.units):
        x, top = MARGIN + (k % per_row) * (w + gap), y + (k // per_row) * (h + gap)
        status = _status_of(unit)
        c.rect(x, top, w, h, PANEL, radius=12)
        c.rect(x, top, 8, h, STATUS_COLOR[status])
        c.text(x + 24, top + 28, unit.unit, size=fit_size(unit.unit, w - 36, (28, 24, 21)), bold=True, limit=w - 32)
        c.text(x + 24, top + 62, say(f"status_{status}", ctx.lang), size=24, color=STATUS_COLOR[status], limit=w - 32)
    return [c.chart()]


def summary_report(rep: MonthReport, ctx: Context) -> list[str]:
    return [rep.line(ctx.lang)]


# ---- 督办: the five indicators and the 逾期 / 临期 items by unit, as of the day ---------------------------------
@dataclass(frozen=True)
class Duban:
    """The 督办 log as of a day: the five indicators (metrics/duban.py) and the open items 逾期 or 临期."""

    as_of: dt.date
    total: dict
    urgent: list[dict]  # id, unit, content, due_on, overdue — 逾期 first, then by 办理时限


def duban(ctx: Context) -> Duban | None:
    items = item_rows(duban_log.load(ctx.store), ctx.as_of)
    if items.is_empty():
        return None
    urgent = (items.filter(pl.col("overdue") | pl.col("due_soon")).sort(["overdue", "due_on", "unit", "id"],
                                                                          descending=[True, False, False, False])
              .select("id", "unit", "content", "due_on", "overdue").to_dicts())
    return Duban(ctx.as_of, total(items), urgent)


def _duban_value(ind, v) -> str:
    return fmt_rate(v) if ind.unit == "%" else "—" if v is None else f"{v}{ind.unit}"


def urgent_text(item: dict, lang: str = "zh") -> str:
    """One 逾期 or 临期 item in a line: its id, state and 办理时限, and what it is (one line of it)."""
    content = " ".join(str(item["content"]).split())
    content = content if len(content) <= 40 else content[:39] + "…"
    due = item["due_on"]
    if lang == "en":
        return f"{item['id']} ({'overdue' if item['overdue'] else 'due soon'}, due {due:%Y-%m-%d}): {content}"
    return f"{item['id']}（{'逾期' if item['overdue'] else '临期'}，办理时限{due.month}月{due.day}日）{content}"


def draw_duban(part: Duban, ctx: Context) -> list[alt.TopLevelMixin]:
    c, lang, gap, h = Canvas(), ctx.lang, 16, 128
    w = (INNER - 2 * gap) / 3  # three to a row: the indicators' names fit at a size a phone reads
    names = [ind.en if lang == "en" else ind.zh for ind in DUBAN_INDICATORS]
    size = min(fit_size(n, w - 36, (26, 23, 20)) for n in names)  # one size for all
    for k, (ind, name) in enumerate(zip(DUBAN_INDICATORS, names)):
        x, top, v = MARGIN + (k % 3) * (w + gap), (k // 3) * (h + gap), part.total[ind.id]
        bad = ind.direction == "lower" and v
        c.rect(x, top, w, h, PANEL, radius=12)
        c.text(x + 20, top + 34, name, size=size, color=MUTED, limit=w - 28)
        c.text(x + 20, top + 88, _duban_value(ind, v), size=46, bold=True, color=BAD if bad else INK, limit=w - 28)
    h = 2 * h + gap
    y = h + 52
    head = (f"Overdue and due-soon items (as of {part.as_of:%Y-%m-%d})" if lang == "en"
            else f"逾期、临期事项（截至{part.as_of.month}月{part.as_of.day}日）")
    c.text(MARGIN, y, head if part.urgent else say("duban_none", lang), size=30, bold=bool(part.urgent),
           color=INK if part.urgent else MUTED)
    y += 50
    for item in part.urgent:
        color = BAD if item["overdue"] else WARN
        c.rect(MARGIN, y - 16, 8, 34, color)
        c.text(MARGIN + 22, y, item["unit"], size=28, bold=True, color=color, limit=260)
        y = c.lines(MARGIN + 22, y + 40, urgent_text(item, lang), size=26, width=INNER - 22, color=INK) + 16
    c.pad(y - 20)
    return [c.chart()]


def summary_duban(part: Duban, ctx: Context) -> list[str]:
    over = [i for i in part.urgent if i["overdue"]]
    units = "、".join(dict.fromkeys(i["unit"] for i in over))
    if ctx.lang == "en":
        return [f"**督办**: {len(over)} overdue" + (f" ({units})" if units else "")
                + f", {len(part.urgent) - len(over)} due soon"]
    return [f"**督办**：逾期 {len(over)} 项" + (f"（{units}）" if units else "") + f"，临期 {len(part.urgent) - len(over)} 项"]


SECTIONS: tuple[Section, ...] = (
    Section("headline", ("主要指标", "Headline figures"), headline, draw_headline, summary_headline),
    Section("ranking", ("县区排名", "County ranking"), ranking_rows, draw_ranking, summary_ranking),
    Section("completion", ("各县区投资完成率", "Investment completion by county"), completion, draw_completion,
            summary_completion),
    Section("report", ("报送情况", "Submissions"), report, draw_report, summary_report),
    Section("duban", ("督办事项", "督办 (follow-up items)"), duban, draw_duban, summary_duban),
)
