"""Reporting units: county submissions land on their own, replace only their unit, review, 报送情况 (DOMAIN.md Part 2)."""
from __future__ import annotations

import json
import multiprocessing as mp
import os
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from data.demo.sample_ledger import write_sample_ledger
from data.ingest import import_file
from data.store import Store, StoreError
from data.store_check import check_store
from data.submissions import Settings, deadline
from metrics.dataset import Dataset
from metrics.engine import as_record, indicators_at
from tests.factories import tree_bytes, valid_frame, write_csv, write_parquet, write_xlsx

ROOT = Path(__file__).resolve().parents[1]
DEMO = Store(ROOT / "data" / "demo")
MONTH = "2025-06"


@pytest.fixture(scope="module")
def june() -> pl.DataFrame:
    return DEMO.read(MONTH)


def _county(frame: pl.DataFrame, name: str) -> pl.DataFrame:
    return frame.filter(pl.col("county") == name)


def _write(frame: pl.DataFrame, path: Path, fmt: str) -> Path:
    if fmt == "parquet":
        return write_parquet(frame, path.with_suffix(".parquet"))
    if fmt == "csv":
        return write_csv(frame, path.with_suffix(".csv"), encoding="gb18030")
    return write_sample_ledger(frame, path.with_suffix(".xlsx"))  # title rows, merged two-level headers, 合计


def _indicators(store: Store, month: str) -> dict:
    return as_record(indicators_at(Dataset.from_store(store), month))


def cli(*args, **env) -> subprocess.CompletedProcess:
    full = {k: v for k, v in os.environ.items() if k != "KPM_STORE"} | env
    p = subprocess.run([sys.executable, "-m", "data", *map(str, args)], cwd=ROOT, capture_output=True, text=True,
                       env=full, timeout=120)
    assert "Traceback" not in p.stderr, p.stderr
    return p


# ---- the month is the union of its units ---------------------------------------------------------------------------
def test_county_ledgers_one_by_one_equal_the_whole_month(tmp_path, june):
    counties = june.get_column("county").unique(maintain_order=True).to_list()
    assert len(counties) == 9
    whole = Store(tmp_path / "whole")
    assert import_file(write_parquet(june, tmp_path / "all.parquet"), store=whole).ok
    parts = Store(tmp_path / "parts")
    fmts = ["xlsx", "csv", "parquet"]
    for i, county in enumerate(reversed(counties)):  # another order than the file's
        path = _write(_county(june, county), tmp_path / f"c{i}", fmts[i % 3])
        out = import_file(path, store=parts, user=f"u{i}")
        assert out.ok, out.report()
        assert out.record["units"].keys() == {county}
    got = parts.read(MONTH).sort("project_id")
    assert_frame_equal(got, june.sort("project_id"))
    a, b = _indicators(parts, MONTH), _indicators(whole, MONTH)
    assert a.keys() == b.keys() and len(a) >= 36
    for k in a:  # the same rows in another order: sums may differ in the last bit only
        assert a[k] == pytest.approx(b[k], rel=1e-12, abs=1e-12) if a[k] is not None else b[k] is None, k
    report = parts.report(MONTH)
    assert [u.status for u in report.units] == ["published"] * 9
    assert {u.unit: u.rows for u in report.units} == {c: _county(june, c).height for c in counties}


def test_reimporting_a_unit_changes_that_unit_only(tmp_path, june):
    store = Store(tmp_path / "s")
    assert import_file(write_parquet(june, tmp_path / "all.parquet"), store=store).ok
    shimen = _county(june, "石门县")
    smaller = shimen.head(5).with_columns(pl.col("completed_investment_ytd") + 1.0)
    path = write_parquet(smaller, tmp_path / "sm.parquet")
    before = tree_bytes(store.root)
    refused = import_file(path, store=store)
    assert not refused.ok and tree_bytes(store.root) == before
    assert "石门县已有数据" in refused.report() and f"原 {shimen.height} 行 → 新 5 行" in refused.report()
    assert "移除 98 个项目" in refused.report() and "数据有变化的 5 个项目" in refused.report()
    out = import_file(path, store=store, replace=True)
    assert out.ok and out.record["action"] == "replace" and out.record["units"].keys() == {"石门县"}
    got = store.read(MONTH)
    others = june.filter(pl.col("county") != "石门县")
    assert_frame_equal(got.filter(pl.col("county") != "石门县"), others)
    assert_frame_equal(_county(got, "石门县"), smaller)
    assert len(store.history(MONTH)) == 1
    assert check_store(store).ok


def test_same_project_in_two_units_is_refused_naming_both(tmp_path):
    store = Store(tmp_path / "s")
    frame = valid_frame(6)
    jia = frame.filter(pl.col("county") == "甲县")
    assert import_file(write_parquet(jia, tmp_path / "jia.parquet"), store=store).ok
    dept = frame.filter(pl.col("county") == "乙县").with_columns(
        pl.when(pl.int_range(pl.len()) == 0).then(pl.lit(jia["project_id"][0])).otherwise(pl.col("project_id"))
        .alias("project_id"))
    before = tree_bytes(store.root)
    out = import_file(write_parquet(dept, tmp_path / "dept.parquet"), store=store, unit="市交通局")
    assert not out.ok and tree_bytes(store.root) == before
    text = out.report()
    assert f"项目编码“{jia['project_id'][0]}”" in text and "“甲县”和“市交通局”" in text


def test_a_named_unit_keeps_its_rows_apart_from_the_counties(tmp_path):
    store = Store(tmp_path / "s")
    frame = valid_frame(9)
    city = frame.filter(pl.col("project_id").is_in(["P0000", "P0004"]))
    rest = frame.filter(~pl.col("project_id").is_in(["P0000", "P0004"]))
    assert import_file(write_parquet(rest, tmp_path / "rest.parquet"), store=store).ok
    out = import_file(write_parquet(city, tmp_path / "city.parquet"), store=store, unit="市交通局")
    assert out.ok and out.record["units"]["市交通局"]["project_ids"] == ["P0000", "P0004"]
    # 甲县 re-reports its own rows: the department's 甲县 project (P0000) is not the county's to replace.
    jia = rest.filter(pl.col("county") == "甲县")
    assert import_file(write_parquet(jia, tmp_path / "jia.parquet"), store=store, replace=True).ok
    got = store.read("2024-06")
    assert sorted(got["project_id"]) == sorted(frame["project_id"])
    units = {u.unit: u.rows for u in store.report("2024-06").units}
    assert units == {"甲县": 2, "乙县": 2, "丙区": 3, "市交通局": 2}


def test_a_legacy_month_file_reads_as_county_submissions(tmp_path):
    store = Store(tmp_path / "s")
    store.root.mkdir()
    (store.root / "snapshots").mkdir()
    valid_frame(6).write_parquet(store.path_for("2024-06"))
    (store.root / "audit.jsonl").write_text(json.dumps(
        {"time": "2024-06-20T10:00:00", "user": "old", "source": "x.xlsx", "sha256": "", "stored_sha256": "",
         "rows": 6, "month": "2024-06", "action": "import"}, ensure_ascii=False) + "\n", encoding="utf-8")
    report = store.report("2024-06")
    assert [(u.unit, u.status, u.rows, u.late) for u in report.units] == [
        ("甲县", "published", 2, False), ("乙县", "published", 2, False), ("丙区", "published", 2, False)]
    again = valid_frame(6).filter(pl.col("county") == "乙县")
    assert import_file(write_parquet(again, tmp_path / "b.parquet"), store=store, replace=True).ok
    assert store.read("2024-06").height == 6


# ---- expected units, deadline, lateness ----------------------------------------------------------------------------
def test_missing_and_late_units_and_the_compact_line(tmp_path):
    store = Store(tmp_path / "s")
    may, june = valid_frame(6, "2024-05"), valid_frame(6, "2024-06")
    store.write(may, at="2024-05-20T09:00:00")
    store.write(june.filter(pl.col("county") == "甲县"), at="2024-06-25T23:59:00")
    store.write(june.filter(pl.col("county") == "乙县"), at="2024-06-26T08:00:00")
    report = store.report("2024-06")
    assert [(u.unit, u.status, u.late) for u in report.units] == [
        ("甲县", "published", False), ("乙县", "published", True), ("丙区", "missing", False)]
    assert report.line() == "2024年6月：3个单位中2个已报送（乙县逾期），丙区未报送"
    store.save_settings(store.settings().__class__(deadline_day=10, expected_units=("市交通局",)))
    report = store.report("2024-06")
    assert report.line() == "2024年6月：4个单位中2个已报送（甲县、乙县逾期），丙区、市交通局未报送"
    assert report.as_json() == {"month": "2024-06", "units": [
        {"unit": "甲县", "status": "published", "rows": 2, "submitted_at": "2024-06-25T23:59:00", "late": True},
        {"unit": "乙县", "status": "published", "rows": 2, "submitted_at": "2024-06-26T08:00:00", "late": True},
        {"unit": "丙区", "status": "missing", "rows": 0, "submitted_at": None, "late": False},
        {"unit": "市交通局", "status": "missing", "rows": 0, "submitted_at": None, "late": False}]}


def test_a_month_back_filled_after_its_deadline_is_not_late_but_one_due_after_the_store_began_is(tmp_path):
    store = Store(tmp_path / "s")
    store.write(valid_frame(6, "2024-05"), at="2025-07-01T09:00:00")   # the store begins: May and June as history
    store.write(valid_frame(6, "2024-06"), at="2025-07-01T09:05:00")
    june = store.report("2024-06")
    assert [(u.unit, u.late) for u in june.units] == [("甲县", False), ("乙县", False), ("丙区", False)]
    assert june.line() == "2024年6月：3个单位中3个已报送" and not june.late_counted
    july = valid_frame(6, "2025-07")
    store.write(july.filter(pl.col("county") == "甲县"), at="2025-07-25T18:00:00")   # due 2025-07-25: on time
    store.write(july.filter(pl.col("county") == "乙县"), at="2025-07-26T08:00:00")   # a day late
    report = store.report("2025-07")
    assert report.late_counted and report.line() == "2025年7月：3个单位中2个已报送（乙县逾期），丙区未报送"
    # as a setting: lateness from a month on, back-filled months included
    store.save_settings(Settings(late_from="2024-06"))
    assert [u.unit for u in store.report("2024-06").units if u.late] == ["甲县", "乙县", "丙区"]
    assert not any(u.late for u in store.report("2024-05").units)
    p = cli("settings", "--late-from", "auto", "--store", store.root)
    assert p.returncode == 0 and store.settings().late_from == ""
    assert not any(u.late for u in store.report("2024-06").units)
    p = cli("settings", "--store", store.root)
    assert "截止日不早于本库启用日（2025-07-01）的月份" in p.stdout
    p = cli("settings", "--late-from", "2024-13", "--store", store.root)
    assert p.returncode == 1 and "YYYY-MM" in p.stderr


def test_importing_a_past_month_today_into_a_new_store_is_not_late(tmp_path):
    """The first-hour case: the demo county's June 2024 ledger imported today (the real clock) is history."""
    store = Store(tmp_path / "s")
    from tests.helpers import DEMO_LEDGER

    assert import_file(DEMO_LEDGER, store=store, user="li").ok
    assert store.report("2024-06").line() == "2024年6月：1个单位中1个已报送"


def test_deadline_day_is_clamped_to_the_month():
    import datetime as dt

    assert deadline(dt.date(2024, 2, 1), 31) == dt.date(2024, 2, 29)
    assert deadline(dt.date(2024, 6, 1), 25) == dt.date(2024, 6, 25)
    assert deadline(dt.date(2024, 12, 1), 31) == dt.date(2024, 12, 31)


def test_submissions_cli_json(tmp_path):
    store = Store(tmp_path / "s")
    store.write(valid_frame(6, "2024-05"), at="2024-05-20T09:00:00")
    store.write(valid_frame(6, "2024-06").filter(pl.col("county") == "丙区"), at="2024-06-02T10:30:00", user="zhao")
    p = cli("submissions", "--month", "2024-06", "--store", store.root, "--format", "json")
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout) == {"month": "2024-06", "units": [
        {"unit": "丙区", "status": "published", "rows": 2, "submitted_at": "2024-06-02T10:30:00", "late": False},
        {"unit": "甲县", "status": "missing", "rows": 0, "submitted_at": None, "late": False},
        {"unit": "乙县", "status": "missing", "rows": 0, "submitted_at": None, "late": False}]}
    p = cli("submissions", "--month", "2024-06", "--store", store.root)
    assert p.stdout.splitlines()[0] == "2024年6月：3个单位中1个已报送，甲县、乙县未报送"
    p = cli("submissions", "--month", "2024-13", "--store", store.root)
    assert p.returncode == 1 and "YYYY-MM" in p.stderr


# ---- review: a reporter's ledger waits for an analyst --------------------------------------------------------------
def test_reporter_submission_is_pending_until_published(tmp_path):
    store = Store(tmp_path / "s")
    frame = valid_frame(6)
    store.write(frame.filter(pl.col("county") != "甲县"))
    before = store.read("2024-06")
    jia = frame.filter(pl.col("county") == "甲县")
    out = import_file(write_xlsx(jia, tmp_path / "jia.xlsx"), store=store, reporter_unit="甲县", user="wang")
    assert out.ok and out.record["action"] == "submit"
    assert_frame_equal(store.read("2024-06"), before)  # not in the snapshot yet
    assert [(u.unit, u.status) for u in store.report("2024-06").units if u.unit == "甲县"] == [("甲县", "pending")]
    store.publish("2024-06", "甲县", user="li")
    assert store.read("2024-06").height == 6
    u = next(u for u in store.report("2024-06").units if u.unit == "甲县")
    assert (u.status, u.submitted_by, u.rows) == ("published", "wang", 2)
    assert [r["action"] for r in store.audit()] == ["import", "submit", "publish"]
    assert check_store(store).ok


def test_reporter_rows_of_another_county_are_refused_naming_them(tmp_path):
    store = Store(tmp_path / "s")
    frame = valid_frame(4)
    before = tree_bytes(tmp_path)
    out = import_file(write_xlsx(frame, tmp_path / "f.xlsx"), store=store, reporter_unit="甲县")
    assert not out.ok
    foreign = [p for p in out.errors if p.rule == "不属于本单位"]
    assert [(p.row, p.value) for p in foreign] == [(5, "乙县"), (6, "丙区")]
    assert "您只能报送“甲县”的项目" in foreign[0].message
    assert not store.root.exists() or tree_bytes(store.root) == {k: v for k, v in before.items() if "s/" in k}


def test_returned_submission_keeps_its_reason_and_stays_out(tmp_path):
    store = Store(tmp_path / "s")
    frame = valid_frame(6)
    jia = frame.filter(pl.col("county") == "甲县")
    assert import_file(write_parquet(jia, tmp_path / "j.parquet"), store=store, reporter_unit="甲县", user="wang").ok
    with pytest.raises(StoreError, match="请写明原因"):
        store.return_submission("2024-06", "甲县", "  ")
    store.return_submission("2024-06", "甲县", "P0000 本年累计完成投资需核实", user="li")
    u = store.report("2024-06").units[0]
    assert (u.unit, u.status, u.reason) == ("甲县", "returned", "P0000 本年累计完成投资需核实")
    assert store.months() == []
    with pytest.raises(StoreError, match="没有甲县待审核的报送"):
        store.publish("2024-06", "甲县")


# ---- many writers --------------------------------------------------------------------------------------------------
def _import_county(args) -> tuple[str, bool, str]:
    root, path, go = args
    while not Path(go).exists():
        time.sleep(0.001)
    out = import_file(path, store=Store(root))
    return path, out.ok, out.report()


def test_parallel_imports_of_different_counties_all_land(tmp_path, june):
    counties = june.get_column("county").unique(maintain_order=True).to_list()[:6]
    paths = [str(write_parquet(_county(june, c), tmp_path / f"{i}.parquet")) for i, c in enumerate(counties)]
    root, go = tmp_path / "s", tmp_path / "go"
    ctx = mp.get_context("spawn")
    with ctx.Pool(6) as pool:
        ready = pool.map_async(_import_county, [(str(root), p, str(go)) for p in paths])
        go.touch()
        results = ready.get(timeout=240)
    assert all(ok for _, ok, _ in results), results
    store = Store(root)
    assert store.read(MONTH).height == sum(_county(june, c).height for c in counties)
    assert {u.unit for u in store.report(MONTH).units} == set(counties)
    assert len(store.audit()) == 6 and check_store(store).ok


def test_a_stuck_writer_makes_others_wait_a_bounded_time(tmp_path):
    store = Store(tmp_path / "s")
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time\nfrom data.store import Store\nwith Store(sys.argv[1]).lock():\n"
        "    print('held', flush=True)\n    time.sleep(60)\n"), str(store.root)], cwd=ROOT, stdout=subprocess.PIPE,
        text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        before = tree_bytes(store.root)
        with pytest.raises(StoreError, match="数据库正忙"):
            store.write(valid_frame(3), user="x", lock_timeout=0.2)
        assert tree_bytes(store.root) == before
    finally:
        holder.kill()
        holder.wait(timeout=10)
        holder.stdout.close()


# ---- the 底稿 ------------------------------------------------------------------------------------------------------
def test_template_cli_round_trips_a_unit(tmp_path, june):
    store = Store(tmp_path / "s")
    assert import_file(write_parquet(june, tmp_path / "all.parquet"), store=store).ok
    out = tmp_path / "底稿.xlsx"
    p = cli("template", "--unit", "东城区", "--month", "2025-07", "--store", store.root, "--out", out)
    assert p.returncode == 0, p.stderr
    assert "沿用2025-06已发布的 84 个项目" in p.stdout
    res = import_file(out, store=store)
    assert res.ok, res.report()
    got = store.read("2025-07")
    assert got.height == 84 and set(got["county"]) == {"东城区"}
    assert [(u.unit, u.status) for u in store.report("2025-07").units][:1] == [("东城区", "published")]
