"""Markdown tables for the README, generated from the registries so the docs cannot drift from the code."""
from __future__ import annotations

from data.schema import (ALL_COLUMNS, APPROXIMATE, BOOL_SYNONYMS, CELL_UNITS, COLUMN_BY_NAME, DERIVED_READS, HEADINGS,
                         LABEL_SUFFIXES, ORGANISATION_ENDINGS, TEXT_COLUMNS, VALUE_SYNONYMS)
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
    text = {c.name for c in TEXT_COLUMNS}
    for c in ALL_COLUMNS:
        rule = c.rule + ("；月内有值时才写入快照" if c.name in text else "")
        lines.append(f"| `{c.name}` | {c.zh} | {'text' if c.name in text else c.kind} | {'是' if c.required else ''} | "
                     f"{rule} |")
    return "\n".join(lines)


def headings_table() -> str:
    """| 读作 | 表头写作 | 说明 | — the headings real tables write, recognised without teaching (data.schema)."""
    lines = ["| 读作 | 表头写作（YYYY 年份，N 月份） | 说明 |", "|---|---|---|"]
    for h in HEADINGS:
        reads = COLUMN_BY_NAME[h.reads].zh if h.reads in COLUMN_BY_NAME else DERIVED_READS[h.reads]
        note = "；".join(x for x in (f"在“{h.group}”分组下" if h.group else "", h.note) if x)
        lines.append(f"| {reads} | {'、'.join(h.written)} | {note} |")
    for c in TEXT_COLUMNS:
        lines.append(f"| {c.zh} | {'、'.join((c.zh, *c.aliases))} | {c.rule} |")
    return "\n".join(lines)


def values_table() -> str:
    """| 单元格写作 | 读作 | — the cell values real tables write, read without teaching (data.schema)."""
    units = "、".join(f"6.8{u}" if f >= 10_000 else f"3500{u}" for u, f in CELL_UNITS.items())
    return "\n".join([
        "| 单元格写作 | 读作 |", "|---|---|",
        f"| 金额带单位：{units} | 按单元格的单位换算为万元（6.8亿元 → 68000），优先于表头和“单位：”行 |",
        f"| 金额前写“{APPROXIMATE}”：{APPROXIMATE}1.35亿元 | 按所写数值（13500），另给警告 |",
        "| 日期不写年份：7月5日、4月底、4月上旬/中旬/下旬、7月 | 报送年份的该日；月底为该月最后一天，上/中/下旬为1日/11日/21日，只写月份为1日 |",
        f"| 取值带后缀：{'、'.join(LABEL_SUFFIXES)}（产业类、社会民生项目、在建项目、预备项目、建成项目） | 去掉后缀再对应（产业、社会民生、在建、前期、竣工） |",
        f"| 投资主体写单位名称（以{'、'.join(ORGANISATION_ENDINGS[:6])}等结尾） | 名称存为项目业主，投资主体按名单或上月补全 |",
    ])


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
            "synonyms": synonym_table, "headings": headings_table, "values": values_table}


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
