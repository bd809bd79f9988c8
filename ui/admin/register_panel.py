"""数据管理 · 年度名单 (analysts): import the year's project list — checked first, per unit, 替换 for 增补/调出 — and the
year's list grouped by unit with each unit's versions (data.register; every import audit-logged there)."""
from __future__ import annotations

import datetime as dt
import hashlib

import polars as pl
import streamlit as st

from data import register
from data.schema import ALL_COLUMNS, ZH
from data.store import Store
from data.text import DASH, shown_time
from ui import auth
from ui.admin.actions import FLASH, writable
from ui.admin.importing import UPLOAD_TYPES
from ui.admin.upload import problem_tables
from ui.i18n import t
from ui.widgets import md_escape, show_table

UPLOADER = "reg_upload"     # + a counter: a new key empties the uploader after an import
CHECKS = "_reg_checks"     # {(file sha, year, unit, replace, store key): outcome} of this session's dry runs
FAILED = "_reg_failed"     # the report of a refused confirm
NEEDS_REPLACE = "名单已有数据"
VERSION_HEADERS = ("版本", "单位", "导入时间", "操作", "项目数", "增补", "调出", "属性有变化", "来源文件", "经办人")


def _uploader() -> str:
    return f"{UPLOADER}_{st.session_state.get('_reg_upload_n', 0)}"


def _opts() -> dict:
    unit = (st.session_state.get("reg_unit") or "").strip() or None
    return {"year": int(st.session_state.get("reg_year") or dt.date.today().year), "unit": unit,
            "replace": bool(st.session_state.get("reg_replace"))}


def _check(store: Store, upload, opts: dict) -> register.RegisterOutcome:
    """The dry run of the upload with the form's options (kept for the session per file, options and audit log)."""
    content = upload.getvalue()
    key = (hashlib.sha256(content).hexdigest(), upload.name, opts["year"], opts["unit"], opts["replace"],
           len(store.audit()))
    checks = st.session_state.setdefault(CHECKS, {})
    if key not in checks:
        checks.clear()
        checks[key] = register.import_register(content, store=store, year=opts["year"], filename=upload.name,
                                               unit=opts["unit"], replace=opts["replace"], dry_run=True)
    return checks[key]


def _confirm() -> None:
    """on_click of 确认导入名单: imported for real (checked again under the lock); a refusal is shown, nothing written."""
    if not auth.can_write():
        return
    upload = st.session_state.get(_uploader())
    if upload is None:
        return
    opts = _opts()
    out = register.import_register(upload.getvalue(), store=Store(), year=opts["year"], filename=upload.name,
                                   unit=opts["unit"], replace=opts["replace"], user=auth.audit_user(
                                       st.session_state.get("admin_user") or ""))
    if not out.ok:
        st.session_state[FAILED] = out.report(limit=50)
        return
    st.session_state.pop(FAILED, None)
    st.session_state["reg_replace"] = False   # 替换 is asked for each time, never left on for the next file
    st.session_state["_reg_upload_n"] = st.session_state.get("_reg_upload_n", 0) + 1
    what = "；".join(f"{u}：{text}" for u, text in out.changes.items())
    st.session_state[FLASH] = t("reg_imported").format(y=opts["year"], what=what)


def _default_year(store: Store) -> int:
    """The year a list is most likely imported for: the store's latest month's, else this year."""
    months = store.months()
    return int(months[-1][:4]) if months else dt.date.today().year


def _import_form(store: Store) -> None:
    st.caption(t("reg_help"))
    upload = st.file_uploader(t("reg_upload"), type=list(UPLOAD_TYPES), key=_uploader())
    c1, c2 = st.columns(2)
    st.session_state.setdefault("reg_year", _default_year(store))
    c1.number_input(t("reg_year"), min_value=2000, max_value=2100, step=1, key="reg_year")
    c2.text_input(t("reg_unit"), key="reg_unit", help=t("reg_unit_help"), placeholder="例如 甲县")
    st.checkbox(t("reg_replace"), key="reg_replace", help=t("reg_replace_help"))
    if upload is None:
        return
    out = _check(store, upload, _opts())
    needs_replace = any(p.rule == NEEDS_REPLACE for p in out.warnings)
    if not out.ok:
        st.error(t("reg_refused"))
    elif needs_replace:
        st.warning(t("reg_needs_replace"))
    else:
        st.success(t("reg_passed"))
    for unit, text in out.changes.items():
        st.markdown(f"- **{md_escape(unit)}**：{md_escape(text)}")
    failed = st.session_state.get(FAILED)
    if failed:
        st.error(t("reg_failed"))
        st.text(failed)
    st.button(t("reg_confirm"), type="primary", key="reg_confirm", disabled=not out.ok or needs_replace,
              on_click=_confirm, icon=":material/playlist_add_check:")
    problem_tables(out, upload.name.rsplit(".", 1)[0], key="reg")


def versions_frame(store: Store, year: int) -> pl.DataFrame:
    """Every import of the year's list, unit by unit, newest first: version, when, 首次导入/替换, rows, 增补, 调出."""
    rows, seen = [], {}
    for rec in register.history(store, year):
        for unit, info in (rec.get("units") or {}).items():
            seen[unit] = seen.get(unit, 0) + 1
            rows.append({"版本": seen[unit], "单位": unit, "导入时间": shown_time(rec.get("time")),
                         "操作": "替换" if info.get("replaced") else "首次导入", "项目数": int(info.get("rows", 0)),
                         "增补": len(info.get("added", [])) if info.get("replaced") else 0,
                         "调出": len(info.get("removed", [])), "属性有变化": len(info.get("changed", [])),
                         "来源文件": rec.get("source") or "", "经办人": rec.get("user") or ""})
    schema = {h: (pl.Int64 if h in ("版本", "项目数", "增补", "调出", "属性有变化") else pl.String) for h in VERSION_HEADERS}
    return pl.DataFrame(rows[::-1], schema=schema, orient="row") if rows else pl.DataFrame(schema=schema)


def _list(store: Store) -> None:
    years = register.years(store)
    default = years[-1] if years else _default_year(store)
    chosen = st.selectbox(t("reg_list_year"), sorted({*years, default}, reverse=True), key="reg_list_year")
    parts = register.read(store, chosen)
    if not parts:
        st.info(t("reg_none").format(y=chosen))
        return
    st.markdown(f"**{t('reg_summary').format(y=chosen, u=len(parts), n=sum(f.height for f in parts.values()))}**")
    versions = versions_frame(store, chosen)
    shown = [c.name for c in ALL_COLUMNS if c.attribute]
    for unit, frame in parts.items():
        mine = versions.filter(pl.col("单位") == unit)
        head = mine.row(0, named=True) if mine.height else {}
        label = t("reg_unit_head").format(unit=unit, n=frame.height, v=head.get("版本", 1),
                                          at=head.get("导入时间") or DASH, who=head.get("经办人") or DASH)
        with st.expander(label):
            cols = [c for c in shown if c in frame.columns]
            show_table(frame.select(cols), f"{chosen}年度名单_{unit}", ZH, key=f"reg_part|{unit}", height=300)
    st.markdown(f"##### {t('reg_versions')}")
    show_table(versions, f"{chosen}年度名单_版本记录", key="reg_versions")


def register_tab(store: Store) -> None:
    """The analyst's 年度名单: import (checked first, refusals in Chinese) and the year's list with its versions."""
    if not writable(store, "no_write", "demo_store_refused"):
        return
    _import_form(store)
    st.divider()
    _list(store)
