"""十张清单: the watch lists of projects an analyst prints, each declared once (rule in words, row condition, columns),
and the columns every project table derives (light, its reason, the problem's months …)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from data.months import to_month
from data.schema import PROC_COLUMNS, ZH
from metrics import lights as L
from metrics.dataset import Dataset
from metrics.filters import Filters
from metrics.rowsets import (COMPLETION_RATE, CONSTR, CONTINUING, HAS_PROBLEM, LAGGING, LEADER_SET, NEW, PROC_SET,
                             RESUMED, STARTED, ZOMBIE)

C = pl.col

BASE_COLUMNS = ("project_id", "project_name", "county", "chain", "level", "build_type", "status", "total_investment",
                "plan_investment_year", "completed_investment_ytd")
# What a real table says of a project in words (issue #26), carried by every list when some listed row has it: 形象进度
# is what leaders read beside the figures, 责任单位 whom a 督办 goes to. A store without them keeps today's columns.
LIST_TEXT = ("progress_note", "responsible_unit")
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
              caliber=f"建设项目，年度计划>0、未竣工未投产，完成率低于时序进度{L.points(L.YELLOW_LAG)}以上。",
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
              caliber=f"三色预警为红灯的项目（投资滞后时序进度{L.points(L.RED_LAG)}以上，或逾期2个月以上未开工，或开工2个月以上"
                      "未入统），预警原因列出亮灯的每条规则。",
              condition=lambda: L.row_light() == L.RED,
              columns=("light_reason", "completion_rate", "time_schedule", "leader"), indicator="red_projects"),
    WatchList(id="yellow_light", zh="黄灯项目清单", en="Yellow-light projects",
              caliber=f"三色预警为黄灯的项目（无红灯；投资滞后时序进度{round(L.YELLOW_LAG * 100)}–{L.points(L.RED_LAG)}，或计划开工当月或上月到期未开工，"
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


def selected_rows(ds: Dataset, m: dt.date, filters: Filters, exprs: list[pl.Expr]) -> pl.LazyFrame:
    """Month m's prepared rows under the filters, holding every column the expressions read."""
    where = filters.expr(tier_col="_tier")
    cols = {name for e in [*exprs, where] for name in e.meta.root_names()}
    return ds.rows([m], cols).filter(where)


def watch_list(ds: Dataset, month: dt.date | str, name: str, filters: Filters = Filters()) -> pl.DataFrame:
    """One list's projects for a month, English column names; by county, largest first, then code (a fixed order)."""
    w = find_list(name)
    m = to_month(month)
    cols = list(dict.fromkeys(BASE_COLUMNS + w.columns + LIST_TEXT))
    exprs = [DERIVED[c].alias(c) if c in DERIVED else C(c) for c in cols]
    order = [*w.first, "county", "total_investment", "project_id"]
    df = (selected_rows(ds, m, filters, [w.condition(), *exprs]).filter(w.condition().fill_null(False)).select(exprs)
          .sort(order, descending=[*(True for _ in w.first), False, True, False], nulls_last=True).collect())
    return df.drop([c for c in LIST_TEXT if c not in w.columns and df.get_column(c).null_count() == df.height])


def list_counts(ds: Dataset, month: dt.date | str, filters: Filters = Filters()) -> dict[str, int]:
    """How many projects each list holds this month, in one pass."""
    m = to_month(month)
    counts = [w.condition().fill_null(False).sum().cast(pl.Int64).alias(w.id) for w in WATCH_LISTS]
    row = selected_rows(ds, m, filters, counts).select(counts).collect()
    return {w.id: int(row.get_column(w.id)[0] or 0) for w in WATCH_LISTS}


def column_labels(columns) -> dict[str, str]:
    """Chinese headers for list/history columns."""
    return {c: ZH.get(c, EXTRA_ZH.get(c, c)) for c in columns}
