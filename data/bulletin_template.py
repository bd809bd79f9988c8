"""The office's bulletin template (Word) kept with the store: templates/bulletin.docx, written like every store write.

Replacing it is atomic and under the store's lock, the previous version goes to templates/history/, and the
audit log records who uploaded which file (action "bulletin_template"). Whether a file is a usable template is
decided before this module is called (reports.bulletin.template.check): this layer stores bytes.
"""
from __future__ import annotations

from pathlib import Path

from data.files import atomic_write_bytes, safe_source_name, sha256_bytes
from data.store import Store, history_stamp

ACTION = "bulletin_template"


def path(store: Store) -> Path:
    return store.root / "templates" / "bulletin.docx"


def read(store: Store) -> bytes | None:
    """The office's template, or None when none was uploaded."""
    p = path(store)
    return p.read_bytes() if p.is_file() else None


def last_record(store: Store) -> dict | None:
    """The audit record of the template in use (who uploaded it, when, from which file)."""
    recs = [r for r in store.audit() if r.get("action") == ACTION]
    return recs[-1] if recs else None


def save(store: Store, data: bytes, *, user: str = "", source: str = "") -> dict:
    """Make `data` the office's template: the old one to history, the new one in place atomically; audited."""
    target = path(store)
    with store.lock():
        if target.is_file():
            atomic_write_bytes(target.parent / "history" / f"bulletin.{history_stamp()}.docx", target.read_bytes())
        atomic_write_bytes(target, data)
        return store.append_audit(ACTION, user=user, month="", source=safe_source_name(source),
                                  sha256=sha256_bytes(data), stored_sha256=sha256_bytes(data), bytes=len(data))
