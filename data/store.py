"""The snapshot store: one canonical parquet file per month, atomic locked writes, history, audit log."""
from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from data.months import is_month_key, month_key, parse_month
from data.schema import SCHEMA

ENV_VAR = "KPM_STORE"
DEFAULT_DIR = Path(__file__).resolve().parent / "store"
DEMO_DIR = Path(__file__).resolve().parent / "demo"
FAULT_VAR = "KPM_FAULT"  # crash injection for tests: the named point calls os._exit(137) (see _fault)
FAULT_POINTS = ("after_tmp_write", "after_history", "after_replace", "mid_audit")
TMP_SUFFIX = ".tmp"
# A name kept for the audit log: at most this many characters of the base name.
SOURCE_NAME_MAX = 120


class StoreError(Exception):
    """A refused store operation, with a message in Chinese."""


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _fault(point: str) -> None:
    """Crash injection: when $KPM_FAULT names this point, die at once as kill -9 would (no cleanup, no flush)."""
    if os.environ.get(FAULT_VAR) == point:
        os._exit(137)


def safe_source_name(name: object) -> str:
    """The base name of an uploaded or imported file, fit for the audit log and messages, never for a path.

    '../../etc/passwd.xlsx' → 'passwd.xlsx'; 'C:\\x\\..\\y.csv' → 'y.csv'; control characters (NUL, line breaks)
    and bidirectional overrides are dropped; leading dots and blanks are stripped; long names are cut."""
    text = unicodedata.normalize("NFC", str(name or ""))
    text = re.split(r"[/\\]", text)[-1]
    text = "".join(ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Zl", "Zp"))
    text = text.strip().lstrip(". ").strip()
    if len(text) > SOURCE_NAME_MAX:
        stem, dot, ext = text.rpartition(".")
        ext = dot + ext if dot and len(ext) <= 10 else ""
        text = text[: SOURCE_NAME_MAX - len(ext) - 1] + "…" + ext
    return text


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write via a temp file in the same directory, fsync, os.replace: readers see old or new, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TMP_SUFFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        _fault("after_tmp_write")
        os.replace(tmp, path)
        _fsync_dir(path.parent)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def frame_to_parquet_bytes(df: pl.DataFrame) -> bytes:
    import io

    buf = io.BytesIO()
    df.write_parquet(buf, compression="zstd", statistics=True)
    return buf.getvalue()


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
        return pl.read_parquet(path)

    def scan(self) -> pl.LazyFrame:
        """All months as one lazy frame (projection and predicate pushdown reach the files)."""
        files = [str(self.path_for(m)) for m in self.months()]
        if not files:
            return pl.LazyFrame(schema=SCHEMA)
        return pl.scan_parquet(files, schema=SCHEMA)

    def content_key(self) -> str:
        """A cheap key of the store's content (names, sizes, mtimes) for caches; never hashes frames."""
        parts = []
        for m in self.months():
            st = self.path_for(m).stat()
            parts.append(f"{m}:{st.st_size}:{st.st_mtime_ns}")
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
            if rec.get("action") in ("import", "replace", "restore"):
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
    def lock(self):
        """An exclusive inter-process lock on the store (fcntl.flock; released if the process dies)."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.lock_path, "a+") as fh:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)

    def _append_audit(self, record: dict) -> None:
        """Append one JSON line (under the lock). A torn last line left by a crash is closed with a newline
        first, so this record is never glued onto it and lost."""
        line = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
        fd = os.open(self.audit_path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            size = os.fstat(fd).st_size
            if size and os.pread(fd, 1, size - 1) != b"\n":
                line = b"\n" + line
            if os.environ.get(FAULT_VAR) == "mid_audit":
                os.write(fd, line[: len(line) // 2])
                os.fsync(fd)
                _fault("mid_audit")
            os.write(fd, line)
            os.fsync(fd)
        finally:
            os.close(fd)

    def write(self, df: pl.DataFrame, *, source: str = "", source_sha256: str = "", replace: bool = False,
              user: str = "") -> dict:
        """Store one validated snapshot atomically; refuse an existing month unless replace; audit it."""
        months = df.get_column("snapshot_month").unique().to_list()
        if len(months) != 1:
            raise StoreError("一个快照只能包含一个报送月份。")
        key = month_key(months[0])
        data = frame_to_parquet_bytes(df.select(list(SCHEMA.names())).cast(SCHEMA))
        with self.lock():
            target = self.path_for(key)
            action = "import"
            if target.exists():
                if not replace:
                    raise StoreError(f"{key} 已有数据，未覆盖。如需替换，请选择“替换”（命令行加 --replace）。")
                stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S%f")
                atomic_write_bytes(self.history_dir / f"{key}.{stamp}.parquet", target.read_bytes())
                _fault("after_history")
                action = "replace"
            atomic_write_bytes(target, data)
            _fault("after_replace")
            record = {
                "time": dt.datetime.now().isoformat(timespec="seconds"), "user": user,
                "source": safe_source_name(source),
                "sha256": source_sha256, "stored_sha256": sha256_bytes(data), "rows": df.height, "month": key,
                "action": action,
            }
            self._append_audit(record)
        return record

    def delete(self, month: str, *, user: str = "") -> dict:
        """Move a month into history and remove it from the store; audited."""
        key = month_key(parse_month(month))
        with self.lock():
            target = self.path_for(key)
            if not target.exists():
                raise StoreError(f"库中没有 {key} 的数据，无法删除。")
            stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S%f")
            atomic_write_bytes(self.history_dir / f"{key}.{stamp}.parquet", target.read_bytes())
            target.unlink()
            _fsync_dir(target.parent)
            record = {"time": dt.datetime.now().isoformat(timespec="seconds"), "user": user, "source": "",
                      "sha256": "", "rows": 0, "month": key, "action": "delete"}
            self._append_audit(record)
        return record

    def history(self, month: str) -> list[Path]:
        """Earlier versions of a month, oldest first."""
        if not self.history_dir.is_dir() or not is_month_key(str(month)):
            return []
        return sorted(self.history_dir.glob(f"{month}.*.parquet"))


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
    if df.schema != SCHEMA:
        got = ", ".join(f"{k}:{v}" for k, v in list(df.schema.items())[:5])
        return f"列结构不是标准快照结构（{got}…）"
    months = df.get_column("snapshot_month").unique().to_list()
    if months != [parse_month(month)]:
        return f"文件中的报送月份（{', '.join(str(m) for m in months) or '无'}）与文件名 {month} 不一致"
    return None


def _last_records(audit: list[dict]) -> dict[str, dict]:
    last: dict[str, dict] = {}
    for rec in audit:
        if rec.get("action") in ("import", "replace", "restore", "delete") and rec.get("month"):
            last[rec["month"]] = rec
    return last


def _check_months(store: "Store", audit: list[dict], report: CheckReport) -> list[_MonthFinding]:
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


def _stale_temps(store: "Store") -> list[Path]:
    out = []
    for d in (store.snap_dir, store.history_dir, store.root):
        if d.is_dir():
            out.extend(p for p in d.iterdir() if p.is_file() and p.name.startswith(".") and p.name.endswith(TMP_SUFFIX))
    return sorted(out)


def _restore_candidate(store: "Store", month: str, expected_sha: str | None) -> tuple[Path, str] | None:
    """The history version to restore: the newest intact one whose content the audit log last recorded,
    else the newest intact one."""
    intact = [(p, _sha_file(p)) for p in reversed(store.history(month)) if intact_problem(p, month) is None]
    for p, sha in intact:
        if expected_sha and sha == expected_sha:
            return p, sha
    return intact[0] if intact else None


def check_store(store: "Store", *, repair: bool = False, user: str = "") -> CheckReport:
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


def _repair_month(store: "Store", f: _MonthFinding, rec: dict | None, report: CheckReport, user: str) -> None:
    m = f.month
    target = store.path_for(m)
    stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S%f")
    deleted = rec is not None and rec.get("action") == "delete"
    expected = rec.get("stored_sha256") if rec and not deleted else None
    pick = None if deleted else _restore_candidate(store, m, expected)
    if target.exists():  # keep the damaged or unrecorded file, out of the readers' way
        store.history_dir.mkdir(parents=True, exist_ok=True)
        os.replace(target, store.history_dir / f"{m}.{stamp}.parquet.damaged")
        _fsync_dir(store.snap_dir)
    base = {"time": dt.datetime.now().isoformat(timespec="seconds"), "user": user, "month": m}
    if pick is None:
        if deleted:
            report.repaired.append(f"{m}：已删除月份残留的文件已移入历史（.damaged）。")
            return
        note = ("文件损坏或未登记，且没有完好的历史版本，已移入历史（.damaged）" if f.path is not None
                else "文件缺失，且没有完好的历史版本")
        store._append_audit({**base, "source": "", "sha256": "", "rows": 0, "action": "delete",
                             "note": f"check --repair：{note}"})
        report.unrepaired.append(f"{m}：{note}，已从库中除名：请重新导入该月台账。")
        return
    path, sha = pick
    data = path.read_bytes()
    atomic_write_bytes(target, data)
    rows = pl.scan_parquet(target).select(pl.len()).collect().item()
    store._append_audit({**base, "source": f"history/{path.name}", "sha256": "", "stored_sha256": sha, "rows": rows,
                         "action": "restore"})
    same = "（与最近一次操作记录一致）" if sha == expected else "（最近一次记录的版本已无完好副本，恢复为最新的完好版本）"
    report.repaired.append(f"{m}：已从历史版本 {path.name} 恢复{same}。")


def active_store(root: str | os.PathLike | None = None) -> tuple[Store, bool]:
    """The store to read and whether it is the embedded demo city (used when the real store is empty)."""
    store = Store(root)
    if store.is_empty() and Store(DEMO_DIR).months():
        return Store(DEMO_DIR), True
    return store, False
