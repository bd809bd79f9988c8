"""Suite-wide set-up: the Hypothesis profiles and the browser the Playwright tests share."""
from __future__ import annotations

import os
import shutil
import subprocess

import pytest
from hypothesis import HealthCheck, settings

from tests.helpers import CHROMIUM, CHROMIUM_ARGS, NO_CHROMIUM

# Every chart a test draws is checked against the Vega-Lite schema (the server skips that: ui/charts.py).
os.environ["KPM_VALIDATE_CHARTS"] = "1"

# "ci" (the default): the same examples on every run and every machine, so two runs give the same result.
# "wide" (HYPOTHESIS_PROFILE=wide): many more, freshly random examples, for a longer hunt by hand.
settings.register_profile("ci", derandomize=True, max_examples=20, deadline=None, print_blob=True, database=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("wide", derandomize=False, max_examples=500, deadline=None, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="module")
def demo_env(tmp_path_factory):
    """An empty store, so the app shows the demo city (the CLI reads the demo store directly): its months."""
    from data.store import DEMO_DIR, Store

    mp = pytest.MonkeyPatch()
    mp.setenv("KPM_STORE", str(tmp_path_factory.mktemp("empty_store")))
    mp.delenv("KPM_SCORECARD", raising=False)
    yield Store(DEMO_DIR).months()
    mp.undo()


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium under Playwright, headless, shared by the browser tests of one module (a module-wide
    Playwright loop: tests elsewhere run their own, sync or async, which must not meet it)."""
    if not CHROMIUM.exists():
        pytest.fail(NO_CHROMIUM, pytrace=False)
    if shutil.which("fc-list") and not subprocess.run(["fc-list", ":lang=zh"], capture_output=True,
                                                      text=True).stdout.strip():
        pytest.fail("没有中文字体，页面上的中文会显示为方框：apt-get install -y fonts-noto-cjk", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()
