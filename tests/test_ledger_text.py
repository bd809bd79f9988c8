"""The register's and real tables' text columns where leaders read them (issue #26): 项目台账's grid (形象进度 and
年底应达形象进度 beside 建设状态, 项目业主 … after 包抓领导, only when some row has them), a project's history (形象进度
month by month, latest first, under the year's target; the facts line), its table, and the grid's export. Expected
values written by hand from the fixture below."""
from __future__ import annotations

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from data.store import Store
from tests import app_store as fx
from tests.test_app import APP, TIMEOUT, texts

NOTES = {"2024-04": "完成场平", "2024-05": None, "2024-06": "主体三层封顶"}   # JA01's 形象进度; May reported none
REGISTER = {"owner": "甲县城投公司", "responsible_unit": "甲县住建局", "location": "甲县工业园",
            "construction_period": "2023-2026", "scope": "新建厂房4栋", "target_note": "主体完工"}


def with_text(month: str) -> pl.DataFrame:
    """The fixture's month with JA01's 形象进度 and register text (the other projects have none)."""
    f = fx.month_frame(month)
    ja01 = pl.col("project_id") == "JA01"
    return f.with_columns(pl.when(ja01).then(pl.lit(NOTES[month])).otherwise(None).cast(pl.String).alias("progress_note"),
                          *(pl.when(ja01).then(pl.lit(v)).otherwise(None).cast(pl.String).alias(k)
                            for k, v in REGISTER.items()))


@pytest.fixture
def store(tmp_path, monkeypatch):
    s = Store(tmp_path / "store")
    for m in fx.MONTHS:
        s.write(with_text(m), source=f"fixture_{m}.xlsx", user="test")
    monkeypatch.setenv("KPM_STORE", str(s.root))
    return s


def run(query: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    at.switch_page("pages/ledger.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_grid_shows_the_text_columns_after_their_anchors(store):
    df = run().dataframe[0].value
    cols = list(df.columns)
    assert cols[cols.index("建设状态") + 1: cols.index("建设状态") + 3] == ["形象进度", "年底应达形象进度"]
    assert cols[cols.index("包抓领导") + 1: cols.index("包抓领导") + 6] == ["项目业主", "责任单位", "建设地点",
                                                                       "建设起止年限", "建设内容"]
    rows = df.set_index("项目编码")
    assert rows.loc["JA01", "形象进度"] == "主体三层封顶" and rows.loc["JA01", "项目业主"] == "甲县城投公司"
    assert rows["形象进度"].isna().sum() == len(rows) - 1


def test_the_grid_without_text_is_as_before(tmp_path, monkeypatch):
    s = fx.build_store(tmp_path / "plain")
    monkeypatch.setenv("KPM_STORE", str(s.root))
    cols = list(run().dataframe[0].value.columns)
    assert not {"形象进度", "年底应达形象进度", "项目业主", "建设内容"} & set(cols)


def test_history_reads_the_progress_month_by_month(store):
    at = run({"project": "JA01"})
    shown = texts(at)
    assert "形象进度（逐月）" in shown and "年底应达形象进度：主体完工" in shown
    notes = [x.value for x in at.text]
    assert notes[:2] == ["主体三层封顶", "完成场平"]          # the latest first; May reported none
    assert "项目业主 甲县城投公司 · 责任单位 甲县住建局 · 建设地点 甲县工业园 · 建设起止年限 2023\\-2026" in shown  # markdown-escaped
    assert "建设内容：新建厂房4栋" in shown
    table = at.dataframe[-1].value
    assert table["形象进度"].tolist()[0::2] == ["完成场平", "主体三层封顶"] and table["形象进度"].isna().tolist()[1]


def test_history_without_progress_has_no_section(store):
    at = run({"project": "JA02"})
    assert "形象进度（逐月）" not in texts(at)
    assert "形象进度" not in at.dataframe[-1].value.columns
