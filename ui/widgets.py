"""Shared widgets: KPI tile, tables with downloads, empty states (charts: ui/charts.py)."""
from __future__ import annotations

import html
from collections.abc import Callable, Iterable
from pathlib import Path

import polars as pl
import streamlit as st

from data.months import previous_month, to_month
from data.text import CSV_MIME, DASH, XLSX_MIME
from metrics.filters import Filters
from metrics.format import Column, format_change, format_gap, format_value
from metrics.indicator import Indicator, meets
from metrics.registry import BY_ID
from reports.export import to_csv_bytes, to_xlsx_bytes
from ui import cached, phone
from ui.charts import BAD, GOOD, NEUTRAL
from ui.i18n import ind_name, t
from ui.state import Selection

CSS = """
<style>
.kpi {border:1px solid #dfe3ea;border-radius:10px;padding:10px 14px;background:#fff;min-height:148px;margin-bottom:12px;
      border-left:6px solid var(--kc);}
.kpi .lbl {font-size:15px;color:#3b4453;display:flex;justify-content:space-between;gap:6px}
.kpi .lbl .i {cursor:help;color:#8a94a6}
.kpi .val {font-size:34px;font-weight:700;color:var(--kc);line-height:1.25;margin:2px 0}
.kpi .sub {font-size:13px;color:#5f6b7a;line-height:1.5}
.kpi .sub b {color:#222}
/* --per-row tiles to a row, fewer where a tile would be narrower than 220px (a projector's 1024px beside the
   sidebar: two, not four squeezed ones) */
.kpi-grid {display:grid;gap:1rem;grid-template-columns:repeat(auto-fill,
  minmax(max(220px, calc((100% - (var(--per-row, 4) - 1) * 1rem) / var(--per-row, 4))), 1fr))}
.kpi-grid.kpi-fixed {grid-template-columns:repeat(var(--per-row), minmax(0, 1fr))}  /* lined up with columns */
.st-key-kpm_zh {display:none !important}  /* ui/zh.py's script draws nothing and takes no room */
</style>
"""


_MD_SPECIAL = set("\\`*_{}[]()#+-.!|<>~$:=")


def md_escape(text: object) -> str:
    """User text (project names, leaders) made inert for st.markdown/st.subheader: every Markdown, directive
    (:red[..], :emoji:), LaTeX ($) and HTML character is backslash-escaped, so it shows exactly as typed."""
    return "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in str(text if text is not None else ""))


def inject_css() -> None:
    """The shared CSS and the phone's media queries (ui/phone.py), in one element."""
    st.markdown(CSS + phone.CSS, unsafe_allow_html=True)


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
    sub = (f'{t("target")} <b>{html.escape(tgt)}</b> · {t("gap")} <b>{html.escape(gap)}</b><br>'
           f'{t("mom")} <b>{html.escape(format_change(ind, value, prev))}</b><span class="n"> · {t("n")} '
           f'<b>{n_txt}</b></span>')  # a phone leaves n to the ⓘ (ui/phone.py)
    return tile_html(color, name, caliber, html.escape(format_value(ind, value)), sub)


def tile_html(color: str, name: str, caliber: str, value: str, sub: str) -> str:
    """The house's KPI tile around already-escaped HTML: coloured edge, name with ⓘ (its 口径), value, lines below."""
    return (f'<div class="kpi" style="--kc:{color}"><div class="lbl"><span>{name}</span>'
            f'<span class="i" title="{caliber}">ⓘ</span></div><div class="val">{value}</div>'
            f'<div class="sub">{sub}</div></div>')


def kpi_row(ids: list[str], sel: Selection, frame: pl.DataFrame, per_row: int = 4) -> dict:
    """Tiles for the given indicators at the selected month, compared with last month, read from `frame` (the
    indicators by month, as cached.page_frames gives them), `per_row` to a row; returns this month's record."""
    m = to_month(sel.month)
    rows = {r["snapshot_month"]: r for r in frame.iter_rows(named=True)}
    now, before = rows.get(m, {}), rows.get(to_month(previous_month(sel.month)), {})
    tile_grid([kpi_tile_html(BY_ID[iid], now.get(iid), before.get(iid), now.get(f"n__{iid}"), m.month)
               for iid in ids], per_row)
    return now


def tile_grid(tiles: Iterable[str], per_row: int, *, fixed: bool = False) -> None:
    """KPI tiles' HTML in one element, a CSS grid of `per_row` to a row (`fixed`: exactly, to line up with
    columns above; else fewer where a tile would be too narrow)."""
    # One element, not a column and a markdown element per tile: each element is a message the server makes and
    # sends on every view (measured: README, load).
    cls = "kpi-grid kpi-fixed" if fixed else "kpi-grid"
    st.markdown(f'<div class="{cls}" style="--per-row:{per_row}">{"".join(tiles)}</div>', unsafe_allow_html=True)


def show_table(df: pl.DataFrame | Callable[[], pl.DataFrame], name: str, labels: dict[str, str] | None = None, *,
               height: int | str | None = None, key: str | None = None, cache: tuple | None = None,
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
    kwargs.setdefault("placeholder", DASH)   # an empty cell reads “—”, never Streamlit's English “None”
    event = st.dataframe(arrow, width="stretch", hide_index=True, height=height or "auto", key=key, **kwargs)
    row = st.container(horizontal=True)  # buttons as wide as their labels (fixed columns cut them at 1024 px)
    c1 = c2 = row
    # Files are built when a button is clicked (a callable), not on every rerun: the XLSX writer was ~6% of the
    # server's CPU under many viewers (bench/load.py), for downloads almost nobody makes.
    c1.download_button(t("download_csv"), lambda: to_csv_bytes(pl.from_arrow(arrow)), f"{name}.csv", CSV_MIME,
                       key=f"csv_{key or name}")
    c2.download_button(t("download_xlsx"), lambda: to_xlsx_bytes({name: pl.from_arrow(arrow)}), f"{name}.xlsx",
                       XLSX_MIME, key=f"xlsx_{key or name}")
    return event


def number_config(column: Column, **kwargs):
    """A grid column of figures shown by metrics.format's rule for it (its decimals, a rate's %)."""
    return st.column_config.NumberColumn(format=column.printf, **kwargs)


def in_units(frame: pl.DataFrame, columns: dict[str, Column]) -> pl.DataFrame:
    """The frame with its figure columns in the units they are shown in (metrics.format.Column: ÷ divisor) under
    headers naming the unit — what the grid shows and the CSV/XLSX files hold alike."""
    have = {c: col for c, col in columns.items() if c in frame.columns}
    return (frame.with_columns(pl.col(c) / col.divisor for c, col in have.items())
            .rename({c: col.header(c) for c, col in have.items()}))


def unit_configs(columns: dict[str, Column]) -> dict:
    """The grid's formats for the columns in_units shows (keyed by their new headers)."""
    return {col.header(c): number_config(col) for c, col in columns.items()}


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


def describe_filters(f: Filters) -> str:
    parts = [f"{t(k)}：{'、'.join(v)}" for k, v in f.as_dict().items() if v]
    return "；".join(parts) if parts else t("no_filter")


def month_num(sel: Selection) -> int:
    return to_month(sel.month).month


def with_previous(month: str) -> list[str]:
    """The month and, when it is stored, the month before (for the change since last month)."""
    prev = previous_month(month)
    return [month] + ([prev] if prev in cached.months() else [])
