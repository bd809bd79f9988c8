"""The store import: read, compare each unit with its stored previous month, and write only when there are no errors."""
from __future__ import annotations

from pathlib import Path

import polars as pl

from data.ingest.build import name_key, read_ledger
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
    """Read, validate, compare and write: an analyst's import publishes (rows grouped by 县区, or all as the named
    `unit`); a reporter's (`reporter_unit`) becomes that unit's submission awaiting review."""
    res = read_ledger(path_or_bytes, filename=filename, sheet=sheet, month=month, mappings=load_mappings(store))
    if res.frame is not None and res.made_codes:
        _match_codes(res, store, unit or reporter_unit)
    errors, warnings = list(res.errors), list(res.warnings)
    rows = res.frame.height if res.frame is not None else len(res.source_rows)
    if res.frame is not None and reporter_unit:
        if _is_county(store, reporter_unit, res.frame):
            errors.extend(_foreign_rows(res, reporter_unit))
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


def _match_codes(res: ImportResult, store: Store, unit: str | None) -> None:
    """A ledger without 项目编码: each project takes the code it had in its unit's last published month, matched
    by normalised name; a new name keeps the code made for it, and is listed as a new project."""
    frame = res.frame
    keys = pl.DataFrame({"county": frame.get_column("county"),
                         "key": [name_key(n) for n in frame.get_column("project_name").to_list()]})
    earlier = [m for m in store.months() if m <= res.month]
    known: dict[tuple, str] = {}
    where: dict[str, str] = {}
    wanted = set(frame.get_column("county")) if unit is None else {unit}
    for m in reversed(earlier):
        snap = store.read(m)
        owner = unit_column(snap, store.units(m))
        for u in list(wanted):
            part = snap.filter(owner == u)
            if part.height:
                where[u] = m
                wanted.discard(u)
                for county, name, pid in part.select("county", "project_name", "project_id").iter_rows():
                    known.setdefault((county, name_key(name)), pid)
        if not wanted:
            break
    codes = [known.get(k, made) for k, made in zip(keys.iter_rows(), frame.get_column("project_id"))]
    new = [(r, n) for r, n, k in zip(res.source_rows, frame.get_column("project_name"), keys.iter_rows()) if k not in known]
    res.frame = frame.with_columns(pl.Series("project_id", codes, dtype=pl.String))
    basis = "、".join(f"{u} {m}" for u, m in where.items()) or "库中没有这些单位此前的数据"
    text = (f"文件没有“项目编码”列：按项目名称与已发布的数据（{basis}）对应，{len(codes) - len(new)} 个项目沿用原编码，"
            f"{len(new)} 个为新项目（已按县区和名称生成编码）")
    if new:
        text += "：" + "、".join(f"第 {r} 行“{n}”" for r, n in new[:20]) + ("等" if len(new) > 20 else "")
    res.warnings.append(Problem("按名称对应编码", ZH["project_id"], None, "", text + "。有国家统一的 24 位项目代码时，请填入“项目编码”列。"))


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
                                          source_sha256=res.sha256, user=user)
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
