"""Setting a store's data aside (`python -m data demo --restore`): the app shows the demo city again, nothing is
deleted, and the accounts, taught mappings, settings and bulletin template stay where they are."""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from data.files import fsync_dir, make_dirs
from data.store import DEMO_DIR, Store, StoreError

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
        store.append_audit("archive", at=now.isoformat(timespec="seconds"), user=user, month="",
                           note=f"数据已移至 {target.relative_to(store.root)}/，各页面改为显示示范市")
    return target


def restore_demo(store: Store, *, user: str = "") -> int:
    """`python -m data demo --restore`: the store's data set aside (accounts and configuration stay), said in
    Chinese; the demo city regenerated first if its own directory lost its months."""
    if not Store(DEMO_DIR).months():
        from data.demo import generate  # numpy and the generator load only when needed

        generate()
        print(f"示范市的数据不完整，已重新生成：{DEMO_DIR}")
    target = archive_data(store, user=user)
    if target is None:
        print(f"数据库“{store.root}”中没有数据：各页面本来就显示示范市。")
        return 0
    moved = "、".join(p.name + ("/" if p.is_dir() else "") for p in sorted(target.iterdir()))
    print(f"已把数据库“{store.root}”的数据（{moved}）移到 {target}/，没有删除任何文件。")
    print("各页面现在显示示范市；账号（users.json）、记住的表头对应、报送设置和通报模板都保留在原处。")
    print(f"要找回这些数据：停止应用后把 {target}/ 下的 {'、'.join(DATA_ENTRIES)} 移回 {store.root}/"
          "（先移走此后新产生的同名文件）。")
    return 0
