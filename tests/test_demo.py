"""The demo city: deterministic, 24 valid monthly snapshots, and the stories the pages tell."""
from __future__ import annotations

import datetime as dt

import openpyxl
import polars as pl
import pytest

from data import demo
from data.demo.sample_ledger import write_sample_ledger
from data.ingest import read_ledger
from data.schema import (BUILD_TYPES, CATEGORIES, INDUSTRY_CLASSES, INVESTOR_TYPES, LEVELS, PROC_COLUMNS, SCHEMA,
                         STATUSES, TIERS)
from data.store import DEMO_DIR, Store
from data.validate import validate
from metrics.dataset import Dataset
from metrics.ranking import ranking
from tests.helpers import DEMO_LEDGER, SHARED

CS = ["新开工", "续建"]
# The county offices' sample ledger, where the contract's folder sits beside a development checkout.
SHARED_SAMPLE = SHARED / "samples" / "示例县_2024年6月_重点项目台账.xlsx"
# The sample's layout, copied from it by hand: merged title, two-row headers, the four header groups.
SAMPLE_MERGES = sorted(["A1:AG1", "L3:P3", "Q3:S3", "T3:Y3", "Z3:AB3",
                        *(f"{c}3:{c}4" for c in ("A B C D E F G H I J K AC AD AE AF AG".split()))])
SAMPLE_ROW3 = ["序号", "项目编码", "项目名称", "县区", "产业链", "项目类别", "产业类型", "项目级别", "建设性质", "建设状态",
               "投资主体", "投资情况(万元)", None, None, None, None, "进度计划", None, None, "前期手续办理情况", None, None,
               None, None, None, "效益情况", None, None, "是否招商引资签约项目", "包抓领导", "存在问题", "是否入统", "报送月份"]
SAMPLE_ROW4 = [None] * 11 + ["总投资", "年度计划投资", "本年累计完成投资", "开工累计完成投资", "本年资金到位", "计划开工时间",
                             "实际开工时间", "计划竣工时间", "立项(审批/核准/备案)时间", "用地批复时间", "规划许可时间",
                             "环评批复时间", "能评批复时间", "施工许可时间", "用地面积(亩)", "年税收(万元)", "年利税(万元)"] \
    + [None] * 5
REQUIRED = ("snapshot_month", "project_id", "project_name", "county", "category", "level", "build_type", "status",
            "investor_type", "total_investment", "plan_investment_year", "completed_investment_ytd",
            "completed_investment_total", "funds_in_place_ytd", "is_signed_attraction", "in_statistics")
ENUMS = {"category": CATEGORIES, "level": LEVELS, "build_type": BUILD_TYPES, "status": STATUSES,
         "investor_type": INVESTOR_TYPES}
MONEY = ("total_investment", "plan_investment_year", "completed_investment_ytd", "completed_investment_total",
         "funds_in_place_ytd", "land_area_mu", "annual_tax", "annual_profit_tax")


@pytest.fixture(scope="module")
def snaps() -> dict[str, pl.DataFrame]:
    return demo.build_snapshots()


@pytest.fixture(scope="module")
def history(snaps) -> pl.DataFrame:
    return pl.concat(list(snaps.values()))


def violations(df: pl.DataFrame, key: str) -> list[str]:
    """Every DOMAIN.md rule a snapshot breaks, as readable strings (empty = valid)."""
    out = []
    if df.schema != SCHEMA:
        out.append("schema differs")
    month = dt.date(int(key[:4]), int(key[5:]), 1)
    month_end = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    if df["snapshot_month"].unique().to_list() != [month]:
        out.append("snapshot_month not the first of the month on every row")
    for c in REQUIRED:
        if df[c].null_count():
            out.append(f"{c} has nulls")
    if df["project_id"].n_unique() != df.height:
        out.append("duplicate project_id")
    for c, allowed in ENUMS.items():
        if not df[c].is_in(list(allowed)).all():
            out.append(f"{c} outside its enum")
    ind = df["category"] == "产业"
    if not (df["industry_class"].is_not_null() == ind).all():
        out.append("industry_class required iff 产业")
    if not df["industry_class"].drop_nulls().is_in(list(INDUSTRY_CLASSES)).all():
        out.append("industry_class outside its enum")
    for c in MONEY:
        if (df[c].drop_nulls() < 0).any() or df[c].is_nan().any():
            out.append(f"{c} negative or NaN")
    bad = df.filter((pl.col("completed_investment_total") < pl.col("completed_investment_ytd"))
                    | (pl.col("completed_investment_total") > pl.col("total_investment") * 1.2))
    if bad.height:
        out.append(f"{bad.height} rows break ytd ≤ total ≤ 1.2 × total_investment")
    if (df["actual_start"].drop_nulls() > month_end).any():
        out.append("actual_start after month end")
    for c in PROC_COLUMNS:
        if (df[c].drop_nulls() > month_end).any():
            out.append(f"{c} in the future")
    return out


def ratio(a: float, b: float) -> float | None:
    return a / b if b else None


def completion_rate(df: pl.DataFrame) -> float | None:
    cs = df.filter(pl.col("build_type").is_in(CS))
    return ratio(cs["completed_investment_ytd"].sum(), cs["plan_investment_year"].sum())


def start_rate(df: pl.DataFrame) -> float | None:
    new = df.filter(pl.col("build_type") == "新开工")
    return ratio(new["actual_start"].is_not_null().sum(), new.height)


def share(df: pl.DataFrame, cond: pl.Expr) -> float | None:
    cs = df.filter(pl.col("build_type").is_in(CS))
    return ratio(cs.filter(cond)["total_investment"].sum(), cs["total_investment"].sum())


def county_scores(df: pl.DataFrame) -> dict[str, float]:
    """The default scorecard of DOMAIN.md (min–max per indicator, weighted), per county."""
    def procs(d):
        p = d.filter(pl.col("build_type").is_in(["新开工", "前期"]))
        return ratio(sum(p[c].is_not_null().sum() for c in PROC_COLUMNS), 6 * p.height)

    def signed(d):
        s = d.filter("is_signed_attraction")
        return ratio(s["actual_start"].is_not_null().sum(), s.height)

    card = ((completion_rate, 30), (start_rate, 20), (lambda d: share(d, pl.col("investor_type") == "民间投资"), 15),
            (lambda d: share(d, pl.col("category") == "产业"), 15), (procs, 10), (signed, 10))
    counties = df["county"].unique().to_list()
    score = dict.fromkeys(counties, 0.0)
    for fn, w in card:
        vals = {c: fn(df.filter(pl.col("county") == c)) for c in counties}
        xs = [v for v in vals.values() if v is not None]
        lo, hi = min(xs), max(xs)
        for c, v in vals.items():
            score[c] += w * (0.0 if v is None else 100.0 if hi == lo else 100 * (v - lo) / (hi - lo)) / 100
    return score


def ranks(df: pl.DataFrame) -> list[str]:
    s = county_scores(df)
    return sorted(s, key=lambda c: -s[c])


def monthly_investment(snaps: dict[str, pl.DataFrame]) -> dict[str, float]:
    out, prev = {}, None
    for key, df in snaps.items():
        cs = df.filter(pl.col("build_type").is_in(CS))
        if prev is not None and key[5:] != "01":
            cs = cs.join(prev.select("project_id", pl.col("completed_investment_ytd").alias("last")), on="project_id",
                         how="left")
            out[key] = (cs["completed_investment_ytd"] - cs["last"].fill_null(0.0)).sum()
        else:
            out[key] = cs["completed_investment_ytd"].sum()
        prev = df
    return out


def zombies(now: pl.DataFrame, then: pl.DataFrame) -> pl.DataFrame:
    """DOMAIN.md zombie projects: construction set, not finished, no growth over three months."""
    return (now.filter(pl.col("build_type").is_in(CS) & pl.col("status").is_in(["未开工", "在建", "停工"]))
            .join(then.select("project_id", pl.col("completed_investment_total").alias("then")), on="project_id")
            .filter(pl.col("completed_investment_total") <= pl.col("then")))


# ---- generation -------------------------------------------------------------------------------------------------
def test_deterministic(snaps):
    again = demo.build_snapshots()
    assert list(again) == list(snaps)
    for key in snaps:
        assert again[key].equals(snaps[key]), key


def test_24_months_and_sizes(snaps):
    assert list(snaps) == [f"{y}-{m:02d}" for y in (2024, 2025) for m in range(1, 13)]
    for key, df in snaps.items():
        assert 750 <= df.height <= 900, (key, df.height)
    for year in ("2024", "2025"):
        ids = pl.concat([df for k, df in snaps.items() if k.startswith(year)])["project_id"].n_unique()
        assert 780 <= ids <= 920, (year, ids)  # about 800 projects on each year's list
    last = snaps["2025-12"]
    assert last["county"].n_unique() == 9 and last["chain"].drop_nulls().n_unique() == 17


@pytest.mark.parametrize("key", [f"{y}-{m:02d}" for y in (2024, 2025) for m in range(1, 13)])
def test_every_snapshot_passes_the_rules(snaps, key):
    assert violations(snaps[key], key) == []


def test_validator_accepts_demo(snaps):
    for key, df in snaps.items():
        assert validate(df) == [], key


def test_history_is_consistent(history):
    by_id = history.group_by("project_id").agg(
        pl.col("project_name", "county", "total_investment", "category", "level").n_unique())
    assert (by_id.select(pl.exclude("project_id")).max_horizontal() == 1).all()  # stable identity
    h = history.sort("project_id", "snapshot_month").with_columns(year=pl.col("snapshot_month").dt.year())
    grew = h.with_columns(
        d_ytd=pl.col("completed_investment_ytd").diff().over("project_id", "year"),
        d_total=pl.col("completed_investment_total").diff().over("project_id"),
        d_funds=pl.col("funds_in_place_ytd").diff().over("project_id", "year"))
    assert (grew["d_ytd"].drop_nulls() >= 0).all()  # monotone within a year
    assert (grew["d_funds"].drop_nulls() >= 0).all()
    assert (grew["d_total"].drop_nulls() >= -0.011).all()  # accumulates across years
    jan25 = h.filter(pl.col("snapshot_month") == dt.date(2025, 1, 1))
    dec24 = h.filter(pl.col("snapshot_month") == dt.date(2024, 12, 1))
    assert jan25["completed_investment_ytd"].sum() < 0.1 * dec24["completed_investment_ytd"].sum()  # January reset


def test_year_lists(snaps):
    jan, dec = set(snaps["2024-01"]["project_id"]), set(snaps["2024-12"]["project_id"])
    assert len(jan & dec) >= 0.95 * len(jan)  # ids persist within a year
    nxt = set(snaps["2025-01"]["project_id"])
    assert len(dec - nxt) >= 100 and len(nxt - dec) >= 150  # completed projects leave, new ones join
    pipe = snaps["2024-06"].filter(pl.col("build_type").is_in(["前期", "储备"]))
    assert (pipe["plan_investment_year"] == 0).mean() >= 0.7
    done = snaps["2024-12"].filter(pl.col("status") == "投产")
    assert done.height >= 20 and done["annual_tax"].is_not_null().all()
    assert (snaps["2024-12"].filter(pl.col("status") != "投产")["annual_tax"].is_null()).all()


def test_size_tiers(snaps):
    df = snaps["2024-06"]
    for bound in (10_000.0, 50_000.0, 100_000.0, 1_000_000.0):
        assert (df["total_investment"] == bound).any(), bound
    counts = {label: df.filter((pl.col("total_investment") >= lo) & (pl.col("total_investment") < hi)).height
              for label, lo, hi in TIERS}
    assert counts["亿元以下"] > 300 and counts["1-5亿"] > 250
    assert 5 <= counts["10-100亿"] <= 40 and 1 <= counts["100亿以上"] <= 2


# ---- stories ----------------------------------------------------------------------------------------------------
def test_lagging_and_leading_county(snaps):
    lag = demo.LAGGING_COUNTY
    below = [k for k, df in snaps.items()
             if completion_rate(df.filter(pl.col("county") == lag)) < int(k[5:]) / 12 - 0.10]
    assert len(below) >= 20, below
    bottom3 = [lag in ranks(df)[-3:] for df in snaps.values()]
    assert sum(bottom3) >= 22
    firsts = [ranks(df)[0] == demo.LEADING_COUNTY for df in snaps.values()]
    assert sum(firsts) >= 12
    for df in snaps.values():
        assert start_rate(df.filter(pl.col("county") == lag)) <= start_rate(df) + 1e-9


def test_city_tracks_time_schedule(snaps):
    for key, df in snaps.items():
        m = int(key[5:])
        assert m / 12 - 0.15 < completion_rate(df) < m / 12, key
    for year in ("2024", "2025"):
        q1, jun, dec = (start_rate(snaps[f"{year}-{m}"]) for m in ("03", "06", "12"))
        assert q1 < 0.5 and 0.7 <= jun <= 0.95 and dec >= 0.85 and q1 < jun < dec


def test_new_projects_lag_continuing(snaps):
    for key, df in snaps.items():
        new = df.filter(pl.col("build_type") == "新开工")
        cont = df.filter(pl.col("build_type") == "续建")
        gap = (new["completed_investment_ytd"].sum() / new["plan_investment_year"].sum()
               - cont["completed_investment_ytd"].sum() / cont["plan_investment_year"].sum())
        assert gap < 0, key


def test_private_share_near_one_third(snaps):
    for key, df in snaps.items():
        assert 0.25 <= share(df, pl.col("investor_type") == "民间投资") <= 0.42, key


def test_seasonal_monthly_investment(snaps):
    mi = monthly_investment(snaps)
    for y in ("2024", "2025"):
        year = {int(k[5:]): v for k, v in mi.items() if k.startswith(y)}
        mean = sum(year.values()) / 12
        assert year[2] < year[3] and year[1] < mean and year[2] < mean  # Spring Festival dip
        assert year[12] == max(year.values()) and year[11] > year[10]  # year-end push


def test_zombies_and_stopped(snaps):
    keys = list(snaps)
    started_zombies = []
    for i in range(3, len(keys)):
        z = zombies(snaps[keys[i]], snaps[keys[i - 3]])
        started_zombies.append(z.filter(pl.col("actual_start").is_not_null()).height)
    assert max(started_zombies) >= 8 and sum(n >= 3 for n in started_zombies) >= 12
    summer = [(snaps[k]["status"] == "停工").sum() for k in keys if 5 <= int(k[5:]) <= 11]
    assert all(1 <= n <= 15 for n in summer)


def test_watch_lists_are_populated(snaps):
    for year in ("2024", "2025"):
        jun, dec = snaps[f"{year}-06"], snaps[f"{year}-12"]
        end = dt.date(int(year), 6, 30)
        late = jun.filter((pl.col("build_type") == "新开工") & pl.col("actual_start").is_null()
                          & (pl.col("planned_start") < end))
        assert late.height >= 10
        signed_idle = dec.filter(pl.col("is_signed_attraction") & pl.col("actual_start").is_null())
        assert signed_idle.height >= 10
        cs = dec.filter(pl.col("build_type").is_in(CS))
        assert cs.filter(pl.col("level").is_in(["省级", "市级"]) & pl.col("leader").is_null()).height >= 3
        assert cs.filter(pl.col("actual_start").is_not_null() & ~pl.col("in_statistics")).height >= 10
        outstanding = cs.filter(pl.col("actual_start").is_not_null()
                                & pl.any_horizontal(pl.col(c).is_null() for c in PROC_COLUMNS))
        assert outstanding.height >= 5
        assert dec["problems"].is_not_null().sum() >= 40


# ---- the store and the ledger -----------------------------------------------------------------------------------
def test_generate_writes_a_deterministic_store(tmp_path, snaps):
    a = demo.generate(tmp_path / "a")
    b = demo.generate(tmp_path / "b")
    assert len(a) == 24 and [p.name for p in a] == [f"{k}.parquet" for k in snaps]
    assert all(pa.read_bytes() == pb.read_bytes() for pa, pb in zip(a, b))
    store = Store(tmp_path / "a")
    assert store.months() == list(snaps)
    assert len(store.audit()) == 24 and {r["user"] for r in store.audit()} == {"demo"}
    assert store.read("2025-06").equals(snaps["2025-06"])
    demo.generate(tmp_path / "a")  # regeneration starts clean: no history, a fresh audit log
    assert len(Store(tmp_path / "a").audit()) == 24 and not Store(tmp_path / "a").history_dir.exists()


def test_shipped_demo_store_is_current(snaps):
    store = Store(DEMO_DIR)
    assert store.months() == list(snaps), "run `python -m data.demo` to regenerate data/demo"
    for key in ("2024-01", "2025-12"):
        assert store.read(key).equals(snaps[key]), key


def test_sample_ledger_layout(tmp_path, snaps):
    frame = snaps["2024-06"].filter(pl.col("county") == demo.LAGGING_COUNTY)
    path = write_sample_ledger(frame, tmp_path / "ledger.xlsx")
    ws = openpyxl.load_workbook(path).active
    assert ws["A1"].value == "石门县2024年6月重点项目建设进展情况表"
    assert ws["A2"].value.startswith("填报单位：石门县") and "单位：万元" in ws["A2"].value
    assert ws["A3"].value == "序号" and ws["L3"].value == "投资情况(万元)" and ws["L4"].value == "总投资"
    assert ws["T3"].value == "前期手续办理情况" and ws["Z3"].value == "效益情况" and ws["AG3"].value == "报送月份"
    assert ws.max_row == 4 + frame.height + 1
    assert ws.cell(ws.max_row, 1).value == "合计"
    assert ws.cell(ws.max_row, 12).value == pytest.approx(frame["total_investment"].sum(), abs=0.01)
    assert [ws.cell(r, 1).value for r in (5, 6)] == [1, 2]
    assert {ws.cell(r, 29).value for r in range(5, ws.max_row)} <= {"是", "否"}
    assert isinstance(ws["AG5"].value, dt.datetime) and ws["AG5"].value.date() == dt.date(2024, 6, 1)
    assert sorted(map(str, ws.merged_cells.ranges)) == SAMPLE_MERGES
    assert [c.value for c in ws[3]] == SAMPLE_ROW3 and [c.value for c in ws[4]] == SAMPLE_ROW4


def test_shipped_demo_ledger_is_current(snaps):
    """data/demo/ledgers holds 石门县's June 2024 rows of the demo city, in the sample's layout."""
    ws = openpyxl.load_workbook(DEMO_LEDGER).active
    assert sorted(map(str, ws.merged_cells.ranges)) == SAMPLE_MERGES
    assert [c.value for c in ws[3]] == SAMPLE_ROW3 and [c.value for c in ws[4]] == SAMPLE_ROW4
    res = read_ledger(DEMO_LEDGER)
    assert res.errors == [], res.report()
    assert res.frame.equals(snaps["2024-06"].filter(pl.col("county") == "石门县")), \
        "run `python -m data.demo.sample_ledger` to regenerate data/demo/ledgers"


def test_layout_literals_are_the_shared_samples():
    """The layout literals above against the county offices' own sample, where it sits beside the checkout."""
    if not SHARED_SAMPLE.is_file():
        pytest.skip(f"the shared sample ledger is not beside this checkout ({SHARED_SAMPLE}): the layout is checked "
                    "against the literals copied from it")
    sample = openpyxl.load_workbook(SHARED_SAMPLE).active
    assert sorted(map(str, sample.merged_cells.ranges)) == SAMPLE_MERGES
    assert [c.value for c in sample[3]] == SAMPLE_ROW3 and [c.value for c in sample[4]] == SAMPLE_ROW4


def test_ledger_round_trips_through_ingest(tmp_path, snaps):
    frame = snaps["2024-06"].filter(pl.col("county") == demo.LAGGING_COUNTY)
    result = read_ledger(write_sample_ledger(frame, tmp_path / "石门县_2024年6月_重点项目台账.xlsx"))
    assert result.ok, result.errors[:5]
    assert result.frame.equals(frame)


def test_real_ranking_engine_tells_the_story():
    ds = Dataset.from_store(Store(DEMO_DIR))
    for month in ("2024-06", "2025-12"):
        df = ranking(ds, month)
        last = df.filter(pl.col("rank") == pl.col("rank").max())
        assert last["county"].to_list() == [demo.LAGGING_COUNTY] and last["warning"].all(), month
    top = ranking(ds, "2025-12").filter(pl.col("rank") == 1)
    assert top["county"].to_list() == [demo.LEADING_COUNTY]
