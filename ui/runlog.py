"""Server-side script-run times for the load test (bench/load.py), written only when KPM_RUN_LOG names a file."""
from __future__ import annotations

import os
import time

PATH = os.environ.get("KPM_RUN_LOG")


class Run:
    """Times one script run (`with Run(): …`): start time, seconds, how it ended, the script thread's own CPU
    seconds (what the run cost, without the other sessions it waited for), the page and the process (replicas
    share one log), one line per run."""

    def __init__(self) -> None:
        self.t0, self.p0, self.c0 = time.time(), time.perf_counter(), time.thread_time()
        self.page = ""

    def __enter__(self) -> Run:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if PATH:
            # One short line per run, appended: concurrent sessions' lines do not interleave (O_APPEND).
            with open(PATH, "a", encoding="utf-8") as fh:
                fh.write(f"{self.t0:.3f}\t{time.perf_counter() - self.p0:.4f}\t"
                         f"{'ok' if exc_type is None else exc_type.__name__}\t"
                         f"{time.thread_time() - self.c0:.4f}\t{self.page}\t{os.getpid()}\n")
