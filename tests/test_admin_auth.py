"""The 数据管理 page behind roles: read-only without sign-in (and says how to enable it), uploads and deletes only for
a signed-in analyst, and the audit log names who did it (password analyst or OIDC e-mail)."""
from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from data.store import Store
from tests import app_store as fx
from tests.auth_helpers import ANALYST_HASH as HASH, ANALYST_PASSWORD as PASSWORD, sign_in, sign_in_browser
from tests.factories import tree_bytes, write_xlsx

ROOT = Path(__file__).resolve().parents[1]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
AUTH = {"redirect_uri": "http://127.0.0.1:8501/oauth2callback", "cookie_secret": "s" * 32, "client_id": "kpm",
        "client_secret": "x", "server_metadata_url": "https://idp.example/.well-known/openid-configuration"}


@pytest.fixture
def store(tmp_path, monkeypatch) -> Store:
    from ui import auth

    s = fx.build_store(tmp_path / "store")
    monkeypatch.setenv("KPM_STORE", str(s.root))
    monkeypatch.delenv("KPM_ANALYST_PASSWORD_HASH", raising=False)
    monkeypatch.chdir(tmp_path)  # no .streamlit/secrets.toml
    auth.LIMITER.reset()
    return s


def admin(secrets: dict | None = None, user: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for k, v in (secrets or {}).items():
        at.secrets[k] = v
    if user is not None:
        at.user = user
    at.run()
    at.switch_page("pages/admin.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def july() -> pl.DataFrame:
    return fx.month_frame("2024-06").with_columns(pl.col("snapshot_month").dt.offset_by("1mo"))


def import_july(at: AppTest, tmp_path: Path) -> AppTest:
    content = write_xlsx(july(), tmp_path / "七月.xlsx").read_bytes()
    at.file_uploader[0].set_value(("七月.xlsx", content, XLSX))
    at.run()
    at.button(key="admin_confirm").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_viewer_cannot_upload_or_delete_and_is_told_how_to_enable(store):
    before = tree_bytes(store.root)
    at = admin()
    assert not at.file_uploader
    keys = {b.key for b in at.button}
    assert "admin_delete" not in keys and "admin_confirm" not in keys
    info = "\n".join(i.value for i in at.info)
    assert "只读模式" in info and "python -m data hash-password" in info and "[auth]" in info
    assert list(at.dataframe[0].value["报送月份"]) == list(fx.MONTHS)  # viewers still read
    assert tree_bytes(store.root) == before


def test_confirm_callback_refuses_without_sign_in(store, tmp_path, monkeypatch):
    """Even if the button were reached (a stale page), the write re-checks the role."""
    monkeypatch.setenv("KPM_ANALYST_PASSWORD_HASH", HASH)
    at = sign_in(admin())
    content = write_xlsx(july(), tmp_path / "七月.xlsx").read_bytes()
    at.file_uploader[0].set_value(("七月.xlsx", content, XLSX))
    at.run()
    assert not at.button(key="admin_confirm").disabled
    before = tree_bytes(store.root)
    at.session_state["_auth_analyst"] = None  # the sign-in ends (expired, or the hash was changed)
    at.button(key="admin_confirm").click().run()
    assert tree_bytes(store.root) == before
    assert not at.file_uploader


def test_password_analyst_imports_and_is_named_in_the_audit_log(store, tmp_path, monkeypatch):
    monkeypatch.setenv("KPM_ANALYST_PASSWORD_HASH", HASH)
    at = admin()
    assert not at.file_uploader
    sign_in(at, "not it")
    assert not at.file_uploader and [e.value for e in at.main.error] == ["口令不正确。"]
    sign_in(at)
    assert at.file_uploader and [s.value for s in at.main.success] == ["已以分析员身份登录。"]
    at.text_input(key="admin_user").input("李分析").run()
    at = import_july(at, tmp_path)
    assert Store(store.root).months()[-1] == "2024-07"
    rec = Store(store.root).audit()[-1]
    assert (rec["action"], rec["month"], rec["user"]) == ("import", "2024-07", "analyst（李分析）")
    # delete is offered to the analyst and audited with the same name
    at.selectbox(key="admin_del_month").select("2024-07").run()
    at.checkbox(key="admin_del_ok").check().run()
    at.button(key="admin_delete").click().run()
    assert Store(store.root).months()[-1] == "2024-06"
    rec = Store(store.root).audit()[-1]
    assert (rec["action"], rec["user"]) == ("delete", "analyst（李分析）")
    at.button(key="_auth_logout").click().run()
    assert not at.file_uploader


def test_oidc_analyst_is_named_by_email(store, tmp_path):
    at = admin(secrets={"auth": AUTH}, user={"is_logged_in": True, "email": "li@fgw.example.gov.cn", "name": "李"})
    at.text_input(key="admin_user").input("冒名")  # a typed name cannot override the signed-in identity
    at = import_july(at.run(), tmp_path)
    rec = Store(store.root).audit()[-1]
    assert (rec["action"], rec["user"]) == ("import", "li@fgw.example.gov.cn")


def test_oidc_signed_out_sees_the_login_button(store):
    at = admin(secrets={"auth": AUTH}, user={"is_logged_in": False})
    assert not at.file_uploader
    assert [b.label for b in at.button if b.key == "_auth_login"] == ["分析员登录（统一身份认证）"]


def test_sign_in_in_a_real_browser(tmp_path):
    """The form, the session and the gate through a real server and Chromium (password from the environment)."""
    import os
    import subprocess
    import sys
    import urllib.request

    from bench.load import CHROMIUM, CHROMIUM_ARGS, free_port, wait_healthy

    if not Path(CHROMIUM).exists():
        pytest.fail("浏览器测试需要 /usr/bin/chromium：apt-get install -y chromium fonts-noto-cjk（或运行 bash tests/run.sh）")
    from playwright.sync_api import sync_playwright

    root = fx.build_store(tmp_path / "store").root
    port = free_port()
    env = {**os.environ, "KPM_STORE": str(root), "KPM_ANALYST_PASSWORD_HASH": HASH}
    server = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port",
                               str(port), "--server.address", "127.0.0.1", "--server.headless", "true"],
                              cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_healthy(url)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            page = browser.new_page()
            page.goto(f"{url}/admin")
            page.get_by_label("分析员口令").wait_for(timeout=60_000)
            assert page.locator('[data-testid="stFileUploader"]').count() == 0
            page.get_by_label("分析员口令").fill("wrong password")
            page.get_by_role("button", name="登录").click()
            page.get_by_text("口令不正确").first.wait_for(timeout=30_000)
            assert page.locator('[data-testid="stFileUploader"]').count() == 0
            sign_in_browser(page)
            page.locator('[data-testid="stFileUploader"]').first.wait_for(timeout=30_000)
            assert page.get_by_label("分析员口令").count() == 0  # the password field is gone
            browser.close()
        assert urllib.request.urlopen(f"{url}/_stcore/health", timeout=5).status == 200
    finally:
        server.terminate()
        server.wait(timeout=20)
