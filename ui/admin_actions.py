"""数据管理's writes: the upload form's options, the dry run, and the on_click actions that change the store
(import, submit, publish, return, delete), each with the message it leaves for the next run."""
from __future__ import annotations

import hashlib
from collections.abc import Callable

import streamlit as st

from data.ingest import ImportOutcome, import_file
from data.store import Store, StoreError
from ui import auth, cached
from ui.auth import audit_user, can_write
from ui.i18n import t
from ui.importing import is_demo_store

UPLOAD = "admin_upload"       # the uploader's key is UPLOAD + a counter: a new key empties it after an import
CHECK = "_admin_check"        # (key of the checked upload, its dry-run outcome)
FLASH = "_admin_flash"        # the message of the last successful write, shown once ((“error”, text) for a refusal)
FAILED = "_admin_failed"      # the outcome of a refused confirm (e.g. the month was stored meanwhile)
REVIEW_ERR = "_admin_review_err"  # {(month, unit): message} of a refused 通过 / 退回, shown at that submission


def uploader_key() -> str:
    return f"{UPLOAD}_{st.session_state.get('_admin_upload_n', 0)}"


def options() -> dict:
    """What the upload form says besides the file: sheet, month, replace, unit, and who is recorded."""
    return {"sheet": (st.session_state.get("admin_sheet") or "").strip() or None,
            "month": (st.session_state.get("admin_month") or "").strip() or None,
            "replace": bool(st.session_state.get("admin_replace")),
            "unit": (st.session_state.get("admin_unit") or "").strip() or None,
            "user": audit_user(st.session_state.get("admin_user") or "")}   # the signed-in analyst or reporter


def dry_run(store: Store, name: str, content: bytes, opts: dict, reporter_unit: str | None = None) -> ImportOutcome:
    """Check the upload without writing (cached in the session per file, options and store content)."""
    key = (hashlib.sha256(content).hexdigest(), name, opts["sheet"], opts["month"], opts["replace"], opts["unit"],
           reporter_unit, cached.review_key(store))
    checked = st.session_state.get(CHECK)
    if checked and checked[0] == key:
        return checked[1]
    outcome = import_file(content, store=store, filename=name, sheet=opts["sheet"], month=opts["month"],
                          replace=opts["replace"], dry_run=True, unit=None if reporter_unit else opts["unit"],
                          reporter_unit=reporter_unit)
    st.session_state[CHECK] = (key, outcome)
    return outcome


def _published() -> None:
    """The shown data changed: caches go, and the sidebar goes to the newest month on its next seed."""
    st.cache_data.clear()
    st.session_state.pop("sel_month", None)
    st.session_state["_sel_init"] = False


def confirm_import(uploader: str) -> None:
    """on_click of 确认导入 / 提交审核: the real import (validated again, written atomically, audited), then refresh.
    The role is checked again here: a reporter's file always becomes their own unit's submission."""
    role, unit = auth.role(), auth.reporter_unit()
    if role == auth.VIEWER:
        return
    upload = st.session_state.get(uploader)
    if upload is None:
        return
    opts = options()
    store = Store()
    if is_demo_store(store):
        return
    reporter = unit if role == auth.REPORTER else None
    out = import_file(upload.getvalue(), store=store, filename=upload.name, sheet=opts["sheet"],
                      month=opts["month"], replace=opts["replace"] and not reporter, user=opts["user"], dry_run=False,
                      unit=None if reporter else opts["unit"], reporter_unit=reporter)
    if not out.ok:
        st.session_state[FAILED] = out
        return
    if reporter:
        st.session_state[FLASH] = t("submitted").format(m=out.month, unit=reporter, n=f"{out.rows:,}")
    else:
        st.session_state[FLASH] = t("imported").format(m=out.month, n=f"{out.rows:,}")
    st.session_state.pop(FAILED, None)
    st.session_state.pop(CHECK, None)
    st.session_state["_admin_upload_n"] = st.session_state.get("_admin_upload_n", 0) + 1
    if not reporter:
        _published()


def delete_month(month: str) -> None:
    """on_click of 删除: the month's snapshot moves into the store's history; audited."""
    if not can_write() or not month:
        return
    try:
        Store().delete(month, user=options()["user"])
    except StoreError as e:
        st.session_state[FLASH] = ("error", str(e))
        return
    st.session_state[FLASH] = t("deleted").format(m=month)
    _published()


def _review(month: str, unit: str, write: Callable[[Store, str], dict | None]) -> dict | None:
    """Run a review decision on the store; a refusal is kept to be shown at that submission."""
    errors = st.session_state.setdefault(REVIEW_ERR, {})
    try:
        rec = write(Store(), options()["user"])
    except StoreError as e:
        errors[(month, unit)] = str(e)
        return None
    errors.pop((month, unit), None)
    return rec or {}


def publish_submission(month: str, unit: str) -> None:
    """on_click of 通过并发布: the pending submission replaces the unit's rows of the month; audited."""
    if not can_write():
        return
    rec = _review(month, unit, lambda store, user: store.publish(month, unit, user=user))
    if rec is not None:
        st.session_state[FLASH] = t("published").format(m=month, unit=unit, n=f"{rec['rows']:,}")
        _published()


def return_submission(month: str, unit: str, reason_key: str) -> None:
    """on_click of 退回: back to the reporter with the (required) reason; audited."""
    if not can_write():
        return
    reason = st.session_state.get(reason_key) or ""
    if _review(month, unit, lambda store, user: store.return_submission(month, unit, reason, user=user)) is not None:
        st.session_state[FLASH] = t("returned").format(m=month, unit=unit, reason=reason.strip())
