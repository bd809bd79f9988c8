"""Fuzzing the importer (a modest budget), with oracles.

Ledgers generated valid by construction, in xlsx, CSV and parquet, must import with exactly the generated values;
the same ledgers broken in one row by a known mutation must be refused naming exactly that rule, column and row;
near-valid frames (columns dropped, cells emptied) have their outcome worked out from the DOMAIN.md rules. Random
bytes, damaged real files, random frames and random Excel sheets have no known answer: each must be refused
cleanly (errors listed, the store byte-identical) or stored as a snapshot that satisfies every DOMAIN.md rule
(checked here in plain Python) — never an exception, never a half-written store."""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import tempfile
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from data.files import TMP_SUFFIX
from data.ingest import import_file
from data.schema import BUILD_TYPES, CATEGORIES, COLUMN_BY_NAME, COLUMNS, INVESTOR_TYPES, LEVELS, SCHEMA, STATUSES
from data.store import Store
from data.store_check import check_store
from tests.factories import (ledger_rows, tree_bytes, valid_frame, write_csv, write_parquet, write_table_csv,
                             write_table_xlsx, write_xlsx)

# A modest budget in the suite; KPM_FUZZ_EXAMPLES=2000 for a longer hunt.
FUZZ = settings(max_examples=int(os.environ.get("KPM_FUZZ_EXAMPLES", "60")), deadline=None,
                suppress_health_check=list(HealthCheck))
HEADERS = [c.zh for c in COLUMNS]


def assert_domain_valid(frame: pl.DataFrame) -> None:
    """The DOMAIN.md snapshot rules, restated here row by row (an oracle independent of data.validate)."""
    assert frame.schema == SCHEMA
    rows = frame.to_dicts()
    assert rows, "a stored snapshot has rows"
    months = {r["snapshot_month"] for r in rows}
    assert len(months) == 1 and next(iter(months)).day == 1
    month = next(iter(months))
    month_end = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    ids = [r["project_id"] for r in rows]
    assert len(set(ids)) == len(ids)
    for r in rows:
        for c in COLUMNS:
            v = r[c.name]
            if c.required and not c.unreported:  # a null 本年资金到位, 是否入统 or 开工累计 is 未填报 (Part 3)
                assert v is not None, c.name
            if c.allowed is not None and v is not None:
                assert v in c.allowed, (c.name, v)
            if c.kind in ("money", "float") and v is not None:
                assert v >= 0 and v == v and v != float("inf"), (c.name, v)
        assert (r["industry_class"] is not None) == (r["category"] == "产业")
        if r["completed_investment_total"] is not None:
            assert r["completed_investment_total"] >= r["completed_investment_ytd"] - 1e-6
            assert r["completed_investment_total"] <= r["total_investment"] * 1.2 + 1e-6
        assert r["actual_start"] is None or r["actual_start"] <= month_end


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
            assert_domain_valid(store.read(out.month))
            assert store.audit()[-1]["sha256"] == hashlib.sha256(data).hexdigest()
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


NEAR = valid_frame(5)  # month 2024-06; row 0 is the only 产业 project (传统产业)
MAY = valid_frame(3, "2024-05")  # what the store holds before (_store): P0000–P0002, the first three of NEAR
# DOMAIN.md Part 3, written out here: the register's attributes; the required progress values a null of means 未填报
# (开工累计 too: README's decision); 本年累计 must be in the file (its parts, or itself).
ATTRIBUTES = {"project_id", "project_name", "county", "chain", "category", "industry_class", "level", "build_type",
              "investor_type", "total_investment", "plan_investment_year", "planned_start", "planned_completion",
              "leader", "is_signed_attraction"}
UNREPORTED = {"funds_in_place_ytd", "in_statistics", "completed_investment_total"}


def _may_row(r: dict) -> dict | None:
    """The row's project in its unit's (its 县区's) latest published month before June: by code, else by name. A row
    without 县区 is its project's unit's, the unit that published its code (May's 县区)."""
    if r["county"] is None:
        return next((m for m in MAY.to_dicts() if r["project_id"] is not None and m["project_id"] == r["project_id"]),
                    None)
    may = [m for m in MAY.to_dicts() if m["county"] == r["county"]]
    return (next((m for m in may if r["project_id"] is not None and m["project_id"] == r["project_id"]), None)
            or next((m for m in may if r["project_name"] is not None and m["project_name"] == r["project_name"]), None))


def _near_valid_expectation(drop: set[str], nulls: set[tuple[int, str]]):
    """What importing NEAR with `drop` columns removed and `nulls` cells emptied must give: the exact errors
    (rule, column, row) and, when there are none, the exact stored frame. Worked out from DOMAIN.md's rules: a column
    the file lacks is completed from the same project in May (the register is empty); a project May does not have
    is missing its required attributes (an error naming them), its 未填报 values stay null."""
    want = NEAR.to_dicts()
    for i, col in nulls:
        if col not in drop:
            want[i][col] = None
    for col in drop:
        for r in want:
            r[col] = None
    month = NEAR["snapshot_month"][0]
    month_end = dt.date(2024, 6, 30)
    for r in want:
        r["snapshot_month"] = r["snapshot_month"] if "snapshot_month" not in drop else month
    errors = set()
    coded_by_name = "project_id" in drop and "project_name" not in drop  # DOMAIN.md Part 2: codes from names
    if coded_by_name:
        may = {(m["county"], m["project_name"]): m["project_id"] for m in MAY.to_dicts()}
        for r in want:  # May's projects keep their code; a new name gets X + SHA-1(县区|name)[:11]
            if r["project_name"] is not None:
                made = "X" + hashlib.sha1(f"{r['county'] or ''}|{r['project_name']}".encode()).hexdigest()[:11].upper()
                r["project_id"] = may.get((r["county"], r["project_name"]), made)
    given = {c.name: c.name not in drop for c in COLUMNS}
    given["project_id"] = given["project_id"] or coded_by_name
    lasts = [_may_row(r) for r in want]
    absent = [c for c in COLUMNS if not given[c.name] and c.name != "snapshot_month"]
    for c in absent:  # attributes first, then the rest (开工累计 reads 本年累计; 建设状态 reads 实际开工时间)
        if c.name == "completed_investment_ytd":
            continue
        for r, last in zip(want, lasts):
            if c.name == "completed_investment_total":
                ok = last is not None and r["completed_investment_ytd"] is not None
                r[c.name] = last[c.name] - last["completed_investment_ytd"] + r["completed_investment_ytd"] if ok else None
            elif c.name != "status":
                r[c.name] = last[c.name] if last is not None else None
    if not given["status"]:
        for r, last in zip(want, lasts):
            started = r["actual_start"] is not None and r["actual_start"] <= month_end
            r["status"] = last["status"] if last is not None else ("在建" if started else "未开工")
    missing_cols = set()
    for c in absent:
        if c.required and c.name not in UNREPORTED and all(r[c.name] is None for r in want):
            errors.add(("缺少必填列", c.zh, None))
            missing_cols.add(c.name)
    for i, r in enumerate(want):
        cols = [c.zh for c in absent if c.required and c.name not in UNREPORTED | missing_cols and r[c.name] is None]
        if cols:
            errors.add(("未匹配项目缺少必填项", "、".join(cols), i + 1))
    for c in COLUMNS:
        if c.required and given[c.name] and c.name != "snapshot_month" or (c.name == "snapshot_month"
                                                                          and "snapshot_month" not in drop):
            errors |= {("必填项为空", c.zh, i + 1) for i, r in enumerate(want) if r[c.name] is None}
    if "category" not in missing_cols and "industry_class" not in missing_cols:
        errors |= {("产业类型缺失", "产业类型", i + 1) for i, r in enumerate(want)
                   if r["category"] == "产业" and r["industry_class"] is None}
        errors |= {("产业类型应为空", "产业类型", i + 1) for i, r in enumerate(want)
                   if r["category"] is not None and r["category"] != "产业" and r["industry_class"] is not None}
    return errors, (None if errors else pl.DataFrame(want, schema=SCHEMA))


@FUZZ
@given(drop=st.sets(st.sampled_from([c.name for c in COLUMNS]), max_size=3),
       nulls=st.sets(st.tuples(st.integers(0, 4), st.sampled_from([c.name for c in COLUMNS])), max_size=4))
def test_near_valid_frames(drop, nulls):
    frame = NEAR
    for i, col in nulls:
        frame = frame.with_columns(pl.when(pl.int_range(pl.len()) == i).then(None).otherwise(pl.col(col)).alias(col))
    frame = frame.drop(sorted(drop))
    buf = io.BytesIO()
    frame.write_parquet(buf)
    errors, want = _near_valid_expectation(drop, nulls)
    with tempfile.TemporaryDirectory() as d:
        store = _store(Path(d))
        before = tree_bytes(store.root)
        out = import_file(buf.getvalue(), store=store, filename="f.parquet", month="2024-06")
        assert {(p.rule, p.column, p.row) for p in out.errors} == errors
        if errors:
            assert not out.ok and tree_bytes(store.root) == before
        else:
            assert out.ok and store.months() == ["2024-05", "2024-06"]
            assert_frame_equal(store.read("2024-06"), want)


# ---- generated ledgers: values known by construction ---------------------------------------------------------------
NAME_CHARS = "重点项目建设工程园区基地厂房道路医院学校新区物流中心"  # no 合计/小计 words, no 一、 headings
MONTHS = ("2023-12", "2024-06", "2025-01")


def _money(draw, low: int = 0, high: int = 10**8) -> float:
    return draw(st.integers(low, high)) / 100  # whole 分: exact in decimal text and in float


@st.composite
def ledger_projects(draw, month: str):
    """1–8 projects whose every value satisfies DOMAIN.md for `month` (so the file must import as they are)."""
    m = dt.date(int(month[:4]), int(month[5:]), 1)
    month_end = (m.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    ids = draw(st.lists(st.from_regex(r"[A-Z]{1,2}[0-9]{2,4}", fullmatch=True), min_size=1, max_size=8, unique=True))
    dates = st.none() | st.dates(dt.date(2015, 1, 1), dt.date(2030, 12, 31))
    text = st.text(NAME_CHARS, min_size=1, max_size=12)
    out = []
    for pid in ids:
        category = draw(st.sampled_from(CATEGORIES))
        total_c = draw(st.integers(0, 10**9))
        cum_c = draw(st.integers(0, total_c * 12 // 10))
        ytd_c = draw(st.integers(0, cum_c))
        out.append({
            "snapshot_month": m, "project_id": pid, "project_name": draw(text),
            "county": draw(st.sampled_from(["甲县", "乙县", "丙区", "高新区"])),
            "chain": draw(st.none() | st.sampled_from(["新能源", "装备制造"])), "category": category,
            "industry_class": draw(st.sampled_from(["新兴产业", "传统产业"])) if category == "产业" else None,
            "level": draw(st.sampled_from(LEVELS)), "build_type": draw(st.sampled_from(BUILD_TYPES)),
            "status": draw(st.sampled_from(STATUSES)), "investor_type": draw(st.sampled_from(INVESTOR_TYPES)),
            "total_investment": total_c / 100, "plan_investment_year": _money(draw),
            "completed_investment_ytd": ytd_c / 100, "completed_investment_total": cum_c / 100,
            "funds_in_place_ytd": _money(draw), "planned_start": draw(dates),
            "actual_start": draw(st.none() | st.dates(dt.date(2015, 1, 1), month_end)),
            "planned_completion": draw(dates),
            **{c: draw(dates) for c in ("proc_approval", "proc_land", "proc_planning", "proc_eia", "proc_energy",
                                        "proc_construction_permit")},
            "land_area_mu": draw(st.none() | st.integers(0, 10**6).map(lambda x: x / 10)),
            "annual_tax": draw(st.none() | st.integers(0, 10**7).map(lambda x: x / 100)),
            "annual_profit_tax": draw(st.none() | st.integers(0, 10**7).map(lambda x: x / 100)),
            "is_signed_attraction": draw(st.booleans()), "leader": draw(st.none() | st.sampled_from(["张伟", "李娜"])),
            "problems": draw(st.none() | text), "in_statistics": draw(st.booleans()),
        })
    return out


WRITERS = {"xlsx": write_xlsx, "csv": write_csv, "parquet": write_parquet}
FIRST_DATA_ROW = {"xlsx": 4, "csv": 2, "parquet": 1}  # xlsx: title, unit and header rows above; csv: the header


def _file_of(projects: list[dict], fmt: str, folder: Path) -> bytes:
    return WRITERS[fmt](pl.DataFrame(projects, schema=SCHEMA), folder / f"ledger.{fmt}").read_bytes()


@pytest.mark.parametrize("fmt", list(WRITERS))
@settings(FUZZ, max_examples=max(5, FUZZ.max_examples // 5))
@given(data=st.data())
def test_generated_valid_ledgers_import_with_exactly_their_values(fmt, data):
    month = data.draw(st.sampled_from(MONTHS))
    projects = data.draw(ledger_projects(month))
    with tempfile.TemporaryDirectory() as d:
        raw = _file_of(projects, fmt, Path(d))
        store = Store(Path(d) / "store")
        out = import_file(raw, store=store, filename=f"ledger.{fmt}")
        assert out.errors == [], out.report()
        assert out.ok and out.month == month and out.rows == len(projects) and store.months() == [month]
        assert_frame_equal(store.read(month), pl.DataFrame(projects, schema=SCHEMA))
        assert store.audit()[-1]["sha256"] == hashlib.sha256(raw).hexdigest()


def _month_end(rec: dict) -> dt.date:
    m = rec["snapshot_month"]
    return (m.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


# Each mutation breaks one row in one known way: (what it does, the rule and column it must be refused under).
MUTATIONS = {
    "name_blank": (lambda r: r.update(project_name=None), "必填项为空", "项目名称"),
    "unknown_status": (lambda r: r.update(status="状态不明"), "取值不在范围", "建设状态"),
    "unknown_level": (lambda r: r.update(level="国家级"), "取值不在范围", "项目级别"),
    "negative_plan": (lambda r: r.update(plan_investment_year=-5.0), "数值为负", "年度计划投资(万元)"),
    "negative_land": (lambda r: r.update(land_area_mu=-0.5), "数值为负", "用地面积(亩)"),
    "total_below_ytd": (lambda r: r.update(completed_investment_ytd=r["completed_investment_total"] + 10.0),
                        "开工累计小于本年累计", "开工累计完成投资(万元)"),
    "total_above_cap": (lambda r: r.update(completed_investment_total=r["total_investment"] * 1.2 + 100.0),
                        "累计投资超过总投资", "开工累计完成投资(万元)"),
    "start_after_month": (lambda r: r.update(actual_start=_month_end(r) + dt.timedelta(days=1)),
                          "开工时间晚于报送月", "实际开工时间"),
    "industry_missing": (lambda r: r.update(category="产业", industry_class=None), "产业类型缺失", "产业类型"),
    "industry_not_empty": (lambda r: r.update(category="基础设施", industry_class="新兴产业"),
                           "产业类型应为空", "产业类型"),
    "text_in_money": (lambda r: r.update(total_investment="一千万"), "类型错误", "总投资(万元)"),
}


CASES = [(fmt, kind) for kind in [*MUTATIONS, "duplicate_id"] for fmt in WRITERS
         if not (kind == "text_in_money" and fmt == "parquet")]  # a parquet column has one type


@pytest.mark.parametrize("fmt,kind", CASES)
@settings(FUZZ, max_examples=max(3, FUZZ.max_examples // 20))  # every case runs; the budget is shared out
@given(data=st.data())
def test_a_known_mutation_is_refused_naming_rule_column_and_row(fmt, kind, data):
    month = data.draw(st.sampled_from(MONTHS))
    projects = data.draw(ledger_projects(month).filter(lambda ps: kind != "duplicate_id" or len(ps) >= 2))
    i = data.draw(st.integers(0, len(projects) - 1))
    first = FIRST_DATA_ROW[fmt]
    if kind == "duplicate_id":
        j = data.draw(st.integers(0, len(projects) - 1).filter(lambda j: j != i))
        projects[i]["project_id"] = projects[j]["project_id"]
        expected = {("项目编码重复", "项目编码", first + i), ("项目编码重复", "项目编码", first + j)}
    else:
        mutate, rule, column = MUTATIONS[kind]
        if kind != "text_in_money":  # that one is typed into the written cells below
            mutate(projects[i])
        expected = {(rule, column, first + i)}
    with tempfile.TemporaryDirectory() as d:
        folder = Path(d)
        if kind == "text_in_money":
            headers, rows = ledger_rows(pl.DataFrame(projects, schema=SCHEMA), style="cells" if fmt == "xlsx" else "text")
            rows[i][[c.name for c in COLUMNS].index("total_investment")] = "一千万"
            raw = (write_table_xlsx if fmt == "xlsx" else write_table_csv)(headers, rows, folder / f"l.{fmt}").read_bytes()
        else:
            raw = _file_of(projects, fmt, folder)
        store = _store(folder)
        before = tree_bytes(store.root)
        out = import_file(raw, store=store, filename=f"ledger.{fmt}")
        assert not out.ok and out.record is None
        assert {(p.rule, p.column, p.row) for p in out.errors} == expected, out.report()
        report = out.report()
        for _, column, row in expected:
            assert f"第 {row} 行 · 「{column}」" in report
        assert tree_bytes(store.root) == before


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
