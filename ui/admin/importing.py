"""What the 数据管理 page shows about an import: problem tables, the change preview, stored months, audit log, sample."""
from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path

import polars as pl
import streamlit as st

from data.accounts.roles import role_zh
from data.ingest import ImportOutcome, previous_rows
from data.months import previous_month
from data.problems import Problem
from data.store import DEMO_DIR, Store
from data.submissions import split_units
from data.text import shown_time
from data.validate import RULE_BY_ID

PROBLEM_HEADERS = ("规则", "列", "行", "值", "说明")
ACTIONS = {"import": "导入", "replace": "替换", "delete": "删除", "restore": "恢复", "submit": "提交审核",
           "publish": "审核通过", "return": "退回", "user-add": "添加账号", "user-remove": "删除账号",
           "user-passwd": "修改口令", "settings": "报送设置", "mapping-add": "记住对应", "mapping-remove": "删除对应",
           "archive": "移出数据（回到示范市）", "bulletin_template": "更换通报模板", "push-brief": "推送简报",
           "push-remind": "推送催报提醒", "push-target-add": "添加推送对象", "push-target-remove": "删除推送对象",
           "push-settings": "推送设置", "register": "导入年度名单"}
# The month-over-month warning rules (data.validate.CHANGES) counted in the change preview.
CHANGE_RULES = {k: RULE_BY_ID[k].name for k in ("new_projects", "missing_projects", "changed_totals", "ytd_fell")}
UPLOAD_TYPES = ("xlsx", "xls", "csv", "parquet")


def problems_frame(problems: Sequence[Problem]) -> pl.DataFrame:
    """One row per problem with the Chinese headers 规则/列/行/值/说明 (行 is the source row, empty if none)."""
    return pl.DataFrame(
        {"规则": [p.rule for p in problems], "列": [p.column for p in problems], "行": [p.row for p in problems],
         "值": [p.value for p in problems], "说明": [p.message for p in problems]},
        schema={"规则": pl.String, "列": pl.String, "行": pl.Int64, "值": pl.String, "说明": pl.String})


def is_demo_store(store: Store) -> bool:
    """True when the store would write into the embedded demo city (never allowed from the page)."""
    return store.root.resolve() == DEMO_DIR.resolve()


def preview(outcome: ImportOutcome, store: Store, unit: str | None = None) -> dict:
    """The change against the stored previous month of the file's units (all as `unit` when named): its key and
    those units' rows then (None if not stored), this file's rows, and the counts of new, missing, re-based and
    falling projects (from the dry run's warnings)."""
    prev = previous_month(outcome.month) if outcome.month else None
    prev_rows = None
    frame = outcome.result.frame if outcome.result is not None else None
    if prev and frame is not None and prev in store.months():
        before = previous_rows(store, outcome.month, split_units(frame, unit))
        prev_rows = before.height if before is not None else None
    counts = {k: sum(1 for w in outcome.warnings if w.rule == rule) for k, rule in CHANGE_RULES.items()}
    return {"previous": prev, "previous_rows": prev_rows, "rows": outcome.rows, **counts}


def months_frame(store: Store) -> pl.DataFrame:
    """Stored months (Store.info) for the table: 报送月份, 行数, 来源文件, 导入时间, 经办人, 存储校验."""
    infos = store.info()
    return pl.DataFrame(
        {"报送月份": [i.month for i in infos], "行数": [i.rows for i in infos], "来源文件": [i.source for i in infos],
         "导入时间": [shown_time(i.imported_at) for i in infos], "经办人": [i.user for i in infos],
         "文件SHA256": [i.sha256[:16] for i in infos]},
        schema={"报送月份": pl.String, "行数": pl.Int64, "来源文件": pl.String, "导入时间": pl.String,
                "经办人": pl.String, "文件SHA256": pl.String})


def _audit_units(rec: dict) -> str:
    units = rec.get("units")
    if isinstance(units, dict) and units:
        return "、".join(units)
    return str(rec.get("unit") or "")


def _audit_note(rec: dict) -> str:
    if rec.get("reason"):
        return f"退回原因：{rec['reason']}"
    if rec.get("account"):
        role = role_zh(rec.get("role", ""))
        return f"账号：{rec['account']}" + (f"（{role}{'，' + rec['unit'] if rec.get('unit') else ''}）" if role else "")
    if rec.get("removed_units"):
        return f"移除单位：{'、'.join(rec['removed_units'])}"
    return str(rec.get("note") or "")


def action_name(action: str) -> str:
    """An audit action in Chinese (督办 steps and map changes by their own names), never the log's raw key."""
    if action.startswith("duban-"):
        from data.duban import STEP_ZH

        return f"督办：{STEP_ZH.get(action[6:], action[6:])}"
    if action.startswith("geo-"):
        from data.geo.kept import AUDIT_ACTIONS

        return f"地图：{AUDIT_ACTIONS.get(action, action)}"
    return ACTIONS.get(action, action)


def audit_frame(store: Store) -> pl.DataFrame:
    """The audit log, newest first, with Chinese headers and action names."""
    recs = list(reversed(store.audit()))
    return pl.DataFrame(
        {"时间": [shown_time(r.get("time")) for r in recs],
         "操作": [action_name(str(r.get("action", ""))) for r in recs],
         "报送月份": [r.get("month", "") for r in recs],
         "报送单位": [_audit_units(r) if r.get("action") != "user-add" else "" for r in recs],
         "行数": [r.get("rows") for r in recs],
         "来源文件": [r.get("source", "") for r in recs], "经办人": [r.get("user", "") for r in recs],
         "说明": [_audit_note(r) for r in recs],
         "文件SHA256": [str(r.get("sha256", ""))[:16] for r in recs]},
        schema={"时间": pl.String, "操作": pl.String, "报送月份": pl.String, "报送单位": pl.String, "行数": pl.Int64,
                "来源文件": pl.String, "经办人": pl.String, "说明": pl.String, "文件SHA256": pl.String})


@st.cache_resource(show_spinner=False, max_entries=2)
def _sample(content: str) -> pl.DataFrame | None:
    demo = Store(DEMO_DIR)
    months = demo.months()
    return demo.read(months[-1]) if months else None


def sample_source() -> pl.DataFrame | None:
    """The frame a sample ledger is made from: the demo city's latest month (the embedded store), read once per
    content of the demo store rather than on every view of the data page."""
    return _sample(Store(DEMO_DIR).content_key())


def sample_file_name(frame: pl.DataFrame) -> str:
    m = frame.get_column("snapshot_month")[0]
    return f"示范市_{m.year}年{m.month}月_重点项目台账（示例）.xlsx"


def sample_ledger_bytes(frame: pl.DataFrame) -> bytes:
    """A realistic Excel ledger of the frame (data.demo.sample_ledger.write_sample_ledger)."""
    from data.demo.sample_ledger import write_sample_ledger  # openpyxl loads only when a sample is asked for

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "sample.xlsx"
        write_sample_ledger(frame, path)
        return path.read_bytes()
