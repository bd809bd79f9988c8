"""README: "A sign-in lasts 8 hours" — a password sign-in is still valid just before 8 h and over just after."""
from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.auth_helpers import ANALYST_HASH, ANALYST_PASSWORD, SUBMIT_KEY

SESSION_KEY = "_auth_analyst"  # where ui.auth keeps {"fp", "at"} for this browser session
HOUR = 3600.0


def _probe():
    import streamlit as st

    from ui.auth import can_write
    from ui.sign_in import sign_in_panel

    sign_in_panel()
    st.text(f"can_write={can_write()}")


@pytest.fixture(autouse=True)
def password_configured(monkeypatch, tmp_path):
    from ui import auth

    monkeypatch.chdir(tmp_path)  # no .streamlit/secrets.toml here
    monkeypatch.setenv("KPM_ANALYST_PASSWORD_HASH", ANALYST_HASH)
    auth.LIMITER.reset()
    yield
    auth.LIMITER.reset()


def _signed_in() -> AppTest:
    at = AppTest.from_function(_probe, default_timeout=30).run()
    at.text_input(key="_auth_pw").input(ANALYST_PASSWORD)
    at.button(key=SUBMIT_KEY).click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.text[-1].value == "can_write=True"
    return at


def _age(at: AppTest, hours: float) -> AppTest:
    """Make the sign-in `hours` older than it is (the clock is real; the stored sign-in time moves back)."""
    flag = dict(at.session_state[SESSION_KEY])
    flag["at"] = float(flag["at"]) - hours * HOUR
    at.session_state[SESSION_KEY] = flag
    return at.run()


def test_a_sign_in_still_holds_just_before_eight_hours():
    at = _age(_signed_in(), 8 - 2 / 60)  # 7 h 58 min
    assert at.text[-1].value == "can_write=True"
    assert any("已以分析员身份登录" in s.value for s in at.success)


def test_a_sign_in_ends_after_eight_hours():
    at = _age(_signed_in(), 8 + 2 / 60)  # 8 h 02 min
    assert at.text[-1].value == "can_write=False"
    assert at.text_input(key="_auth_pw") is not None  # the password form is offered again


def test_a_billion_hours_old_sign_in_is_over():
    at = _age(_signed_in(), 1e9)
    assert at.text[-1].value == "can_write=False"


def test_the_configured_duration_is_eight_hours():
    from ui import auth

    assert auth.SESSION_HOURS == 8
