"""项目台账's tables: their columns and formats, the light in words and as a strip of months, and the row that,
ticked, opens the project's history (kept in the URL as ?project=ID, so it can be shared)."""
from __future__ import annotations

import html
from urllib.parse import urlencode

import polars as pl
import streamlit as st

from data.text import DASH
from metrics.format import RATE_COLUMN
from metrics.lights import GREEN, LIGHTS, RED, YELLOW
from metrics.watchlists import column_labels
from ui.charts import BAD, GOOD, NEUTRAL, WARN
from ui.i18n import t
from ui.widgets import number_config, show_table

TAB_KEY = "ledger_tab"          # the active tab's label (set by a row selection to open the history)
PROJECT_KEY = "ledger_project"  # the project whose history is shown; mirrored in the URL as ?project=ID
URL_SEEN = "_ledger_url_project"
PENDING = "_ledger_open"        # a project picked in a table, opened at the top of the next run

TABLE_COLUMNS = ("project_id", "project_name", "light", "light_reason", "county", "chain", "category", "level",
                 "build_type", "status", "investor_type", "total_investment", "plan_investment_year",
                 "completed_investment_ytd", "completion_rate", "completed_investment_total", "funds_in_place_ytd",
                 "planned_start", "actual_start", "planned_completion", "leader", "problems", "problem_months")
# The register's and real tables' text (issue #26): 形象进度 and the year's target beside 建设状态, who and where after
# the leader — shown only when some row has them, so a store without them keeps today's table.
TEXT_AFTER = {"status": ("progress_note", "target_note"),
              "leader": ("owner", "responsible_unit", "location", "construction_period", "scope")}
MONEY = ("total_investment", "plan_investment_year", "completed_investment_ytd", "completed_investment_total",
         "funds_in_place_ytd", "total_3m_ago")
DATES = ("snapshot_month", "planned_start", "actual_start", "planned_completion")
RATES = ("completion_rate", "time_schedule")
ROW_PX, HEAD_PX = 35, 38  # the grid's row and header height (Streamlit's defaults) and its border
MIN_GRID_PX = 320  # a short window still shows eight rows
LIGHT_KEYS = {RED: "light_red", YELLOW: "light_yellow", GREEN: "light_green"}
LIGHT_COLORS = {RED: BAD, YELLOW: WARN, GREEN: GOOD}
LEAD = ("light", "light_reason", "problem_months", "problems")  # shown right after the name, when a table has them


# ---- opening a project ------------------------------------------------------------------------------------------
def open_project(pid: str | None) -> None:
    """Show a project's history: remember it, switch to the history tab, and put it in the URL (shareable)."""
    st.session_state[PROJECT_KEY] = pid
    st.session_state[URL_SEEN] = pid
    if pid:
        st.session_state[TAB_KEY] = t("tab_history")
        st.query_params["project"] = pid
    elif "project" in st.query_params:
        del st.query_params["project"]


def _selected_id(event, ids: list[str]) -> str | None:
    """The project of the ticked row of a table event (positions refer to the frame as given, not as sorted)."""
    try:
        rows = list(event["selection"]["rows"]) if event else []
    except (KeyError, TypeError):
        rows = []
    return ids[rows[0]] if rows and 0 <= rows[0] < len(ids) else None


def chosen() -> None:
    """on_change of the project chooser: keep the URL in step."""
    open_project(st.session_state.get(PROJECT_KEY))
    st.session_state[TAB_KEY] = t("tab_history")


def project_href(project_id: str) -> str:
    """A link to a project's history on this page, keeping the rest of the URL (month, county …) as it is."""
    query = {k: st.query_params.get_all(k) for k in st.query_params if k != "project"} | {"project": [project_id]}
    return "?" + urlencode(query, doseq=True)  # every value of a key kept: a selection of several counties


def seed_from_url(known: set[str]) -> str | None:
    """?project=ID opens that project's history (once per distinct URL value); returns an unknown ID to report."""
    pid = st.query_params.get("project")
    if not pid or st.session_state.get(URL_SEEN) == pid:
        return None
    st.session_state[URL_SEEN] = pid
    if pid not in known:
        return pid
    st.session_state[PROJECT_KEY] = pid
    st.session_state[TAB_KEY] = t("tab_history")
    return None


def fill_window(key: str, rows: int, above: int) -> None:
    """Size a grid to the window rather than to a fixed number of rows: as tall as the window leaves below the
    `above` px of page over it and its download buttons (never under MIN_GRID_PX), and no taller than its rows.
    Streamlit sizes a grid in px only; CSS on its frame sets the height, and the grid follows its frame."""
    content = HEAD_PX + ROW_PX * max(rows, 1)
    st.html(f"""<style>
.st-key-{key}, .st-key-{key} > div, .st-key-{key} [data-testid="stDataFrame"] {{height:auto !important}}
.st-key-{key} {{flex:0 0 auto !important}}  /* its flex basis is the px height given to Streamlit */
.st-key-{key} [data-testid="stDataFrame"] > div:has(> .stDataFrameGlideDataEditor) {{
  height:min({content}px, max({MIN_GRID_PX}px, calc(100vh - {above}px))) !important}}
</style>""")


def selectable(df: pl.DataFrame, name: str, labels: dict[str, str], key: str, config: dict, above: int) -> None:
    """A table whose ticked row opens that project's history: the tab switch must happen before the tabs are
    drawn, so the choice is parked in the session and the app reruns once. It fills the window (fill_window:
    `above` is about how much of the page is over it)."""
    ids = df.get_column("project_id").to_list()
    fill_window(key, df.height, above)
    event = show_table(df, name, labels, key=key, on_select="rerun", selection_mode="single-row",
                       column_config=config, height=min(HEAD_PX + ROW_PX * max(df.height, 1), 600),
                       placeholder=DASH)
    pid = _selected_id(event, ids)
    if pid and pid != st.session_state.get(PROJECT_KEY):
        st.session_state[PENDING] = pid
        st.rerun()


# ---- formats ----------------------------------------------------------------------------------------------------
def money_config(labels: dict[str, str]) -> dict:
    """Column formats: money with separators, rates as percent, dates without a time, wide name/problem text."""
    cfg = {labels[c]: st.column_config.NumberColumn(format="localized") for c in MONEY if c in labels}
    for c in DATES:
        if c in labels:
            cfg[labels[c]] = st.column_config.DateColumn(format="YYYY-MM" if c == "snapshot_month" else "YYYY-MM-DD")
    for c in RATES:
        if c in labels:
            cfg[labels[c]] = number_config(RATE_COLUMN)
    if "light" in labels:  # a coloured light, not the bare word 红/黄/绿 (the file keeps the word)
        cfg[labels["light"]] = st.column_config.MultiselectColumn(
            options=list(LIGHTS), color=[LIGHT_COLORS[x] for x in LIGHTS], format_func=light_text, width="small")
    if "deviation" in labels:
        cfg[labels["deviation"]] = st.column_config.NumberColumn(format="%+.1f")
    for c in ("problems", "light_reason", "project_name", "progress_note", "scope"):
        if c in labels:
            cfg[labels[c]] = st.column_config.TextColumn(width="large")
    return cfg


def as_shown(df: pl.DataFrame) -> pl.DataFrame:
    """Amounts to the 百元 in 万元 (as the counties report them), rates ×100 under (%) (metrics.format)."""
    return df.with_columns([pl.col(c).round(2) for c in MONEY if c in df.columns]
                           + [pl.col(c) / RATE_COLUMN.divisor for c in RATES if c in df.columns])


def with_text(columns: tuple[str, ...], df: pl.DataFrame, after: dict | None = None) -> tuple[str, ...]:
    """`columns` with the text columns of `after` (TEXT_AFTER) that hold a value in `df`, each after its anchor."""
    out = []
    for c in columns:
        out.append(c)
        out += [x for x in (after or TEXT_AFTER).get(c, ()) if x in df.columns and df.get_column(x).drop_nulls().len()]
    return tuple(out)


def labels(columns) -> dict[str, str]:
    """Chinese headers, a rate's with its (%)."""
    heads = column_labels(columns)
    return {c: RATE_COLUMN.header(h) if c in RATES else h for c, h in heads.items()}


def light_text(light: str | None) -> str:
    """'红灯' (in the page's language) for a light; '' for none."""
    return t(LIGHT_KEYS[light]) if light in LIGHT_KEYS else ""


def lead(df: pl.DataFrame, first: tuple[str, ...] = ()) -> pl.DataFrame:
    """The columns `first` (what puts a project on a list: 完成率, 时序进度, 进度偏差 for 滞后项目), then the light,
    its reason and the problem columns, moved up beside the project's name (where the eye is)."""
    first = [c for c in dict.fromkeys((*first, *LEAD)) if c in df.columns]
    rest = [c for c in df.columns if c not in first]
    at = rest.index("project_name") + 1 if "project_name" in rest else 0
    return df.select(rest[:at] + first + rest[at:])


def lights_strip(h: pl.DataFrame) -> str:
    """One light per month, oldest first: a coloured dot over the month, which rules lit it on hover."""
    cells = []
    for rec in h.select("snapshot_month", "light", "light_reason").iter_rows(named=True):
        tip = html.escape(rec["light_reason"] or t("light_none"), quote=True)
        color = LIGHT_COLORS.get(rec["light"], NEUTRAL)
        cells.append(f'<span title="{tip}" style="display:inline-block;text-align:center;margin:0 10px 4px 0;'
                     f'font-size:13px;color:#3b4453;cursor:help"><span style="font-size:26px;line-height:1;'
                     f'color:{color}">●</span><br>{rec["snapshot_month"]:%Y-%m}</span>')
    return f'<div style="line-height:1.2">{"".join(cells)}</div>'
