"""The store import: read, compare each unit with its stored previous month, and write only when there are no errors."""
from __future__ import annotations

from pathlib import Path

import polars as pl

from data.ingest.build import Context, read_ledger
from data.ingest.result import ImportOutcome, ImportResult
from data.mappings import load as load_mappings
from data.problems import Problem
from data.schema import ZH
from data.months import previous_month
from data.store import Plan, Store, StoreError
from data.submissions import unit_column
from data.validate import compare_with_previous


def import_file(path_or_bytes: str | Path | bytes, *, store: Store, filename: str | None = None,
                sheet: str | None = None, month: str | None = None, replace: bool = False, user: str = "",
                dry_run: bool = False, unit: str | None = None, reporter_unit: str | None = None) -> ImportOutcome:
    """Read, complete, validate, compare and write: an analyst's import publishes (rows grouped by 县区, or all as
    the named `unit` — given, or named by the file's 填报单位 line); a reporter's (`reporter_unit`) becomes that
    unit's submission awaiting review."""
    from data.register import StoreBasis  # the register's store side reads data.ingest too

    ctx = Context(load_mappings(store), unit or reporter_unit, StoreBasis(store))
    res = read_ledger(path_or_bytes, filename=filename, sheet=sheet, month=month, context=ctx)
    return finish(res, store=store, replace=replace, user=user, dry_run=dry_run, reporter_unit=reporter_unit)


def finish(res: ImportResult, *, store: Store, replace: bool = False, user: str = "", dry_run: bool = False,
           reporter_unit: str | None = None) -> ImportOutcome:
    """What follows a read (a file's or the online form's): the reporter's own rows, the units already published
    this month, the warnings against last month, and — when all is well and it is not a dry run — the write."""
    unit = res.unit  # a named unit's (a county's file is grouped by its 县区)
    errors, warnings = list(res.errors), list(res.warnings)
    rows = res.frame.height if res.frame is not None else len(res.source_rows)
    if res.frame is not None and reporter_unit:
        if _is_county(store, reporter_unit, res.frame):
            errors.extend(_foreign_rows(res, reporter_unit))
            unit = None
        else:
            unit = reporter_unit
    if res.frame is not None and res.month and not errors:
        plan = _plan(res, store, unit, warnings)
        if plan is not None:
            errors.extend(Problem("项目重复报送", ZH["project_id"], None, "", msg) for msg in plan.clashes)
            _against_stored(plan, replace, dry_run, bool(reporter_unit), errors, warnings)
    outcome = ImportOutcome(ok=not errors, month=res.month, rows=rows, errors=errors, warnings=warnings, result=res)
    if not errors and not dry_run:
        _write(outcome, store, replace, user, unit, reporter_unit)
    return outcome


def _is_county(store: Store, unit: str, frame: pl.DataFrame) -> bool:
    """A reporter's unit is a county (its rows are its 县区's) when it is a 县区 of this file or of the latest
    stored month; otherwise it is a named unit (a department) whose whole file is its submission."""
    if unit in set(frame.get_column("county")):
        return True
    months = store.months()
    st = store.units(months[-1]).get(unit) if months else None
    return st is not None and st.kind == "county"


def _foreign_rows(res: ImportResult, unit: str) -> list[Problem]:
    """A county reporter's rows of another county, each named."""
    rows = list(res.source_rows) or list(range(1, res.frame.height + 1))
    return [Problem("不属于本单位", ZH["county"], rows[i], county,
                    f"“{name}”属于“{county}”，您只能报送“{unit}”的项目：请删除该行，或由{county}报送。")
            for i, (county, name) in enumerate(res.frame.select("county", "project_name").iter_rows())
            if county != unit]


def _plan(res: ImportResult, store: Store, unit: str | None, warnings: list[Problem]) -> Plan | None:
    """What the write would do, plus warnings against last month's rows of the same units (other units'
    projects are not 'missing'); None when the stored months cannot be read."""
    prev_key = previous_month(res.month)
    try:
        plan = store.plan(res.frame, unit=unit)
        previous = previous_rows(store, res.month, plan.units)
    except (Exception, pl.exceptions.PanicException):  # an unreadable stored month must not block this import
        warnings.append(Problem("上月数据无法读取", message=f"库中 {prev_key} 或本月的数据无法读取，已跳过与已有数据的比对。"))
        return None
    warnings.extend(compare_with_previous(res.frame, previous, res.source_rows))
    return plan


def previous_rows(store: Store, month: str, units) -> pl.DataFrame | None:
    """Last month's published rows of these units (None when last month is not stored)."""
    prev_key = previous_month(month)
    if prev_key not in store.months():
        return None
    previous = store.read(prev_key)
    return previous.filter(unit_column(previous, store.units(prev_key)).is_in(list(units)))


def _against_stored(plan: Plan, replace: bool, dry_run: bool, review: bool, errors: list[Problem],
                    warnings: list[Problem]) -> None:
    """Units already published this month: refused unless replacing (a dry run only warns); each named with
    what replacing it changes."""
    if not plan.changes:
        return
    names = "、".join(plan.changes)
    what = "；".join(f"{u}：{text}" for u, text in plan.changes.items())
    month = plan.month
    if review:
        warnings.append(Problem("将替换已有数据", ZH["snapshot_month"], None, month,
                                f"{month} 中{names}已有已发布的数据：审核通过后将替换（{what}）。"))
    elif replace:
        warnings.append(Problem("将替换已有数据", ZH["snapshot_month"], None, month,
                                f"库中 {month} 中{names}已有数据，将被替换（旧版本保存在历史记录中），其他单位不变：{what}。"))
    elif dry_run:
        warnings.append(Problem("月份已有数据", ZH["snapshot_month"], None, month,
                                f"库中 {month} 中{names}已有数据：正式导入时需选择“替换”（命令行加 --replace）：{what}。"))
    else:
        errors.append(Problem("月份已有数据", ZH["snapshot_month"], None, month, (
            f"库中 {month} 中{names}已有数据，未覆盖：如需替换这些单位的数据，请勾选“替换”（命令行加 --replace）；"
            f"其他单位的数据不受影响。（{what}）")))


def _write(outcome: ImportOutcome, store: Store, replace: bool, user: str, unit: str | None,
           reporter_unit: str | None) -> None:
    """Publish or submit the frame; a refusal or a failed write becomes an error of the outcome (store unchanged)."""
    res = outcome.result
    try:
        if reporter_unit:
            outcome.record = store.submit(res.frame, unit=reporter_unit, source=res.filename or "",
                                          source_sha256=res.sha256, user=user,
                                          completions=[c.line for c in res.completions])
        else:
            outcome.record = store.write(res.frame, source=res.filename or "", source_sha256=res.sha256,
                                         replace=replace, user=user, unit=unit)
    except StoreError as e:
        outcome.errors.append(Problem("写入被拒绝", ZH["snapshot_month"], None, res.month or "", str(e)))
        outcome.ok = False
    except OSError as e:
        outcome.errors.append(Problem("写入失败", "", None, "", (
            f"写入数据库失败（{e.strerror or e}）：库中原有数据未改变。请检查磁盘空间和目录权限后重试。")))
        outcome.ok = False
