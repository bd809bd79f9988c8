"""Setting a store's data aside (`python -m data demo --restore`): the app shows the demo city again, nothing is
deleted, and the accounts, taught mappings, settings and bulletin template stay where they are."""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from data.store import DEMO_DIR, Store, StoreError, fsync_dir, make_dirs

ARCHIVE_DIR = "archive"
# What a store's data is: the months, their history, the submissions awaiting review, the 督办 log, the briefs drawn
# from them, and the log that proves them (the audit log goes with the snapshots it holds the checksums of).
# users.json, mappings.json, settings.json, geography.json, push.json and templates/ are the office's configuration
# and stay.
DATA_ENTRIES = ("snapshots", "history", "pending", "duban.jsonl", "briefs", "audit.jsonl")


def archive_data(store: Store, *, user: str = "", now: dt.datetime | None = None) -> Path | None:
    """Move the store's data into <store>/archive/<time>/ under the store's lock and start a new audit log that says
    where it went; returns that directory, or None when the store holds no month, history or submission. Refused
    for the demo store."""
    if store.root.resolve() == DEMO_DIR.resolve():
        raise StoreError("这是示范市自己的目录，不能移走：请用 --store 或 KPM_STORE 指定您的数据库。")
    now = now or dt.datetime.now()
    with store.lock():
        present = [name for name in DATA_ENTRIES if (store.root / name).exists()]
        if not any((store.root / name).is_dir() and any((store.root / name).iterdir()) for name in present):
            return None   # no month, history or submission: the app shows the demo already, the log stays
        target = store.root / ARCHIVE_DIR / now.strftime("%Y%m%dT%H%M%S")
        n = 1
        while target.exists():
            n += 1
            target = target.with_name(f"{now:%Y%m%dT%H%M%S}-{n}")
        make_dirs(target)
        for name in present:
            os.replace(store.root / name, target / name)   # a rename on the same disk: whole or not at all
        fsync_dir(target)
        fsync_dir(store.root)
        store._append_audit({"time": now.isoformat(timespec="seconds"), "user": user, "action": "archive", "month": "",
                             "note": f"数据已移至 {target.relative_to(store.root)}/，各页面改为显示示范市"})
    return target
