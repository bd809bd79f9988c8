"""Verify the store's months and temp files against the audit log, and repair damaged months from history."""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from data.files import TMP_SUFFIX, atomic_write_bytes, fsync_dir, make_dirs
from data.months import is_month_key, parse_month
from data.schema import is_snapshot_schema
from data.store import Store, history_stamp
from data.submissions import SNAPSHOT_ACTIONS


@dataclass
class CheckReport:
    """What `python -m data check` found and, with --repair, did: problems make the exit code 1."""

    root: Path
    checked: list[str] = field(default_factory=list)       # months verified
    problems: list[str] = field(default_factory=list)      # each a Chinese sentence
    warnings: list[str] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)
    unrepaired: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class _MonthFinding:
    month: str
    path: Path | None
    problem: str


def _sha_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def intact_problem(path: Path, month: str) -> str | None:
    """Why a snapshot file is not a readable canonical snapshot of `month`, or None when it is."""
    try:
        df = pl.read_parquet(path)
    except (Exception, pl.exceptions.PanicException) as e:  # truncated, overwritten, not parquet (polars may panic)
        return f"文件无法读取（{type(e).__name__}），可能已截断或损坏"
    if not is_snapshot_schema(df.schema):
        got = ", ".join(f"{k}:{v}" for k, v in list(df.schema.items())[:5])
        return f"列结构不是标准快照结构（{got}…）"
    months = df.get_column("snapshot_month").unique().to_list()
    if months != [parse_month(month)]:
        return f"文件中的报送月份（{', '.join(str(m) for m in months) or '无'}）与文件名 {month} 不一致"
    return None


def _last_records(audit: list[dict]) -> dict[str, dict]:
    last: dict[str, dict] = {}
    for rec in audit:
        if rec.get("action") in (*SNAPSHOT_ACTIONS, "delete") and rec.get("month"):
            last[rec["month"]] = rec
    return last


def _check_months(store: Store, audit: list[dict], report: CheckReport) -> list[_MonthFinding]:
    last = _last_records(audit)
    findings: list[_MonthFinding] = []
    present = store.months()
    if store.snap_dir.is_dir():
        for p in sorted(store.snap_dir.iterdir()):
            if p.is_file() and not p.name.endswith(TMP_SUFFIX) and p.stem not in present:
                report.warnings.append(f"snapshots/ 中有无关文件“{p.name}”（不会被读取）。")
    for m in present:
        path = store.path_for(m)
        report.checked.append(m)
        why = intact_problem(path, m)
        rec = last.get(m)
        if why:
            findings.append(_MonthFinding(m, path, f"{m}：{why}。"))
            continue
        if rec is None:
            findings.append(_MonthFinding(m, path, f"{m}：文件完好，但操作记录中没有它的导入记录（可能是导入中途崩溃或被人手工放入）。"))
        elif rec.get("action") == "delete":
            findings.append(_MonthFinding(m, path, f"{m}：操作记录显示已删除，但文件仍在。"))
        elif not rec.get("stored_sha256"):
            report.warnings.append(f"{m}：最近的操作记录没有存储校验值，无法核对内容。")
        elif _sha_file(path) != rec["stored_sha256"]:
            findings.append(_MonthFinding(m, path, (
                f"{m}：文件内容与最近一次操作记录（{rec.get('time', '')} {rec.get('action', '')}）的校验值不一致，"
                "可能在写入后被改动，或写入中途崩溃。")))
    for m, rec in sorted(last.items()):
        if rec.get("action") != "delete" and m not in present and is_month_key(m):
            findings.append(_MonthFinding(m, None, f"{m}：操作记录中有该月数据，但文件不见了。"))
    return findings


def _stale_temps(store: Store) -> list[Path]:
    out = []
    pending = [d for d in store.pending_dir.iterdir() if d.is_dir()] if store.pending_dir.is_dir() else []
    for d in (store.snap_dir, store.history_dir, store.root, *pending):
        if d.is_dir():
            out.extend(p for p in d.iterdir() if p.is_file() and p.name.startswith(".") and p.name.endswith(TMP_SUFFIX))
    return sorted(out)


def _restore_candidate(store: Store, month: str, expected_sha: str | None) -> tuple[Path, str] | None:
    """The newest intact history version with the content the audit log last recorded, else the newest intact one."""
    intact = [(p, _sha_file(p)) for p in reversed(store.history(month)) if intact_problem(p, month) is None]
    for p, sha in intact:
        if expected_sha and sha == expected_sha:
            return p, sha
    return intact[0] if intact else None


def check_store(store: Store, *, repair: bool = False, user: str = "") -> CheckReport:
    """Verify every stored month (readable, canonical schema, sha256 against its last audit record) and stale
    temp files; with repair, restore damaged months from their newest intact history version (audited as
    'restore') and remove stale temp files. Runs under the store lock, so no writer is mid-way."""
    report = CheckReport(store.root)
    if not store.root.is_dir():
        report.problems.append(f"数据库目录“{store.root}”不存在。")
        return report
    # A store no writer ever touched has no .lock; checking it (e.g. the shipped demo) must not create one.
    guard = store.lock() if repair or store.lock_path.exists() else contextlib.nullcontext()
    with guard:
        torn = 0
        if store.audit_path.exists():
            for line in store.audit_path.read_text(encoding="utf-8", errors="replace").splitlines():
                try:
                    json.loads(line)
                except json.JSONDecodeError:
                    torn += 1
        if torn:
            report.warnings.append(f"操作记录中有 {torn} 行不完整（写入时崩溃留下的），读取时已忽略；记录只追加，不改写。")
        audit = store.audit()
        findings = _check_months(store, audit, report)
        temps = _stale_temps(store)
        for f in findings:
            report.problems.append(f.problem)
        for t in temps:
            report.problems.append(f"残留的临时文件“{t.relative_to(store.root)}”（写入中途中断留下的，读取时不会用到）。")
        if not repair:
            return report
        for t in temps:
            with contextlib.suppress(FileNotFoundError):
                t.unlink()
            report.repaired.append(f"已删除临时文件“{t.relative_to(store.root)}”。")
        last = _last_records(audit)
        for f in findings:
            _repair_month(store, f, last.get(f.month), report, user)
    after = check_store(store, repair=False)
    report.problems = after.problems
    report.warnings = after.warnings
    return report


def _repair_month(store: Store, f: _MonthFinding, rec: dict | None, report: CheckReport, user: str) -> None:
    m = f.month
    target = store.path_for(m)
    stamp = history_stamp()
    deleted = rec is not None and rec.get("action") == "delete"
    expected = rec.get("stored_sha256") if rec and not deleted else None
    pick = None if deleted else _restore_candidate(store, m, expected)
    if target.exists():  # keep the damaged or unrecorded file, out of the readers' way
        make_dirs(store.history_dir)
        os.replace(target, store.history_dir / f"{m}.{stamp}.parquet.damaged")
        fsync_dir(store.snap_dir)
        fsync_dir(store.history_dir)
    if pick is None:
        if deleted:
            report.repaired.append(f"{m}：已删除月份残留的文件已移入历史（.damaged）。")
            return
        note = ("文件损坏或未登记，且没有完好的历史版本，已移入历史（.damaged）" if f.path is not None
                else "文件缺失，且没有完好的历史版本")
        store.append_audit("delete", user=user, month=m, source="", sha256="", rows=0, note=f"check --repair：{note}")
        report.unrepaired.append(f"{m}：{note}，已从库中除名：请重新导入该月台账。")
        return
    path, sha = pick
    data = path.read_bytes()
    atomic_write_bytes(target, data)
    rows = pl.scan_parquet(target).select(pl.len()).collect().item()
    store.append_audit("restore", user=user, month=m, source=f"history/{path.name}", sha256="", stored_sha256=sha,
                       rows=rows)
    same = "（与最近一次操作记录一致）" if sha == expected else "（最近一次记录的版本已无完好副本，恢复为最新的完好版本）"
    report.repaired.append(f"{m}：已从历史版本 {path.name} 恢复{same}。")
