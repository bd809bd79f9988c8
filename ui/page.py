"""What a page is (Page: a row of the pages' table, pages/__init__.py) and what every page does first (serve): the
title and the selection, the empty state, a dimension's common layout, or on the meeting screen its screen layout."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from ui import dimension, runmemo, screen, state
from ui.dimension import Figures
from ui.i18n import t
from ui.state import Selection
from ui.widgets import describe_filters, guard

ScreenLayout = Callable[[Selection, Figures | None], None]


@dataclass(frozen=True)
class Page:
    """One page of the dashboard."""

    path: str  # its module (pages/<name>.py); its url path is the name
    title: str  # the label key of its title (ui/i18n.py)
    icon: str
    default: bool = False  # the home page: "/", and its own url path as well
    figures: Figures | None = None  # its tiles, trends and county bars (a dimension page: drawn by ui/dimension.py)
    screen: ScreenLayout | None = None  # its meeting-screen layout (None: the desk view, under the screen's header)
    old: tuple[str, ...] = ()  # modules of its old addresses (pages/compare.py): shared links still open it
    guard: bool = True  # nothing is drawn but the empty state when the selection holds no project
    selection: bool = True  # it shows the sidebar's selection under its title

    @property
    def url(self) -> str:
        return Path(self.path).stem

    @property
    def urls(self) -> tuple[str, ...]:
        """Every url path that opens it: its own, then the old ones."""
        return (self.url, *(Path(p).stem for p in self.old))


def enter(page: Page) -> None:
    """app.py: the page st.navigation chose for this run (serve draws it)."""
    runmemo.remember("page", page)


def _run_bare() -> bool:
    """Whether a page module runs without app.py. Until a process's first st.navigation call, Streamlit takes a pages/
    folder beside app.py for its old automatic pages and runs a first link's module itself (/ranking →
    pages/ranking.py, a file it needs for every address): that run is rerun through app.py."""
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()
    return runmemo.recall("page") is None


def serve(render: Callable[[Selection], None] | None = None) -> None:
    """Draw the running page: on the meeting screen its screen layout; at the desk its title and the selection, the
    empty state, a dimension's common layout, then `render(selection)` (the page's own part)."""
    if _run_bare():
        return
    page: Page = runmemo.recall("page")
    sel = state.current()
    on_screen = screen.active()
    if on_screen and page.screen:
        page.screen(sel, page.figures)
        return
    if not page.selection:
        st.title(t(page.title))
    elif not on_screen:  # on the screen its header names the page and the month
        st.title(t(page.title))
        st.caption(f"{sel.month} · {describe_filters(sel.filters)}")
    if page.guard and not guard(sel):
        return
    if page.figures and page.figures.dimension:
        dimension.render(sel, page.figures)
    if render:
        render(sel)
