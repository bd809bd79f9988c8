"""Reading a register file (年度重点项目名单) for a year: its project rows with the attribute columns the file has,
checked and grouped into units (by 县区, or all the named unit's); data.register imports what it reads."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from data.ingest.basis import Basis, made_code, name_key
from data.ingest.build import Context, read_cells
from data.ingest.readers import read_table
from data.ingest.result import ImportResult
from data.ingest.source import Refused, clean_filename, load, sniff
from data.ingest.vocabulary import Vocabulary
from data.problems import Problem
from data.schema import ALL_COLUMNS, ATTRIBUTES, COLUMN_BY_NAME, FULL_SCHEMA, ZH
from data.validate import validate

KEYS = ("project_id", "project_name", "county")  # every register part has these
MIN_YEAR, MAX_YEAR = 2000, 2100


@dataclass
class RegisterRead:
    """A register file read: the result (problems, rows), each unit's part, and the attribute columns it has."""

    result: ImportResult
    parts: dict[str, pl.DataFrame] = field(default_factory=dict)
    columns: list[str] = field(default_factory=list)


def read_register(source: str | Path | bytes, *, year: int, filename: str | None = None, sheet: str | None = None,
                  unit: str | None = None, mappings=None, basis: Basis | None = None) -> RegisterRead:
    """Read and check a register file for `year`: the project rows with the attribute columns the file has, grouped
    into units (by 县区, or all the named unit's); nothing but problems when it has errors."""
    from data.mappings import NONE

    mappings = mappings or NONE
    res = ImportResult(frame=None, filename=filename)
    out = RegisterRead(res)
    if not MIN_YEAR <= year <= MAX_YEAR:
        res.errors.append(Problem("年份错误", "", None, str(year), f"年份“{year}”无效：请写四位年份，如 2025。"))
        return out
    ctx = Context(mappings, unit, basis or Basis(), register_year=year)
    try:
        data, name = load(source, filename)
        res.filename = clean_filename(name, res.warnings)
        res.sha256 = hashlib.sha256(data).hexdigest()
        res.kind = sniff(data)
        tbl = read_table(data, res, sheet, Vocabulary(mappings, unit))
    except Refused as e:
        res.errors.append(e.problem)
        res.unknown_headers = e.unknown_headers
        return out
    res.header_row = tbl.header_row
    read_ = read_cells(tbl, res, None, ctx)
    if read_ is None:
        return out
    rows = read_.rows
    ignored = [ZH.get(k, k) for k in read_.heads.chosen if k not in ATTRIBUTES and k in COLUMN_BY_NAME]
    if ignored:
        res.warnings.append(Problem("名单只保存项目属性", "", tbl.header_row, "", (
            f"名单只保存项目的属性，以下列未导入：{'、'.join(ignored)}。各月进度请按月导入。")))
    for name, why in (("project_name", "项目名称"), ("county", "县区（或用 --unit 指定县区）")):
        if not rows.has(name):
            res.errors.append(Problem("缺少必填列", ZH[name], tbl.header_row, "", (
                f"名单中找不到“{why}”列：名单的每个项目都要有名称和所在县区，请补上该列。")))
    if res.errors:
        return out
    if not rows.n:
        res.errors.append(Problem("没有数据", "", tbl.header_row, "", f"{tbl.where}下面没有项目。"))
        return out
    v = rows.values
    codes = [pid or (made_code(c, n) if c and n else None)
             for pid, c, n in zip(v["project_id"], v["county"], v["project_name"])]
    made = sum(1 for pid, c in zip(v["project_id"], codes) if pid is None and c is not None)
    v["project_id"] = codes
    columns = [c.name for c in ALL_COLUMNS if c.attribute and (c.name in KEYS or rows.has(c.name))]
    frame = pl.DataFrame({c: pl.Series(c, v[c], dtype=FULL_SCHEMA[c]) for c in columns})
    res.errors.extend(validate(frame, rows.source_rows))
    seen: dict[tuple, int] = {}
    for src, county, name in zip(rows.source_rows, v["county"], v["project_name"]):
        if county and name:
            key = (county, name_key(name))
            if key in seen:
                res.errors.append(Problem("项目名称重复", ZH["project_name"], src, name, (
                    f"第 {seen[key]} 行和第 {src} 行是同一县区的同名项目（“{name}”）：名单中每个项目只能出现一次。")))
            seen.setdefault(key, src)
    if made:
        res.warnings.append(Problem("生成项目编码", ZH["project_id"], None, "", (
            f"{made} 个项目没有项目编码，已按县区和名称生成（X 开头，每月不变），各月进度按名称即可对应。")))
    absent = [ZH[a] for a in ATTRIBUTES if a not in columns and COLUMN_BY_NAME[a].required]
    if absent:
        res.warnings.append(Problem("名单缺少属性列", "", tbl.header_row, "", (
            f"名单没有这些必填属性的列：{'、'.join(absent)}——各月报送时须在表中填写，或沿用上月数据。")))
    res.source_rows = rows.source_rows
    if res.errors:
        return out
    res.frame = frame
    owner = read_.unit if read_.unit and not read_.county_unit else None
    for u in ([owner] if owner else frame.get_column("county").unique(maintain_order=True).to_list()):
        out.parts[u] = frame if owner else frame.filter(pl.col("county") == u)
    out.columns = columns
    res.unit = owner
    return out
