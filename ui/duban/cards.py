"""督办 on a phone (ui/phone.py): the items, the units' indicators and an item's steps as cards instead of tables —
the same rows and labels as the desk's tables (ui/duban/desk.py), read at a glance."""
from __future__ import annotations

import polars as pl

from metrics import duban as m
from metrics.format import fmt_number, fmt_rate
from ui.cards import card, esc, grid
from ui.charts import BAD, NEUTRAL, WARN
from ui.i18n import lang, t


def item_cards(rows: pl.DataFrame) -> str:
    """A card per item (`rows` as the desk's list orders them, with its `mark`): id and 承办单位, 逾期 / 临期 /
    反馈逾期, the content, 办理时限 and state; the edge red when overdue, amber when due soon."""
    out = []
    for r in rows.iter_rows(named=True):
        color = BAD if r["overdue"] else WARN if r["due_soon"] else NEUTRAL
        mark = f'<span class="kpm-tag" style="background:{color}">{esc(r["mark"])}</span>' if r["mark"] else ""
        body = (f'<div class="s">{esc(r["content"])}</div>'
                f'<div class="s">{esc(t("db_due_on"))} <b>{esc(r["due_on"])}</b> · {esc(r["status"])}'
                f'{" · " + esc(r["project_id"]) if r.get("project_id") else ""}</div>')
        out.append(card(color, f'{esc(r["id"])} · {esc(r["unit"])}', mark, body))
    return grid(out)


def unit_cards(by: pl.DataFrame) -> str:
    """A card per 承办单位 with its five indicators (`by`: metrics.duban.by_unit, in the desk's order)."""
    out = []
    for r in by.iter_rows(named=True):
        cells = "".join(
            f'<span>{esc(i.en if lang() == "en" else i.zh)} <b>'
            f'{esc(fmt_rate(r[i.id]) if i.unit == "%" else fmt_number(r[i.id]))}</b></span>'
            for i in m.DUBAN_INDICATORS)
        color = BAD if (r.get("duban_overdue") or 0) > 0 else NEUTRAL
        out.append(card(color, esc(r[m.UNIT]), "", f'<div class="kv">{cells}</div>'))
    return grid(out)


def step_cards(steps: pl.DataFrame) -> str:
    """An item's steps, one card each: date, step and who, then what was written."""
    return grid([card(NEUTRAL, f'{esc(r["on"])} · {esc(r["step"])}', esc(r["user"]),
                      f'<div class="s">{esc(r["text"])}</div>' if r["text"] else "")
                 for r in steps.iter_rows(named=True)])
