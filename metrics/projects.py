"""A project's rows: the month's selected projects with their lights, one project's history across the months, what
changed in it, its procedures, and the search a project table offers."""
from __future__ import annotations

import datetime as dt

import polars as pl

from data.months import to_month
from data.schema import FULL_SCHEMA, PROC_COLUMNS
from metrics.dataset import Dataset
from metrics.filters import Filters
from metrics.rowsets import MONTH, prepare_rows
from metrics.watchlists import DERIVED, PROC_ZH, selected_rows

C = pl.col
CHANGE_FIELDS = ("build_type", "status", "leader")  # what a project's history lists when it changes
# What a project's row adds to the ledger's columns: its completion rate, light, the light's rules, the problem's months.
ROW_EXTRAS = ("completion_rate", "light", "light_reason", "problem_months")


def projects(ds: Dataset, month: dt.date | str, filters: Filters = Filters()) -> pl.DataFrame:
    """The month's selected projects: every ledger column, its completion rate, its light (红/黄/绿), which rules lit
    it, and for how many months its problem has been reported."""
    exprs = [C(c) for c in FULL_SCHEMA] + [DERIVED[c].alias(c) for c in ROW_EXTRAS]  # the text columns too
    return selected_rows(ds, to_month(month), filters, exprs).select(exprs).collect()


def project_history(ds: Dataset, project_id: str) -> pl.DataFrame:
    """Every snapshot of one project, oldest first, each month with its completion rate, light, the light's reason
    and how long its problem has lasted (what an analyst reads before a site visit)."""
    # The project's own rows are all its lookbacks and its problem streak read (both go by project_id, and a
    # month it is absent from ends a streak as a month missing from the store does).
    rows = prepare_rows(ds.scan(ds.months).filter(C("project_id") == project_id))
    # 形象进度 month by month is what leaders read: every text column rides along (null where a month has none).
    return rows.select(*(C(c) for c in FULL_SCHEMA), *(DERIVED[c].alias(c) for c in ROW_EXTRAS)).sort(MONTH).collect()


def search_expr(query: str) -> pl.Expr:
    """Case-insensitive literal match on the project name or ID."""
    q = query.strip().lower()
    return (C("project_name").str.to_lowercase().str.contains(q, literal=True)
            | C("project_id").str.to_lowercase().str.contains(q, literal=True))


def changes(history: pl.DataFrame) -> list[dict]:
    """The months where 建设性质, 建设状态 or 包抓领导 differ from the project's previous report (`history`:
    project_history's rows): {month 'YYYY-MM', field, before, after} each."""
    rows, prev = [], None
    for rec in history.iter_rows(named=True):
        if prev is not None:
            rows += [{"month": f"{rec['snapshot_month']:%Y-%m}", "field": f, "before": prev[f], "after": rec[f]}
                     for f in CHANGE_FIELDS if rec[f] != prev[f]]
        prev = rec
    return rows


def procedures(last: dict) -> tuple[pl.DataFrame, list[str]]:
    """The six procedure dates (and the start dates, for reference) of a project's record as timeline rows; the
    names of those not done."""
    rows = [{"节点": PROC_ZH[p], "类别": "前期手续", "日期": last[p]} for p in PROC_COLUMNS if last[p] is not None]
    for col, label in (("planned_start", "计划开工"), ("actual_start", "实际开工")):
        if last[col] is not None:
            rows.append({"节点": label, "类别": "开工", "日期": last[col]})
    missing = [PROC_ZH[p] for p in PROC_COLUMNS if last[p] is None]
    return pl.DataFrame(rows, schema={"节点": pl.String, "类别": pl.String, "日期": pl.Date}), missing
