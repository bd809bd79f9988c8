"""Every desk chart: built from Altair channel objects (most as templates: ui/chart_specs.py), its finished Vega-Lite
spec made once per view (store content, selection, language, chart, size) and shared by every viewer of that view."""
from __future__ import annotations

import functools
from collections.abc import Callable, Hashable, Sequence

import altair as alt
import polars as pl
import streamlit as st

from data.schema import ZH
from data.text import DASH, EMPTY
from metrics import rowsets
from metrics.filters import BY_LABELS
from metrics.format import NO_CHAIN, format_value, money_column
from metrics.indicator import Indicator, meets, standing
from metrics.registry import BY_ID
from metrics.watchlists import PROC_ZH, WATCH_LISTS
from ui.chart_specs import Templated, spec
from ui.i18n import ind_name, t
from ui.state import focus_county

GOOD, BAD, NEUTRAL = "#1a7f37", "#c62828", "#5f6b7a"
WARN = "#d4a000"  # 黄灯
ACCENT = "#1f5fbf"
FONT = "Noto Sans CJK SC, Microsoft YaHei, PingFang SC, sans-serif"
MONTHLY_FLOWS = {"monthly_investment", "monthly_investment_mom", "new_starts_100m"}
BAR_PX = 24  # a lying bar's band on the desk: room for its name at the axis's type


# ---- formats ---------------------------------------------------------------------------------------------------
def money_scale(ind: Indicator, values) -> tuple[float, str]:
    """How an indicator's values are plotted: an amount in the unit of the largest (metrics.format.money_column:
    亿元 from 1亿 up, else 万元) as (divisor, unit); anything else as it is, (1, '')."""
    if ind.unit != "万元":
        return 1.0, ""
    col = money_column(values)
    return col.divisor, col.unit


def axis_format(ind: Indicator) -> str:
    return ".0%" if ind.is_rate else ",~f"


def tooltip_format(ind: Indicator, unit: str = "") -> str:
    """A figure as metrics.format writes it: a rate with one decimal, 亿元 with one, 万元 whole."""
    if ind.is_rate:
        return ".1%"
    return ",.1f" if unit == "亿元" or ind.unit in ("万元/亩", "天") else ",.0f"


def unit_title(ind: Indicator, unit: str = "") -> str:
    """An axis title: the indicator's name with its unit (`unit` for an amount; none for rates and counts)."""
    unit = "" if ind.is_rate or ind.unit == "个" else f"（{unit or ind.unit}）"
    return ind_name(ind.id) + unit


def reference_note(schedule: bool) -> str:
    """What the red dashed line is: '红色虚线：时序进度' or '红色虚线：目标'."""
    return t("dashed_schedule") if schedule else t("dashed_target")


# ---- drawing a chart ---------------------------------------------------------------------------------------------
def show(where, chart_id: str, view: Sequence[Hashable], build: Callable[[], alt.TopLevelMixin], *,
         width: str | None = "stretch", **kwargs):
    """Draw the view's cached spec with st.vega_lite_chart (kwargs: on_select, key, … as it takes them)."""
    return where.vega_lite_chart(spec(chart_id, view, build), width=width, **kwargs)


# ---- builders ----------------------------------------------------------------------------------------------------
def lists_chart(counts: dict[str, int], *, dx: int = 4, text_size: int | None = None,
                label_limit: int | None = None) -> Templated:
    """How many projects each watch list holds, as labelled horizontal bars (largest first)."""
    cdf = pl.DataFrame({"清单": [w.zh for w in WATCH_LISTS], "项目数": [counts[w.id] for w in WATCH_LISTS]})

    def make(data) -> alt.LayerChart:
        axis = alt.Axis(labelLimit=label_limit) if label_limit else alt.Undefined
        text = {"fontSize": text_size} if text_size else {}
        return alt.layer(
            alt.Chart(data).mark_bar(color=BAD).encode(
                alt.Y("清单:N", sort="-x", title=None, axis=axis), alt.X("项目数:Q", title="项目数（个）"),
                tooltip=[alt.Tooltip("清单:N"), alt.Tooltip("项目数:Q", format=",")]),
            alt.Chart(data).mark_text(align="left", dx=dx, **text).encode(
                alt.Y("清单:N", sort="-x"), alt.X("项目数:Q"), alt.Text("项目数:Q", format=",")))

    return Templated(("lists_chart", dx, text_size, label_limit), (cdf,), make)


def trend_chart(df: pl.DataFrame, iid: str, *, color: str | None = None, schedule: bool | None = None,
                height: int = 300) -> Templated:
    """An indicator over the months, with the target (or 时序进度) as a dashed line."""
    ind = BY_ID[iid]
    div, unit = money_scale(ind, df.get_column(iid).to_list())
    # Year-to-date figures restart in January: draw one line per year; monthly flows run on across the boundary.
    year = pl.col("snapshot_month").dt.year() if iid not in MONTHLY_FLOWS else pl.lit(0)
    d = df.select(pl.col("snapshot_month").dt.strftime("%Y-%m").alias("月份"), (pl.col(iid) / div).alias("值"),
                  year.alias("年"), *([pl.col(color).alias("组")] if color else []))
    use_schedule = ind.target == "time_schedule" if schedule is None else schedule
    targets = []
    for m in d["月份"].to_list():
        month_num = int(m[5:7])
        tv = rowsets.schedule(month_num) if use_schedule else ind.target_for(month_num)
        if tv is not None:
            targets.append({"月份": m, "目标": tv / div, "年": int(m[:4])})
    frames = (d, pl.DataFrame(targets)) if targets else (d,)

    def make(line_data, target_data=None) -> alt.LayerChart:
        enc_color = alt.Color("组:N", title=BY_LABELS.get(color, color)) if color else alt.ColorValue(ACCENT)
        line = alt.Chart(line_data).mark_line(point=True, strokeWidth=3).encode(
            alt.X("月份:O", title=None, axis=alt.Axis(labelAngle=-45)),
            alt.Y("值:Q", title=unit_title(ind, unit), axis=alt.Axis(format=axis_format(ind))),
            enc_color, alt.Detail("年:N"),
            tooltip=[alt.Tooltip("月份:O"),
                     *([alt.Tooltip("组:N", title=BY_LABELS.get(color, color))] if color else []),
                     alt.Tooltip("值:Q", title=unit_title(ind, unit), format=tooltip_format(ind, unit))])
        layers = [line]
        title = f"{ind_name(iid)} · {t('trend')}"
        if target_data is not None:
            tname = t("time_schedule") if use_schedule else t("target")
            layers.append(alt.Chart(target_data).mark_line(strokeDash=[6, 4], color=BAD, strokeWidth=2).encode(
                alt.X("月份:O"), alt.Y("目标:Q"), alt.Detail("年:N"),
                tooltip=[alt.Tooltip("月份:O"), alt.Tooltip("目标:Q", title=tname, format=tooltip_format(ind, unit))]))
            title = alt.Title(title, subtitle=reference_note(use_schedule), subtitleColor=BAD)
        return alt.layer(*layers, height=height, title=title)

    return Templated(("trend_chart", iid, color, use_schedule, len(frames), height, unit), frames, make)


def target_status(d: pl.DataFrame, ind: Indicator, target, colors: tuple[str, str, str] = (GOOD, BAD, ACCENT)):
    """The 值 column's 状态 (达标/未达标 against the target; 值 without one) and the bar colour encoding for it."""
    good, bad, plain = colors
    if target is None:
        return d.with_columns(pl.lit("值").alias("状态")), alt.ColorValue(plain)
    ok = pl.when(meets(ind.direction, pl.col("值"), target)).then(pl.lit("达标")).otherwise(pl.lit("未达标"))
    scale = alt.Scale(domain=["达标", "未达标"], range=[good, bad])
    return d.with_columns(ok.alias("状态")), alt.Color("状态:N", scale=scale, title=None)


def bar_chart(df: pl.DataFrame, key: str, iid: str, *, month_num: int | None = None, height: int = 320,
              select: bool = False, horizontal: bool = False) -> Templated:
    """Groups sorted by an indicator, coloured against its target, with the target as a rule; with `select`, a
    point selection `pick` on the group (a click on a bar)."""
    ind = BY_ID[iid]
    div, unit = money_scale(ind, df.get_column(iid).to_list())
    d = df.select(pl.col(key).fill_null(NO_CHAIN if key == "chain" else EMPTY).alias("组"),
                  pl.col(iid).alias("值"), pl.col(f"n__{iid}").alias("n") if f"n__{iid}" in df.columns
                  else pl.lit(None).alias("n")).filter(pl.col("值").is_not_null())
    target = ind.target_for(month_num) if month_num else None
    d, color = target_status(d, ind, target)
    d = d.with_columns(pl.col("值") / div)  # in the unit named on the axis (after the verdict, made in 万元)
    upright = len(d) <= 12
    if horizontal:  # every group named: the chart grows with them rather than dropping every other name
        height = max(height, BAR_PX * len(d) + 60)
    frames = (d,) if target is None else (d, pl.DataFrame({"t": [target / div]}))

    def make(bars, rule=None) -> alt.LayerChart:
        order = "-x" if horizontal else "-y"
        if ind.direction == "lower":
            order = order.replace("-", "")
        value_axis = alt.Axis(format=axis_format(ind))
        if horizontal:
            group = alt.Y("组:N", title=None, sort=order, axis=alt.Axis(labelOverlap=False))
            value = alt.X("值:Q", title=unit_title(ind, unit), axis=value_axis)
        else:
            group = alt.X("组:N", title=None, sort=order, axis=alt.Axis(labelAngle=0 if upright else -45))
            value = alt.Y("值:Q", title=unit_title(ind, unit), axis=value_axis)
        tooltip = [alt.Tooltip("组:N", title=BY_LABELS.get(key, key)),
                   alt.Tooltip("值:Q", title=unit_title(ind, unit), format=tooltip_format(ind, unit)),
                   alt.Tooltip("n:Q", title=t("n"))]
        chart = alt.Chart(bars).mark_bar().encode(group, value, color, tooltip=tooltip)
        if select:
            chart = chart.add_params(alt.selection_point(name="pick", fields=["组"]))
        layers = [chart]
        title = f"{ind_name(iid)} · {BY_LABELS.get(key, key)}"
        if rule is not None:
            schedule = ind.target == "time_schedule"
            rule_enc = alt.X("t:Q") if horizontal else alt.Y("t:Q")
            layers.append(alt.Chart(rule).mark_rule(color=BAD, strokeDash=[6, 4], size=2).encode(
                rule_enc, tooltip=[alt.Tooltip("t:Q", title=t("time_schedule") if schedule else t("target"),
                                               format=tooltip_format(ind, unit))]))
            title = alt.Title(title, subtitle=reference_note(schedule), subtitleColor=BAD)
        return alt.layer(*layers, height=height, title=title)

    return Templated(("bar_chart", key, iid, len(frames), upright, height, select, horizontal, unit), frames, make)


def stacked_share(df: pl.DataFrame, key: str, part: str, value: str = "total_investment", height: int = 320,
                  title: str = "") -> Templated:
    """100% stacked bars: the share of `value` by `part` within each `key` group."""
    d = (df.group_by([key, part]).agg(pl.col(value).sum().alias("v"))
         .with_columns((pl.col("v") / pl.col("v").sum().over(key)).alias("占比"))
         .with_columns(pl.col(part).fill_null(EMPTY), pl.col(key).fill_null(EMPTY)))
    upright = d[key].n_unique() <= 12

    def make(data) -> alt.Chart:
        return alt.Chart(data, height=height, title=title).mark_bar().encode(
            alt.X(f"{key}:N", title=None, axis=alt.Axis(labelAngle=0 if upright else -45)),
            alt.Y("占比:Q", stack="normalize", axis=alt.Axis(format=".0%"), title="占比"),
            alt.Color(f"{part}:N", title=BY_LABELS.get(part, ZH.get(part, part))),
            tooltip=[alt.Tooltip(f"{key}:N", title=BY_LABELS.get(key, key)), alt.Tooltip(f"{part}:N"),
                     alt.Tooltip("v:Q", title="总投资（万元）", format=",.0f"), alt.Tooltip("占比:Q", format=".1%")])

    return Templated(("stacked_share", key, part, value, height, title, upright), (d,), make)


def efficiency_scatter(rows: pl.DataFrame) -> Templated:
    """Each producing project: 亩均税收 against 投资利税率, sized by 总投资, coloured by county."""
    def make(data) -> alt.Chart:
        return alt.Chart(data, height=420).mark_circle(opacity=0.75).encode(
            alt.X("亩均税收:Q", title="亩均税收（万元/亩）", axis=alt.Axis(format=",.1f")),
            alt.Y("投资利税率:Q", title="投资利税率", axis=alt.Axis(format=".0%")),
            alt.Size("total_investment:Q", title="总投资（万元）", legend=alt.Legend(format=",.0f")),
            alt.Color("county:N", title="县区"),
            tooltip=[alt.Tooltip("project_name:N", title="项目名称"), alt.Tooltip("county:N", title="县区"),
                     alt.Tooltip("chain:N", title="产业链"),
                     alt.Tooltip("total_investment:Q", title="总投资（万元）", format=",.0f"),
                     alt.Tooltip("亩均税收:Q", format=",.2f"), alt.Tooltip("投资利税率:Q", format=".1%")])

    return Templated(("efficiency_scatter",), (rows,), make)


HEAT_STANDING = ("met", "near", "far", "none")
HEAT_FILL = ("#b7dfc0", "#fde3a0", "#f3b0ac", "#eef0f3")  # light fills the figures stay readable on


def heat_table(by: pl.DataFrame, ids: Sequence[str], month_num: int) -> Templated:
    """Counties × indicators: each cell the county's value, coloured by where it stands against the indicator's
    target in its direction (met / near / far: metrics.indicator.standing; grey without a target), the target in
    the tooltip; the legend names the standings, not values."""
    long = []
    for iid in ids:
        ind = BY_ID[iid]
        target = ind.target_for(month_num)
        for county, v in zip(by["county"].to_list(), by.get_column(iid).to_list()):
            long.append({"县区": county, "指标": ind_name(iid), "值": format_value(ind, v),
                         "对照目标": t(f"heat_{standing(ind, v, target) or 'none'}"),
                         "目标": format_value(ind, target) if target is not None else DASH})
    ldf = pl.DataFrame(long, schema={"县区": pl.String, "指标": pl.String, "值": pl.String, "对照目标": pl.String,
                                     "目标": pl.String})
    height = max(260, 36 * by.height) + 56  # the legend under the rows takes its share of the height

    def make(data) -> alt.LayerChart:
        order = [ind_name(i) for i in ids]
        names = [t(f"heat_{k}") for k in HEAT_STANDING]
        heat = alt.Chart(data).mark_rect(stroke="white").encode(
            alt.X("指标:N", sort=order, title=None, axis=alt.Axis(labelAngle=0, orient="top", labelLimit=120)),
            alt.Y("县区:N", title=None),
            alt.Color("对照目标:N", scale=alt.Scale(domain=names, range=list(HEAT_FILL)),
                      legend=alt.Legend(title=t("heat_legend"), orient="bottom", direction="horizontal",
                                        symbolType="square", symbolSize=200, labelLimit=400)),
            tooltip=[alt.Tooltip("县区:N"), alt.Tooltip("指标:N"), alt.Tooltip("值:N"), alt.Tooltip("目标:N"),
                     alt.Tooltip("对照目标:N")])
        text = alt.Chart(data).mark_text(fontSize=14).encode(alt.X("指标:N", sort=order), alt.Y("县区:N"),
                                                             alt.Text("值:N"))
        return alt.layer(heat, text, height=height)

    return Templated(("heat_table", tuple(ids), height), (ldf,), make)


def investment_curve(h: pl.DataFrame) -> Templated:
    """A project's 本年累计完成投资 by month (h: its history) against 年度计划投资 × m/12 (时序进度) and 开工累计完成投资."""
    ytd, plan, total = t("hist_ytd"), t("hist_plan"), t("hist_total")
    d = h.select(
        pl.col("snapshot_month").dt.strftime("%Y-%m").alias("月份"),
        pl.col("completed_investment_ytd").alias(ytd),
        (pl.col("plan_investment_year") * rowsets.schedule_expr(pl.col("snapshot_month"))).alias(plan),
        pl.col("completed_investment_total").alias(total),
    ).unpivot(index="月份", variable_name="系列", value_name="万元")

    def make(data) -> alt.Chart:
        domain = [ytd, plan, total]
        return alt.Chart(data, height=340, title=t("hist_curve")).mark_line(point=True, strokeWidth=3).encode(
            alt.X("月份:O", title=None, axis=alt.Axis(labelAngle=-45)),
            alt.Y("万元:Q", title="万元", axis=alt.Axis(format=",.0f")),
            alt.Color("系列:N", title=None, scale=alt.Scale(domain=domain, range=[ACCENT, BAD, NEUTRAL]),
                      legend=alt.Legend(orient="top")),
            alt.StrokeDash("系列:N", scale=alt.Scale(domain=domain, range=[[1, 0], [6, 4], [2, 2]]), legend=None),
            tooltip=[alt.Tooltip("月份:O"), alt.Tooltip("系列:N"), alt.Tooltip("万元:Q", format=",.1f")])

    return Templated(("investment_curve",), (d,), make)


def procedures_chart(df: pl.DataFrame, proc_columns: Sequence[str]) -> Templated:
    """A project's procedure and start dates (节点, 类别, 日期) on a time line, one row per node."""
    d = df.with_columns(pl.col("日期").dt.strftime("%Y-%m-%d").alias("日"))

    def make(data) -> alt.LayerChart:
        order = [PROC_ZH[p] for p in proc_columns] + ["计划开工", "实际开工"]
        base = alt.Chart(data).encode(
            alt.Y("节点:N", sort=order, title=None, axis=alt.Axis(labelFontSize=13)),
            alt.X("日期:T", title=None, axis=alt.Axis(format="%Y-%m", labelAngle=0, tickCount="month",
                                                   labelOverlap="greedy", grid=True)),
            alt.Color("类别:N", title=None, scale=alt.Scale(domain=["前期手续", "开工"], range=[ACCENT, BAD]),
                      legend=alt.Legend(orient="top")),
            tooltip=[alt.Tooltip("节点:N"), alt.Tooltip("日:N", title="日期")])
        points = base.mark_point(filled=True, size=160, shape="diamond")
        labels = base.mark_text(align="left", dx=10, fontSize=12, font=FONT).encode(alt.Text("日:N"))
        return alt.layer(points, labels, height=40 * d.height + 40, title=t("hist_procs"))

    return Templated(("procedures_chart", tuple(proc_columns), d.height), (d,), make)


def duel_trend(d: pl.DataFrame, iid: str, picked: Sequence[str], width: int, ref_name: str) -> Templated:
    """Small multiples of one indicator (d: 月份, 县区, 值, n, 年, 目标): one column per county, one y scale."""
    ind = BY_ID[iid]
    has_target = bool(d["目标"].is_not_null().any())

    def make(data) -> alt.FacetChart:
        base = alt.Chart().encode(alt.X("月份:O", title=None, axis=alt.Axis(labelAngle=-45, labelOverlap=True)))
        # one line per year: year-to-date figures restart in January
        line = base.mark_line(point=True, strokeWidth=3).encode(
            alt.Y("值:Q", title=ind_name(iid), axis=alt.Axis(format=axis_format(ind))), alt.Detail("年:N"),
            tooltip=[alt.Tooltip("县区:N"), alt.Tooltip("月份:O"),
                     alt.Tooltip("值:Q", title=ind_name(iid), format=tooltip_format(ind)),
                     alt.Tooltip("n:Q", title=t("n"))])
        layers = [line]
        if has_target:
            layers.append(base.mark_line(strokeDash=[6, 4], color=BAD, strokeWidth=2).encode(
                alt.Y("目标:Q"), alt.Detail("年:N"),
                tooltip=[alt.Tooltip("目标:Q", title=t("target"), format=tooltip_format(ind))]))
        return alt.layer(*layers, data=data, width=width, height=220).facet(
            column=alt.Column("县区:N", sort=list(picked), title=None,
                              header=alt.Header(labelFontSize=16, labelFontWeight="bold")),
            resolve=alt.Resolve(scale=alt.ScaleResolveMap(y="shared")),
            title=f"{ind_name(iid)}（{ref_name}：红色虚线）")

    return Templated(("duel_trend", iid, tuple(picked), width, ref_name, has_target), (d,), make)


def for_phone(chart: Templated) -> Templated:
    """The same chart for a phone's width (ui/phone.py): its legend above the plot rather than beside it."""
    return Templated((*chart.shape, "phone"), chart.frames,
                     lambda *data: chart.make(*data).configure_legend(orient="top", direction="horizontal"))


def duel_scores(ldf: pl.DataFrame, order: Sequence[str], picked: Sequence[str], label_angle: int = 0) -> Templated:
    """The scorecard's scaled scores (县区, 指标, 得分, 值, 权重) as parallel coordinates, one line per county
    (`label_angle`: the indicators' names turned, where the columns are narrow)."""
    def make(data) -> alt.Chart:
        return alt.Chart(data, height=340).mark_line(point=alt.OverlayMarkDef(size=90), strokeWidth=3).encode(
            alt.X("指标:N", sort=list(order), title=None,
                  axis=alt.Axis(labelAngle=label_angle, labelLimit=160, grid=True)),
            alt.Y("得分:Q", scale=alt.Scale(domain=[0, 100]), title="评分（0–100）"),
            alt.Color("县区:N", sort=list(picked), title=t("county"), scale=alt.Scale(scheme="tableau10")),
            alt.Detail("县区:N"),
            tooltip=[alt.Tooltip("县区:N"), alt.Tooltip("指标:N"), alt.Tooltip("值:N"),
                     alt.Tooltip("得分:Q", format=".1f"), alt.Tooltip("权重:Q")])

    return Templated(("duel_scores", tuple(order), tuple(picked), label_angle), (ldf,), make)


# ---- charts drawn with their page's selection ----------------------------------------------------------------
def _focus_picked(widget_key: str) -> None:
    """on_select of the county bars: narrow the view to the clicked county. A callback runs before the script,
    so it may set the sidebar's county (a widget's key, which the script itself may no longer change)."""
    event = st.session_state.get(widget_key) or {}
    picked = (event.get("selection") or {}).get("pick") or []
    county = picked[0].get("组") if picked else None
    if county:
        focus_county(county)


def county_bars(df: pl.DataFrame, iid: str, month_num: int, key_parts: Sequence[Hashable], key: str = "county",
                height: int = 320) -> None:
    """Bars by `key` (df: the month's indicators by it); by county, a click on a bar narrows the whole view to
    that county. `key_parts` name the view `df` belongs to (month, filters)."""
    build = lambda: bar_chart(df, key, iid, month_num=month_num, height=height, select=key == "county")  # noqa: E731
    view = (*key_parts, iid, month_num, key, height)
    if key != "county":
        show(st, "bars", view, build)
        return
    widget_key = f"bars_{iid}"
    show(st, "bars", view, build, on_select=functools.partial(_focus_picked, widget_key), key=widget_key)
    st.caption(t("click_county"))
