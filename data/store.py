"""The snapshot store: one canonical parquet file per month, atomic locked writes, history, audit log."""
from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from data.files import (FAULT_VAR, atomic_write_bytes, fault, file_stamp, fsync_dir, make_dirs, read_parquet,
                        safe_source_name, sha256_bytes)
from data.months import is_month_key, month_key, parse_month
from data.schema import FULL_SCHEMA, snapshot_frame
from data.submissions import (SNAPSHOT_ACTIONS, MonthReport, Settings, UnitState, began, change_summary, conflicts,
                              month_report, published_rows, replay, split_units, unit_column)

ENV_VAR = "KPM_STORE"
DEFAULT_DIR = Path(__file__).resolve().parent / "store"
DEMO_DIR = Path(__file__).resolve().parent / "demo"
LOCK_TIMEOUT_VAR = "KPM_LOCK_TIMEOUT"
LOCK_TIMEOUT_S = 30.0


class StoreError(Exception):
    """A refused store operation, with a message in Chinese."""


def now() -> str:
    """The time an audit record carries: local, to the second ('2025-06-14T09:30:00')."""
    return dt.datetime.now().isoformat(timespec="seconds")


def history_stamp() -> str:
    """The stamp in a kept version's file name: now, to the microsecond, so two versions never share a name."""
    return dt.datetime.now().strftime("%Y%m%dT%H%M%S%f")


def _one_month(df: pl.DataFrame) -> str:
    months = df.get_column("snapshot_month").unique().to_list()
    if len(months) != 1:
        raise StoreError("一个快照只能包含一个报送月份。")
    return month_key(months[0])


def frame_to_parquet_bytes(df: pl.DataFrame) -> bytes:
    import io

    buf = io.BytesIO()
    df.write_parquet(buf, compression="zstd", statistics=True)
    return buf.getvalue()


@dataclass(frozen=True)
class Plan:
    """What a write would do: the month, the file's submissions by unit, replaced units → change, clashes."""

    month: str
    units: dict[str, pl.DataFrame]
    changes: dict[str, str]
    clashes: list[str]


@dataclass(frozen=True)
class MonthInfo:
    """One stored month as `list` shows it."""

    month: str
    rows: int
    source: str
    imported_at: str
    user: str
    sha256: str


class Store:
    """A directory of monthly snapshots: snapshots/YYYY-MM.parquet, history/, audit.jsonl, .lock."""

    def __init__(self, root: str | os.PathLike | None = None):
        self.root = Path(root or os.environ.get(ENV_VAR) or DEFAULT_DIR)
        self.snap_dir = self.root / "snapshots"
        self.history_dir = self.root / "history"
        self.audit_path = self.root / "audit.jsonl"
        self.lock_path = self.root / ".lock"
        self.pending_dir = self.root / "pending"

    # ---- reading ---------------------------------------------------------------
    def path_for(self, month: dt.date | str) -> Path:
        key = month if isinstance(month, str) else month_key(month)
        return self.snap_dir / f"{key}.parquet"

    def months(self) -> list[str]:
        """Stored months, ascending, as 'YYYY-MM'."""
        if not self.snap_dir.is_dir():
            return []
        return sorted(p.stem for p in self.snap_dir.glob("*.parquet") if is_month_key(p.stem))

    def is_empty(self) -> bool:
        return not self.months()

    def read(self, month: dt.date | str) -> pl.DataFrame:
        path = self.path_for(month)
        if not path.exists():
            raise StoreError(f"库中没有 {month if isinstance(month, str) else month_key(month)} 的数据。")
        return read_parquet(path)

    def scan(self) -> pl.LazyFrame:
        """All months as one lazy frame (projection and predicate pushdown reach the files); every text column, null
        in a month that has none."""
        files = [str(self.path_for(m)) for m in self.months()]
        if not files:
            return pl.LazyFrame(schema=FULL_SCHEMA)
        return pl.scan_parquet(files, schema=FULL_SCHEMA, missing_columns="insert")

    def content_key(self) -> str:
        """A cheap key of the store's content (names, sizes, mtimes) for caches; never hashes frames."""
        parts = []
        for m in self.months():
            size, mtime = file_stamp(self.path_for(m)) or (0, 0)
            parts.append(f"{m}:{size}:{mtime}")
        return hashlib.sha256(f"{self.root.resolve()}|{'|'.join(parts)}".encode()).hexdigest()[:16]

    def audit(self) -> list[dict]:
        """Every audit record, oldest first; a torn last line (crash mid-append) is ignored."""
        if not self.audit_path.exists():
            return []
        out = []
        for line in self.audit_path.read_text(encoding="utf-8").splitlines():
            with contextlib.suppress(json.JSONDecodeError):
                out.append(json.loads(line))
        return out

    def info(self) -> list[MonthInfo]:
        """Each stored month with its last successful import record."""
        last: dict[str, dict] = {}
        for rec in self.audit():
            if rec.get("action") in SNAPSHOT_ACTIONS:
                last[rec["month"]] = rec
        out = []
        for m in self.months():
            rec = last.get(m, {})
            rows = rec.get("rows")
            if rows is None:
                rows = pl.scan_parquet(self.path_for(m)).select(pl.len()).collect().item()
            out.append(MonthInfo(m, int(rows), rec.get("source", ""), rec.get("time", ""), rec.get("user", ""),
                                 rec.get("sha256", "")))
        return out

    # ---- writing ---------------------------------------------------------------
    @contextlib.contextmanager
    def lock(self, timeout: float | None = None):
        """An exclusive inter-process lock on the store (fcntl.flock; released if the process dies), waited for
        at most `timeout` seconds ($KPM_LOCK_TIMEOUT, default 30) so a page never hangs on a stuck writer."""
        make_dirs(self.root)
        wait = float(os.environ.get(LOCK_TIMEOUT_VAR, LOCK_TIMEOUT_S)) if timeout is None else timeout
        with open(self.lock_path, "a+") as fh:
            deadline = time.monotonic() + wait
            while True:
                try:
                    fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise StoreError(f"数据库正忙：另一位用户正在写入，{wait:g} 秒内未能完成。库中数据未改变，请稍后重试。")
                    time.sleep(0.05)
            try:
                yield
            finally:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)

    def append_audit(self, action: str, *, at: str | None = None, **fields) -> dict:
        """Append one record to the audit log, stamped with the time (`at`: a time to record instead) — call it
        under the store's lock; returns the record. A torn last line left by a crash is closed with a newline
        first, so this record is never glued onto it and lost."""
        record = {"time": at or now(), "action": action, **fields}
        line = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
        fd = os.open(self.audit_path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            size = os.fstat(fd).st_size
            if size and os.pread(fd, 1, size - 1) != b"\n":
                line = b"\n" + line
            if os.environ.get(FAULT_VAR) == "mid_audit":
                os.write(fd, line[: len(line) // 2])
                os.fsync(fd)
                fault("mid_audit")
            os.write(fd, line)
            os.fsync(fd)
        finally:
            os.close(fd)
        return record

    def units(self, month: str) -> dict[str, UnitState]:
        """Each reporting unit's state in a month (published, pending, returned), from the audit log."""
        counties: list[str] = []
        if self.path_for(month).exists():
            with contextlib.suppress(Exception, pl.exceptions.PanicException):
                counties = pl.scan_parquet(self.path_for(month)).select(pl.col("county").unique(
                    maintain_order=True)).collect().to_series().to_list()
        return replay(self.audit(), month, counties)

    def last_published(self, unit: str, before: str) -> tuple[str, pl.DataFrame] | None:
        """The unit's latest month before `before` with a published submission, and its rows that month."""
        for m in reversed([m for m in self.months() if m < before]):
            states = self.units(m)
            if unit in states and states[unit].published:
                snap = self.read(m)
                return m, snap.filter(unit_column(snap, states) == unit)
        return None

    def settings(self) -> Settings:
        """Deadline day, configured expected units and the month lateness counts from (settings.json)."""
        path = self.root / "settings.json"
        if not path.exists():
            return Settings()
        raw = json.loads(path.read_text(encoding="utf-8"))
        return Settings(int(raw.get("deadline_day", Settings.deadline_day)), tuple(raw.get("expected_units", ())),
                        str(raw.get("late_from") or ""))

    def save_settings(self, settings: Settings, *, user: str = "") -> None:
        """Store the deadline day, expected units and the month lateness counts from atomically; audited."""
        if not 1 <= settings.deadline_day <= 31:
            raise StoreError(f"报送截止日“{settings.deadline_day}”无效：请填 1–31 之间的日子（默认 25）。")
        if settings.late_from and not is_month_key(settings.late_from):
            raise StoreError(f"逾期起算月份“{settings.late_from}”无效：请写成 YYYY-MM，例如 2025-01；"
                             "不设置时，截止日早于本库启用的月份不计逾期。")
        raw = {"deadline_day": settings.deadline_day, "expected_units": list(settings.expected_units),
               **({"late_from": settings.late_from} if settings.late_from else {})}
        data = json.dumps(raw, ensure_ascii=False, indent=1).encode("utf-8")
        with self.lock():
            atomic_write_bytes(self.root / "settings.json", data)
            self.append_audit("settings", user=user, month="", **raw)

    def report(self, month: str) -> MonthReport:
        """The month's 报送情况: expected units (published in the latest stored month before it, plus the
        configured list) and every unit that reported, each with its status."""
        states = self.units(month)
        snapshot = self.read(month) if self.path_for(month).exists() else None
        earlier = [m for m in self.months() if m < month]
        expected: list[str] = []
        if earlier:
            expected = [u for u, st in self.units(earlier[-1]).items() if st.published]
        return month_report(month, states, published_rows(states, snapshot), expected, self.settings(),
                            began(self.audit()))

    def plan(self, df: pl.DataFrame, *, unit: str | None = None) -> Plan:
        """What writing this file would do, before anything is written: its submissions by unit, the published
        units it would replace with what changes, and project_ids another unit already reported."""
        month = _one_month(df)
        new = split_units(df, unit)
        if not self.path_for(month).exists():
            return Plan(month, new, {}, [])
        snap, states = self.read(month), self.units(month)
        owners = unit_column(snap, states)
        changes = {name: change_summary(snap.filter(owners == name), frame) for name, frame in new.items()
                   if name in states and states[name].published}
        stay = ~owners.is_in(list(new))
        return Plan(month, new, changes, conflicts(new, snap.filter(stay), owners.filter(stay)))

    def write(self, df: pl.DataFrame, *, source: str = "", source_sha256: str = "", replace: bool = False,
              user: str = "", unit: str | None = None, action: str | None = None,
              submitted: dict | None = None, at: str | None = None, lock_timeout: float | None = None) -> dict:
        """Publish a file's submissions atomically: its rows grouped by 县区 (or all as the named `unit`) join
        the month's snapshot; a unit already published is replaced only with `replace`, other units' rows are
        never touched; audited with every unit written (`submitted`: per unit, when and by whom it was handed
        in or, for a past month's demo, published; `at`: the time to record)."""
        month = _one_month(df)
        new = split_units(df, unit)
        with self.lock(lock_timeout):
            target = self.path_for(month)
            states = self.units(month)
            kept = self.read(month) if target.exists() else df.clear()
            owners = unit_column(kept, states) if target.exists() else pl.Series("unit", [], pl.String)
            again = [u for u in new if u in states and states[u].published]
            if again and not replace:
                raise StoreError(f"{month} 中{'、'.join(again)}已有数据，未覆盖。如需替换{'该' if len(again) == 1 else '这些'}"
                                 "单位的数据，请选择“替换”（命令行加 --replace）；其他单位的数据不受影响。")
            stay = ~owners.is_in(list(new))
            kept, owners = kept.filter(stay), owners.filter(stay)
            clash = conflicts(new, kept, owners)
            if clash:
                raise StoreError(clash[0] + (f"（另有 {len(clash) - 1} 处同类冲突）" if len(clash) > 1 else ""))
            frames = [kept, df] if kept.height else [df]  # the file's rows keep their order
            # The 32 columns always; a text column only when some row of the month has it (data.schema.snapshot_frame).
            merged = snapshot_frame(pl.concat(frames, how="diagonal_relaxed") if len(frames) > 1 else frames[0])
            data = frame_to_parquet_bytes(merged)
            replaced = target.exists()
            if replaced:
                atomic_write_bytes(self.history_dir / f"{month}.{history_stamp()}.parquet", target.read_bytes())
                fault("after_history")
            atomic_write_bytes(target, data)
            fault("after_replace")
            units = {name: {"kind": "named" if unit else "county", "rows": frame.height,
                            **({"project_ids": frame.get_column("project_id").to_list()} if unit else {}),
                            **(submitted or {}).get(name, {})} for name, frame in new.items()}
            return self.append_audit(action or ("replace" if again else "import"), at=at, user=user,
                                     source=safe_source_name(source), sha256=source_sha256,
                                     stored_sha256=sha256_bytes(data), rows=merged.height, month=month, units=units)

    # ---- review: a reporter's submission waits for an analyst -----------------------------------------
    def submit(self, df: pl.DataFrame, *, unit: str, source: str = "", source_sha256: str = "",
               user: str = "", completions: list[str] | None = None) -> dict:
        """Keep a reporter's validated ledger as the unit's submission 待审核 (not in the snapshot yet); `completions`:
        where the columns the report lacked came from, kept in its record for the review (only when there are some)."""
        month = _one_month(df)
        data = frame_to_parquet_bytes(snapshot_frame(df))
        with self.lock():
            name = f"{month}/{history_stamp()}.parquet"
            atomic_write_bytes(self.pending_dir / name, data)
            return self.append_audit("submit", user=user, source=safe_source_name(source), sha256=source_sha256,
                                     stored_sha256=sha256_bytes(data), rows=df.height, month=month, unit=unit,
                                     file=name, **({"completions": list(completions)} if completions else {}))

    def pending(self, month: str, unit: str) -> tuple[dict, pl.DataFrame]:
        """A unit's submission awaiting review and its rows."""
        st = self.units(month).get(unit)
        if st is None or st.pending is None:
            raise StoreError(f"{month} 没有{unit}待审核的报送。")
        return st.pending, read_parquet(self.pending_dir / st.pending["file"])

    def publish(self, month: str, unit: str, *, user: str = "") -> dict:
        """Publish (通过) a unit's pending submission: it replaces the unit's published rows, if any."""
        rec, frame = self.pending(month, unit)
        submitted = {unit: {"submitted_at": rec.get("time", ""), "submitted_by": rec.get("user", "")}}
        named = self.units(month)[unit].kind == "named" or set(frame.get_column("county").unique()) != {unit}
        return self.write(frame, source=rec.get("source", ""), source_sha256=rec.get("sha256", ""), replace=True,
                          user=user, unit=unit if named else None, action="publish", submitted=submitted)

    def return_submission(self, month: str, unit: str, reason: str, *, user: str = "") -> dict:
        """Return (退回) a unit's pending submission to its reporter, with the reason; audited."""
        if not reason.strip():
            raise StoreError("退回时请写明原因（例如哪些项目的数据需要核实），填报员会看到它。")
        self.pending(month, unit)
        with self.lock():
            return self.append_audit("return", user=user, month=month, unit=unit, reason=reason.strip())

    def delete(self, month: str, *, user: str = "") -> dict:
        """Move a month into history and remove it from the store; audited."""
        key = month_key(parse_month(month))
        with self.lock():
            target = self.path_for(key)
            if not target.exists():
                raise StoreError(f"库中没有 {key} 的数据，无法删除。")
            atomic_write_bytes(self.history_dir / f"{key}.{history_stamp()}.parquet", target.read_bytes())
            target.unlink()
            fsync_dir(target.parent)
            return self.append_audit("delete", user=user, source="", sha256="", rows=0, month=key)

    def history(self, month: str) -> list[Path]:
        """Earlier versions of a month, oldest first."""
        if not self.history_dir.is_dir() or not is_month_key(str(month)):
            return []
        return sorted(self.history_dir.glob(f"{month}.*.parquet"))


def active_store(root: str | os.PathLike | None = None) -> tuple[Store, bool]:
    """The store to read and whether it is the embedded demo city (used when the real store is empty)."""
    store = Store(root)
    if store.is_empty() and Store(DEMO_DIR).months():
        return Store(DEMO_DIR), True
    return store, False
