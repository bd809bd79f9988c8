"""数据管理 · 月通报模板: download the Word template the bulletins use, upload the office's own (analysts only).

An upload is checked by rendering it once with sample values (reports.bulletin.template.check); a refused file is
reported with where the broken placeholder is and leaves the store as it was; an accepted one is kept with the
store, audit-logged, and used by every later bulletin (县区比拼's download: reports.bulletin.office_bulletin).
"""
from __future__ import annotations

import streamlit as st

from data import bulletin_template as stored
from data.store import Store
from reports.bulletin.template import PLACEHOLDERS, TemplateProblem, current_bytes, default_bytes, install
from ui.auth import audit_user, can_write
from ui.i18n import lang
from ui.admin.importing import is_demo_store

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
UPLOAD = "bt_upload"        # the uploader's key is UPLOAD + a counter: a new key empties it after an upload
FLASH = "_bt_flash"         # (ok, message) of the last upload, shown once
TEXT = {
    "title": ("月通报模板", "Bulletin template"),
    "default": ("当前使用：默认模板。", "In use: the default template."),
    "office": ("当前使用：{source}（{time} 由{user}上传）。", "In use: {source} (uploaded {time} by {user})."),
    "get": ("下载当前模板", "Download the template in use"),
    "get_default": ("下载默认模板", "Download the default template"),
    "how": ("在 Word 或 WPS 中修改红头（发文机关）、文号、主送、落款和字体后上传，此后生成的月通报都使用它。"
            "占位符写作 {{{{ 名称 }}}}：{names}。{{{{p body }}}}（正文各节）和 {{{{p annexes }}}}（附件清单）须各自单独占一段，"
            "其中的数字和表格由系统生成。",
            "Edit the letterhead, document number, addressees, signature and fonts in Word or WPS, then upload: every "
            "later bulletin uses it. Placeholders: {names}; keep {{{{p body }}}} and {{{{p annexes }}}} alone in "
            "their paragraphs (the figures and tables are generated)."),
    "replace": ("更换模板", "Replace the template"),
    "upload": ("上传新模板（.docx）", "Upload a new template (.docx)"),
    "install": ("检查并启用", "Check and use"),
    "sign_in": ("登录为分析员后可上传模板。", "Sign in as an analyst to upload a template."),
    "demo": ("当前数据库指向演示数据目录，不能保存模板。请设置 KPM_STORE 指向正式数据库。",
             "The store is the demo directory; a template cannot be saved there. Point KPM_STORE at the real store."),
    "installed": ("已启用通报模板“{name}”：此后生成的月通报都使用它（已记入操作记录）。",
                  "Template “{name}” is in use for every later bulletin (recorded in the audit log)."),
}


def _t(key: str) -> str:
    zh, en = TEXT[key]
    return en if lang() == "en" else zh


def _uploader_key() -> str:
    return f"{UPLOAD}_{st.session_state.get('_bt_upload_n', 0)}"


def upload(store: Store, name: str, content: bytes, user: str) -> tuple[bool, str]:
    """Check and install an uploaded template: (accepted, the message to show)."""
    if is_demo_store(store):
        return False, _t("demo")
    try:
        install(store, content, user=user, source=name)
    except TemplateProblem as e:
        return False, str(e)
    return True, _t("installed").format(name=name)


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
    st.subheader(_t("title"))
    rec = stored.last_record(store) if stored.read(store) is not None else None
    if rec is None:
        st.caption(_t("default"))
    else:
        st.caption(_t("office").format(source=rec.get("source") or "bulletin.docx",
                                       time=str(rec.get("time", "")).replace("T", " "), user=rec.get("user") or "—"))
    c1, c2, _ = st.columns([2, 2, 4])
    c1.download_button(_t("get"), lambda: current_bytes(store), "月通报模板.docx", DOCX, key="bt_get",
                       on_click="ignore", icon=":material/download:")
    if rec is not None:
        c2.download_button(_t("get_default"), default_bytes, "月通报模板_默认.docx", DOCX, key="bt_get_default",
                           on_click="ignore")
    st.caption(_t("how").format(names="、".join(PLACEHOLDERS)))
    flash = st.session_state.pop(FLASH, None)
    if flash:
        (st.success if flash[0] else st.error)(flash[1])
    if not can_write():
        st.info(_t("sign_in"))
        return
    if is_demo_store(store):
        st.error(_t("demo"))
        return
    if not st.toggle(_t("replace"), key="bt_open"):  # the uploader only on demand: one uploader per page otherwise
        return
    key = _uploader_key()
    file = st.file_uploader(_t("upload"), type=["docx"], key=key)
    st.button(_t("install"), key="bt_install", disabled=file is None, on_click=_on_install, args=(key,))
