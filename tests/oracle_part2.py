"""Independent reference for DOMAIN.md Part 2's v2 indicators, lights and problem streaks: plain Python over dicts."""
from __future__ import annotations

import calendar
import datetime as dt
import functools
import math
from fractions import Fraction

# Written from the contract text alone (no import from metrics/): a store is {snapshot month (1st): [row dict]},
# filters are {"county"|"chain"|"tier"|"level": [allowed values]} (missing or empty = all).
RED, YELLOW, GREEN = "红", "黄", "绿"
RANK = {RED: 0, YELLOW: 1, GREEN: 2}
TIER_BANDS = (("亿元以下", 10_000), ("1-5亿", 50_000), ("5-10亿", 100_000), ("10-100亿", 1_000_000),
              ("100亿以上", math.inf))


def load_frames(frames) -> dict[dt.date, list[dict]]:
    """A store from snapshot tables (anything with to_dicts(), e.g. polars frames read from parquet)."""
    store: dict[dt.date, list[dict]] = {}
    for frame in frames:
        for row in frame.to_dicts():
            store.setdefault(row["snapshot_month"], []).append(row)
    return store


@functools.lru_cache(maxsize=None)
def month_end(m: dt.date) -> dt.date:
    return dt.date(m.year, m.month, calendar.monthrange(m.year, m.month)[1])


def i(d: dt.date) -> int:
    """The contract's month index: year × 12 + month."""
    return d.year * 12 + d.month


def shift_months(m: dt.date, n: int) -> dt.date:
    k = m.year * 12 + (m.month - 1) + n
    return dt.date(k // 12, k % 12 + 1, 1)


def tier(total: float) -> str:
    return next(label for label, upper in TIER_BANDS if total < upper)


def selected(row: dict, filters: dict | None) -> bool:
    """Filters choose rows by this snapshot's own attributes; every given, non-empty filter must hold."""
    filters = filters or {}
    value = {"county": row["county"], "chain": row["chain"], "tier": tier(row["total_investment"]),
             "level": row["level"]}
    return all(value[name] in allowed for name, allowed in filters.items() if allowed)


def rows_at(store: dict, m: dt.date, filters: dict | None = None) -> list[dict]:
    return [r for r in store.get(m, []) if selected(r, filters)]


def blank(text) -> bool:
    return text is None or text.strip() == ""


def construction(row: dict) -> bool:
    return row["build_type"] in ("新开工", "续建")


def started(row: dict, m: dt.date) -> bool:
    return row["actual_start"] is not None and row["actual_start"] <= month_end(m)


@functools.lru_cache(maxsize=None)
def _exact(x: float) -> Fraction:
    """The decimal a ledger cell holds (the shortest repr of the float), exactly."""
    return Fraction(repr(float(x)))


# ---------------------------------------------------------------- lights
def _applies(row: dict) -> bool:
    return construction(row) and row["plan_investment_year"] > 0 and row["status"] not in ("竣工", "投产")


def lag(row: dict, m: dt.date) -> float | None:
    """ts − ytd ÷ plan in plain floats, as the light compares it (README: a decision the contract leaves open)."""
    if not _applies(row):
        return None
    return m.month / 12 - row["completed_investment_ytd"] / row["plan_investment_year"]


def exact_lag(row: dict, m: dt.date) -> Fraction | None:
    """The same lag in the ledger's decimals, exactly (what the reason text rounds)."""
    if not _applies(row):
        return None
    return Fraction(m.month, 12) - _exact(row["completed_investment_ytd"]) / _exact(row["plan_investment_year"])


def investment_light(row: dict, m: dt.date) -> str | None:
    x = lag(row, m)
    if x is None:
        return None
    if x > 0.30:
        return RED
    if x > 0.10:
        return YELLOW
    return GREEN


def planned_to_date(row: dict, m: dt.date) -> bool:
    return row["build_type"] == "新开工" and row["planned_start"] is not None and row["planned_start"] <= month_end(m)


def overdue(row: dict, m: dt.date) -> bool:
    return planned_to_date(row, m) and not started(row, m)


def early(row: dict, m: dt.date) -> bool:
    return (row["build_type"] == "新开工" and started(row, m) and row["planned_start"] is not None
            and row["planned_start"] > month_end(m))


def start_k(row: dict, m: dt.date) -> int | None:
    return i(m) - i(row["planned_start"]) if overdue(row, m) else None


def start_light(row: dict, m: dt.date) -> str | None:
    k = start_k(row, m)
    if k is None:
        return None
    return RED if k >= 2 else YELLOW  # k ≥ 0 because planned_start ≤ month end


def statistics_k(row: dict, m: dt.date) -> int | None:
    if construction(row) and started(row, m) and row["in_statistics"] is False:
        return i(m) - i(row["actual_start"])
    return None


def statistics_light(row: dict, m: dt.date) -> str | None:
    k = statistics_k(row, m)
    if k is None:
        return None
    return RED if k >= 2 else YELLOW if k == 1 else GREEN


def worst(*lights: str | None) -> str:
    """The worst applicable light; 绿 when none applies."""
    lit = [x for x in lights if x is not None]
    return min(lit, key=RANK.__getitem__) if lit else GREEN


def row_light(row: dict, m: dt.date) -> str:
    return worst(investment_light(row, m), start_light(row, m), statistics_light(row, m))


def reason(row: dict, m: dt.date) -> str | None:
    """The product's reason text (its format is the product's choice: see metrics/lights.py docstrings)."""
    parts = []
    inv = investment_light(row, m)
    if inv in (RED, YELLOW):
        tenths = math.floor(exact_lag(row, m) * 1000 + Fraction(1, 2))
        parts.append(f"【{inv}】投资进度低于时序进度{tenths // 10}.{tenths % 10}个百分点")
    k = start_k(row, m)
    if k is not None:
        when = "本月未开工" if k == 0 else f"逾期{k}个月未开工"
        parts.append(f"【{start_light(row, m)}】计划{row['planned_start']:%Y-%m}开工，{when}")
    k = statistics_k(row, m)
    if k is not None and k >= 1:
        parts.append(f"【{statistics_light(row, m)}】开工{k}个月未入统")
    return "；".join(parts) or None


# ---------------------------------------------------------------- problem streak
def by_id(store: dict) -> dict[dt.date, dict[str, dict]]:
    """{month: {project_id: row}} of the whole store (unfiltered)."""
    return {m: {r["project_id"]: r for r in rows} for m, rows in store.items()}


def streak(index: dict, m: dt.date, row: dict) -> int | None:
    """Consecutive months ending at m with this project_id's problems non-blank; earlier months unfiltered."""
    if blank(row["problems"]):
        return None
    n, month = 1, shift_months(m, -1)
    while not blank(index.get(month, {}).get(row["project_id"], {}).get("problems")):
        n, month = n + 1, shift_months(month, -1)
    return n


# ---------------------------------------------------------------- per row and indicators
def row_results(store: dict, m: dt.date, filters: dict | None = None, index: dict | None = None) -> dict[str, dict]:
    """{project_id: everything the product shows per row} over the filtered rows of month m (index: by_id(store))."""
    index = by_id(store) if index is None else index
    out = {}
    for r in rows_at(store, m, filters):
        lights = {"investment": investment_light(r, m), "start": start_light(r, m),
                  "statistics": statistics_light(r, m)}
        out[r["project_id"]] = {
            "light": worst(*lights.values()), **lights, "reason": reason(r, m) if worst(*lights.values()) != GREEN
            else None, "streak": streak(index, m, r), "planned_to_date": planned_to_date(r, m),
            "overdue": overdue(r, m), "early": early(r, m)}
    return out


def completed_ytd_sum(store: dict, m: dt.date, filters: dict | None) -> float:
    return sum(r["completed_investment_ytd"] for r in rows_at(store, m, filters) if construction(r))


def completed_ytd_yoy(store: dict, m: dt.date, filters: dict | None = None) -> float | None:
    earlier = dt.date(m.year - 1, m.month, 1)
    if m not in store or earlier not in store:
        return None
    before = completed_ytd_sum(store, earlier, filters)
    if before == 0:
        return None
    return completed_ytd_sum(store, m, filters) / before - 1


def indicators(store: dict, m: dt.date, filters: dict | None = None, index: dict | None = None) -> dict:
    """The seven Part 2 indicators for month m (index: by_id(store), to reuse across calls)."""
    res = row_results(store, m, filters, index).values()
    return {
        "completed_ytd_yoy": completed_ytd_yoy(store, m, filters),
        "planned_starts_to_date": sum(x["planned_to_date"] for x in res),
        "overdue_not_started": sum(x["overdue"] for x in res),
        "early_starts": sum(x["early"] for x in res),
        "red_projects": sum(x["light"] == RED for x in res),
        "yellow_projects": sum(x["light"] == YELLOW for x in res),
        "long_standing_problems": sum(x["streak"] is not None and x["streak"] >= 3 for x in res),
    }
