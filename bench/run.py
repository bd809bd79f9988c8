"""Run the benchmark: ours first (timings and peak memory), then each baseline — cross-checked, then timed."""
from __future__ import annotations

import gc
import json
import os
import platform
import resource
import statistics
import sys
import time

import duckdb
import pandas as pd
import polars as pl

from bench.generate import SCALES, ensure_store
from bench.workloads import Context, cases

# Targets of issue 6 (2-core machine).
TARGET_FILTER_CHANGE_MS = 100.0  # province
TARGET_PAGE_RERUN_MS = 300.0  # city
TARGET_PEAK_RSS_MB = 1536.0  # province
TARGET_VS_PANDAS = 10.0
TARGET_VS_DUCKDB = 1.0

RSS_NOTE = ("ru_maxrss high-water mark of the bench process after phase 1, where only our engine ran (the "
            "warm cases share one Dataset, as a dashboard process does; store generation, if it ran, included); "
            "the pandas and DuckDB baselines run later in the same process: see peak_rss_mb_with_baselines.")


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _timed(fn, i: int) -> tuple[float, object]:
    gc.collect()
    t0 = time.perf_counter()
    result = fn(i)
    return (time.perf_counter() - t0) * 1000, result


def _stats(times: list[float], prefix: str = "") -> dict:
    return {f"{prefix}median_ms": round(statistics.median(times), 2), f"{prefix}min_ms": round(min(times), 2),
            f"{prefix}max_ms": round(max(times), 2)}


def run(scale: str = "city", repeat: int = 5, cache_dir=None, names: list[str] | None = None,
        log=lambda msg: print(msg, file=sys.stderr)) -> dict:
    """The benchmark at one scale, as the JSON-able dict `python -m bench --format json` prints.

    Phase 1 runs only our engine (warm-up, then the repetitions): its results are the reference and the
    process's peak RSS after it is ours. Phase 2, per case: each baseline's warm-up result must equal ours
    (CrossCheckError otherwise) before anything of it is timed; then the repetitions run interleaved —
    ours, pandas, DuckDB for repetition 1, then 2, … — so that load from other processes hits all three alike,
    and every timed baseline result is checked against ours again.
    """
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}: choose from {', '.join(SCALES)}")
    if repeat < 1:
        raise ValueError("repeat must be at least 1")
    load_before = os.getloadavg()[0]
    store = ensure_store(scale, cache_dir, log)
    ctx = Context.of(store)
    rows = json.loads((store.root / "manifest.json").read_text(encoding="utf-8"))["rows"]
    selected = cases(ctx, names)
    try:
        reference = {}
        for case in selected:
            log(f"[{scale}] ours alone: {case.name}")
            warm = case.ours(-1)
            alone = [_timed(case.ours, i) for i in range(repeat)]
            reference[case.name] = (warm, [r for _, r in alone], [t for t, _ in alone])
        peak_ours = _rss_mb()

        out_cases = []
        for case in selected:
            warm, results, alone = reference[case.name]
            for who in ("pandas", "duckdb"):
                log(f"[{scale}] cross-check {who}: {case.name}")
                case.compare(warm, getattr(case, who)(-1), f"{case.name}: {who} (warm-up)")
            log(f"[{scale}] timing: {case.name}")
            times = {"ours": [], "pandas": [], "duckdb": []}
            for i in range(repeat):
                for who in times:
                    t, res = _timed(getattr(case, who), i)
                    times[who].append(t)
                    if who != "ours":
                        case.compare(results[i], res, f"{case.name}: {who} (repetition {i + 1})")
            ours = statistics.median(times["ours"])
            row = {"name": case.name, **_stats(times["ours"])}
            for who in ("pandas", "duckdb"):
                row[f"{who}_median_ms"] = round(statistics.median(times[who]), 2)
            for who in ("pandas", "duckdb"):
                row[f"ratio_vs_{who}"] = round(statistics.median(times[who]) / ours, 2)
            row.update(_stats(alone, "ours_alone_"))
            out_cases.append(row)
    finally:
        ctx.close()

    result = {
        "scale": scale, "rows": rows, "projects": SCALES[scale].projects, "months": len(ctx.months),
        "repeat": repeat, "cases": out_cases,
        "peak_rss_mb": round(peak_ours, 1), "peak_rss_note": RSS_NOTE,
        "peak_rss_mb_with_baselines": round(_rss_mb(), 1),
        "cross_check": "passed",
        "machine": {"cpus": os.cpu_count(), "load_avg_1m_before": round(load_before, 2),
                    "load_avg_1m_after": round(os.getloadavg()[0], 2),
                    "python": platform.python_version(), "polars": pl.__version__, "pandas": pd.__version__,
                    "duckdb": duckdb.__version__, "platform": platform.platform()},
    }
    result["targets"] = targets(result)
    return result


def targets(result: dict) -> list[dict]:
    """Issue 6's targets that apply at this scale, each with the measured value and whether it is met."""
    scale = result["scale"]
    by_name = {c["name"]: c for c in result["cases"]}
    out = []

    def add(text, value, met):
        out.append({"target": text, "value": value, "met": bool(met)})

    if scale == "province":
        if "filter_change" in by_name:
            v = by_name["filter_change"]["median_ms"]
            add(f"filter_change median ≤ {TARGET_FILTER_CHANGE_MS:g} ms", v, v <= TARGET_FILTER_CHANGE_MS)
        add(f"peak RSS ≤ {TARGET_PEAK_RSS_MB:g} MB", result["peak_rss_mb"], result["peak_rss_mb"] <= TARGET_PEAK_RSS_MB)
    if scale == "city" and "page_rerun" in by_name:
        v = by_name["page_rerun"]["median_ms"]
        add(f"page_rerun median ≤ {TARGET_PAGE_RERUN_MS:g} ms", v, v <= TARGET_PAGE_RERUN_MS)
    if scale in ("city", "province"):
        for c in result["cases"]:
            add(f"{c['name']}: ≥ {TARGET_VS_PANDAS:g}× faster than pandas", c["ratio_vs_pandas"],
                c["ratio_vs_pandas"] >= TARGET_VS_PANDAS)
            add(f"{c['name']}: no slower than DuckDB", c["ratio_vs_duckdb"], c["ratio_vs_duckdb"] >= TARGET_VS_DUCKDB)
    return out


def format_table(result: dict) -> str:
    """A readable aligned table of one run."""
    head = ("case", "median ms", "min ms", "max ms", "pandas ms", "duckdb ms", "× pandas", "× duckdb")
    rows = [(c["name"], f"{c['median_ms']:.1f}", f"{c['min_ms']:.1f}", f"{c['max_ms']:.1f}",
             f"{c['pandas_median_ms']:.1f}", f"{c['duckdb_median_ms']:.1f}", f"{c['ratio_vs_pandas']:.1f}",
             f"{c['ratio_vs_duckdb']:.2f}") for c in result["cases"]]
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]

    def line(r):
        return "  ".join(r[0].ljust(widths[0]) if i == 0 else r[i].rjust(widths[i]) for i in range(len(r)))

    m = result["machine"]
    lines = [
        f"scale {result['scale']}: {result['rows']:,} rows ({result['projects']:,} projects × {result['months']} months),"
        f" {result['repeat']} repetitions, {m['cpus']} CPUs (load average {m['load_avg_1m_before']:g} before,"
        f" {m['load_avg_1m_after']:g} after), polars {m['polars']}, pandas {m['pandas']}, duckdb {m['duckdb']}",
        line(head), line(tuple("-" * w for w in widths)), *map(line, rows),
        f"peak RSS (ours): {result['peak_rss_mb']:,.0f} MB; whole process incl. baselines: "
        f"{result['peak_rss_mb_with_baselines']:,.0f} MB",
        f"cross-check against pandas and DuckDB: {result['cross_check']}",
    ]
    if result["targets"]:
        lines.append("targets:")
        for t in result["targets"]:
            lines.append(f"  [{'met' if t['met'] else 'NOT MET'}] {t['target']} (measured {t['value']})")
    return "\n".join(lines)
