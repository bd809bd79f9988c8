"""Roles: password hashes, the attempt limiter, `python -m data hash-password`, and ui.auth through AppTest
(nothing configured → read-only with instructions; analyst password; OIDC via st.user)."""
from __future__ import annotations

import hmac
import os
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from data.accounts.passwords import AttemptLimiter, HashFormatError, hash_password, parse_hash, verify_password

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "重点项目-analyst-2024"
HASH = hash_password(PASSWORD, iterations=100_000)  # the minimum accepted: keeps the tests quick


# ---- hashes --------------------------------------------------------------------------------------------------------
def test_hash_format_and_verify():
    encoded = hash_password("correct horse battery")
    algo, iters, salt, digest = encoded.split("$")
    assert algo == "pbkdf2_sha256" and int(iters) == 600_000 and len(salt) == 24 and len(digest) == 44
    assert verify_password("correct horse battery", encoded)
    assert not verify_password("correct horse batterY", encoded)
    assert not verify_password("", encoded)
    assert hash_password("x" * 12) != hash_password("x" * 12)  # salted


def test_hash_known_answer():
    # PBKDF2-HMAC-SHA256("correct horse battery", salt 00 01 … 0f, 100 000 rounds), computed with hashlib by hand
    want = "pbkdf2_sha256$100000$AAECAwQFBgcICQoLDA0ODw==$yNEi7NuUd81IprF1DFmFwLiwUVjQQNIFF8zbSYZd5DY="
    assert hash_password("correct horse battery", iterations=100_000, salt=bytes(range(16))) == want
    assert verify_password("correct horse battery", want) and not verify_password("correct horse batter", want)


def test_verify_uses_constant_time_comparison(monkeypatch):
    calls = []
    real = hmac.compare_digest
    monkeypatch.setattr(hmac, "compare_digest", lambda a, b: calls.append(1) or real(a, b))
    assert verify_password(PASSWORD, HASH) and calls == [1]


FORMAT = "口令哈希格式不对：应为 pbkdf2_sha256$迭代次数$盐$哈希（用 python -m data hash-password 生成）。"
UNPARSABLE = "口令哈希无法解析：迭代次数须为整数，盐和哈希须为 base64（用 python -m data hash-password 重新生成）。"
WEAK = "口令哈希强度不足（迭代次数须 ≥ 100,000，盐 ≥ 8 字节）：请用 python -m data hash-password 重新生成。"


@pytest.mark.parametrize("bad,message", [
    ("", FORMAT), ("plaintext", FORMAT), ("md5$1$abc$def", FORMAT), ("pbkdf2_sha256$abc$AAAA$AAAA", UNPARSABLE),
    ("pbkdf2_sha256$1000$" + "A" * 24 + "$" + "A" * 44, WEAK),   # too few iterations
    ("pbkdf2_sha256$600000$***$" + "A" * 44, UNPARSABLE)])
def test_malformed_hashes_refused(bad, message):
    with pytest.raises(HashFormatError) as e:
        parse_hash(bad)
    assert str(e.value) == message


# ---- the attempt limiter -------------------------------------------------------------------------------------------
class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_limiter_per_session():
    clock = Clock()
    lim = AttemptLimiter(per_key=5, window=600, global_limit=100, clock=clock)
    for _ in range(5):
        assert lim.wait_seconds("s1") == 0
        lim.failure("s1")
    assert lim.wait_seconds("s1") == pytest.approx(600)
    assert lim.wait_seconds("s2") == 0  # another session is not blocked by this one
    clock.now += 300
    assert lim.wait_seconds("s1") == pytest.approx(300)
    clock.now += 301
    assert lim.wait_seconds("s1") == 0
    lim.failure("s1")
    lim.success("s1")
    assert lim.wait_seconds("s1") == 0


def test_limiter_global_backoff_across_sessions():
    clock = Clock()
    lim = AttemptLimiter(per_key=5, window=600, global_limit=20, backoff_base=2, backoff_max=600, clock=clock)
    for i in range(19):  # an attacker opening a new session for every try
        lim.failure(f"s{i}")
    assert lim.wait_seconds("fresh") == 0
    lim.failure("s19")
    assert lim.wait_seconds("fresh") == pytest.approx(2)
    clock.now += 2
    lim.failure("s20")
    assert lim.wait_seconds("fresh") == pytest.approx(4)
    for i in range(10):
        lim.failure(f"t{i}")
    assert lim.wait_seconds("fresh") == pytest.approx(600)  # capped
    clock.now += 1200  # the window passes: failures age out, the backoff ends
    assert lim.wait_seconds("fresh") == 0


def test_limiter_is_thread_safe(monkeypatch):
    """Many threads, released together, each failing under fresh keys (an attacker opening a session per try).

    The limiter's deques are patched to yield the GIL inside append, between a new key's deque being created and
    its first entry, where another thread's pruning deletes keys whose deque is still empty: without the lock,
    failures are lost (or pruning hits a key deleted under it). With it, every failure is counted exactly once."""
    import threading
    import time
    from collections import deque

    from data.accounts import passwords

    class YieldingDeque(deque):
        def append(self, x):
            time.sleep(0.0002)
            super().append(x)

    monkeypatch.setattr(passwords, "deque", YieldingDeque)
    lim = AttemptLimiter(per_key=10**6, window=600, global_limit=10**6, max_keys=10**6)
    threads_n, tries = 8, 40
    start = threading.Barrier(threads_n)
    crashed = []

    def attack(t: int) -> None:
        start.wait()
        try:
            for i in range(tries):
                lim.failure(f"t{t}-{i}")
        except Exception as e:  # e.g. KeyError from a key deleted during another thread's prune
            crashed.append(repr(e))

    threads = [threading.Thread(target=attack, args=(t,)) for t in range(threads_n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert crashed == []
    assert len(lim._global) == threads_n * tries
    assert sorted(lim._fails) == sorted(f"t{t}-{i}" for t in range(threads_n) for i in range(tries))
    assert all(len(q) == 1 for q in lim._fails.values())


# ---- python -m data hash-password ----------------------------------------------------------------------------------
def _hash_cli(stdin: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "data", "hash-password"], cwd=ROOT, input=stdin, capture_output=True,
                          text=True, timeout=60)


def test_hash_password_cli():
    p = _hash_cli(f"{PASSWORD}\n{PASSWORD}\n")
    assert p.returncode == 0 and "[analyst]" in p.stderr and "KPM_ANALYST_PASSWORD_HASH" in p.stderr
    line = p.stdout.strip()
    assert line.startswith('password_hash = "pbkdf2_sha256$600000$') and line.endswith('"')
    assert verify_password(PASSWORD, line.split('"')[1])
    assert PASSWORD not in p.stdout + p.stderr


@pytest.mark.parametrize("stdin, needle", [(f"{PASSWORD}\n{PASSWORD}x\n", "不一致"), ("short\nshort\n", "太短")])
def test_hash_password_cli_refuses(stdin, needle):
    p = _hash_cli(stdin)
    assert p.returncode == 1 and needle in p.stderr and "pbkdf2" not in p.stdout


# ---- ui.auth in a running app --------------------------------------------------------------------------------------
def _probe():
    import streamlit as st

    from ui.auth import audit_user, can_write, current_user
    from ui.sign_in import sign_in_panel

    sign_in_panel()
    st.text(f"can_write={can_write()} user={current_user()} audit={audit_user('张三')}")


@pytest.fixture(autouse=True)
def clean_auth(monkeypatch, tmp_path):
    from ui import auth

    monkeypatch.delenv("KPM_ANALYST_PASSWORD_HASH", raising=False)
    monkeypatch.chdir(tmp_path)  # no .streamlit/secrets.toml here
    auth.LIMITER.reset()
    yield
    auth.LIMITER.reset()


def _run(secrets: dict | None = None, user: dict | None = None) -> AppTest:
    at = AppTest.from_function(_probe, default_timeout=30)
    for k, v in (secrets or {}).items():
        at.secrets[k] = v
    if user is not None:
        at.user = user
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _state(at: AppTest) -> str:
    return at.text[-1].value


def _sign_in(at: AppTest, password: str) -> AppTest:
    at.text_input(key="_auth_pw").input(password)
    at.button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_nothing_configured_is_read_only_and_says_how_to_enable():
    at = _run()
    assert _state(at).startswith("can_write=False user=")
    info = at.info[0].value
    for needle in ("只读模式", "[auth]", "secrets.toml", "python -m data hash-password", "[analyst]",
                   "KPM_ANALYST_PASSWORD_HASH", "password_hash", "重启"):
        assert needle in info, needle
    assert not at.text_input and not at.button


def test_password_from_env(monkeypatch):
    monkeypatch.setenv("KPM_ANALYST_PASSWORD_HASH", HASH)
    at = _run()
    assert _state(at).startswith("can_write=False")
    _sign_in(at, "wrong password")
    assert [e.value for e in at.error] == ["口令不正确。"] and _state(at).startswith("can_write=False")
    _sign_in(at, PASSWORD)
    assert _state(at) == "can_write=True user=analyst audit=analyst（张三）"
    at.button(key="_auth_logout").click().run()
    assert _state(at).startswith("can_write=False")


def test_password_from_secrets():
    at = _run(secrets={"analyst": {"password_hash": HASH}})
    _sign_in(at, PASSWORD)
    assert _state(at).startswith("can_write=True user=analyst")


def test_changed_hash_ends_the_sign_in(monkeypatch):
    monkeypatch.setenv("KPM_ANALYST_PASSWORD_HASH", HASH)
    at = _sign_in(_run(), PASSWORD)
    assert _state(at).startswith("can_write=True")
    monkeypatch.setenv("KPM_ANALYST_PASSWORD_HASH", hash_password("another password", iterations=100_000))
    at.run()
    assert _state(at).startswith("can_write=False")


def test_rate_limited_after_five_failures(monkeypatch):
    monkeypatch.setenv("KPM_ANALYST_PASSWORD_HASH", HASH)
    at = _run()
    for _ in range(5):
        _sign_in(at, "guess")
    assert [e.value for e in at.error] == ["口令不正确。", "口令错误次数过多，请 10 分钟后再试。"]
    assert at.button[0].disabled


def test_locked_out_password_is_not_even_checked(monkeypatch):
    from ui import auth

    monkeypatch.setenv("KPM_ANALYST_PASSWORD_HASH", HASH)
    for _ in range(5):
        assert auth.try_password("guess") == (False, "口令不正确。")
    calls = []
    monkeypatch.setattr(auth, "verify_password", lambda *a: calls.append(1) or True)
    ok, msg = auth.try_password(PASSWORD)
    assert (ok, msg, calls) == (False, "口令错误次数过多，请 10 分钟后再试。", [])
    auth.LIMITER.reset()
    assert auth.try_password(PASSWORD)[0] and calls == [1]


def test_malformed_hash_disables_writing(monkeypatch):
    monkeypatch.setenv("KPM_ANALYST_PASSWORD_HASH", "pbkdf2_sha256$10$abc$def")
    at = _run()
    assert _state(at).startswith("can_write=False")
    assert [e.value for e in at.error] == [f"分析员口令配置有误，导入功能已停用：{UNPARSABLE}"]
    assert "python -m data hash-password" in at.info[0].value


AUTH = {"redirect_uri": "http://127.0.0.1:8501/oauth2callback", "cookie_secret": "s" * 32, "client_id": "kpm",
        "client_secret": "x", "server_metadata_url": "https://idp.example/.well-known/openid-configuration"}


def test_oidc_signed_in_analyst():
    at = _run(secrets={"auth": AUTH}, user={"is_logged_in": True, "email": "zhang@fgw.example.gov.cn", "name": "张三"})
    assert _state(at) == ("can_write=True user=zhang@fgw.example.gov.cn audit=zhang@fgw.example.gov.cn")
    assert [s.value for s in at.success] == ["已登录（分析员）：zhang@fgw.example.gov.cn"]


def test_oidc_not_signed_in_gets_a_login_button(monkeypatch):
    monkeypatch.setenv("KPM_ANALYST_PASSWORD_HASH", HASH)  # OIDC wins: the password is not offered
    at = _run(secrets={"auth": AUTH}, user={"is_logged_in": False})
    assert _state(at).startswith("can_write=False user= ")
    assert [b.label for b in at.button] == ["分析员登录（统一身份认证）"] and not at.text_input


def test_oidc_allow_list():
    secrets = {"auth": AUTH, "analyst": {"emails": ["Li@fgw.example.gov.cn"]}}
    at = _run(secrets=secrets, user={"is_logged_in": True, "email": "zhang@fgw.example.gov.cn"})
    assert _state(at).startswith("can_write=False")
    assert [w.value for w in at.warning] == [
        "已登录为 zhang@fgw.example.gov.cn，但不在分析员名单中，也没有对应的报送单位：只能查看。"
        "如需导入或报送权限，请联系管理员（secrets.toml 的 [analyst] emails 或 [reporters]）。"]
    at = _run(secrets=secrets, user={"is_logged_in": True, "email": "li@fgw.example.gov.cn"})
    assert _state(at).startswith("can_write=True user=li@fgw.example.gov.cn")


def test_no_secrets_file_is_not_an_error(tmp_path):
    from ui import auth

    assert auth._section("auth") == {} and auth.mode() == "none" and not os.environ.get("KPM_ANALYST_PASSWORD_HASH")
