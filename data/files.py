"""Writing files so that nothing is ever half-written: atomic replacement through a synced temp file, durable
directories, and what an audit log may say about a file (its safe base name, its SHA-256), plus the crash points the
store's tests inject ($KPM_FAULT). Every store object (snapshots, submissions, settings, accounts, mappings, the
bulletin template, the 督办 log …) writes through here."""
from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
import unicodedata
from pathlib import Path

import polars as pl

FAULT_VAR = "KPM_FAULT"  # crash injection for tests: the named point calls os._exit(137) (see fault)
FAULT_POINTS = ("after_tmp_write", "after_history", "after_replace", "mid_audit")
TMP_SUFFIX = ".tmp"
# A name kept for the audit log: at most this many characters of the base name.
SOURCE_NAME_MAX = 120


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def fault(point: str) -> None:
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


def make_dirs(path: Path) -> None:
    """mkdir -p, fsyncing the parent of every directory it creates, so a crash cannot lose the new entry."""
    missing = []
    p = path
    while not p.exists():
        missing.append(p)
        p = p.parent
    for d in reversed(missing):
        with contextlib.suppress(FileExistsError):
            d.mkdir()
        fsync_dir(d.parent)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write via a temp file in the same directory, fsync, os.replace: readers see old or new, never half."""
    make_dirs(path.parent)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TMP_SUFFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        fault("after_tmp_write")
        os.replace(tmp, path)
        fsync_dir(path.parent)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def read_parquet(path: Path) -> pl.DataFrame:
    """A stored Parquet file read through one open handle: a file atomic_write_bytes replaces meanwhile is read as
    the old or the new, never half of each (polars opens a path more than once, so a reader racing a writer could
    get one file's header and the other's pages)."""
    with open(path, "rb") as fh:
        return pl.read_parquet(fh)


def file_stamp(path: Path) -> tuple[int, int] | None:
    """A file's size and mtime (ns), or None when it does not exist: what caches compare to see it changed."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return st.st_size, st.st_mtime_ns
