"""How fast hostile files are refused: a sparse 20 GB ledger (refused by its size, from a stat) and a zip bomb
(refused from the zip directory), each imported into a fresh store.

    python -m bench.refusal [--repeat N] [--json FILE]

The suite checks that these files are refused unread and the store untouched (tests/test_ingest_hostile.py); this
measures how long the refusal takes. Exit code 0 when every median is within its target (2 s each).
"""
from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from data.ingest import import_file
from data.store import Store

TARGET_MS = 2000.0
SPARSE_BYTES = 20 * 2**30
BOMB_BYTES = 260 * 2**20


def sparse_file(folder: Path) -> Path:
    """A 20 GB file that takes no disk space: reading it would take minutes and all memory."""
    path = folder / "huge.xlsx"
    with open(path, "wb") as fh:
        fh.truncate(SPARSE_BYTES)
    return path


def zip_bomb() -> bytes:
    """A workbook-shaped zip whose one sheet inflates to 260 MB of blanks (about 1000:1)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        with zf.open("xl/worksheets/sheet1.xml", "w") as fh:
            chunk = b" " * 2**20
            for _ in range(BOMB_BYTES // len(chunk)):
                fh.write(chunk)
    return out.getvalue()


def run(repeat: int = 5) -> dict:
    """Each case `repeat` times into a fresh store: refusal rule seen, store left empty, times in ms."""
    if repeat < 1:
        raise ValueError("repeat must be at least 1")
    cases = []
    with tempfile.TemporaryDirectory(prefix="kpm-bench-refusal-") as d:
        folder = Path(d)
        sources = {"sparse_20gb": (sparse_file(folder), "文件过大"), "zip_bomb": (zip_bomb(), "文件解压后过大")}
        for name, (source, rule) in sources.items():
            times = []
            for i in range(repeat):
                store = Store(folder / f"store-{name}-{i}")
                t0 = time.perf_counter()
                out = import_file(source, store=store, filename="台账.xlsx")
                times.append((time.perf_counter() - t0) * 1000)
                if out.ok or rule not in [p.rule for p in out.errors] or store.months():
                    raise SystemExit(f"{name}: not refused as {rule}: {out.report()}")
            median = statistics.median(times)
            cases.append({"name": name, "rule": rule, "median_ms": round(median, 2), "max_ms": round(max(times), 2),
                          "target_ms": TARGET_MS, "met": median <= TARGET_MS})
    return {"repeat": repeat, "cases": cases, "met": all(c["met"] for c in cases)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.refusal", description="Time the refusal of hostile files.")
    ap.add_argument("--repeat", type=int, default=5, help="imports per case (default 5)")
    ap.add_argument("--json", metavar="FILE", help="also write the result as JSON")
    args = ap.parse_args(argv)
    result = run(args.repeat)
    for c in result["cases"]:
        print(f"{c['name']:<12} refused ({c['rule']}) in {c['median_ms']:.1f} ms median, {c['max_ms']:.1f} ms max"
              f" — target ≤ {c['target_ms']:g} ms: {'met' if c['met'] else 'NOT MET'}")
    if args.json:
        Path(args.json).write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0 if result["met"] else 1


if __name__ == "__main__":
    sys.exit(main())
