"""形象进度 and 责任单位 on the watch lists, the lists' CLI and the bulletin's annexes (issue #26), only where a listed
row has them: a hand-written June 2024 (时序进度 50 %) with two lagging projects (LAG1 at 30 % of 1,000 万元, LAG2 at 20 % of 500)."""
from __future__ import annotations

import json

import polars as pl

from metrics.dataset import Dataset
from metrics.watchlists import watch_list
from reports import bulletin
from tests.factories import D
from tests.factories import snapshot as plain_snapshot

TEXT = ("progress_note", "responsible_unit")

BASE = dict(build_type="续建", status="在建", plan_investment_year=100.0, actual_start=D(2023, 1, 1), county="甲县",
            leader="王强")
JUNE = [dict(BASE, project_id="LAG1", completed_investment_ytd=30.0, progress_note="主体二层", responsible_unit="甲县住建局"),
        dict(BASE, project_id="LAG2", completed_investment_ytd=20.0, total_investment=500.0),
        dict(BASE, project_id="OK", completed_investment_ytd=60.0, progress_note="已封顶")]


def snapshot(month: str, *projects: dict):
    """factories.snapshot with the projects' text columns (the factory's schema is the 32 columns)."""
    frame = plain_snapshot(month, *({k: v for k, v in p.items() if k not in TEXT} for p in projects))
    if not any(k in p for p in projects for k in TEXT):
        return frame
    return frame.with_columns(pl.Series(c, [p.get(c) for p in projects], pl.String) for c in TEXT)


def test_a_list_carries_the_text_its_rows_have():
    df = watch_list(Dataset.from_frame(snapshot("2024-06", *JUNE)), "2024-06", "lagging")
    # by county, the larger total first: LAG1 (1,000 万元), then LAG2 (500)
    assert df.select("project_id", "progress_note", "responsible_unit").to_dicts() == [
        {"project_id": "LAG1", "progress_note": "主体二层", "responsible_unit": "甲县住建局"},
        {"project_id": "LAG2", "progress_note": None, "responsible_unit": None}]


def test_a_list_without_text_keeps_its_columns():
    rows = [{k: v for k, v in r.items() if k not in ("progress_note", "responsible_unit")} for r in JUNE]
    df = watch_list(Dataset.from_frame(snapshot("2024-06", *rows)), "2024-06", "lagging")
    assert "progress_note" not in df.columns and "responsible_unit" not in df.columns
    assert df.get_column("project_id").to_list() == ["LAG1", "LAG2"]


def test_the_bulletins_annex_prints_the_progress_before_the_leader():
    b = bulletin.collect(Dataset.from_frame(snapshot("2024-06", *JUNE)), "2024-06")
    annex = b.tables[next(n for n in b.annexes if "滞后项目清单" in n)]
    head = annex.text[0]
    assert head[-3:] == ["形象进度", "责任单位", "包抓领导"]
    assert [r[-3:] for r in annex.text[1:]] == [["主体二层", "甲县住建局", "王强"], ["", "", "王强"]]
    assert annex.frame.get_column("形象进度").to_list() == ["主体二层", None]


def test_the_lists_command_prints_it(tmp_path):
    from data.store import Store
    from tests.helpers import run_module

    store = Store(tmp_path / "s")
    store.write(snapshot("2024-06", *JUNE), source="june.xlsx", user="t")
    out = run_module("reports", "lists", "--list", "lagging", "--month", "2024-06", "--format", "json",
                     "--data", str(store.root))
    rows = json.loads(out.stdout)["rows"]
    assert [(r["project_id"], r["progress_note"]) for r in rows] == [("LAG1", "主体二层"), ("LAG2", None)]
