"""督办事项: the log and its replay, every step and every refusal (a refused step leaves the store byte-identical),
who may act, 按期办结, the five indicators as of a date on a hand-built log, and 建议交办. Expected values are
written out by hand."""
from __future__ import annotations

import datetime as dt
import json

import pytest

from data import duban as DB
from data import duban_steps as ST
from data.duban import Actor
from data.store import Store
from data.submissions import Settings
from metrics.dataset import Dataset
from metrics.duban import item_rows, listing, suggestions
from tests.factories import snapshot, store_of, tree_bytes, valid_frame

D = dt.date
ANALYST = Actor("王分析", "analyst")
SHIMEN = Actor("石门填报", "reporter", "石门县")
DONGCHENG = Actor("东城填报", "reporter", "东城区")


@pytest.fixture
def store(tmp_path) -> Store:
    s = Store(tmp_path / "store")
    s.save_settings(Settings(expected_units=("石门县", "东城区", "西城区")), user="setup")
    return s


def add(store, unit="石门县", on=D(2025, 6, 2), **kw):
    return ST.add(store, ANALYST, unit=unit, content=kw.pop("content", "协调解决用地报批"), assigned_on=on, **kw)


# ---- ids, the log, replay ---------------------------------------------------------------------------------------------
def test_ids_run_per_year_of_the_assignment_date(store):
    ids = [add(store, on=d).id for d in (D(2025, 6, 2), D(2025, 6, 3), D(2024, 12, 30), D(2025, 1, 2))]
    assert ids == ["DB2025-0001", "DB2025-0002", "DB2024-0001", "DB2025-0003"]


def test_a_meeting_decision_for_several_units_gives_one_item_each(store):
    items = ST.assign(store, ANALYST, units=["石门县", "东城区"], content="加快征迁", co_units=["西城区", "东城区"],
                      meeting="2025年6月全市重点项目调度会", assigned_on=D(2025, 6, 2), tier="重大")
    assert [(i.id, i.unit, i.co_units, i.due_on, i.source) for i in items] == [
        ("DB2025-0001", "石门县", ("西城区", "东城区"), D(2025, 7, 2), "会议"),
        ("DB2025-0002", "东城区", ("西城区",), D(2025, 7, 2), "会议")]
    assert len(DB.log_path(store).read_text(encoding="utf-8").splitlines()) == 2


def test_the_whole_path_replays_to_each_days_state(store):
    item = add(store)  # 一般, 自然日: due 06-09, first feedback 06-05
    ST.feedback(store, SHIMEN, item.id, "已对接自然资源局", on=D(2025, 6, 4))
    ST.request_close(store, SHIMEN, item.id, "用地已批复", on=D(2025, 6, 6))
    ST.return_item(store, ANALYST, item.id, "缺批复文件", on=D(2025, 6, 7))
    ST.request_close(store, SHIMEN, item.id, "已补批复文件", on=D(2025, 6, 9))
    ST.close(store, ANALYST, item.id, "良好", on=D(2025, 6, 12))
    got = DB.load(store).item(item.id)
    expected = {D(2025, 6, 3): "已交办", D(2025, 6, 4): "办理中", D(2025, 6, 6): "申请办结", D(2025, 6, 8): "办理中",
                D(2025, 6, 9): "申请办结", D(2025, 6, 12): "已办结", D(2026, 1, 1): "已办结"}
    assert {d: got.at(d).status for d in expected} == expected
    assert got.at(D(2025, 6, 8)).returned_reason == "缺批复文件"
    final = got.at()
    assert (final.first_feedback_on, final.requested_on, final.closed_on, final.grade) == (
        D(2025, 6, 4), D(2025, 6, 9), D(2025, 6, 12), "良好")
    assert [(s.zh, s.user) for s in got.steps] == [("反馈", "石门填报"), ("申请办结", "石门填报"), ("退回", "王分析"),
                                                   ("申请办结", "石门填报"), ("办结", "王分析")]
    assert got.assigned_by == "王分析"


def test_every_step_is_audit_logged_with_the_real_time_and_the_business_date(store):
    before = dt.datetime.now().replace(microsecond=0)
    item = add(store)
    ST.feedback(store, SHIMEN, item.id, "进展", on=D(2025, 6, 4))
    ST.cancel(store, ANALYST, item.id, "并入其他事项", on=D(2025, 6, 5))
    recs = [r for r in store.audit() if r["action"].startswith("duban-")]
    assert [(r["action"], r["user"], r["on"], r["id"]) for r in recs] == [
        ("duban-add", "王分析", "2025-06-02", "DB2025-0001"), ("duban-feedback", "石门填报", "2025-06-04", "DB2025-0001"),
        ("duban-cancel", "王分析", "2025-06-05", "DB2025-0001")]
    assert all(dt.datetime.fromisoformat(r["time"]) >= before for r in recs)
    assert recs[-1]["text"] == "并入其他事项"
    log = [json.loads(line) for line in DB.log_path(store).read_text(encoding="utf-8").splitlines()]
    assert [r["n"] for r in log] == [1, 2, 3] and log[2]["step"] == "cancel"


def test_the_due_date_is_fixed_when_assigned(store):
    first = add(store, on=D(2025, 9, 30))                    # 自然日: 10-07
    ST.set_days(store, ANALYST, "工作日")
    second = add(store, on=D(2025, 9, 30))                   # 工作日 across 国庆: 10-16, feedback 10-11
    ledger = DB.load(store)
    assert ledger.days == "工作日"
    assert (ledger.item(first.id).due_on, ledger.item(first.id).feedback_due_on) == (D(2025, 10, 7), D(2025, 10, 3))
    assert (ledger.item(second.id).due_on, ledger.item(second.id).feedback_due_on) == (D(2025, 10, 16), D(2025, 10, 11))
    ST.set_days(store, ANALYST, "自然日")
    assert DB.load(store).item(second.id).due_on == D(2025, 10, 16)


def test_a_due_date_set_by_hand_wins_over_the_tier(store):
    item = add(store, tier="重大", due_on=D(2025, 6, 20))
    assert (item.due_on, item.due_by_hand, item.feedback_due_on) == (D(2025, 6, 20), True, D(2025, 6, 5))


def test_a_changed_deadline_holds_from_its_date_and_leaves_the_feedback_due_date(store):
    item = add(store)  # due 06-09
    ST.change_due(store, ANALYST, item.id, D(2025, 6, 20), "需省厅批复", on=D(2025, 6, 8))
    got = DB.load(store).item(item.id)
    assert (got.at(D(2025, 6, 7)).due_on, got.at(D(2025, 6, 8)).due_on, got.feedback_due_on) == (
        D(2025, 6, 9), D(2025, 6, 20), D(2025, 6, 5))
    rows = {d: item_rows(DB.load(store), d).row(0, named=True) for d in (D(2025, 6, 8), D(2025, 6, 10))}
    assert rows[D(2025, 6, 10)]["overdue"] is False and rows[D(2025, 6, 10)]["due_on"] == D(2025, 6, 20)
    ST.request_close(store, ANALYST, item.id, "完成", on=D(2025, 6, 15))
    ST.close(store, ANALYST, item.id, "合格", on=D(2025, 6, 16))
    assert item_rows(DB.load(store), D(2025, 6, 30)).row(0, named=True)["on_time"] is True  # 06-15 ≤ the new 06-20


# ---- 按期办结 -------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("steps, on_time", [
    ([("request_close", D(2025, 6, 9)), ("close", D(2025, 6, 16))], True),    # asked on the due day, reviewed later
    ([("request_close", D(2025, 6, 10)), ("close", D(2025, 6, 10))], False),  # asked a day late
    ([("request_close", D(2025, 6, 8)), ("return", D(2025, 6, 9)), ("request_close", D(2025, 6, 12)),
      ("close", D(2025, 6, 13))], False),                                      # the accepted request was late
    ([("request_close", D(2025, 6, 3)), ("return", D(2025, 6, 10))], None),  # not closed: neither
])
def test_on_time_is_the_accepted_request_against_the_due_date(store, steps, on_time):
    item = add(store)  # due 2025-06-09
    for step, on in steps:
        ST.take_step(store, ANALYST, item.id, step, on=on, text="结果", grade="优秀")
    row = item_rows(DB.load(store), D(2025, 7, 1)).row(0, named=True)
    assert row["on_time"] is on_time


# ---- the five indicators on a hand-built log ---------------------------------------------------------------------------
def _hand_built(store) -> dict[str, str]:
    """Items in 自然日 (ids by letter); what each is as of 06-14 and 06-20 is worked out in the tests below."""
    ids = {}

    def new(key, unit, on, **kw):
        ids[key] = ST.add(store, ANALYST, unit=unit, content=f"事项{key}", assigned_on=on, **kw).id

    def step(key, name, on, **kw):
        ST.take_step(store, ANALYST, ids[key], name, on=on, text="文字", **kw)

    new("A", "石门县", D(2025, 6, 2))                      # due 06-09, feedback due 06-05
    step("A", "feedback", D(2025, 6, 4))
    step("A", "request_close", D(2025, 6, 9))
    step("A", "close", D(2025, 6, 15), grade="优秀")        # on time: asked on 06-09, reviewed after the due date
    new("B", "石门县", D(2025, 6, 3))                      # due 06-10
    step("B", "request_close", D(2025, 6, 12))
    step("B", "close", D(2025, 6, 13), grade="合格")        # late
    new("C", "石门县", D(2025, 6, 5))                      # due 06-12, feedback due 06-08: never answered
    new("E", "石门县", D(2025, 6, 10))                     # due 06-17, feedback due 06-13
    step("E", "cancel", D(2025, 6, 15))
    new("F", "东城区", D(2025, 6, 1))                      # due 06-08
    step("F", "feedback", D(2025, 6, 3))
    step("F", "cancel", D(2025, 6, 25))                    # cancelled after 06-20
    new("G", "东城区", D(2025, 6, 18))                     # due 06-25, feedback due 06-21
    new("H", "东城区", D(2025, 6, 25))                     # after both dates: never listed
    new("I", "东城区", D(2025, 6, 15))                     # due 06-22: 临期 on 06-20; feedback due 06-18
    step("I", "feedback", D(2025, 6, 19))                  # late feedback still ends 反馈逾期
    new("J", "西城区", D(2025, 6, 16), due_on=D(2025, 6, 19))
    step("J", "request_close", D(2025, 6, 18))             # asked in time but not reviewed by 06-20: 逾期 all the same
    new("K", "汇川区", D(2025, 6, 19))                      # nothing closed or overdue: its rate is null
    return ids


@pytest.fixture
def hand_store(tmp_path) -> tuple[Store, dict[str, str]]:
    s = Store(tmp_path / "hand")  # a new store knows no unit: names are taken as written
    return s, _hand_built(s)


def test_items_as_of_june_20(hand_store):
    store, ids = hand_store
    data = listing(DB.load(store), D(2025, 6, 20))
    by = {next(k for k, v in ids.items() if v == r["id"]): r for r in data["items"]}
    assert list(by) == ["A", "B", "C", "E", "F", "G", "I", "J", "K"]
    assert {k: r["status"] for k, r in by.items()} == {
        "A": "已办结", "B": "已办结", "C": "已交办", "E": "已撤销", "F": "办理中", "G": "已交办", "I": "办理中",
        "J": "申请办结", "K": "已交办"}
    flags = {k: (r["overdue"], r["due_soon"], r["feedback_overdue"], r["on_time"]) for k, r in by.items()}
    assert flags == {"A": (False, False, False, True), "B": (False, False, False, False),
                     "C": (True, False, True, None), "E": (False, False, False, None),
                     "F": (True, False, False, None), "G": (False, False, False, None),
                     "I": (False, True, False, None), "J": (True, False, False, None),
                     "K": (False, False, False, None)}
    assert (by["A"]["closed_on"], by["A"]["grade"], by["C"]["closed_on"], by["C"]["grade"]) == (
        "2025-06-15", "优秀", None, None)
    units = {u["unit"]: {k: v for k, v in u.items() if k != "unit"} for u in data["units"]}
    assert units == {
        "石门县": dict(duban_assigned=3, duban_closed=2, duban_on_time_rate=1 / 3, duban_overdue=1,
                    duban_feedback_overdue=1),
        "东城区": dict(duban_assigned=3, duban_closed=0, duban_on_time_rate=0.0, duban_overdue=1,
                    duban_feedback_overdue=0),
        "西城区": dict(duban_assigned=1, duban_closed=0, duban_on_time_rate=0.0, duban_overdue=1,
                    duban_feedback_overdue=0),
        "汇川区": dict(duban_assigned=1, duban_closed=0, duban_on_time_rate=None, duban_overdue=0,
                    duban_feedback_overdue=0)}
    assert [u["unit"] for u in data["units"]] == sorted(units)
    assert data["total"] == dict(duban_assigned=8, duban_closed=2, duban_on_time_rate=0.2, duban_overdue=3,
                                 duban_feedback_overdue=1)


def test_items_as_of_june_14(hand_store):
    store, ids = hand_store
    data = listing(DB.load(store), D(2025, 6, 14))
    by = {next(k for k, v in ids.items() if v == r["id"]): r for r in data["items"]}
    assert list(by) == ["A", "B", "C", "E", "F"]
    assert {k: (r["status"], r["overdue"], r["feedback_overdue"]) for k, r in by.items()} == {
        "A": ("申请办结", True, False), "B": ("已办结", False, False), "C": ("已交办", True, True),
        "E": ("已交办", False, True), "F": ("办理中", True, False)}
    assert {u["unit"]: (u["duban_assigned"], u["duban_closed"], u["duban_on_time_rate"], u["duban_overdue"],
                        u["duban_feedback_overdue"]) for u in data["units"]} == {
        "石门县": (4, 1, 0.0, 2, 2), "东城区": (1, 0, 0.0, 1, 0)}
    assert data["total"] == dict(duban_assigned=5, duban_closed=1, duban_on_time_rate=0.0, duban_overdue=3,
                                 duban_feedback_overdue=2)


def test_one_units_listing_and_a_day_before_anything(hand_store):
    store, _ = hand_store
    mine = listing(DB.load(store), D(2025, 6, 20), "东城区")
    assert [u["unit"] for u in mine["units"]] == ["东城区"] and len(mine["items"]) == 3
    assert mine["total"]["duban_assigned"] == 3
    empty = listing(DB.load(store), D(2025, 5, 31))
    assert (empty["items"], empty["units"]) == ([], [])
    assert empty["total"] == dict(duban_assigned=0, duban_closed=0, duban_on_time_rate=None, duban_overdue=0,
                                  duban_feedback_overdue=0)


def test_the_day_boundaries_of_overdue_and_feedback_overdue(store):
    item = add(store)  # due 06-09, first feedback due 06-05
    ST.feedback(store, ANALYST, item.id, "进展", on=D(2025, 6, 7))
    flags = {d: item_rows(DB.load(store), d).select("overdue", "due_soon", "feedback_overdue").row(0)
             for d in (D(2025, 6, 5), D(2025, 6, 6), D(2025, 6, 7), D(2025, 6, 9), D(2025, 6, 10))}
    assert flags == {D(2025, 6, 5): (False, False, False), D(2025, 6, 6): (False, False, True),
                     D(2025, 6, 7): (False, True, False), D(2025, 6, 9): (False, True, False),
                     D(2025, 6, 10): (True, False, False)}


def test_due_soon_in_working_days_uses_the_setting_in_force(store):
    ST.set_days(store, ANALYST, "工作日")
    item = add(store, on=D(2025, 9, 26), due_on=D(2025, 10, 9))  # a Friday; due the first workday after 国庆
    assert [item_rows(DB.load(store), d).row(0, named=True)["due_soon"]
            for d in (D(2025, 9, 28), D(2025, 9, 29), D(2025, 10, 9), D(2025, 10, 10))] == [False, True, True, False]
    ST.set_days(store, ANALYST, "自然日")
    assert item_rows(DB.load(store), D(2025, 9, 30)).row(0, named=True)["due_soon"] is False  # 9 calendar days


# ---- refusals: each leaves the store byte-identical ---------------------------------------------------------------------
def _prepared(store) -> dict[str, str]:
    """Items in every state."""
    ids = {"new": add(store).id, "working": add(store).id, "asked": add(store).id, "closed": add(store).id,
           "cancelled": add(store).id, "other": add(store, unit="东城区").id}
    ST.feedback(store, ANALYST, ids["working"], "进展", on=D(2025, 6, 5))
    ST.request_close(store, ANALYST, ids["asked"], "结果", on=D(2025, 6, 5))
    ST.request_close(store, ANALYST, ids["closed"], "结果", on=D(2025, 6, 5))
    ST.close(store, ANALYST, ids["closed"], "优秀", on=D(2025, 6, 6))
    ST.cancel(store, ANALYST, ids["cancelled"], "重复交办", on=D(2025, 6, 3))
    return ids


REFUSED = [
    ("close an item nobody asked to close", lambda s, i: ST.close(s, ANALYST, i["working"], "优秀"), "申请办结后"),
    ("return an item not asked to close", lambda s, i: ST.return_item(s, ANALYST, i["new"], "x"), "申请办结后"),
    ("feedback on a cancelled item", lambda s, i: ST.feedback(s, ANALYST, i["cancelled"], "x"), "已撤销"),
    ("feedback on a closed item", lambda s, i: ST.feedback(s, ANALYST, i["closed"], "x"), "已办结"),
    ("feedback while awaiting review", lambda s, i: ST.feedback(s, ANALYST, i["asked"], "x"), "等待市里审核"),
    ("ask twice", lambda s, i: ST.request_close(s, ANALYST, i["asked"], "x"), "等待市里审核"),
    ("close twice", lambda s, i: ST.close(s, ANALYST, i["closed"], "优秀"), "已办结"),
    ("cancel a cancelled item", lambda s, i: ST.cancel(s, ANALYST, i["cancelled"], "x"), "已撤销"),
    ("cancel a closed item", lambda s, i: ST.cancel(s, ANALYST, i["closed"], "x"), "已办结"),
    ("move a closed item's deadline", lambda s, i: ST.change_due(s, ANALYST, i["closed"], D(2025, 7, 1), "x"), "已办结"),
    ("the same deadline again", lambda s, i: ST.change_due(s, ANALYST, i["new"], D(2025, 6, 9), "x"), "已是"),
    ("a deadline before the assignment",
     lambda s, i: ST.change_due(s, ANALYST, i["new"], D(2025, 6, 1), "x"), "早于交办日期"),
    ("a deadline change without reason",
     lambda s, i: ST.change_due(s, ANALYST, i["new"], D(2025, 7, 1), " "), "原因"),
    ("an unknown id", lambda s, i: ST.feedback(s, ANALYST, "DB2025-0999", "x"), "没有督办事项"),
    ("a date before the assignment",
     lambda s, i: ST.feedback(s, ANALYST, i["new"], "x", on=D(2025, 6, 1)), "早于督办事项"),
    ("a date before the previous step",
     lambda s, i: ST.request_close(s, ANALYST, i["working"], "x", on=D(2025, 6, 4)), "早于该事项上一步"),
    ("feedback without text", lambda s, i: ST.feedback(s, ANALYST, i["new"], "  "), "反馈内容"),
    ("return without reason", lambda s, i: ST.return_item(s, ANALYST, i["asked"], ""), "退回原因"),
    ("cancel without reason", lambda s, i: ST.cancel(s, ANALYST, i["new"], ""), "撤销原因"),
    ("a grade that does not exist", lambda s, i: ST.close(s, ANALYST, i["asked"], "满分"), "优秀、良好、合格、不合格"),
    ("an unknown unit", lambda s, i: add(s, unit="不存在县"), "不是库中的报送单位"),
    ("an unknown co-unit", lambda s, i: add(s, co_units=["东城区", "无此局"]), "无此局"),
    ("no content", lambda s, i: add(s, content=" "), "事项内容"),
    ("a tier that does not exist", lambda s, i: add(s, tier="紧急"), "一般、重大"),
    ("a source that does not exist", lambda s, i: add(s, source="群众"), "问题、会议、预警"),
    ("a due date before the assignment", lambda s, i: add(s, due_on=D(2025, 6, 1)), "早于交办日期"),
    ("a reporter assigns", lambda s, i: ST.add(s, SHIMEN, unit="石门县", content="x"), "只有分析员可以交办"),
    ("a reporter closes its own item", lambda s, i: ST.close(s, SHIMEN, i["asked"], "优秀"), "只有分析员可以办结"),
    ("a reporter returns", lambda s, i: ST.return_item(s, SHIMEN, i["asked"], "x"), "只有分析员"),
    ("a reporter cancels", lambda s, i: ST.cancel(s, SHIMEN, i["new"], "x"), "只有分析员"),
    ("a reporter moves a deadline", lambda s, i: ST.change_due(s, SHIMEN, i["new"], D(2025, 7, 1), "x"), "只有分析员"),
    ("a reporter answers another unit's item",
     lambda s, i: ST.feedback(s, DONGCHENG, i["new"], "x"), "承办单位是石门县，东城区的填报员不能反馈"),
    ("a reporter asks to close another unit's item",
     lambda s, i: ST.request_close(s, SHIMEN, i["other"], "x"), "承办单位是东城区"),
    ("a reporter changes the day setting", lambda s, i: ST.set_days(s, SHIMEN, "工作日"), "只有分析员"),
    ("a day setting that does not exist", lambda s, i: ST.set_days(s, ANALYST, "工作天"), "自然日 或 工作日"),
]


@pytest.mark.parametrize("what, attempt, says", REFUSED, ids=[r[0] for r in REFUSED])
def test_a_refused_step_changes_nothing(store, what, attempt, says):
    ids = _prepared(store)
    before = tree_bytes(store.root)
    with pytest.raises(DB.DubanError) as e:
        attempt(store, ids)
    assert says in str(e.value)
    assert tree_bytes(store.root) == before


def test_a_working_day_deadline_beyond_the_calendar_is_refused_and_changes_nothing(store):
    add(store)
    ST.set_days(store, ANALYST, "工作日")
    before = tree_bytes(store.root)
    with pytest.raises(DB.DubanError, match="只知道 2004–") as e:
        add(store, on=D(2099, 3, 2))
    assert "交办日期 2099-03-02" in str(e.value)
    assert tree_bytes(store.root) == before


def test_an_unknown_project_is_refused_where_the_store_has_ledgers(tmp_path):
    from data.ingest import import_file
    from tests.factories import write_parquet

    s = Store(tmp_path / "s")
    assert import_file(write_parquet(valid_frame(3), tmp_path / "l.parquet"), store=s).ok
    assert add(s, unit=valid_frame(3)["county"][0], project_id="P0000").source == "问题"
    before = tree_bytes(s.root)
    with pytest.raises(DB.DubanError, match="没有项目编码为“P9999”"):
        add(s, unit=valid_frame(3)["county"][0], project_id="P9999")
    assert tree_bytes(s.root) == before


def test_a_reporter_answers_its_own_units_items(store):
    item = add(store)
    ST.feedback(store, SHIMEN, item.id, "进展", on=D(2025, 6, 3))
    ST.request_close(store, SHIMEN, item.id, "结果", on=D(2025, 6, 4))
    assert DB.load(store).item(item.id).at().status == "申请办结"
    assert DB.refusal(SHIMEN, "feedback", DB.load(store).item(item.id)) is None
    assert DB.refusal(DONGCHENG, "feedback", DB.load(store).item(item.id)) is not None


def test_a_damaged_log_line_is_reported_never_skipped(store):
    add(store)
    with open(DB.log_path(store), "ab") as fh:
        fh.write(b'{"n": 2, "step": "feedb\n')
    with pytest.raises(DB.DubanError, match="第 2 行已损坏"):
        DB.load(store)


# ---- 建议交办 -------------------------------------------------------------------------------------------------------------
def _p(pid, **kw):
    """A project on schedule (ytd 60 of a plan of 100 by June: green) unless told otherwise."""
    return {"project_id": pid, "county": kw.pop("county", "甲县"), "completed_investment_ytd": 60.0, **kw}


def test_suggestions_from_streaks_and_two_red_months(tmp_path):
    problem = {"problems": "征地未完成"}
    red_may = {"plan_investment_year": 100.0, "completed_investment_ytd": 5.0}    # lag 5/12 − 0.05 > 0.30
    red_june = {"plan_investment_year": 100.0, "completed_investment_ytd": 10.0}  # lag 0.5 − 0.10 > 0.30
    green_may = {"plan_investment_year": 100.0, "completed_investment_ytd": 40.0}
    frames = [
        snapshot("2025-04", _p("S3", **problem), _p("PRE", build_type="前期", **problem), _p("OPEN", **problem),
                 _p("DONE", **problem), _p("S2")),
        snapshot("2025-05", _p("S3", **problem), _p("PRE", build_type="前期", **problem), _p("OPEN", **problem),
                 _p("DONE", **problem), _p("S2", **problem), _p("RR", **red_may), _p("R1", **green_may)),
        snapshot("2025-06", _p("S3", **problem), _p("PRE", build_type="前期", **problem), _p("OPEN", **problem),
                 _p("DONE", **problem), _p("S2", **problem), _p("RR", county="乙县", **red_june),
                 _p("R1", **red_june)),
    ]
    ds = Dataset.from_frame(store_of(*frames))
    s = Store(tmp_path / "s")
    open_item = ST.add(s, ANALYST, unit="甲县", content="x", project_id="OPEN", assigned_on=D(2025, 6, 3))
    done = ST.add(s, ANALYST, unit="甲县", content="x", project_id="DONE", assigned_on=D(2025, 6, 3))
    ST.request_close(s, ANALYST, done.id, "结果", on=D(2025, 6, 5))
    ST.close(s, ANALYST, done.id, "合格", on=D(2025, 6, 6))
    got = suggestions(ds, "2025-06", DB.load(s), as_of=D(2025, 6, 30), units={"RR": "市交通局"})
    assert sorted(got["project_id"].to_list()) == ["DONE", "RR", "S3"]
    rows = {r["project_id"]: r for r in got.iter_rows(named=True)}
    assert (rows["S3"]["unit"], rows["S3"]["problem_months"], rows["S3"]["source"]) == ("甲县", 3, "问题")
    assert "问题已连续报告3个月" in rows["S3"]["reason"]
    assert (rows["RR"]["unit"], rows["RR"]["source"]) == ("市交通局", "预警")
    assert "2025-05、2025-06连续红灯" in rows["RR"]["reason"]
    # Before the open item was assigned, OPEN is suggested too; the month before, S3's streak is only 2.
    assert "OPEN" in suggestions(ds, "2025-06", DB.load(s), as_of=D(2025, 6, 2))["project_id"].to_list()
    assert suggestions(ds, "2025-05", DB.load(s), as_of=D(2025, 6, 2)).height == 0
    assert open_item.project_id == "OPEN"


def test_what_phase_two_reads(tmp_path):
    from data.ingest import import_file
    from metrics.duban import for_unit
    from tests.factories import write_parquet

    s = Store(tmp_path / "s")
    frame = valid_frame(3)  # P0001 reports 征地拆迁未完成, leader 张伟
    assert import_file(write_parquet(frame, tmp_path / "l.parquet"), store=s).ok
    pre = ST.project_prefill(s, "P0001")
    assert (pre["unit"], pre["content"], pre["leader"], pre["month"]) == (frame["county"][1], "征地拆迁未完成", "张伟",
                                                                         "2024-06")
    with pytest.raises(DB.DubanError, match="P9"):
        ST.project_prefill(s, "P9")
    unit = pre["unit"]
    done = ST.add(s, ANALYST, unit=unit, content="甲", assigned_on=D(2025, 6, 2))
    late = ST.add(s, ANALYST, unit=unit, content="乙", assigned_on=D(2025, 6, 5))
    soon = ST.add(s, ANALYST, unit=unit, content="丙", assigned_on=D(2025, 6, 3))
    ST.request_close(s, ANALYST, done.id, "结果", on=D(2025, 6, 4))
    ST.close(s, ANALYST, done.id, "优秀", on=D(2025, 6, 5))
    assert for_unit(DB.load(s), unit, D(2025, 6, 8))["id"].to_list() == [soon.id, late.id, done.id]
    hist = DB.load(s).item(done.id).history()
    assert [(h["on"], h["step"], h["user"], h["text"]) for h in hist] == [
        (D(2025, 6, 2), "交办", "王分析", "甲"), (D(2025, 6, 4), "申请办结", "王分析", "结果"),
        (D(2025, 6, 5), "办结", "王分析", "优秀")]
