"""python -m bench.excel [--projects N] [--repeat N]: reading a county-style ledger (.xlsx and its .xls twin)
with read_ledger, and writing a table as XLSX with to_xlsx_bytes; medians of several runs and the load average."""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

from data.demo.sample_ledger import write_sample_ledger
from data.ingest import read_ledger
from data.schema import ZH
from data.store import DEMO_DIR, Store
from reports.export import to_xlsx_bytes


def ledger_frame(projects: int) -> pl.DataFrame:
    """The demo city's latest month, repeated under new project codes until it has `projects` rows."""
    store = Store(DEMO_DIR)
    base = store.read(store.months()[-1])
    copies = [base.with_columns(pl.col("project_id") + f"-{k}") for k in range(-(-projects // base.height))]
    return pl.concat(copies).head(projects)


def _median_ms(fn, repeat: int) -> tuple[float, float, float]:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), min(times), max(times)


def run(projects: int, repeat: int) -> list[tuple[str, str, tuple[float, float, float] | None]]:
    """(case, note, (median, min, max) ms or None when the file is refused) for each case."""
    frame = ledger_frame(projects)
    out = []
    with tempfile.TemporaryDirectory() as d:
        xlsx = write_sample_ledger(frame, Path(d) / "台账.xlsx")
        files = {"read_ledger .xlsx": xlsx.read_bytes()}
        try:
            from tests.xls_twin import write_xls_twin  # xlwt: a test and benchmark dependency

            files["read_ledger .xls"] = write_xls_twin(xlsx, Path(d) / "台账.xls").read_bytes()
        except ImportError:
            pass
        for case, data in files.items():
            res = read_ledger(data)
            if not res.ok:
                out.append((case, res.errors[0].message[:60], None))
                continue
            assert res.frame.height == projects, res.report()
            out.append((case, f"{len(data) / 2**20:.1f} MB, {projects:,} projects",
                        _median_ms(lambda: read_ledger(data), repeat)))
    table = frame.rename({c: ZH[c] for c in frame.columns})
    out.append(("to_xlsx_bytes", f"{table.height:,} × {table.width}", _median_ms(lambda: to_xlsx_bytes({"t": table}),
                                                                               repeat)))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.excel", description=__doc__)
    ap.add_argument("--projects", type=int, default=8_570, help="ledger rows (default 8,570: ten demo months)")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args(argv)
    load_before = os.getloadavg()
    rows = run(args.projects, args.repeat)
    print(f"load average {load_before[0]:.1f} before, {os.getloadavg()[0]:.1f} after; repeat {args.repeat}")
    print("| case | file | median ms (min–max) |\n|---|---|---:|")
    for case, note, t in rows:
        print(f"| {case} | {note} | " + ("refused" if t is None else f"{t[0]:,.0f} ({t[1]:,.0f}–{t[2]:,.0f})") + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
