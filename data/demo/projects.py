"""Every project of the demo city's two years, with its attributes, timeline and fate decided up front."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from data.demo.city import (BT_CONT, BT_NEW, BT_PRE, BT_RES, CATEGORY_P, CHAIN_NAMES, CHAINS, COUNTIES, INVESTOR_P,
                            INVESTORS, N_MONTHS, NEVER, NO_MONTH, PLANNED_START_P, SIZE_MU, by_county, day_in_month,
                            month_of_day, month_start_days, pick)
from data.demo.details import (add_flagships, add_land_and_tax, add_leaders, add_names, add_procedures,
                               add_project_ids)

# Cohorts (projects, kind, entry month index): 续建 from earlier years, 新开工, 前期, 储备. Between the two lists the
# 2025 新开工 cohort is added, sized from the 2024 projects carried over (see build_registry).
COHORTS_2024 = ((310, "pre", 0), (265, "new", 0), (120, "pre_stage", 0), (90, "reserve", 0),
                (25, "reserve", 6))  # signed at the mid-year 招商 fair, entered as 储备 in July
COHORTS_2025 = ((60, "pre_stage", 12), (50, "reserve", 12), (25, "reserve", 18))
REPLAN_2025_P = [0.10, 0.15, 0.30, 0.25, 0.12, 0.08]  # the month a re-planned start falls in (Jan … Jun 2025)


class _Registry:
    """Every project of the two years: attributes, timeline and fates, as parallel numpy arrays."""

    def __init__(self):
        self.cols: dict[str, list[np.ndarray]] = {}

    def add(self, **arrays: np.ndarray) -> None:
        for k, v in arrays.items():
            self.cols.setdefault(k, []).append(np.asarray(v))

    def finish(self) -> dict[str, np.ndarray]:
        return {k: np.concatenate(v) for k, v in self.cols.items()}


def _attributes(rng: np.random.Generator, n: int, county: np.ndarray) -> dict[str, np.ndarray]:
    """Category, chain, class, level, investor, size and signing of n projects in the given counties."""
    ind_p = by_county("industry", county)
    is_ind = rng.random(n) < ind_p
    other = pick(rng, list(CATEGORY_P)[1:], list(CATEGORY_P.values())[1:], n)
    category = np.where(is_ind, "产业", other).astype(object)

    chain = np.full(n, None, dtype=object)
    main = rng.random(n) < 0.72
    for i in range(n):
        if category[i] == "产业":
            if rng.random() < 0.93:
                pool = COUNTIES[county[i]].chains if main[i] else CHAIN_NAMES
                chain[i] = pool[rng.integers(len(pool))]
        elif category[i] == "基础设施" and rng.random() < 0.08:
            chain[i] = "现代物流"
        elif category[i] == "其他" and rng.random() < 0.30:
            chain[i] = "文化旅游"
        elif category[i] == "生态环保" and rng.random() < 0.12:
            chain[i] = "节能环保"

    emerging = np.array([CHAINS[c][0] if c else rng.random() < 0.5 for c in chain])
    flip = rng.random(n) < 0.12
    industry_class = np.where(category == "产业", np.where(emerging ^ flip, "新兴产业", "传统产业"), None).astype(object)

    mu = np.array([SIZE_MU[c] for c in category])
    total = np.exp(np.log(mu) + rng.normal(0.0, 1.05, n))
    total = np.clip(total, 300.0, 900_000.0)
    total = np.where(total < 10_000, np.round(total, -1), np.round(total, -2))

    u = rng.random(n)
    level = np.where(total >= 100_000, np.where(u < 0.5, "省级", np.where(u < 0.95, "市级", "县级")),
                     np.where(total >= 50_000, np.where(u < 0.2, "省级", np.where(u < 0.7, "市级", "县级")),
                              np.where(total >= 10_000, np.where(u < 0.05, "省级", np.where(u < 0.4, "市级", "县级")),
                                       np.where(u < 0.01, "省级", np.where(u < 0.16, "市级", "县级"))))).astype(object)

    investor = np.empty(n, dtype=object)
    priv = by_county("private", county)
    u = rng.random(n)
    for i in range(n):
        if category[i] == "产业":
            rest = (u[i] - priv[i]) / (1 - priv[i]) if u[i] >= priv[i] else -1
            investor[i] = ("民间投资" if rest < 0 else "国有企业" if rest < 0.45 else "外商投资" if rest < 0.65
                           else "政府投资")
        else:
            p = np.cumsum(INVESTOR_P[category[i]])
            investor[i] = INVESTORS[int(np.searchsorted(p, u[i] * p[-1], side="right"))]
    signed = np.where(category == "产业", rng.random(n) < np.where(investor == "政府投资", 0.05, 0.42),
                      rng.random(n) < 0.03)
    return {"category": category, "chain": chain, "industry_class": industry_class, "level": level,
            "investor_type": investor, "total_investment": total, "is_signed_attraction": signed}


def _duration_months(rng: np.random.Generator, total: np.ndarray) -> np.ndarray:
    """Construction time in months, longer for bigger projects."""
    lo = np.where(total < 10_000, 5, np.where(total < 50_000, 12, np.where(total < 100_000, 20, 30)))
    hi = np.where(total < 10_000, 15, np.where(total < 50_000, 30, np.where(total < 100_000, 48, 66)))
    return rng.integers(lo, hi + 1)


def _start_delay(rng: np.random.Generator, n: int, county: np.ndarray, signed: np.ndarray) -> np.ndarray:
    """Months between planned and actual start; NO_MONTH means it never starts."""
    d = pick(rng, [-1, 0, 1, 2, 3, 5], [0.08, 0.76, 0.08, 0.04, 0.02, 0.02], n).astype(np.int64)
    extra = by_county("delay", county)
    d = np.where(d >= 0, np.maximum(d + extra * (rng.random(n) < 0.7), -1), d)
    weak = by_county("weak", county)
    never_p = 0.03 + by_county("never", county) + (0.10 + 0.35 * weak) * signed
    return np.where(rng.random(n) < never_p, NO_MONTH, d)


@dataclass
class _Timeline:
    """One cohort's timeline as parallel arrays: start month and day, planned start and role in each year."""

    duration: np.ndarray
    start_t: np.ndarray
    ps24: np.ndarray
    ps25: np.ndarray
    r24: np.ndarray
    r25: np.ndarray
    start_day: np.ndarray | None = None

    @classmethod
    def empty(cls, n: int, duration: np.ndarray) -> _Timeline:
        return cls(duration, np.full(n, NO_MONTH, np.int64), np.full(n, NEVER, np.int64), np.full(n, NEVER, np.int64),
                   np.zeros(n, np.int64), np.zeros(n, np.int64))

    def enter(self, y0: int, role: int, planned: np.ndarray | None = None) -> None:
        """The role (and planned start day) in the entry year (y0 = 0 for 2024, 12 for 2025)."""
        if y0 == 0:
            self.r24[:] = role
            self.ps24 = self.ps24 if planned is None else planned
        else:
            self.r25[:] = role
            self.ps25 = self.ps25 if planned is None else planned


def _start_day(rng: np.random.Generator, t: np.ndarray) -> np.ndarray:
    """A day in start month t; NEVER for projects that never start."""
    return np.where(t == NO_MONTH, NEVER, day_in_month(rng, np.minimum(t, 200)))


def _continuing(rng: np.random.Generator, n: int, tl: _Timeline) -> None:
    """续建: started up to three years before 2024, and still running in January."""
    tl.start_t = -1 - np.minimum(rng.geometric(0.07, n) - 1, 33)
    tl.duration = np.maximum(tl.duration, -tl.start_t + rng.integers(0, 14, n))
    tl.enter(0, BT_CONT)


def _new_start(rng: np.random.Generator, n: int, y0: int, county: np.ndarray, signed: np.ndarray,
               tl: _Timeline) -> None:
    """新开工: planned to start in the entry year, some late and some never."""
    pm = y0 + rng.choice(12, size=n, p=PLANNED_START_P)
    d = _start_delay(rng, n, county, signed)
    tl.start_t = np.where(d == NO_MONTH, NO_MONTH, np.maximum(pm + d, y0))
    tl.enter(y0, BT_NEW, day_in_month(rng, pm))


def _pipeline(rng: np.random.Generator, n: int, kind: str, y0: int, t_in: int, county: np.ndarray,
              signed: np.ndarray, tl: _Timeline) -> None:
    """前期 or 储备: some convert and start later in the year."""
    code = BT_PRE if kind == "pre_stage" else BT_RES
    conv_p = 0.34 if code == BT_PRE else 0.12
    conv = rng.random(n) < conv_p * (1 - 0.6 * by_county("weak", county))
    conv &= ~(signed & (rng.random(n) < 0.5))  # half the signed pipeline never moves: story (f)
    conv_t = y0 + rng.integers(3, 11, n) if t_in % 12 == 0 else y0 + rng.integers(8, 11, n)
    tl.start_t = np.where(conv, conv_t, NO_MONTH)
    fut = day_in_month(rng, y0 + 12 + rng.integers(0, 12, n))
    planned = np.where(conv, day_in_month(rng, np.minimum(conv_t, y0 + 11)), fut)
    planned = np.where((code == BT_RES) & ~conv & (rng.random(n) < 0.5), NEVER, planned)
    tl.enter(y0, code, planned)


def _restart_2025(rng: np.random.Generator, n: int, county: np.ndarray, signed: np.ndarray, tl: _Timeline,
                  which: np.ndarray) -> np.ndarray:
    """Re-plan the start of the `which` projects into 2025; returns the planned start month of each."""
    pm25 = 12 + rng.choice(6, size=n, p=REPLAN_2025_P)
    d25 = _start_delay(rng, n, county, signed)
    t25 = np.where(d25 == NO_MONTH, NO_MONTH, np.maximum(pm25 + d25, 12))
    tl.start_t = np.where(which, t25, tl.start_t)
    tl.start_day = np.where(which, _start_day(rng, t25), tl.start_day)
    return pm25


def _second_year(rng: np.random.Generator, n: int, kind: str, county: np.ndarray, signed: np.ndarray,
                 tl: _Timeline) -> None:
    """A 2024 project's role in 2025: started ones continue; the rest are re-planned, back to 前期, kept or dropped."""
    not_started = tl.start_t > 11
    fate = rng.random(n)
    if kind == "new":
        renew = not_started & (fate < 0.55)
        back = not_started & (fate >= 0.55) & (fate < 0.75)
        pm25 = _restart_2025(rng, n, county, signed, tl, renew)
        tl.r25 = np.where(renew, BT_NEW, np.where(back, BT_PRE, 0))
        tl.ps25 = np.where(renew, day_in_month(rng, pm25), np.where(back, tl.ps24 + 365, NEVER))
    elif kind in ("pre_stage", "reserve"):
        to_new = not_started & (fate < (0.42 if kind == "pre_stage" else 0.28))
        stay = not_started & ~to_new & (fate < (0.72 if kind == "pre_stage" else 0.6))
        pm25 = _restart_2025(rng, n, county, signed, tl, to_new)
        upgrade = rng.random(n) < 0.35  # 储备 that stays in the pipeline may move up to 前期
        stay_code = np.where((kind == "reserve") & ~upgrade, BT_RES, BT_PRE)
        tl.r25 = np.where(to_new, BT_NEW, np.where(stay, stay_code, 0))
        tl.ps25 = np.where(to_new, day_in_month(rng, pm25), np.where(stay, tl.ps24, NEVER))
    started24 = tl.start_t <= 11
    tl.r25 = np.where(started24, BT_CONT, tl.r25)
    kept_plan = np.where(kind == "pre", tl.ps24, np.where(tl.ps24 < NEVER, tl.ps24, tl.start_day))
    tl.ps25 = np.where(started24, kept_plan, tl.ps25)


def _completion(rng: np.random.Generator, n: int, y0: int, weak: np.ndarray,
                tl: _Timeline) -> tuple[np.ndarray, np.ndarray]:
    """(completion month, planned completion day): planned from the start, delays worse in weak counties."""
    hoped = month_of_day(np.minimum(np.where(y0 == 0, tl.ps24, tl.ps25), month_start_days(40)))
    pc_t = np.where(tl.start_t < NO_MONTH, tl.start_t, hoped) + tl.duration
    late = pick(rng, [0, 0, 1, 2, 3, 5], None, n).astype(np.int64) + (weak >= 1) * rng.integers(2, 6, n)
    complete_t = np.where(tl.start_t < NO_MONTH, pc_t + late, NO_MONTH)
    complete_t = np.where(complete_t < N_MONTHS, complete_t, NO_MONTH)
    complete_t = np.where(complete_t <= tl.start_t, tl.start_t + 1, complete_t)
    complete_t = np.where(complete_t >= N_MONTHS, NO_MONTH, complete_t)
    return complete_t, month_start_days(np.minimum(pc_t, 200)) + rng.integers(0, 28, n)


def _cohort(rng: np.random.Generator, reg: _Registry, n: int, kind: str, t_in: int) -> None:
    """Add n projects of one kind entering the list in month t_in, each with its whole timeline."""
    weights = np.array([c.weight for c in COUNTIES])
    county = rng.choice(len(COUNTIES), size=n, p=weights / weights.sum())
    a = _attributes(rng, n, county)
    weak = by_county("weak", county)
    if kind == "pre":  # weak counties landed few of their signed projects in earlier years
        a["is_signed_attraction"] &= rng.random(n) >= 0.8 * weak
    signed = a["is_signed_attraction"]
    tl = _Timeline.empty(n, _duration_months(rng, a["total_investment"]))
    y0 = 0 if t_in < 12 else 12  # first month of the entry year
    if kind == "pre":
        _continuing(rng, n, tl)
    elif kind == "new":
        _new_start(rng, n, y0, county, signed, tl)
    else:
        _pipeline(rng, n, kind, y0, t_in, county, signed, tl)
    tl.start_day = _start_day(rng, tl.start_t)
    if kind == "pre":
        tl.ps24 = tl.start_day - rng.integers(0, 150, n)
        tl.ps25 = tl.ps24.copy()
    if y0 == 0:
        _second_year(rng, n, kind, county, signed, tl)
    complete_t, pc_day = _completion(rng, n, y0, weak, tl)
    if y0 == 0:
        tl.r25 = np.where(complete_t <= 11, 0, tl.r25)  # done in 2024: off the 2025 list
    t_out = np.where((y0 == 0) & (tl.r25 == 0), 12, N_MONTHS)
    reg.add(county=county, **a, duration=tl.duration, start_t=tl.start_t, start_day=tl.start_day,
            complete_t=complete_t, pc_day=pc_day, ps24=tl.ps24, ps25=tl.ps25, r24=tl.r24, r25=tl.r25,
            t_in=np.full(n, t_in), t_out=t_out, kind=np.full(n, kind, dtype=object))


def _list_changes(rng: np.random.Generator, p: dict[str, np.ndarray]) -> None:
    """Mid-year additions are mostly signed attraction projects; a few 储备 are taken off the list (调出)."""
    mid = (p["t_in"] % 12) == 6
    p["is_signed_attraction"] = np.where(mid & (p["category"] == "产业"), rng.random(len(mid)) < 0.8,
                                         p["is_signed_attraction"])
    drop = np.flatnonzero((p["r24"] == BT_RES) & (p["t_out"] == 12) & (p["t_in"] == 0))[:6]
    p["t_out"][drop] = 8
    drop25 = np.flatnonzero((p["r25"] == BT_RES) & (p["t_in"] == 12))[:4]
    p["t_out"][drop25] = 21


def build_registry(rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Create every project of 2024–2025 with its timeline (start, completion, yearly role) decided up front."""
    reg = _Registry()
    for n, kind, t_in in COHORTS_2024:
        _cohort(rng, reg, n, kind, t_in)
    carried = int(np.sum(np.concatenate(reg.cols["r25"]) > 0))
    _cohort(rng, reg, max(170, 820 - carried - 130), "new", 12)
    for n, kind, t_in in COHORTS_2025:
        _cohort(rng, reg, n, kind, t_in)
    p = reg.finish()
    _list_changes(rng, p)
    add_flagships(rng, p)
    add_names(rng, p)
    add_leaders(rng, p)
    add_land_and_tax(rng, p)
    add_procedures(rng, p)
    add_project_ids(rng, p)
    return p
