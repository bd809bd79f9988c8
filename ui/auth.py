"""Roles. Viewers (everyone, the default) only read; analysts may upload, replace, delete months and review
submissions; a unit's reporter (填报员) may submit only their own unit's ledger, which waits for an analyst's review.

With `[auth]` configured in `.streamlit/secrets.toml`, everyone signs in with Streamlit's OIDC (`st.login`):
`[analyst] emails` lists the analysts (without it every signed-in person is one, unless mapped as a reporter) and
`[reporters]` maps a reporter's e-mail to their unit (`"wang@example.gov.cn" = "石门县"`). Otherwise: the named
accounts kept with the store (users.json, made with `python -m data user add`), each with its own role, unit and
name in the audit log; and the single shared analyst password, whose PBKDF2 hash is configured as
`[analyst] password_hash = "…"` in secrets.toml or in $KPM_ANALYST_PASSWORD_HASH (`python -m data hash-password`).
With none of these, writing is disabled and ui/sign_in.py's panel says how to enable it. Failed attempts are limited
per browser session and per server process (data.accounts.passwords.AttemptLimiter). The data CLI is the machine
operator's and needs no sign-in.
"""
from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Mapping

import streamlit as st

from data.accounts import users
from data.accounts.passwords import AttemptLimiter, HashFormatError, parse_hash, verify_password
from data.accounts.roles import ANALYST, REPORTER, ROLE_ZH, VIEWER
from data.store import Store

ENV_HASH = "KPM_ANALYST_PASSWORD_HASH"
SESSION_KEY = "_auth_analyst"       # {"fp": fingerprint of the hash signed in against, "at": epoch seconds}
ACCOUNT_KEY = "_auth_account"       # {"name", "role", "unit", "fp": fingerprint of its hash, "at": epoch seconds}
SESSION_HOURS = 8                   # a password sign-in lasts a working day
# One limiter per server process: 5 failures per 10 minutes per session, 20 per 10 minutes overall, then a
# doubling global wait. Module-level, so every session of this process shares it (its own lock guards it).
LIMITER = AttemptLimiter(per_key=5, window=600.0, global_limit=20, backoff_base=2.0, backoff_max=600.0)

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


def user_info() -> dict:
    try:
        return dict(st.user.to_dict())
    except Exception:  # no script context
        return {}


def _email(info: dict) -> str:
    return str(info.get("email") or "").strip().lower()


def reporters() -> dict[str, str]:
    """secrets.toml [reporters]: a reporter's e-mail (lower case) → their unit."""
    return {str(k).strip().lower(): str(v).strip() for k, v in _section("reporters").items()
            if isinstance(v, str) and v.strip()}


def oidc_role(info: dict) -> tuple[str, str]:
    """(role, unit) of a signed-in OIDC identity: on the analyst list → analyst; mapped in [reporters] →
    reporter of that unit; no analyst list → analyst (the identity provider decides who signs in); else viewer."""
    email = _email(info)
    allowed = _section("analyst").get("emails")
    if allowed and email and email in {str(e).strip().lower() for e in allowed}:
        return ANALYST, ""
    unit = reporters().get(email) if email else None
    if unit:
        return REPORTER, unit
    return (VIEWER, "") if allowed else (ANALYST, "")


def named_accounts() -> list[users.Account]:
    """The named accounts kept with the store (users.json); [] when there are none or the file is unreadable."""
    try:
        return users.accounts(Store())
    except (OSError, ValueError, TypeError):
        return []


def accounts_problem() -> str:
    """Why users.json cannot be read ('' when it can, or does not exist)."""
    path = Store().root / "users.json"
    try:
        users.accounts(Store())
    except (OSError, ValueError, TypeError) as e:
        return (f"账号文件 {path} 无法读取（{type(e).__name__}），命名账号暂不能登录：请管理员检查该文件，"
                "或删除后用 python -m data user add 重新添加账号。")
    return ""


def _fresh(flag: dict) -> bool:
    return time.time() - float(flag.get("at", 0)) < SESSION_HOURS * 3600


def _signed_account() -> users.Account | None:
    """The named account this session signed in with, while it lasts and the account is unchanged (removed,
    new password, other role or unit: signed out)."""
    flag = st.session_state.get(ACCOUNT_KEY)
    if not isinstance(flag, dict) or not _fresh(flag):
        return None
    acc = next((a for a in named_accounts() if a.name == flag.get("name")), None)
    if acc is None or (acc.role, acc.unit, _fingerprint(acc.password_hash)) != (flag.get("role"), flag.get("unit"),
                                                                               flag.get("fp")):
        return None
    return acc


def _password_signed_in() -> bool:
    flag = st.session_state.get(SESSION_KEY)
    if not isinstance(flag, dict) or flag.get("fp") != _fingerprint(password_hash()):
        return False  # not signed in, or signed in against a hash that has since been changed
    return _fresh(flag)


def identity() -> tuple[str, str, str]:
    """(role, unit, name) of this session: role viewer|analyst|reporter, a reporter's unit, the name signed in."""
    m = mode()
    if m == "oidc":
        info = user_info()
        if info.get("is_logged_in") is not True:
            return VIEWER, "", ""
        role, unit = oidc_role(info)
        return role, unit, str(info.get("email") or info.get("name") or info.get("sub") or ANALYST)
    acc = _signed_account()
    if acc is not None:
        return acc.role, acc.unit, acc.name
    if m == "password" and _password_signed_in():
        return ANALYST, "", ANALYST
    return VIEWER, "", ""


def session_key() -> str:
    try:
        from streamlit.runtime.scriptrunner import get_script_run_ctx

        ctx = get_script_run_ctx()
        return ctx.session_id if ctx else "no-session"
    except Exception:
        return "no-session"


# ---- the API the pages use ----------------------------------------------------------------------------------------
def role() -> str:
    """'viewer', 'analyst' or 'reporter'."""
    return identity()[0]


def reporter_unit() -> str:
    """The unit a signed-in reporter reports for ('' for anyone else)."""
    r, unit, _ = identity()
    return unit if r == REPORTER else ""


def can_write() -> bool:
    """Whether this session may import, replace or delete months and review submissions (an analyst)."""
    return role() == ANALYST


def can_submit() -> bool:
    """Whether this session hands in its own unit's ledger for review (a reporter), rather than importing."""
    return role() == REPORTER


def can_upload() -> bool:
    """Whether this session may upload a ledger at all (an analyst imports, a reporter submits; a viewer reads)."""
    return role() != VIEWER


def current_user() -> str:
    """Who is signed in: the OIDC e-mail (or name), the account's name, 'analyst' after the shared password, else ''."""
    return identity()[2]


def uses_shared_password() -> bool:
    """Whether this session signed in with the single shared analyst password (its name is then typed, not verified)."""
    return mode() != "oidc" and _signed_account() is None and identity()[2] == ANALYST


def audit_user(typed_name: str = "") -> str:
    """The name recorded for a change: the OIDC identity or the account's name as is; with the shared password,
    'analyst（张三）' when the analyst typed a name (the name is theirs to give, the role is what was verified)."""
    user = current_user()
    typed = " ".join(str(typed_name or "").split())[:40]
    if typed and uses_shared_password():
        return f"{ANALYST}（{typed}）"
    return user


def sign_out() -> None:
    """End this session's sign-in (password, named account or OIDC)."""
    st.session_state.pop(SESSION_KEY, None)
    st.session_state.pop(ACCOUNT_KEY, None)
    if mode() == "oidc" and user_info().get("is_logged_in") is True:
        st.logout()


def _held_back(key: str) -> str | None:
    """Why this session may not try a password now (too many wrong ones), or None."""
    wait = LIMITER.wait_seconds(key)
    return f"口令错误次数过多，请 {max(1, math.ceil(wait / 60))} 分钟后再试。" if wait > 0 else None


def try_password(password: str) -> tuple[bool, str]:
    """Check a password for this session, rate-limited. (ok, Chinese message)."""
    encoded = password_hash()
    key = session_key()
    held = _held_back(key)
    if held:
        return False, held
    try:
        ok = bool(password) and verify_password(password, encoded)
    except HashFormatError as e:
        return False, str(e)
    if not ok:
        LIMITER.failure(key)
        return False, "口令不正确。"
    LIMITER.success(key)
    st.session_state.pop(ACCOUNT_KEY, None)
    st.session_state[SESSION_KEY] = {"fp": _fingerprint(encoded), "at": time.time()}
    return True, "已以分析员身份登录。"


def try_account(name: str, password: str) -> tuple[bool, str]:
    """Check a named account's password for this session, rate-limited like the shared one. (ok, Chinese message)."""
    key = session_key()
    held = _held_back(key)
    if held:
        return False, held
    problem = accounts_problem()
    if problem:
        return False, problem
    acc = users.authenticate(Store(), name.strip(), password) if password else None
    if acc is None:
        LIMITER.failure(key)
        return False, "用户名或口令不正确。"
    LIMITER.success(key)
    st.session_state.pop(SESSION_KEY, None)
    st.session_state[ACCOUNT_KEY] = {"name": acc.name, "role": acc.role, "unit": acc.unit,
                                     "fp": _fingerprint(acc.password_hash), "at": time.time()}
    return True, f"已登录：{who_text(acc.role, acc.unit, acc.name)}。"


def who_text(r: str, unit: str, name: str) -> str:
    return f"{name}（{ROLE_ZH[r]}" + (f"，报送单位：{unit}）" if unit else "）")
