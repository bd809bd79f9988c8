"""The store import: read, compare with the stored previous month, and write only when there are no errors."""
from __future__ import annotations

from pathlib import Path

import polars as pl

from data.ingest.build import read_ledger
from data.ingest.result import ImportOutcome, ImportResult
from data.problems import Problem
from data.schema import ZH
from data.store import Store, StoreError, previous_month
from data.validate import compare_with_previous


def import_file(path_or_bytes: str | Path | bytes, *, store: Store, filename: str | None = None,
                sheet: str | None = None, month: str | None = None, replace: bool = False, user: str = "",
                dry_run: bool = False) -> ImportOutcome:
    """Read, validate, compare with the stored previous month, and write only when there are no errors."""
    res = read_ledger(path_or_bytes, filename=filename, sheet=sheet, month=month)
    errors, warnings = list(res.errors), list(res.warnings)
    rows = res.frame.height if res.frame is not None else len(res.source_rows)
    if res.frame is not None and res.month:
        warnings.extend(_against_previous(res, store))
        _against_stored(res.month, store, replace, dry_run, errors, warnings)
    outcome = ImportOutcome(ok=not errors, month=res.month, rows=rows, errors=errors, warnings=warnings, result=res)
    if not errors and not dry_run:
        _write(outcome, store, replace, user)
    return outcome


def _against_previous(res: ImportResult, store: Store) -> list[Problem]:
    """Warnings against the stored previous month (none when it is not stored or cannot be read)."""
    prev_key = previous_month(res.month)
    try:
        previous = store.read(prev_key) if prev_key in store.months() else None
    except (Exception, pl.exceptions.PanicException):  # an unreadable stored month must not block this import
        return [Problem("上月数据无法读取", message=f"库中 {prev_key} 的数据无法读取，已跳过与上月的比对。")]
    return compare_with_previous(res.frame, previous, res.source_rows)


def _against_stored(month: str, store: Store, replace: bool, dry_run: bool, errors: list[Problem],
                    warnings: list[Problem]) -> None:
    """A month already stored: refused unless replacing (a dry run only warns)."""
    if month not in store.months():
        return
    if dry_run and not replace:
        warnings.append(Problem("月份已有数据", ZH["snapshot_month"], None, month,
                                f"库中已有 {month} 的数据：正式导入时需选择“替换”（命令行加 --replace）。"))
    elif replace:
        warnings.append(Problem("将替换已有数据", ZH["snapshot_month"], None, month,
                                f"库中已有 {month} 的数据，将被替换（旧版本保存在历史记录中）。"))
    else:
        errors.append(Problem("月份已有数据", ZH["snapshot_month"], None, month, (
            f"库中已有 {month} 的数据，未覆盖：如需替换，请勾选“替换”（命令行加 --replace）。")))


def _write(outcome: ImportOutcome, store: Store, replace: bool, user: str) -> None:
    """Write the frame; a refusal or a failed write becomes an error of the outcome (the store is unchanged)."""
    res = outcome.result
    try:
        outcome.record = store.write(res.frame, source=res.filename or "", source_sha256=res.sha256,
                                     replace=replace, user=user)
    except StoreError as e:
        outcome.errors.append(Problem("写入被拒绝", ZH["snapshot_month"], None, res.month or "", str(e)))
        outcome.ok = False
    except OSError as e:
        outcome.errors.append(Problem("写入失败", "", None, "", (
            f"写入数据库失败（{e.strerror or e}）：库中原有数据未改变。请检查磁盘空间和目录权限后重试。")))
        outcome.ok = False
