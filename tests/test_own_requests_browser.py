"""A page view asks no host but our own server (intranets have no internet, and a request out would leak each view):
every request Chromium makes for the desk and the screen view is recorded and must go to the server — the favicon
included, which Streamlit fetched from fonts.gstatic.com for a ":material/…:" page icon (ui/favicon.py)."""
from __future__ import annotations

import time
from urllib.parse import urlsplit

import pytest

from tests.helpers import streamlit_server
from tests.test_app_browser import wait_done

VIEWS = ["/", "/?mode=screen", "/compare"]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The app on an empty store (the demo city is shown)."""
    with streamlit_server(tmp_path_factory.mktemp("empty_store"), tmp_path_factory.mktemp("log")) as srv:
        yield srv


@pytest.mark.parametrize("view", VIEWS)
def test_a_page_view_requests_only_the_server(server, browser, view):
    own = urlsplit(server["url"]).netloc
    ctx = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    page = ctx.new_page()
    seen: list[str] = []
    page.on("request", lambda r: seen.append(r.url))
    # Anything bound elsewhere is recorded above and then refused here, so the test never reaches the internet.
    ctx.route(lambda url: urlsplit(url).scheme in ("http", "https", "ws", "wss") and urlsplit(url).netloc != own,
              lambda route: route.abort())
    try:
        page.goto(server["url"] + view)
        wait_done(page)
        time.sleep(1.0)  # the favicon is set after the first script run's page config arrives
        icon = page.evaluate("() => document.querySelector(\"link[rel='shortcut icon']\")?.href || ''")
    finally:
        ctx.close()
    outside = sorted({u for u in seen if urlsplit(u).scheme not in ("data", "blob") and urlsplit(u).netloc != own})
    assert not outside, f"{view} asked hosts other than the server: {outside}"
    assert len(seen) > 10  # the page did load its scripts from the server
    assert icon.startswith("data:image/svg+xml"), icon[:80]  # the app's own icon, inline
