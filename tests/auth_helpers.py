"""Signing in as the analyst in tests (the 数据管理 page is read-only until someone does).

AppTest:  analyst_env(monkeypatch); at = sign_in(start(page="pages/admin.py"))
Browser:  start the server with env KPM_ANALYST_PASSWORD_HASH=ANALYST_HASH, then sign_in_browser(page) on /admin.
"""
from __future__ import annotations

from data.accounts.passwords import hash_password

ANALYST_PASSWORD = "测试分析员-口令-2024"
ANALYST_HASH = hash_password(ANALYST_PASSWORD, iterations=100_000)  # the minimum accepted: quick in tests
SUBMIT_KEY = "FormSubmitter:_auth_form-登录"


def analyst_env(monkeypatch) -> None:
    """Configure the analyst password for in-process AppTest runs (and forget earlier failed attempts)."""
    from ui import auth

    monkeypatch.setenv("KPM_ANALYST_PASSWORD_HASH", ANALYST_HASH)
    auth.LIMITER.reset()


def sign_in(at, password: str = ANALYST_PASSWORD):
    """Type the password into the page's sign-in form and submit; returns the AppTest after the rerun."""
    at.text_input(key="_auth_pw").input(password)
    at.button(key=SUBMIT_KEY).click().run()
    return at


def sign_in_browser(page, password: str = ANALYST_PASSWORD) -> None:
    """The same in a real browser (Playwright sync page) on the 数据管理 page."""
    page.get_by_label("分析员口令").fill(password)
    page.get_by_role("button", name="登录").click()
    page.get_by_text("已以分析员身份登录").first.wait_for(timeout=30_000)
