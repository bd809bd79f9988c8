"""Tiny hand-written snapshots for indicator tests: one dict per project, defaults for everything else."""
from __future__ import annotations

import datetime as dt

import polars as pl

from data.schema import SCHEMA

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
