"""Entry point: navigation, the global sidebar selection (kept in the URL), theme. Pages render in pages/."""
from __future__ import annotations

# Imported before any page runs: altair reads sys.modules["pandas"] without the import lock, so a chart drawn while
# another script thread was still importing it (Streamlit does, lazily, for its first table) crashed the page.
import pandas  # noqa: F401
import streamlit as st

from data.store import StoreError
from metrics.bulletin import city_name
from ui import cached, favicon, runlog, runmemo, screen, state, zh
from ui.i18n import lang, t
from ui.widgets import describe_filters, inject_css, md_escape

_run = runlog.Run()  # this run's server time, for bench/load.py (written only when KPM_RUN_LOG is set)
runmemo.new_run()    # the store and the language are looked at once in this run, not in every call
st.set_page_config(page_title="重点项目建设监测", page_icon=favicon.ICON, layout="wide", initial_sidebar_state="expanded")

PAGES = [
    ("pages/overview.py", "pages_overview", ":material/dashboard:", True),
    ("pages/progress.py", "pages_progress", ":material/trending_up:", False),
    ("pages/structure.py", "pages_structure", ":material/pie_chart:", False),
    ("pages/industry.py", "pages_industry", ":material/factory:", False),
    ("pages/chain.py", "pages_chain", ":material/link:", False),
    ("pages/efficiency.py", "pages_efficiency", ":material/paid:", False),
    ("pages/management.py", "pages_management", ":material/assignment:", False),
    ("pages/pipeline.py", "pages_pipeline", ":material/explore:", False),
    ("pages/compare.py", "pages_compare", ":material/leaderboard:", False),
    ("pages/duel.py", "pages_duel", ":material/compare_arrows:", False),
    ("pages/ledger.py", "pages_ledger", ":material/table_view:", False),
    ("pages/admin.py", "pages_admin", ":material/settings:", False),
]


def sidebar() -> None:
    """The global selection on every page: month, county, chain, tier, level; reset; what is selected; data as of."""
    months = cached.months()
    opts = cached.options()
    state.init_from_url(months, opts)
    sb = st.sidebar
    sb.markdown(f"### {md_escape(t('app_title').format(city=city_name()))}")
    if months:
        state.follow("sel_month", months[-1], months)   # on the newest month until another is chosen
        sb.selectbox(t("month"), months[::-1], key="sel_month")
        line = cached.report_line(st.session_state.get("sel_month") or months[-1], lang())
        sb.caption(f":material/fact_check: {md_escape(line)}")
    for k in state.MULTI:
        sb.multiselect(t(k), opts.get(k, []), key=f"sel_{k}", placeholder=t("all"), select_all=False)  # empty = all
    sb.button(t("reset"), on_click=state.reset, width="stretch")
    sel = state.current()
    state.write_to_url(sel)
    sb.caption(f"**{t('selection')}**：{sel.month or '—'} · {describe_filters(sel.filters)}")
    latest, imported, is_demo = cached.as_of()
    stamp = f"{t('data_as_of')}：{latest}"
    if imported:
        stamp += f" · {t('imported_at')} {imported}"
    own = cached.own_data()
    if is_demo:
        sb.warning(f"{stamp}\n\n{t('demo_beside' if own else 'demo_data')}")
    else:
        sb.success(f"{stamp} · {t('real_data')}")
    sb.toggle("English", key="lang_en", value=st.session_state.get("lang") == "en",
              on_change=lambda: st.session_state.update(lang="en" if st.session_state.lang_en else "zh"))
    if own:   # the demo city stays one switch away once the user's own data is in (kept in the URL: ?demo=1)
        st.session_state.setdefault(state.DEMO_KEY, state.demo_view())
        sb.toggle(t("view_demo"), key=state.DEMO_KEY, on_change=state.switch_view, help=t("view_demo_help"))
    zh.streamlit_in_chinese(lang())   # Streamlit's own English ("Upload", the table toolbar …) in Chinese


inject_css()
# The default page is only served at "/", so /overview gets a hidden alias running the same file (a shared
# /overview?county=… link must not fall back with a "page not found" notice).
_pages = [st.Page(p, title=t(k), icon=i, default=d, url_path=("home" if d else p.split("/")[-1][:-3]))
          for p, k, i, d in PAGES]
_aliases = [st.Page(p, title=t(k), icon=i, url_path=p.split("/")[-1][:-3], visibility="hidden")
            for p, k, i, d in PAGES if d]
nav = st.navigation(_pages + _aliases, position=screen.nav_position())
try:
    if screen.active():
        screen.run(nav, PAGES)  # 大屏: no sidebar; selection, playlist and header from the URL
    else:
        sidebar()
        screen.sidebar_toggle()
except StoreError as e:
    st.error(str(e))
_run.page = nav.url_path or "home"
with _run:
    nav.run()
