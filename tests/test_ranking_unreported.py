"""A county that has not reported this month (DOMAIN.md Part 2): not scored, listed as 未报送 — on every view of
the ranking (table, screen board, bulletin) without breaking it."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from data.store import Store
from metrics.dataset import Dataset
from metrics.ranking import UNREPORTED, ranking
from reports import bulletin
from tests.app_store import june_without

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Store:
    """April–June 2025 of the demo city; 北岭县 reported April and May but not June."""
    return june_without(tmp_path_factory.mktemp("s"))


def test_the_ranking_lists_it_last_unscored(store):
    r = ranking(Dataset.from_store(store), "2025-06")
    assert r.height == 9 and r.get_column("rank").null_count() == 1
    last = r.row(-1, named=True)
    assert (last["county"], last["rank"], last["score"], last["flag"], last["warning"], last["explanation"]) == (
        "北岭县", None, None, None, False, UNREPORTED)
    assert sorted(r.get_column("rank").drop_nulls().to_list()) == [1, 2, 3, 4, 5, 6, 7, 8]
    may = ranking(Dataset.from_store(store), "2025-05")  # it reported in May: scored there
    assert may.height == 9 and may.get_column("rank").null_count() == 0


@pytest.mark.parametrize("params", [{}, {"mode": "screen"}, {"mode": "screen", "counties": "北岭县,石门县"}])
def test_the_ranking_pages_show_it(store, monkeypatch, params):
    monkeypatch.setenv("KPM_STORE", str(store.root))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    at.switch_page("pages/compare.py").run()
    assert not at.exception, [e.value for e in at.exception]
    shown = " ".join(str(m.value) for m in at.markdown) + " ".join(
        str(df.value.to_dict()) for df in at.dataframe)
    assert "未报送" in shown and "None" not in " ".join(str(m.value) for m in at.markdown)


def test_the_bulletin_names_it(store):
    b = bulletin.collect(Dataset.from_store(store), "2025-06", report=store.report("2025-06"))
    rows = b.tables["县区排名"].text
    assert rows[0][:5] == ["名次", "县区", "得分", "名次变化", "红旗/蜗牛"]
    assert rows[-1][:5] == ["—", "北岭县", "—", "—", "未报送"]
    assert b.report.of("missing")[0].unit == "北岭县"


def test_a_county_that_reports_later_is_no_longer_unreported_on_the_same_dataset(tmp_path):
    """The dataset remembers each month's 未报送 per state of the audit log: a submission published afterwards
    shows at once, without a new Dataset."""
    import datetime as dt

    import polars as pl

    from data.store import DEMO_DIR

    store = june_without(tmp_path / "s")
    ds = Dataset.from_store(store)
    june = dt.date(2025, 6, 1)
    assert ds.unreported_counties(june) == {"北岭县"}
    assert ds.unreported_counties(june) == {"北岭县"}  # remembered
    rows = Store(DEMO_DIR).read("2025-06").filter(pl.col("county") == "北岭县")
    store.submit(rows, unit="北岭县", user="test")
    store.publish("2025-06", "北岭县", user="test")
    assert ds.unreported_counties(june) == set()


def test_the_screen_board_names_it_in_english(store, monkeypatch):
    monkeypatch.setenv("KPM_STORE", str(store.root))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params["mode"], at.query_params["lang"] = "screen", "en"
    at.run()
    at.switch_page("pages/compare.py").run()
    assert not at.exception, [e.value for e in at.exception]
    board = next(m.value for m in at.markdown if 'class="kpm-board"' in m.value)
    row = next(r for r in board.split("<tr") if "北岭县" in r)
    assert "Not reported" in row and "未报送" not in row, row
