"""大屏模式 (screen mode) for the meeting-room display at the 月调度会.

Opened by `?mode=screen` (or the sidebar switch): Streamlit's chrome and the sidebar are hidden, the theme is dark
and high-contrast, a header shows the city, page, month, data-as-of and a live clock, and a playlist rotates
through pages and counties. One module a job: `playlist` (parsing, commands, order; pure), `runtime` (URL state,
clock and keys, auto-advance), `theme` (CSS, chart theming), `layouts` (the header and the pages' screen layouts),
`comparison` (县区对比's board), `charts` (the screen's charts). Which page has which layout: pages/__init__.py.
"""
from ui.screen.comparison import comparison
from ui.screen.duban import duban
from ui.screen.geomap import geomap
from ui.screen.layouts import dimension, overview, ranking
from ui.screen.playlist import (DEFAULT_INTERVAL, MAX_INTERVAL, MIN_INTERVAL, MODE, Playlist, apply_command, page_url,
                                parse_playlist, resolve_page)
from ui.screen.runtime import active, nav_position, run, sidebar_toggle
from ui.screen.theme import css, dark, show

__all__ = ["DEFAULT_INTERVAL", "MAX_INTERVAL", "MIN_INTERVAL", "MODE", "Playlist", "active", "apply_command",
           "comparison", "css", "dark", "dimension", "duban", "geomap", "nav_position", "overview", "page_url",
           "parse_playlist", "ranking",
           "resolve_page", "run", "show", "sidebar_toggle"]
