"""督办事项: what an item is, its states and steps, who may take which, and the replay of the append-only log kept
with the store (duban.jsonl) that gives every item's state as of any date. The writes are in data/duban_steps.py."""
from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from data.accounts.roles import ANALYST, REPORTER
from data.duban_days import CALENDAR_DAYS
from data.store import Store, StoreError

LOG_NAME = "duban.jsonl"
ASSIGNED, WORKING, REQUESTED, CLOSED, CANCELLED = "已交办", "办理中", "申请办结", "已办结", "已撤销"
OPEN_STATES = (ASSIGNED, WORKING, REQUESTED)
STATES = (*OPEN_STATES, CLOSED, CANCELLED)
SOURCES = ("问题", "会议", "预警")
GRADES = ("优秀", "良好", "合格", "不合格")
_ID_RE = re.compile(r"^DB(\d{4})-(\d{4,})$")


class DubanError(StoreError):
    """A refused 督办 step, with a message in Chinese; nothing was written."""


# ---- steps and who may take them ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class StepRule:
    """One step of an item's life: its Chinese name, the states it may follow, the state it leads to (None: the
    state stays), whether the item's own unit may take it, and what it must carry."""

    zh: str
    after: tuple[str, ...]
    to: str | None
    unit_may: bool
    needs: str  # text | reason | grade | due


STEPS: dict[str, StepRule] = {
    "feedback": StepRule("反馈", (ASSIGNED, WORKING), WORKING, True, "text"),
    "request_close": StepRule("申请办结", (ASSIGNED, WORKING), REQUESTED, True, "text"),
    "close": StepRule("办结", (REQUESTED,), CLOSED, False, "grade"),
    "return": StepRule("退回", (REQUESTED,), WORKING, False, "reason"),
    "cancel": StepRule("撤销", OPEN_STATES, CANCELLED, False, "reason"),
    "deadline": StepRule("调整办理时限", OPEN_STATES, None, False, "due"),
}
STEP_ZH = {"add": "交办", "settings": "设置天数口径", **{k: r.zh for k, r in STEPS.items()}}


@dataclass(frozen=True)
class Actor:
    """Who takes a step: the account name, its role (analyst | reporter) and, for a reporter, its unit."""

    name: str
    role: str = ANALYST
    unit: str = ""


def refusal(actor: Actor, step: str, item: Item | None = None) -> str | None:
    """Why `actor` may not take `step` (on `item`), in Chinese; None when it may. Analysts take every step (the
    command line is the analyst's: it records a unit's answer received on paper); a reporter only answers (反馈,
    申请办结) its own unit's items."""
    if actor.role == ANALYST:
        return None
    if actor.role != REPORTER:
        return f"账号角色“{actor.role}”不能办理督办事项。"
    rule = STEPS.get(step)
    if rule is None or not rule.unit_may:
        return f"只有分析员可以{STEP_ZH.get(step, step)}督办事项；填报员可以反馈和申请办结本单位的事项。"
    if item is not None and item.unit != actor.unit:
        return (f"督办事项 {item.id} 的承办单位是{item.unit}，{actor.unit or '未指定单位'}的填报员不能{rule.zh}；"
                "填报员只能办理本单位的事项。")
    return None


def check_actor(actor: Actor, step: str, item: Item | None = None) -> None:
    """DubanError when `actor` may not take `step` (see refusal)."""
    why = refusal(actor, step, item)
    if why:
        raise DubanError(why + "库中数据未改变。")


# ---- items and their replay ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Step:
    """One recorded step: its kind, business date, real time, who, and what it carried."""

    step: str
    on: dt.date
    time: str
    user: str
    text: str = ""
    grade: str = ""
    due_on: dt.date | None = None

    @property
    def zh(self) -> str:
        return STEP_ZH.get(self.step, self.step)


@dataclass(frozen=True)
class State:
    """An item as of a date: its state, the 办理时限 in force, and the dates the rules read."""

    status: str
    due_on: dt.date
    first_feedback_on: dt.date | None = None   # the first 反馈 or 申请办结
    requested_on: dt.date | None = None        # the latest 申请办结 (the one a close accepts)
    closed_on: dt.date | None = None
    cancelled_on: dt.date | None = None
    grade: str | None = None
    returned_reason: str | None = None         # the latest 退回's reason, while the item is back 办理中

    @property
    def open(self) -> bool:
        return self.status in OPEN_STATES


def _advance(state: State, step: Step) -> State:
    """The state after one step (the log holds only steps that were allowed when written)."""
    rule = STEPS[step.step]
    to = rule.to or state.status
    if step.step == "deadline":
        return replace(state, due_on=step.due_on)
    new = replace(state, status=to, first_feedback_on=state.first_feedback_on or (
        step.on if step.step in ("feedback", "request_close") else None))
    if step.step == "request_close":
        return replace(new, requested_on=step.on, returned_reason=None)
    if step.step == "return":
        return replace(new, returned_reason=step.text)
    if step.step == "close":
        return replace(new, closed_on=step.on, grade=step.grade)
    if step.step == "cancel":
        return replace(new, cancelled_on=step.on)
    return new


@dataclass
class Item:
    """One 督办事项 as assigned, with every later step in the order written (their dates never go back)."""

    id: str
    unit: str
    content: str
    tier: str
    source: str
    assigned_on: dt.date
    due_on: dt.date                 # fixed when assigned; a 调整办理时限 step changes the one in force
    feedback_due_on: dt.date        # assigned_on + 3 days as set then; never moved
    days: str                       # the day setting the deadlines were counted in
    due_by_hand: bool = False
    project_id: str | None = None
    co_units: tuple[str, ...] = ()
    person: str | None = None
    leader: str | None = None
    meeting: str | None = None
    assigned_by: str = ""
    assigned_at: str = ""
    steps: list[Step] = field(default_factory=list)

    def at(self, as_of: dt.date | None = None) -> State:
        """The item as of a date (the steps dated on or before it; None: every step)."""
        state = State(ASSIGNED, self.due_on)
        for s in self.steps:
            if as_of is None or s.on <= as_of:
                state = _advance(state, s)
        return state

    def history(self) -> list[dict]:
        """Every step, the assignment first: business date, step, who, when recorded, and what it carried."""
        out = [{"on": self.assigned_on, "step": "交办", "user": self.assigned_by, "time": self.assigned_at,
                "text": self.content}]
        for s in self.steps:
            text = s.grade or (f"{s.due_on.isoformat()}：{s.text}" if s.due_on else s.text)
            out.append({"on": s.on, "step": s.zh, "user": s.user, "time": s.time, "text": text})
        return out

    @property
    def last_on(self) -> dt.date:
        """The business date of the latest step (the assignment when there is none)."""
        return self.steps[-1].on if self.steps else self.assigned_on


@dataclass
class Ledger:
    """The replayed log: the day setting in force, every item by id (in the order assigned), the last line number."""

    days: str = CALENDAR_DAYS
    items: dict[str, Item] = field(default_factory=dict)
    n: int = 0
    days_set_by: str = ""
    days_set_at: str = ""

    def item(self, item_id: str) -> Item:
        got = self.items.get(str(item_id).strip())
        if got is None:
            raise DubanError(f"没有督办事项“{item_id}”：编号形如 DB2025-0007，用 python -m data duban list 查看。"
                             "库中数据未改变。")
        return got

    def next_id(self, year: int) -> str:
        """DB + year + the next 4-digit sequence of that year (the year of the 交办日期)."""
        seqs = [int(m.group(2)) for m in map(_ID_RE.match, self.items) if m and int(m.group(1)) == year]
        return f"DB{year:04d}-{max(seqs, default=0) + 1:04d}"

    def open_items(self, as_of: dt.date | None = None) -> list[Item]:
        """Items assigned by `as_of` and neither closed nor cancelled by then."""
        return [i for i in self.items.values()
                if (as_of is None or i.assigned_on <= as_of) and i.at(as_of).open]


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def replay(records: Iterable[dict], ledger: Ledger | None = None) -> Ledger:
    """The ledger the log's records make, oldest first (continuing `ledger` when given: it is changed in place)."""
    ledger = ledger if ledger is not None else Ledger()
    for rec in records:
        ledger.n = max(ledger.n, int(rec.get("n", 0)))
        kind = rec.get("step")
        if kind == "settings":
            ledger.days, ledger.days_set_by, ledger.days_set_at = rec["days"], rec.get("user", ""), rec.get("time", "")
        elif kind == "add":
            f = rec["item"]
            ledger.items[rec["id"]] = Item(
                id=rec["id"], unit=f["unit"], content=f["content"], tier=f["tier"], source=f["source"],
                assigned_on=_date(f["assigned_on"]), due_on=_date(f["due_on"]),
                feedback_due_on=_date(f["feedback_due_on"]), days=f["days"], due_by_hand=bool(f.get("due_by_hand")),
                project_id=f.get("project_id"), co_units=tuple(f.get("co_units", ())), person=f.get("person"),
                leader=f.get("leader"), meeting=f.get("meeting"), assigned_by=rec.get("user", ""),
                assigned_at=rec.get("time", ""))
        elif kind in STEPS and rec.get("id") in ledger.items:
            ledger.items[rec["id"]].steps.append(Step(
                kind, _date(rec["on"]), rec.get("time", ""), rec.get("user", ""), rec.get("text", ""),
                rec.get("grade", ""), _date(rec.get("due_on"))))
    return ledger


def log_path(store: Store):
    return store.root / LOG_NAME


def parse_log(data: bytes) -> list[dict]:
    """The log's records; a line that is not JSON is damage, reported, never skipped (the log is the truth)."""
    out = []
    for no, line in enumerate(data.decode("utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError:
            raise DubanError(f"督办记录文件 {LOG_NAME} 第 {no} 行已损坏，无法读取；请从备份恢复该文件。") from None
    return out


def load(store: Store) -> Ledger:
    """The store's 督办 ledger (empty when nothing was ever assigned). Readers need no lock: writes replace the
    file atomically."""
    path = log_path(store)
    return replay(parse_log(path.read_bytes())) if path.exists() else Ledger()
