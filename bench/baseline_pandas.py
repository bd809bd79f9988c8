"""The benchmark workloads written independently in idiomatic pandas, from DOMAIN.md (not from metrics/).

Vectorised throughout: derived boolean/masked columns, one groupby-sum per request for the additive parts,
groupby median / nunique for the rest. Reads only the columns a request needs, dates as datetime64.
`PandasSource(paths, warm=False)` reads the parquet files on every call (cold); `warm=True` keeps each
(month, column) it has read in memory, as a dashboard with st.cache_data on its loaded frames would.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from data.schema import PROC_COLUMNS, TIERS

CONSTR = ["新开工", "续建"]
PIPE = ["储备", "前期"]
TIER_BINS = [t[1] for t in TIERS] + [np.inf]
TIER_NAMES = [t[0] for t in TIERS]

# Raw columns each indicator reads (keys, filters and the derived-column inputs are added separately).
NEEDS: dict[str, set[str]] = {
    "project_count": set(), "total_investment_sum": {"total_investment"},
    "plan_investment_sum": {"build_type", "plan_investment_year"},
    "completed_ytd_sum": {"build_type", "completed_investment_ytd"},
    "investment_completion_rate": {"build_type", "plan_investment_year", "completed_investment_ytd"},
    "time_schedule": set(),
    "schedule_deviation": {"build_type", "plan_investment_year", "completed_investment_ytd"},
    "start_rate": {"build_type", "actual_start"}, "resume_rate": {"build_type", "status"},
    "new_vs_continuing_gap": {"build_type", "plan_investment_year", "completed_investment_ytd"},
    "lagging_projects": {"build_type", "plan_investment_year", "completed_investment_ytd", "status"},
    "stopped_projects": {"status"},
    "zombie_projects": {"build_type", "status", "completed_investment_total", "project_id"},
    "funds_in_place_rate": {"build_type", "plan_investment_year", "funds_in_place_ytd"},
    "monthly_investment": {"build_type", "completed_investment_ytd", "project_id"},
    "monthly_investment_mom": {"build_type", "completed_investment_ytd", "project_id"},
    "new_starts_100m": {"total_investment", "actual_start"},
    "private_share": {"build_type", "total_investment", "investor_type"},
    "industrial_share": {"build_type", "total_investment", "category"},
    "government_share": {"build_type", "total_investment", "investor_type"},
    "emerging_share": {"build_type", "total_investment", "category", "industry_class"},
    "traditional_share": {"build_type", "total_investment", "category", "industry_class"},
    "chain_investment_share": {"build_type", "total_investment", "category", "chain"},
    "chain_coverage": {"build_type", "chain"},
    "profit_tax_rate": {"status", "annual_profit_tax", "total_investment"},
    "tax_per_mu": {"status", "annual_tax", "land_area_mu"},
    "production_rate": {"status"},
    "procedures_complete_rate": {"build_type", *PROC_COLUMNS},
    "leader_coverage": {"build_type", "level", "leader"},
    "problem_projects": {"problems"},
    "approval_to_start_days": {"actual_start", "proc_approval"},
    "stats_inclusion_rate": {"build_type", "actual_start", "in_statistics"},
    "pipeline_investment": {"build_type", "total_investment"},
    "reserve_conversion_rate": set(),  # computed from its own reads
    "signed_projects": {"is_signed_attraction"}, "signed_start_rate": {"is_signed_attraction", "actual_start"},
}
# Indicators read straight off one summed column (0 for an empty selection), and those that are one summed column over another
# (numerator, denominator[, factor on the denominator]).
SUMS = {"project_count": "project_count", "total_investment_sum": "total_investment_sum",
        "plan_investment_sum": "plan_c", "completed_ytd_sum": "ytd_c", "lagging_projects": "lagging_projects",
        "stopped_projects": "stopped_projects", "zombie_projects": "zombie_projects",
        "monthly_investment": "monthly_investment", "new_starts_100m": "new_starts_100m",
        "problem_projects": "problem_projects", "pipeline_investment": "pipeline_investment",
        "signed_projects": "signed_projects"}
RATIOS = {
    "investment_completion_rate": ("ytd_c", "plan_c"), "start_rate": ("new_started", "new_n"),
    "resume_rate": ("cont_resumed", "cont_n"), "funds_in_place_rate": ("funds_c", "plan_c"),
    "private_share": ("tot_private", "tot_c"), "industrial_share": ("tot_ind", "tot_c"),
    "government_share": ("tot_gov", "tot_c"), "emerging_share": ("tot_emerging", "tot_ind2"),
    "traditional_share": ("tot_traditional", "tot_ind2"), "chain_investment_share": ("tot_chain", "tot_ind2"),
    "profit_tax_rate": ("pt_num", "pt_den"), "tax_per_mu": ("tax_num", "tax_den"),
    "production_rate": ("producing", "finished"), "procedures_complete_rate": ("proc_done", "proc_n", 6),
    "leader_coverage": ("lead_ok", "lead_n"), "stats_inclusion_rate": ("stat_ok", "stat_n"),
    "signed_start_rate": ("signed_started", "signed_projects"),
}


def month_index(d: dt.date) -> int:
    return d.year * 12 + d.month - 1


def from_index(i: int) -> dt.date:
    return dt.date(i // 12, i % 12 + 1, 1)


class PandasSource:
    """Monthly parquet files read with pandas (pyarrow), only the requested columns."""

    def __init__(self, paths: dict[dt.date, str], warm: bool = False):
        self.paths = dict(sorted(paths.items()))
        self.months = list(self.paths)
        self.warm = warm
        self._cache: dict[tuple[dt.date, str], pd.Series] = {}

    def _read(self, m: dt.date, cols: list[str]) -> pd.DataFrame:
        return pd.read_parquet(self.paths[m], columns=cols, to_pandas_kwargs={"date_as_object": False})

    def frame(self, months, cols) -> pd.DataFrame:
        """Rows of the given stored months, with the given columns plus `mi` (month index)."""
        cols = sorted(set(cols) | {"snapshot_month"})
        months = [m for m in sorted(set(months)) if m in self.paths]
        parts = []
        for m in months:
            if self.warm:
                missing = [c for c in cols if (m, c) not in self._cache]
                if missing:
                    df = self._read(m, missing)
                    for c in missing:
                        self._cache[(m, c)] = df[c]
                parts.append(pd.DataFrame({c: self._cache[(m, c)] for c in cols}, copy=False))
            else:
                parts.append(self._read(m, cols))
        if not parts:
            return pd.DataFrame(columns=[*cols, "mi"])
        df = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0].copy()
        sm = df["snapshot_month"]
        df["mi"] = sm.dt.year * 12 + sm.dt.month - 1
        return df


def tier_of(total: pd.Series) -> pd.Series:
    return pd.cut(total, TIER_BINS, right=False, labels=TIER_NAMES)


def filter_mask(df: pd.DataFrame, filters) -> pd.Series:
    mask = pd.Series(True, index=df.index)
    if filters.county:
        mask &= df["county"].isin(filters.county)
    if filters.chain:
        mask &= df["chain"].isin(filters.chain)
    if filters.tier:
        mask &= tier_of(df["total_investment"]).isin(filters.tier)
    if filters.level:
        mask &= df["level"].isin(filters.level)
    return mask


def filter_cols(filters) -> set[str]:
    out = set()
    for name, col in (("county", "county"), ("chain", "chain"), ("tier", "total_investment"), ("level", "level")):
        if getattr(filters, name):
            out.add(col)
    return out


def _ratio(num: pd.Series, den: pd.Series) -> pd.Series:
    return num / den.where(den != 0)


def indicators(src: PandasSource, months, filters, by: str | None, ids) -> pd.DataFrame:
    """Requested indicators per month (and per `by` value); columns snapshot_month, [by], ids; NaN = null."""
    ids = list(ids)
    stored = set(src.months)
    months = sorted({m for m in months if m in stored})
    keys = ["mi"] + ([by] if by else [])
    if not months:
        return pd.DataFrame(columns=["snapshot_month", *([by] if by else []), *ids])
    need = set().union(*(NEEDS[i] for i in ids)) | filter_cols(filters) | ({by} if by else set())
    want_mom = "monthly_investment_mom" in ids
    mom_months = [from_index(month_index(m) - 1) for m in months
                  if want_mom and m.month > 1 and from_index(month_index(m) - 1) in stored]
    measured = sorted(set(months) | set(mom_months))
    d = src.frame(measured, need)
    d = d[filter_mask(d, filters)]
    need_prev = "monthly_investment" in ids or want_mom
    need_m3 = "zombie_projects" in ids
    if need_prev:
        prev = src.frame([from_index(month_index(m) - 1) for m in measured], ["project_id", "completed_investment_ytd"])
        prev = prev.assign(mi=prev["mi"] + 1).rename(columns={"completed_investment_ytd": "prev_ytd"})
        d = d.merge(prev[["project_id", "mi", "prev_ytd"]], on=["project_id", "mi"], how="left")
        d["prev_ytd"] = np.where(d["snapshot_month"].dt.month == 1, 0.0, d["prev_ytd"].fillna(0.0))
    if need_m3:
        m3 = src.frame([from_index(month_index(m) - 3) for m in months], ["project_id", "completed_investment_total"])
        m3 = m3.assign(mi=m3["mi"] + 3, m3_present=True).rename(columns={"completed_investment_total": "m3_total"})
        d = d.merge(m3[["project_id", "mi", "m3_total", "m3_present"]], on=["project_id", "mi"], how="left")
        d["m3_present"] = d["m3_present"].fillna(False).astype(bool)

    bt = d["build_type"] if "build_type" in d else None
    constr = bt.isin(CONSTR) if bt is not None else None
    month_end = d["snapshot_month"] + pd.offsets.MonthEnd(0)
    started = (d["actual_start"].notna() & (d["actual_start"] <= month_end)) if "actual_start" in d else None
    ts = d["snapshot_month"].dt.month / 12
    v: dict[str, pd.Series] = {k: d[k] for k in keys}
    z = 0.0

    def put(name, values):
        v[name] = values

    wanted = set(ids)
    if wanted & {"plan_investment_sum", "investment_completion_rate", "schedule_deviation", "funds_in_place_rate",
                 "monthly_investment_mom"}:
        put("plan_c", d["plan_investment_year"].where(constr, z))
    if wanted & {"completed_ytd_sum", "investment_completion_rate", "schedule_deviation", "monthly_investment_mom"}:
        put("ytd_c", d["completed_investment_ytd"].where(constr, z))
    if "project_count" in wanted:
        put("project_count", np.ones(len(d), np.int64))
    if "total_investment_sum" in wanted:
        put("total_investment_sum", d["total_investment"])
    if "start_rate" in wanted or "new_vs_continuing_gap" in wanted:
        new = bt == "新开工"
        if "start_rate" in wanted:
            put("new_n", new)
            put("new_started", new & started)
        if "new_vs_continuing_gap" in wanted:
            put("new_plan", d["plan_investment_year"].where(new, z))
            put("new_ytd", d["completed_investment_ytd"].where(new, z))
    if "resume_rate" in wanted or "new_vs_continuing_gap" in wanted:
        cont = bt == "续建"
        put("cont_n", cont)
        put("cont_resumed", cont & d["status"].isin(["在建", "竣工", "投产"]))
        if "new_vs_continuing_gap" in wanted:
            put("cont_plan", d["plan_investment_year"].where(cont, z))
            put("cont_ytd", d["completed_investment_ytd"].where(cont, z))
    if "lagging_projects" in wanted:
        plan = d["plan_investment_year"]
        rate = d["completed_investment_ytd"] / plan.where(plan > 0)
        put("lagging_projects", constr & (plan > 0) & ~d["status"].isin(["竣工", "投产"]) & (rate < ts - 0.10))
    if "stopped_projects" in wanted:
        put("stopped_projects", d["status"] == "停工")
    if "zombie_projects" in wanted:
        put("zombie_projects", constr & d["status"].isin(["未开工", "在建", "停工"]) & d["m3_present"]
            & (d["completed_investment_total"] <= d["m3_total"].fillna(-np.inf)))
    if "funds_in_place_rate" in wanted:
        put("funds_c", d["funds_in_place_ytd"].where(constr, z))
    if "monthly_investment" in wanted or want_mom:
        put("monthly_investment", (d["completed_investment_ytd"] - d["prev_ytd"]).where(constr, z))
    if "new_starts_100m" in wanted:
        a = d["actual_start"]
        put("new_starts_100m", (d["total_investment"] >= 10_000) & a.notna() & (a >= d["snapshot_month"])
            & (a <= month_end))
    if wanted & {"private_share", "industrial_share", "government_share"}:
        tot_c = d["total_investment"].where(constr, z)
        put("tot_c", tot_c)
        if "private_share" in wanted:
            put("tot_private", tot_c.where(d["investor_type"] == "民间投资", z))
        if "government_share" in wanted:
            put("tot_gov", tot_c.where(d["investor_type"] == "政府投资", z))
        if "industrial_share" in wanted:
            put("tot_ind", tot_c.where(d["category"] == "产业", z))
    if wanted & {"emerging_share", "traditional_share", "chain_investment_share"}:
        ind_c = d["total_investment"].where(constr & (d["category"] == "产业"), z)
        put("tot_ind2", ind_c)
        if "emerging_share" in wanted:
            put("tot_emerging", ind_c.where(d["industry_class"] == "新兴产业", z))
        if "traditional_share" in wanted:
            put("tot_traditional", ind_c.where(d["industry_class"] == "传统产业", z))
        if "chain_investment_share" in wanted:
            put("tot_chain", ind_c.where(d["chain"].notna(), z))
    if wanted & {"profit_tax_rate", "production_rate", "tax_per_mu"}:
        producing = d["status"] == "投产"
        if "profit_tax_rate" in wanted:
            put("pt_num", d["annual_profit_tax"].where(producing, z).fillna(z))
            put("pt_den", d["total_investment"].where(producing, z))
        if "tax_per_mu" in wanted:
            land_ok = producing & (d["land_area_mu"] > 0)
            put("tax_num", d["annual_tax"].where(land_ok, z).fillna(z))
            put("tax_den", d["land_area_mu"].where(land_ok, z))
        if "production_rate" in wanted:
            put("producing", producing)
            put("finished", d["status"].isin(["竣工", "投产"]))
    if "procedures_complete_rate" in wanted:
        proc_set = bt.isin(["新开工", "前期"])
        put("proc_done", d[list(PROC_COLUMNS)].notna().sum(axis=1).where(proc_set, 0))
        put("proc_n", proc_set)
    if "leader_coverage" in wanted:
        lead_set = constr & d["level"].isin(["省级", "市级"])
        put("lead_n", lead_set)
        put("lead_ok", lead_set & d["leader"].notna())
    if "problem_projects" in wanted:
        p = d["problems"]
        put("problem_projects", p.notna() & (p.str.strip() != ""))
    if "stats_inclusion_rate" in wanted:
        cs = constr & started
        put("stat_n", cs)
        put("stat_ok", cs & d["in_statistics"])
    if "pipeline_investment" in wanted:
        put("pipeline_investment", d["total_investment"].where(bt.isin(PIPE), z))
    if "signed_projects" in wanted or "signed_start_rate" in wanted:
        s = d["is_signed_attraction"]
        put("signed_projects", s)
        if "signed_start_rate" in wanted:
            put("signed_started", s & started)

    frame = pd.DataFrame(v)
    grouped = frame.groupby(keys, sort=False, dropna=False)
    sums = grouped.sum()
    main = sums.loc[sums.index.get_level_values("mi").isin([month_index(m) for m in months])] if mom_months else sums
    out = pd.DataFrame(index=main.index)
    s = main
    for iid in wanted & SUMS.keys():
        out[iid] = s[SUMS[iid]]
    for iid in wanted & RATIOS.keys():
        num, den, *times = RATIOS[iid]
        out[iid] = _ratio(s[num].astype(float), s[den].astype(float) * (times[0] if times else 1))
    if "schedule_deviation" in wanted:
        mi = main.index.get_level_values("mi")
        out["schedule_deviation"] = _ratio(s["ytd_c"], s["plan_c"]) - pd.Series((mi % 12 + 1) / 12, index=main.index)
    if "new_vs_continuing_gap" in wanted:
        out["new_vs_continuing_gap"] = _ratio(s["new_ytd"], s["new_plan"]) - _ratio(s["cont_ytd"], s["cont_plan"])
    if want_mom:
        prev_mi = sums["monthly_investment"].rename("prev").reset_index()
        prev_mi = prev_mi[prev_mi["mi"].isin([month_index(m) for m in mom_months])]
        prev_mi["mi"] += 1
        joined = main[["monthly_investment"]].reset_index().merge(prev_mi, on=keys, how="left")
        out["monthly_investment_mom"] = (_ratio(joined["monthly_investment"], joined["prev"]) - 1).to_numpy()
    if "chain_coverage" in wanted:
        sub = d[constr & d["chain"].notna()]
        n_chains = sub.groupby(keys, sort=False, dropna=False)["chain"].nunique()
        n_chains = n_chains.reindex(out.index, fill_value=0)
        everything = src.frame(months, ["chain"]).groupby("mi")["chain"].nunique()
        all_chains = pd.Series(out.index.get_level_values("mi").map(everything), index=out.index)
        out["chain_coverage"] = _ratio(n_chains.astype(float), all_chains.astype(float))
    if "approval_to_start_days" in wanted:
        a, p = d["actual_start"], d["proc_approval"]
        ok = a.notna() & p.notna() & (a.dt.year == d["snapshot_month"].dt.year)
        days = (a - p).dt.days.where(ok)
        med = pd.concat([d[keys], days.rename("days")], axis=1)[ok].groupby(keys, sort=False, dropna=False)["days"]
        out["approval_to_start_days"] = med.median().reindex(out.index).astype(float)
    if "reserve_conversion_rate" in wanted:
        rc = _reserve(src, months, filters, by)
        out = out.join(rc, how="outer")
    if by is None:  # one row per requested month even when the selection is empty
        out = out.reindex(pd.Index([month_index(m) for m in months], name="mi"))
    if "time_schedule" in wanted:
        out["time_schedule"] = (out.index.get_level_values("mi") % 12 + 1) / 12
    for iid in wanted & SUMS.keys():  # counts and sums are 0 for an empty selection
        out[iid] = out[iid].fillna(0)
    out = out.reset_index()
    out.insert(0, "snapshot_month", [from_index(int(i)) for i in out["mi"]])
    return out.drop(columns="mi")[["snapshot_month", *([by] if by else []), *ids]]


def _reserve(src: PandasSource, months, filters, by) -> pd.DataFrame:
    """储备转化率 per (month, by): base = 储备/前期 rows of the year's earliest snapshot, filtered there."""
    keys = ["mi"] + ([by] if by else [])
    parts = []
    for m in months:
        first = next((x for x in src.months if x.year == m.year), None)
        if first is None or first > m:
            continue
        base = src.frame([first], {"project_id", "build_type"} | filter_cols(filters) | ({by} if by else set()))
        base = base[base["build_type"].isin(PIPE) & filter_mask(base, filters)]
        now = src.frame([m], ["project_id", "actual_start"])
        now["conv"] = now["actual_start"].notna() & (now["actual_start"] <= now["snapshot_month"] + pd.offsets.MonthEnd(0))
        j = base.drop(columns=["mi"]).merge(now[["project_id", "conv"]], on="project_id", how="left")
        j["mi"] = month_index(m)
        j["conv"] = j["conv"].fillna(False).astype(bool)
        parts.append(j)
    if not parts:
        return pd.DataFrame(columns=keys + ["reserve_conversion_rate"]).set_index(keys)
    j = pd.concat(parts, ignore_index=True)
    g = j.groupby(keys, sort=False, dropna=False)["conv"].agg(["size", "sum"])
    return pd.DataFrame({"reserve_conversion_rate": _ratio(g["sum"].astype(float), g["size"].astype(float))})


def ranking(src: PandasSource, month: dt.date, items, warning_months: int, warning_places: int,
            filters) -> pd.DataFrame:
    """County ranking: min–max scaled scorecard, composite score, rank, rank change, 红旗/蜗牛, 约谈预警.

    `filters` must already exclude county (every county is measured with the same filters)."""
    window = [from_index(month_index(month) - k) for k in range(max(warning_months, 2))]
    ids = [i.id for i in items]
    t = indicators(src, [m for m in window if m in set(src.months)], filters, "county", ids)
    t = t[t["county"].notna()].copy()
    total_w = sum(i.weight for i in items)
    score = 0.0
    for it in items:
        v = t[it.id].astype(float)
        lo = v.groupby(t["snapshot_month"]).transform("min")
        hi = v.groupby(t["snapshot_month"]).transform("max")
        span = hi - lo
        frac = (v - lo) / span if it.direction == "higher" else (hi - v) / span
        scaled = np.where(v.isna(), 0.0, np.where(span == 0, 100.0, frac * 100.0))
        score = score + it.weight * scaled
    t["score"] = score / total_w
    r = t["score"].round(9)
    t["rank"] = r.groupby(t["snapshot_month"]).rank(method="min", ascending=False).astype("int64")
    t["rank_from_bottom"] = r.groupby(t["snapshot_month"]).rank(method="min", ascending=True).astype("int64")
    now = t[t["snapshot_month"] == month].copy()
    prev = t[t["snapshot_month"] == window[1]][["county", "rank"]].rename(columns={"rank": "prev_rank"})
    win = window[:warning_months]
    complete = all(m in set(src.months) for m in win)
    bottom = t[t["snapshot_month"].isin(win) & (t["rank_from_bottom"] <= warning_places)].groupby("county").size()
    now = now.merge(prev, on="county", how="left")
    now["rank_change"] = now["prev_rank"] - now["rank"]
    max_rank = now["rank"].max()
    now["flag"] = np.where(now["rank"] == 1, "红旗", np.where(now["rank"] == max_rank, "蜗牛", None))
    now["warning"] = complete & (now["county"].map(bottom).fillna(0) == warning_months)
    return now.sort_values(["rank", "county"])[["county", "score", "rank", "rank_change", "flag", "warning"]]
