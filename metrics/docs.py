"""Markdown tables for the README, generated from the registries so the docs cannot drift from the code."""
from __future__ import annotations

from data.schema import BOOL_SYNONYMS, COLUMN_BY_NAME, COLUMNS, VALUE_SYNONYMS
from data.text import DASH
from metrics.registry import DIMENSIONS, INDICATORS
from metrics.watchlists import WATCH_LISTS

UNIT_TEXT = {"比率": "%", "百分点": "百分点", "个": "个", "万元": "万元", "天": "天", "万元/亩": "万元/亩"}
DIRECTION_TEXT = {"higher": "越高越好", "lower": "越低越好", "neutral": DASH}


def _target_text(ind) -> str:
    t = ind.target
    if t is None:
        text = DASH
    elif t == "time_schedule":
        text = "≥ 时序进度"
    elif isinstance(t, dict):
        text = "；".join(f"{k}月起 {v:.0%}" for k, v in sorted(t.items()))
    elif ind.unit in ("比率", "百分点"):
        text = f"{t:.0%}" if ind.unit == "比率" else f"{t:+.0%}"
    else:
        text = f"{t:g}"
    return text + (f"（{ind.target_source}）" if ind.target_source else "")


def indicator_table() -> str:
    """| id | 名称 | English | 维度 | 单位 | 方向 | 目标 | 口径 |"""
    lines = ["| id | 名称 | English | 维度 | 单位 | 方向 | 目标（来源） | 口径 |", "|---|---|---|---|---|---|---|---|"]
    for i in INDICATORS:
        lines.append(f"| `{i.id}` | {i.zh} | {i.en} | {DIMENSIONS[i.dimension][0]} | {UNIT_TEXT[i.unit]} | "
                     f"{DIRECTION_TEXT[i.direction]} | {_target_text(i)} | {i.caliber} |")
    return "\n".join(lines)


def schema_table() -> str:
    """| column | 中文表头 | 类型 | 必填 | 规则 |"""
    lines = ["| column | 中文表头 | 类型 | 必填 | 规则 |", "|---|---|---|---|---|"]
    for c in COLUMNS:
        lines.append(f"| `{c.name}` | {c.zh} | {c.kind} | {'是' if c.required else ''} | {c.rule} |")
    return "\n".join(lines)


def watchlist_table() -> str:
    lines = ["| id | 清单 | 口径 |", "|---|---|---|"]
    for w in WATCH_LISTS:
        lines.append(f"| `{w.id}` | {w.zh} | {w.caliber} |")
    return "\n".join(lines)


def synonym_table() -> str:
    """| 列 | 写作 | 存为 | — the value synonyms the importer maps (data.schema)."""
    lines = ["| 列 | 写作 | 存为 |", "|---|---|---|"]
    for name, table in VALUE_SYNONYMS.items():
        for canon, written in table.items():
            lines.append(f"| {COLUMN_BY_NAME[name].zh} | {'、'.join(written)} | {canon} |")
    for canon, written in BOOL_SYNONYMS.items():
        lines.append(f"| 所有是/否列 | {'、'.join(written)} | {canon} |")
    return "\n".join(lines)


SECTIONS = {"schema": schema_table, "indicators": indicator_table, "watchlists": watchlist_table,
            "synonyms": synonym_table}


def render_readme(text: str) -> str:
    """Replace each <!-- name:start --> … <!-- name:end --> block with the generated table."""
    import re

    for name, fn in SECTIONS.items():
        text = re.sub(rf"(<!-- {name}:start -->\n).*?(<!-- {name}:end -->)",
                      lambda m, fn=fn: m.group(1) + fn() + "\n" + m.group(2), text, flags=re.S)
    return text


if __name__ == "__main__":
    # python -m metrics.docs rewrites README.md's generated tables in place.
    from pathlib import Path

    readme = Path(__file__).resolve().parents[1] / "README.md"
    readme.write_text(render_readme(readme.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"updated {readme}")
