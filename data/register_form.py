"""在线填报 without the page: this month's progress rows of a unit, prefilled from the register and the unit's last
published month; edited rows checked (and submitted) exactly as an uploaded progress report is; a draft kept with the
store so it survives a reload and a sign-out. Pure functions over the store: the page (phase 2) only renders them."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from data.files import atomic_write_bytes, read_parquet
from data.ingest.build import Context, build
from data.ingest.header import Table
from data.ingest.importer import finish
from data.ingest.result import ImportOutcome, ImportResult
from data.mappings import load as load_mappings
from data.months import month_key, parse_month
from data.register import StoreBasis, prefill
from data.schema import COLUMN_BY_NAME, FULL_SCHEMA, PROC_COLUMNS, ZH
from data.store import Store, frame_to_parquet_bytes

KEYS = ("project_id", "project_name")  # shown, never edited: they say which project a row is
# What a reporter edits online (issue #26): ytd, status, 形象进度, problems, funds, start date, procedures, 入统.
FORM_COLUMNS = ("completed_investment_ytd", "status", "progress_note", "problems", "funds_in_place_ytd", "actual_start",
                *PROC_COLUMNS, "in_statistics")
# Shown beside them to say what the project is (from the register or last month), not edited.
CONTEXT_COLUMNS = ("county", "level", "build_type", "total_investment", "plan_investment_year", "target_note")
YEAR_TO_DATE = ("completed_investment_ytd", "funds_in_place_ytd")  # prefilled only from a month of the same year
DRAFTS = "drafts"


@dataclass(frozen=True)
class Form:
    """A unit's online form for a month: the rows (KEYS, CONTEXT_COLUMNS, FORM_COLUMNS), and where they came from."""

    unit: str
    month: str
    rows: pl.DataFrame
    source: str | None  # '2025年度名单、2025-05已发布的数据', '2025-05', or None (a unit with nothing yet)
    draft: bool = False  # the rows are a saved draft's


def _empty() -> pl.DataFrame:
    cols = (*KEYS, *CONTEXT_COLUMNS, *FORM_COLUMNS)
    return pl.DataFrame(schema={c: FULL_SCHEMA[c] for c in cols})


def progress_form(store: Store, unit: str, month: str, *, use_draft: bool = True) -> Form:
    """This month's progress rows for `unit`: its saved draft, else its submission of the month awaiting review or
    returned, else prefilled from the register of the month's year and the unit's latest published month before
    (year-to-date amounts only from a month of the same year)."""
    key = month_key(parse_month(month))
    if use_draft:
        draft = load_draft(store, unit, key)
        if draft is not None:
            return Form(unit, key, draft, None, draft=True)
    handed = submitted(store, unit, key)
    if handed is not None:   # what the unit handed in and is waiting for, or was returned: corrected, not retyped
        return Form(unit, key, _columns(handed[1]), handed[0])
    got = prefill(store, unit, key)
    if got is None:
        return Form(unit, key, _empty(), None)
    source, frame = got
    rows = _columns(frame)
    last = store.last_published(unit, key)
    if last is None or last[0][:4] != key[:4]:
        rows = rows.with_columns(pl.lit(None, pl.Float64).alias(c) for c in YEAR_TO_DATE)
    return Form(unit, key, rows, source)


def _columns(frame: pl.DataFrame) -> pl.DataFrame:
    """A frame as the form's rows: KEYS, CONTEXT_COLUMNS, FORM_COLUMNS, typed as the schema's (null where absent)."""
    cols = (*KEYS, *CONTEXT_COLUMNS, *FORM_COLUMNS)
    return frame.select([pl.col(c).cast(FULL_SCHEMA[c]) if c in frame.columns else pl.lit(None, FULL_SCHEMA[c]).alias(c)
                         for c in cols])


def submitted(store: Store, unit: str, month: str) -> tuple[str, pl.DataFrame] | None:
    """The unit's submission of the month that awaits review, or that was returned and not answered since (nothing
    published after it): ('2025-06待审核的报送' or '2025-06被退回的报送', its rows); None otherwise."""
    st = store.units(month).get(unit)
    if st is None:
        return None
    if st.pending is not None:
        return f"{month}待审核的报送", store.pending(month, unit)[1]
    ret = st.returned
    if ret is None or (st.published and st.published_at > str(ret.get("returned_at"))) or not ret.get("file"):
        return None
    path = store.pending_dir / ret["file"]
    return (f"{month}被退回的报送", read_parquet(path)) if path.exists() else None


def _table(frame: pl.DataFrame) -> Table:
    """The edited rows as a table headed in Chinese, row N of the form being data row N (as a parquet file's are)."""
    cols = [c for c in frame.columns if c in COLUMN_BY_NAME]
    rows = [(i + 1, list(r)) for i, r in enumerate(frame.select(cols).iter_rows())]
    return Table([ZH[c] for c in cols], [None] * len(cols), rows, None, [f"“{ZH[c]}”列" for c in cols])


def form_report(frame: pl.DataFrame, month: str) -> pl.DataFrame:
    """The rows a form submits: the keys and the edited columns — a column no row has a value in left out, as a
    table without it would be — so everything else is completed as for an uploaded progress report (the register's
    attributes, last month's other values; 本年资金到位 and 是否入统 no one filled are 未填报)."""
    keep = [c for c in KEYS if c in frame.columns]
    keep += [c for c in FORM_COLUMNS if c in frame.columns and frame.get_column(c).null_count() < frame.height]
    return frame.select(keep)


def check_form(store: Store, unit: str, month: str, edited: pl.DataFrame, *, reporter: bool = True, user: str = "",
               submit: bool = False, replace: bool = False) -> ImportOutcome:
    """Check edited form rows exactly as an uploaded progress report of `unit` for `month` is checked (the same
    reading, completion, rules and comparison with last month); with `submit`, hand them in — a reporter's for
    review (待审核), an analyst's published — as an upload would be. Each problem names the form's row."""
    key = month_key(parse_month(month))
    rows = form_report(edited, key)
    res = ImportResult(frame=None, filename=f"{unit}_{key}_在线填报", kind="form")
    res.source_rows = list(range(1, rows.height + 1))
    ctx = Context(load_mappings(store), unit, StoreBasis(store))
    table = _table(rows)
    res.header_row = None
    build(table, res, key, ctx)
    return finish(res, store=store, replace=replace, user=user, dry_run=not submit,
                  reporter_unit=unit if reporter else None)


# ---- drafts ----------------------------------------------------------------------------------------------------------
def _draft_path(store: Store, unit: str, month: str):
    return store.root / DRAFTS / month_key(parse_month(month)) / f"{unit}.parquet"


def save_draft(store: Store, unit: str, month: str, rows: pl.DataFrame) -> dt.datetime:
    """Keep the form's rows as the unit's draft for the month (atomic; replaces the previous draft)."""
    atomic_write_bytes(_draft_path(store, unit, month), frame_to_parquet_bytes(rows))
    return dt.datetime.now()


def load_draft(store: Store, unit: str, month: str) -> pl.DataFrame | None:
    """The unit's saved draft for the month, or None."""
    path = _draft_path(store, unit, month)
    return read_parquet(path) if path.exists() else None


def draft_saved_at(store: Store, unit: str, month: str) -> dt.datetime | None:
    """When the unit's draft for the month was last saved (None without a draft)."""
    path = _draft_path(store, unit, month)
    return dt.datetime.fromtimestamp(path.stat().st_mtime) if path.exists() else None


def discard_draft(store: Store, unit: str, month: str) -> None:
    """Forget the unit's draft for the month (after it was submitted, or on request)."""
    path = _draft_path(store, unit, month)
    if path.exists():
        path.unlink()
