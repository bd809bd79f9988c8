"""督办 steps written: 交办 (one item or one per unit), 反馈, 申请办结, 办结, 退回, 撤销, 调整办理时限 and the day setting.
Each write takes the store's lock, replays the log, checks the step against it (who, the state, what it must carry,
its date), rewrites the log atomically (its old bytes plus the new lines) and audit-logs the step: a refused step
raises DubanError and writes nothing."""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable

import polars as pl

from data import duban_days as days
from data.accounts import users
from data.duban import (CANCELLED, CLOSED, GRADES, REQUESTED, SOURCES, STEPS, Actor, DubanError, Item, Ledger,
                        check_actor, log_path, replay, parse_log)
from data.files import atomic_write_bytes
from data.store import Store, now
from data.submissions import unit_column

_WHY_NOT = {
    CLOSED: "该事项已办结", CANCELLED: "该事项已撤销",
    REQUESTED: "单位已申请办结，正等待市里审核（办结或退回）",
}


def _commit(store: Store, actor: Actor, build: Callable[[Ledger], list[dict]]) -> tuple[Ledger, list[dict]]:
    """Under the store's lock: replay the log, let `build` check the step against it and return the records to add
    (it raises DubanError to refuse: nothing is written), rewrite the log atomically with them appended, audit each."""
    with store.lock():
        path = log_path(store)
        old = path.read_bytes() if path.exists() else b""
        if old and not old.endswith(b"\n"):  # a line added by hand without its newline must not swallow ours
            old += b"\n"
        ledger = replay(parse_log(old))
        made = build(ledger)
        time, n, lines = now(), ledger.n, []
        records = []
        for rec in made:
            n += 1
            records.append({"n": n, "time": time, "user": actor.name, "role": actor.role, **rec})
            lines.append(json.dumps(records[-1], ensure_ascii=False))
        atomic_write_bytes(path, old + ("\n".join(lines) + "\n").encode("utf-8"))
        for rec in records:
            audit = {k: v for k, v in rec.items() if k not in ("n", "step", "item", "time", "action")}
            audit |= {"month": ""} | ({"unit": rec["item"]["unit"], "content": rec["item"]["content"],
                                       "due_on": rec["item"]["due_on"]} if "item" in rec else {})
            store.append_audit(f"duban-{rec['step']}", at=rec["time"], **audit)
    return replay(records, ledger), records


def _clean(text: object) -> str:
    return str(text or "").strip()


def _required(text: object, what: str) -> str:
    value = _clean(text)
    if not value:
        raise DubanError(f"请填写{what}。库中数据未改变。")
    return value


def set_days(store: Store, actor: Actor, mode: str) -> Ledger:
    """Store the day setting (自然日 | 工作日) for items assigned from now on; items already assigned keep theirs."""
    check_actor(actor, "settings")
    if mode not in days.MODES:
        raise DubanError(f"天数口径“{mode}”不存在：可选 {' 或 '.join(days.MODES)}。库中数据未改变。")
    return _commit(store, actor, lambda _: [{"step": "settings", "days": mode}])[0]


def known_units(store: Store) -> set[str]:
    """The reporting units the store knows: every unit that published or handed in a submission, the configured
    expected units, and the units of reporter accounts."""
    names: set[str] = set(store.settings().expected_units)
    for month in store.months():
        names |= set(store.units(month))
    names |= {rec.get("unit", "") for rec in store.audit() if rec.get("action") == "submit"}
    names |= {a.unit for a in users.accounts(store) if a.unit}
    return {n for n in names if n}


def _check_units(store: Store, units: Iterable[str], what: str) -> None:
    known = known_units(store)
    if not known:  # a new store knows no unit yet: the names are taken as written (README, 督办)
        return
    unknown = [u for u in units if u not in known]
    if unknown:
        shown = "、".join(sorted(known)[:12]) + ("等" if len(known) > 12 else "")
        raise DubanError(f"{what}“{'、'.join(unknown)}”不是库中的报送单位（已有：{shown}）。请核对单位名称。库中数据未改变。")


def project_units(store: Store, month: str) -> dict[str, str]:
    """project_id → the reporting unit that reported it in `month` ('YYYY-MM'): a named unit's declared projects,
    else the 县区 (what an item from that project is assigned to)."""
    if month not in store.months():
        return {}
    snap = store.read(month)
    return dict(zip(snap.get_column("project_id").to_list(), unit_column(snap, store.units(month)).to_list()))


def project_prefill(store: Store, project_id: str) -> dict:
    """What assigning from a project fills in: the unit that reported it in its latest stored month, its reported
    problem as the content, its 包抓领导, and its name; DubanError when no stored month holds it."""
    for month in reversed(store.months()):
        row = (pl.scan_parquet(store.path_for(month)).filter(pl.col("project_id") == project_id)
               .select("project_name", "problems", "leader").collect())
        if row.height:
            name, problems, leader = row.row(0)
            return {"project_id": project_id, "project_name": name, "unit": project_units(store, month)[project_id],
                    "content": _clean(problems), "leader": leader, "source": "问题", "month": month}
    raise DubanError(f"库中没有项目编码为“{project_id}”的项目，请核对编码。")


def _check_project(store: Store, project_id: str) -> None:
    if not store.months():
        return
    found = store.scan().filter(pl.col("project_id") == project_id).select(pl.len()).collect().item()
    if not found:
        raise DubanError(f"库中没有项目编码为“{project_id}”的项目，请核对编码。库中数据未改变。")


def assign(store: Store, actor: Actor, *, units: Iterable[str], content: str, tier: str = days.ORDINARY,
           source: str | None = None, project_id: str | None = None, assigned_on: dt.date | None = None,
           due_on: dt.date | None = None, person: str | None = None, leader: str | None = None,
           co_units: Iterable[str] = (), meeting: str | None = None) -> list[Item]:
    """交办: one item per 承办单位 (a meeting decision may name several; the others of `co_units` are 协办单位), all
    written at once or none. The deadlines are counted now, in the day setting in force, and fixed."""
    check_actor(actor, "add")
    units = list(dict.fromkeys(_clean(u) for u in units if _clean(u)))
    if not units:
        raise DubanError("请填写承办单位。库中数据未改变。")
    co = list(dict.fromkeys(_clean(u) for u in co_units if _clean(u)))
    content = _required(content, "事项内容")
    if tier not in days.TIERS:
        raise DubanError(f"事项等级“{tier}”不存在：可选 {'、'.join(days.TIERS)}。库中数据未改变。")
    project_id = _clean(project_id) or None
    source = _clean(source) or ("问题" if project_id else "会议")
    if source not in SOURCES:
        raise DubanError(f"事项来源“{source}”不存在：可选 {'、'.join(SOURCES)}。库中数据未改变。")
    assigned_on = assigned_on or dt.date.today()
    if due_on is not None and due_on < assigned_on:
        raise DubanError(f"办理时限 {due_on:%Y-%m-%d} 早于交办日期 {assigned_on:%Y-%m-%d}。库中数据未改变。")
    _check_units(store, [*units, *co], "承办单位或协办单位")
    if project_id:
        _check_project(store, project_id)

    def build(ledger: Ledger) -> list[dict]:
        mode = ledger.days
        try:
            due = due_on or days.due_date(assigned_on, tier, mode)
            feedback_due = days.feedback_due_date(assigned_on, mode)
        except days.DaysError as e:
            raise DubanError(f"交办日期 {assigned_on:%Y-%m-%d} 的时限无法计算：{e}库中数据未改变。") from None
        out = []
        for unit in units:
            item_id = ledger.next_id(assigned_on.year)
            fields = {"unit": unit, "content": content, "tier": tier, "source": source,
                      "assigned_on": assigned_on.isoformat(), "due_on": due.isoformat(),
                      "feedback_due_on": feedback_due.isoformat(), "days": mode, "due_by_hand": due_on is not None,
                      "project_id": project_id, "co_units": [u for u in co if u != unit],
                      "person": _clean(person) or None, "leader": _clean(leader) or None,
                      "meeting": _clean(meeting) or None}
            out.append({"step": "add", "id": item_id, "on": assigned_on.isoformat(), "item": fields})
            ledger.items[item_id] = Item(item_id, unit, content, tier, source, assigned_on, due, feedback_due, mode)
        return out

    ledger, records = _commit(store, actor, build)
    return [ledger.items[r["id"]] for r in records]


def add(store: Store, actor: Actor, *, unit: str, **fields) -> Item:
    """交办 one item to one unit (see assign)."""
    return assign(store, actor, units=[unit], **fields)[0]


def take_step(store: Store, actor: Actor, item_id: str, step: str, *, on: dt.date | None = None, text: str = "",
              grade: str = "", due_on: dt.date | None = None) -> Item:
    """Record one step on an item, dated `on` (default today), after checking who, the item's state, what the step
    must carry and its date (not before the assignment, nor before the item's previous step)."""
    rule = STEPS[step]
    on = on or dt.date.today()

    def build(ledger: Ledger) -> list[dict]:
        item = ledger.item(item_id)
        check_actor(actor, step, item)
        state = item.at()
        if state.status not in rule.after:
            why = _WHY_NOT.get(state.status, f"该事项当前为“{state.status}”")
            if rule.after == (REQUESTED,):
                why += "；只有单位申请办结后才能办结或退回"
            raise DubanError(f"督办事项 {item.id} 不能{rule.zh}：{why}。库中数据未改变。")
        if on < item.assigned_on:
            raise DubanError(f"{rule.zh}日期 {on:%Y-%m-%d} 早于督办事项 {item.id} 的交办日期 {item.assigned_on:%Y-%m-%d}。"
                             "库中数据未改变。")
        if on < item.last_on:
            raise DubanError(f"{rule.zh}日期 {on:%Y-%m-%d} 早于该事项上一步（{item.steps[-1].zh}，"
                             f"{item.last_on:%Y-%m-%d}）：办理记录按日期先后登记。库中数据未改变。")
        rec: dict = {"step": step, "id": item.id, "on": on.isoformat()}
        if rule.needs == "grade":
            if grade not in GRADES:
                raise DubanError(f"办结等次“{grade}”不存在：可选 {'、'.join(GRADES)}。库中数据未改变。")
            rec["grade"] = grade
            if _clean(text):
                rec["text"] = _clean(text)
        elif rule.needs == "due":
            if due_on is None:
                raise DubanError("请填写新的办理时限。库中数据未改变。")
            if due_on < item.assigned_on:
                raise DubanError(f"新的办理时限 {due_on:%Y-%m-%d} 早于交办日期 {item.assigned_on:%Y-%m-%d}。库中数据未改变。")
            if due_on == state.due_on:
                raise DubanError(f"督办事项 {item.id} 的办理时限已是 {due_on:%Y-%m-%d}。库中数据未改变。")
            rec |= {"due_on": due_on.isoformat(), "previous_due_on": state.due_on.isoformat(),
                    "text": _required(text, "调整办理时限的原因")}
        else:
            rec["text"] = _required(text, {"text": f"{rule.zh}内容", "reason": f"{rule.zh}原因"}[rule.needs])
        return [rec]

    return _commit(store, actor, build)[0].items[str(item_id).strip()]


def feedback(store: Store, actor: Actor, item_id: str, text: str, *, on: dt.date | None = None) -> Item:
    """反馈: the unit reports progress (the first one moves the item to 办理中)."""
    return take_step(store, actor, item_id, "feedback", on=on, text=text)


def request_close(store: Store, actor: Actor, item_id: str, text: str, *, on: dt.date | None = None) -> Item:
    """申请办结: the unit reports the result and asks the city to close the item."""
    return take_step(store, actor, item_id, "request_close", on=on, text=text)


def close(store: Store, actor: Actor, item_id: str, grade: str, *, on: dt.date | None = None, text: str = "") -> Item:
    """办结: the city accepts the result, with a grade."""
    return take_step(store, actor, item_id, "close", on=on, grade=grade, text=text)


def return_item(store: Store, actor: Actor, item_id: str, reason: str, *, on: dt.date | None = None) -> Item:
    """退回: the city sends a 申请办结 back to 办理中, with the reason."""
    return take_step(store, actor, item_id, "return", on=on, text=reason)


def cancel(store: Store, actor: Actor, item_id: str, reason: str, *, on: dt.date | None = None) -> Item:
    """撤销: the city withdraws an open item, with the reason (it stays in the log)."""
    return take_step(store, actor, item_id, "cancel", on=on, text=reason)


def change_due(store: Store, actor: Actor, item_id: str, due_on: dt.date, reason: str, *,
               on: dt.date | None = None) -> Item:
    """调整办理时限: a new due date for an open item, with the reason (the first feedback's due date stays)."""
    return take_step(store, actor, item_id, "deadline", on=on, due_on=due_on, text=reason)
