"""Roles. Viewers (everyone, the default) only read; analysts may upload, replace and delete months.

Analysts sign in with Streamlit's OIDC (`st.login`) when `[auth]` is configured in `.streamlit/secrets.toml`;
otherwise with the analyst password, whose PBKDF2 hash is configured as `[analyst] password_hash = "…"` in
secrets.toml or in $KPM_ANALYST_PASSWORD_HASH (make it with `python -m data hash-password`). With neither, writing
is disabled and `sign_in_panel()` says how to enable it. Failed password attempts are limited per browser session
and per server process (data.passwords.AttemptLimiter). The data CLI is the machine operator's and needs no sign-in.
"""
from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Mapping

import streamlit as st

from data.passwords import AttemptLimiter, HashFormatError, parse_hash, verify_password

ENV_HASH = "KPM_ANALYST_PASSWORD_HASH"
SESSION_KEY = "_auth_analyst"       # {"fp": fingerprint of the hash signed in against, "at": epoch seconds}
SESSION_HOURS = 8                   # a password sign-in lasts a working day
ANALYST = "analyst"
# One limiter per server process: 5 failures per 10 minutes per session, 20 per 10 minutes overall, then a
# doubling global wait. Module-level, so every session of this process shares it (its own lock guards it).
LIMITER = AttemptLimiter(per_key=5, window=600.0, global_limit=20, backoff_base=2.0, backoff_max=600.0)

HOW_TO_ENABLE = """\
**当前为只读模式：尚未配置分析员登录，导入、替换和删除数据的功能已停用。** 管理员可任选一种方式启用（改完后重启服务）：

1. **统一身份认证（OIDC）**：在服务器的 `.streamlit/secrets.toml` 中加入 `[auth]` 段
   （`redirect_uri`、`cookie_secret`、`client_id`、`client_secret`、`server_metadata_url`），并安装 `Authlib`。
   可选：在 `[analyst]` 段写 `emails = ["张三@example.gov.cn"]`，只允许名单中的人导入。
2. **分析员口令**：在服务器上运行 `python -m data hash-password`，按提示输入两次口令，把输出的
   `password_hash = "pbkdf2_sha256$…"` 一行写入 `.streamlit/secrets.toml` 的 `[analyst]` 段，
   或把 `pbkdf2_sha256$…` 设为环境变量 `KPM_ANALYST_PASSWORD_HASH`。

命令行导入（`python -m data import`）由服务器管理员执行，不需要登录。"""


# ---- configuration ------------------------------------------------------------------------------------------------
def _section(name: str) -> dict:
    """A secrets.toml section as a dict; {} when there is no secrets file, no such section, or it is unreadable."""
    try:
        if name not in st.secrets:
            return {}
        value = st.secrets[name]
    except Exception:  # no secrets.toml (StreamlitSecretNotFoundError), a parse error: treat as not configured
        return {}
    return dict(value) if isinstance(value, Mapping) else {}


def oidc_provider() -> str | None:
    """The st.login provider when [auth] is configured: None for the default provider (settings directly under
    [auth]), else the first [auth.NAME] section; '' when [auth] is absent."""
    auth = _section("auth")
    if not auth:
        return ""
    if "client_id" in auth or "server_metadata_url" in auth:
        return None
    named = [k for k, v in auth.items() if isinstance(v, Mapping)]
    return named[0] if named else None


def oidc_configured() -> bool:
    return bool(_section("auth"))


def password_hash() -> str:
    """The configured analyst password hash ('' when none): secrets [analyst] password_hash, else the env var."""
    import os

    value = _section("analyst").get("password_hash") or os.environ.get(ENV_HASH) or ""
    return str(value).strip()


def mode() -> str:
    """'oidc', 'password', 'invalid' (a password hash is configured but malformed) or 'none'."""
    if oidc_configured():
        return "oidc"
    encoded = password_hash()
    if not encoded:
        return "none"
    try:
        parse_hash(encoded)
    except HashFormatError:
        return "invalid"
    return "password"


def _fingerprint(encoded: str) -> str:
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()[:16]


def _user_info() -> dict:
    try:
        return dict(st.user.to_dict())
    except Exception:  # no script context
        return {}


def _oidc_allowed(info: dict) -> bool:
    allowed = _section("analyst").get("emails")
    if not allowed:
        return True  # the identity provider decides who can sign in at all
    email = str(info.get("email") or "").strip().lower()
    return bool(email) and email in {str(e).strip().lower() for e in allowed}


def _session_key() -> str:
    try:
        from streamlit.runtime.scriptrunner import get_script_run_ctx

        ctx = get_script_run_ctx()
        return ctx.session_id if ctx else "no-session"
    except Exception:
        return "no-session"


# ---- the API the pages use ----------------------------------------------------------------------------------------
def can_write() -> bool:
    """Whether this session may import, replace or delete months (an analyst is signed in)."""
    m = mode()
    if m == "oidc":
        info = _user_info()
        return info.get("is_logged_in") is True and _oidc_allowed(info)
    if m == "password":
        flag = st.session_state.get(SESSION_KEY)
        if not isinstance(flag, dict) or flag.get("fp") != _fingerprint(password_hash()):
            return False  # not signed in, or signed in against a hash that has since been changed
        return time.time() - float(flag.get("at", 0)) < SESSION_HOURS * 3600
    return False


def current_user() -> str:
    """Who is signed in, for the audit log: the OIDC e-mail (or name), 'analyst' after a password sign-in, else ''."""
    m = mode()
    if m == "oidc":
        info = _user_info()
        if info.get("is_logged_in") is not True:
            return ""
        return str(info.get("email") or info.get("name") or info.get("sub") or ANALYST)
    return ANALYST if can_write() else ""


def audit_user(typed_name: str = "") -> str:
    """The name recorded for a change: the OIDC identity as is; with the shared password, 'analyst（张三）' when the
    analyst typed a name (the name is theirs to give, the role is what was verified)."""
    user = current_user()
    typed = " ".join(str(typed_name or "").split())[:40]
    if user == ANALYST and typed:
        return f"{ANALYST}（{typed}）"
    return user


def sign_out() -> None:
    """End the analyst sign-in of this session."""
    st.session_state.pop(SESSION_KEY, None)
    if mode() == "oidc" and _user_info().get("is_logged_in") is True:
        st.logout()


def try_password(password: str) -> tuple[bool, str]:
    """Check a password for this session, rate-limited. (ok, Chinese message)."""
    encoded = password_hash()
    key = _session_key()
    wait = LIMITER.wait_seconds(key)
    if wait > 0:
        return False, f"口令错误次数过多，请 {max(1, math.ceil(wait / 60))} 分钟后再试。"
    try:
        ok = bool(password) and verify_password(password, encoded)
    except HashFormatError as e:
        return False, str(e)
    if not ok:
        LIMITER.failure(key)
        return False, "口令不正确。"
    LIMITER.success(key)
    st.session_state[SESSION_KEY] = {"fp": _fingerprint(encoded), "at": time.time()}
    return True, "已以分析员身份登录。"


def _password_submitted() -> None:
    ok, msg = try_password(st.session_state.get("_auth_pw") or "")
    st.session_state["_auth_msg"] = (ok, msg)


def sign_in_panel(where=None) -> None:
    """The sign-in UI (in the page by default; pass st.sidebar for the sidebar): who is signed in and a sign-out
    button, a sign-in button or password form, or how to enable writing when nothing is configured."""
    box = where if where is not None else st.container()
    m = mode()
    with box:
        if m == "none":
            st.info(HOW_TO_ENABLE, icon=":material/lock:")
            return
        if m == "invalid":
            try:
                parse_hash(password_hash())
            except HashFormatError as e:
                st.error(f"分析员口令配置有误，导入功能已停用：{e}", icon=":material/error:")
            st.info(HOW_TO_ENABLE, icon=":material/lock:")
            return
        if m == "oidc":
            info = _user_info()
            if info.get("is_logged_in") is True:
                who = str(info.get("email") or info.get("name") or "")
                if _oidc_allowed(info):
                    st.success(f"已登录（分析员）：{who}", icon=":material/verified_user:")
                else:
                    st.warning(f"已登录为 {who}，但不在分析员名单中：只能查看。如需导入权限，请联系管理员。",
                               icon=":material/person_off:")
                st.button("退出登录", key="_auth_logout", on_click=sign_out, icon=":material/logout:")
                return
            st.caption("查看数据无需登录；导入、替换、删除数据须以分析员身份登录。")
            if st.button("分析员登录（统一身份认证）", key="_auth_login", type="primary", icon=":material/login:"):
                try:
                    provider = oidc_provider()
                    st.login(provider) if provider else st.login()
                except Exception as e:  # missing Authlib, incomplete [auth] section
                    st.error(f"无法发起登录（{type(e).__name__}）：请管理员检查 secrets.toml 的 [auth] 配置，"
                             "并确认已安装 Authlib（pip install Authlib）。")
            return
        # password
        msg = st.session_state.pop("_auth_msg", None)
        if can_write():
            st.success("已以分析员身份登录。", icon=":material/verified_user:")
            st.button("退出登录", key="_auth_logout", on_click=sign_out, icon=":material/logout:")
            return
        st.caption("查看数据无需登录；导入、替换、删除数据须输入分析员口令。")
        if msg and not msg[0]:
            st.error(msg[1])
        wait = LIMITER.wait_seconds(_session_key())
        with st.form("_auth_form", clear_on_submit=True, border=True):
            st.text_input("分析员口令", type="password", key="_auth_pw", autocomplete="current-password")
            st.form_submit_button("登录", on_click=_password_submitted, disabled=wait > 0, icon=":material/login:")
        if wait > 0 and not (msg and "次数过多" in msg[1]):
            st.error(f"口令错误次数过多，请 {max(1, math.ceil(wait / 60))} 分钟后再试。")
