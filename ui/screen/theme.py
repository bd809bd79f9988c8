"""The screen's look: Streamlit's chrome hidden, a dark high-contrast theme, type readable from 5 m (KPI values
58 px, labels ≥ 20 px, nothing under 16 px, in design px), the zoom that fits 1080 design px to any window, and
charts recoloured for it (SVG, sized to their frames)."""
from __future__ import annotations

import json
from collections.abc import Callable, Hashable, Sequence

import altair as alt

from ui import chart_specs
from ui.charts import ACCENT, BAD, FONT, GOOD, NEUTRAL

DESIGN_H = 1080  # the screen's design height in px: everything is laid out for it and zoomed to the window
PHONE_W, PHONE_DESIGN_W = 640, 520  # a window this narrow (a phone) is zoomed to its width instead: 520 design px

# Dark, high-contrast palette (WCAG AA or better on BG).
BG, PANEL, FG, MUTED, GRID = "#0b1220", "#131d33", "#f1f5fb", "#b4c0d4", "#2a3754"
S_GOOD, S_BAD, S_NEUTRAL, S_ACCENT, S_WARN = "#45d483", "#ff6b6b", "#b4c0d4", "#5cb3ff", "#ffd166"
RECOLOR = {ACCENT: S_ACCENT, GOOD: S_GOOD, BAD: S_BAD, NEUTRAL: S_NEUTRAL, "#f5f5f5": "#1c2740", "white": PANEL}

# The live clock's own stylesheet (a component: the page's CSS does not reach into it).
CLOCK_CSS = f"""
.kpm-clockbox {{text-align:right;font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;color:{FG}}}
.kpm-clock {{font-size:44px;font-weight:700;line-height:1.05;font-variant-numeric:tabular-nums;letter-spacing:1px}}
.kpm-day {{font-size:20px;color:{MUTED};line-height:1.3;white-space:nowrap}}
/* touch controls (a touch screen or a phone): step, pause and leave, as the keys do; on a tablet under the clock in
   the header's narrow column, on a phone beside it */
.kpm-touch {{display:none;gap:3px;justify-content:flex-end;margin-top:2px}}
.kpm-touch button {{font:inherit;font-size:18px;min-width:30px;height:38px;padding:0 2px;border-radius:8px;
  border:1px solid {GRID};background:{PANEL};color:{FG};cursor:pointer}}
@media (pointer:coarse), (max-width:{PHONE_W}px) {{
  .kpm-touch {{display:flex}} .kpm-clock {{font-size:30px}} .kpm-day {{display:none}}
}}
@media (max-width:{PHONE_W}px) {{
  .kpm-clockbox {{display:flex;align-items:center;justify-content:space-between;gap:8px}}
  .kpm-touch {{gap:8px}} .kpm-touch button {{font-size:22px;min-width:52px;height:44px}}
}}
"""


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
/* Scale: the screen is laid out 1080 design px high and zoomed to the window's height (the clock's script sets
   --kpm-zoom = innerHeight / 1080 on every resize; where it has not run, CSS computes the same) */
[data-testid="stAppViewContainer"] {{zoom:var(--kpm-zoom, calc(100vh / {DESIGN_H}px))}}
/* viewport units are not zoomed: the main area takes its zoomed parent's height instead of 100vh */
div:has(> [data-testid="stMain"]), [data-testid="stMain"] {{height:100% !important;min-height:0 !important}}
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
/* KPI tiles (ui.widgets.kpi_tile_html, in kpi_row's grid: the rows as far apart as the page's blocks) */
.kpi-grid {{row-gap:12px !important}}
.kpi {{background:{PANEL} !important;border-color:{GRID} !important;min-height:0 !important;margin-bottom:4px;
      padding:10px 18px !important;border-left-width:10px !important;container-type:inline-size}}
.kpi[style*="{GOOD}"] {{--kc:{S_GOOD} !important}} .kpi[style*="{BAD}"] {{--kc:{S_BAD} !important}}
.kpi[style*="{NEUTRAL}"] {{--kc:{S_NEUTRAL} !important}}
/* type follows the tile's width (cqw), so a 4:3 screen's narrower tiles keep every figure on one line */
.kpi .lbl {{font-size:clamp(20px, 6.4cqw, 26px) !important;color:{FG} !important;font-weight:600;white-space:nowrap}}
.kpi .lbl .i {{display:none}}
.kpi .val {{font-size:min(58px, 14.5cqw) !important;line-height:1.1 !important;margin:4px 0 !important;
  color:var(--kc) !important;white-space:nowrap}}
.kpi .sub {{font-size:clamp(16px, 5cqw, 20px) !important;color:{MUTED} !important;line-height:1.45 !important}}
.kpi .sub b {{color:{FG} !important}}
/* charts: Vega sizes them to their frame's own (unzoomed) width, so the frame fills the column (see show()) */
[data-testid="stVegaLiteChart"], [data-testid="stArrowVegaLiteChart"] {{background:{PANEL};border-radius:10px;
  padding:8px 10px;display:block !important;width:100% !important;box-sizing:border-box}}
[data-testid="stElementContainer"]:has([data-testid="stVegaLiteChart"]), div:has(> [data-testid="stVegaLiteChart"]),
[data-testid="stFullScreenFrame"]:has([data-testid="stVegaLiteChart"]) {{width:100% !important}}
/* ranking board */
/* fixed columns (colgroup): a long name is shortened with an ellipsis in its own cell, never pushed under the
   panel beside the board; figures keep their columns whole */
.kpm-board {{width:100%;table-layout:fixed;border-collapse:separate;border-spacing:0 4px;font-size:var(--fs,28px);
  line-height:1.25;color:{FG}}}
.kpm-board th {{font-size:20px;color:{MUTED};text-align:left;font-weight:600;padding:2px 10px;line-height:1.15;
  vertical-align:bottom}}  /* a head too long for its column wraps (4:3) rather than hide a word */
.kpm-board th.num {{text-align:right}}
.kpm-board td {{background:{PANEL};padding:var(--pad,8px) 10px;white-space:nowrap}}
/* type that fits its column (cqw: % of the board's width): the longest name (--nl characters), the badges, the
   figures; at 1920 design px the row's own size, narrower on 4:3 */
.kpm-boardbox {{container-type:inline-size}}
.kpm-board td:nth-child(2) {{overflow:hidden;text-overflow:ellipsis;
  font-size:max(16px, min(var(--fs), calc((28cqw - 22px) / var(--nl, 3))))}}
.kpm-board td:nth-child(6), .kpm-board td:nth-child(7) {{font-size:max(16px, min(var(--fs), calc((11cqw - 20px) / 3.8)))}}
.kpm-board td:first-child {{border-radius:8px 0 0 8px;text-align:center;font-weight:800}}
.kpm-board td:last-child {{border-radius:0 8px 8px 0}}
.kpm-board td.num {{text-align:right;font-variant-numeric:tabular-nums}}
.kpm-score {{font-variant-numeric:tabular-nums}}
.kpm-board tr.red td {{background:#11331f}} .kpm-board tr.snail td {{background:#3a1518}}
.kpm-bar {{display:inline-block;height:0.6em;border-radius:8px;background:{S_ACCENT};vertical-align:middle;
  margin-right:8px}}
.kpm-up {{color:{S_GOOD};font-weight:700}} .kpm-down {{color:{S_BAD};font-weight:700}} .kpm-flat {{color:{MUTED}}}
.kpm-badge {{display:inline-block;border-radius:6px;padding:0 6px;margin-right:4px;
  font-size:max(16px, min(0.8em, calc((19cqw - 56px) / 7.3)));font-weight:700}}
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
.kpm-scroll {{max-height:800px;overflow:hidden}}  /* design px: viewport units do not follow the zoom */
.kpm-card.more p {{white-space:normal}}  /* the names wrap: the panel reserves the lines (layouts.warning_panel) */
/* a phone (zoomed to its width: the runtime's fit) or a tablet held upright: the page scrolls down; the header on two
   lines, the keys' hint left to the touch controls; the board keeps 名次, 县区, 得分, 标识 and 完成率, its marks
   wrapping in their cell (the room's screens are all landscape: tests/test_screen_fit.py) */
@media (max-width:{PHONE_W}px), (max-width:1024px) and (orientation:portrait) {{
  .kpm-keys, .kpm-meta.kpm-report {{display:none}}
  .kpm-city {{font-size:30px}} .kpm-page {{font-size:26px;margin-left:10px}}
  .kpm-meta, .kpm-status {{font-size:18px}}
  [data-testid="stAppViewContainer"] {{overflow-y:auto}}
  .kpm-board {{table-layout:auto}} .kpm-board col {{width:auto !important}}
  .kpm-board th:nth-child(4), .kpm-board td:nth-child(4), .kpm-board th:nth-child(7),
  .kpm-board td:nth-child(7) {{display:none}}
  .kpm-board td {{white-space:normal}}
  .kpm-board td:nth-child(2) {{font-size:var(--fs) !important;white-space:nowrap}}
  .kpm-board td:nth-child(6) {{font-size:20px !important}}
  .kpm-board th {{font-size:18px}}
  .kpm-bar {{display:none}}
  .kpm-badge {{font-size:16px;margin:2px 4px 2px 0}}
  .kpm-scroll {{max-height:none}}  /* the page scrolls down: every 约谈预警 card whole */
  /* 县区对比's board: its figures sized for a 1920 px row wrap in a phone's narrow columns rather than run out */
  .kpm-duel .v {{font-size:28px !important;white-space:normal;overflow-wrap:anywhere;line-height:1.15}}
  .kpm-duel .s, .kpm-duel .s *, .kpm-duel .isub {{white-space:normal !important;font-size:16px;overflow-wrap:anywhere}}
}}
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
    spec = chart_specs.finish(chart)  # data as named Arrow datasets, as the desk's cached specs
    datasets = spec.pop("datasets", None)  # bytes: the palette swap reads the spec's JSON without them
    text = json.dumps(spec, ensure_ascii=False)
    for old, new in RECOLOR.items():
        text = text.replace(f'"{old}"', f'"{new}"')
    out = json.loads(text)
    if datasets:
        out["datasets"] = datasets
    # SVG, not canvas: drawn sharp at any zoom (a canvas is a bitmap scaled up on a 4K screen).
    out["usermeta"] = {**out.get("usermeta", {}), "embedOptions": {"renderer": "svg"}}
    if height:
        out["height"] = height
    out["width"] = "container"
    return out


def specs(chart_id: str, view: Sequence[Hashable], build: Callable[[], Sequence[alt.TopLevelMixin]],
          height: int | None = None) -> list[dict]:
    """The dark specs of charts drawn side by side, made once per view and shared by every screen showing them
    (ui.chart_specs.spec; `view` names everything the charts' data depends on besides the store and the language)."""
    return chart_specs.spec(f"screen:{chart_id}", (*view, height), build,
                       finish_with=lambda cs: [dark(c, height) for c in cs])


def show(container, chart_id: str, view: Sequence[Hashable], build: Callable[[], alt.TopLevelMixin],
         height: int | None = None) -> None:
    """Draw one chart in the screen style (Streamlit's own chart theme off), its spec cached as `specs` does."""
    draw(container, specs(chart_id, view, lambda: [build()], height)[0])


def draw(container, spec: dict) -> None:
    """A finished screen spec on the page."""
    container.vega_lite_chart(spec=spec, theme=None, width="content")
