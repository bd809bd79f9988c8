"""The snapshots to measure, and their prepared rows kept in memory per month."""
from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from data.files import file_stamp
from data.months import month_key, parse_month
from data.schema import FULL_SCHEMA, SCHEMA, with_text_columns
from data.store import Store
from metrics.rowsets import (HISTORY_COLUMNS, HISTORY_OUTPUTS, LOOKBACK_COLUMNS, MONTH, history_months,
                             history_table, prepare_rows)

C = pl.col


@functools.cache
def _no_history() -> pl.LazyFrame:
    """The history table of no rows, for months prepared without a history column (a plan built once)."""
    return history_table(pl.LazyFrame(schema=SCHEMA))


@dataclass
class Dataset:
    """Snapshots to measure: which months exist, and a lazy scan restricted to the months a query needs.

    Indicators are computed over prepared rows (prepare_rows) that a Dataset keeps in memory per month, holding
    the columns queries have asked for, keyed on the files each month depends on (its own, its lookbacks' and,
    for the history columns, every earlier month's; a Dataset made from a frame treats the frame as fixed). The
    history table (rowsets.history_table) is built once over the whole store and kept, keyed on every file. A
    dashboard rerun with other filters therefore neither reads parquet nor repeats the history joins; a replaced
    file changes its key and is prepared again.
    """

    months: list[dt.date]
    _frame: pl.LazyFrame | None = None
    _files: dict[dt.date, Path] = field(default_factory=dict)
    _prepared: dict[dt.date, tuple[tuple, pl.DataFrame]] = field(default_factory=dict, repr=False, compare=False)
    _history: tuple[tuple, pl.DataFrame] | None = field(default=None, repr=False, compare=False)
    _store: Store | None = field(default=None, repr=False, compare=False)
    _unreported: dict[dt.date, tuple[tuple, frozenset[str]]] = field(default_factory=dict, repr=False, compare=False)

    @property
    def store(self) -> Store | None:
        """The store it reads (None for a Dataset made from a frame)."""
        return self._store

    @classmethod
    def from_store(cls, store: Store) -> Dataset:
        files = {parse_month(m): store.path_for(m) for m in store.months()}
        return cls(sorted(files), None, files, _store=store)

    def unreported_counties(self, month: dt.date) -> set[str]:
        """Counties expected to report `month` with no published submission (DOMAIN.md Part 2: not ranked,
        listed as 未报送); none for a Dataset made from a frame, which has no submissions."""
        if self._store is None:
            return set()
        # The month's 报送情况 replays the whole audit log: once per month and state of the log and settings (a
        # ranking asks for each of its months on every new selection).
        stamps = tuple(file_stamp(p) for p in (self._store.audit_path, self._store.root / "settings.json"))
        hit = self._unreported.get(month)
        if hit is None or hit[0] != stamps:
            hit = self._unreported[month] = (stamps, self._unreported_now(month))
        return set(hit[1])

    def _unreported_now(self, month: dt.date) -> frozenset[str]:
        """unreported_counties read from the store."""
        report = self._store.report(month_key(month))
        counties = {u for u, st in self._store.units(month_key(month)).items() if st.kind == "county"}
        earlier = [m for m in self.months if m < month]
        if earlier:
            counties |= {u for u, st in self._store.units(month_key(earlier[-1])).items() if st.kind == "county"}
        return frozenset({u.unit for u in report.of("missing")} & counties)

    @classmethod
    def from_frame(cls, df: pl.DataFrame | pl.LazyFrame) -> Dataset:
        lf = with_text_columns(df.lazy())  # as a store's months read: every text column, null where none
        months = lf.select(C(MONTH).unique()).collect().get_column(MONTH).to_list()
        return cls(sorted(months), lf)

    def scan(self, months: Iterable[dt.date]) -> pl.LazyFrame:
        wanted = sorted(set(months) & set(self.months))
        if self._frame is not None:
            return self._frame.filter(C(MONTH).is_in(wanted))
        if not wanted:
            return pl.LazyFrame(schema=FULL_SCHEMA)
        # The text columns (项目业主, 形象进度 …) where a month has them, null where it has none.
        return pl.scan_parquet([str(self._files[m]) for m in wanted], schema=FULL_SCHEMA, missing_columns="insert")

    def _stats(self) -> dict[dt.date, tuple[int, int] | None]:
        """Size and mtime of each stored month's file (nothing for a Dataset made from a frame)."""
        if self._frame is not None:
            return {}
        return {m: file_stamp(path) for m, path in self._files.items()}

    def _key(self, month: dt.date, stats: dict) -> tuple:
        """What a prepared month depends on: its file, its lookback months' and every earlier month's."""
        if self._frame is not None:
            return ()
        depends = dict.fromkeys([*(m for m in self.months if m <= month), *history_months(month)])
        return tuple((m, stats.get(m)) for m in depends)

    def _history_table(self, stats: dict) -> pl.LazyFrame:
        """rowsets.history_table over every stored month, built once per content of the store."""
        key = tuple(sorted(stats.items()))
        if self._history is None or self._history[0] != key:
            raw = self.scan(self.months).select("project_id", MONTH, *HISTORY_COLUMNS)
            self._history = (key, history_table(raw).collect())
        return self._history[1].lazy()

    def prepare(self, needs: dict[dt.date, set[str]]) -> None:
        """Make sure each month's prepared rows hold the named columns; whatever is missing is built in one pass."""
        todo, plans = [], []
        stored = set(self.months)
        stats = self._stats()
        for m, cols in needs.items():
            if m not in stored:
                continue
            key = self._key(m, stats)
            hit = self._prepared.get(m)
            have = set(hit[1].columns) if hit is not None and hit[0] == key else set()
            want = set(cols) | {MONTH, "project_id"}
            if not want <= have:
                want |= have
                # The lookback months only when a lookback column is asked for (project_id is unique within a
                # snapshot, so the left joins add columns, never rows), and of those months only what they feed;
                # the history table likewise only when a history column is.
                back = history_months(m, want)
                raw = self.scan([m])
                if back:
                    history = self.scan(back).select("project_id", MONTH, *LOOKBACK_COLUMNS)
                    raw = pl.concat([raw, history], how="diagonal")
                table = self._history_table(stats) if want & HISTORY_OUTPUTS else _no_history()
                todo.append((m, key))
                plans.append(prepare_rows(raw, table).filter(C(MONTH) == m).select(sorted(want)))
        for (m, key), df in zip(todo, pl.collect_all(plans) if plans else []):
            self._prepared[m] = (key, df)

    def rows(self, months: Iterable[dt.date], columns: Iterable[str]) -> pl.LazyFrame:
        """prepare_rows() of the given months restricted to `columns` (and snapshot_month), from memory."""
        months = sorted(set(months) & set(self.months))
        cols = sorted(set(columns) | {MONTH})
        self.prepare({m: set(cols) for m in months})
        if not months:
            return prepare_rows(pl.LazyFrame(schema=FULL_SCHEMA)).select(cols)
        return pl.concat([self._prepared[m][1].lazy().select(cols) for m in months], how="vertical", rechunk=False)

    def height(self, months: Iterable[dt.date]) -> int:
        """Prepared rows held for these months (0 for a month not prepared yet)."""
        return sum(self._prepared[m][1].height for m in set(months) if m in self._prepared)

    @property
    def latest(self) -> dt.date | None:
        return self.months[-1] if self.months else None

    def has(self, month: dt.date) -> bool:
        return month in set(self.months)

    def earliest_of_year(self, year: int) -> dt.date | None:
        same = [m for m in self.months if m.year == year]
        return same[0] if same else None
