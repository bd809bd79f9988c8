"""数据管理's push panel: the chat groups the brief goes to (钉钉 / 企业微信 robots: listed masked, added, removed), the
month's brief sent to one or downloaded as a picture, and the dashboard's address the messages link to. Every change
goes through reports.push.targets (checked, audited without the secret); sending runs the command line's own step
(reports.push.cli.cmd_brief), so the page and cron send the same brief the same way."""
from __future__ import annotations

import argparse
import contextlib
import io

import polars as pl
import streamlit as st

from data.store import Store, StoreError
from data.text import DASH, shown_time
from reports.push import brief as briefs
from reports.push import cli as push_cli
from reports.push import targets
from ui.admin.actions import writable
from ui.auth import audit_user
from ui.i18n import t

FLASH = "_push_flash"
PNG_MIME = "image/png"


def _flash(ok: bool, text: str) -> None:
    st.session_state[FLASH] = (ok, text)


def _user() -> str:
    return audit_user(st.session_state.get("admin_user") or "")


def _on_add() -> None:
    s = st.session_state
    try:
        target = targets.add(Store(), s.get("push_new_name", ""), s.get("push_new_kind", "dingtalk"),
                             s.get("push_new_url", ""), s.get("push_new_secret", ""), user=_user())
        _flash(True, t("push_added_ok").format(name=target.name))
    except StoreError as e:
        _flash(False, str(e))
    # The address and the secret leave the page whatever happened: typed once, kept only in push.json.
    s["push_new_url"] = s["push_new_secret"] = ""


def _on_remove() -> None:
    name = st.session_state.get("push_pick")
    try:
        targets.remove(Store(), name, user=_user())
        _flash(True, t("push_removed_ok").format(name=name))
    except StoreError as e:
        _flash(False, str(e))


def _on_base() -> None:
    try:
        targets.save_settings(Store(), user=_user(), dashboard_url=st.session_state.get("push_base", "").strip())
        _flash(True, t("push_base_ok"))
    except StoreError as e:
        _flash(False, str(e))


def _on_send() -> None:
    """The command line's `push brief --target NAME`, its output shown here (it never prints a secret)."""
    store = Store()
    args = argparse.Namespace(store=str(store.root), month=None, out=None, lang="zh", city=None,
                              target=[st.session_state.get("push_pick")], as_of=None, demo=False)
    out, err = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = push_cli.cmd_brief(args)
    except StoreError as e:
        code, err = 1, io.StringIO(str(e))
    _flash(code == 0, "\n\n".join(x for x in (out.getvalue().strip(), err.getvalue().strip()) if x))


def _brief_png(store: Store) -> bytes:
    conf = targets.settings(store)
    ctx = briefs.open_context(store.root)
    return briefs.draw(briefs.collect(ctx), briefs.dashboard_link(conf.dashboard_url, ctx)).png


def push_panel(store: Store) -> None:
    """The section of 数据管理 (analysts change it; everyone else reads that it exists)."""
    st.subheader(t("push_title"))
    st.caption(t("push_caption"))
    flash = st.session_state.pop(FLASH, None)
    if flash:
        (st.success if flash[0] else st.error)(flash[1])
    if not writable(store, "push_sign_in", "push_demo"):
        return
    try:
        listed = targets.masked(store)
        conf = targets.settings(store)
    except StoreError as e:
        st.error(str(e))
        return
    if listed:
        st.dataframe(pl.DataFrame([{t("push_name"): x["name"], t("push_kind"): x["kind_zh"], t("push_url"): x["url"],
                                    t("push_signed"): x["secret"] or DASH, t("push_added"): shown_time(x["added"]),
                                    t("push_added_by"): x["added_by"] or DASH} for x in listed]),
                     hide_index=True, width="stretch")
        row = st.container(horizontal=True, vertical_alignment="bottom")  # buttons as wide as their labels
        with row.container(width=320):
            st.selectbox(t("push_pick"), [x["name"] for x in listed], key="push_pick")
        row.button(t("push_send"), key="push_send", on_click=_on_send, type="primary", icon=":material/send:")
        row.download_button(t("push_download"), lambda: _brief_png(store), "简报.png", PNG_MIME, key="push_png",
                            on_click="ignore", icon=":material/image:")
        row.button(t("push_remove"), key="push_remove", on_click=_on_remove, icon=":material/delete:")
    else:
        st.caption(t("push_none"))
    with st.form("push_add", border=True):
        c1, c2 = st.columns([2, 1])
        c1.text_input(t("push_name"), key="push_new_name", placeholder="领导群")
        c2.selectbox(t("push_kind"), list(targets.KINDS), key="push_new_kind", format_func=targets.KINDS.get)
        st.text_input(t("push_url"), key="push_new_url", type="password",
                      placeholder="https://oapi.dingtalk.com/robot/send?access_token=…")
        st.text_input(t("push_secret"), key="push_new_secret", type="password")
        st.form_submit_button(t("push_add"), on_click=_on_add)
    st.session_state.setdefault("push_base", conf.dashboard_url)
    c1, c2 = st.columns([4, 1], vertical_alignment="bottom")
    c1.text_input(t("push_base"), key="push_base", placeholder="https://kpm.example.gov.cn/kpm/")
    c2.button(t("push_base_save"), key="push_base_save", on_click=_on_base)
