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


def format_report(errors: Sequence[Problem], warnings: Sequence[Problem] = (), limit: int = 50) -> str:
    """A Chinese text report grouped by rule, at most `limit` problem lines, with the totals."""
    lines = [f"检查结果：错误 {len(errors)} 条，警告 {len(warnings)} 条。"]
    shown = 0
    for title, problems in (("错误（须改正后才能导入）", errors), ("警告（可以导入，请核对）", warnings)):
        if not problems or shown >= limit:
            continue
        lines.append(f"【{title}】")
        groups: dict[str, list[Problem]] = {}
        for p in problems:
            groups.setdefault(p.rule, []).append(p)
        for rule, items in groups.items():
            if shown >= limit:
                break
            lines.append(f"■ {rule}（{len(items)} 条）")
            for p in sorted(items, key=lambda p: (p.row is not None, p.row or 0)):
                if shown >= limit:
                    break
                lines.append(_line(p))
                shown += 1
    total = len(errors) + len(warnings)
    if shown < total:
        lines.append(f"…另有 {total - shown} 条未列出（共 {total} 条）。")
    return "\n".join(lines)
