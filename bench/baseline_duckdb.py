"""The benchmark workloads written independently in DuckDB SQL, from DOMAIN.md (not from metrics/).

One SQL statement per request: CTEs for the current rows (filtered), last month's ytd and the snapshot three
months back (LEFT JOINs on project_id + month index), one GROUP BY with FILTER aggregates, then the ratios.
`DuckSource(paths, warm=False)` queries read_parquet([...]) of exactly the months a CTE needs (DuckDB pushes
projections and filters into the files); `warm=True` first loads every month into an in-memory table `snap`
on a persistent connection, the fastest way to run repeated queries in DuckDB.
"""
from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from data.schema import PROC_COLUMNS, TIERS

MI = "(year(snapshot_month) * 12 + month(snapshot_month) - 1)"
EMPTY_ZERO = {"project_count", "total_investment_sum", "plan_investment_sum", "completed_ytd_sum", "lagging_projects",
              "stopped_projects", "zombie_projects", "monthly_investment", "new_starts_100m", "problem_projects",
              "pipeline_investment", "signed_projects"}
CONSTR = "build_type IN ('新开工', '续建')"
PRODUCING = "status = '投产'"
IND_C = f"({CONSTR} AND category = '产业')"
PROC_SET = "build_type IN ('新开工', '前期')"
LEAD_SET = f"({CONSTR} AND level IN ('省级', '市级'))"
WHITESPACE = "' ' || chr(9) || chr(10) || chr(13) || chr(12288)"

# Aggregates over the prepared rows r (alias → SQL); each indicator names the aggregates it needs.
AGG = {
    "n": "count(*)",
    "tot": "sum(total_investment)",
    "plan_c": f"coalesce(sum(plan_investment_year) FILTER (WHERE {CONSTR}), 0)",
    "ytd_c": f"coalesce(sum(completed_investment_ytd) FILTER (WHERE {CONSTR}), 0)",
    "funds_c": f"coalesce(sum(funds_in_place_ytd) FILTER (WHERE {CONSTR}), 0)",
    "new_n": "count(*) FILTER (WHERE build_type = '新开工')",
    "new_started": "count(*) FILTER (WHERE build_type = '新开工' AND started)",
    "new_plan": "coalesce(sum(plan_investment_year) FILTER (WHERE build_type = '新开工'), 0)",
    "new_ytd": "coalesce(sum(completed_investment_ytd) FILTER (WHERE build_type = '新开工'), 0)",
    "cont_n": "count(*) FILTER (WHERE build_type = '续建')",
    "cont_resumed": "count(*) FILTER (WHERE build_type = '续建' AND status IN ('在建', '竣工', '投产'))",
    "cont_plan": "coalesce(sum(plan_investment_year) FILTER (WHERE build_type = '续建'), 0)",
    "cont_ytd": "coalesce(sum(completed_investment_ytd) FILTER (WHERE build_type = '续建'), 0)",
    "lagging": (f"count(*) FILTER (WHERE {CONSTR} AND plan_investment_year > 0 AND status NOT IN ('竣工', '投产') "
                "AND completed_investment_ytd / plan_investment_year < month(snapshot_month) / 12.0 - 0.10)"),
    "stopped": "count(*) FILTER (WHERE status = '停工')",
    "zombie": (f"count(*) FILTER (WHERE {CONSTR} AND status IN ('未开工', '在建', '停工') AND m3_present "
               "AND completed_investment_total <= m3_total)"),
    "mi_sum": f"coalesce(sum(completed_investment_ytd - prev_ytd) FILTER (WHERE {CONSTR}), 0)",
    "starts_100m": ("count(*) FILTER (WHERE total_investment >= 10000 AND actual_start IS NOT NULL "
                    "AND actual_start >= snapshot_month AND actual_start <= last_day(snapshot_month))"),
    "tot_c": f"coalesce(sum(total_investment) FILTER (WHERE {CONSTR}), 0)",
    "tot_private": f"coalesce(sum(total_investment) FILTER (WHERE {CONSTR} AND investor_type = '民间投资'), 0)",
    "tot_gov": f"coalesce(sum(total_investment) FILTER (WHERE {CONSTR} AND investor_type = '政府投资'), 0)",
    "tot_ind": f"coalesce(sum(total_investment) FILTER (WHERE {IND_C}), 0)",
    "tot_emerging": f"coalesce(sum(total_investment) FILTER (WHERE {IND_C} AND industry_class = '新兴产业'), 0)",
    "tot_traditional": f"coalesce(sum(total_investment) FILTER (WHERE {IND_C} AND industry_class = '传统产业'), 0)",
    "tot_chain": f"coalesce(sum(total_investment) FILTER (WHERE {IND_C} AND chain IS NOT NULL), 0)",
    "chains": f"count(DISTINCT chain) FILTER (WHERE {CONSTR} AND chain IS NOT NULL)",
    "pt_num": f"coalesce(sum(annual_profit_tax) FILTER (WHERE {PRODUCING}), 0)",
    "pt_den": f"coalesce(sum(total_investment) FILTER (WHERE {PRODUCING}), 0)",
    "tax_num": f"coalesce(sum(annual_tax) FILTER (WHERE {PRODUCING} AND land_area_mu > 0), 0)",
    "tax_den": f"coalesce(sum(land_area_mu) FILTER (WHERE {PRODUCING} AND land_area_mu > 0), 0)",
    "producing": f"count(*) FILTER (WHERE {PRODUCING})",
    "finished": "count(*) FILTER (WHERE status IN ('竣工', '投产'))",
    "proc_done": (f"coalesce(sum({' + '.join(f'({c} IS NOT NULL)::INT' for c in PROC_COLUMNS)}) "
                  f"FILTER (WHERE {PROC_SET}), 0)"),
    "proc_n": f"count(*) FILTER (WHERE {PROC_SET})",
    "lead_n": f"count(*) FILTER (WHERE {LEAD_SET})",
    "lead_ok": f"count(*) FILTER (WHERE {LEAD_SET} AND leader IS NOT NULL)",
    "problem_n": f"count(*) FILTER (WHERE problems IS NOT NULL AND trim(problems, {WHITESPACE}) <> '')",
    "days": ("median(date_diff('day', proc_approval, actual_start)) FILTER (WHERE actual_start IS NOT NULL "
             "AND proc_approval IS NOT NULL AND year(actual_start) = year(snapshot_month))"),
    "stat_n": f"count(*) FILTER (WHERE {CONSTR} AND started)",
    "stat_ok": f"count(*) FILTER (WHERE {CONSTR} AND started AND in_statistics)",
    "pipe": "coalesce(sum(total_investment) FILTER (WHERE build_type IN ('储备', '前期')), 0)",
    "signed": "count(*) FILTER (WHERE is_signed_attraction)",
    "signed_started": "count(*) FILTER (WHERE is_signed_attraction AND started)",
}


def _r(num: str, den: str) -> str:
    return f"({num})::DOUBLE / nullif({den}, 0)"


# Indicator → (aggregates needed, SQL over the aggregates of g; `ts` is the time schedule).
OUT = {
    "project_count": (["n"], "n"),
    "total_investment_sum": (["tot"], "tot"),
    "plan_investment_sum": (["plan_c"], "plan_c"),
    "completed_ytd_sum": (["ytd_c"], "ytd_c"),
    "investment_completion_rate": (["ytd_c", "plan_c"], _r("ytd_c", "plan_c")),
    "time_schedule": ([], "ts"),
    "schedule_deviation": (["ytd_c", "plan_c"], f"{_r('ytd_c', 'plan_c')} - ts"),
    "start_rate": (["new_started", "new_n"], _r("new_started", "new_n")),
    "resume_rate": (["cont_resumed", "cont_n"], _r("cont_resumed", "cont_n")),
    "new_vs_continuing_gap": (["new_ytd", "new_plan", "cont_ytd", "cont_plan"],
                              f"{_r('new_ytd', 'new_plan')} - {_r('cont_ytd', 'cont_plan')}"),
    "lagging_projects": (["lagging"], "lagging"),
    "stopped_projects": (["stopped"], "stopped"),
    "zombie_projects": (["zombie"], "zombie"),
    "funds_in_place_rate": (["funds_c", "plan_c"], _r("funds_c", "plan_c")),
    "monthly_investment": (["mi_sum"], "mi_sum"),
    "monthly_investment_mom": (["mi_sum"], f"{_r('mi_sum', 'prev_mi_sum')} - 1"),
    "new_starts_100m": (["starts_100m"], "starts_100m"),
    "private_share": (["tot_private", "tot_c"], _r("tot_private", "tot_c")),
    "industrial_share": (["tot_ind", "tot_c"], _r("tot_ind", "tot_c")),
    "government_share": (["tot_gov", "tot_c"], _r("tot_gov", "tot_c")),
    "emerging_share": (["tot_emerging", "tot_ind"], _r("tot_emerging", "tot_ind")),
    "traditional_share": (["tot_traditional", "tot_ind"], _r("tot_traditional", "tot_ind")),
    "chain_investment_share": (["tot_chain", "tot_ind"], _r("tot_chain", "tot_ind")),
    "chain_coverage": (["chains"], _r("chains", "all_chains")),
    "profit_tax_rate": (["pt_num", "pt_den"], _r("pt_num", "pt_den")),
    "tax_per_mu": (["tax_num", "tax_den"], _r("tax_num", "tax_den")),
    "production_rate": (["producing", "finished"], _r("producing", "finished")),
    "procedures_complete_rate": (["proc_done", "proc_n"], _r("proc_done", "proc_n * 6")),
    "leader_coverage": (["lead_ok", "lead_n"], _r("lead_ok", "lead_n")),
    "problem_projects": (["problem_n"], "problem_n"),
    "approval_to_start_days": (["days"], "days::DOUBLE"),
    "stats_inclusion_rate": (["stat_ok", "stat_n"], _r("stat_ok", "stat_n")),
    "pipeline_investment": (["pipe"], "pipe"),
    "reserve_conversion_rate": ([], _r("conv", "n_base")),
    "signed_projects": (["signed"], "signed"),
    "signed_start_rate": (["signed_started", "signed"], _r("signed_started", "signed")),
}


def month_index(d: dt.date) -> int:
    return d.year * 12 + d.month - 1


def from_index(i: int) -> dt.date:
    return dt.date(i // 12, i % 12 + 1, 1)


def _lit(values) -> str:
    return ", ".join("'" + str(v).replace("'", "''") + "'" for v in values)


def tier_sql(col: str = "total_investment") -> str:
    whens = " ".join(f"WHEN {col} < {hi} THEN '{label}'" for label, _, hi in TIERS[:-1])
    return f"(CASE {whens} ELSE '{TIERS[-1][0]}' END)"


def filter_sql(filters) -> str:
    conds = ["TRUE"]
    if filters.county:
        conds.append(f"county IN ({_lit(filters.county)})")
    if filters.chain:
        conds.append(f"chain IN ({_lit(filters.chain)})")
    if filters.tier:
        conds.append(f"{tier_sql()} IN ({_lit(filters.tier)})")
    if filters.level:
        conds.append(f"level IN ({_lit(filters.level)})")
    return " AND ".join(conds)


class DuckSource:
    """Monthly parquet files queried by DuckDB: straight from the files (cold) or from an in-memory table (warm)."""

    def __init__(self, paths: dict[dt.date, str], warm: bool = False):
        self.paths = dict(sorted(paths.items()))
        self.months = list(self.paths)
        self.warm = warm
        self.con = duckdb.connect()
        if warm:
            files = ", ".join(f"'{p}'" for p in self.paths.values())
            self.con.execute(f"CREATE TABLE snap AS SELECT * FROM read_parquet([{files}])")

    def src(self, months) -> str:
        months = [m for m in sorted(set(months)) if m in self.paths]
        if not months:  # no such month stored: an empty relation with the right columns
            table = "snap" if self.warm else f"read_parquet(['{self.paths[self.months[0]]}'])"
            return f"(SELECT * FROM {table} WHERE FALSE)"
        if self.warm:
            return f"(SELECT * FROM snap WHERE snapshot_month IN ({', '.join(f'DATE {str(m)!r}' for m in months)}))"
        return f"read_parquet([{', '.join(repr(str(self.paths[m])) for m in months)}])"

    def query(self, sql: str) -> pd.DataFrame:
        return self.con.execute(sql).df()

    def close(self):
        self.con.close()


def indicators_sql(src: DuckSource, months, filters, by: str | None, ids) -> str | None:
    ids = list(ids)
    stored = set(src.months)
    months = sorted({m for m in months if m in stored})
    if not months:
        return None
    want = set(ids)
    want_mom = "monthly_investment_mom" in want
    mom_months = [from_index(month_index(m) - 1) for m in months
                  if want_mom and m.month > 1 and from_index(month_index(m) - 1) in stored]
    measured = sorted(set(months) | set(mom_months))
    keys = ["mi"] + ([by] if by else [])
    kcols = ", ".join(keys)
    need_prev = "monthly_investment" in want or want_mom
    need_m3 = "zombie_projects" in want
    aggs = dict.fromkeys(a for i in ids for a in OUT[i][0])
    ctes = [f"cur AS (SELECT *, {MI} AS mi FROM {src.src(measured)} WHERE {filter_sql(filters)})"]
    joins = ""
    extra = []
    if need_prev:
        ctes.append(f"prev AS (SELECT project_id, {MI} + 1 AS mi, completed_investment_ytd AS p_ytd "
                    f"FROM {src.src([from_index(month_index(m) - 1) for m in measured])})")
        joins += " LEFT JOIN prev USING (project_id, mi)"
        extra.append("CASE WHEN month(snapshot_month) = 1 THEN 0.0 ELSE coalesce(prev.p_ytd, 0.0) END AS prev_ytd")
    if need_m3:
        ctes.append(f"m3 AS (SELECT project_id, {MI} + 3 AS mi, completed_investment_total AS m3_total, "
                    f"TRUE AS m3_here FROM {src.src([from_index(month_index(m) - 3) for m in months])})")
        joins += " LEFT JOIN m3 USING (project_id, mi)"
        extra.append("coalesce(m3.m3_here, FALSE) AS m3_present, m3.m3_total")
    extra.append("(actual_start IS NOT NULL AND actual_start <= last_day(snapshot_month)) AS started")
    ctes.append(f"r AS (SELECT cur.*, {', '.join(extra)} FROM cur{joins})")
    agg_sql = ", ".join(f"{AGG[a]} AS {a}" for a in aggs)
    ctes.append(f"g AS (SELECT {kcols}{', ' + agg_sql if agg_sql else ''} FROM r GROUP BY {kcols})")
    month_list = ", ".join(f"({month_index(m)})" for m in months)
    ctes.append(f"ms(mi) AS (VALUES {month_list})")
    from_sql = "g"
    if want_mom:  # last month's 当月完成投资 of the same group; none in January
        ctes.append(f"gp AS (SELECT mi + 1 AS mi{', ' + by if by else ''}, mi_sum AS prev_mi_sum FROM g "
                    "WHERE mi % 12 <> 11)")
        from_sql += f" LEFT JOIN gp USING ({kcols})"
    if "chain_coverage" in want:
        ctes.append(f"ca AS (SELECT {MI} AS mi, count(DISTINCT chain) AS all_chains FROM {src.src(months)} GROUP BY 1)")
        from_sql += " LEFT JOIN ca USING (mi)"
    cols = "".join(f", {OUT[i][1]} AS {i}" for i in ids if i != "reserve_conversion_rate")
    ctes.append(f"main AS (SELECT {kcols}{cols} FROM (SELECT *, (mi % 12 + 1) / 12.0 AS ts FROM {from_sql}) "
                "WHERE mi IN (SELECT mi FROM ms))")
    body = "main"
    if "reserve_conversion_rate" in want:
        pairs = []
        for m in months:
            first = next((x for x in src.months if x.year == m.year), None)
            if first is not None and first <= m:
                pairs.append((month_index(m), first))
        if pairs:
            link = ", ".join(f"({mi}, {month_index(f)})" for mi, f in pairs)
            firsts = sorted({f for _, f in pairs})
            bcols = f", b.{by}" if by else ""
            ctes.append(f"link(mi, bmi) AS (VALUES {link})")
            ctes.append(f"base AS (SELECT *, {MI} AS bmi FROM {src.src(firsts)} "
                        f"WHERE build_type IN ('储备', '前期') AND {filter_sql(filters)})")
            ctes.append(f"nowr AS (SELECT project_id, {MI} AS mi, (actual_start IS NOT NULL AND actual_start <= "
                        f"last_day(snapshot_month)) AS conv FROM {src.src([from_index(mi) for mi, _ in pairs])})")
            ctes.append(f"rc AS (SELECT link.mi{bcols}, count(*) AS n_base, count(*) FILTER (WHERE nowr.conv) AS conv "
                        f"FROM link JOIN base b ON b.bmi = link.bmi "
                        f"LEFT JOIN nowr ON nowr.project_id = b.project_id AND nowr.mi = link.mi "
                        f"GROUP BY link.mi{bcols})")
        else:
            ctes.append(f"rc AS (SELECT NULL::BIGINT AS mi{', NULL::VARCHAR AS ' + by if by else ''}, "
                        "0 AS n_base, 0 AS conv WHERE FALSE)")
        body = f"main FULL OUTER JOIN rc USING ({kcols})"
    if by is None:
        body = f"ms LEFT JOIN ({'SELECT * FROM ' + body}) AS x USING (mi)"
    sel = []
    for i in ids:
        if i == "reserve_conversion_rate":
            sel.append(f"{OUT[i][1]} AS {i}")
        elif i == "time_schedule":  # also for a month whose selection is empty
            sel.append(f"(mi % 12 + 1) / 12.0 AS {i}")
        elif i in EMPTY_ZERO:
            sel.append(f"coalesce({i}, 0) AS {i}")
        else:
            sel.append(i)
    return (f"WITH {', '.join(ctes)} SELECT mi{', ' + by if by else ''}, {', '.join(sel)} FROM {body} "
            f"ORDER BY {kcols}")


def indicators(src: DuckSource, months, filters, by: str | None, ids) -> pd.DataFrame:
    """Requested indicators per month (and per `by` value); columns snapshot_month, [by], ids; NaN/None = null."""
    sql = indicators_sql(src, months, filters, by, ids)
    if sql is None:
        return pd.DataFrame(columns=["snapshot_month", *([by] if by else []), *ids])
    df = src.query(sql)
    df.insert(0, "snapshot_month", [from_index(int(i)) for i in df["mi"]])
    return df.drop(columns="mi")


def ranking(src: DuckSource, month: dt.date, items, warning_months: int, warning_places: int,
            filters) -> pd.DataFrame:
    """County ranking in SQL: window min/max scaling, composite score, RANK(), rank change, flags, 约谈预警."""
    window = [from_index(month_index(month) - k) for k in range(max(warning_months, 2))]
    ids = [i.id for i in items]
    inner = indicators_sql(src, [m for m in window if m in set(src.months)], filters, "county", ids)
    if inner is None:
        return pd.DataFrame(columns=["county", "score", "rank", "rank_change", "flag", "warning"])
    total_w = sum(i.weight for i in items)
    scaled = []
    for it in items:
        v = it.id
        lo, hi = f"min({v}) OVER w", f"max({v}) OVER w"
        frac = f"({v} - {lo}) / ({hi} - {lo})" if it.direction == "higher" else f"({hi} - {v}) / ({hi} - {lo})"
        scaled.append(f"{it.weight} * (CASE WHEN {v} IS NULL THEN 0.0 WHEN {hi} = {lo} THEN 100.0 "
                      f"ELSE {frac} * 100.0 END)")
    win = [month_index(m) for m in window[:warning_months]]
    complete = "TRUE" if all(m in set(src.months) for m in window[:warning_months]) else "FALSE"
    m = month_index(month)
    sql = f"""
    WITH t AS ({inner}),
    s AS (SELECT mi, county, ({' + '.join(scaled)}) / {total_w} AS score FROM t WHERE county IS NOT NULL
          WINDOW w AS (PARTITION BY mi)),
    rk AS (SELECT *, rank() OVER (PARTITION BY mi ORDER BY round(score, 9) DESC) AS rank,
                  rank() OVER (PARTITION BY mi ORDER BY round(score, 9) ASC) AS rank_from_bottom FROM s),
    bottom AS (SELECT county, count(*) AS k FROM rk
               WHERE mi IN ({', '.join(map(str, win))}) AND rank_from_bottom <= {warning_places} GROUP BY county)
    SELECT n.county, n.score, n.rank, p.rank - n.rank AS rank_change,
           CASE WHEN n.rank = 1 THEN '红旗' WHEN n.rank = max(n.rank) OVER () THEN '蜗牛' END AS flag,
           {complete} AND coalesce(bottom.k, 0) = {warning_months} AS warning
    FROM rk n LEFT JOIN rk p ON p.county = n.county AND p.mi = n.mi - 1
    LEFT JOIN bottom ON bottom.county = n.county
    WHERE n.mi = {m} ORDER BY n.rank, n.county"""
    return src.query(sql)
