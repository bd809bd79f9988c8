"""The demo city 示范市: the generator (this package) and the store it writes beside it (snapshots/, ledgers/,
audit.jsonl: data.store.DEMO_DIR), which the app shows while the real store is empty.

city declares the city, projects decides each project's timeline, details the rest it carries, simulate runs the
months and writes the store, sample_ledger writes one county's month as a county office's Excel ledger.
`python -m data demo` (or `python -m data.demo`) regenerates the store."""
from data.demo.simulate import LAGGING_COUNTY, LEADING_COUNTY, build_snapshots, generate

__all__ = ["LAGGING_COUNTY", "LEADING_COUNTY", "build_snapshots", "generate"]
