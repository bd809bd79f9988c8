"""Server-side script-run times for the load test (bench/load.py), written only when KPM_RUN_LOG names a file."""
from __future__ import annotations

import os
import time

PATH = os.environ.get("KPM_RUN_LOG")


class Run:
    """Times one script run (`with Run(): …`): start time, seconds, and how it ended, one line per run."""

    def __init__(self) -> None:
        self.t0, self.p0 = time.time(), time.perf_counter()

    def __enter__(self) -> Run:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if PATH:
            # One short line per run, appended: concurrent sessions' lines do not interleave (O_APPEND).
            with open(PATH, "a", encoding="utf-8") as fh:
                fh.write(f"{self.t0:.3f}\t{time.perf_counter() - self.p0:.4f}\t"
                         f"{'ok' if exc_type is None else exc_type.__name__}\n")
