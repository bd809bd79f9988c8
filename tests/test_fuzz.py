"""Fuzzing the importer (a modest budget): random bytes, damaged real files, random frames and random Excel sheets go
through read_ledger/import_file. Each is refused cleanly (errors listed, the store byte-identical) or imported
correctly (the stored month equals the frame read) — never an exception, never a half-written store."""
from __future__ import annotations

import datetime as dt
import io
import os
import tempfile
from pathlib import Path

import openpyxl
import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from data.ingest import import_file
from data.schema import COLUMNS, SCHEMA
from data.store import Store, TMP_SUFFIX, check_store
from tests.factories import ledger_rows, tree_bytes, valid_frame, write_csv, write_parquet, write_xlsx

# A modest budget in the suite; KPM_FUZZ_EXAMPLES=2000 for a longer hunt.
FUZZ = settings(max_examples=int(os.environ.get("KPM_FUZZ_EXAMPLES", "60")), deadline=None,
                suppress_health_check=list(HealthCheck))
HEADERS = [c.zh for c in COLUMNS]


def _store(folder: Path) -> Store:
    store = Store(folder / "store")
    assert import_file(write_parquet(valid_frame(3, "2024-05"), folder / "prev.parquet"), store=store).ok
    return store


def _through(data: bytes, name: str, **kw) -> None:
    """Import data into a fresh store holding May; check the outcome is clean either way."""
    with tempfile.TemporaryDirectory() as d:
        folder = Path(d)
        store = _store(folder)
        before = tree_bytes(store.root)
        out = import_file(data, store=store, filename=name, **kw)  # must not raise
        assert isinstance(out.errors, list) and isinstance(out.warnings, list)
        if out.ok:
            assert out.record is not None and out.month in store.months()
            assert out.result is not None and out.result.frame is not None
            assert_frame_equal(store.read(out.month), out.result.frame)
            assert store.read(out.month).schema == SCHEMA
        else:
            assert out.errors and out.record is None
            assert out.report()  # the report renders
            assert tree_bytes(store.root) == before
        assert not list(store.root.rglob(f"*{TMP_SUFFIX}"))
        assert check_store(store).ok


# ---- random bytes --------------------------------------------------------------------------------------------------
PREFIXES = [b"", b"PAR1", b"PK\x03\x04", b"\xef\xbb\xbf", b"\xff\xfe", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"<",
            "项目编码,项目名称,县区\n".encode()]


@FUZZ
@given(prefix=st.sampled_from(PREFIXES), body=st.binary(max_size=4096), name=st.text(max_size=40),
       month=st.none() | st.sampled_from(["2024-06", "2024-13", "x"]))
def test_random_bytes(prefix, body, name, month):
    _through(prefix + body, name, month=month)


_VALID: dict[str, bytes] = {}


def _valid_file(fmt: str) -> bytes:
    if fmt not in _VALID:
        with tempfile.TemporaryDirectory() as d:
            f = valid_frame(6)
            path = {"xlsx": write_xlsx, "csv": write_csv, "parquet": write_parquet}[fmt](f, Path(d) / f"a.{fmt}")
            _VALID[fmt] = path.read_bytes()
    return _VALID[fmt]


@FUZZ
@given(fmt=st.sampled_from(["xlsx", "csv", "parquet"]), data=st.data())
def test_damaged_real_files(fmt, data):
    raw = bytearray(_valid_file(fmt))
    how = data.draw(st.sampled_from(["flip", "truncate", "splice"]))
    if how == "flip":
        for _ in range(data.draw(st.integers(1, 20))):
            i = data.draw(st.integers(0, len(raw) - 1))
            raw[i] = data.draw(st.integers(0, 255))
    elif how == "truncate":
        raw = raw[: data.draw(st.integers(0, len(raw) - 1))]
    else:
        i = data.draw(st.integers(0, len(raw)))
        raw[i:i] = data.draw(st.binary(min_size=1, max_size=200))
    _through(bytes(raw), f"a.{fmt}")


# ---- random frames -------------------------------------------------------------------------------------------------
CELL_VALUES = {
    pl.String: st.none() | st.text(max_size=12) | st.sampled_from(["合计", "是", "否", "在建", "产业", "2024-06", "-"]),
    pl.Int64: st.none() | st.integers(-2**40, 2**40),
    pl.Float64: st.none() | st.floats(allow_nan=True, allow_infinity=True),
    pl.Boolean: st.none() | st.booleans(),
    pl.Date: st.none() | st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31)),
}
NAMES = st.sampled_from([c.name for c in COLUMNS] + HEADERS + ["序号", "", "备注", "x"])


@st.composite
def random_frames(draw) -> pl.DataFrame:
    n = draw(st.integers(0, 8))
    names = draw(st.lists(NAMES, min_size=1, max_size=12, unique=True))
    cols = {}
    for name in names:
        dtype = draw(st.sampled_from(list(CELL_VALUES)))
        cols[name] = pl.Series(name, draw(st.lists(CELL_VALUES[dtype], min_size=n, max_size=n)), dtype=dtype)
    return pl.DataFrame(cols)


@FUZZ
@given(frame=random_frames(), as_csv=st.booleans())
def test_random_frames(frame, as_csv):
    buf = io.BytesIO()
    if as_csv:
        frame.write_csv(buf)
    else:
        frame.write_parquet(buf)
    _through(buf.getvalue(), "f.csv" if as_csv else "f.parquet", month="2024-06")


@FUZZ
@given(frame=st.just(valid_frame(5)), drop=st.lists(st.sampled_from([c.name for c in COLUMNS]), max_size=3),
       nulls=st.lists(st.tuples(st.integers(0, 4), st.sampled_from([c.name for c in COLUMNS])), max_size=4))
def test_near_valid_frames(frame, drop, nulls):
    for i, col in nulls:
        frame = frame.with_columns(pl.when(pl.int_range(pl.len()) == i).then(None).otherwise(pl.col(col)).alias(col))
    frame = frame.drop(sorted(set(drop)))
    buf = io.BytesIO()
    frame.write_parquet(buf)
    _through(buf.getvalue(), "f.parquet", month="2024-06")


# ---- random Excel sheets -------------------------------------------------------------------------------------------
CELLS = (st.none() | st.integers(-10**12, 10**12) | st.floats(allow_nan=False, allow_infinity=False)
         | st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=15) | st.booleans()
         | st.dates(dt.date(1900, 3, 1), dt.date(2100, 1, 1))
         | st.datetimes(dt.datetime(1900, 3, 1), dt.datetime(2100, 1, 1))
         | st.sampled_from(["合计", "小计", "注：", "单位：万元", "投资情况(万元)", "=1+1", "=SUM(A1:A3)", "是", "在建",
                            *HEADERS[:8]]))


@st.composite
def random_sheets(draw) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = draw(st.sampled_from(["Sheet1", "台账", "重点项目台账", "x" * 31]))
    headers, rows = ledger_rows(valid_frame(draw(st.integers(1, 6))), style=draw(st.sampled_from(["cells", "text"])))
    top = draw(st.integers(0, 4))
    for _ in range(top):  # junk above the header: titles, units, random cells
        ws.append(draw(st.lists(CELLS, max_size=8)))
    if draw(st.booleans()):  # a real header (maybe shuffled or cut) and real rows (maybe damaged)
        keep = draw(st.lists(st.integers(0, len(headers) - 1), min_size=3, max_size=len(headers), unique=True))
        ws.append([headers[j] for j in keep])
        for row in rows:
            cells = [row[j] for j in keep]
            for _ in range(draw(st.integers(0, 2))):
                cells[draw(st.integers(0, len(cells) - 1))] = draw(CELLS)
            ws.append(cells)
    for _ in range(draw(st.integers(0, 5))):  # random rows below
        ws.append(draw(st.lists(CELLS, max_size=10)))
    for _ in range(draw(st.integers(0, 3))):  # random merges anywhere
        r1, c1 = draw(st.integers(1, max(ws.max_row, 1))), draw(st.integers(1, max(ws.max_column, 1)))
        ws.merge_cells(start_row=r1, start_column=c1, end_row=r1 + draw(st.integers(0, 2)),
                       end_column=c1 + draw(st.integers(0, 3)))
    if draw(st.booleans()):
        wb.create_sheet(draw(st.sampled_from(["第二页", "Sheet2"])))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@FUZZ
@given(data=random_sheets(), month=st.none() | st.just("2024-06"), sheet=st.none() | st.sampled_from(["台账", "nope"]))
def test_random_excel_sheets(data, month, sheet):
    _through(data, "a.xlsx", month=month, sheet=sheet)
