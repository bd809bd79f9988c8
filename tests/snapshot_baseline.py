"""Ledgers we produce ourselves (the demo city's county ledgers, the 底稿) imported into a store: the snapshot bytes
each gives. `tests/fixtures/snapshot_baseline.json` holds the bytes' SHA-256 as the code before issue #26 (the register
and the counties' own tables) wrote them; test_register_baseline.py checks they are still the same, byte for byte.

Regenerate (only when a change of the snapshot bytes is intended): python -m tests.snapshot_baseline --write"""
from __future__ import annotations

import hashlib
import json
import sys
import tempfile
from pathlib import Path

import polars as pl

from data.demo.sample_ledger import write_sample_ledger
from data.draft import draft_ledger
from data.ingest import import_file
from data.store import Store
from tests.factories import ledger_rows, write_csv, write_parquet, write_table_xlsx

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "demo"
LEDGER = DEMO / "ledgers" / "石门县_2024年6月_重点项目台账.xlsx"
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "snapshot_baseline.json"


def _demo(month: str, county: str | None = None) -> pl.DataFrame:
    frame = pl.read_parquet(DEMO / "snapshots" / f"{month}.parquet")
    return frame if county is None else frame.filter(pl.col("county") == county)


def _store(folder: Path, *months: str) -> Store:
    """A fresh store holding the demo city's given months, written as published county submissions."""
    store = Store(folder / "store")
    for m in months:
        store.write(_demo(m), source=f"demo-{m}", user="baseline")
    return store


def _imported(store: Store, source, month: str, **kw) -> bytes:
    out = import_file(source, store=store, **kw)
    assert out.ok, out.report()
    return store.path_for(month).read_bytes()


def _dibao(folder: Path, *, with_july: bool) -> bytes:
    store = _store(folder, "2025-07") if with_july else _store(folder)
    import datetime as dt

    data = draft_ledger(_demo("2025-07", "石门县"), dt.date(2025, 8, 1), "石门县")
    return _imported(store, data, "2025-08", filename="石门县_2025年8月_底稿.xlsx")


def _no_codes(folder: Path) -> bytes:
    headers, rows = ledger_rows(_demo("2024-06", "石门县"), style="cells")
    k = headers.index("项目编码")
    path = write_table_xlsx(headers[:k] + headers[k + 1:], [r[:k] + r[k + 1:] for r in rows], folder / "无编码.xlsx")
    return _imported(_store(folder, "2024-05"), path, "2024-06")


CASES = {
    "demo_ledger_empty_store": lambda f: _imported(_store(f), LEDGER, "2024-06"),
    "demo_ledger_after_may": lambda f: _imported(_store(f, "2024-05"), LEDGER, "2024-06"),
    "dibao_after_july": lambda f: _dibao(f, with_july=True),
    "dibao_empty_store": lambda f: _dibao(f, with_july=False),
    "city_ledger_2025_01_after_december": lambda f: _imported(
        _store(f, "2024-12"), write_sample_ledger(_demo("2025-01"), f / "city.xlsx"), "2025-01"),
    "ledger_without_codes_after_may": _no_codes,
    "csv_2025_06": lambda f: _imported(_store(f), write_csv(_demo("2025-06", "高新区"), f / "a.csv"), "2025-06"),
    "parquet_2025_06": lambda f: _imported(_store(f), write_parquet(_demo("2025-06", "高新区"), f / "a.parquet"),
                                           "2025-06"),
}


def digest(case: str) -> dict:
    """The SHA-256 and size of the snapshot the case writes."""
    with tempfile.TemporaryDirectory() as d:
        data = CASES[case](Path(d))
    return {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}


if __name__ == "__main__":
    result = {case: digest(case) for case in CASES}
    print(json.dumps(result, ensure_ascii=False, indent=1))
    if "--write" in sys.argv:
        FIXTURE.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
