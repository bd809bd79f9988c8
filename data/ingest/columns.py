"""One column's cells read as real tables write them (DOMAIN.md Part 2 synonyms and Part 3 values: amounts with
units, 约, dates without a year, suffixed labels, an organisation's name in 投资主体), each reading counted, each
unreadable cell an error naming it."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from data.ingest.cells import HOW_TO_FIX, nfkc
from data.ingest.result import ImportResult
from data.ingest.values import cell_amount, is_organisation, loose_date, strip_suffix
from data.mappings import Mappings
from data.problems import Problem
from data.schema import Column, synonym_index

Cells = set[tuple[str, int]]  # (Chinese column, source row) of cells already reported


@dataclass
class Readings:
    """Counts of the cell readings of DOMAIN.md Part 3, each reported once with its count."""

    units: Counter = field(default_factory=Counter)
    approx: list = field(default_factory=list)
    no_year: int = 0
    parts: Counter = field(default_factory=Counter)
    names: list = field(default_factory=list)


def canonical_value(col: Column, mappings: Mappings) -> dict[str, str] | None:
    """written → canonical for an enumerated or 是/否 column: the contract's synonyms, then what was taught."""
    if col.kind not in ("enum", "bool"):
        return None
    table = {**synonym_index(col.name), **mappings.values.get(col.name, {})}
    return {nfkc(k): v for k, v in table.items()} or None


def suffixed_value(col: Column, canon: dict[str, str] | None, key: str) -> str | None:
    """The canonical value of an enumerated cell written with a suffix (产业类 → 产业), or None."""
    bare = strip_suffix(key)
    if bare is None:
        return None
    if bare in (col.allowed or ()):
        return bare
    return (canon or {}).get(bare)


def parse_column(col: Column, j: int, factor: float, keep, res: ImportResult, reported: Cells, mappings: Mappings,
                  kinds: dict, year: int | None, seen: Readings, given: list[bool] | None = None,
                  zh: str | None = None) -> list:
    """One column's values, as real tables write them; an unreadable cell is an error (added to reported)."""
    zh = zh or col.zh
    parse = kinds[col.kind]
    canon = canonical_value(col, mappings)
    counts: Counter = Counter()
    unknown: Counter = Counter()  # values the column does not know, as written: the page offers to teach them
    out = []
    for i, (src_row, values) in enumerate(keep):
        raw = values[j]
        if canon is not None and isinstance(raw, str):
            key = nfkc(raw)
            if key in canon:
                counts[(key, canon[key])] += 1
                raw = canon[key]
            elif col.kind == "enum" and key not in (col.allowed or ()):
                label = suffixed_value(col, canon, key)
                if label is not None:
                    counts[(key, label)] += 1
                    raw = label
        v = None
        try:
            if col.kind == "money" and (amount := cell_amount(raw)) is not None:
                number, unit, approx = amount
                v = number * (unit if unit is not None else factor)
                if unit is not None:
                    seen.units[zh] += 1
                if approx:
                    seen.approx.append((src_row, zh, str(raw).strip()))
                out.append(round(v, 8))
                continue
            v = parse(raw)
        except (ValueError, OverflowError, TypeError):
            loose = loose_date(raw, year) if col.kind == "date" else None
            if loose is not None:
                v = loose[0]
                seen.no_year += loose[1]
                if loose[2]:
                    seen.parts[loose[2]] += 1
            else:
                if col.kind == "bool" and isinstance(raw, str):
                    unknown[nfkc(raw)] += 1
                reported.add((zh, src_row))
                res.errors.append(Problem("类型错误", zh, src_row, raw, f"“{zh}”的值无法识别：{HOW_TO_FIX[col.kind]}"))
        if v is not None and factor != 1.0 and col.kind in ("money", "float"):
            v = round(v * factor, 8)
        if col.kind == "enum" and v is not None and v not in (col.allowed or ()):
            if col.name == "investor_type" and is_organisation(v) and given is not None:
                seen.names.append((i, src_row, v))
                given[i] = False
                v = None
            else:
                unknown[v] += 1
        out.append(v)
    if unknown:
        res.unknown_values[col.name] = dict(unknown)
    res.warnings.extend(Problem("取值对应", zh, None, src, f"{zh}：{src} → {to}（{n} 行）")
                        for (src, to), n in sorted(counts.items(), key=lambda kv: -kv[1]))
    return out


def cells_warnings(seen: Readings, year: int | None, res: ImportResult) -> None:
    if seen.units:
        parts = "、".join(f"{zh} {n} 个" for zh, n in seen.units.items())
        res.warnings.append(Problem("金额带单位", "", None, "", (
            f"单元格中写明了单位的金额已按其单位换算为万元（{parts}），单元格的单位优先于表头和“单位：”行。")))
    if seen.approx:
        rows = "、".join(f"第 {r} 行{zh}“{v}”" for r, zh, v in seen.approx[:20])
        res.warnings.append(Problem("约数", "", None, "", (
            f"{len(seen.approx)} 个金额写的是约数，已按所写数值导入：{rows}{'等' if len(seen.approx) > 20 else ''}。"
            "请尽量填报准确数。")))
    if seen.no_year:
        res.warnings.append(Problem("日期未写年份", "", None, "", (
            f"{seen.no_year} 个日期没有写年份，已按报送年份 {year} 年读取（如“7月5日”读作 {year}-07-05）。")))
    if seen.parts:
        said = {"月底": "“X月底”读作该月最后一天", "旬": "上旬、中旬、下旬读作1日、11日、21日"}
        parts = "；".join(f"{said[k]}（{n} 个）" for k, n in seen.parts.items())
        res.warnings.append(Problem("日期按旬或月底读取", "", None, "", f"{parts}。"))


