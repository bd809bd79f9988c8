"""Deterministic synthetic stores for the benchmark: a whole city or province of key projects, month by month.

The generator is vectorised: one numpy step per month over every project slot (never row by row), then one
canonical-schema parquet per month written through the real Store. Each month holds exactly `projects` rows:
a slot whose project completed (and stayed its months in the ledger) or was cancelled gets a new project, so
projects enter and leave while the row count stays fixed.

Life of a project (months are absolute indices year*12 + month-1):
  planned start a_plan, actual start a_start = a_plan + delay (early starts make 储备/前期 conversions),
  duration dur, then 竣工 (产业 projects go 投产 after 1–3 months), then `stay` months before leaving.
  build_type is the role in the year's plan: started before the year → 续建; planned start within the year
  (or slipped and still not started) → 新开工; planned within the next 12 months → 前期; later → 储备.
  Spending: total/dur per month with noise and a seasonal factor; troubled projects stall (停工 or a silent
  在建 zombie), some projects stop over winter (Jan/Feb). ytd resets each January; completed_investment_total
  never exceeds 1.1 × total investment.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import polars as pl

from data.schema import (BUILD_TYPES, CATEGORIES, INDUSTRY_CLASSES, INVESTOR_TYPES, LEVELS, PROC_COLUMNS, SCHEMA,
                         STATUSES)
from data.store import Store

# Bump when the generated data changes: cached stores with another version are regenerated.
GENERATOR_VERSION = 3
CACHE_DIR = Path(__file__).resolve().parent / ".cache"


@dataclass(frozen=True)
class Scale:
    name: str
    projects: int  # rows per month
    months: int
    start: tuple[int, int]  # first snapshot (year, month)
    counties: int
    chains: int
    seed: int


SCALES = {
    "tiny": Scale("tiny", 50, 6, (2024, 1), 4, 17, 7),
    "city": Scale("city", 1_000, 24, (2023, 1), 12, 18, 11),
    "province": Scale("province", 50_000, 36, (2022, 1), 30, 24, 13),
}

COUNTY_NAMES = (
    "安平县", "清河县", "临泽区", "永宁县", "高陵区", "太和县", "凤翔区", "宁远县", "石泉县", "柳城区",
    "东阳市", "南溪区", "西平县", "北川县", "白水县", "长丰县", "新安县", "兴隆县", "泰来县", "福山区",
    "岳西县", "庆安县", "龙门县", "华亭市", "洛南县", "文登区", "平遥县", "瑞昌市", "青田县", "金寨县",
)
CHAIN_NAMES = (
    "新能源汽车", "生物医药", "新材料", "电子信息", "高端装备制造", "绿色食品", "现代化工", "纺织服装",
    "钢铁深加工", "有色金属", "绿色建材", "文化旅游", "现代物流", "数字经济", "光伏", "氢能", "航空航天",
    "节能环保", "集成电路", "智能制造", "现代农业", "储能", "医疗器械", "煤化工",
)
LEADERS = tuple(f"{s}{t}" for s in "王李张刘陈杨赵黄周吴徐孙马朱胡" for t in ("副市长", "副县长", "常委", "局长"))
PROBLEMS = ("用地指标未落实", "资金到位不足，融资困难", "环评手续办理中", "征地拆迁进度慢", "施工许可尚未办理",
            "水电路配套滞后", "企业投资意愿下降", "设计方案调整")
NAME_SUFFIX = ("项目", "产业园项目", "基地建设项目", "改扩建工程", "一期工程", "综合体项目")

# Probabilities of the categorical attributes (index order of the schema enums).
P_CATEGORY = (0.45, 0.25, 0.15, 0.10, 0.05)
P_LEVEL = (0.08, 0.30, 0.62)
P_INVESTOR = {  # per category: 政府投资, 国有企业, 民间投资, 外商投资
    0: (0.10, 0.20, 0.60, 0.10), 1: (0.55, 0.35, 0.10, 0.00), 2: (0.50, 0.20, 0.28, 0.02),
    3: (0.45, 0.30, 0.25, 0.00), 4: (0.30, 0.20, 0.50, 0.00),
}
SEASON = np.array([0.5, 0.6, 1.0, 1.0, 1.0, 1.1, 1.0, 1.0, 1.0, 1.1, 1.1, 1.3])
NEVER = 10**6  # a procedure never done


def _choice(rng: np.random.Generator, n: int, p) -> np.ndarray:
    return rng.choice(len(p), size=n, p=np.asarray(p) / np.sum(p)).astype(np.int64)


def _county_habits(scale: Scale) -> tuple[np.ndarray, np.ndarray]:
    """Per county: spending speed and probability of a late start, so that counties really differ."""
    rng = np.random.default_rng(scale.seed + 1000)
    return rng.uniform(0.7, 1.15, scale.counties), rng.uniform(0.1, 0.45, scale.counties)


def _new_projects(rng: np.random.Generator, n: int, a_now: int, scale: Scale, initial: bool) -> dict[str, np.ndarray]:
    """Attributes of n new projects entering the ledger at absolute month a_now."""
    cat = _choice(rng, n, P_CATEGORY)
    ind_class = np.where(cat == 0, (rng.random(n) < 0.45).astype(np.int64), -1)  # 0 新兴, 1 传统
    has_chain = np.where(cat == 0, rng.random(n) < 0.8, (cat == 1) & (rng.random(n) < 0.15))
    chain = np.where(has_chain, rng.integers(0, scale.chains, n), -1)
    investor = np.empty(n, np.int64)
    for c, p in P_INVESTOR.items():
        m = cat == c
        investor[m] = _choice(rng, int(m.sum()), p)
    # Counties differ in size and in habits: skewed county weights, and per-county tilts drawn from the seed.
    county_w = np.linspace(2.0, 0.6, scale.counties)
    county = _choice(rng, n, county_w)
    level = _choice(rng, n, P_LEVEL)
    total = np.round(np.exp(rng.normal(np.log(25_000), 1.25, n)) * np.where(level == 0, 4.0, 1.0), 1)
    total = np.clip(total, 50.0, 3_000_000.0)
    dur = rng.integers(6, 49, n)
    late = _county_habits(scale)[1][county]
    u = rng.random(n)
    delay = np.select([u < late, u < late + 0.15], [rng.integers(1, 10, n), -rng.integers(1, 5, n)], 0)
    if initial:
        ongoing = rng.random(n) < 0.55
        elapsed = (rng.random(n) * (dur + 8)).astype(np.int64)
        a_start_on = a_now - elapsed
        a_plan = np.where(ongoing, a_start_on - np.maximum(delay, 0), a_now + rng.integers(0, 25, n))
        a_start = np.where(ongoing, a_start_on, np.maximum(a_plan + delay, a_now))
    else:
        ongoing = np.zeros(n, bool)
        a_plan = a_now + rng.integers(-1, 25, n)
        a_start = np.maximum(a_plan + delay, a_now)
    stay = rng.integers(2, 15, n)
    if initial:  # a project already completed must still be within its stay to be present
        done_for = a_now - (a_start + dur)
        stay = np.where(done_for >= 0, np.maximum(stay, done_for + rng.integers(1, 7, n)), stay)
    # Procedures: 立项 5–24 months before the plan; the others around the plan; 能评 often not needed.
    proc = np.empty((len(PROC_COLUMNS), n), np.int64)
    proc[0] = a_plan - rng.integers(5, 25, n)
    for k in range(1, len(PROC_COLUMNS)):
        proc[k] = np.minimum(a_plan - rng.integers(-3, 13, n), a_start)
    proc[4] = np.where(rng.random(n) < 0.3, NEVER, proc[4])  # 能评 not required / never filed
    proc[1:] = np.where(rng.random((len(PROC_COLUMNS) - 1, n)) < 0.05, NEVER, proc[1:])
    land = np.where(cat == 0, total / rng.uniform(150, 600, n),
                    np.where(rng.random(n) < 0.4, total / rng.uniform(300, 1500, n), np.nan))
    return {
        "category": cat, "industry_class": ind_class, "chain": chain, "investor_type": investor, "county": county,
        "level": level, "total": total, "dur": dur, "a_plan": a_plan, "a_start": a_start, "stay": stay,
        "plan_day": rng.integers(1, 29, n), "start_day": rng.integers(1, 29, n),
        "proc": proc.T.copy(), "proc_day": rng.integers(1, 29, (n, len(PROC_COLUMNS))),
        "land": np.round(land, 1),
        "signed": rng.random(n) < np.where(cat == 0, 0.5, 0.08),
        "leader": np.where(rng.random(n) < np.array([0.95, 0.85, 0.4])[level], rng.integers(0, len(LEADERS), n), -1),
        "troubled": rng.random(n) < 0.08, "stop_reported": rng.random(n) < 0.5, "phase": rng.integers(0, 10, n),
        "produce_lag": rng.integers(1, 4, n), "in_stat": rng.random(n) < 0.93,
        "problem_p": np.where(rng.random(n) < 0.1, 0.6, 0.03),
        "plan_factor": rng.uniform(0.85, 1.25, n), "funds_factor": rng.uniform(0.7, 1.3, n),
        "profit_rate": rng.uniform(0.03, 0.15, n), "tax_share": rng.uniform(0.3, 0.6, n),
        "suffix": rng.integers(0, len(NAME_SUFFIX), n), "ongoing": ongoing,
    }


def _dates(abs_month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Absolute month index + day → datetime64[D]; NaT where abs_month is NEVER."""
    m = np.where(abs_month >= NEVER, 0, abs_month) - 1970 * 12
    d = m.astype("datetime64[M]").astype("datetime64[D]") + (day - 1).astype("timedelta64[D]")
    return np.where(abs_month >= NEVER, np.datetime64("NaT"), d)


def _labels(codes: np.ndarray, labels: tuple[str, ...]) -> pl.Series:
    s = pl.Series(labels, dtype=pl.String).gather(np.where(codes < 0, 0, codes))
    return s.scatter(np.flatnonzero(codes < 0), None) if (codes < 0).any() else s


def generate_frames(scale: Scale):
    """Yield one canonical snapshot DataFrame per month."""
    rng = np.random.default_rng(scale.seed)
    n = scale.projects
    a0 = scale.start[0] * 12 + scale.start[1] - 1
    P = _new_projects(rng, n, a0, scale, initial=True)
    slot_p = np.arange(n)  # project index of each slot
    total0 = P["total"]
    cum = np.where(P["ongoing"], total0 * np.clip((a0 - P["a_start"]) / P["dur"], 0, 1) * rng.uniform(0.85, 1.05, n),
                   0.0)
    cum = np.minimum(np.maximum(cum, 0.0), total0 * 1.1)
    cum_year_start = cum.copy()
    plan_year = np.zeros(n)
    speed = _county_habits(scale)[0]
    counties = COUNTY_NAMES[: scale.counties]
    chains = CHAIN_NAMES[: scale.chains]
    for t in range(scale.months):
        a = a0 + t
        year_start = a - a % 12
        moy = a % 12  # 0 = January
        entered = np.zeros(n, bool)
        if t > 0:
            p = slot_p
            done = a >= P["a_start"][p] + P["dur"][p] + P["stay"][p]
            cancelled = (a < P["a_start"][p]) & (rng.random(n) < 0.003)
            leave = np.flatnonzero(done | cancelled)
            if leave.size:
                new = _new_projects(rng, leave.size, a, scale, initial=False)
                base = len(P["total"])
                P = {k: np.concatenate([P[k], new[k]]) for k in P}
                slot_p = slot_p.copy()
                slot_p[leave] = base + np.arange(leave.size)
                entered[leave] = True
                # Never mutate in place: earlier frames may share these buffers (zero-copy numpy → polars).
                cum = np.where(entered, 0.0, cum)
                cum_year_start = np.where(entered, 0.0, cum_year_start)
        p = slot_p
        total, dur, a_start, a_plan = P["total"][p], P["dur"][p], P["a_start"][p], P["a_plan"][p]
        if moy == 0:
            cum_year_start = cum.copy()
        # Role in this year's plan.
        build = np.select([a_start < year_start, a_plan <= year_start + 11, a_plan <= year_start + 23],
                          [1, 0, 2], 3)  # index into BUILD_TYPES: 新开工 0, 续建 1, 前期 2, 储备 3
        construction = build <= 1
        if moy == 0 or t == 0 or entered.any():
            # Annual plan from the planned schedule, fixed for the year (set in January or on entry).
            lo = np.maximum(a_plan, year_start)
            hi = np.minimum(a_plan + dur, year_start + 12)
            planned = total / dur * np.clip(hi - lo, 0, 12) * P["plan_factor"][p]
            pre = np.where(build == 2, total * 0.01, 0.0)
            fresh = np.where(construction, np.round(planned, 1), np.round(pre, 1))
            reset = np.ones(n, bool) if (moy == 0 or t == 0) else entered
            plan_year = np.where(reset, fresh, plan_year)
        started = a >= a_start
        building = started & (a < a_start + dur)
        completed = a >= a_start + dur
        stalled = building & P["troubled"][p] & ((a + P["phase"][p]) % 10 < 4)
        u = rng.random(n)
        winter = building & (moy <= 1) & (u < 0.12)
        idle = stalled | winter
        inc = np.where(building & ~idle, total / dur * rng.uniform(0.6, 1.4, n) * SEASON[moy] * speed[P["county"][p]], 0.0)
        cum = np.minimum(cum + inc, total * 1.1)
        cum = np.round(cum, 1)
        ytd = np.round(cum - cum_year_start, 1)
        producing = completed & (P["category"][p] == 0) & (a >= a_start + dur + P["produce_lag"][p])
        status = np.select([~started, building & ((stalled & P["stop_reported"][p]) | winter), building, producing],
                           [0, 2, 1, 4], 3)  # 未开工 0, 在建 1, 停工 2, 竣工 3, 投产 4
        funds = np.round(ytd * P["funds_factor"][p] + np.where(construction, plan_year * 0.03, 0.0), 1)
        profit_tax = np.where(status == 4, np.round(total * P["profit_rate"][p] / 10, 1), np.nan)
        tax = np.where(status == 4, np.round(profit_tax * P["tax_share"][p], 1), np.nan)
        problem_text = rng.random(n) < P["problem_p"][p] * (1 + P["troubled"][p])
        problem_code = np.where(problem_text, rng.integers(0, len(PROBLEMS), n), -1)
        blank = (~problem_text) & (rng.random(n) < 0.01)  # a blank cell counts as no problem
        proc = P["proc"][p]
        proc_dates = {}
        for k, col in enumerate(PROC_COLUMNS):
            m = np.where(proc[:, k] <= a, proc[:, k], NEVER)
            proc_dates[col] = _dates(m, P["proc_day"][p][:, k])
        month_date = dt.date(a // 12, a % 12 + 1, 1)
        pid = pl.Series(p).cast(pl.String).str.zfill(7)
        county_s = _labels(P["county"][p], counties)
        chain_s = _labels(P["chain"][p], chains)
        category_s = _labels(P["category"][p], CATEGORIES)
        problems = _labels(problem_code, PROBLEMS)
        problems = problems.scatter(np.flatnonzero(blank), "  ") if blank.any() else problems
        df = pl.DataFrame({
            "snapshot_month": pl.Series([month_date] * n, dtype=pl.Date),
            "project_id": ("XM" + pid),
            "project_name": county_s + chain_s.fill_null(category_s) + _labels(P["suffix"][p], NAME_SUFFIX) + pid,
            "county": county_s,
            "chain": chain_s,
            "category": category_s,
            "industry_class": _labels(P["industry_class"][p], INDUSTRY_CLASSES),
            "level": _labels(P["level"][p], LEVELS),
            "build_type": _labels(build, BUILD_TYPES),
            "status": _labels(status, STATUSES),
            "investor_type": _labels(P["investor_type"][p], INVESTOR_TYPES),
            "total_investment": total,
            "plan_investment_year": plan_year,
            "completed_investment_ytd": ytd,
            "completed_investment_total": cum,
            "funds_in_place_ytd": funds,
            "planned_start": _dates(a_plan, P["plan_day"][p]),
            "actual_start": _dates(np.where(started, a_start, NEVER), P["start_day"][p]),
            "planned_completion": _dates(a_plan + dur, P["plan_day"][p]),
            **proc_dates,
            "land_area_mu": P["land"][p],
            "annual_tax": tax,
            "annual_profit_tax": profit_tax,
            "is_signed_attraction": P["signed"][p],
            "leader": _labels(P["leader"][p], LEADERS),
            "problems": problems,
            "in_statistics": started & P["in_stat"][p],
        }, nan_to_null=True)
        yield df.select(SCHEMA.names()).cast(SCHEMA)


def _manifest(scale: Scale) -> dict:
    return json.loads(json.dumps({"generator_version": GENERATOR_VERSION, "scale": asdict(scale)}))


def ensure_store(scale_name: str, cache_dir: str | os.PathLike | None = None, log=None) -> Store:
    """The scale's store under cache_dir/<scale>/, generated once and reused while the generator is unchanged."""
    scale = SCALES[scale_name]
    root = Path(cache_dir or CACHE_DIR) / scale.name
    manifest_path = root / "manifest.json"
    want = _manifest(scale)
    if manifest_path.exists():
        try:
            have = json.loads(manifest_path.read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            have = None
        store = Store(root)
        if have and {k: have.get(k) for k in want} == want and len(store.months()) == scale.months:
            return store
    t0 = time.perf_counter()
    tmp = root.with_name(f".{scale.name}.tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    store = Store(tmp)
    rows = 0
    for df in generate_frames(scale):
        store.write(df, source=f"bench-generator-v{GENERATOR_VERSION}", user="bench")
        rows += df.height
    (tmp / "manifest.json").write_text(json.dumps({**want, "rows": rows}, ensure_ascii=False), encoding="utf-8")
    shutil.rmtree(root, ignore_errors=True)
    os.replace(tmp, root)
    if log:
        log(f"generated {scale.name}: {rows:,} rows in {time.perf_counter() - t0:.1f} s → {root}")
    return Store(root)
