"""Cached access to the active store: every cache is keyed on the store's content key, never on frames."""
from __future__ import annotations

import polars as pl
import streamlit as st

from data.months import month_key, to_month
from data.store import Store, active_store
from data.submissions import MonthReport
from metrics import engine, ranking as ranking_mod, watchlists
from metrics.engine import Dataset, Filters


@st.cache_resource(show_spinner=False)
def _dataset(root: str, key: str) -> Dataset:
    return Dataset.from_store(Store(root))


def source() -> tuple[Store, bool, str]:
    """The store being shown, whether it is the demo city, and its content key (cheap: stat of the month files)."""
    store, is_demo = active_store()
    return store, is_demo, store.content_key()


def dataset() -> Dataset:
    store, _, key = source()
    return _dataset(str(store.root), key)


def _fkey(filters: Filters) -> tuple:
    return tuple(filters.as_dict().items())


def _ffrom(fkey: tuple) -> Filters:
    return Filters(**dict(fkey))


@st.cache_data(show_spinner=False, max_entries=256)
def _compute(key: str, months: tuple[str, ...], fkey: tuple, by: str | None, ids: tuple[str, ...] | None,
             root: str) -> pl.DataFrame:
    return engine.compute(_dataset(root, key), list(months), _ffrom(fkey), by, ids)


def compute(months, filters: Filters, by: str | None = None, ids=None) -> pl.DataFrame:
    """metrics.engine.compute, cached per (store content, months, filters, by, ids)."""
    store, _, key = source()
    return _compute(key, tuple(months), _fkey(filters), by, tuple(ids) if ids else None, str(store.root))


def series(filters: Filters, ids, by: str | None = None) -> pl.DataFrame:
    """Indicators for every stored month."""
    return compute(months(), filters, by, ids)


def months() -> list[str]:
    return [month_key(m) for m in dataset().months]


@st.cache_data(show_spinner=False, max_entries=64)
def _ranking(key: str, month: str, fkey: tuple, root: str, card_mtime: float) -> pl.DataFrame:
    return ranking_mod.ranking(_dataset(root, key), month, _ffrom(fkey))


def ranking(month: str, filters: Filters) -> pl.DataFrame:
    """The county ranking (scorecard file changes invalidate the cache too)."""
    store, _, key = source()
    card = ranking_mod.scorecard_path()
    mtime = card.stat().st_mtime if card.exists() else 0.0
    return _ranking(key, month, _fkey(filters), str(store.root), mtime)


@st.cache_data(show_spinner=False, max_entries=128)
def _watch(key: str, month: str, name: str, fkey: tuple, root: str) -> pl.DataFrame:
    return watchlists.watch_list(_dataset(root, key), month, name, _ffrom(fkey))


def watch_list(month: str, name: str, filters: Filters) -> pl.DataFrame:
    store, _, key = source()
    return _watch(key, month, name, _fkey(filters), str(store.root))


@st.cache_data(show_spinner=False, max_entries=64)
def _counts(key: str, month: str, fkey: tuple, root: str) -> dict[str, int]:
    return watchlists.list_counts(_dataset(root, key), month, _ffrom(fkey))


def list_counts(month: str, filters: Filters) -> dict[str, int]:
    store, _, key = source()
    return _counts(key, month, _fkey(filters), str(store.root))


@st.cache_data(show_spinner=False, max_entries=32)
def _snapshot(key: str, month: str, fkey: tuple, root: str) -> pl.DataFrame:
    ds = _dataset(root, key)
    return ds.scan([to_month(month)]).filter(_ffrom(fkey).expr()).collect()


def snapshot(month: str, filters: Filters = Filters()) -> pl.DataFrame:
    """The (filtered) rows of one month, for project tables and scatter plots."""
    store, _, key = source()
    return _snapshot(key, month, _fkey(filters), str(store.root))


@st.cache_data(show_spinner=False, max_entries=32)
def _projects(key: str, month: str, fkey: tuple, root: str) -> pl.DataFrame:
    return watchlists.projects(_dataset(root, key), month, _ffrom(fkey))


def projects(month: str, filters: Filters = Filters()) -> pl.DataFrame:
    """The (filtered) projects of one month with each one's light, its reason and 问题持续月数 (the project table)."""
    store, _, key = source()
    return _projects(key, month, _fkey(filters), str(store.root))


@st.cache_data(show_spinner=False, max_entries=32)
def _options(key: str, root: str) -> dict[str, list[str]]:
    ds = _dataset(root, key)
    lf = ds.scan(ds.months)
    df = lf.select(pl.col("county").unique().sort().implode(),
                   pl.col("chain").drop_nulls().unique().sort().implode(),
                   pl.col("level").unique().sort().implode()).collect()
    return {"county": df["county"][0].to_list(), "chain": df["chain"][0].to_list(),
            "level": [x for x in ("省级", "市级", "县级") if x in df["level"][0].to_list()]}


def options() -> dict[str, list[str]]:
    """Values the sidebar offers (from every stored month)."""
    from data.schema import TIER_LABELS

    store, _, key = source()
    return {**_options(key, str(store.root)), "tier": list(TIER_LABELS)}


@st.cache_data(show_spinner=False, max_entries=16)
def _history(key: str, project_id: str, root: str) -> pl.DataFrame:
    return watchlists.project_history(_dataset(root, key), project_id)


def project_history(project_id: str) -> pl.DataFrame:
    store, _, key = source()
    return _history(key, project_id, str(store.root))


@st.cache_data(show_spinner=False, max_entries=32)
def _gap(key: str, month: str, fkey: tuple, root: str) -> pl.DataFrame:
    return watchlists.gap_to_target(_dataset(root, key), month, _ffrom(fkey))


def gap_to_target(month: str, filters: Filters) -> pl.DataFrame:
    store, _, key = source()
    return _gap(key, month, _fkey(filters), str(store.root))


def last_import() -> dict:
    """The newest audit record of the shown store (for the data-as-of stamp)."""
    store, _, _ = source()
    recs = [r for r in store.audit() if r.get("action") in ("import", "replace")]
    return recs[-1] if recs else {}


@st.cache_data(show_spinner=False, max_entries=16)
def _project_index(key: str, root: str) -> pl.DataFrame:
    ds = _dataset(root, key)
    return (ds.scan(ds.months).select("project_id", "project_name", "county", "snapshot_month")
            .sort("snapshot_month").group_by("project_id")
            .agg(pl.col("project_name").last(), pl.col("county").last(), pl.col("snapshot_month").last())
            .sort(["county", "project_id"]).collect())


def project_index() -> pl.DataFrame:
    """Every project ever stored: id, latest name and county, latest month (for the history chooser)."""
    store, _, key = source()
    return _project_index(key, str(store.root))


def as_of() -> tuple[str, str, bool]:
    """The data-as-of stamp: latest stored month, time of the newest import ('' if none), and whether it is the demo."""
    ms = months()
    rec = last_import()
    _, is_demo, _ = source()
    return (ms[-1] if ms else "—"), rec.get("time", "").replace("T", " "), is_demo


def review_key(store: Store) -> str:
    """The content key plus the audit log and settings (submissions and returns write only those, not snapshots)."""
    parts = [store.content_key()]
    for path in (store.audit_path, store.root / "settings.json"):
        st_ = path.stat() if path.exists() else None
        parts.append(f"{st_.st_size}:{st_.st_mtime_ns}" if st_ else "-")
    return "|".join(parts)


@st.cache_data(show_spinner=False, max_entries=64)
def _month_report(key: str, month: str, root: str) -> MonthReport:
    return Store(root).report(month)


def month_report(month: str, store: Store | None = None) -> MonthReport:
    """A month's 报送情况 (data.submissions.MonthReport) of the shown store, or of `store`."""
    store = store or source()[0]
    return _month_report(review_key(store), month, str(store.root))


def report_line(month: str) -> str:
    """The month's 报送情况 in one line ("2025年6月：9个单位中7个已报送，…未报送"), or why it cannot be read."""
    try:
        return month_report(month).line()
    except (OSError, ValueError, TypeError, KeyError) as e:  # a damaged settings.json must not take a page down
        return f"{month} 的报送情况无法读取（{type(e).__name__}）：请管理员运行 python -m data check 检查数据库。"


@st.cache_data(show_spinner=False, max_entries=32)
def _review(key: str, month: str, unit: str, root: str):
    from ui.submitting import review as make

    return make(Store(root), month, unit)


def review(store: Store, month: str, unit: str):
    """A pending submission re-checked and compared (ui.submitting.Review), cached until the store changes."""
    return _review(review_key(store), month, unit, str(store.root))
