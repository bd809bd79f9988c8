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
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from data.schema import SCHEMA

ENV_VAR = "KPM_STORE"
DEFAULT_DIR = Path(__file__).resolve().parent / "store"
DEMO_DIR = Path(__file__).resolve().parent / "demo"
MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
FAULT_VAR = "KPM_FAULT"  # crash injection for tests: the named point calls os._exit(137) (see _fault)
FAULT_POINTS = ("after_tmp_write", "after_history", "after_replace", "mid_audit")
TMP_SUFFIX = ".tmp"
# A name kept for the audit log: at most this many characters of the base name.
SOURCE_NAME_MAX = 120


class StoreError(Exception):
    """A refused store operation, with a message in Chinese."""


def parse_month(text: str) -> dt.date:
    """'2024-06' → date(2024, 6, 1); raises StoreError with a Chinese message otherwise."""
    m = MONTH_RE.match(str(text).strip())
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise StoreError(f"月份“{text}”格式不对：请写成 YYYY-MM，例如 2024-06。")
    return dt.date(int(m.group(1)), int(m.group(2)), 1)


def month_key(month: dt.date) -> str:
    """date(2024, 6, 1) → '2024-06'."""
    return f"{month.year:04d}-{month.month:02d}"


def previous_month(month: str) -> str:
    """'2024-01' → '2023-12'."""
    y, m = int(month[:4]), int(month[5:7])
    return f"{y - 1:04d}-12" if m == 1 else f"{y:04d}-{m - 1:02d}"


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


def fsync_dir(path: Path) -> None:
    """fsync a directory, so that a rename in it survives a crash."""
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
        fsync_dir(path.parent)
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
        return sorted(p.stem for p in self.snap_dir.glob("*.parquet") if MONTH_RE.match(p.stem))

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
            fsync_dir(target.parent)
            record = {"time": dt.datetime.now().isoformat(timespec="seconds"), "user": user, "source": "",
                      "sha256": "", "rows": 0, "month": key, "action": "delete"}
            self._append_audit(record)
        return record

    def history(self, month: str) -> list[Path]:
        """Earlier versions of a month, oldest first."""
        if not self.history_dir.is_dir() or not MONTH_RE.match(str(month)):
            return []
        return sorted(self.history_dir.glob(f"{month}.*.parquet"))


def active_store(root: str | os.PathLike | None = None) -> tuple[Store, bool]:
    """The store to read and whether it is the embedded demo city (used when the real store is empty)."""
    store = Store(root)
    if store.is_empty() and Store(DEMO_DIR).months():
        return Store(DEMO_DIR), True
    return store, False


def __getattr__(name: str):
    """check_store and CheckReport live in data/store_check.py (verification and repair); importable from here too."""
    if name in ("check_store", "CheckReport", "intact_problem"):
        from data import store_check

        return getattr(store_check, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
