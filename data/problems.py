"""A finding (Problem) in a ledger or snapshot, and the Chinese report of a list of them."""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

VALUE_CAP = 60


@dataclass(frozen=True)
class Problem:
    """One finding: rule (short Chinese name), column (Chinese header), source row, raw value, Chinese message."""

    rule: str
    column: str = ""
    row: int | None = None
    value: str = ""
    message: str = ""

    def __post_init__(self):
        object.__setattr__(self, "value", show_value(self.value))


def show_value(value: object) -> str:
    """A raw value as the analyst typed it, capped so a report line stays readable."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        text = value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    else:
        text = str(value)
    return text if len(text) <= VALUE_CAP else text[: VALUE_CAP - 1] + "…"


def _line(p: Problem) -> str:
    where = [f"第 {p.row} 行" if p.row is not None else "", f"「{p.column}」" if p.column else "",
             f"值“{p.value}”" if p.value != "" else ""]
    head = " · ".join(w for w in where if w)
    return f"  {head} — {p.message}" if head else f"  {p.message}"


MIN_PER_KIND = 3  # every kind of problem shows at least this many of its rows, however many another kind has


def _budget(groups: list[list[Problem]], limit: int) -> list[int]:
    """Lines each kind shows within `limit`: every kind its first few (so none is hidden), the rest in report order."""
    take = [min(len(g), MIN_PER_KIND) for g in groups]
    left = max(0, limit - sum(take))
    for i, g in enumerate(groups):
        more = min(len(g) - take[i], left)
        take[i] += more
        left -= more
    return take


def format_report(errors: Sequence[Problem], warnings: Sequence[Problem] = (), limit: int = 50,
                  notes: Sequence[str] = ()) -> str:
    """A Chinese text report grouped by rule: every kind named with its count and its first rows (about `limit` row
    lines in all, never fewer than MIN_PER_KIND of a kind), the totals, and where absent columns' values came from."""
    lines = [f"检查结果：错误 {len(errors)} 条，警告 {len(warnings)} 条。"]
    sections = []
    for title, problems in (("错误（须改正后才能导入）", errors), ("警告（可以导入，请核对）", warnings)):
        groups: dict[str, list[Problem]] = {}
        for p in problems:
            groups.setdefault(p.rule, []).append(p)
        if groups:
            sections.append((title, groups))
    kinds = [items for _, groups in sections for items in groups.values()]
    budget = iter(_budget(kinds, limit))
    shown = 0
    for title, groups in sections:
        lines.append(f"【{title}】")
        for rule, items in groups.items():
            k = next(budget)
            more = f"，下列前 {k} 条" if k < len(items) else ""
            lines.append(f"■ {rule}（{len(items)} 条）{more}")
            for p in sorted(items, key=lambda p: (p.row is not None, p.row or 0))[:k]:
                lines.append(_line(p))
            shown += k
    total = len(errors) + len(warnings)
    if shown < total:
        lines.append(f"…另有 {total - shown} 条未列出（共 {total} 条）。")
    if notes:
        lines.append("【文件中没有的列：数据来源】")
        lines.extend(f"  {n}" for n in notes)
    return "\n".join(lines)
