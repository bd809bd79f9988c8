"""十张清单: watch lists of projects an analyst prints, a project's history, and the gap to target per county."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from data.months import to_month
from data.schema import FULL_SCHEMA, PROC_COLUMNS, ZH
from metrics import lights as L
from metrics.dataset import Dataset
from metrics.engine import compute
from metrics.filters import Filters
from metrics.rowsets import (COMPLETION_RATE, CONSTR, CONTINUING, HAS_PROBLEM, LAGGING, LEADER_SET, MONTH, NEW,
                             PROC_SET, RESUMED, STARTED, ZOMBIE, prepare_rows, schedule)

C = pl.col

BASE_COLUMNS = ("project_id", "project_name", "county", "chain", "level", "build_type", "status", "total_investment",
                "plan_investment_year", "completed_investment_ytd")
EXTRA_ZH = {"completion_rate": "投资完成率", "time_schedule": "时序进度", "deviation": "进度偏差",
            "total_3m_ago": "3个月前开工累计完成投资", "days_overdue": "逾期天数", "procedures_missing": "未办结手续",
            "month": "报送月份", "light": "预警灯", "light_reason": "预警原因", "problem_months": "问题持续月数"}
PROC_ZH = {"proc_approval": "立项", "proc_land": "用地", "proc_planning": "规划", "proc_eia": "环评",
           "proc_energy": "能评", "proc_construction_permit": "施工许可"}


@dataclass(frozen=True, kw_only=True)
class WatchList:
    """One list: id, names, the rule in words, the row condition and the columns an analyst checks."""

    id: str
    zh: str
    en: str
    caliber: str
    condition: Callable[[], pl.Expr]
    columns: tuple[str, ...]
    indicator: str | None = None  # the registry indicator this list itemises, if any
    first: tuple[str, ...] = ()  # sorted on these, largest first, before county and total investment


_MISSING_PROCS = pl.concat_str(
    [pl.when(C(p).is_null()).then(pl.lit(PROC_ZH[p])) for p in PROC_COLUMNS], separator="、", ignore_nulls=True)
DERIVED = {
    "completion_rate": COMPLETION_RATE,
    "time_schedule": C("_ts"),
    "deviation": COMPLETION_RATE - C("_ts"),
    "total_3m_ago": C("_m3_total"),
    "days_overdue": (C("_month_end") - C("planned_start")).dt.total_days(),
    "procedures_missing": _MISSING_PROCS,
    "light": L.row_light(),
    "light_reason": L.light_reason(),
    "problem_months": C("_problem_streak"),
}

WATCH_LISTS: tuple[WatchList, ...] = (
    WatchList(id="lagging", zh="滞后项目清单", en="Lagging projects",
              caliber="建设项目，年度计划>0、未竣工未投产，完成率低于时序进度10个百分点以上。",
              condition=lambda: LAGGING,
              columns=("completion_rate", "time_schedule", "deviation", "leader", "problems"),
              indicator="lagging_projects"),
    WatchList(id="zombie", zh="僵尸项目清单", en="Zombie projects",
              caliber="建设项目，未开工/在建/停工，开工累计完成投资3个月未增加。",
              condition=lambda: ZOMBIE,
              columns=("completed_investment_total", "total_3m_ago", "leader", "problems"),
              indicator="zombie_projects"),
    WatchList(id="stopped", zh="停工项目清单", en="Stopped projects",
              caliber="建设状态为停工。",
              condition=lambda: C("status") == "停工",
              columns=("leader", "problems"), indicator="stopped_projects"),
    WatchList(id="overdue_start", zh="逾期未开工清单", en="New starts overdue",
              caliber="新开工项目，截至报送月末已过计划开工时间仍未开工。",
              condition=lambda: (NEW & ~STARTED & C("planned_start").is_not_null()
                                 & (C("planned_start") < C("_month_end"))),
              columns=("planned_start", "days_overdue", "leader", "problems"), indicator="start_rate"),
    WatchList(id="procedures_outstanding", zh="手续未办结清单", en="Procedures outstanding",
              caliber="新开工、前期项目中六项前期手续尚有未办结的。",
              condition=lambda: PROC_SET & pl.any_horizontal([C(p).is_null() for p in PROC_COLUMNS]),
              columns=("procedures_missing", "planned_start", "leader"), indicator="procedures_complete_rate"),
    WatchList(id="signed_not_started", zh="签约未开工清单", en="Signed but not started",
              caliber="招商引资签约项目尚未开工。",
              condition=lambda: C("is_signed_attraction") & ~STARTED,
              columns=("planned_start", "investor_type", "leader", "problems"), indicator="signed_start_rate"),
    WatchList(id="problems", zh="问题项目清单", en="Problems reported",
              caliber="“存在问题”非空的项目；问题持续月数为连续报告该问题的月数（库中缺月即中断），持续最久的在前。",
              condition=lambda: HAS_PROBLEM,
              columns=("problem_months", "problems", "leader"), indicator="problem_projects",
              first=("problem_months",)),
    WatchList(id="not_in_statistics", zh="未入统清单", en="Not in statistics",
              caliber="已开工建设项目尚未入统。",
              condition=lambda: CONSTR & STARTED & ~C("in_statistics"),
              columns=("actual_start", "leader"), indicator="stats_inclusion_rate"),
    WatchList(id="leader_missing", zh="未落实包抓领导清单", en="Leader missing",
              caliber="省级、市级建设项目未落实包抓领导。",
              condition=lambda: LEADER_SET & C("leader").is_null(),
              columns=("problems",), indicator="leader_coverage"),
    WatchList(id="not_resumed", zh="续建未复工清单", en="Continuing not resumed",
              caliber="续建项目建设状态不是在建、竣工或投产。",
              condition=lambda: CONTINUING & ~RESUMED,
              columns=("leader", "problems"), indicator="resume_rate"),
    WatchList(id="red_light", zh="红灯项目清单", en="Red-light projects",
              caliber="三色预警为红灯的项目（投资滞后时序进度30个百分点以上，或逾期2个月以上未开工，或开工2个月以上"
                      "未入统），预警原因列出亮灯的每条规则。",
              condition=lambda: L.row_light() == L.RED,
              columns=("light_reason", "completion_rate", "time_schedule", "leader"), indicator="red_projects"),
    WatchList(id="yellow_light", zh="黄灯项目清单", en="Yellow-light projects",
              caliber="三色预警为黄灯的项目（无红灯；投资滞后时序进度10–30个百分点，或计划开工当月或上月到期未开工，"
                      "或开工次月未入统），预警原因列出亮灯的每条规则。",
              condition=lambda: L.row_light() == L.YELLOW,
              columns=("light_reason", "completion_rate", "time_schedule", "leader"), indicator="yellow_projects"),
)
LIST_BY_ID = {w.id: w for w in WATCH_LISTS}


def find_list(name: str) -> WatchList:
    """A list by id or Chinese name, with a Chinese error naming the choices."""
    for w in WATCH_LISTS:
        if name in (w.id, w.zh, w.zh.removesuffix("清单")):
            return w
    choices = "、".join(f"{w.id}（{w.zh}）" for w in WATCH_LISTS)
    raise KeyError(f"没有清单“{name}”。可选：{choices}")


def _rows(ds: Dataset, m: dt.date, filters: Filters, exprs: list[pl.Expr]) -> pl.LazyFrame:
    """Month m's prepared rows under the filters, holding every column the expressions read."""
    where = filters.expr(tier_col="_tier")
    cols = {name for e in [*exprs, where] for name in e.meta.root_names()}
    return ds.rows([m], cols).filter(where)


def watch_list(ds: Dataset, month: dt.date | str, name: str, filters: Filters = Filters()) -> pl.DataFrame:
    """One list's projects for a month, English column names; by county, largest first, then code (a fixed order)."""
    w = find_list(name)
    m = to_month(month)
    cols = list(dict.fromkeys(BASE_COLUMNS + w.columns))
    exprs = [DERIVED[c].alias(c) if c in DERIVED else C(c) for c in cols]
    order = [*w.first, "county", "total_investment", "project_id"]
    return (_rows(ds, m, filters, [w.condition(), *exprs]).filter(w.condition().fill_null(False)).select(exprs)
            .sort(order, descending=[*(True for _ in w.first), False, True, False], nulls_last=True).collect())


def list_counts(ds: Dataset, month: dt.date | str, filters: Filters = Filters()) -> dict[str, int]:
    """How many projects each list holds this month, in one pass."""
    m = to_month(month)
    counts = [w.condition().fill_null(False).sum().cast(pl.Int64).alias(w.id) for w in WATCH_LISTS]
    row = _rows(ds, m, filters, counts).select(counts).collect()
    return {w.id: int(row.get_column(w.id)[0] or 0) for w in WATCH_LISTS}


def column_labels(columns) -> dict[str, str]:
    """Chinese headers for list/history columns."""
    return {c: ZH.get(c, EXTRA_ZH.get(c, c)) for c in columns}


ROW_LIGHTS = ("light", "light_reason", "problem_months")  # what a project table adds to the ledger's columns


def projects(ds: Dataset, month: dt.date | str, filters: Filters = Filters()) -> pl.DataFrame:
    """The month's selected projects: every ledger column, its light (红/黄/绿), which rules lit it, and for how
    many months its problem has been reported."""
    exprs = [C(c) for c in FULL_SCHEMA] + [DERIVED[c].alias(c) for c in ROW_LIGHTS]  # the text columns too
    return _rows(ds, to_month(month), filters, exprs).select(exprs).collect()


def project_history(ds: Dataset, project_id: str) -> pl.DataFrame:
    """Every snapshot of one project, oldest first, each month with its light, the light's reason and how long its
    problem has lasted (what an analyst reads before a site visit)."""
    # The project's own rows are all its lookbacks and its problem streak read (both go by project_id, and a
    # month it is absent from ends a streak as a month missing from the store does).
    rows = prepare_rows(ds.scan(ds.months).filter(C("project_id") == project_id))
    # 形象进度 month by month is what leaders read: every text column rides along (null where a month has none).
    return rows.select(*(C(c) for c in FULL_SCHEMA), *(DERIVED[c].alias(c) for c in ROW_LIGHTS)).sort(MONTH).collect()


def gap_to_target(ds: Dataset, month: dt.date | str, filters: Filters = Filters()) -> pl.DataFrame:
    """Per county: 万元 a month needed to reach the annual plan by December, and to be on 时序进度 next month."""
    m = to_month(month)
    df = compute(ds, [m], filters, "county", ["plan_investment_sum", "completed_ytd_sum",
                                              "investment_completion_rate", "time_schedule"])
    left = 12 - m.month
    shortfall = (C("plan_investment_sum") - C("completed_ytd_sum")).clip(lower_bound=0)
    return df.select(
        "county", "plan_investment_sum", "completed_ytd_sum", "investment_completion_rate", "time_schedule",
        shortfall.alias("shortfall"),
        pl.lit(left, pl.Int64).alias("months_left"),
        (shortfall / left if left else pl.lit(None, pl.Float64)).alias("monthly_needed"),
        (C("plan_investment_sum") * schedule(m.month + 1) - C("completed_ytd_sum")).clip(lower_bound=0).alias(
            "next_month_needed") if left else pl.lit(None, pl.Float64).alias("next_month_needed"),
    ).sort("county")


GAP_MONEY = ("plan_investment_sum", "completed_ytd_sum", "shortfall", "monthly_needed", "next_month_needed")
GAP_NAMES = {"county": "县区", "plan_investment_sum": "年度计划投资", "completed_ytd_sum": "本年完成投资",
             "investment_completion_rate": "投资完成率", "time_schedule": "时序进度", "shortfall": "距年度计划差额",
             "months_left": "剩余月数", "monthly_needed": "此后每月需完成", "next_month_needed": "下月需完成以回到时序进度"}


def gap_headers(unit: str = "万元") -> dict[str, str]:
    """The gap table's Chinese headers, its amounts in `unit` (the table's one unit: metrics.format.money_column;
    '' for none)."""
    return {c: f"{n}({unit})" if c in GAP_MONEY and unit else n for c, n in GAP_NAMES.items()}


GAP_ZH = gap_headers()
