"""大屏模式 (screen mode) for the meeting-room display at the 月调度会.

Opened by `?mode=screen` (or the sidebar switch). Streamlit's chrome and the sidebar are hidden, the theme is
dark and high-contrast, type is readable from 5 m (KPI values 56 px, labels ≥ 20 px at 1920×1080), and a header
shows the city, page, month, data-as-of and a live clock. A playlist rotates through pages and counties:

    ?mode=screen&playlist=总览,项目推进,县区比拼&interval=30&counties=东城区,石门县&pin=石门县&paused=1&step=2

Pages are named by their navigation titles (中文 or English) or url paths (overview, /compare). Step N shows
page N // len(counties), county N % len(counties) (a pinned county stops the county rotation). Keys: space =
pause/resume, → / PageDown = next, ← / PageUp = previous, Esc = leave screen mode; the URL takes `next=1`
(advance once) and `prev=1` too. Everything the presenter chose stays in the URL.
"""
from __future__ import annotations

import html
import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import altair as alt
import polars as pl
import streamlit as st

from data.months import month_zh
from metrics.bulletin import city_name
from metrics.format import DASH, fmt_count, fmt_rate
from metrics.indicator import meets
from metrics.ranking import RED, SNAIL, ranking_table
from metrics.registry import BY_ID
from metrics.watchlists import WATCH_LISTS
from ui import data
from ui.i18n import LABELS, ind_name, ranking_headers, t
from ui.state import MULTI, Selection, current
from ui.widgets import (ACCENT, BAD, FONT, GOOD, NEUTRAL, axis_format, guard, kpi_row, month_num, target_status,
                        trend_chart)

MODE = "screen"
DEFAULT_INTERVAL, MIN_INTERVAL, MAX_INTERVAL = 30, 5, 3600
SCREEN_KEYS = ("mode", "playlist", "counties", "interval", "paused", "step", "pin", "next", "prev")
TRUE = ("1", "true", "yes", "on")

# Dark, high-contrast palette (WCAG AA or better on BG).
BG, PANEL, FG, MUTED, GRID = "#0b1220", "#131d33", "#f1f5fb", "#b4c0d4", "#2a3754"
S_GOOD, S_BAD, S_NEUTRAL, S_ACCENT, S_WARN = "#45d483", "#ff6b6b", "#b4c0d4", "#5cb3ff", "#ffd166"
RECOLOR = {ACCENT: S_ACCENT, GOOD: S_GOOD, BAD: S_BAD, NEUTRAL: S_NEUTRAL, "#f5f5f5": "#1c2740", "white": PANEL}


# ------------------------------------------------------------------ playlist (pure: no Streamlit)


def page_url(path: str) -> str:
    """'pages/compare.py' → 'compare' (the url path app.py gives the page)."""
    return path.split("/")[-1].removesuffix(".py")


def resolve_page(name: str, pages: Sequence[tuple]) -> str | None:
    """A page path from a navigation title (中文/English), a url path ('overview', '/compare') or a file name."""
    n = name.strip().strip("/").lower()
    if not n:
        return None
    for path, key, *_ in pages:
        zh, en = LABELS.get(key, (key, key))
        if n in (page_url(path).lower(), path.lower(), path.split("/")[-1].lower(), zh.lower(), en.lower()):
            return path
    return None


def _split(value: str | None) -> list[str]:
    if not value:
        return []
    for sep in ("，", "、", ";", "；"):
        value = value.replace(sep, ",")
    return [v.strip() for v in value.split(",") if v.strip()]


def _int(value, default: int) -> int:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return default


@dataclass(frozen=True)
class Playlist:
    """What the screen shows and how it rotates; parsed from and written back to the URL."""

    pages: tuple[str, ...] = ()  # page paths, in order
    counties: tuple[str, ...] = ()  # county rotation within each page
    interval: int = DEFAULT_INTERVAL  # seconds per step
    paused: bool = False
    step: int = 0
    pin: str | None = None  # one county held on every page (stops the county rotation)
    unknown: tuple[str, ...] = ()  # playlist names / counties that matched nothing (shown, not fatal)
    raw_pages: str = ""  # the playlist as the presenter wrote it (kept in the URL)

    @property
    def county_cycle(self) -> tuple[str | None, ...]:
        return (self.pin,) if self.pin else (self.counties or (None,))

    @property
    def length(self) -> int:
        return max(1, len(self.pages)) * len(self.county_cycle)

    @property
    def rotating(self) -> bool:
        return self.length > 1 and not self.paused

    def at(self, step: int | None = None) -> tuple[str | None, str | None]:
        """(page path or None = stay on the current page, county or None = all) shown at a step."""
        s = (self.step if step is None else step) % self.length
        cycle = self.county_cycle
        page = self.pages[(s // len(cycle)) % len(self.pages)] if self.pages else None
        return page, cycle[s % len(cycle)]

    def advanced(self, by: int = 1) -> Playlist:
        return replace(self, step=(self.step + by) % self.length)

    def toggled(self) -> Playlist:
        return replace(self, paused=not self.paused)

    def params(self) -> dict[str, str]:
        """The screen parameters to keep in the URL."""
        out = {"mode": MODE}
        if self.raw_pages:
            out["playlist"] = self.raw_pages
        if self.counties:
            out["counties"] = ",".join(self.counties)
        if self.interval != DEFAULT_INTERVAL:
            out["interval"] = str(self.interval)
        if self.pin:
            out["pin"] = self.pin
        if self.paused:
            out["paused"] = "1"
        if self.length > 1:
            out["step"] = str(self.step)
        return out


def parse_playlist(params: Mapping[str, str], pages: Sequence[tuple], counties: Sequence[str] | None = None
                   ) -> Playlist:
    """Read the screen parameters (last value of each key). Unknown names are reported, never fatal."""
    unknown = []
    paths = []
    raw = (params.get("playlist") or "").strip()
    for name in _split(raw):
        path = resolve_page(name, pages)
        if path is None:
            unknown.append(name)
        elif not paths or paths[-1] != path:
            paths.append(path)
    known = set(counties) if counties is not None else None
    cs = []
    for c in _split(params.get("counties")):
        if known is not None and c not in known:
            unknown.append(c)
        elif c not in cs:
            cs.append(c)
    pin = (params.get("pin") or "").strip() or None
    if pin and known is not None and pin not in known:
        unknown.append(pin)
        pin = None
    interval = min(MAX_INTERVAL, max(MIN_INTERVAL, _int(params.get("interval"), DEFAULT_INTERVAL)))
    pl_ = Playlist(tuple(paths), tuple(cs), interval, str(params.get("paused", "")).lower() in TRUE, 0, pin,
                   tuple(unknown), raw)
    step = max(0, _int(params.get("step"), 0)) % pl_.length
    pl_ = replace(pl_, step=step)
    if str(params.get("next", "")).lower() in TRUE:
        pl_ = pl_.advanced(1)
    if str(params.get("prev", "")).lower() in TRUE:
        pl_ = pl_.advanced(-1)
    return pl_


def apply_command(pl_: Playlist, cmd: str | None) -> Playlist:
    """A key press from the screen: pause (toggle), next, prev."""
    if cmd == "pause":
        return pl_.toggled()
    if cmd == "next":
        return pl_.advanced(1)
    if cmd == "prev":
        return pl_.advanced(-1)
    return pl_


# ------------------------------------------------------------------ Streamlit side


def active() -> bool:
    """Whether this view is in screen mode (the URL decides, so a copied link opens the same screen)."""
    return st.query_params.get("mode") == MODE


def nav_position() -> str:
    return "hidden" if active() else "sidebar"


def sidebar_toggle() -> None:
    """The sidebar switch into screen mode (normal mode only)."""
    def on() -> None:
        if st.session_state.get("screen_toggle"):
            st.query_params["mode"] = MODE

    st.sidebar.toggle(t("screen_mode"), key="screen_toggle", value=False, on_change=on, help=t("screen_help"))


def _leave() -> None:
    for k in SCREEN_KEYS:
        if k in st.query_params:
            del st.query_params[k]
    st.session_state["_sel_init"] = False  # the sidebar re-reads the selection from the URL
    st.session_state["screen_toggle"] = False


_KEYS_JS = """
export default function(component) {
  const { parentElement, setTriggerValue, data } = component;
  window.__kpmSend = setTriggerValue;
  const clock = parentElement.querySelector('.kpm-clock');
  const day = parentElement.querySelector('.kpm-day');
  const wd = '日一二三四五六';
  const pad = (n) => String(n).padStart(2, '0');
  const tick = () => {
    const d = new Date();
    if (clock) clock.textContent = pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds());
    if (day) day.textContent = d.getFullYear() + '年' + (d.getMonth() + 1) + '月' + d.getDate() + '日 星期' + wd[d.getDay()];
  };
  tick();
  const timer = setInterval(tick, 1000);
  if (!window.__kpmKeysBound) {
    window.__kpmKeysBound = true;
    document.addEventListener('keydown', (e) => {
      const tag = (e.target && e.target.tagName) || '';
      if (/^(INPUT|TEXTAREA|SELECT)$/.test(tag) || !document.querySelector('.kpm-screen-on')) return;
      let cmd = null;
      if (e.code === 'Space' || e.key === ' ') cmd = 'pause';
      else if (e.key === 'ArrowRight' || e.key === 'PageDown') cmd = 'next';
      else if (e.key === 'ArrowLeft' || e.key === 'PageUp') cmd = 'prev';
      else if (e.key === 'Escape') cmd = 'exit';
      if (cmd && window.__kpmSend) { e.preventDefault(); window.__kpmSend('cmd', cmd); }
    });
  }
  return () => clearInterval(timer);
}
"""
_KEYS_HTML = '<div class="kpm-clockbox"><div class="kpm-clock">--:--:--</div><div class="kpm-day"></div></div>'
_KEYS_CSS = """
.kpm-clockbox {text-align:right;font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;color:#f1f5fb}
.kpm-clock {font-size:44px;font-weight:700;line-height:1.05;font-variant-numeric:tabular-nums;letter-spacing:1px}
.kpm-day {font-size:20px;color:#b4c0d4;line-height:1.3}
"""
_clock_component = st.components.v2.component("kpm_screen_clock", html=_KEYS_HTML, css=_KEYS_CSS, js=_KEYS_JS)


def _clock_and_keys() -> str | None:
    """The live clock (browser time) and the key listener; returns the key command of this run, if any."""
    try:
        res = _clock_component(key="kpm_screen_clock", on_cmd_change=lambda: None, height=80)
    except Exception:  # noqa: BLE001 - a clock must never take the screen down
        return None
    return getattr(res, "cmd", None) if res is not None else None


def _page_of(nav, pages: Sequence[tuple]) -> str | None:
    for path, key, *_ in pages:
        if t(key) == nav.title:
            return path
    return None


def _write_url(new: dict[str, str | list[str]]) -> None:
    now = {k: st.query_params.get_all(k) for k in st.query_params.keys()}
    want = {k: (v if isinstance(v, list) else [v]) for k, v in new.items()}
    if now != want:
        st.query_params.from_dict(new)


def _url_params(pl_: Playlist) -> dict[str, str | list[str]]:
    """The whole query string for a playlist state: the screen keys plus the selection and language kept as is."""
    keep = {k: st.query_params.get_all(k) for k in st.query_params.keys() if k not in SCREEN_KEYS}
    return {**{k: (v if len(v) > 1 else v[0]) for k, v in keep.items() if v}, **pl_.params()}


def _go(pl_: Playlist, current: str | None) -> None:
    """Show the playlist's step: switch page if it names another one, otherwise rerun with the new URL."""
    page, _ = pl_.at()
    params = _url_params(pl_)
    if page and page != current:
        st.switch_page(page, query_params=params)
    _write_url(params)
    st.rerun()


def _selection(pl_: Playlist, months: list[str], options: dict[str, list[str]]) -> Selection:
    """The month and filters from the URL, narrowed to the playlist's county; put where pages read them."""
    month = st.query_params.get("month")
    month = month if month in months else (months[-1] if months else "")
    st.session_state["sel_month"] = month
    for k in MULTI:
        st.session_state[f"sel_{k}"] = [v for v in st.query_params.get_all(k) if v in options.get(k, [])]
    _, county = pl_.at()
    if county:
        st.session_state["sel_county"] = [county]
    return current()


def run(nav, pages: Sequence[tuple]) -> None:
    """Screen mode for this run: URL and keys → playlist step, page switch, selection, CSS, header, timer."""
    months = data.months()
    options = data.options()
    pl_ = parse_playlist(st.query_params.to_dict(), pages, options.get("county", []))
    current = _page_of(nav, pages)
    st.markdown(css(), unsafe_allow_html=True)

    head = st.container(key="kpm_screen_head")
    left, mid, right = head.columns([6, 4, 2.4], vertical_alignment="center")
    with right:
        cmd = _clock_and_keys()
    if cmd == "exit":
        _leave()
        st.rerun()
    moved = "next" in st.query_params or "prev" in st.query_params
    pl_ = apply_command(pl_, cmd)
    page, _ = pl_.at()
    if moved or cmd in ("next", "prev") or (page and page != current):
        _go(pl_, current)
    _write_url(_url_params(pl_))

    sel = _selection(pl_, months, options)
    latest, imported, is_demo = data.as_of()
    asof = f"{t('data_as_of')} {latest}"
    if imported:
        asof += f" · {t('imported_at')} {imported[:16]}"
    if is_demo:
        asof += f" · {t('screen_demo')}"
    county = "、".join(sel.filters.county)
    month_txt = month_zh(sel.month) if sel.month else DASH
    left.markdown(
        f'<div class="kpm-head kpm-screen-on"><div class="kpm-city">{html.escape(city_name())}'
        f'<span class="kpm-page">{html.escape(nav.title)}</span></div>'
        f'<div class="kpm-meta"><b>{html.escape(month_txt)}</b>'
        + (f' · <b class="kpm-county">{html.escape(county)}</b>' if county else f" · {t('screen_all')}")
        + f' · {html.escape(asof)}</div>'
        + (f'<div class="kpm-meta kpm-report">{html.escape(data.report_line(sel.month))}</div>' if sel.month else "")
        + '</div>', unsafe_allow_html=True)
    with mid:
        _status(pl_, pages, current)


def _status(pl_: Playlist, pages: Sequence[tuple], current: str | None) -> None:
    """The rotation status, and the timer that advances the playlist (a fragment rerun every `interval` s)."""
    titles = {path: t(key) for path, key, *_ in pages}

    def label(step: int) -> str:
        page, county = pl_.at(step)
        name = titles.get(page or current or "", "")
        return name + (f"（{county}）" if county and not pl_.pin else "")

    st.session_state["_screen_shown"] = time.time()
    every = pl_.interval if pl_.rotating else None

    @st.fragment(run_every=every)
    def ticker() -> None:
        shown = st.session_state.get("_screen_shown", 0.0)
        if every and time.time() - shown >= every - 0.5:
            _go(pl_.advanced(1), current)
        if pl_.length <= 1:
            state = t("screen_single")
        elif pl_.paused:
            state = f"⏸ {t('screen_paused')} {pl_.step + 1}/{pl_.length}"
        else:
            state = (f"▶ {t('screen_rotating')} {pl_.step + 1}/{pl_.length} · "
                     f"{t('screen_every').format(n=pl_.interval)} · {t('screen_next')}：{label(pl_.step + 1)}")
        warn = (f'<div class="kpm-warn">{t("screen_unknown")}：{html.escape("、".join(pl_.unknown))}</div>'
                if pl_.unknown else "")
        st.markdown(f'<div class="kpm-status">{html.escape(state)}<div class="kpm-keys">{t("screen_keys")}</div>'
                    f'{warn}</div>', unsafe_allow_html=True)

    ticker()


# ------------------------------------------------------------------ look


def css() -> str:
    """Chrome hidden, dark high-contrast theme, big type; scoped to screen mode (only injected there)."""
    return f"""
<style>
/* Streamlit chrome: header, toolbar, decoration, footer, sidebar and its collapse control */
header[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"],
[data-testid="stStatusWidget"], footer, [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
[data-testid="stSidebarCollapseButton"], [data-testid="stExpandSidebarButton"], [data-testid="stSidebarNav"],
[data-testid="stMainMenu"], .stDeployButton,
[data-testid="stDialog"] {{display:none !important}}  /* no modal may wait for a mouse on the meeting screen */
html, body, .stApp, [data-testid="stAppViewContainer"], [data-testid="stMain"] {{
  background:{BG} !important; color:{FG} !important}}
[data-testid="stMainBlockContainer"], .block-container {{
  padding:10px 28px 0 28px !important; max-width:100% !important}}
[data-testid="stVerticalBlock"] {{gap:12px}}
.stApp p, .stApp li, .stApp span, .stApp label, .stApp div {{color:inherit}}
.stApp h1, .stApp h2, .stApp h3 {{color:{FG} !important}}
[data-testid="stMarkdownContainer"] p {{font-size:20px}}
[data-testid="stCaptionContainer"], .stCaption {{color:{MUTED} !important;font-size:20px !important}}
[data-testid="stAlert"] {{font-size:22px}}
/* header */
.st-key-kpm_screen_head {{border-bottom:2px solid {GRID};padding-bottom:6px}}
.kpm-city {{font-size:40px;font-weight:800;color:{FG};line-height:1.1;letter-spacing:1px}}
.kpm-page {{font-size:32px;font-weight:700;color:{S_ACCENT};margin-left:18px}}
.kpm-meta {{font-size:22px;color:{MUTED};margin-top:4px}}
.kpm-report {{white-space:nowrap;overflow:hidden;text-overflow:ellipsis}}
.kpm-meta b {{color:{FG}}} .kpm-meta b.kpm-county {{color:{S_WARN}}}
.kpm-status {{font-size:22px;color:{FG};line-height:1.35}}
.kpm-keys {{font-size:20px;color:{MUTED}}}
.kpm-warn {{font-size:20px;color:{S_WARN}}}
/* KPI tiles (ui.widgets.kpi_tile_html) */
.kpi {{background:{PANEL} !important;border-color:{GRID} !important;min-height:0 !important;margin-bottom:4px;
      padding:10px 18px !important;border-left-width:10px !important}}
.kpi[style*="{GOOD}"] {{--kc:{S_GOOD} !important}} .kpi[style*="{BAD}"] {{--kc:{S_BAD} !important}}
.kpi[style*="{NEUTRAL}"] {{--kc:{S_NEUTRAL} !important}}
.kpi .lbl {{font-size:26px !important;color:{FG} !important;font-weight:600}}
.kpi .lbl .i {{display:none}}
.kpi .val {{font-size:58px !important;line-height:1.1 !important;margin:4px 0 !important;color:var(--kc) !important}}
.kpi .sub {{font-size:20px !important;color:{MUTED} !important;line-height:1.45 !important}}
.kpi .sub b {{color:{FG} !important}}
/* charts */
[data-testid="stVegaLiteChart"], [data-testid="stArrowVegaLiteChart"] {{background:{PANEL};border-radius:10px;
  padding:8px 10px}}
/* ranking board */
.kpm-board {{width:100%;border-collapse:separate;border-spacing:0 6px;font-size:var(--fs,28px);color:{FG}}}
.kpm-board th {{font-size:22px;color:{MUTED};text-align:left;font-weight:600;padding:2px 12px;white-space:nowrap}}
.kpm-board th.num {{text-align:right}}
.kpm-board td {{background:{PANEL};padding:var(--pad,8px) 12px;white-space:nowrap}}
.kpm-board td:first-child {{border-radius:8px 0 0 8px;text-align:center;font-weight:800}}
.kpm-board td:last-child {{border-radius:0 8px 8px 0}}
.kpm-board td.num {{text-align:right;font-variant-numeric:tabular-nums}}
.kpm-score {{font-variant-numeric:tabular-nums}}
.kpm-board tr.red td {{background:#11331f}} .kpm-board tr.snail td {{background:#3a1518}}
.kpm-bar {{display:inline-block;height:16px;border-radius:8px;background:{S_ACCENT};vertical-align:middle;
  margin-right:10px}}
.kpm-up {{color:{S_GOOD};font-weight:700}} .kpm-down {{color:{S_BAD};font-weight:700}} .kpm-flat {{color:{MUTED}}}
.kpm-badge {{display:inline-block;border-radius:6px;padding:0 10px;margin-right:6px;font-size:22px;font-weight:700}}
.kpm-badge.red {{background:{S_GOOD};color:#06210f}} .kpm-badge.snail {{background:{S_BAD};color:#2a0508}}
.kpm-badge.warn {{background:{S_WARN};color:#2b2000}}
.kpm-bad {{color:{S_BAD}}} .kpm-ok {{color:{S_GOOD}}}
.kpm-card {{background:{PANEL};border-left:10px solid {S_WARN};border-radius:10px;padding:10px 16px;
  margin-bottom:12px}}
.kpm-card.red {{border-left-color:{S_GOOD}}} .kpm-card.focus {{border-left-color:{S_ACCENT}}}
.kpm-board tr.focus td {{box-shadow:inset 0 3px 0 {S_WARN}, inset 0 -3px 0 {S_WARN}}}
.kpm-board tr.focus td:first-child {{box-shadow:inset 3px 3px 0 {S_WARN}, inset 0 -3px 0 {S_WARN}}}
.kpm-board tr.focus td:last-child {{box-shadow:inset -3px 3px 0 {S_WARN}, inset 0 -3px 0 {S_WARN}}}
.kpm-card h4 {{font-size:28px;margin:0 0 4px 0;color:{FG}}}
.kpm-card p {{font-size:21px !important;line-height:1.45;margin:0;color:{FG}}}
.kpm-h2 {{font-size:28px;font-weight:700;color:{FG};margin:2px 0 6px 0}}
.kpm-scroll {{max-height:calc(100vh - 230px);overflow:hidden}}
</style>"""


def dark(chart: alt.TopLevelMixin, height: int | None = None) -> dict:
    """A chart as a dark, big-type Vega-Lite spec: .configure_* plus the palette swapped for the dark one."""
    chart = (chart.configure(background=PANEL, font=FONT, padding=10)
             .configure_view(stroke=None)
             .configure_axis(labelColor=FG, titleColor=MUTED, gridColor=GRID, domainColor=MUTED, tickColor=MUTED,
                             labelFontSize=20, titleFontSize=20, labelLimit=260, titleFontWeight="normal")
             .configure_title(color=FG, fontSize=26, anchor="start", font=FONT, offset=12)
             .configure_legend(labelColor=FG, titleColor=MUTED, labelFontSize=20, titleFontSize=20,
                               orient="top", symbolSize=200)
             .configure_header(labelColor=FG, titleColor=FG, labelFontSize=22, titleFontSize=22)
             .configure_text(color=FG, fontSize=20)
             .configure_point(size=90))
    spec = chart.to_json()
    for old, new in RECOLOR.items():
        spec = spec.replace(f'"{old}"', f'"{new}"')
    out = json.loads(spec)
    if height:
        out["height"] = height
    return out


def show(container, chart: alt.TopLevelMixin, height: int | None = None) -> None:
    """Draw a chart in the screen style (Streamlit's own chart theme off)."""
    container.vega_lite_chart(spec=dark(chart, height), theme=None, width="stretch")


# ------------------------------------------------------------------ screen layouts of the pages


CHART_H = 440  # two rows of tiles and one row of charts fill 1080 px below the header


def overview(sel: Selection, headline: Sequence[str]) -> None:
    """总览 on the screen: 8 big tiles, completion vs 时序进度 over the months, and the counties (or lists)."""
    if not guard(sel):
        return
    kpi_row(list(headline)[:8], sel, per_row=4)
    left, right = st.columns(2)
    series = data.series(sel.filters, ["investment_completion_rate", "time_schedule"])
    show(left, trend_chart(series, "investment_completion_rate", height=CHART_H))
    if len(sel.filters.county) == 1:
        counts = data.list_counts(sel.month, sel.filters)
        cdf = pl.DataFrame({"清单": [w.zh for w in WATCH_LISTS], "项目数": [counts[w.id] for w in WATCH_LISTS]})
        chart = (alt.Chart(cdf).mark_bar(color=BAD).encode(
            y=alt.Y("清单:N", sort="-x", title=None), x=alt.X("项目数:Q", title="项目数（个）"))
            + alt.Chart(cdf).mark_text(align="left", dx=6).encode(
                y=alt.Y("清单:N", sort="-x"), x="项目数:Q", text=alt.Text("项目数:Q", format=",")))
        show(right, chart.properties(height=CHART_H, title=f"{t('screen_lists')} · {sel.filters.county[0]}"))
    else:
        _county_bars(right, sel, "investment_completion_rate")
    lit = data.compute([sel.month], sel.filters, None, ["red_projects", "yellow_projects"]).row(0, named=True)
    st.markdown(f'<div class="kpm-status" style="font-size:28px">{t("screen_lights")}：'
                f'<b class="kpm-bad">{t("light_red")} {fmt_count(lit["red_projects"])}</b> · '
                f'<b class="kpm-warn">{t("light_yellow")} {fmt_count(lit["yellow_projects"])}</b></div>',
                unsafe_allow_html=True)


def _county_bars(container, sel: Selection, iid: str) -> None:
    """Every county on one indicator, best first, coloured against the target; a pinned county stays among the
    others (outlined, the rest dimmed) so the room sees where it stands."""
    ind = BY_ID[iid]
    m = month_num(sel)
    focus = list(sel.filters.county)
    by = data.compute([sel.month], sel.filters.without("county"), "county", [iid])
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
    """A dimension page on the screen: its first 8 tiles, its first trend and its first county chart; the rest of
    the page (tables, detail charts) is for the desk, so the page stops here."""
    kpi_row(list(tiles)[:8], sel, per_row=4)
    left, right = st.columns(2)
    if trend:
        show(left, trend_chart(data.series(sel.filters, [trend[0]]), trend[0], height=CHART_H))
    if bars:
        _county_bars(right, sel, bars[0])
    elif len(trend) > 1:
        show(right, trend_chart(data.series(sel.filters, [trend[1]]), trend[1], height=CHART_H))
    st.stop()


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
    r = data.ranking(sel.month, everyone)
    gap = {g["county"]: g for g in data.gap_to_target(sel.month, everyone).iter_rows(named=True)}
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
        g = gap.get(row["county"], {})
        rate, ts = g.get("investment_completion_rate"), g.get("time_schedule")
        ok = meets(BY_ID["investment_completion_rate"].direction, rate, ts)
        rate_cls = "" if ok is None else "kpm-ok" if ok else "kpm-bad"
        need = g.get(need_key)
        cls = ("red" if row["flag"] == RED else "snail" if row["flag"] == SNAIL else "") + (
            " focus" if row["county"] in focus else "")
        rows.append(
            f'<tr class="{cls}"><td>{rank_txt}</td><td><b>{html.escape(county_txt)}</b></td>'
            f'<td><span class="kpm-bar" style="width:{max(row["score"], 0) * 1.5:.0f}px"></span>'
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
                     f'（{t("rank_n").format(n=row["rank"])}）</h4><p>{html.escape(row["explanation"])}</p></div>')
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
