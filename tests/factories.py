"""The one snapshot factory of the tests: a generated valid snapshot (valid_frame), snapshots written by hand from
project dicts with defaults for the rest (snapshot, store_of), and writers that turn a frame into ledger files."""
from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import polars as pl

from data.months import parse_month
from data.schema import BUILD_TYPES, CATEGORIES, COLUMNS, INVESTOR_TYPES, LEVELS, SCHEMA, STATUSES

COUNTIES = ("甲县", "乙县", "丙区")
CHAINS = ("新能源", None, "装备制造")


def valid_frame(n: int = 5, month: str = "2024-06") -> pl.DataFrame:
    """A deterministic snapshot of n projects that passes every DOMAIN.md rule."""
    m = parse_month(month)
    rows = []
    for i in range(n):
        category = CATEGORIES[i % len(CATEGORIES)]
        status = STATUSES[i % len(STATUSES)]
        build_type = BUILD_TYPES[i % len(BUILD_TYPES)]
        total = 10_000.0 * (i + 1) + 0.5
        plan = 0.0 if build_type in ("前期", "储备") else 2_000.0 * (i + 1)
        ytd = round(plan * 0.4, 2)
        started = status != "未开工"
        rows.append({
            "snapshot_month": m,
            "project_id": f"P{i:04d}",
            "project_name": f"{COUNTIES[i % 3]}重点项目{i}",
            "county": COUNTIES[i % 3],
            "chain": CHAINS[i % 3] if category == "产业" else None,
            "category": category,
            "industry_class": ("新兴产业" if i % 2 else "传统产业") if category == "产业" else None,
            "level": LEVELS[i % len(LEVELS)],
            "build_type": build_type,
            "status": status,
            "investor_type": INVESTOR_TYPES[i % len(INVESTOR_TYPES)],
            "total_investment": total,
            "plan_investment_year": plan,
            "completed_investment_ytd": ytd,
            "completed_investment_total": round(ytd + 1_000.0 * i, 2),
            "funds_in_place_ytd": round(ytd * 0.9, 2),
            "planned_start": dt.date(m.year, 3, 15),
            "actual_start": (m - dt.timedelta(days=40 + i)) if started else None,
            "planned_completion": dt.date(m.year + 2, 6, 30),
            "proc_approval": dt.date(m.year - 1, 1, 10),
            "proc_land": dt.date(m.year - 1, 2, 10) if i % 2 == 0 else None,
            "proc_planning": dt.date(m.year - 1, 3, 10),
            "proc_eia": None if i % 3 == 2 else dt.date(m.year - 1, 4, 10),
            "proc_energy": dt.date(m.year - 1, 5, 10),
            "proc_construction_permit": dt.date(m.year - 1, 6, 10) if started else None,
            "land_area_mu": 50.0 + i if i % 4 else None,
            "annual_tax": 120.5 if status == "投产" else None,
            "annual_profit_tax": 300.0 if status == "投产" else None,
            "is_signed_attraction": i % 2 == 0,
            "leader": "张伟" if i % 3 else None,
            "problems": "征地拆迁未完成" if i % 4 == 1 else None,
            "in_statistics": i % 5 != 4,
        })
    return pl.DataFrame(rows, schema=SCHEMA)


# ---- snapshots by hand: one dict per project, defaults for everything else ----------------------------------------
D = dt.date

DEFAULTS = {
    "project_name": "测试项目", "county": "甲县", "chain": None, "category": "基础设施", "industry_class": None,
    "level": "县级", "build_type": "续建", "status": "在建", "investor_type": "政府投资",
    "total_investment": 1000.0, "plan_investment_year": 100.0, "completed_investment_ytd": 0.0,
    "completed_investment_total": 0.0, "funds_in_place_ytd": 0.0, "planned_start": None, "actual_start": None,
    "planned_completion": None, "proc_approval": None, "proc_land": None, "proc_planning": None, "proc_eia": None,
    "proc_energy": None, "proc_construction_permit": None, "land_area_mu": None, "annual_tax": None,
    "annual_profit_tax": None, "is_signed_attraction": False, "leader": None, "problems": None,
    "in_statistics": True,
}


def snapshot(month: str, *projects: dict) -> pl.DataFrame:
    """A canonical snapshot for 'YYYY-MM' from project dicts (project_id required)."""
    y, m = map(int, month.split("-"))
    rows = []
    for p in projects:
        r = {**DEFAULTS, **p, "snapshot_month": D(y, m, 1)}
        if r["completed_investment_total"] < r["completed_investment_ytd"]:
            r["completed_investment_total"] = r["completed_investment_ytd"]
        rows.append(r)
    return pl.DataFrame(rows, schema=SCHEMA)


def store_of(*frames: pl.DataFrame) -> pl.DataFrame:
    """Several snapshots concatenated (what a store scan returns)."""
    return pl.concat(frames, how="vertical")


# ---- ledger files -------------------------------------------------------------------------------------------------
def _cell(value, kind: str, style: str):
    if value is None:
        return None
    if kind == "bool":
        return "是" if value else "否"
    if kind == "month" and style == "text":
        return f"{value:%Y-%m}"
    if kind in ("date", "month") and style == "text":
        return value.isoformat()
    if kind in ("money", "float") and style == "text":
        return repr(float(value))
    return value


def ledger_rows(frame: pl.DataFrame, style: str = "text") -> tuple[list[str], list[list]]:
    """Chinese headers and cell values as an analyst would type them (text) or as Excel cells (cells)."""
    headers = [c.zh for c in COLUMNS]
    rows = [[_cell(rec[c.name], c.kind, style) for c in COLUMNS] for rec in frame.iter_rows(named=True)]
    return headers, rows


def write_table_xlsx(headers: list, rows: list[list], path: Path, *, title: str | None = "某县重点项目建设进展情况表",
                     unit_row: str | None = "单位：万元", total_row: bool = True, sheet: str = "台账") -> Path:
    """An xlsx sheet: optional merged title row and unit row, a 序号 column, the rows, an optional 合计 row."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    if title:
        ws.append([title])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers) + 1)
    if unit_row:
        ws.append([unit_row])
    ws.append(["序号", *headers])
    for i, row in enumerate(rows, 1):
        ws.append([i, *row])
    if total_row:
        ws.append(["合计", *[None] * len(headers)])
    path = Path(path)
    wb.save(path)
    return path


def write_xlsx(frame: pl.DataFrame, path: Path, **kw) -> Path:
    """An xlsx ledger with Chinese headers, title and unit rows above, a 序号 column and a 合计 row (header on row 3)."""
    headers, rows = ledger_rows(frame, style="cells")
    return write_table_xlsx(headers, rows, path, **kw)


def write_table_csv(headers: list, rows: list[list], path: Path, *, encoding: str = "utf-8-sig",
                    delimiter: str = ",", title: str | None = None) -> Path:
    """A CSV file from headers and text rows."""
    buf = io.StringIO(newline="")
    w = csv.writer(buf, delimiter=delimiter)
    if title:
        w.writerow([title])
    w.writerow(headers)
    w.writerows(rows)
    path = Path(path)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def write_csv(frame: pl.DataFrame, path: Path, *, encoding: str = "utf-8-sig", delimiter: str = ",",
              title: str | None = None) -> Path:
    """A CSV ledger with Chinese headers in the given encoding (utf-8-sig, gb18030, utf-8)."""
    headers, rows = ledger_rows(frame, style="text")
    return write_table_csv(headers, rows, path, encoding=encoding, delimiter=delimiter, title=title)


def write_parquet(frame: pl.DataFrame, path: Path) -> Path:
    """A parquet ledger with the canonical English column names."""
    path = Path(path)
    frame.write_parquet(path)
    return path


def tree_bytes(root: Path) -> dict[str, bytes]:
    """Every file under root with its bytes: compare before and after to prove nothing changed."""
    root = Path(root)
    if not root.exists():
        return {}
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}
