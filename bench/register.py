"""How fast a month's progress table is checked against the year's register (issue #26: a 1,000-row progress table
with a register is validated in under 1 s on this machine).

    python -m bench.register [--rows 1000] [--repeat 7] [--json FILE]

Builds, in a temporary store: the year's register of `--rows` projects over 10 counties (imported from an .xlsx), the
previous month published for all of them, and this month's progress table laid out as counties send it (a title
carrying the month, 单位 line, no 项目编码 — matched by name — year- and month-stamped headings, monthly amounts, 形象进度,
开工/计划开工时间, amounts with units in some cells, dates without a year). Times `python -m data validate`'s work
(`import_file(…, dry_run=True)`: read, complete from the register and last month, check, compare) and, for scale, the
same projects as a full 32-column ledger without a register. Prints medians and the load average; exit code 0 when
the median is within the target.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import polars as pl
from openpyxl import Workbook

from data import register
from data.ingest import import_file
from data.schema import BUILD_TYPES, CATEGORIES, COLUMNS, INVESTOR_TYPES, LEVELS, SCHEMA
from data.store import Store

TARGET_MS = 1000.0
COUNTIES = tuple(f"第{i}县" for i in range(1, 11))


def _save(rows: list[list], path: Path) -> Path:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Sheet1")
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def _projects(n: int) -> list[dict]:
    out = []
    for i in range(n):
        category = CATEGORIES[i % len(CATEGORIES)]
        out.append({"name": f"{COUNTIES[i % 10]}重点项目{i:04d}号", "county": COUNTIES[i % 10], "category": category,
                    "industry_class": ("新兴产业" if i % 2 else "传统产业") if category == "产业" else None,
                    "level": LEVELS[i % 3], "build_type": BUILD_TYPES[i % 2], "investor_type": INVESTOR_TYPES[i % 4],
                    "total": 10_000.0 + 37 * i, "plan": 2_000.0 + 11 * i, "signed": i % 3 == 0})
    return out


def build(folder: Path, n: int) -> tuple[Store, Path, Path]:
    """The store (register + May published), June's progress table, and June as a full ledger without a register."""
    store = Store(folder / "store")
    projects = _projects(n)
    reg = [["项目名称", "县区", "项目类别", "产业类型", "项目级别", "建设性质", "投资主体", "总投资(万元)", "年度计划投资(万元)",
            "是否招商引资签约项目", "项目业主", "建设内容"]]
    reg += [[p["name"], p["county"], p["category"], p["industry_class"], p["level"], p["build_type"], p["investor_type"],
             p["total"], p["plan"], "是" if p["signed"] else "否", f"{p['county']}建设公司", "建设内容"] for p in projects]
    out = register.import_register(_save(reg, folder / "名单.xlsx"), store=store, year=2025)
    assert out.ok, out.report()
    codes = register.table(store, 2025).select("project_name", "project_id").rows()
    code = dict(codes)
    may = pl.DataFrame([{
        "snapshot_month": dt.date(2025, 5, 1), "project_id": code[p["name"]], "project_name": p["name"],
        "county": p["county"], "chain": None, "category": p["category"], "industry_class": p["industry_class"],
        "level": p["level"], "build_type": p["build_type"], "status": "在建", "investor_type": p["investor_type"],
        "total_investment": p["total"], "plan_investment_year": p["plan"], "completed_investment_ytd": 500.0,
        "completed_investment_total": 3000.0, "funds_in_place_ytd": 450.0, "planned_start": None,
        "actual_start": dt.date(2024, 3, 1), "planned_completion": None, "proc_approval": dt.date(2023, 5, 1),
        "proc_land": None, "proc_planning": None, "proc_eia": None, "proc_energy": None,
        "proc_construction_permit": None, "land_area_mu": 20.0, "annual_tax": None, "annual_profit_tax": None,
        "is_signed_attraction": p["signed"], "leader": None, "problems": None, "in_statistics": True}
        for p in projects], schema=SCHEMA)
    store.write(may, source="bench-may")
    head = ["序号", "项目名称", "县区", "2025年计划投资", "1-6月完成投资", "6月完成投资", "形象进度", "开工/计划开工时间",
            "建设状态", "项目业主"]
    june = [["2025年1-6月全市重点项目建设进度表"], ["单位：万元"], head]
    for i, p in enumerate(projects):
        plan = f"{p['plan'] / 10_000:.4f}亿元" if i % 10 == 0 else p["plan"]   # some cells state their unit
        start = "3月上旬" if i % 7 == 0 else "2024-03-01"                        # some dates without a year
        june.append([i + 1, p["name"], p["county"], plan, 600.0, 100.0, "主体施工", start, "在建项目",
                     f"{p['county']}建设公司"])
    progress = _save(june, folder / "6月进度.xlsx")
    full = may.with_columns(pl.lit(dt.date(2025, 6, 1)).alias("snapshot_month"))
    ledger = [[c.zh for c in COLUMNS]] + [[_cell(v) for v in r] for r in full.iter_rows()]
    return store, progress, _save(ledger, folder / "6月台账.xlsx")


def _cell(v):
    return ("是" if v else "否") if isinstance(v, bool) else v


def _median_ms(fn, repeat: int) -> tuple[float, list[float], float]:
    """Median wall time, every run's, and the median CPU time of this process (what a busy shared machine leaves)."""
    times, cpu = [], []
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        fn()
        times.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
    return statistics.median(times), times, statistics.median(cpu)


def run(rows: int, repeat: int) -> dict:
    with tempfile.TemporaryDirectory() as d:
        folder = Path(d)
        store, progress, ledger = build(folder, rows)
        check = import_file(progress, store=store, dry_run=True)
        assert check.ok, check.report()
        assert check.rows == rows and not any(w.rule == "未报进度" for w in check.warnings)
        empty = Store(folder / "empty")
        with_register, times, cpu = _median_ms(lambda: import_file(progress, store=store, dry_run=True), repeat)
        plain, _, plain_cpu = _median_ms(lambda: import_file(ledger, store=empty, dry_run=True), repeat)
    return {"rows": rows, "repeat": repeat, "target_ms": TARGET_MS,
            "progress_with_register_median_ms": round(with_register, 1),
            "progress_with_register_runs_ms": [round(t, 1) for t in times],
            "progress_with_register_cpu_median_ms": round(cpu, 1),
            "full_ledger_without_register_median_ms": round(plain, 1),
            "full_ledger_without_register_cpu_median_ms": round(plain_cpu, 1),
            "ratio": round(with_register / plain, 2), "load_average": [round(x, 2) for x in os.getloadavg()],
            "cpus": os.cpu_count(), "met": with_register <= TARGET_MS}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.register", description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--json", help="also write the result to this file")
    args = ap.parse_args(argv)
    result = run(args.rows, args.repeat)
    text = json.dumps(result, ensure_ascii=False, indent=1)
    if args.json:
        Path(args.json).write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0 if result["met"] else 1


if __name__ == "__main__":
    sys.exit(main())
