"""Entry point: routes each run to its page (pages/__init__.py declares them), with the sidebar or the meeting screen."""
from __future__ import annotations

# Imported before any page runs: altair reads sys.modules["pandas"] without the import lock, so a chart drawn while
# another script thread was still importing it (Streamlit does, lazily, for its first table) crashed the page.
import pandas  # noqa: F401
import streamlit as st

import pages
from data.store import StoreError
from ui import favicon, phone, runlog, runmemo, screen
from ui.i18n import t
from ui.page import enter
from ui.sidebar import sidebar
from ui.widgets import inject_css


def navigation() -> list[st.Page]:
    """Every page under its url path, and hidden: the home page under its own name (/overview, not only "/") and
    each page under its old addresses (/compare), so no shared link falls back with a "page not found" notice."""
    shown, hidden = [], []
    for p in pages.PAGES:
        title = t(p.title)
        shown.append(st.Page(p.path, title=title, icon=p.icon, default=p.default,
                             url_path="home" if p.default else p.url))
        for path in ((p.path,) if p.default else ()) + p.old:
            hidden.append(st.Page(path, title=title, icon=p.icon, url_path=path.split("/")[-1][:-3],
                                  visibility="hidden"))
    return shown + hidden


def main() -> None:
    """One script run: the page st.navigation chose, the sidebar (or the screen's header and playlist), the page."""
    run = runlog.Run()  # this run's server time, for bench/load.py (written only when KPM_RUN_LOG is set)
    runmemo.new_run()   # the store and the language are looked at once in this run, not in every call
    st.set_page_config(page_title="重点项目建设监测", page_icon=favicon.ICON, layout="wide",
                       initial_sidebar_state="auto")  # closed on a narrow window (ui/phone.py)
    inject_css()
    # expanded: every page in the menu — past twelve Streamlit hides the rest (项目台账, 数据管理) behind "View more"
    nav = st.navigation(navigation(), position=screen.nav_position(), expanded=True)
    enter(pages.BY_URL.get(nav.url_path, pages.HOME))
    try:
        if screen.active():
            screen.run(nav, pages.PAGES)  # 大屏: no sidebar; selection, playlist and header from the URL
        else:
            sidebar()
            screen.sidebar_toggle()
            phone.sidebar_script()
    except StoreError as e:
        st.error(str(e))
    run.page = nav.url_path or "home"
    with run:
        nav.run()


if __name__ == "__main__":
    main()
