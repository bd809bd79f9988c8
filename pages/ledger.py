"""项目台账: the searchable project table, the ten watch lists, and one project's history across the months."""
from __future__ import annotations

import html

import polars as pl
import streamlit as st

from data.schema import BUILD_TYPES, PROC_COLUMNS, STATUSES, ZH
from metrics.format import RATE_COLUMN, fmt_amount, fmt_rate
from metrics.lights import GREEN, LIGHTS, RED, YELLOW
from metrics.rowsets import COMPLETION_RATE, HAS_PROBLEM, schedule
from metrics.watchlists import LIST_BY_ID, PROC_ZH, WATCH_LISTS, column_labels
from ui import cached, charts, state
from ui.charts import BAD, GOOD, NEUTRAL, WARN
from ui.i18n import ind_name, lang, t
from ui.widgets import guard, md_escape, number_config, page_title, show_table

TAB_KEY = "ledger_tab"          # the active tab's label (set by a row selection to open the history)
PROJECT_KEY = "ledger_project"  # the project whose history is shown; mirrored in the URL as ?project=ID
URL_SEEN = "_ledger_url_project"
PENDING = "_ledger_open"        # a project picked in a table, opened at the top of the next run

TABLE_COLUMNS = ("project_id", "project_name", "light", "light_reason", "county", "chain", "category", "level",
                 "build_type", "status", "investor_type", "total_investment", "plan_investment_year",
                 "completed_investment_ytd", "completion_rate", "completed_investment_total", "funds_in_place_ytd",
                 "planned_start", "actual_start", "planned_completion", "leader", "problems", "problem_months")
MONEY = ("total_investment", "plan_investment_year", "completed_investment_ytd", "completed_investment_total",
         "funds_in_place_ytd", "total_3m_ago")
DATES = ("snapshot_month", "planned_start", "actual_start", "planned_completion")
CHANGE_FIELDS = ("build_type", "status", "leader")
EMPTY = "（空）"


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


def _chosen() -> None:
    """on_change of the project chooser: keep the URL in step."""
    open_project(st.session_state.get(PROJECT_KEY))
    st.session_state[TAB_KEY] = t("tab_history")


def _seed_from_url(known: set[str]) -> str | None:
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


ROW_PX, HEAD_PX = 35, 38  # the grid's row and header height (Streamlit's defaults) and its border
MIN_GRID_PX = 320  # a short window still shows eight rows


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


def _selectable(df: pl.DataFrame, name: str, labels: dict[str, str], key: str, config: dict, above: int) -> None:
    """A table whose ticked row opens that project's history: the tab switch must happen before the tabs are
    drawn, so the choice is parked in the session and the app reruns once. It fills the window (fill_window:
    `above` is about how much of the page is over it)."""
    ids = df.get_column("project_id").to_list()
    fill_window(key, df.height, above)
    event = show_table(df, name, labels, key=key, on_select="rerun", selection_mode="single-row",
                       column_config=config, height=min(HEAD_PX + ROW_PX * max(df.height, 1), 600),
                       placeholder="—")
    pid = _selected_id(event, ids)
    if pid and pid != st.session_state.get(PROJECT_KEY):
        st.session_state[PENDING] = pid
        st.rerun()


def _money_config(labels: dict[str, str]) -> dict:
    """Column formats: money with separators, rates as percent, dates without a time, wide name/problem text."""
    cfg = {labels[c]: st.column_config.NumberColumn(format="localized") for c in MONEY if c in labels}
    for c in DATES:
        if c in labels:
            cfg[labels[c]] = st.column_config.DateColumn(format="YYYY-MM" if c == "snapshot_month" else "YYYY-MM-DD")
    for c in ("completion_rate", "time_schedule"):
        if c in labels:
            cfg[labels[c]] = number_config(RATE_COLUMN)
    if "light" in labels:  # a coloured light, not the bare word 红/黄/绿 (the file keeps the word)
        cfg[labels["light"]] = st.column_config.MultiselectColumn(
            options=list(LIGHTS), color=[LIGHT_COLORS[x] for x in LIGHTS], format_func=light_text, width="small")
    if "deviation" in labels:
        cfg[labels["deviation"]] = st.column_config.NumberColumn(format="%+.1f")
    for c in ("problems", "light_reason", "project_name"):
        if c in labels:
            cfg[labels[c]] = st.column_config.TextColumn(width="large")
    return cfg


RATES = ("completion_rate", "time_schedule")


def _as_shown(df: pl.DataFrame) -> pl.DataFrame:
    """Amounts to the 百元 in 万元 (as the counties report them), rates ×100 under (%) (metrics.format)."""
    return df.with_columns([pl.col(c).round(2) for c in MONEY if c in df.columns]
                           + [pl.col(c) / RATE_COLUMN.divisor for c in RATES if c in df.columns])


def _labels(columns) -> dict[str, str]:
    """Chinese headers, a rate's with its (%)."""
    labels = column_labels(columns)
    return {c: RATE_COLUMN.header(h) if c in RATES else h for c, h in labels.items()}


LIGHT_KEYS = {RED: "light_red", YELLOW: "light_yellow", GREEN: "light_green"}
LIGHT_COLORS = {RED: BAD, YELLOW: WARN, GREEN: GOOD}
LEAD = ("light", "light_reason", "problem_months", "problems")  # shown right after the name, when a table has them


def light_text(light: str | None) -> str:
    """'红灯' (in the page's language) for a light; '' for none."""
    return t(LIGHT_KEYS[light]) if light in LIGHT_KEYS else ""


def _lead(df: pl.DataFrame, first: tuple[str, ...] = ()) -> pl.DataFrame:
    """The columns `first` (what puts a project on a list: 完成率, 时序进度, 进度偏差 for 滞后项目), then the light,
    its reason and the problem columns, moved up beside the project's name (where the eye is)."""
    lead = [c for c in dict.fromkeys((*first, *LEAD)) if c in df.columns]
    rest = [c for c in df.columns if c not in lead]
    at = rest.index("project_name") + 1 if "project_name" in rest else 0
    return df.select(rest[:at] + lead + rest[at:])


# ---- 项目列表 ---------------------------------------------------------------------------------------------------
def search_expr(query: str) -> pl.Expr:
    """Case-insensitive literal match on the project name or ID."""
    q = query.strip().lower()
    return (pl.col("project_name").str.to_lowercase().str.contains(q, literal=True)
            | pl.col("project_id").str.to_lowercase().str.contains(q, literal=True))


def projects_tab(sel: state.Selection) -> None:
    c1, c2, c3, c4 = st.columns([3, 2, 2, 2])
    query = c1.text_input(t("search"), key="ledger_q", placeholder=t("search_ph"))
    build = c2.multiselect(t("build_type"), BUILD_TYPES, key="ledger_build", placeholder=t("all"), select_all=False)
    status = c3.multiselect(t("status"), STATUSES, key="ledger_status", placeholder=t("all"), select_all=False)
    lights = c4.multiselect(t("light"), LIGHTS, key="ledger_light", placeholder=t("all"), format_func=light_text,
                            select_all=False)   # empty = all: "Select all" would only mean the same
    df = cached.projects(sel.month, sel.filters)
    if query and query.strip():
        df = df.filter(search_expr(query))
    if build:
        df = df.filter(pl.col("build_type").is_in(build))
    if status:
        df = df.filter(pl.col("status").is_in(status))
    if lights:
        df = df.filter(pl.col("light").is_in(lights))
    table = _as_shown(df.with_columns(COMPLETION_RATE.alias("completion_rate")).select(TABLE_COLUMNS)
                         .sort(["county", "total_investment", "project_id"], descending=[False, True, False]))
    st.caption(t("n_projects").format(n=f"{table.height:,}") + " · " + t("select_row_hint"))
    labels = _labels(TABLE_COLUMNS)
    _selectable(table, f"项目台账_{sel.month}", labels, "ledger_table", _money_config(labels), above=500)


# ---- 预警清单 ---------------------------------------------------------------------------------------------------
def _list_name(list_id: str) -> str:
    w = LIST_BY_ID[list_id]
    return w.en if lang() == "en" else w.zh


def lists_tab(sel: state.Selection) -> None:
    counts = cached.list_counts(sel.month, sel.filters)
    ids = [w.id for w in WATCH_LISTS]
    picked = st.pills(t("list_pick"), ids, key="ledger_list", default=ids[0], required=True,
                      format_func=lambda i: f"{_list_name(i)}（{counts.get(i, 0)}）")
    w = LIST_BY_ID[picked or ids[0]]
    st.markdown(f"#### {_list_name(w.id)} · {t('n_projects').format(n=counts.get(w.id, 0))}")
    ref = f"（{t('list_indicator')}：{ind_name(w.indicator)}）" if w.indicator else ""
    st.caption(f"{t('list_caliber')}：{w.caliber}{ref}")
    df = cached.watch_list(sel.month, w.id, sel.filters)
    if df.is_empty():
        st.info(t("list_empty"))
        return
    if "deviation" in df.columns:
        df = df.with_columns((pl.col("deviation") * 100).round(1))
    labels = _labels(df.columns)
    if "deviation" in labels:
        labels["deviation"] = t("deviation_pts")
    st.caption(t("select_row_hint"))
    _selectable(_lead(_as_shown(df), w.columns), f"{w.zh}_{sel.month}", labels, f"wl_{w.id}",
                _money_config(labels), above=620)


# ---- 项目档案 ---------------------------------------------------------------------------------------------------
def changes(h: pl.DataFrame) -> pl.DataFrame:
    """Only the months where 建设性质, 建设状态 or 包抓领导 differ from the project's previous report."""
    rows, prev = [], None
    for rec in h.iter_rows(named=True):
        if prev is not None:
            for f in CHANGE_FIELDS:
                if rec[f] != prev[f]:
                    rows.append({"报送月份": f"{rec['snapshot_month']:%Y-%m}", t("field"): ZH[f],
                                 t("before"): prev[f] or EMPTY, t("after"): rec[f] or EMPTY})
        prev = rec
    return pl.DataFrame(rows, schema={"报送月份": pl.String, t("field"): pl.String, t("before"): pl.String,
                                      t("after"): pl.String})


def procedures(last: dict) -> tuple[pl.DataFrame, list[str]]:
    """The six procedure dates (and the start dates, for reference) as timeline rows; names not done."""
    rows = [{"节点": PROC_ZH[p], "类别": "前期手续", "日期": last[p]} for p in PROC_COLUMNS if last[p] is not None]
    for col, label in (("planned_start", "计划开工"), ("actual_start", "实际开工")):
        if last[col] is not None:
            rows.append({"节点": label, "类别": "开工", "日期": last[col]})
    missing = [PROC_ZH[p] for p in PROC_COLUMNS if last[p] is None]
    return pl.DataFrame(rows, schema={"节点": pl.String, "类别": pl.String, "日期": pl.Date}), missing


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


def history_panel(pid: str) -> None:
    h = cached.project_history(pid)
    if h.is_empty():
        st.warning(t("project_unknown").format(pid=pid))
        return
    last = h.row(-1, named=True)
    first_m, last_m = f"{h['snapshot_month'][0]:%Y-%m}", f"{last['snapshot_month']:%Y-%m}"
    st.subheader(f"{md_escape(last['project_name'])}")
    facts = [f"{ZH['project_id']} {last['project_id']}", last["county"], last["chain"] or "", last["category"],
             last["level"], last["investor_type"], f"{ZH['leader']} {last['leader'] or EMPTY}",
             t("hist_months").format(n=h.height, first=first_m, last=last_m)]
    st.caption(" · ".join(md_escape(f) for f in facts if f))

    c = st.columns(5)
    c[0].metric(ZH["total_investment"], fmt_amount(last["total_investment"]))
    c[1].metric(ZH["plan_investment_year"], fmt_amount(last["plan_investment_year"]))
    c[2].metric(ZH["completed_investment_ytd"], fmt_amount(last["completed_investment_ytd"]))
    rate = h.tail(1).select(COMPLETION_RATE).item()
    sched = schedule(last["snapshot_month"].month)
    c[3].metric(t("hist_rate").format(m=last_m), fmt_rate(rate),
                None if rate is None else t("hist_vs_schedule").format(d=f"{(rate - sched) * 100:+.1f}",
                                                                       s=fmt_rate(sched)),
                delta_color="normal")
    c[4].metric(f"{ZH['build_type']} · {ZH['status']}", f"{last['build_type']} · {last['status']}")

    st.markdown(f"##### {t('hist_lights')}")
    st.markdown(lights_strip(h), unsafe_allow_html=True)
    st.caption(t("hist_light_now").format(m=last_m, light=light_text(last["light"]),
                                          why=last["light_reason"] or t("light_none")))

    left, right = st.columns([3, 2])
    with left:
        charts.show(st, "project_curve", (pid,), lambda: charts.investment_curve(h))
        st.caption(t("hist_curve_note"))
    with right:
        st.markdown(f"##### {t('hist_changes')}")
        first = h.row(0, named=True)
        st.caption(t("hist_first").format(
            m=first_m, desc="，".join(f"{ZH[f]} {md_escape(first[f] or EMPTY)}" for f in CHANGE_FIELDS)))
        ch = changes(h)
        if ch.is_empty():
            st.caption(t("hist_no_change"))
        else:
            st.dataframe(ch, hide_index=True, width="stretch")

    left, right = st.columns([3, 2])
    with left:
        rows, missing = procedures(last)
        if rows.is_empty():
            st.markdown(f"##### {t('hist_procs')}")
        else:
            charts.show(st, "project_procedures", (pid,), lambda: charts.procedures_chart(rows, PROC_COLUMNS))
        if not missing:
            st.caption(t("hist_procs_done"))
        elif len(missing) == len(PROC_COLUMNS):
            st.warning(t("hist_procs_none"))
        else:
            st.warning(t("hist_procs_missing").format(names="、".join(missing)))
    with right:
        st.markdown(f"##### {t('hist_problems')}")
        probs = h.filter(HAS_PROBLEM)
        if probs.is_empty():
            st.caption(t("hist_no_problems"))
        else:
            with st.container(border=True):
                for rec in probs.select("snapshot_month", "problems", "problem_months").iter_rows(named=True):
                    st.caption(f"{rec['snapshot_month']:%Y-%m} · "
                               + t("hist_problem_months").format(n=rec["problem_months"]))
                    st.text(rec["problems"])  # user text: plain, never Markdown or HTML

    st.markdown(f"##### {t('hist_table')}")
    cols = ("snapshot_month", "light", "light_reason", "build_type", "status", "total_investment",
            "plan_investment_year", "completed_investment_ytd", "completed_investment_total", "funds_in_place_ytd",
            "actual_start", "leader", "problems", "problem_months", "in_statistics")
    labels = _labels(cols)
    show_table(_as_shown(h.select(cols)), f"项目档案_{pid}", labels, key="hist_table",
               column_config=_money_config(labels), placeholder="—")


def history_tab() -> None:
    index = cached.project_index()
    names = {r["project_id"]: f"{r['project_id']} · {r['project_name']}（{r['county']}）"
             for r in index.iter_rows(named=True)}
    st.selectbox(t("project_pick"), list(names), index=None, key=PROJECT_KEY, on_change=_chosen,
                 format_func=lambda i: names.get(i, i), placeholder=t("project_pick_ph"))
    pid = st.session_state.get(PROJECT_KEY)
    if not pid:
        st.info(t("project_none"))
        return
    history_panel(pid)


# ---- page ---------------------------------------------------------------------------------------------------------
sel = state.current()
page_title("pages_ledger", sel)
if sel.month and sel.month in cached.months():
    known = set(cached.project_index().get_column("project_id").to_list())
    if st.session_state.get(PROJECT_KEY) not in known | {None}:
        st.session_state[PROJECT_KEY] = None
    pending = st.session_state.pop(PENDING, None)
    if pending in known:
        open_project(pending)
    unknown = _seed_from_url(known)
    if unknown:
        st.warning(t("project_unknown").format(pid=unknown))
    labels = [t("tab_projects"), t("tab_lists"), t("tab_history")]
    if st.session_state.get(TAB_KEY) not in labels:
        st.session_state.pop(TAB_KEY, None)
    tab_projects, tab_lists, tab_history = st.tabs(labels, key=TAB_KEY, on_change="rerun")
    with tab_projects:
        if tab_projects.open is not False and guard(sel):
            projects_tab(sel)
    with tab_lists:
        if tab_lists.open is not False and guard(sel):
            lists_tab(sel)
    with tab_history:
        if tab_history.open is not False:
            history_tab()
else:
    guard(sel)
