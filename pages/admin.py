"""数据管理: upload a monthly ledger, check it (dry run), confirm the import; stored months, audit log, a sample."""
from __future__ import annotations

import hashlib

import streamlit as st

from data.ingest import ImportOutcome, import_file
from data.store import Store, StoreError
from ui import data, state
from ui.auth import audit_user, can_write, sign_in_panel
from ui.i18n import t
from ui.importing import (UPLOAD_TYPES, audit_frame, is_demo_store, months_frame, preview, problems_frame,
                          sample_file_name, sample_ledger_bytes, sample_source)
from ui.widgets import show_table

UPLOAD = "admin_upload"       # the uploader's key is UPLOAD + a counter: a new key empties it after an import
CHECK = "_admin_check"        # (key of the checked upload, its dry-run outcome)
FLASH = "_admin_flash"        # the message of the last successful import or delete, shown once
FAILED = "_admin_failed"      # the outcome of a refused confirm (e.g. the month was stored meanwhile)


def _uploader_key() -> str:
    return f"{UPLOAD}_{st.session_state.get('_admin_upload_n', 0)}"


def _options() -> dict:
    return {"sheet": (st.session_state.get("admin_sheet") or "").strip() or None,
            "month": (st.session_state.get("admin_month") or "").strip() or None,
            "replace": bool(st.session_state.get("admin_replace")),
            "user": audit_user(st.session_state.get("admin_user") or "")}   # the signed-in analyst


def _use_sheet() -> None:
    """on_change of the sheet choice: the chosen sheet goes into the 工作表名 field, and the file is checked again."""
    st.session_state["admin_sheet"] = st.session_state.get("admin_sheet_pick") or ""


def dry_run(store: Store, name: str, content: bytes, opts: dict) -> ImportOutcome:
    """Check the upload without writing (cached in the session per file, options and store content)."""
    key = (hashlib.sha256(content).hexdigest(), name, opts["sheet"], opts["month"], opts["replace"],
           store.content_key())
    cached = st.session_state.get(CHECK)
    if cached and cached[0] == key:
        return cached[1]
    outcome = import_file(content, store=store, filename=name, sheet=opts["sheet"], month=opts["month"],
                          replace=opts["replace"], dry_run=True)
    st.session_state[CHECK] = (key, outcome)
    return outcome


def confirm_import(uploader_key: str) -> None:
    """on_click of 确认导入: the real import (validated again, written atomically, audited), then refresh."""
    if not can_write():
        return
    upload = st.session_state.get(uploader_key)
    if upload is None:
        return
    opts = _options()
    store = Store()
    if is_demo_store(store):
        return
    out = import_file(upload.getvalue(), store=store, filename=upload.name, sheet=opts["sheet"],
                      month=opts["month"], replace=opts["replace"], user=opts["user"], dry_run=False)
    if out.ok:
        st.cache_data.clear()
        st.session_state[FLASH] = t("imported").format(m=out.month, n=f"{out.rows:,}")
        st.session_state.pop(FAILED, None)
        st.session_state.pop(CHECK, None)
        st.session_state["_admin_upload_n"] = st.session_state.get("_admin_upload_n", 0) + 1
        st.session_state.pop("sel_month", None)   # the sidebar goes to the newest month on its next seed
        st.session_state["_sel_init"] = False
    else:
        st.session_state[FAILED] = out


def delete_month(month: str) -> None:
    if not can_write() or not month:
        return
    store = Store()
    try:
        store.delete(month, user=_options()["user"])
    except StoreError as e:
        st.session_state[FLASH] = ("error", str(e))
        return
    st.cache_data.clear()
    st.session_state[FLASH] = t("deleted").format(m=month)
    st.session_state["_sel_init"] = False
    st.session_state.pop("sel_month", None)


def problem_tables(outcome: ImportOutcome, stem: str) -> None:
    if outcome.errors:
        st.markdown(f"##### :red[{t('errors_title').format(n=len(outcome.errors))}]")
        show_table(problems_frame(outcome.errors), f"{stem}_错误", key="admin_errors",
                   column_config={"说明": st.column_config.TextColumn(width="large")})
    if outcome.warnings:
        st.markdown(f"##### :orange[{t('warnings_title').format(n=len(outcome.warnings))}]")
        show_table(problems_frame(outcome.warnings), f"{stem}_警告", key="admin_warnings",
                   column_config={"说明": st.column_config.TextColumn(width="large")})
    if not outcome.errors and not outcome.warnings:
        st.caption(t("no_problems"))


def change_preview(outcome: ImportOutcome, store: Store) -> None:
    st.markdown(f"##### {t('preview')}")
    p = preview(outcome, store)
    if p["previous_rows"] is None:
        st.caption(t("no_previous").format(m=p["previous"] or "—"))
        return
    c = st.columns(5)
    prev_rows = t("prev_rows").format(n=f"{p['previous_rows']:,}")
    c[0].metric(t("rows_vs_prev"), f"{p['rows']:,}", f"{p['rows'] - p['previous_rows']:+,}（{prev_rows}）",
                delta_color="off")
    c[1].metric(t("new_projects"), p["new_projects"])
    c[2].metric(t("missing_projects"), p["missing_projects"])
    c[3].metric(t("changed_totals"), p["changed_totals"])
    c[4].metric(t("ytd_fell"), p["ytd_fell"])


def import_tab(store: Store) -> None:
    if not can_write():
        st.info(t("no_write"))
        return
    if is_demo_store(store):
        st.error(t("demo_store_refused"))
        return
    st.caption(t("upload_help"))
    uploader_key = _uploader_key()
    upload = st.file_uploader(t("upload"), type=list(UPLOAD_TYPES), key=uploader_key)
    c1, c2, c3 = st.columns([2, 2, 2])
    c1.text_input(t("sheet"), key="admin_sheet", help=t("sheet_help"))
    c2.text_input(t("month_opt"), key="admin_month", help=t("month_help"), placeholder="2024-06")
    c3.text_input(t("operator"), key="admin_user")
    st.checkbox(t("replace"), key="admin_replace", help=t("replace_help"))
    failed = st.session_state.get(FAILED)
    if upload is None:
        st.session_state.pop(FAILED, None)
        return
    opts = _options()
    outcome = dry_run(store, upload.name, upload.getvalue(), opts)
    stem = upload.name.rsplit(".", 1)[0]
    if outcome.sheet_choices:  # several sheets hold a ledger: ask which one
        st.selectbox(t("sheet_pick"), outcome.sheet_choices, index=None, key="admin_sheet_pick", on_change=_use_sheet)

    st.subheader(t("check_result"))
    c = st.columns(4)
    c[0].metric(t("file_month"), outcome.month or "—")
    c[1].metric(t("rows"), f"{outcome.rows:,}")
    c[2].metric(t("errors"), len(outcome.errors))
    c[3].metric(t("warnings"), len(outcome.warnings))
    exists = bool(outcome.month) and outcome.month in store.months() and not opts["replace"]
    if not outcome.ok:
        st.error(t("refused"))
    elif exists:
        st.warning(t("month_exists").format(m=outcome.month))
    else:
        st.success(t("passed"))
    if outcome.ok and outcome.month:
        change_preview(outcome, store)
    if failed is not None:
        st.error(t("import_failed"))
        st.text(failed.report(limit=50))
    # the button sits above the (possibly long) problem tables, so nobody scrolls past hundreds of warnings
    st.button(t("confirm"), type="primary", key="admin_confirm", disabled=not outcome.ok or exists,
              on_click=confirm_import, args=(uploader_key,))
    problem_tables(outcome, stem)
    st.download_button(t("report_download"), outcome.report(limit=100_000).encode("utf-8"), f"{stem}_检查报告.txt",
                       "text/plain", key="admin_report")


def months_tab(store: Store) -> None:
    df = months_frame(store)
    if df.is_empty():
        st.info(t("no_months"))
        return
    show_table(df, "已存月份", key="admin_months")
    if can_write():
        with st.expander(t("delete_month")):
            month = st.selectbox(t("month"), df.get_column("报送月份").to_list()[::-1], key="admin_del_month")
            ok = st.checkbox(t("delete_confirm"), key="admin_del_ok")
            st.button(t("delete"), key="admin_delete", disabled=not ok, on_click=delete_month, args=(month,))


def audit_tab(store: Store) -> None:
    df = audit_frame(store)
    if df.is_empty():
        st.info(t("no_audit"))
        return
    show_table(df, "操作记录", key="admin_audit")


# ---- page ---------------------------------------------------------------------------------------------------------
state.current()   # as on every page: a deep link that reached this script bare is rerun through app.py first
st.title(t("pages_admin"))
sign_in_panel()   # viewers read; analysts sign in here (OIDC or the analyst password), or how to enable it
store = Store()   # the real store (KPM_STORE or data/store); the demo city is only ever read
flash = st.session_state.pop(FLASH, None)
if isinstance(flash, tuple):
    st.error(flash[1])
elif flash:
    st.success(flash)
_, is_demo, _ = data.source()
if is_demo:
    st.info(t("demo_notice"))
if can_write():
    st.caption(f"{t('store_at')}：{store.root}")

frame = sample_source()
if frame is not None:
    st.download_button(t("sample"), lambda: sample_ledger_bytes(frame), sample_file_name(frame),
                       "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", help=t("sample_help"),
                       key="admin_sample", icon=":material/download:")

tab_import, tab_months, tab_audit = st.tabs([t("tab_import"), t("tab_months"), t("tab_audit")])
with tab_import:
    import_tab(store)
with tab_months:
    months_tab(store)
with tab_audit:
    audit_tab(store)
