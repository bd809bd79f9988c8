"""数据管理 · upload: the analyst's import form, the reporter's submission form (one or several files), and what the
check of each file shows (counts, verdict, the mapping picker, change preview, the confirm button, problem tables,
the report download)."""
from __future__ import annotations

import streamlit as st

from data.ingest import ImportOutcome
from data.store import Store
from data.text import DASH, shown_time
from ui import auth
from ui.admin.actions import (DONE, FAILED, SHEETS, confirm_import, dry_run, file_options, forget_files, options,
                              uploader_key, writable)
from ui.admin.importing import UPLOAD_TYPES, is_demo_store, preview, problems_frame
from ui.admin.mappings import picker, remembered_panel
from ui.admin.records import draft_box
from ui.admin.submitting import due_month, upcoming_month
from ui.i18n import t
from ui.state import follow
from ui.widgets import md_escape, show_table

NEEDS_REPLACE, WILL_REPLACE, FOREIGN = "月份已有数据", "将替换已有数据", "不属于本单位"  # importer rules the page reacts to


def rule(outcome: ImportOutcome, name: str) -> list:
    """The outcome's errors and warnings of one rule."""
    return [p for p in (*outcome.errors, *outcome.warnings) if p.rule == name]


def problem_tables(outcome: ImportOutcome, stem: str, key: str = "admin") -> None:
    """The errors and the warnings, each as a table with its downloads (or a line saying there are none)."""
    for problems, title, color, part, kind in ((outcome.errors, "errors_title", "red", "错误", "errors"),
                                               (outcome.warnings, "warnings_title", "orange", "警告", "warnings")):
        if problems:
            st.markdown(f"##### :{color}[{t(title).format(n=len(problems))}]")
            show_table(problems_frame(problems), f"{stem}_{part}", key=f"{key}_{kind}",
                       column_config={"说明": st.column_config.TextColumn(width="large")})
    if not outcome.errors and not outcome.warnings:
        st.caption(t("no_problems"))


def completion_lines(outcome: ImportOutcome, title: str = "completions_title") -> None:
    """Where the columns the file did not give came from (the register, a published month, 未填报), one line each."""
    lines = [c.line for c in outcome.completions]
    if lines:
        st.markdown(f"##### {t(title)}")
        st.markdown("\n".join(f"- {md_escape(line)}" for line in lines))


def change_preview(outcome: ImportOutcome, store: Store, unit: str | None) -> None:
    st.markdown(f"##### {t('preview')}")
    p = preview(outcome, store, unit)
    if p["previous_rows"] is None:
        st.caption(t("no_previous").format(m=p["previous"] or DASH))
        return
    c = st.columns(5)
    prev_rows = t("prev_rows").format(n=f"{p['previous_rows']:,}")
    c[0].metric(t("rows_vs_prev"), f"{p['rows']:,}", f"{p['rows'] - p['previous_rows']:+,}（{prev_rows}）",
                delta_color="off")
    c[1].metric(t("new_projects"), p["new_projects"])
    c[2].metric(t("missing_projects"), p["missing_projects"])
    c[3].metric(t("changed_totals"), p["changed_totals"])
    c[4].metric(t("ytd_fell"), p["ytd_fell"])


def _replaced_units(outcome: ImportOutcome, store: Store, unit: str | None) -> list[str]:
    """The file's units already published in its month (what 替换 would replace)."""
    frame = outcome.result.frame if outcome.result is not None else None
    if frame is None or not outcome.month:
        return []
    return list(store.plan(frame, unit=unit).changes)


def _verdict(outcome: ImportOutcome, store: Store, opts: dict, reporter_unit: str | None) -> bool:
    """Refused, needs 替换, or passed (with what it replaces); returns whether it needs 替换."""
    needs_replace = bool(rule(outcome, NEEDS_REPLACE)) and not reporter_unit
    if not outcome.ok:
        st.error(t("refused_submit") if reporter_unit else t("refused"))
        foreign = rule(outcome, FOREIGN)
        if foreign:
            units = "、".join(dict.fromkeys(p.value for p in foreign))
            st.error(t("foreign_rows").format(n=len(foreign), units=units, unit=reporter_unit))
    elif needs_replace:
        units = "、".join(_replaced_units(outcome, store, opts["unit"]))
        st.warning(t("month_exists").format(m=outcome.month, units=units) + "\n\n"
                   + "\n\n".join(p.message for p in rule(outcome, NEEDS_REPLACE)))
    else:
        st.success(t("submit_passed") if reporter_unit else t("passed"))
        for p in rule(outcome, WILL_REPLACE):
            st.warning(p.message)
        if reporter_unit and outcome.month:
            st_ = store.units(outcome.month).get(reporter_unit)
            if st_ is not None and st_.pending is not None:
                at = shown_time(st_.pending.get("time"))
                st.info(t("pending_again").format(m=outcome.month, at=at))
    return needs_replace


def _use_sheet(file_id: str, several: bool, pick: str) -> None:
    """on_change of the sheet choice: the chosen sheet goes into the 工作表名 field (one of several files: is kept
    for that file only), and the file is checked again."""
    chosen = st.session_state.get(pick) or ""
    if several:
        st.session_state.setdefault(SHEETS, {})[file_id] = chosen
    else:
        st.session_state["admin_sheet"] = chosen


def check_view(store: Store, upload, opts: dict, reporter_unit: str | None, sfx: str = "",
               several: bool = False) -> None:
    """One file's report under its name: the dry run's counts, verdict, the mapping picker, change preview,
    confirm button, problem tables, report download (widget keys end in `sfx`: '' for the first file)."""
    st.subheader(f"{t('check_result')}：{upload.name}")
    done = st.session_state.get(DONE, {}).get(upload.file_id)
    if done:   # one of several files, already in: the others wait for their own confirm
        st.success(done)
        return
    opts = file_options(opts, upload.file_id)
    outcome = dry_run(store, upload.name, upload.getvalue(), opts, reporter_unit, upload.file_id)
    failed = st.session_state.get(FAILED, {}).get(upload.file_id)
    stem = upload.name.rsplit(".", 1)[0]
    if outcome.sheet_choices:  # several sheets hold a ledger: ask which one
        st.selectbox(t("sheet_pick"), outcome.sheet_choices, index=None, key=f"admin_sheet_pick{sfx}",
                     placeholder=t("sheet_pick_ph"),
                     on_change=_use_sheet, args=(upload.file_id, several, f"admin_sheet_pick{sfx}"))
    c = st.columns(4)
    c[0].metric(t("file_month"), outcome.month or DASH)
    c[1].metric(t("rows"), f"{outcome.rows:,}")
    c[2].metric(t("errors"), len(outcome.errors))
    c[3].metric(t("warnings"), len(outcome.warnings))
    needs_replace = _verdict(outcome, store, opts, reporter_unit)
    picker(outcome, sfx)   # unrecognised headers or values: the analyst may teach them here
    completion_lines(outcome)
    if outcome.ok and outcome.month:
        change_preview(outcome, store, reporter_unit or opts["unit"])
    if failed is not None:
        st.error(t("submit_failed") if reporter_unit else t("import_failed"))
        st.text(failed.report(limit=50))
    # the button sits above the (possibly long) problem tables, so nobody scrolls past hundreds of warnings
    st.button(t("submit") if reporter_unit else t("confirm"), type="primary", key=f"admin_confirm{sfx}",
              disabled=not outcome.ok or needs_replace, on_click=confirm_import, args=(uploader_key(), upload.file_id))
    problem_tables(outcome, stem, key=f"admin{sfx}")
    st.download_button(t("report_download"), outcome.report(limit=100_000).encode("utf-8"), f"{stem}_检查报告.txt",
                       "text/plain", key=f"admin_report{sfx}")


def _form(store: Store, reporter_unit: str | None) -> None:
    """The uploader (one or several files) with its sheet and month fields (and, for analysts, unit, operator and
    替换), then one report per file, each confirmed or refused on its own."""
    uploads = st.file_uploader(t("upload"), type=list(UPLOAD_TYPES), key=uploader_key(), accept_multiple_files=True)
    uploads = list(uploads or [])
    if reporter_unit is None:
        c1, c2, c3, c4 = st.columns(4)
    else:
        c1, c2, _ = st.columns([2, 2, 2])
    c1.text_input(t("sheet"), key="admin_sheet", help=t("sheet_help"))
    if reporter_unit is None:   # an analyst imports any month: the file's own 报送月份 counts, the field is for files without
        c2.text_input(t("month_opt"), key="admin_month", help=t("month_help"),
                      placeholder=t("month_ph").format(m=upcoming_month(store)))
    else:                       # a reporter reports the month their unit owes: filled in, a file of another month is caught
        follow("admin_month", due_month(store, reporter_unit))
        c2.text_input(t("month_due"), key="admin_month", help=t("month_due_help"))
    if reporter_unit is None:
        c3.text_input(t("unit_opt"), key="admin_unit", help=t("unit_help"), placeholder="例如 市交通局")
        if auth.uses_shared_password() or auth.mode() == "oidc":  # a named account's own name is what is recorded
            c4.text_input(t("operator"), key="admin_user")
        st.checkbox(t("replace"), key="admin_replace", help=t("replace_help"))
    forget_files({u.file_id for u in uploads})
    several = len(uploads) > 1
    if several:
        st.caption(t("several_files").format(n=len(uploads)))
    opts = options()
    for i, upload in enumerate(uploads):
        with st.container(border=several):
            check_view(store, upload, opts, reporter_unit, f"_{i}" if i else "", several)


def import_tab(store: Store, template_units: list[str]) -> None:
    """An analyst's upload: checked, then imported (published) on confirm; beside it, any unit's 底稿."""
    if not writable(store, "no_write", "demo_store_refused"):
        return
    if template_units:
        draft_box(store, template_units)
        st.divider()
    st.caption(t("upload_help"))
    _form(store, None)
    remembered_panel(store)   # the headers and values taught so far, removable


def submit_tab(store: Store, unit: str) -> None:
    """A reporter's upload: checked as their unit's ledger; confirmed, it waits for review."""
    if is_demo_store(store):
        st.error(t("demo_store_refused"))
        return
    draft_box(store, [unit])
    st.divider()
    st.caption(t("submit_help"))
    _form(store, unit)
