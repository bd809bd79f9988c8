"""The view caches: the store and the language looked at once per script run (ui/runmemo.py), filters in either order
one cache key, the audit log read when it changed, and tables built once per selection and sent to st.dataframe as
Arrow (ui/cached.py, ui/widgets.show_table)."""
from __future__ import annotations

import datetime as dt
import json

import polars as pl
import pytest
from streamlit import dataframe_util

from data.store import Store
from metrics.filters import Filters
from tests import app_store as fx
from tests.helpers import start_app
from ui import cached, dimension, i18n

TIMEOUT = 120


@pytest.fixture
def store(tmp_path, monkeypatch) -> Store:
    s = fx.build_store(tmp_path / "store")
    monkeypatch.setenv("KPM_STORE", str(s.root))
    return s


def counted(monkeypatch, owner, name: str) -> list:
    """Replace owner.name by a wrapper that records each call; returns the record."""
    calls, real = [], getattr(owner, name)

    def wrapper(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, wrapper)
    return calls


def start(query: dict | None = None, page: str | None = "pages/progress.py"):
    """A new session (two script runs: app.py's first page, then `page`)."""
    return start_app(query, page, TIMEOUT)


def test_a_page_run_looks_at_the_store_once(store, monkeypatch):
    start()  # caches warm: what is left is what every view pays
    keys = counted(monkeypatch, Store, "content_key")
    start()
    assert len(keys) == 2, f"{len(keys)} looks at the store's files in two script runs"


def test_a_month_written_between_runs_is_shown_in_the_next(store):
    at = start()
    july = fx.month_frame("2024-06").with_columns(pl.lit(dt.date(2024, 7, 1)).alias("snapshot_month"))
    store.write(july, source="七月.xlsx", user="test")
    at.run()
    assert "2024-07" in at.sidebar.selectbox[0].options


def test_the_language_is_read_once_per_run_and_follows_the_switch(store, monkeypatch):
    reads = counted(monkeypatch, i18n, "_lang")
    at = start({"lang": "en"})
    assert len(reads) <= 4, f"the language was read {len(reads)} times in two script runs"
    assert at.sidebar.selectbox[0].label == "Month"
    at.sidebar.toggle[0].set_value(False).run()  # back to Chinese within the same session
    assert at.sidebar.selectbox[0].label == "报送月份"
    assert not at.exception


def test_filters_in_either_order_are_one_cache_entry(store):
    seen = []

    @cached.store_cached(8)
    def probe(ds, month: str, filters: Filters) -> int:
        seen.append(filters)
        return len(seen)

    a = probe("2024-06", Filters(county=("甲县", "乙县")))
    b = probe("2024-06", Filters(county=("乙县", "甲县")))
    assert (a, b, len(seen)) == (1, 1, 1)
    probe("2024-06", Filters(county=("甲县",)))
    assert len(seen) == 2
    built = []
    for order in (("甲县", "乙县"), ("乙县", "甲县")):  # a prepared table too
        cached.table(("probe", "2024-06", Filters(county=order)), lambda: built.append(1) or pl.DataFrame({"a": [1]}))
    assert len(built) == 1


def test_the_audit_log_is_read_when_it_changed(store, monkeypatch):
    at = start()
    reads = counted(monkeypatch, Store, "audit")
    at.run()
    assert reads == [], "the data-as-of stamp read the unchanged audit log again"
    rec = {"action": "import", "month": "2024-06", "time": "2030-01-02T08:09:10", "user": "test", "rows": 6}
    with store.audit_path.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    at.run()
    assert any("2030-01-02 08:09:10" in str(a.value) for a in [*at.sidebar.warning, *at.sidebar.success])


def test_a_second_viewer_of_the_same_table_does_not_rebuild_it(store, monkeypatch):
    formats = counted(monkeypatch, dimension, "format_value")  # the by-county table formats every cell
    start()
    first = len(formats)
    assert first > 0
    at = start()  # another session, the same view
    assert len(formats) == first, "the same table was built again for a second viewer"
    assert at.dataframe[0].value.shape[0] == len(fx.COUNTIES)
    start({"county": "甲县"})  # another selection: its own table
    assert len(formats) > first
    more = len(formats)
    start({"lang": "en"})  # another language: its own table
    assert len(formats) > more


def test_tables_reach_st_dataframe_as_arrow_not_through_pandas(store, monkeypatch):
    conversions = counted(monkeypatch, dataframe_util, "convert_pandas_df_to_arrow_bytes")
    at = start(page="pages/compare.py")
    assert len(at.dataframe) == 3
    assert conversions == [], f"{len(conversions)} tables went through pandas"
    ranking = at.dataframe[0].value
    assert sorted(ranking["县区"]) == sorted(fx.COUNTIES)
