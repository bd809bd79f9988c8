"""README, screen mode: "Keys on the screen: … → / PageDown = next, ← / PageUp = back". A real server on the demo
city and Debian's Chromium: a paused three-page playlist steps back and forward by key. Every wait is for a condition
(URL, status line, page content), never a fixed time."""
from __future__ import annotations

import re
import urllib.parse
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from data.store import DEMO_DIR, Store
from tests.helpers import log_text, streamlit_server

ROOT = Path(__file__).resolve().parents[1]
WAIT_MS = 30_000


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """streamlit run app.py on a free loopback port, reading an empty store (so the demo city is shown); the
    browser fixture is the shared one (tests/conftest.py)."""
    assert Store(DEMO_DIR).months(), "the demo store data/demo/ ships with the repository"
    with streamlit_server(tmp_path_factory.mktemp("empty_store"), tmp_path_factory.mktemp("log"),
                          KPM_CITY=None) as srv:
        yield srv["url"]
        text = log_text(srv)
        assert "Traceback" not in text, text[-3000:]


@pytest.fixture
def page(browser):
    ctx = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    pg = ctx.new_page()
    yield pg
    ctx.close()


def _params(page) -> dict[str, list[str]]:
    return urllib.parse.parse_qs(urllib.parse.urlparse(page.url).query)


def _shown(page, step: int, path: str, ready: str) -> None:
    """Wait until the screen shows playlist step `step` (1-based in the status line) of 3, paused, on `path`."""
    try:
        page.wait_for_function(
            "(s) => { const e = document.querySelector('.kpm-status'); return !!e && e.innerText.includes(s); }",
            arg=f"{step}/3", timeout=WAIT_MS)
    except PlaywrightTimeout:
        status = page.locator(".kpm-status").first.inner_text() if page.locator(".kpm-status").count() else ""
        pytest.fail(f"expected playlist step {step}/3 on {path}; the screen shows {status!r} at {page.url}")
    page.wait_for_selector(ready, timeout=WAIT_MS)
    # the clock (in the component's shadow root, which locators pierce) has ticked: its key listener is bound
    expect(page.locator(".kpm-clock")).to_have_text(re.compile(r"^\d{2}:\d{2}:\d{2}$"), timeout=WAIT_MS)
    assert urllib.parse.urlparse(page.url).path == path, page.url
    q = _params(page)
    assert q["step"] == [str(step - 1)] and q["paused"] == ["1"], q
    assert "已暂停" in page.inner_text(".kpm-status")


def test_left_pageup_and_pagedown_step_a_paused_playlist(server, page):
    q = urllib.parse.quote("总览,项目推进,县区比拼")
    page.goto(f"{server}/?mode=screen&playlist={q}&paused=1")
    _shown(page, 1, "/", ".kpi .val")                     # step 0: 总览
    page.keyboard.press("ArrowLeft")                        # back from the first page wraps to the last
    _shown(page, 3, "/ranking", ".kpm-board")
    page.keyboard.press("PageUp")                           # back
    _shown(page, 2, "/progress", ".kpi .val")
    page.keyboard.press("PageDown")                         # forward
    _shown(page, 3, "/ranking", ".kpm-board")
    page.keyboard.press("ArrowLeft")                        # back again, from the middle of the list
    _shown(page, 2, "/progress", ".kpi .val")
