"""Shared widgets: KPI tile, Altair chart helpers, tables with downloads, empty states."""
from __future__ import annotations

import html
from collections.abc import Callable, Iterable
from pathlib import Path

import altair as alt
import polars as pl
import streamlit as st

from data.months import previous_month, to_month
from data.schema import ZH
from metrics import rowsets
from metrics.export import to_csv_bytes, to_xlsx_bytes
from metrics.filters import BY_LABELS, Filters
from metrics.format import DASH, NO_CHAIN, format_change, format_gap, format_value
from metrics.indicator import Indicator, meets
from metrics.registry import BY_ID
from metrics.watchlists import WATCH_LISTS
from ui import cached
from ui.i18n import ind_name, t
from ui.state import Selection, focus_county

GOOD, BAD, NEUTRAL = "#1a7f37", "#c62828", "#5f6b7a"
WARN = "#d4a000"  # 黄灯
ACCENT = "#1f5fbf"
FONT = "Noto Sans CJK SC, Microsoft YaHei, PingFang SC, sans-serif"

CSS = """
<style>
.kpi {border:1px solid #dfe3ea;border-radius:10px;padding:10px 14px;background:#fff;min-height:148px;margin-bottom:12px;
      border-left:6px solid var(--kc);}
.kpi .lbl {font-size:15px;color:#3b4453;display:flex;justify-content:space-between;gap:6px}
.kpi .lbl .i {cursor:help;color:#8a94a6}
.kpi .val {font-size:34px;font-weight:700;color:var(--kc);line-height:1.25;margin:2px 0}
.kpi .sub {font-size:13px;color:#5f6b7a;line-height:1.5}
.kpi .sub b {color:#222}
</style>
"""


_MD_SPECIAL = set("\\`*_{}[]()#+-.!|<>~$:=")


def md_escape(text: object) -> str:
    """User text (project names, leaders) made inert for st.markdown/st.subheader: every Markdown, directive
    (:red[..], :emoji:), LaTeX ($) and HTML character is backslash-escaped, so it shows exactly as typed."""
    return "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in str(text if text is not None else ""))


def inject_css() -> None:
    st.markdown(CSS, unsafe_allow_html=True)


def status_color(ind: Indicator, value, target) -> str:
    """Green when the value meets its target in the indicator's direction, red when not, grey without target."""
    ok = meets(ind.direction, value, target)
    return NEUTRAL if ok is None else GOOD if ok else BAD


def kpi_tile_html(ind: Indicator, value, prev, n, month_num: int) -> str:
    """One KPI tile: value, target, gap, change since last month, n, and ⓘ with the 口径 (all text escaped)."""
    target = ind.target_for(month_num)
    color = status_color(ind, value, target)
    tgt, gap = format_value(ind, target), format_gap(ind, value, target)
    name = html.escape(ind_name(ind.id))
    caliber = html.escape(ind.caliber + (f"（目标来源：{ind.target_source}）" if ind.target_source else ""))
    n_txt = DASH if n is None else f"{int(n):,}"
    return (f'<div class="kpi" style="--kc:{color}"><div class="lbl"><span>{name}</span>'
            f'<span class="i" title="{caliber}">ⓘ</span></div>'
            f'<div class="val">{html.escape(format_value(ind, value))}</div>'
            f'<div class="sub">{t("target")} <b>{html.escape(tgt)}</b> · {t("gap")} <b>{html.escape(gap)}</b><br>'
            f'{t("mom")} <b>{html.escape(format_change(ind, value, prev))}</b> · {t("n")} <b>{n_txt}</b></div></div>')


def kpi_row(ids: list[str], sel: Selection, frame: pl.DataFrame, per_row: int = 4) -> dict:
    """Tiles for the given indicators at the selected month, compared with last month, read from `frame` (the
    indicators by month, as cached.page_frames gives them); returns this month's record."""
    m = to_month(sel.month)
    rows = {r["snapshot_month"]: r for r in frame.iter_rows(named=True)}
    now, before = rows.get(m, {}), rows.get(to_month(previous_month(sel.month)), {})
    for start in range(0, len(ids), per_row):
        cols = st.columns(per_row)
        for col, iid in zip(cols, ids[start:start + per_row]):
            ind = BY_ID[iid]
            with col:
                st.markdown(kpi_tile_html(ind, now.get(iid), before.get(iid), now.get(f"n__{iid}"), m.month),
                            unsafe_allow_html=True)
    return now


def lists_chart(counts: dict[str, int], *, dx: int = 4, text_size: int | None = None,
                label_limit: int | None = None) -> alt.LayerChart:
    """How many projects each watch list holds, as labelled horizontal bars (largest first)."""
    cdf = pl.DataFrame({"清单": [w.zh for w in WATCH_LISTS], "项目数": [counts[w.id] for w in WATCH_LISTS]})
    axis = alt.Axis(labelLimit=label_limit) if label_limit else alt.Undefined
    text = {"fontSize": text_size} if text_size else {}
    return (alt.Chart(cdf).mark_bar(color=BAD).encode(
        y=alt.Y("清单:N", sort="-x", title=None, axis=axis), x=alt.X("项目数:Q", title="项目数（个）"),
        tooltip=["清单", alt.Tooltip("项目数:Q", format=",")])
        + alt.Chart(cdf).mark_text(align="left", dx=dx, **text).encode(
            y=alt.Y("清单:N", sort="-x"), x="项目数:Q", text=alt.Text("项目数:Q", format=",")))


def axis_format(ind: Indicator) -> str:
    return ".0%" if ind.is_rate else ",.0f"


def tooltip_format(ind: Indicator) -> str:
    return ".1%" if ind.is_rate else ",.1f" if ind.unit in ("万元/亩", "天") else ",.0f"


def _title(ind: Indicator) -> str:
    unit = "" if ind.is_rate or ind.unit == "个" else f"（{ind.unit}）"
    return ind_name(ind.id) + unit


MONTHLY_FLOWS = {"monthly_investment", "monthly_investment_mom", "new_starts_100m"}


def trend_chart(df: pl.DataFrame, iid: str, *, color: str | None = None, schedule: bool | None = None,
                height: int = 300) -> alt.Chart:
    """An indicator over the months, with the target (or 时序进度) as a dashed line."""
    ind = BY_ID[iid]
    # Year-to-date figures restart in January: draw one line per year; monthly flows run on across the boundary.
    year = pl.col("snapshot_month").dt.year() if iid not in MONTHLY_FLOWS else pl.lit(0)
    d = df.select(pl.col("snapshot_month").dt.strftime("%Y-%m").alias("月份"), pl.col(iid).alias("值"),
                  year.alias("年"), *([pl.col(color).alias("组")] if color else []))
    enc_color = alt.Color("组:N", title=BY_LABELS.get(color, color)) if color else alt.value(ACCENT)
    base = alt.Chart(d).encode(
        x=alt.X("月份:O", title=None, axis=alt.Axis(labelAngle=-45)),
        y=alt.Y("值:Q", title=_title(ind), axis=alt.Axis(format=axis_format(ind))),
        tooltip=[alt.Tooltip("月份:O"), *([alt.Tooltip("组:N", title=BY_LABELS.get(color, color))] if color else []),
                 alt.Tooltip("值:Q", title=ind_name(iid), format=tooltip_format(ind))],
    )
    line = base.mark_line(point=True, strokeWidth=3).encode(color=enc_color, detail="年:N")
    layers = [line]
    use_schedule = ind.target == "time_schedule" if schedule is None else schedule
    targets = []
    for m in d["月份"].to_list():
        month_num = int(m[5:7])
        tv = rowsets.schedule(month_num) if use_schedule else ind.target_for(month_num)
        if tv is not None:
            targets.append({"月份": m, "目标": tv, "年": int(m[:4])})
    if targets:
        tname = t("time_schedule") if use_schedule else t("target")
        rule = alt.Chart(pl.DataFrame(targets)).mark_line(strokeDash=[6, 4], color=BAD, strokeWidth=2).encode(
            x="月份:O", y="目标:Q", detail="年:N",
            tooltip=[alt.Tooltip("月份:O"), alt.Tooltip("目标:Q", title=tname, format=tooltip_format(ind))])
        layers.append(rule)
    return alt.layer(*layers).properties(height=height, title=f"{ind_name(iid)} · {t('trend')}")


def target_status(d: pl.DataFrame, ind: Indicator, target, colors: tuple[str, str, str] = (GOOD, BAD, ACCENT)):
    """The 值 column's 状态 (达标/未达标 against the target; 值 without one) and the bar colour encoding for it."""
    good, bad, plain = colors
    if target is None:
        return d.with_columns(pl.lit("值").alias("状态")), alt.value(plain)
    ok = pl.when(meets(ind.direction, pl.col("值"), target)).then(pl.lit("达标")).otherwise(pl.lit("未达标"))
    scale = alt.Scale(domain=["达标", "未达标"], range=[good, bad])
    return d.with_columns(ok.alias("状态")), alt.Color("状态:N", scale=scale, title=None)


def bar_chart(df: pl.DataFrame, key: str, iid: str, *, month_num: int | None = None, height: int = 320,
              select: bool = False, horizontal: bool = False) -> alt.Chart:
    """Groups sorted by an indicator, coloured against its target, with the target as a rule."""
    ind = BY_ID[iid]
    d = df.select(pl.col(key).fill_null(NO_CHAIN if key == "chain" else "（空）").alias("组"),
                  pl.col(iid).alias("值"), pl.col(f"n__{iid}").alias("n") if f"n__{iid}" in df.columns
                  else pl.lit(None).alias("n")).filter(pl.col("值").is_not_null())
    target = ind.target_for(month_num) if month_num else None
    d, color = target_status(d, ind, target)
    order = "-x" if horizontal else "-y"
    if ind.direction == "lower":
        order = order.replace("-", "")
    gx = alt.X("组:N", title=None, sort=order, axis=alt.Axis(labelAngle=0 if len(d) <= 12 else -45))
    vy = alt.Y("值:Q", title=_title(ind), axis=alt.Axis(format=axis_format(ind)))
    if horizontal:
        gx, vy = alt.Y("组:N", title=None, sort=order), alt.X("值:Q", title=_title(ind),
                                                                 axis=alt.Axis(format=axis_format(ind)))
    tooltip = [alt.Tooltip("组:N", title=BY_LABELS.get(key, key)),
               alt.Tooltip("值:Q", title=ind_name(iid), format=tooltip_format(ind)), alt.Tooltip("n:Q", title=t("n"))]
    chart = alt.Chart(d).mark_bar().encode(gx, vy, color=color, tooltip=tooltip)
    if select:
        chart = chart.add_params(alt.selection_point(name="pick", fields=["组"]))
    layers = [chart]
    if target is not None:
        rule_enc = alt.X("t:Q") if horizontal else alt.Y("t:Q")
        layers.append(alt.Chart(pl.DataFrame({"t": [target]})).mark_rule(color=BAD, strokeDash=[6, 4], size=2)
                      .encode(rule_enc, tooltip=[alt.Tooltip("t:Q", title=t("target"), format=tooltip_format(ind))]))
    return alt.layer(*layers).properties(height=height, title=f"{ind_name(iid)} · {BY_LABELS.get(key, key)}")


def county_bars(df: pl.DataFrame, iid: str, month_num: int, key: str = "county", height: int = 320) -> None:
    """County bars; a click on a bar narrows the whole view to that county."""
    chart = bar_chart(df, key, iid, month_num=month_num, height=height, select=key == "county")
    if key != "county":
        st.altair_chart(chart, width="stretch")
        return
    event = st.altair_chart(chart, width="stretch", on_select="rerun", key=f"bars_{iid}")
    picked = (event or {}).get("selection", {}).get("pick") if isinstance(event, dict) else \
        getattr(getattr(event, "selection", None), "pick", None)
    if picked:
        county = picked[0].get("组")
        if county and st.session_state.get("sel_county") != [county]:
            focus_county(county)
            st.rerun()
    st.caption(t("click_county"))


def stacked_share(df: pl.DataFrame, key: str, part: str, value: str = "total_investment", height: int = 320,
                  title: str = "") -> alt.Chart:
    """100% stacked bars: the share of `value` by `part` within each `key` group."""
    d = (df.group_by([key, part]).agg(pl.col(value).sum().alias("v"))
         .with_columns((pl.col("v") / pl.col("v").sum().over(key)).alias("占比"))
         .with_columns(pl.col(part).fill_null("（空）"), pl.col(key).fill_null("（空）")))
    return alt.Chart(d).mark_bar().encode(
        x=alt.X(f"{key}:N", title=None, axis=alt.Axis(labelAngle=0 if d[key].n_unique() <= 12 else -45)),
        y=alt.Y("占比:Q", stack="normalize", axis=alt.Axis(format=".0%"), title="占比"),
        color=alt.Color(f"{part}:N", title=BY_LABELS.get(part, ZH.get(part, part))),
        tooltip=[alt.Tooltip(f"{key}:N", title=BY_LABELS.get(key, key)), alt.Tooltip(f"{part}:N"),
                 alt.Tooltip("v:Q", title="总投资（万元）", format=",.0f"), alt.Tooltip("占比:Q", format=".1%")],
    ).properties(height=height, title=title)


def show_table(df: pl.DataFrame | Callable[[], pl.DataFrame], name: str, labels: dict[str, str] | None = None, *,
               height: int | None = None, key: str | None = None, cache: tuple | None = None,
               cache_files: Iterable[Path] = (), **kwargs):
    """A table with Chinese headers and CSV/XLSX download buttons (cells neutralised against formula injection).
    With `cache` (what the table shows besides the store: month, selection …), `df` may be a function that builds it,
    run only when no viewer has seen this table (cached.table: per store content, `cache`, language, `cache_files`)."""
    def shown() -> pl.DataFrame:
        frame = df() if callable(df) else df
        frame = frame.rename({k: v for k, v in (labels or {}).items() if k in frame.columns})
        # An all-empty column has Polars' Null type, which Arrow sends as a type the table cannot show: text.
        return frame.with_columns(pl.col(pl.Null).cast(pl.String))

    # A pyarrow Table goes to the browser as it is; a Polars frame would pass through pandas on every rerun.
    arrow = cached.table((name, key, cache), shown, cache_files) if cache is not None else shown().to_arrow()
    event = st.dataframe(arrow, width="stretch", hide_index=True, height=height or "auto", key=key, **kwargs)
    row = st.container(horizontal=True)  # buttons as wide as their labels (fixed columns cut them at 1024 px)
    c1 = c2 = row
    # Files are built when a button is clicked (a callable), not on every rerun: the XLSX writer was ~6% of the
    # server's CPU under many viewers (bench/load.py), for downloads almost nobody makes.
    c1.download_button(t("download_csv"), lambda: to_csv_bytes(pl.from_arrow(arrow)), f"{name}.csv", "text/csv",
                       key=f"csv_{key or name}")
    c2.download_button(t("download_xlsx"), lambda: to_xlsx_bytes({name: pl.from_arrow(arrow)}), f"{name}.xlsx",
                       "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key=f"xlsx_{key or name}")
    return event


def guard(sel: Selection) -> bool:
    """Show the empty state and return False when there is nothing to draw for this selection."""
    if not sel.month or sel.month not in cached.months():
        st.info(t("no_data_month"))
        return False
    n = cached.compute([sel.month], sel.filters, None, ["project_count"])["project_count"][0]
    if not n:
        st.warning(t("no_match"))
        return False
    return True


def page_title(key: str, sel: Selection) -> None:
    if st.query_params.get("mode") == "screen":  # the screen header (ui.screen) names the page and month
        return
    st.title(t(key))
    st.caption(f"{sel.month} · {describe_filters(sel.filters)}")


def describe_filters(f: Filters) -> str:
    parts = [f"{t(k)}：{'、'.join(v)}" for k, v in f.as_dict().items() if v]
    return "；".join(parts) if parts else t("no_filter")


def month_num(sel: Selection) -> int:
    return to_month(sel.month).month


def with_previous(month: str) -> list[str]:
    """The month and, when it is stored, the month before (for the change since last month)."""
    prev = previous_month(month)
    return [month] + ([prev] if prev in cached.months() else [])
