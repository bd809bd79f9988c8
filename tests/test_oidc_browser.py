"""OIDC for real: a local OpenID provider (the oidc-provider-mock package) in a thread, the app's st.login against
it through `streamlit run` and Chromium. A reporter mapped by e-mail in [reporters] signs in, submits their
county's ledger and signs out; an analyst on the [analyst] emails list signs in and publishes it."""
from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest

from data.store import Store
from tests import app_store as fx
from tests.factories import write_xlsx
from tests.helpers import free_port as _free_port, wait_healthy as _wait_healthy
from tests.test_admin_submissions_browser import july_of_jia
from tests.test_app_browser import assert_no_error, page, shoot, wait_done  # noqa: F401  (the browser fixture: conftest)

ROOT = Path(__file__).resolve().parents[1]
PEOPLE = {"wang": "wang@jia.example.gov.cn", "li": "li@fgw.example.gov.cn"}   # sub → e-mail at the provider


@pytest.fixture
def provider(monkeypatch):
    """The OpenID provider on a free port (plain http on localhost, which Authlib allows only when told)."""
    try:
        import httpx
        import oidc_provider_mock
    except ImportError:
        pytest.fail("需要 oidc-provider-mock：pip install -r requirements-dev.txt", pytrace=False)
    monkeypatch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")
    with oidc_provider_mock.run_server_in_thread() as srv:
        url = f"http://localhost:{srv.server_port}"
        for sub, email in PEOPLE.items():
            assert httpx.put(f"{url}/users/{quote(sub)}", json={"email": email, "name": sub}).status_code == 204
        yield url


@contextlib.contextmanager
def app_with_oidc(store: Path, provider_url: str, tmp: Path):
    """`streamlit run app.py` with a secrets file (outside the repository) configuring [auth] against the provider,
    the analyst list and the reporters' units."""
    port = _free_port()
    secrets = tmp / "secrets.toml"
    secrets.write_text(f"""[auth]
redirect_uri = "http://localhost:{port}/oauth2callback"
cookie_secret = "{'k' * 32}"
client_id = "kpm-dashboard"
client_secret = "kpm-dashboard-secret"
server_metadata_url = "{provider_url}/.well-known/openid-configuration"

[analyst]
emails = ["{PEOPLE['li']}"]

[reporters]
"{PEOPLE['wang'].upper()}" = "甲县"
""", encoding="utf-8")
    log = (tmp / "streamlit.log").open("w+", encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true", "--server.port", str(port),
         "--server.address", "localhost", "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
         "--secrets.files", str(secrets)],
        cwd=ROOT, env={**os.environ, "KPM_STORE": str(store), "PYTHONUNBUFFERED": "1"}, stdout=log,
        stderr=subprocess.STDOUT)
    url = f"http://localhost:{port}"
    try:
        _wait_healthy(url, proc)
        yield {"url": url, "store": store, "log": log}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def oidc_sign_in(pg, srv: dict, sub: str) -> None:
    """Press the page's sign-in button, authorize as `sub` on the provider's form, come back to 数据管理."""
    pg.goto(f"{srv['url']}/admin", wait_until="domcontentloaded")
    pg.get_by_role("button", name="登录（统一身份认证）").click()
    pg.get_by_placeholder("sub").fill(sub)                      # the provider's own page
    pg.get_by_role("button", name="Authorize").click()
    pg.wait_for_url(f"{srv['url']}/**")                          # st.login lands on the app's home page
    pg.get_by_role("link", name="数据管理").click()
    pg.get_by_text(PEOPLE[sub]).first.wait_for()


def test_oidc_reporter_and_analyst_in_the_browser(tmp_path, provider, page):  # noqa: F811
    store = fx.build_store(tmp_path / "store")
    ledger = write_xlsx(july_of_jia(), tmp_path / "甲县七月.xlsx")
    with app_with_oidc(store.root, provider, tmp_path) as srv:
        oidc_sign_in(page, srv, "wang")
        page.get_by_text(f"已登录（填报员，报送单位：甲县）：{PEOPLE['wang']}").wait_for()
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files(str(ledger))
        page.get_by_text("检查通过，可以提交审核。").wait_for()
        page.get_by_role("button", name="提交审核").click()
        page.get_by_text("已提交 2024-07 甲县 的台账（2 个项目），等待分析员审核").wait_for()
        wait_done(page)
        assert_no_error(page, "oidc-reporter", srv)
        rec = Store(store.root).audit()[-1]
        assert (rec["action"], rec["unit"], rec["user"]) == ("submit", "甲县", PEOPLE["wang"])
        page.get_by_role("button", name="退出登录").click()
        page.get_by_role("button", name="End session").click()    # st.logout ends the provider's session too
        page.wait_for_url(f"{srv['url']}/**")
        page.goto(f"{srv['url']}/admin", wait_until="domcontentloaded")
        page.get_by_role("button", name="登录（统一身份认证）").wait_for()
        assert page.get_by_text(PEOPLE["wang"]).count() == 0

        oidc_sign_in(page, srv, "li")
        page.get_by_text(f"已登录（分析员）：{PEOPLE['li']}").wait_for()
        page.get_by_role("tab", name="待审核").click()
        review = page.get_by_role("tabpanel", name="待审核")
        review.get_by_text("2024-07 · 甲县").wait_for()
        review.get_by_role("button", name="通过并发布").click()
        page.get_by_text("已发布 2024-07 甲县 的报送").wait_for()
        wait_done(page)
        assert_no_error(page, "oidc-analyst", srv)
        rec = Store(store.root).audit()[-1]
        assert (rec["action"], rec["user"], rec["units"]["甲县"]["submitted_by"]) == ("publish", PEOPLE["li"],
                                                                                    PEOPLE["wang"])
        assert sorted(Store(store.root).read("2024-07")["project_id"]) == ["JA01", "JA02"]
        shoot(page, "oidc_analyst_published")
