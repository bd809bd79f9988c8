"""python -m bench [--scale city|province|tiny] [--format json|table] [--repeat N] [--out FILE]"""
from __future__ import annotations

import argparse
import json
import sys

from bench.generate import SCALES
from bench.run import format_table, run
from bench.workloads import CrossCheckError


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench",
                                 description="Benchmark the metrics engine against pandas and DuckDB on a synthetic store.")
    ap.add_argument("--scale", choices=list(SCALES), default="city",
                    help="tiny: 50 projects × 6 months; city: 1,000 × 24; province: 50,000 × 36 (default city)")
    ap.add_argument("--format", choices=["json", "table"], default="table")
    ap.add_argument("--repeat", type=int, default=5, help="timed repetitions per case (default 5)")
    ap.add_argument("--out", help="also write the JSON result to this file")
    ap.add_argument("--cache-dir", help="where generated stores are kept (default bench/.cache)")
    ap.add_argument("--case", action="append", dest="cases",
                    help="run only this case (repeatable): cold, filter_change, month_series, ranking, page_rerun")
    args = ap.parse_args(argv)
    try:
        result = run(args.scale, args.repeat, args.cache_dir, args.cases)
    except CrossCheckError as e:
        print(f"cross-check failed, no timings reported:\n{e}", file=sys.stderr)
        return 2
    text = json.dumps(result, ensure_ascii=False, indent=2)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as fh:
            fh.write(text + "\n")
    print(text if args.format == "json" else format_table(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
