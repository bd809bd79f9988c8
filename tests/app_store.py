"""A small, deterministic store for the app tests: 3 counties, 3 months, numbers easy to compute by hand."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from data.store import DEMO_DIR, Store
from tests.factories import snapshot

D = dt.date
MONTHS = ("2024-04", "2024-05", "2024-06")
COUNTIES = ("甲县", "乙县", "丙区")
# Share of the June 本年累计 reported in each month (本年累计 only grows).
SCALE = {"2024-04": 0.5, "2024-05": 0.75, "2024-06": 1.0}
# A problem text with markup in it: pages must show it as text, never as HTML.
PROBLEM = "资金<b>不到位</b>，征地未完成"

ALL_PROCS = {"proc_approval": D(2023, 1, 10), "proc_land": D(2023, 2, 10), "proc_planning": D(2023, 3, 10),
             "proc_eia": D(2023, 4, 10), "proc_energy": D(2023, 5, 10), "proc_construction_permit": D(2023, 6, 10)}

# June values; construction set = 新开工 + 续建.
PROJECTS = (
    dict(project_id="JA01", project_name="甲县新材料产业园", county="甲县", chain="新材料", category="产业",
         industry_class="新兴产业", level="市级", build_type="续建", status="在建", investor_type="民间投资",
         total_investment=20_000.0, plan_investment_year=1_000.0, completed_investment_ytd=600.0,
         completed_investment_total=5_000.0, funds_in_place_ytd=500.0, actual_start=D(2023, 5, 1),
         leader="王强", is_signed_attraction=True, **ALL_PROCS),
    dict(project_id="JA02", project_name="甲县城区供水管网改造", county="甲县", category="基础设施",
         level="县级", build_type="新开工", status="在建", investor_type="政府投资",
         total_investment=5_000.0, plan_investment_year=1_000.0, completed_investment_ytd=300.0,
         funds_in_place_ytd=300.0, planned_start=D(2024, 3, 1), actual_start=D(2024, 3, 20),
         proc_approval=D(2023, 11, 1), proc_land=D(2024, 1, 5), proc_planning=D(2024, 2, 1)),
    dict(project_id="YB01", project_name="乙县装备制造基地", county="乙县", chain="装备制造", category="产业",
         industry_class="传统产业", level="省级", build_type="续建", status="在建", investor_type="国有企业",
         total_investment=80_000.0, plan_investment_year=2_000.0, completed_investment_ytd=800.0,
         completed_investment_total=30_000.0, funds_in_place_ytd=700.0, actual_start=D(2022, 9, 1),
         leader=None, **ALL_PROCS),
    dict(project_id="YB02", project_name="乙县文旅综合体（前期）", county="乙县", category="社会民生",
         level="县级", build_type="前期", status="未开工", investor_type="民间投资",
         total_investment=12_000.0, plan_investment_year=0.0, completed_investment_ytd=0.0,
         is_signed_attraction=True, proc_approval=D(2024, 2, 1)),
    dict(project_id="CQ01", project_name="丙区智能终端项目", county="丙区", chain="新材料", category="产业",
         industry_class="新兴产业", level="市级", build_type="新开工", status="未开工", investor_type="民间投资",
         total_investment=30_000.0, plan_investment_year=1_000.0, completed_investment_ytd=100.0,
         funds_in_place_ytd=100.0, planned_start=D(2024, 3, 1), leader="李敏", is_signed_attraction=True,
         proc_approval=D(2024, 1, 8)),
    dict(project_id="CQ02", project_name="丙区污水处理厂二期", county="丙区", category="生态环保",
         level="县级", build_type="续建", status="停工", investor_type="政府投资",
         total_investment=8_000.0, plan_investment_year=500.0, completed_investment_ytd=200.0,
         completed_investment_total=3_000.0, funds_in_place_ytd=150.0, actual_start=D(2023, 3, 1),
         problems=PROBLEM, **ALL_PROCS),
)

# Hand-computed June 投资完成率 = Σytd / Σplan over 新开工+续建.
RATE_ALL = (600 + 300 + 800 + 100 + 200) / (1000 + 1000 + 2000 + 1000 + 500)   # 2000 / 5500 = 36.4%
RATE_JIA = (600 + 300) / (1000 + 1000)                                          # 900 / 2000 = 45.0%
RATE_MAY_ALL = RATE_ALL * 0.75                                                  # 27.3%


def pct(x: float) -> str:
    return f"{x * 100:.1f}%"


def month_frame(month: str):
    s = SCALE[month]
    rows = []
    for p in PROJECTS:
        r = dict(p)
        for k in ("completed_investment_ytd", "funds_in_place_ytd"):
            r[k] = r.get(k, 0.0) * s
        total = r.get("completed_investment_total", 0.0)
        # the since-start total grows with this year's progress (zombie rule needs growth to stay quiet)
        r["completed_investment_total"] = max(total - (p.get("completed_investment_ytd", 0.0) * (1 - s)),
                                              r["completed_investment_ytd"])
        if month != "2024-06" and r["project_id"] == "CQ02":
            r["status"], r["problems"] = "在建", None       # stopped only in June: a status change to show
        if month == "2024-04" and r["project_id"] == "JA02":
            r["build_type"] = "前期"                          # became 新开工 in May: a build-type change
        rows.append(r)
    return snapshot(month, *rows)


def build_store(root: str | Path) -> Store:
    """Write the three months into a fresh store at root."""
    store = Store(root)
    for m in MONTHS:
        store.write(month_frame(m), source=f"fixture_{m}.xlsx", user="test")
    return store


def june_without(root: str | Path, county: str = "北岭县") -> Store:
    """April–June 2025 of the demo city; `county` reported April and May but not June."""
    st, demo = Store(root), Store(DEMO_DIR)
    for m in ("2025-04", "2025-05"):
        st.write(demo.read(m), at=f"{m}-20T10:00:00")
    st.write(demo.read("2025-06").filter(pl.col("county") != county), at="2025-06-20T10:00:00")
    return st
