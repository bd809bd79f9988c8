"""How the 督办 log scales: a log of N items (20 units, most with feedback, many closed) is read and replayed, listed
as of a date with the five indicators, and given one more step (which rewrites the log under the lock).

    python -m bench.duban [--items N] [--repeat R] [--json FILE]

Prints the median of each; nothing is asserted (the suite checks the rules, this the cost).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from data import duban as DB
from data import duban_steps as ST
from data.store import Store
from metrics.duban import listing

UNITS = tuple(f"测试县{k:02d}" for k in range(20))
STEPS = (("feedback", 2), ("request_close", 6), ("close", 8))


def write_log(store: Store, items: int) -> int:
    """A log of `items` items, ten assigned a day from 2023-01-02, each taken 0–3 steps along; its line count."""
    lines, n = [], 0
    for i in range(items):
        on = dt.date(2023, 1, 2) + dt.timedelta(days=i // 10)
        item_id = f"DB{on.year}-{i + 1:04d}"
        fields = {"unit": UNITS[i % len(UNITS)], "content": "协调解决项目用地报批和征迁问题", "tier": "一般", "source": "会议",
                  "assigned_on": on.isoformat(), "due_on": (on + dt.timedelta(days=7)).isoformat(),
                  "feedback_due_on": (on + dt.timedelta(days=3)).isoformat(), "days": "自然日", "due_by_hand": False,
                  "project_id": None, "co_units": [], "person": None, "leader": None, "meeting": None}
        n += 1
        lines.append({"n": n, "time": "2025-01-01T00:00:00", "user": "bench", "role": "analyst", "step": "add",
                      "id": item_id, "on": on.isoformat(), "item": fields})
        for step, after in STEPS[: i % 4]:
            n += 1
            lines.append({"n": n, "time": "2025-01-01T00:00:00", "user": "bench", "role": "analyst", "step": step,
                          "id": item_id, "on": (on + dt.timedelta(days=after)).isoformat(), "text": "进展情况说明",
                          **({"grade": "优秀"} if step == "close" else {})})
    DB.log_path(store).parent.mkdir(parents=True, exist_ok=True)
    DB.log_path(store).write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n", encoding="utf-8")
    return n


def measure(items: int, repeat: int) -> dict:
    """Median seconds of load, listing and one step over a log of `items` items."""
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "store")
        lines = write_log(store, items)
        times: dict[str, list[float]] = {"load": [], "listing": [], "step": []}
        as_of = dt.date(2023, 1, 2) + dt.timedelta(days=items // 10 + 10)
        for k in range(repeat):
            t0 = time.perf_counter()
            ledger = DB.load(store)
            t1 = time.perf_counter()
            listing(ledger, as_of)
            t2 = time.perf_counter()
            ST.add(store, DB.Actor("bench"), unit=UNITS[0], content=f"新事项{k}", assigned_on=as_of)
            t3 = time.perf_counter()
            times["load"].append(t1 - t0)
            times["listing"].append(t2 - t1)
            times["step"].append(t3 - t2)
        size = DB.log_path(store).stat().st_size
    return {"items": items, "lines": lines, "bytes": size, "repeat": repeat,
            **{f"{k}_s": round(statistics.median(v), 4) for k, v in times.items()}}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.duban", description=__doc__.splitlines()[0])
    p.add_argument("--items", type=int, default=10_000)
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--json", metavar="FILE")
    args = p.parse_args(argv)
    result = measure(args.items, args.repeat)
    print(f"{result['items']} items, {result['lines']} lines, {result['bytes'] / 2**20:.1f} MB: load "
          f"{result['load_s']:.3f} s, listing {result['listing_s']:.3f} s, one step {result['step_s']:.3f} s "
          f"(medians of {result['repeat']})")
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
