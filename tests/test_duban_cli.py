"""`python -m data duban …` held to the issue's shape, and ids unique under parallel writers."""
from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import multiprocessing as mp
import threading
from pathlib import Path

from data import duban as DB
from data.__main__ import main
from data.store import Store
from tests.factories import tree_bytes
from tests.helpers import ROOT, run_module

ITEM_KEYS = ["id", "unit", "project_id", "source", "tier", "content", "assigned_on", "due_on", "feedback_due_on",
             "status", "overdue", "due_soon", "feedback_overdue", "closed_on", "on_time", "grade"]
FIVE = ["duban_assigned", "duban_closed", "duban_on_time_rate", "duban_overdue", "duban_feedback_overdue"]


def run(*args) -> tuple[int, str, str]:
    """The data command line in this process: exit code, stdout, stderr."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main([str(a) for a in args])
        except SystemExit as e:  # argparse's own refusals
            code = e.code
    return code, out.getvalue(), err.getvalue()


def test_the_command_line_as_a_user_runs_it(tmp_path):
    store = tmp_path / "store"
    add = run_module("data", "duban", "add", "--unit", "石门县", "--content", "协调解决用地报批", "--tier", "重大",
                     "--assigned", "2025-01-31", "--store", store)
    assert add.returncode == 0, add.stderr
    assert add.stdout.strip().splitlines()[-1] == "DB2025-0001"
    refused = run_module("data", "duban", "close", "DB2025-0001", "--grade", "优秀", "--store", store)
    assert refused.returncode != 0 and "只有单位申请办结后才能办结" in refused.stderr
    listed = run_module("data", "duban", "list", "--as-of", "2025-03-01", "--format", "json", "--store", store)
    data = json.loads(listed.stdout)
    assert data["items"][0]["due_on"] == "2025-02-28" and data["items"][0]["overdue"] is True


def test_list_json_has_exactly_the_issues_shape(tmp_path):
    s = str(tmp_path / "s")
    assert run("duban", "add", "--unit", "石门县", "--content", "甲", "--assigned", "2025-06-02", "--store", s)[0] == 0
    assert run("duban", "add", "--unit", "东城区", "--content", "乙", "--assigned", "2025-06-03", "--project", "P1",
               "--person", "李四", "--leader", "王副市长", "--co-unit", "石门县", "--co-unit", "西城区",
               "--meeting", "6月调度会", "--due", "2025-06-30", "--store", s)[0] == 0
    assert run("duban", "request-close", "DB2025-0001", "--text", "已完成", "--on", "2025-06-09", "--store", s)[0] == 0
    assert run("duban", "close", "DB2025-0001", "--grade", "良好", "--on", "2025-06-12", "--store", s)[0] == 0
    code, out, _ = run("duban", "list", "--as-of", "2025-06-20", "--format", "json", "--store", s)
    assert code == 0
    data = json.loads(out)
    assert list(data) == ["as_of", "days", "items", "units", "total"]
    assert (data["as_of"], data["days"]) == ("2025-06-20", "自然日")
    assert [list(i) for i in data["items"]] == [ITEM_KEYS, ITEM_KEYS]
    assert data["items"][0] | {} == {
        "id": "DB2025-0001", "unit": "石门县", "project_id": None, "source": "会议", "tier": "一般", "content": "甲",
        "assigned_on": "2025-06-02", "due_on": "2025-06-09", "feedback_due_on": "2025-06-05", "status": "已办结",
        "overdue": False, "due_soon": False, "feedback_overdue": False, "closed_on": "2025-06-12", "on_time": True,
        "grade": "良好"}
    second = data["items"][1]
    assert (second["project_id"], second["source"], second["due_on"], second["feedback_due_on"], second["status"],
            second["feedback_overdue"], second["on_time"]) == ("P1", "问题", "2025-06-30", "2025-06-06", "已交办",
                                                               True, None)
    assert [list(u) for u in data["units"]] == [["unit", *FIVE]] * 2
    assert [u["unit"] for u in data["units"]] == ["东城区", "石门县"]
    assert data["total"] == {"duban_assigned": 2, "duban_closed": 1, "duban_on_time_rate": 1.0, "duban_overdue": 0,
                             "duban_feedback_overdue": 1}
    code, out, _ = run("duban", "list", "--as-of", "2025-06-02", "--unit", "东城区", "--format", "json", "--store", s)
    assert json.loads(out)["items"] == [] and json.loads(out)["total"]["duban_on_time_rate"] is None


def test_dates_default_to_today_and_on_is_the_business_date(tmp_path):
    s = str(tmp_path / "s")
    today = dt.date.today()
    code, out, _ = run("duban", "add", "--unit", "石门县", "--content", "甲", "--store", s)
    item_id = out.strip().splitlines()[-1]
    assert item_id == f"DB{today.year}-0001"
    assert DB.load(Store(s)).item(item_id).assigned_on == today
    assert run("duban", "feedback", item_id, "--text", "进展", "--store", s)[0] == 0
    assert DB.load(Store(s)).item(item_id).steps[-1].on == today
    run("duban", "add", "--unit", "石门县", "--content", "乙", "--assigned", "2025-06-02", "--store", s)
    assert run("duban", "feedback", "DB2025-0001", "--text", "进展", "--on", "2025-06-04", "--store", s)[0] == 0
    rec = Store(s).audit()[-1]
    assert (rec["action"], rec["on"]) == ("duban-feedback", "2025-06-04")
    assert dt.datetime.fromisoformat(rec["time"]).date() == today  # the audit log keeps the real time


def test_refusals_say_why_in_chinese_exit_non_zero_and_change_nothing(tmp_path):
    s = str(tmp_path / "s")
    run("duban", "add", "--unit", "石门县", "--content", "甲", "--assigned", "2025-06-02", "--store", s)
    run("duban", "cancel", "DB2025-0001", "--reason", "重复", "--on", "2025-06-03", "--store", s)
    before = tree_bytes(Path(s))
    for args, says in [
        (("feedback", "DB2025-0001", "--text", "x"), "已撤销"),
        (("close", "DB2025-0009", "--grade", "优秀"), "没有督办事项“DB2025-0009”"),
        (("add", "--unit", "石门县", "--content", "x", "--assigned", "2025-02-30"), "不是有效日期"),
        (("add", "--unit", "石门县", "--content", "x", "--assigned", "2025-06-02", "--due", "2025-06-01"), "早于交办日期"),
        (("feedback", "DB2025-0001", "--text", "x", "--on", "2025/13/1"), "不是有效日期"),
        (("close", "DB2025-0001", "--grade", "满分"), "参数错误"),
        (("settings", "--days", "工作天"), "参数错误"),
    ]:
        code, out, err = run("duban", *args, "--store", s)
        assert code != 0 and says in err, (args, err)
        assert tree_bytes(Path(s)) == before, args


def test_settings_working_days_and_the_deadline_across_national_day(tmp_path):
    s = str(tmp_path / "s")
    assert run("duban", "settings", "--store", s)[1].startswith("督办天数口径：自然日")
    assert run("duban", "settings", "--days", "工作日", "--store", s)[0] == 0
    code, out, _ = run("duban", "add", "--unit", "石门县", "--content", "甲", "--assigned", "2025-09-28", "--store", s)
    assert "办理时限 2025-10-14" in out and "首次反馈时限 2025-10-09" in out
    code, out, _ = run("duban", "list", "--as-of", "2025-10-10", "--format", "json", "--store", s)
    assert json.loads(out)["days"] == "工作日"


def test_show_and_text_list_and_deadline(tmp_path):
    s = str(tmp_path / "s")
    run("duban", "add", "--unit", "石门县", "--content", "协调用地", "--assigned", "2025-06-02", "--store", s)
    assert run("duban", "deadline", "DB2025-0001", "--due", "2025-06-30", "--reason", "待省厅批复", "--on",
               "2025-06-05", "--store", s)[0] == 0
    code, out, _ = run("duban", "show", "DB2025-0001", "--store", s)
    assert "调整办理时限" in out and "2025-06-30：待省厅批复" in out
    code, out, _ = run("duban", "list", "--as-of", "2025-06-28", "--store", s)
    assert code == 0 and "临期" in out and "反馈逾期" in out and "石门县" in out


def test_suggest_on_the_demo_city_reads_without_writing():
    demo = ROOT / "data" / "demo"
    before = tree_bytes(demo)
    code, out, err = run("duban", "suggest", "--format", "json", "--store", demo)
    assert code == 0, err
    data = json.loads(out)
    assert data["month"] == Store(demo).months()[-1] and data["items"]
    assert {"project_id", "unit", "reason", "source"} <= set(data["items"][0])
    assert tree_bytes(demo) == before


# ---- parallel writers --------------------------------------------------------------------------------------------------
def _assigner(root: str, tag: str, start, inside, results) -> None:
    """One analyst assigning three items. All start together; inside the first write each waits for the others, so
    without the store's lock they would all have read the same log and chosen the same id (with it, only one is ever
    inside: its wait times out and it writes alone)."""
    from data import duban, duban_steps

    real_write = duban_steps.atomic_write_bytes
    met = []

    def meet_then_write(path, data):
        if not met:
            met.append(True)
            with contextlib.suppress(threading.BrokenBarrierError):
                inside.wait(timeout=3)
        real_write(path, data)

    duban_steps.atomic_write_bytes = meet_then_write
    store = Store(root)
    duban.load(store)  # warm up: the modules are loaded before the start
    start.wait(timeout=120)
    ids = [duban_steps.add(store, duban.Actor(tag), unit="石门县", content=f"{tag}-{k}",
                     assigned_on=dt.date(2025, 6, 2)).id for k in range(3)]
    results.put((tag, ids))


def test_parallel_assignments_get_distinct_ids_and_an_intact_log(tmp_path):
    root = str(tmp_path / "store")
    ctx = mp.get_context("spawn")
    n = 5
    start, inside, queue = ctx.Barrier(n), ctx.Barrier(n), ctx.Queue()
    procs = [ctx.Process(target=_assigner, args=(root, f"analyst{k}", start, inside, queue)) for k in range(n)]
    for p in procs:
        p.start()
    try:
        results = dict(queue.get(timeout=180) for _ in procs)
    finally:
        for p in procs:
            p.join(timeout=30)
            if p.is_alive():
                p.kill()
    assert all(p.exitcode == 0 for p in procs)
    got = [i for ids in results.values() for i in ids]
    assert sorted(got) == [f"DB2025-{k:04d}" for k in range(1, 3 * n + 1)]
    store = Store(root)
    lines = DB.log_path(store).read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    assert [r["n"] for r in records] == list(range(1, 3 * n + 1))
    ledger = DB.load(store)
    assert {i.id: (i.assigned_by, i.content) for i in ledger.items.values()} == {
        item_id: (tag, f"{tag}-{k}") for tag, ids in results.items() for k, item_id in enumerate(ids)}
    assert sorted(r["id"] for r in store.audit() if r["action"] == "duban-add") == sorted(got)


def test_the_log_bench_runs_tiny(capsys):
    from bench.duban import main as bench_main

    assert bench_main(["--items", "40", "--repeat", "1"]) == 0
    assert "40 items, 100 lines" in capsys.readouterr().out  # 40 adds and 0+1+2+3 steps for each four items: 60
