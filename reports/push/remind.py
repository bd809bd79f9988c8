"""Reminders: 催报 (the units that have not reported the month as its deadline nears, or has passed, from the store's
报送情况) and the 督办 items 逾期 or 临期 by unit. Each part of a reminder is one entry in REMIND_PARTS."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from data import duban as duban_log
from data.months import month_key, month_zh
from data.store import Store
from metrics.duban import item_rows
from reports.push.sections import urgent_text
from reports.push.targets import Settings

# Units that still have to send the month's ledger: not reported at all, or returned to them for correction.
WAITING = {"missing": "未报送", "returned": "已退回"}


@dataclass(frozen=True)
class Part:
    """What one part of a reminder says: what it is (催报, 督办), a heading line and its lines (markdown)."""

    kind: str
    heading: str
    lines: tuple[str, ...]


def unreported(store: Store, as_of: dt.date, conf: Settings) -> Part | None:
    """The month of `as_of`: within conf.remind_days before its deadline, or after it, the units not yet reported
    (DOMAIN.md Part 2's 报送情况: expected units with no published or pending submission, and returned ones)."""
    month = month_key(as_of)
    rep = store.report(month)
    days = (rep.deadline - as_of).days
    waiting = [u for u in rep.units if u.status in WAITING]
    if days > conf.remind_days or not waiting:
        return None
    due = f"{rep.deadline.month}月{rep.deadline.day}日"
    if days > 0:
        when = f"报送截止日为{due}，还有 {days} 天"
    elif days == 0:
        when = f"今天（{due}）是报送截止日"
    else:
        when = f"已过报送截止日（{due}）{-days} 天"
    lines = []
    for u in waiting:
        line = f"- **{u.unit}**：{WAITING[u.status]}"
        if u.status == "returned" and u.reason:
            line += f"（退回原因：{u.reason}）"
        lines.append(line)
    return Part("催报", f"{month_zh(month)}台账{when}，以下 {len(waiting)} 个单位尚未报送：", tuple(lines))


def duban_due(store: Store, as_of: dt.date, conf: Settings) -> Part | None:
    """The open 督办事项 逾期 or 临期 on `as_of` (metrics/duban.py), by 承办单位, the overdue first within each."""
    items = item_rows(duban_log.load(store), as_of).filter(pl.col("overdue") | pl.col("due_soon"))
    if items.is_empty():
        return None
    items = items.sort(["unit", "overdue", "due_on", "id"], descending=[False, True, False, False])
    lines = tuple(f"- **{r['unit']}**：{urgent_text(r)}" for r in items.iter_rows(named=True))
    over = items.get_column("overdue").sum()
    return Part("督办", f"督办事项：截至{as_of.month}月{as_of.day}日，{over} 项逾期、{items.height - over} 项临期：", lines)


REMIND_PARTS: tuple[Callable[[Store, dt.date, Settings], Part | None], ...] = (unreported, duban_due)


def reminder(store: Store, as_of: dt.date, conf: Settings) -> list[Part]:
    """Every part with something to say on `as_of` (none: nothing to remind of)."""
    return [p for part in REMIND_PARTS if (p := part(store, as_of, conf)) is not None]


def title(parts: list[Part]) -> str:
    """The message's title: 催报提醒, 督办提醒, or 催报与督办提醒."""
    return "与".join(dict.fromkeys(p.kind for p in parts)) + "提醒"


def admin_link(conf: Settings, as_of: dt.date) -> str:
    """The 数据管理 page at the month (its 报送情况), or '' without the dashboard's address."""
    base = conf.dashboard_url.rstrip("/")
    return f"{base}/admin?month={month_key(as_of)}" if base else ""
