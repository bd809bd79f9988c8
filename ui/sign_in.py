"""The sign-in panel of 数据管理: who is signed in and a sign-out button, the OIDC sign-in button or the account and
password form (throttled), or, with nothing configured, how an operator enables writing (ui/auth.py: the roles and
how a session gets one)."""
from __future__ import annotations

import math

import streamlit as st

from data.accounts.passwords import HashFormatError, parse_hash
from data.accounts.roles import ANALYST, REPORTER, VIEWER
from ui.auth import (LIMITER, accounts_problem, identity, mode, named_accounts, oidc_provider, oidc_role,
                     password_hash, reporters, session_key, sign_out, try_account, try_password, user_info,
                     uses_shared_password, who_text)

HOW_TO_ENABLE = """\
**当前为只读模式：尚未配置分析员登录，导入、替换和删除数据的功能已停用。** 管理员可任选一种方式启用（改完后重启服务）：

1. **统一身份认证（OIDC）**：在服务器的 `.streamlit/secrets.toml` 中加入 `[auth]` 段
   （`redirect_uri`、`cookie_secret`、`client_id`、`client_secret`、`server_metadata_url`），并安装 `Authlib`。
   可选：在 `[analyst]` 段写 `emails = ["张三@example.gov.cn"]`，只允许名单中的人导入。
2. **分析员口令**：在服务器上运行 `python -m data hash-password`，按提示输入两次口令，把输出的
   `password_hash = "pbkdf2_sha256$…"` 一行写入 `.streamlit/secrets.toml` 的 `[analyst]` 段，
   或把 `pbkdf2_sha256$…` 设为环境变量 `KPM_ANALYST_PASSWORD_HASH`。

3. **命名账号**（每人一个账号，操作记录记各自的名字）：在服务器上运行
   `python -m data user add 用户名 --role analyst`（填报员：`--role reporter --unit 石门县`），按提示输入两次口令；
   账号以哈希形式保存在数据库目录的 `users.json` 中，添加后即可登录，无需重启。

使用统一身份认证时，填报员在 secrets.toml 的 `[reporters]` 段按邮箱对应单位：`"wang@example.gov.cn" = "石门县"`。
命令行导入（`python -m data import`）由服务器管理员执行，不需要登录。"""



def _password_submitted() -> None:
    name = (st.session_state.get("_auth_name") or "").strip()
    password = st.session_state.get("_auth_pw") or ""
    if name:
        result = try_account(name, password)
    elif mode() == "password":
        result = try_password(password)
    else:
        result = (False, "请填写用户名：每位分析员和填报员用自己的账号登录。")
    st.session_state["_auth_msg"] = result


def sign_in_panel(where=None) -> None:
    """The sign-in UI (in the page by default; pass st.sidebar for the sidebar): who is signed in and a sign-out
    button, a sign-in button or the account/password form, or how to enable writing when nothing is configured."""
    box = where if where is not None else st.container()
    m = mode()
    with box:
        if m == "oidc":
            _oidc_panel()
            return
        accounts = bool(named_accounts())
        problem = accounts_problem()
        if problem:
            st.error(problem, icon=":material/error:")
        if m == "invalid":
            try:
                parse_hash(password_hash())
            except HashFormatError as e:
                st.error(f"分析员口令配置有误，导入功能已停用：{e}", icon=":material/error:")
        if m in ("none", "invalid") and not accounts:
            st.info(HOW_TO_ENABLE, icon=":material/lock:")
            return
        msg = st.session_state.pop("_auth_msg", None)
        r, unit, name = identity()
        if r != VIEWER:
            if uses_shared_password():
                st.success("已以分析员身份登录。", icon=":material/verified_user:")
            else:
                st.success(f"已登录：{who_text(r, unit, name)}", icon=":material/verified_user:")
            st.button("退出登录", key="_auth_logout", on_click=sign_out, icon=":material/logout:")
            return
        if not accounts:
            st.caption("查看数据无需登录；导入、替换、删除数据须输入分析员口令。")
        elif m == "password":
            st.caption("查看数据无需登录；填报员报送本单位台账、分析员导入和审核数据须登录。"
                       "用自己的用户名和口令登录；使用分析员共用口令时用户名留空。")
        else:
            st.caption("查看数据无需登录；填报员报送本单位台账、分析员导入和审核数据须用自己的用户名和口令登录。")
        if msg and not msg[0]:
            st.error(msg[1])
        wait = LIMITER.wait_seconds(session_key())
        with st.form("_auth_form", clear_on_submit=True, border=True):
            if accounts:
                st.text_input("用户名", key="_auth_name", autocomplete="username")
            st.text_input("口令" if accounts else "分析员口令", type="password", key="_auth_pw",
                          autocomplete="current-password")
            st.form_submit_button("登录", on_click=_password_submitted, disabled=wait > 0, icon=":material/login:")
        if wait > 0 and not (msg and "次数过多" in msg[1]):
            st.error(f"口令错误次数过多，请 {max(1, math.ceil(wait / 60))} 分钟后再试。")


def _oidc_panel() -> None:
    info = user_info()
    if info.get("is_logged_in") is True:
        who = str(info.get("email") or info.get("name") or "")
        r, unit = oidc_role(info)
        if r == ANALYST:
            st.success(f"已登录（分析员）：{who}", icon=":material/verified_user:")
        elif r == REPORTER:
            st.success(f"已登录（填报员，报送单位：{unit}）：{who}", icon=":material/verified_user:")
        else:
            st.warning(f"已登录为 {who}，但不在分析员名单中，也没有对应的报送单位：只能查看。"
                       "如需导入或报送权限，请联系管理员（secrets.toml 的 [analyst] emails 或 [reporters]）。",
                       icon=":material/person_off:")
        st.button("退出登录", key="_auth_logout", on_click=sign_out, icon=":material/logout:")
        return
    if reporters():
        st.caption("查看数据无需登录；填报员报送本单位台账、分析员导入和审核数据须登录。")
        label = "登录（统一身份认证）"
    else:
        st.caption("查看数据无需登录；导入、替换、删除数据须以分析员身份登录。")
        label = "分析员登录（统一身份认证）"
    if st.button(label, key="_auth_login", type="primary", icon=":material/login:"):
        try:
            provider = oidc_provider()
            st.login(provider) if provider else st.login()
        except Exception as e:  # missing Authlib, incomplete [auth] section
            st.error(f"无法发起登录（{type(e).__name__}）：请管理员检查 secrets.toml 的 [auth] 配置，"
                     "并确认已安装 Authlib（pip install Authlib）。")
