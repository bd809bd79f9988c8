"""Several server processes sharing one store directory (replicas behind nginx): imports started by two processes
at the same moment both land, one after the other, because the store's lock (fcntl.flock on <store>/.lock) holds
across processes.

Each process is `python -m data import …` (run through runpy after a barrier file appears, so both start together).
Its store writes are slowed by a second inside the locked section, and each write notes its start and end in a shared
log: without the lock the second process would check the month while the first is still writing (both would think
the month new), and the log would show the two writes overlapping.
"""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
from polars.testing import assert_frame_equal

from data.store import Store
from tests.factories import valid_frame, write_xlsx

ROOT = Path(__file__).resolve().parents[1]
SLOW_S = 1.0

REPLICA = """
import os, runpy, sys, time
barrier, slow, log = sys.argv[1], float(sys.argv[2]), sys.argv[3]
import data.store as store
real = store.atomic_write_bytes

def note(what):
    with open(log, "a", encoding="utf-8") as fh:
        fh.write(f"{what} {os.getpid()}\\n")

def slow_write(path, data):
    note("start")
    time.sleep(slow)  # a long write, inside the store's critical section
    real(path, data)
    note("end")

store.atomic_write_bytes = slow_write
while not os.path.exists(barrier):
    time.sleep(0.002)
sys.argv = ["python -m data", *sys.argv[4:]]
runpy.run_module("data", run_name="__main__", alter_sys=True)
"""


def _env() -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("KPM_STORE", "KPM_FAULT")}
    env["PYTHONPATH"] = str(ROOT)
    return env


def replicas(tmp_path: Path, *commands: list[str]) -> list[subprocess.CompletedProcess]:
    """Run each `python -m data …` command in its own process, all released by one barrier file."""
    script = tmp_path / "replica.py"
    script.write_text(REPLICA, encoding="utf-8")
    barrier, log = tmp_path / "go", tmp_path / "writes.log"
    procs = [subprocess.Popen([sys.executable, str(script), str(barrier), str(SLOW_S), str(log), *map(str, cmd)],
                              cwd=ROOT,
                              env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for cmd in commands]
    time.sleep(3.0)  # every process has imported what it needs and is waiting at the barrier
    barrier.touch()
    out = []
    for cmd, p in zip(commands, procs):
        stdout, stderr = p.communicate(timeout=180)
        assert "Traceback" not in stderr, stderr
        out.append(subprocess.CompletedProcess(cmd, p.returncode, stdout, stderr))
    # No two writes overlapped: every write's start is followed by its own end.
    notes = [line.split() for line in log.read_text(encoding="utf-8").splitlines()] if log.exists() else []
    assert notes and [what for what, _ in notes] == ["start", "end"] * (len(notes) // 2), notes
    assert all(notes[i][1] == notes[i + 1][1] for i in range(0, len(notes), 2)), notes
    assert len({pid for _, pid in notes}) == len([r for r in out if r.returncode == 0]), notes
    return out


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _check(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "data", "check", "--store", str(root)], cwd=ROOT, env=_env(),
                          capture_output=True, text=True, timeout=120)


def test_two_replicas_import_different_months_at_once(tmp_path):
    root = tmp_path / "store"
    may, june = valid_frame(4, "2024-05"), valid_frame(6, "2024-06")
    a, b = write_xlsx(may, tmp_path / "may.xlsx"), write_xlsx(june, tmp_path / "june.xlsx")
    ra, rb = replicas(tmp_path, ["import", a, "--store", root], ["import", b, "--store", root])
    assert ra.returncode == 0 and rb.returncode == 0, (ra.stdout, ra.stderr, rb.stdout, rb.stderr)
    store = Store(root)
    assert store.months() == ["2024-05", "2024-06"]
    assert_frame_equal(store.read("2024-05"), may)
    assert_frame_equal(store.read("2024-06"), june)
    assert sorted((r["month"], r["action"], r["rows"]) for r in store.audit()) == [
        ("2024-05", "import", 4), ("2024-06", "import", 6)]
    assert _check(root).returncode == 0


def test_two_replicas_replace_the_same_month_at_once(tmp_path):
    """Both land, one after the other: one import, then one replace that keeps the first in history."""
    root = tmp_path / "store"
    frames = {"a": valid_frame(3, "2024-06"), "b": valid_frame(7, "2024-06")}
    files = {k: write_xlsx(f, tmp_path / f"june-{k}.xlsx") for k, f in frames.items()}
    results = replicas(tmp_path, *(["import", files[k], "--store", root, "--replace"] for k in frames))
    assert all(r.returncode == 0 for r in results), [(r.stdout, r.stderr) for r in results]
    store = Store(root)
    audit = store.audit()
    assert [r["action"] for r in audit] == ["import", "replace"], audit
    first, second = audit
    history = store.history("2024-06")
    assert len(history) == 1 and _sha(history[0]) == first["stored_sha256"]
    assert _sha(store.path_for("2024-06")) == second["stored_sha256"] != first["stored_sha256"]
    rows_of = {f.height: k for k, f in frames.items()}
    assert_frame_equal(store.read("2024-06"), frames[rows_of[second["rows"]]])
    assert_frame_equal(pl.read_parquet(history[0]), frames[rows_of[first["rows"]]])
    assert _check(root).returncode == 0


def test_two_replicas_import_the_same_new_month_at_once(tmp_path):
    """Without --replace the second finds the month taken and refuses, saying so; nothing is overwritten."""
    root = tmp_path / "store"
    frames = [valid_frame(3, "2024-06"), valid_frame(7, "2024-06")]
    files = [write_xlsx(f, tmp_path / f"june-{i}.xlsx") for i, f in enumerate(frames)]
    results = replicas(tmp_path, *(["import", f, "--store", root] for f in files))
    assert sorted(r.returncode for r in results) == [0, 1], [(r.stdout, r.stderr) for r in results]
    loser = next(r for r in results if r.returncode == 1)
    assert "2024-06 中甲县、乙县、丙区已有数据，未覆盖" in loser.stdout + loser.stderr
    store = Store(root)
    (rec,) = store.audit()
    assert rec["action"] == "import" and store.history("2024-06") == []
    winner = results.index(next(r for r in results if r.returncode == 0))
    assert_frame_equal(store.read("2024-06"), frames[winner])
    assert _check(root).returncode == 0


def test_a_replica_shows_what_another_process_imported(tmp_path):
    """A running server notices months another process wrote into its store at its next view, no restart: each
    view keys its caches on the store's content (names, sizes, mtimes of the month files)."""
    import asyncio

    from bench import load
    from bench.stream import Viewer

    root = tmp_path / "store"
    june, may = valid_frame(4, "2024-06"), valid_frame(5, "2024-05")
    files = [write_xlsx(june, tmp_path / "june.xlsx"), write_xlsx(may, tmp_path / "may.xlsx")]

    def cli_import(path: Path) -> None:
        p = subprocess.run([sys.executable, "-m", "data", "import", str(path), "--store", str(root)], cwd=ROOT,
                           env=_env(), capture_output=True, text=True, timeout=120)
        assert p.returncode == 0, p.stdout + p.stderr

    cli_import(files[0])
    port = load.free_port()
    server = load.start_server(port, str(root))
    base = f"http://127.0.0.1:{port}"

    def months(viewer: Viewer) -> list[str]:
        return next(w.options for w in viewer.widgets.values() if w.sidebar and w.kind == "selectbox")

    async def go():
        v = Viewer(base, 120)
        try:
            await v.open("overview")
            before = months(v)
            await asyncio.to_thread(cli_import, files[1])   # "the other replica" imports May
            view = await v.switch("progress", "项目推进")
            return before, months(v), load.view_problems(view, "项目推进")
        finally:
            await v.close()

    try:
        load.wait_healthy(base, 120)
        before, after, problems = asyncio.run(asyncio.wait_for(go(), 300))
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert before == ["2024-06"]
    assert after == ["2024-06", "2024-05"] and problems == []
