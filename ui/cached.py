"""The cached access layer: what pages read from the shown store, each cache keyed on the store's content key."""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pyarrow as pa
import streamlit as st

from data.files import file_stamp
from data.months import month_key, to_month
from data.schema import TIER_LABELS
from data.store import DEMO_DIR, Store, active_store
from data.submissions import SNAPSHOT_ACTIONS
from data.text import DASH, shown_time
from metrics import engine, plan_gap, projects as projects_mod, ranking as ranking_mod, watchlists
from metrics.dataset import Dataset
from metrics.filters import Filters
from ui import state
from ui.i18n import lang
from ui.runmemo import per_run


@st.cache_resource(show_spinner=False)
def _dataset(root: str, key: str) -> Dataset:
    return Dataset.from_store(Store(root))


# ---- one look at the store per script run (ui/runmemo.py) ------------------------------------------------------
def _look() -> tuple[Store, bool, str]:
    store, is_demo = active_store()
    if not is_demo and state.demo_view():   # 查看示范市: the demo city beside the user's own data
        store, is_demo = Store(DEMO_DIR), True
    return store, is_demo, store.content_key()


def own_data() -> bool:
    """Whether the user's own store holds a month (then the sidebar offers the demo city beside it)."""
    return per_run("own_data", lambda: not Store().is_empty())


def source() -> tuple[Store, bool, str]:
    """The store being shown, whether it is the demo city, and its content key (looked at once per script run)."""
    return per_run("source", _look)


def canonical(value):
    """Filters with their values sorted (tuples walked): 甲县、乙县 and 乙县、甲县 select the same rows, one cache key."""
    if isinstance(value, Filters):
        return Filters(**{k: tuple(sorted(v)) for k, v in value.as_dict().items()})
    if isinstance(value, tuple):
        return tuple(canonical(v) for v in value)
    return value


def dataset() -> Dataset:
    store, _, key = source()
    return _dataset(str(store.root), key)


def store_dataset(store: Store) -> Dataset:
    """The dataset of a given store (督办 reads the user's own store even while the demo city is shown)."""
    return _dataset(str(store.root), store.content_key())


def store_cached(max_entries: int, *, files: Callable[[Store], Iterable[Path]] | None = None,
                 reads_store: bool = False):
    """Cache `fn(dataset, *args)` (or `fn(store, *args)` when it reads the store itself) per store content key,
    size and mtime of `files(store)`, and arguments; the cached call drops the first argument and takes `store=`
    to read another store than the shown one. Frames are never hashed: the key says when the data changed."""
    def wrap(fn: Callable) -> Callable:
        def run(content: str, stamps: str, root: str, *args, **kwargs):
            return fn(Store(root) if reads_store else _dataset(root, content), *args, **kwargs)

        # st.cache_data tells its caches apart by module and qualified name: one name per wrapped function.
        run.__qualname__ = f"{fn.__module__}.{fn.__qualname__}"
        cache = st.cache_data(show_spinner=False, max_entries=max_entries)(run)

        def call(*args, store: Store | None = None, **kwargs):
            store, key = (store, store.content_key()) if store else source()[::2]
            stamps = "|".join(_run_stamp(p) for p in files(store)) if files else ""
            args = tuple(canonical(tuple(a) if isinstance(a, list) else a) for a in args)  # list, tuple: one key
            return cache(key, stamps, str(store.root), *args, **{k: canonical(v) for k, v in kwargs.items()})

        call.__name__, call.__qualname__, call.__doc__ = fn.__name__, fn.__qualname__, fn.__doc__
        return call
    return wrap


def _run_stamp(path: Path) -> str:
    return per_run(("stamp", str(path)), lambda: str(file_stamp(path)))


def review_files(store: Store) -> tuple[Path, Path]:
    """Submissions and returns write only the audit log and settings, not snapshots."""
    return store.audit_path, store.root / "settings.json"


compute = store_cached(256)(engine.compute)
compute_many = store_cached(128)(engine.compute_many)
ranking = store_cached(64, files=lambda store: (ranking_mod.scorecard_path(), store.root / "duban.jsonl")
                       )(ranking_mod.ranking)   # the 督办 log: 按期办结率 may be a scorecard line
watch_list = store_cached(128)(watchlists.watch_list)
list_counts = store_cached(64)(watchlists.list_counts)
project_history = store_cached(16)(projects_mod.project_history)
gap_to_target = store_cached(32)(plan_gap.gap_to_target)
month_report = store_cached(64, files=review_files, reads_store=True)(Store.report)


@store_cached(32)
def snapshot(ds: Dataset, month: str, filters: Filters = Filters()) -> pl.DataFrame:
    """The (filtered) rows of one month, for project tables and scatter plots."""
    return ds.scan([to_month(month)]).filter(filters.expr()).collect()


projects = store_cached(32)(projects_mod.projects)


@store_cached(32)
def options(ds: Dataset) -> dict[str, list[str]]:
    """Values the sidebar offers (from every stored month)."""
    df = ds.scan(ds.months).select(pl.col("county").unique().sort().implode(),
                                   pl.col("chain").drop_nulls().unique().sort().implode(),
                                   pl.col("level").unique().sort().implode()).collect()
    return {"county": df["county"][0].to_list(), "chain": df["chain"][0].to_list(),
            "level": [x for x in ("省级", "市级", "县级") if x in df["level"][0].to_list()], "tier": list(TIER_LABELS)}


@store_cached(16)
def project_index(ds: Dataset) -> pl.DataFrame:
    """Every project ever stored: id, latest name and county, latest month (for the history chooser)."""
    return (ds.scan(ds.months).select("project_id", "project_name", "county", "snapshot_month")
            .sort("snapshot_month").group_by("project_id")
            .agg(pl.col("project_name").last(), pl.col("county").last(), pl.col("snapshot_month").last())
            .sort(["county", "project_id"]).collect())


def months() -> list[str]:
    return list(per_run("months", lambda: [month_key(m) for m in dataset().months]))


def series(filters: Filters, ids, by: str | None = None) -> pl.DataFrame:
    """Indicators for every stored month."""
    return compute(months(), filters, by, ids)


@dataclass(frozen=True)
class PageFrames:
    """What a page shows, from one engine request."""

    months: pl.DataFrame    # the selection's indicators for every stored month: tiles (this month and last), trends
    counties: pl.DataFrame  # the month's indicators by county: bars, tables
    also: tuple[pl.DataFrame, ...] = ()  # the `also` requests' frames, in their order


def page_frames(month: str, filters: Filters, city: Sequence[str], counties: Sequence[str] = (),
                county_filters: Filters | None = None, also: Sequence[tuple] = ()) -> PageFrames:
    """The `city` indicators over every stored month and the `counties` ones by county for `month` (with
    `county_filters`, by default `filters`), and any further requests `also` (months, filters, by, ids: the county
    map's), collected together in one cached engine request."""
    requests = [(tuple(months()), filters, None, tuple(dict.fromkeys(city)))]
    if counties:
        requests.append(((month,), county_filters or filters, "county", tuple(dict.fromkeys(counties))))
    frames = compute_many(tuple(requests) + tuple(also))
    return PageFrames(frames[0], frames[1] if counties else pl.DataFrame(), tuple(frames[len(requests):]))


# What changes the shown data or a month's 报送情况 (account, mapping and template changes do not).
CHANGES = (*SNAPSHOT_ACTIONS, "delete", "submit", "return", "settings")


@store_cached(8, files=lambda store: (store.audit_path,), reads_store=True)
def _last_change(store: Store) -> dict:
    recs = [r for r in store.audit() if r.get("action") in CHANGES]
    return max(recs, key=lambda r: str(r.get("time", ""))) if recs else {}


def last_change() -> dict:
    """The newest audit record that changed the shown store's data or 报送情况 — an import, replace, publish,
    return, submission, deletion, restore or settings change (the log is read when it changed)."""
    return _last_change()


def as_of() -> tuple[str, str, bool]:
    """The data-as-of stamp: latest stored month, time of the last change of any kind ('' if none), and whether it
    is the demo."""
    ms = months()
    rec = last_change()
    _, is_demo, _ = source()
    return (ms[-1] if ms else DASH), shown_time(rec.get("time")), is_demo


def review_key(store: Store) -> str:
    """The content key plus the audit log and settings: what a check of an upload against `store` depends on."""
    return "|".join([store.content_key(), *(str(file_stamp(p)) for p in review_files(store))])


@store_cached(64, files=review_files, reads_store=True)
def _report_line(store: Store, month: str, lang: str) -> str:
    """report_line's text, made once per store content, audit log and settings (the sidebar shows it on every view)."""
    return store.report(month).line(lang)


def report_line(month: str, lang: str = "zh") -> str:
    """The month's 报送情况 in one line ("2025年6月：9个单位中7个已报送，…未报送"), or why it cannot be read."""
    try:
        return _report_line(month, lang)
    except (OSError, ValueError, TypeError, KeyError) as e:  # a damaged settings.json must not take a page down
        return f"{month} 的报送情况无法读取（{type(e).__name__}）：请管理员运行 python -m data check 检查数据库。"


# ---- prepared tables -----------------------------------------------------------------------------------------------
# st.dataframe converts a Polars frame to pandas and that to Arrow on every rerun (streamlit/elements/arrow.py); a
# pyarrow Table goes straight to Arrow IPC. The table a page shows is built once per view and kept as Arrow.
@st.cache_resource(show_spinner=False, max_entries=256)
def _arrow_table(content: str, stamps: str, key: tuple, _build: Callable[[], pl.DataFrame]) -> pa.Table:
    return _build().to_arrow()


def table(key: tuple, build: Callable[[], pl.DataFrame], files: Iterable[Path] = ()) -> pa.Table:
    """The table `build()` makes, as Arrow, kept per store content, `key` (what it shows: name, month, selection …),
    the page's language and the size and mtime of `files`; build runs only when no viewer has seen this table yet."""
    stamps = "|".join(_run_stamp(Path(p)) for p in files)
    return _arrow_table(source()[2], stamps, (canonical(tuple(key)), lang()), build)
