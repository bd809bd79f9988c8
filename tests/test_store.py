"""The store under concurrent imports and crashes, and `python -m data check [--repair]`."""
from __future__ import annotations

import contextlib
import json
import multiprocessing as mp
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from data.files import TMP_SUFFIX, sha256_bytes
from data.ingest import import_file
from data.store import Store
from data.store_check import check_store
from tests.factories import tree_bytes, valid_frame, write_csv, write_parquet, write_xlsx
from tests.helpers import ROOT, clean_env, run_module



def cli(*args) -> subprocess.CompletedProcess:
    return run_module("data", *args)


def assert_consistent(store: Store) -> None:
    """Every stored month is readable, its bytes hash to its last audit record, and no temp file is left over."""
    last = {}
    for rec in store.audit():
        last[rec["month"]] = rec
    for m in store.months():
        assert last[m]["action"] in ("import", "replace", "restore")
        assert sha256_bytes(store.path_for(m).read_bytes()) == last[m]["stored_sha256"], m
        store.read(m)
    assert not list(store.root.rglob(f"*{TMP_SUFFIX}"))
    assert check_store(store).ok


# ---- many imports at once ------------------------------------------------------------------------------------------
def _importer(root: str, path: str, tag: str, start, inside, results) -> None:
    """One analyst's import. It starts when every importer is ready — spawned, and warmed up by the same import into
    a scratch store (a fresh process's first import spends seconds loading modules). The June importers then meet
    once more inside the store's write, just before the month's file is written, so the race is certain: with the
    store's lock only one gets there at a time (its wait times out and it writes alone; the others, let in after,
    find the month taken); without it all five would meet there and all five would write."""
    from data import store as store_module

    with tempfile.TemporaryDirectory() as scratch:
        assert import_file(path, store=Store(scratch), user=tag).ok
    real_write = store_module.atomic_write_bytes

    def meet_then_write(target, data):
        if Path(target).name == "2024-06.parquet":
            with contextlib.suppress(threading.BrokenBarrierError):
                inside.wait(timeout=10)
        real_write(target, data)

    store_module.atomic_write_bytes = meet_then_write
    try:
        start.wait(timeout=120)  # a real barrier: nobody imports until all are here
    except threading.BrokenBarrierError:
        results.put((tag, "", False, "barrier broken: an importer never became ready"))
        return
    out = import_file(path, store=Store(root), user=tag)
    results.put((tag, out.month or "", out.ok, out.report()))


def test_parallel_imports_one_winner_per_month(tmp_path):
    files = {}
    for i in range(5):  # five analysts import June at the same moment, each a different file
        files[f"june-{i}"] = write_parquet(valid_frame(3 + i, "2024-06"), tmp_path / f"june{i}.parquet")
    for m, fmt in (("2024-03", "xlsx"), ("2024-04", "csv"), ("2024-05", "parquet")):
        f = valid_frame(4, m)
        files[f"other-{m}"] = {"xlsx": write_xlsx, "csv": write_csv, "parquet": write_parquet}[fmt](
            f, tmp_path / f"{m}.{fmt}")
    root = tmp_path / "store"
    ctx = mp.get_context("spawn")
    start, inside, queue = ctx.Barrier(len(files)), ctx.Barrier(5), ctx.Queue()
    procs = [ctx.Process(target=_importer, args=(str(root), str(p), tag, start, inside, queue))
             for tag, p in files.items()]
    for p in procs:
        p.start()
    try:
        results = [queue.get(timeout=180) for _ in procs]
    finally:
        for p in procs:
            p.join(timeout=30)
            if p.is_alive():
                p.kill()
    assert all(p.exitcode == 0 for p in procs), [p.exitcode for p in procs]
    store = Store(root)
    june = [r for r in results if r[0].startswith("june")]
    winners = [r for r in june if r[2]]
    assert len(winners) == 1, results
    for tag, month, ok, report in june:
        if not ok:
            assert "已有数据" in report, report
    assert all(r[2] for r in results if r[0].startswith("other")), results
    accepted = [r for r in results if r[2]]
    assert store.months() == ["2024-03", "2024-04", "2024-05", "2024-06"]
    audit = store.audit()
    assert len(audit) == len(accepted) == 4
    assert len((root / "audit.jsonl").read_text(encoding="utf-8").splitlines()) == 4
    assert {(r["user"], r["month"]) for r in audit} == {(t, m) for t, m, ok, _ in accepted}
    winner_tag = winners[0][0]
    assert_frame_equal(store.read("2024-06"), valid_frame(3 + int(winner_tag[-1]), "2024-06"))
    assert_consistent(store)


# ---- crashes -------------------------------------------------------------------------------------------------------
REPLACER = """
import sys
from data.ingest import import_file
from data.store import Store
store = Store(sys.argv[1])
files = sys.argv[2:]
print("ready", flush=True)
i = 0
while True:
    out = import_file(files[i % len(files)], store=store, replace=True, user="loop")
    assert out.ok, out.report()
    i += 1
"""


def test_kill_9_at_random_points_leaves_old_or_new(tmp_path):
    a, b = valid_frame(4), valid_frame(9)
    pa, pb = write_parquet(a, tmp_path / "a.parquet"), write_parquet(b, tmp_path / "b.parquet")
    store = Store(tmp_path / "store")
    assert import_file(pa, store=store).ok
    rng = random.Random(11)
    for _ in range(8):
        child = subprocess.Popen([sys.executable, "-c", REPLACER, str(store.root), str(pb), str(pa)], cwd=ROOT,
                                 stdout=subprocess.PIPE, text=True, env=clean_env())
        assert child.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.05, 0.6))
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        child.stdout.close()
        # Readers never see a half file or a temp file, whatever the moment of the kill.
        assert store.months() == ["2024-06"]
        got = store.read("2024-06")
        assert_frame_equal(got, a if got.height == 4 else b)
        assert len(store.info()) == 1
        # check may find a write that died between the rename and its audit line; repair makes it whole again.
        report = check_store(store, repair=True, user="test")
        assert report.ok and not report.unrepaired, (report.problems, report.unrepaired)
        assert_consistent(store)
        got = store.read("2024-06")
        assert_frame_equal(got, a if got.height == 4 else b)


CRASH_ONCE = """
import sys
from data.ingest import import_file
from data.store import Store
out = import_file(sys.argv[2], store=Store(sys.argv[1]), replace=True, user="crash")
print("survived", out.ok, flush=True)
"""


def _crash(store: Store, path: Path, point: str) -> subprocess.CompletedProcess:
    p = subprocess.run([sys.executable, "-c", CRASH_ONCE, str(store.root), str(path)], cwd=ROOT, capture_output=True,
                       text=True, env=clean_env(KPM_FAULT=point), timeout=60)
    assert p.returncode == 137 and "survived" not in p.stdout, (p.returncode, p.stdout, p.stderr)
    return p


@pytest.mark.parametrize("point, expect", [
    ("after_tmp_write", "old"),   # the history copy's temp file is written, nothing renamed yet
    ("after_history", "old"),     # old version copied to history, target untouched
    ("after_replace", "new"),     # target renamed into place, audit line not yet written
    ("mid_audit", "new"),         # half an audit line on disk
])
def test_injected_crash_points(tmp_path, point, expect):
    old, new = valid_frame(4), valid_frame(6)
    store = Store(tmp_path / "store")
    assert import_file(write_parquet(old, tmp_path / "old.parquet"), store=store).ok
    audit_before = store.audit()
    _crash(store, write_parquet(new, tmp_path / "new.parquet"), point)
    assert store.months() == ["2024-06"]
    assert_frame_equal(store.read("2024-06"), old if expect == "old" else new)
    assert store.audit() == audit_before  # a torn line is ignored by readers
    report = check_store(store)
    if point == "after_history":
        assert report.ok  # an extra history copy is harmless
    else:
        assert not report.ok
    p = cli("check", "--store", store.root)
    assert p.returncode == (0 if report.ok else 1), p.stdout
    p = cli("check", "--store", store.root, "--repair")
    assert p.returncode == 0, p.stdout
    assert cli("check", "--store", store.root).returncode == 0
    # The record wins: a write that never reached the audit log is rolled back to the audited version.
    assert_frame_equal(store.read("2024-06"), old)
    assert_consistent(store)
    # And the store takes the next write normally; its audit line is whole even after a torn one.
    assert import_file(write_parquet(new, tmp_path / "new.parquet"), store=store, replace=True).ok
    assert_frame_equal(store.read("2024-06"), new)
    assert store.audit()[-1]["action"] == "replace"
    assert_consistent(store)


def test_crash_on_a_fresh_month_leaves_only_a_stale_temp_file(tmp_path):
    store = Store(tmp_path / "store")
    _crash(store, write_parquet(valid_frame(3), tmp_path / "a.parquet"), "after_tmp_write")
    assert store.months() == [] and store.audit() == []
    temps = list(store.snap_dir.glob(f".*{TMP_SUFFIX}"))
    assert len(temps) == 1
    assert store.scan().collect().height == 0  # readers do not see it
    p = cli("check", "--store", store.root)
    assert p.returncode == 1 and "临时文件" in p.stdout
    p = cli("check", "--store", store.root, "--repair")
    assert p.returncode == 0 and "已删除临时文件" in p.stdout
    assert not temps[0].exists()


def test_unaudited_fresh_month_is_moved_out(tmp_path):
    store = Store(tmp_path / "store")
    _crash(store, write_parquet(valid_frame(3), tmp_path / "a.parquet"), "after_replace")
    assert store.months() == ["2024-06"] and store.audit() == []
    p = cli("check", "--store", store.root)
    assert p.returncode == 1 and "没有它的导入记录" in p.stdout
    p = cli("check", "--store", store.root, "--repair")
    assert p.returncode == 1 and "请重新导入" in p.stdout  # nothing to restore: the analyst imports again
    assert store.months() == [] and cli("check", "--store", store.root).returncode == 0
    assert list(store.history_dir.glob("2024-06.*.parquet.damaged"))
    assert import_file(write_parquet(valid_frame(3), tmp_path / "a.parquet"), store=store).ok


# ---- check and repair ----------------------------------------------------------------------------------------------
def _three_versions(tmp_path) -> tuple[Store, list[pl.DataFrame]]:
    store = Store(tmp_path / "store")
    frames = [valid_frame(n) for n in (3, 5, 7)]
    for i, f in enumerate(frames):
        assert import_file(write_parquet(f, tmp_path / f"v{i}.parquet"), store=store, replace=i > 0).ok
    assert import_file(write_parquet(valid_frame(2, "2024-05"), tmp_path / "may.parquet"), store=store).ok
    return store, frames


def test_truncated_file_reported_then_restored(tmp_path):
    store, frames = _three_versions(tmp_path)
    target = store.path_for("2024-06")
    data = target.read_bytes()
    target.write_bytes(data[: len(data) // 2])
    p = cli("check", "--store", store.root)
    assert p.returncode == 1 and "2024-06" in p.stdout and "无法读取" in p.stdout and "--repair" in p.stdout
    assert "2024-05" not in "".join(line for line in p.stdout.splitlines() if line.startswith("问题"))
    p = cli("check", "--store", store.root, "--repair")
    assert p.returncode == 0 and "已从历史版本" in p.stdout, p.stdout
    assert cli("check", "--store", store.root).returncode == 0
    # The audited version (the third) had no intact copy: the newest intact history version comes back.
    assert_frame_equal(store.read("2024-06"), frames[1])
    rec = store.audit()[-1]
    assert rec["action"] == "restore" and rec["month"] == "2024-06" and rec["rows"] == 5
    assert rec["stored_sha256"] == sha256_bytes(target.read_bytes())
    assert store.info()[-1].rows == 5
    assert list(store.history_dir.glob("2024-06.*.parquet.damaged"))  # the damaged file is kept, not deleted


def test_tampered_file_restored_to_the_audited_version(tmp_path):
    store, frames = _three_versions(tmp_path)
    good = store.path_for("2024-06").read_bytes()
    # Someone edits the month by hand: a valid snapshot, but not what the audit log recorded.
    valid_frame(7).with_columns(pl.lit(1.0).alias("total_investment")).write_parquet(store.path_for("2024-06"))
    report = check_store(store)
    [problem] = report.problems
    assert not report.ok and problem.startswith("2024-06：文件内容与最近一次操作记录（") and problem.endswith(
        " replace）的校验值不一致，可能在写入后被改动，或写入中途崩溃。")
    # The audited bytes exist in history only if a later replace put them there: here they don't, so the
    # newest intact history version is restored and the audit log says so.
    store.history_dir.joinpath("2024-06.99990101T000000000000.parquet").write_bytes(good)
    report = check_store(store, repair=True, user="op")
    assert report.ok and report.repaired == [
        "2024-06：已从历史版本 2024-06.99990101T000000000000.parquet 恢复（与最近一次操作记录一致）。"]
    assert store.path_for("2024-06").read_bytes() == good
    assert_frame_equal(store.read("2024-06"), frames[2])


def test_wrong_schema_and_missing_file(tmp_path):
    store, frames = _three_versions(tmp_path)
    pl.DataFrame({"x": [1]}).write_parquet(store.path_for("2024-06"))
    store.path_for("2024-05").unlink()
    report = check_store(store)
    assert not report.ok and report.problems == ["2024-06：列结构不是标准快照结构（x:Int64…）。",
                                                 "2024-05：操作记录中有该月数据，但文件不见了。"]
    report = check_store(store, repair=True)
    # June comes back from history; May has no history: it cannot come back and is struck off, said so.
    assert report.ok and report.unrepaired == ["2024-05：文件缺失，且没有完好的历史版本，已从库中除名：请重新导入该月台账。"]
    [restored] = report.repaired
    assert restored.startswith("2024-06：已从历史版本 2024-06.") and restored.endswith(
        ".parquet 恢复（最近一次记录的版本已无完好副本，恢复为最新的完好版本）。")
    assert check_store(store).ok and store.months() == ["2024-06"]
    assert_frame_equal(store.read("2024-06"), frames[1])
    assert [(r["action"], r["month"]) for r in store.audit()[-2:]] == [("restore", "2024-06"), ("delete", "2024-05")]


def test_check_of_the_shipped_demo_writes_nothing():
    from data.store import DEMO_DIR

    before = tree_bytes(DEMO_DIR)
    p = cli("check", "--store", DEMO_DIR)
    assert p.returncode == 0 and "检查通过" in p.stdout and "24 个月" in p.stdout
    assert tree_bytes(DEMO_DIR) == before


def test_check_missing_store(tmp_path):
    p = cli("check", "--store", tmp_path / "nope")
    assert p.returncode == 1 and "不存在" in p.stdout


def test_torn_audit_line_does_not_swallow_the_next_record(tmp_path):
    store = Store(tmp_path / "store")
    assert import_file(write_parquet(valid_frame(3, "2024-05"), tmp_path / "a.parquet"), store=store).ok
    with open(store.audit_path, "ab") as fh:
        fh.write(b'{"time": "2024-07-01T00:00:00", "user": "x", "mon')  # a crash mid-append
    assert import_file(write_parquet(valid_frame(3), tmp_path / "b.parquet"), store=store).ok
    assert [r["month"] for r in store.audit()] == ["2024-05", "2024-06"]
    report = check_store(store)
    assert report.ok and any("不完整" in w for w in report.warnings)
    lines = store.audit_path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3 and json.loads(lines[-1])["month"] == "2024-06"
