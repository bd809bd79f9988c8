"""数据管理 · 月通报模板: download the Word template the bulletins use, upload the office's own (analysts only).

An upload is checked by rendering it once with sample values (reports.bulletin.template.check); a refused file is
reported with where the broken placeholder is and leaves the store as it was; an accepted one is kept with the
store, audit-logged, and used by every later bulletin (县区比拼's download: reports.bulletin.office_bulletin).
"""
from __future__ import annotations

import streamlit as st

from data import bulletin_template as stored
from data.store import Store
from data.text import DASH, DOCX_MIME, shown_time
from reports.bulletin.template import PLACEHOLDERS, TemplateProblem, current_bytes, default_bytes, install
from ui.admin.actions import writable
from ui.admin.importing import is_demo_store
from ui.auth import audit_user, can_write
from ui.i18n import t

UPLOAD = "bt_upload"        # the uploader's key is UPLOAD + a counter: a new key empties it after an upload
FLASH = "_bt_flash"         # (ok, message) of the last upload, shown once
def _uploader_key() -> str:
    return f"{UPLOAD}_{st.session_state.get('_bt_upload_n', 0)}"


def upload(store: Store, name: str, content: bytes, user: str) -> tuple[bool, str]:
    """Check and install an uploaded template: (accepted, the message to show)."""
    if is_demo_store(store):
        return False, t("bt_demo")
    try:
        install(store, content, user=user, source=name)
    except TemplateProblem as e:
        return False, str(e)
    return True, t("bt_installed").format(name=name)


def _on_install(uploader_key: str) -> None:
    """on_click of 检查并启用 (analysts only)."""
    file = st.session_state.get(uploader_key)
    if not can_write() or file is None:
        return
    ok, msg = upload(Store(), file.name, file.getvalue(), audit_user(st.session_state.get("admin_user") or ""))
    st.session_state[FLASH] = (ok, msg)
    if ok:
        st.session_state["_bt_upload_n"] = st.session_state.get("_bt_upload_n", 0) + 1


def template_panel(store: Store) -> None:
    """The 月通报模板 section of 数据管理: which template is in use, its download, and (analysts) the upload."""
    st.subheader(t("bt_title"))
    rec = stored.last_record(store) if stored.read(store) is not None else None
    if rec is None:
        st.caption(t("bt_default"))
    else:
        st.caption(t("bt_office").format(source=rec.get("source") or "bulletin.docx",
                                       time=shown_time(rec.get("time")), user=rec.get("user") or DASH))
    row = st.container(horizontal=True)  # buttons as wide as their labels, wrapping: fixed columns cut them at 1024 px
    row.download_button(t("bt_get"), lambda: current_bytes(store), "月通报模板.docx", DOCX_MIME, key="bt_get",
                       on_click="ignore", icon=":material/download:")
    if rec is not None:
        row.download_button(t("bt_get_default"), default_bytes, "月通报模板_默认.docx", DOCX_MIME, key="bt_get_default",
                           on_click="ignore")
    st.caption(t("bt_how").format(names="、".join(PLACEHOLDERS)))
    flash = st.session_state.pop(FLASH, None)
    if flash:
        (st.success if flash[0] else st.error)(flash[1])
    if not writable(store, "bt_sign_in", "bt_demo"):
        return
    if not st.toggle(t("bt_replace"), key="bt_open"):  # the uploader only on demand: one uploader per page otherwise
        return
    key = _uploader_key()
    file = st.file_uploader(t("bt_upload"), type=["docx"], key=key)
    st.button(t("bt_install"), key="bt_install", disabled=file is None, on_click=_on_install, args=(key,))
