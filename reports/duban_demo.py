"""The demo city's 督办 log (data/demo/duban.jsonl): what its monthly meetings of July–December 2025 assigned — the
month's 建议交办 (the longest problem streaks, two red months running) and one meeting decision each — and how the
units answered, seen as of AS_OF (the January 2026 meeting). Written through data.duban_steps like a real log, at
fixed times, so `python -m reports.duban_demo` gives the same bytes every time; it adds nothing to the audit log.
It lives in reports/ because it reads metrics' 建议交办 (data/ may not)."""
from __future__ import annotations

import datetime as dt
import shutil
import tempfile
import zlib
from pathlib import Path
from unittest import mock

from data import duban, duban_steps as steps
from data.store import DEMO_DIR, Store
from metrics import duban as m
from metrics.dataset import Dataset

AS_OF = dt.date(2026, 1, 20)  # the demo city's "today" for 督办 (the page and the screen show it as of then)
MEETINGS = {"2025-07": dt.date(2025, 8, 8), "2025-08": dt.date(2025, 9, 9), "2025-09": dt.date(2025, 10, 10),
            "2025-10": dt.date(2025, 11, 7), "2025-11": dt.date(2025, 12, 9), "2025-12": dt.date(2026, 1, 9)}
PER_MEETING = 6
ANALYST = duban.Actor("市发改委项目科", "analyst")
DECISIONS = ("协调解决项目建设用地指标，{m}月底前完成组卷报批", "做好冬季施工组织，确保在建项目不停工",
             "加快签约项目落地，{m}月底前完成供地", "梳理项目前期手续，逐项明确办结时限",
             "加快项目资金拨付，推进形成实物工作量", "开展拖欠项目建设款项专项清理")


def _pick(item_id: str, n: int) -> int:
    return zlib.crc32(item_id.encode()) % n


def _answer(store: Store, item: duban.Item) -> None:
    """The unit's answers and the city's review, decided by the id (the same each time): most answer in 2 days and
    ask to close before the due date; some late; a few are returned once; some never answer."""
    fate = _pick(item.id, 10)
    day = lambda n: item.assigned_on + dt.timedelta(days=n)  # noqa: E731
    span = (item.due_on - item.assigned_on).days
    if fate == 0:            # no answer at all: 反馈逾期 and, once due, 逾期
        return
    if day(2) > AS_OF:
        return
    steps.feedback(store, ANALYST, item.id, "已召开专题协调会，明确责任人和时间节点，正在推进。", on=day(2))
    ask = day(span - 1 if fate < 7 else span + 4)   # most on time, two in ten late
    if fate == 9 or ask > AS_OF:                    # still working on it
        return
    steps.request_close(store, ANALYST, item.id, "事项已办理完成，相关材料已报送。", on=ask)
    if fate == 5 and ask + dt.timedelta(days=2) <= AS_OF:
        steps.return_item(store, ANALYST, item.id, "办理结果缺少佐证材料，请补充后重新申请。", on=ask + dt.timedelta(days=2))
        if ask + dt.timedelta(days=5) > AS_OF:
            return
        steps.request_close(store, ANALYST, item.id, "已补充佐证材料。", on=ask + dt.timedelta(days=5))
        ask += dt.timedelta(days=5)
    if ask + dt.timedelta(days=3) <= AS_OF:
        steps.close(store, ANALYST, item.id, ("优秀", "良好", "良好", "合格")[_pick(item.id, 4)], on=ask + dt.timedelta(days=3))


def build(root: Path) -> None:
    """Write the log into the store at root (its snapshots read for 建议交办)."""
    store = Store(root)
    ds = Dataset.from_store(store)
    for month, meeting in MEETINGS.items():
        ledger = duban.load(store)
        units = steps.project_units(store, month)
        sug = m.suggestions(ds, month, ledger, as_of=meeting, units=units).head(PER_MEETING)
        name = f"{meeting.year}年{meeting.month}月全市重点项目调度会"
        made = []
        for r in sug.iter_rows(named=True):
            made += steps.assign(store, ANALYST, units=[r["unit"]], content=r["problems"] or r["reason"],
                                 source=r["source"], project_id=r["project_id"], leader=r["leader"],
                                 tier="重大" if r["problem_months"] and r["problem_months"] >= 6 else "一般",
                                 assigned_on=meeting, meeting=name)
        counties = sorted(set(units.values()))
        two = [counties[_pick(month, len(counties))], counties[_pick(month + "b", len(counties))]]
        co = counties[_pick(month + "c", len(counties))]
        made += steps.assign(store, ANALYST, units=list(dict.fromkeys(two)), co_units=[co],
                             content=DECISIONS[_pick(month, len(DECISIONS))].format(m=meeting.month),
                             tier="重大", assigned_on=meeting, meeting=name)
        for item in made:
            _answer(store, item)


def generate(out: Path | None = None) -> Path:
    """data/demo/duban.jsonl (or out/duban.jsonl), built in a copy of the demo store with the times fixed."""
    target = Path(out) if out is not None else DEMO_DIR
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "store"
        shutil.copytree(DEMO_DIR / "snapshots", work / "snapshots")
        clock = iter(f"2026-01-20T09:{n // 60:02d}:{n % 60:02d}" for n in range(3600))
        with mock.patch.object(steps, "now", lambda: next(clock)):
            build(work)
        target.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(work / duban.LOG_NAME, target / duban.LOG_NAME)
    return target / duban.LOG_NAME


if __name__ == "__main__":
    print(generate())
