"""The screen's charts, drawn for the meeting room: month axes that thin their labels, county bars lying down with
the names on the axis (every bar labelled with its figure), the watch lists; Altair channel objects throughout."""
from __future__ import annotations

import math

import altair as alt
import polars as pl

from metrics import rowsets
from metrics.registry import BY_ID
from metrics.watchlists import WATCH_LISTS
from ui.i18n import ind_name, t
from ui.screen.theme import S_ACCENT, S_BAD, S_GOOD, S_WARN
from ui.charts import (MONTHLY_FLOWS, axis_format, money_scale, reference_note, target_status, tooltip_format,
                       unit_title)

MONTH_LABELS = 8  # at most this many month labels: they fit side by side in the narrowest (4:3) chart
LABEL_PX = 250  # room for a 12-character name at 20 px beside one column of bars
TWO_PANELS = 15  # more units than this: the bars in two charts side by side (1–15, 16–30)
TITLE_LINE = 32  # a two-line title's line height at 26 px (the lines keep their leading)
SUBTITLE_PX = 20


def _month_step(n: int) -> int:
    """Label every step-th month (a divisor of 12, so January always keeps its label)."""
    return next(s for s in (1, 2, 3, 4, 6, 12) if math.ceil(n / s) <= MONTH_LABELS)


def _title(lines: str | list[str], note: str | None) -> alt.TitleParams:
    """A chart's title, and under it what the red dashed line is (when the chart draws one)."""
    extra = ({"subtitle": note, "subtitleColor": S_BAD, "subtitleFontSize": SUBTITLE_PX, "subtitlePadding": 8}
             if note else {})
    return alt.Title(lines, lineHeight=TITLE_LINE, **extra)


def trend(frame: pl.DataFrame, iid: str, height: int) -> alt.LayerChart:
    """An indicator over the months with its target (or 时序进度) dashed, and the title saying which; the month
    axis shows January as the year and every step-th month as 'N月', so the labels never run into each other."""
    ind = BY_ID[iid]
    div, unit = money_scale(ind, frame.get_column(iid).to_list())
    year = pl.col("snapshot_month").dt.year() if iid not in MONTHLY_FLOWS else pl.lit(0)
    d = frame.select(pl.col("snapshot_month").dt.strftime("%Y-%m").alias("月份"), (pl.col(iid) / div).alias("值"),
                     year.alias("年"))
    months = d["月份"].to_list()
    step = _month_step(len(months))
    shown = [m for m in months if (int(m[5:]) - 1) % step == 0] or months[:1]
    label = "slice(datum.value, 5) == '01' ? slice(datum.value, 0, 4) + '年' : toNumber(slice(datum.value, 5)) + '月'"
    x = alt.X("月份:O", sort=months, title=None,
              axis=alt.Axis(labelAngle=0, values=shown, labelExpr=label, labelOverlap="greedy", labelPadding=10))
    y = alt.Y("值:Q", title=unit_title(ind, unit), axis=alt.Axis(format=axis_format(ind), tickCount=5))
    layers = [alt.Chart(d).mark_line(point=True, strokeWidth=4, color=S_ACCENT).encode(
        x=x, y=y, detail=alt.Detail("年:N"))]
    use_schedule = ind.target == "time_schedule"
    targets = [{"月份": m, "目标": rowsets.schedule(int(m[5:])) if use_schedule else ind.target_for(int(m[5:])),
                "年": int(m[:4])} for m in months]
    targets = [{**r, "目标": r["目标"] / div} for r in targets if r["目标"] is not None]
    if targets:
        layers.append(alt.Chart(pl.DataFrame(targets)).mark_line(strokeDash=[8, 5], color=S_BAD, strokeWidth=3)
                      .encode(x=alt.X("月份:O", sort=months), y=alt.Y("目标:Q"), detail=alt.Detail("年:N")))
    title = _title(f"{ind_name(iid)} · {t('trend')}", reference_note(use_schedule) if targets else None)
    return alt.layer(*layers).properties(height=height, title=title)


def _figures_px(labels: list[str], size: int) -> int:
    """The width of the figure column: the longest figure at `size` px (digits and signs ~0.6 em) and a gap."""
    return math.ceil(max([len(x) for x in labels] or [1]) * 0.62 * size) + 14


def _ticks(values: list[float], target) -> list[float]:
    """Round ticks over the figures only (not over the room left for the labels past the longest bar)."""
    pts = [0.0, *values, *([target] if target is not None else [])]
    lo, hi = min(pts), max(pts)
    raw = (hi - lo) / 3 or 1.0
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    return [k * step for k in range(math.ceil(lo / step - 1e-9), math.floor(hi / step + 1e-9) + 1)]


def _figure(ind, unit: str, v: float) -> str:
    """A bar's figure as the chart prints it (tooltip_format's d3 format, in Python): for sizing its column."""
    return f"{v * 100:.1f}%" if ind.is_rate else f"{v:,.1f}" if unit == "亿元" else f"{v:,.0f}"


def county_bars(by: pl.DataFrame, iid: str, month: int, focus: list[str], height: int
                ) -> list[alt.LayerChart]:
    """Every county on one indicator (`by`: every county's figures), best first, lying bars with the names on
    the axis and the figures in a column at the right edge — past the longest bar and the target (dashed, said
    under the title), so neither runs through a figure —, coloured against the target; a pinned county stays among
    the others, outlined, the rest dimmed. One chart, or two side by side past TWO_PANELS units."""
    ind = BY_ID[iid]
    div, unit = money_scale(ind, by.get_column(iid).to_list())
    d = (by.select(pl.col("county").alias("组"), pl.col(iid).alias("值")).drop_nulls()
         .sort("值", descending=ind.direction != "lower"))
    target = ind.target_for(month)
    d, color = target_status(d, ind, target, (S_GOOD, S_BAD, S_ACCENT))
    if isinstance(color, alt.Color):
        color.legend = None  # the dashed target line says what green and red mean; the bars get the room
    d = d.with_columns(pl.col("组").is_in(focus).alias("焦点"), pl.int_range(1, pl.len() + 1).alias("名次"),
                       pl.col("值") / div)
    target = None if target is None else target / div
    parts = [d] if d.height <= TWO_PANELS else [d.head(math.ceil(d.height / 2)), d.tail(d.height // 2)]
    size = 20 if d.height <= 10 else 18
    values = d["值"].to_list()
    lo = min([0.0, *values])
    hi = max([0.0, *values, *([target] if target is not None else [])])
    room = _figures_px([_figure(ind, unit, v) for v in values], size)
    # The scale ends `room` px past the longest bar and the target, whatever the chart's width: the figures' column.
    upper = {"expr": f"{hi} + ({hi} - ({lo}) || 1) * {room} / max(width - {room}, 1)"}
    charts = []
    for part in parts:
        order = part["组"].to_list()
        y = alt.Y("组:N", sort=order, title=None, scale=alt.Scale(domain=order),
                  axis=alt.Axis(labelLimit=LABEL_PX if len(parts) == 1 else LABEL_PX // 2 + 20, labelFontSize=size,
                                labelPadding=8, ticks=False))
        x = alt.X("值:Q", title=unit_title(ind, unit),
                  scale=alt.Scale(domainMin=lo, domainMax=upper, nice=False, zero=False),
                  axis=alt.Axis(format=axis_format(ind), values=_ticks(values, target), labelOverlap="greedy"))
        pinned = alt.datum["焦点"]
        base = alt.Chart(part)
        bars = base.mark_bar(cornerRadiusEnd=4).encode(
            x=x, y=y, color=color,
            opacity=alt.condition(pinned, alt.value(1.0), alt.value(0.4 if focus else 1.0)),
            stroke=alt.condition(pinned, alt.value(S_WARN), alt.value(None)),
            strokeWidth=alt.condition(pinned, alt.value(4), alt.value(0)))
        figures = base.mark_text(fontSize=size, align="right", dx=-2).encode(
            x=alt.value("width"), y=alt.Y("组:N", sort=order), text=alt.Text("值:Q", format=tooltip_format(ind, unit)))
        layers = [bars, figures]
        if target is not None:
            layers.append(alt.Chart(pl.DataFrame({"t": [target]})).mark_rule(color=S_BAD, strokeDash=[6, 4], size=3)
                          .encode(x=alt.X("t:Q")))
        lines: str | list[str] = f"{ind_name(iid)} · {t('county')}"
        if len(parts) > 1:  # two lines: a half chart is too narrow for the name and the ranks on one
            lines = [ind_name(iid), f"{t('county')} {part['名次'][0]}–{part['名次'][-1]}"]
        note = reference_note(ind.target == "time_schedule") if target is not None else None
        charts.append(alt.layer(*layers).properties(height=height, title=_title(lines, note)))
    return charts


def lists(counts: dict[str, int], county: str, height: int) -> alt.LayerChart:
    """How many projects each watch list holds for one county, as labelled lying bars (largest first)."""
    d = pl.DataFrame({"清单": [w.zh for w in WATCH_LISTS], "项目数": [counts[w.id] for w in WATCH_LISTS]})
    order = d.sort("项目数", descending=True)["清单"].to_list()
    y = alt.Y("清单:N", sort=order, title=None, axis=alt.Axis(labelLimit=LABEL_PX, ticks=False, labelPadding=8))
    top = max(d["项目数"].max() or 0, 1)
    x = alt.X("项目数:Q", title="项目数（个）", scale=alt.Scale(domain=[0, top * 1.25], nice=False),
              axis=alt.Axis(tickCount=4, format=",d"))
    base = alt.Chart(d)
    return alt.layer(
        base.mark_bar(color=S_BAD, cornerRadiusEnd=4).encode(x=x, y=y),
        base.mark_text(align="left", dx=6, fontSize=20).encode(x=alt.X("项目数:Q"), y=alt.Y("清单:N", sort=order),
                                                               text=alt.Text("项目数:Q", format=",")),
    ).properties(height=height, title=f"{t('screen_lists')} · {county}")
