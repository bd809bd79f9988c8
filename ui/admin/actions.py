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
from ui.admin.importing import is_demo_store

UPLOAD = "admin_upload"       # the uploader's key is UPLOAD + a counter: a new key empties it after the imports
CHECK = "_admin_check"        # {file id: (key of its check, its dry-run outcome)} for the files in the uploader
FLASH = "_admin_flash"        # the message of the last successful write, shown once ((“error”, text) for a refusal)
FAILED = "_admin_failed"      # {file id: the outcome of its refused confirm} (e.g. the month was stored meanwhile)
DONE = "_admin_done"          # {file id: message}: files of the uploader already imported (several files at once)
SHEETS = "_admin_sheets"      # {file id: sheet}: the sheet chosen for one of several files
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


def file_options(opts: dict, file_id: str) -> dict:
    """The form's options for one file: a sheet chosen for it (one of several files) overrides the sheet field."""
    sheet = st.session_state.get(SHEETS, {}).get(file_id)
    return {**opts, "sheet": sheet} if sheet else opts


def dry_run(store: Store, name: str, content: bytes, opts: dict, reporter_unit: str | None = None,
            file_id: str = "") -> ImportOutcome:
    """Check one upload without writing (cached in the session per file, options and store content — the
    audit log is part of it, so teaching a mapping checks the file again)."""
    key = (hashlib.sha256(content).hexdigest(), name, opts["sheet"], opts["month"], opts["replace"], opts["unit"],
           reporter_unit, cached.review_key(store))
    checks = st.session_state.setdefault(CHECK, {})
    if file_id in checks and checks[file_id][0] == key:
        return checks[file_id][1]
    outcome = import_file(content, store=store, filename=name, sheet=opts["sheet"], month=opts["month"],
                          replace=opts["replace"], dry_run=True, unit=None if reporter_unit else opts["unit"],
                          reporter_unit=reporter_unit)
    checks[file_id] = (key, outcome)
    return outcome


def forget_files(file_ids: set[str]) -> None:
    """Drop the checks, refusals, imports and sheet choices of files no longer in the uploader."""
    for name in (CHECK, FAILED, DONE, SHEETS):
        kept = {k: v for k, v in st.session_state.get(name, {}).items() if k in file_ids}
        st.session_state[name] = kept


def _uploads(uploader: str) -> list:
    """The uploader's files (a list whether it holds one or several)."""
    value = st.session_state.get(uploader)
    return [] if value is None else list(value) if isinstance(value, list) else [value]


def writable(store: Store, not_signed_in: str, demo: str) -> bool:
    """Whether this session may change `store` (an analyst's, not the demo city's); else the notice saying why
    (`not_signed_in`, `demo`: the labels of each)."""
    if not can_write():
        st.info(t(not_signed_in))
        return False
    if is_demo_store(store):
        st.error(t(demo))
        return False
    return True


def confirm_import(uploader: str, file_id: str = "") -> None:
    """on_click of 确认导入 / 提交审核 of one file: the real import (validated again, written atomically, audited),
    then refresh; when every file of the uploader is in, the uploader is emptied. The role is checked again here:
    a reporter's file always becomes their own unit's submission."""
    if not auth.can_upload():
        return
    files = _uploads(uploader)
    upload = next((f for f in files if f.file_id == file_id), files[0] if files and not file_id else None)
    if upload is None:
        return
    opts = file_options(options(), upload.file_id)
    store = Store()
    if is_demo_store(store):
        return
    reporter = auth.reporter_unit() or None
    first = store.is_empty()   # the store's first month: pages leave the demo city for the user's data
    out = import_file(upload.getvalue(), store=store, filename=upload.name, sheet=opts["sheet"],
                      month=opts["month"], replace=opts["replace"] and not reporter, user=opts["user"], dry_run=False,
                      unit=None if reporter else opts["unit"], reporter_unit=reporter)
    failed = st.session_state.setdefault(FAILED, {})
    if not out.ok:
        failed[upload.file_id] = out
        return
    if reporter:
        message = t("submitted").format(m=out.month, unit=reporter, n=f"{out.rows:,}")
    else:
        message = t("imported").format(m=out.month, n=f"{out.rows:,}") + (t("first_data") if first else "")
    st.session_state[FLASH] = message if len(files) == 1 else f"{upload.name}：{message}"
    failed.pop(upload.file_id, None)
    done = st.session_state.setdefault(DONE, {})
    done[upload.file_id] = message
    if all(f.file_id in done for f in files):   # all in: empty the uploader for the next files
        forget_files(set())
        st.session_state["_admin_upload_n"] = st.session_state.get("_admin_upload_n", 0) + 1
    # Nothing to clear or reset after a write: every cache is keyed on the store's content and audit log, and the
    # month shown follows the newest one (state.follow), in this session and in every other one.


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
    first = Store().is_empty()
    rec = _review(month, unit, lambda store, user: store.publish(month, unit, user=user))
    if rec is not None:
        st.session_state[FLASH] = t("published").format(m=month, unit=unit, n=f"{rec['rows']:,}") + (
            t("first_data") if first else "")


def return_submission(month: str, unit: str, reason_key: str) -> None:
    """on_click of 退回: back to the reporter with the (required) reason; audited."""
    if not can_write():
        return
    reason = st.session_state.get(reason_key) or ""
    if _review(month, unit, lambda store, user: store.return_submission(month, unit, reason, user=user)) is not None:
        st.session_state[FLASH] = t("returned").format(m=month, unit=unit, reason=reason.strip())
