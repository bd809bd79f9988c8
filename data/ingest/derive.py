"""What a report states once or implies: 县区 from the unit, the title's level, group headings' category, an
organisation's name moved to 项目业主, 开工/计划开工时间 split at the month's end, 建设起止年限's dates."""
from __future__ import annotations

import datetime as dt
import re
from collections import Counter

from data.ingest.basis import Rows
from data.ingest.cells import nfkc
from data.ingest.columns import Cells, Readings, cells_warnings, parse_column
from data.ingest.facts import Facts, heading_category
from data.ingest.header import Table
from data.ingest.heads import Heads
from data.ingest.result import ImportResult
from data.ingest.values import last_day
from data.mappings import NONE
from data.problems import Problem
from data.schema import COLUMN_BY_NAME, START_EITHER, ZH


def investor_names(values: dict, given: dict, names: list, res: ImportResult) -> None:
    """An organisation's name in 投资主体 goes to 项目业主 (unless the row has one), the type is completed."""
    for i, _, name in names:
        if not given["owner"][i] or values["owner"][i] is None:
            values["owner"][i] = name
            given["owner"][i] = True
    shown = "、".join(f"第 {r} 行“{v}”" for _, r, v in names[:20])
    res.warnings.append(Problem("投资主体为单位名称", ZH["investor_type"], None, "", (
        f"{len(names)} 行的投资主体写的是单位名称（{shown}{'等' if len(names) > 20 else ''}）：已作为项目业主保存，"
        "投资主体按名单或上月数据补全（政府投资、国有企业、民间投资、外商投资之一）。")))


def file_values(table: Table, rows: Rows, facts: Facts, unit: str | None, county_unit: bool,
                 groups: list[tuple[int, str]], keep, res: ImportResult) -> None:
    """Values the file states once: 县区 = the unit (a county's own file), the title's level, group headings' category."""
    v, g, n = rows.values, rows.given, rows.n
    if not rows.has("county") and unit and county_unit:
        v["county"], g["county"] = [unit] * n, [True] * n
        res.warnings.append(Problem("县区取自报送单位", ZH["county"], None, unit,
                                    f"文件没有“县区”列：各行县区按报送单位填为“{unit}”（{n} 行）。"))
    if not rows.has("level") and facts.level:
        v["level"], g["level"] = [facts.level] * n, [True] * n
        res.warnings.append(Problem("项目级别取自标题", ZH["level"], None, facts.level,
                                    f"文件没有“项目级别”列：项目级别取自标题“{facts.level_text}”，为{facts.level}（{n} 行）。"))
    if not rows.has("category") and groups:
        current, counts = None, Counter()
        marks = iter(sorted(groups))
        nxt = next(marks, None)
        for i, (src, _) in enumerate(keep):
            while nxt is not None and nxt[0] < src:
                category, top = heading_category(nxt[1])
                if category is not None or top:
                    current = category
                nxt = next(marks, None)
            if current is not None:
                v["category"][i], g["category"][i] = current, True
                counts[current] += 1
        if counts:
            parts = "、".join(f"{c} {k} 行" for c, k in counts.items())
            res.warnings.append(Problem("项目类别取自分组标题", ZH["category"], None, "",
                                        f"文件没有“项目类别”列：项目类别取自表中的分组标题（{parts}）。"))


def derive_start(table: Table, heads: Heads, keep, rows: Rows, month: dt.date, res: ImportResult, reported: Cells,
                  kinds: dict, year: int) -> None:
    """开工/计划开工时间 (one column for both): actual start when on or before the month's end, else planned start."""
    if START_EITHER not in heads.chosen:
        return
    j, _ = heads.chosen[START_EITHER]
    col = COLUMN_BY_NAME["actual_start"]
    seen = Readings()
    dates = parse_column(col, j, 1.0, keep, res, reported, NONE, kinds, year, seen, zh=str(table.headers[j]).strip())
    cells_warnings(seen, year, res)
    end = last_day(month.year, month.month)
    v, g = rows.values, rows.given
    counts = Counter()
    for i, d in enumerate(dates):
        if not g["actual_start"][i]:
            v["actual_start"][i] = d if d is not None and d <= end else None
            g["actual_start"][i] = True
            counts["actual_start" if v["actual_start"][i] else "none"] += 1
        if d is not None and d > end and not g["planned_start"][i]:
            v["planned_start"][i], g["planned_start"][i] = d, True
            counts["planned_start"] += 1
    res.warnings.append(Problem("开工时间按月末区分", ZH["actual_start"], None, "", (
        f"“{str(table.headers[j]).strip()}”一列中，不晚于报送月份月末的读作实际开工时间（{counts['actual_start']} 行），"
        f"晚于月末的读作计划开工时间（{counts['planned_start']} 行）。")))


PERIOD_TOKEN = re.compile(r"(\d{4})(?:\s*[年.\-/]\s*(\d{1,2})(?!\d)\s*月?)?")


def period_dates(text: object) -> tuple[dt.date | None, dt.date | None]:
    """(planned start, planned completion) a 建设起止年限 states: a month at the start gives its first day, at the end
    its last day; a bare year or a duration gives none ('2023.3-2025.12' → 2023-03-01, 2025-12-31)."""
    if not isinstance(text, str):
        return None, None
    tokens = [(int(y), int(m) if m else None) for y, m in PERIOD_TOKEN.findall(nfkc(text))]
    if len(tokens) != 2:
        return None, None
    (y0, m0), (y1, m1) = tokens
    start = dt.date(y0, m0, 1) if m0 and 1 <= m0 <= 12 else None
    end = last_day(y1, m1) if m1 and 1 <= m1 <= 12 else None
    return start, end


def derive_period(rows: Rows, res: ImportResult) -> None:
    """计划开工/竣工时间 from 建设起止年限 where the file has no such column and the period states the month."""
    if not rows.has("construction_period"):
        return
    v, g = rows.values, rows.given
    counts = Counter()
    for i, text in enumerate(v["construction_period"]):
        start, end = period_dates(text)
        for name, d in (("planned_start", start), ("planned_completion", end)):
            if d is not None and not g[name][i]:
                v[name][i], g[name][i] = d, True
                counts[name] += 1
    if counts:
        parts = "、".join(f"{ZH[k]} {n} 行" for k, n in counts.items())
        res.warnings.append(Problem("时间取自建设起止年限", "", None, "", (
            f"文件没有计划开工或计划竣工时间的列：已按“建设起止年限”中写明的月份读取（{parts}）；只写年份的不读取，"
            "按名单或上月数据补全。")))


