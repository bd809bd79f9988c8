"""数据管理: upload a monthly ledger, check it (dry run), confirm it — an analyst's import publishes, a reporter's
awaits review; the review queue, 报送情况, 底稿, stored months, audit log, a sample."""
from __future__ import annotations

import hashlib

import streamlit as st

from data.ingest import ImportOutcome, import_file
from data.store import Store, StoreError
from ui import auth, data, state
from ui.auth import audit_user, can_write, sign_in_panel
from ui.bulletin_template import template_panel
from ui.i18n import t
from ui.importing import (CHANGE_RULES, UPLOAD_TYPES, audit_frame, is_demo_store, months_frame, preview,
                          problems_frame, sample_file_name, sample_ledger_bytes, sample_source)
from ui.submitting import (RECENT, XLSX_MIME, due_month, next_month, own_submissions, pending_queue, report_frame,
                           submission_months, template_for, template_name)
from ui.widgets import md_escape, show_table

UPLOAD = "admin_upload"       # the uploader's key is UPLOAD + a counter: a new key empties it after an import
CHECK = "_admin_check"        # (key of the checked upload, its dry-run outcome)
FLASH = "_admin_flash"        # the message of the last successful import or delete, shown once
FAILED = "_admin_failed"      # the outcome of a refused confirm (e.g. the month was stored meanwhile)
REVIEW_ERR = "_admin_review_err"  # {(month, unit): message} of a refused 通过 / 退回, shown at that submission
NEEDS_REPLACE, WILL_REPLACE, FOREIGN = "月份已有数据", "将替换已有数据", "不属于本单位"  # importer rules the page reacts to


def _uploader_key() -> str:
    return f"{UPLOAD}_{st.session_state.get('_admin_upload_n', 0)}"


def _options() -> dict:
    return {"sheet": (st.session_state.get("admin_sheet") or "").strip() or None,
            "month": (st.session_state.get("admin_month") or "").strip() or None,
            "replace": bool(st.session_state.get("admin_replace")),
            "unit": (st.session_state.get("admin_unit") or "").strip() or None,
            "user": audit_user(st.session_state.get("admin_user") or "")}   # the signed-in analyst or reporter


def _use_sheet() -> None:
    """on_change of the sheet choice: the chosen sheet goes into the 工作表名 field, and the file is checked again."""
    st.session_state["admin_sheet"] = st.session_state.get("admin_sheet_pick") or ""


def dry_run(store: Store, name: str, content: bytes, opts: dict, reporter_unit: str | None = None) -> ImportOutcome:
    """Check the upload without writing (cached in the session per file, options and store content)."""
    key = (hashlib.sha256(content).hexdigest(), name, opts["sheet"], opts["month"], opts["replace"], opts["unit"],
           reporter_unit, data.review_key(store))
    cached = st.session_state.get(CHECK)
    if cached and cached[0] == key:
        return cached[1]
    outcome = import_file(content, store=store, filename=name, sheet=opts["sheet"], month=opts["month"],
                          replace=opts["replace"], dry_run=True, unit=None if reporter_unit else opts["unit"],
                          reporter_unit=reporter_unit)
    st.session_state[CHECK] = (key, outcome)
    return outcome


def _after_write(month_changed: bool) -> None:
    st.session_state.pop(FAILED, None)
    st.session_state.pop(CHECK, None)
    st.session_state["_admin_upload_n"] = st.session_state.get("_admin_upload_n", 0) + 1
    if month_changed:
        st.cache_data.clear()
        st.session_state.pop("sel_month", None)   # the sidebar goes to the newest month on its next seed
        st.session_state["_sel_init"] = False


def confirm_import(uploader_key: str) -> None:
    """on_click of 确认导入 / 提交审核: the real import (validated again, written atomically, audited), then refresh.
    The role is checked again here: a reporter's file always becomes their own unit's submission."""
    role, unit = auth.role(), auth.reporter_unit()
    if role == auth.VIEWER:
        return
    upload = st.session_state.get(uploader_key)
    if upload is None:
        return
    opts = _options()
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
    _after_write(month_changed=not reporter)


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


def publish_submission(month: str, unit: str) -> None:
    """on_click of 通过并发布: the pending submission replaces the unit's rows of the month; audited."""
    if not can_write():
        return
    errors = st.session_state.setdefault(REVIEW_ERR, {})
    try:
        rec = Store().publish(month, unit, user=_options()["user"])
    except StoreError as e:
        errors[(month, unit)] = str(e)
        return
    errors.pop((month, unit), None)
    st.session_state[FLASH] = t("published").format(m=month, unit=unit, n=f"{rec['rows']:,}")
    st.cache_data.clear()
    st.session_state["_sel_init"] = False
    st.session_state.pop("sel_month", None)


def return_submission(month: str, unit: str, reason_key: str) -> None:
    """on_click of 退回: back to the reporter with the (required) reason; audited."""
    if not can_write():
        return
    errors = st.session_state.setdefault(REVIEW_ERR, {})
    reason = st.session_state.get(reason_key) or ""
    try:
        Store().return_submission(month, unit, reason, user=_options()["user"])
    except StoreError as e:
        errors[(month, unit)] = str(e)
        return
    errors.pop((month, unit), None)
    st.session_state[FLASH] = t("returned").format(m=month, unit=unit, reason=reason.strip())


def problem_tables(outcome: ImportOutcome, stem: str, key: str = "admin") -> None:
    if outcome.errors:
        st.markdown(f"##### :red[{t('errors_title').format(n=len(outcome.errors))}]")
        show_table(problems_frame(outcome.errors), f"{stem}_错误", key=f"{key}_errors",
                   column_config={"说明": st.column_config.TextColumn(width="large")})
    if outcome.warnings:
        st.markdown(f"##### :orange[{t('warnings_title').format(n=len(outcome.warnings))}]")
        show_table(problems_frame(outcome.warnings), f"{stem}_警告", key=f"{key}_warnings",
                   column_config={"说明": st.column_config.TextColumn(width="large")})
    if not outcome.errors and not outcome.warnings:
        st.caption(t("no_problems"))


def change_preview(outcome: ImportOutcome, store: Store, unit: str | None) -> None:
    st.markdown(f"##### {t('preview')}")
    p = preview(outcome, store, unit)
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


def _rule(outcome: ImportOutcome, rule: str) -> list:
    return [p for p in (*outcome.errors, *outcome.warnings) if p.rule == rule]


def _replaced_units(outcome: ImportOutcome, store: Store, unit: str | None) -> list[str]:
    """The file's units already published in its month (what 替换 would replace)."""
    frame = outcome.result.frame if outcome.result is not None else None
    if frame is None or not outcome.month:
        return []
    return list(store.plan(frame, unit=unit).changes)


def check_view(store: Store, upload, opts: dict, reporter_unit: str | None) -> None:
    """The dry run's result: counts, verdict, change preview, confirm button, problem tables, report download."""
    outcome = dry_run(store, upload.name, upload.getvalue(), opts, reporter_unit)
    failed = st.session_state.get(FAILED)
    stem = upload.name.rsplit(".", 1)[0]
    if outcome.sheet_choices:  # several sheets hold a ledger: ask which one
        st.selectbox(t("sheet_pick"), outcome.sheet_choices, index=None, key="admin_sheet_pick", on_change=_use_sheet)
    st.subheader(t("check_result"))
    c = st.columns(4)
    c[0].metric(t("file_month"), outcome.month or "—")
    c[1].metric(t("rows"), f"{outcome.rows:,}")
    c[2].metric(t("errors"), len(outcome.errors))
    c[3].metric(t("warnings"), len(outcome.warnings))
    needs_replace = bool(_rule(outcome, NEEDS_REPLACE)) and not reporter_unit
    if not outcome.ok:
        st.error(t("refused_submit") if reporter_unit else t("refused"))
        foreign = _rule(outcome, FOREIGN)
        if foreign:
            units = "、".join(dict.fromkeys(p.value for p in foreign))
            st.error(t("foreign_rows").format(n=len(foreign), units=units, unit=reporter_unit))
    elif needs_replace:
        units = "、".join(_replaced_units(outcome, store, opts["unit"]))
        st.warning(t("month_exists").format(m=outcome.month, units=units) + "\n\n"
                   + "\n\n".join(p.message for p in _rule(outcome, NEEDS_REPLACE)))
    else:
        st.success(t("submit_passed") if reporter_unit else t("passed"))
        for p in _rule(outcome, WILL_REPLACE):
            st.warning(p.message)
        if reporter_unit and outcome.month:
            st_ = store.units(outcome.month).get(reporter_unit)
            if st_ is not None and st_.pending is not None:
                st.info(t("pending_again").format(m=outcome.month, at=str(st_.pending.get("time", "")).replace("T", " ")))
    if outcome.ok and outcome.month:
        change_preview(outcome, store, reporter_unit or opts["unit"])
    if failed is not None:
        st.error(t("submit_failed") if reporter_unit else t("import_failed"))
        st.text(failed.report(limit=50))
    # the button sits above the (possibly long) problem tables, so nobody scrolls past hundreds of warnings
    st.button(t("submit") if reporter_unit else t("confirm"), type="primary", key="admin_confirm",
              disabled=not outcome.ok or needs_replace, on_click=confirm_import, args=(_uploader_key(),))
    problem_tables(outcome, stem)
    st.download_button(t("report_download"), outcome.report(limit=100_000).encode("utf-8"), f"{stem}_检查报告.txt",
                       "text/plain", key="admin_report")


def import_tab(store: Store) -> None:
    if not can_write():
        st.info(t("no_write"))
        return
    if is_demo_store(store):
        st.error(t("demo_store_refused"))
        return
    st.caption(t("upload_help"))
    upload = st.file_uploader(t("upload"), type=list(UPLOAD_TYPES), key=_uploader_key())
    c1, c2, c3, c4 = st.columns(4)
    c1.text_input(t("sheet"), key="admin_sheet", help=t("sheet_help"))
    c2.text_input(t("month_opt"), key="admin_month", help=t("month_help"), placeholder="2024-06")
    c3.text_input(t("unit_opt"), key="admin_unit", help=t("unit_help"), placeholder="例如 市交通局")
    if auth.uses_shared_password() or auth.mode() == "oidc":  # a named account's own name is what is recorded
        c4.text_input(t("operator"), key="admin_user")
    st.checkbox(t("replace"), key="admin_replace", help=t("replace_help"))
    if upload is None:
        st.session_state.pop(FAILED, None)
        return
    check_view(store, upload, _options(), None)


def submit_tab(store: Store, unit: str) -> None:
    """A reporter's upload: checked as their unit's ledger; confirmed, it waits for review."""
    if is_demo_store(store):
        st.error(t("demo_store_refused"))
        return
    template_box(store, [unit])
    st.divider()
    st.caption(t("submit_help"))
    upload = st.file_uploader(t("upload"), type=list(UPLOAD_TYPES), key=_uploader_key())
    c1, c2, _ = st.columns([2, 2, 2])
    c1.text_input(t("sheet"), key="admin_sheet", help=t("sheet_help"))
    c2.text_input(t("month_opt"), key="admin_month", help=t("month_help"), placeholder="2024-06")
    if upload is None:
        st.session_state.pop(FAILED, None)
        return
    check_view(store, upload, _options(), unit)


def template_box(store: Store, units: list[str]) -> None:
    """The 底稿 download: a unit's last published rows as next month's Excel ledger."""
    st.markdown(f"##### {t('template_title')}")
    c1, c2 = st.columns(2)
    unit = c1.selectbox(t("template_unit"), units, key="tpl_unit", disabled=len(units) == 1)
    if not unit:
        return
    months = list(dict.fromkeys([next_month(store), *submission_months(store)[:RECENT]]))
    due = due_month(store, unit)
    month = c2.selectbox(t("template_month"), months, index=months.index(due) if due in months else 0,
                         key=f"tpl_month|{unit}")  # per unit: each unit's default is the month it owes
    last = store.last_published(unit, month)
    if last:
        st.caption(t("template_from").format(src=last[0], n=f"{last[1].height:,}", m=month))
    else:
        st.caption(t("template_empty").format(unit=unit, m=month))
    st.download_button(t("template"), lambda: template_for(store, unit, month)[0], template_name(unit, month),
                       XLSX_MIME, key="tpl_download", icon=":material/download:")


def mine_tab(store: Store, unit: str) -> None:
    months = submission_months(store, unit)[:RECENT]
    if not months:
        st.info(t("own_none"))
        return
    df = own_submissions(store, unit, months)
    st.caption(t("own_caption").format(n=len(months)))
    show_table(df, f"{unit}_报送记录", key="admin_mine",
               column_config={"退回原因": st.column_config.TextColumn(width="large")})


def review_tab(store: Store) -> None:
    queue = pending_queue(store)
    if not queue:
        st.info(t("review_none"))
        return
    errors = st.session_state.get(REVIEW_ERR, {})
    for month, unit, rec in queue:
        r = data.review(store, month, unit)
        tag = f"{month}|{unit}"
        with st.container(border=True, key=f"review_{hashlib.sha1(tag.encode()).hexdigest()[:10]}"):
            st.markdown(f"#### {month} · {md_escape(unit)}")
            st.caption(t("review_head").format(who=md_escape(rec.get("user") or "—"),
                                               at=str(rec.get("time", "")).replace("T", " "),
                                               src=md_escape(rec.get("source") or "—"), n=f"{r.rows:,}"))
            if r.outcome.errors:
                st.error(t("review_bad").format(n=len(r.outcome.errors)))
            else:
                st.success(t("review_ok"))
            for p in _rule(r.outcome, WILL_REPLACE):
                st.warning(p.message)
            if r.change:
                st.markdown(t("review_change").format(m=r.previous, text=r.change))
                counts = " · ".join(f"{t(k)} {sum(1 for w in r.outcome.warnings if w.rule == rule)}"
                                    for k, rule in CHANGE_RULES.items())
                st.caption(counts)
            else:
                st.caption(t("review_new_unit"))
            with st.expander(t("review_details").format(e=len(r.outcome.errors), w=len(r.outcome.warnings))):
                problem_tables(r.outcome, f"{unit}_{month}", key=f"rev_{tag}")
            if (month, unit) in errors:
                st.error(errors[(month, unit)])
            reason_key = f"rev_reason|{tag}"
            st.text_input(t("return_reason"), key=reason_key, placeholder="例如：第 5 行项目的本年累计完成投资小于上月，请核实")
            row = st.container(horizontal=True)  # buttons as wide as their labels, at any window width
            row.button(t("publish"), key=f"rev_pub|{tag}", type="primary", disabled=bool(r.outcome.errors),
                       on_click=publish_submission, args=(month, unit), icon=":material/check:")
            row.button(t("return"), key=f"rev_ret|{tag}", on_click=return_submission, args=(month, unit, reason_key),
                       icon=":material/undo:")


def report_tab(store: Store, units_for_template: list[str] | None) -> None:
    """报送情况 of a chosen month (every expected unit's status), and — for analysts — a 底稿 for any unit."""
    months = submission_months(store)
    if not months:
        st.info(t("report_none"))
        return
    chosen = st.session_state.get("sel_month")
    index = months.index(chosen) if chosen in months else 0
    month = st.selectbox(t("report_month"), months, index=index, key="admin_report_month")
    report = data.month_report(month, store)
    st.markdown(f"**{md_escape(report.line())}**")
    st.caption(t("report_deadline").format(d=f"{report.deadline:%Y-%m-%d}", day=store.settings().deadline_day))
    show_table(report_frame(report), f"报送情况_{month}", key="admin_report_table",
               column_config={"备注": st.column_config.TextColumn(width="large")})
    if units_for_template is not None:
        names = list(dict.fromkeys([*(u.unit for u in report.units), *units_for_template]))
        if names:
            template_box(store, names)


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


def _counties() -> list[str]:
    """Every 县区 the stored months name (units an analyst may want a 底稿 for); none from the demo city."""
    return [] if data.source()[1] else data.options().get("county", [])


# ---- page ---------------------------------------------------------------------------------------------------------
state.current()   # as on every page: a deep link that reached this script bare is rerun through app.py first
st.title(t("pages_admin"))
sign_in_panel()   # viewers read; analysts and reporters sign in here (OIDC, named account, shared password)
store = Store()   # the real store (KPM_STORE or data/store); the demo city is only ever read
# Messages sit in containers that exist on every run: a message that comes and goes would shift the tabs below
# and Streamlit would reopen the first tab (an analyst who just published would land on 导入台账).
flash, notices = st.container(), st.container()
message = st.session_state.pop(FLASH, None)
if isinstance(message, tuple):
    flash.error(message[1])
elif message:
    flash.success(message)
_, is_demo, _ = data.source()
if is_demo:
    notices.info(t("demo_notice"))
role, my_unit = auth.role(), auth.reporter_unit()
if role == auth.ANALYST:
    notices.caption(f"{t('store_at')}：{store.root}")

if role == auth.REPORTER:
    st.info(t("reporter_intro").format(unit=md_escape(my_unit)), icon=":material/badge:")
    tab_submit, tab_mine, tab_report = st.tabs([t("tab_submit"), t("tab_mine"), t("tab_report")])
    with tab_submit:
        submit_tab(store, my_unit)
    with tab_mine:
        mine_tab(store, my_unit)
    with tab_report:
        report_tab(store, None)
else:
    frame = sample_source()
    if frame is not None:
        st.download_button(t("sample"), lambda: sample_ledger_bytes(frame), sample_file_name(frame), XLSX_MIME,
                           help=t("sample_help"), key="admin_sample", icon=":material/download:")
    analyst = role == auth.ANALYST
    waiting = len(pending_queue(store)) if analyst else 0
    if waiting:
        notices.warning(t("review_waiting").format(n=waiting), icon=":material/pending_actions:")
    labels = [t("tab_import")] + ([t("tab_review")] if analyst else []) + [t("tab_months"), t("tab_report"),
                                                                            t("tab_audit")]
    tabs = iter(st.tabs(labels))
    with next(tabs):
        import_tab(store)
    if analyst:
        with next(tabs):
            review_tab(store)
    with next(tabs):
        months_tab(store)
    with next(tabs):
        report_tab(store, _counties() if analyst else None)
    with next(tabs):
        audit_tab(store)
    template_panel(store)   # 月通报模板: download, and for analysts upload (ui/bulletin_template.py)
