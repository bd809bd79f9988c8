"""Every indicator of the domain contract, declared once: names, unit, format, direction, target, 口径, expression."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from data.schema import CONSTRUCTION_SET, PIPELINE_SET, PROC_COLUMNS

# Row-level columns the engine derives before aggregation (see metrics.engine.prepare_rows):
#   _constr   build_type ∈ {新开工, 续建}        _started  actual_start not null and ≤ month end
#   _prev_ytd last month's ytd of the same project (0 in January or when absent last month)
#   _m3_present / _m3_total  the same project 3 calendar months earlier: present? its completed_investment_total
C = pl.col


def ratio(num: pl.Expr, den: pl.Expr) -> pl.Expr:
    """num / den, null when den is 0 or null (DOMAIN.md: a zero denominator gives null)."""
    return pl.when(den.is_not_null() & (den != 0)).then(num / den).otherwise(None)


def _sum(col: str, cond: pl.Expr) -> pl.Expr:
    # Same value as filter(cond).sum() (rows where cond is false or null add nothing), ~2× faster in group_by.
    return pl.when(cond).then(C(col)).sum()


def _count(cond: pl.Expr) -> pl.Expr:
    return cond.fill_null(False).sum().cast(pl.Int64)


CONSTR = C("_constr")
NEW = C("build_type") == "新开工"
CONT = C("build_type") == "续建"
PIPE = C("build_type").is_in(list(PIPELINE_SET))
STARTED = C("_started")
INDUSTRIAL_CONSTR = CONSTR & (C("category") == "产业")
PRODUCING = C("status") == "投产"
HAS_PROBLEM = C("problems").is_not_null() & (C("problems").str.strip_chars() != "")
PROC_SET = C("build_type").is_in(["新开工", "前期"])
LEADER_SET = CONSTR & C("level").is_in(["省级", "市级"])
ALL = C("project_id").is_not_null()  # per row (a literal True would aggregate to 1, not the row count)


def _completion(cond: pl.Expr) -> pl.Expr:
    return ratio(_sum("completed_investment_ytd", cond), _sum("plan_investment_year", cond))


def _share(num_cond: pl.Expr, base: pl.Expr) -> pl.Expr:
    return ratio(_sum("total_investment", base & num_cond), _sum("total_investment", base))


def _lagging() -> pl.Expr:
    rate = C("completed_investment_ytd") / C("plan_investment_year")
    return (CONSTR & (C("plan_investment_year") > 0) & ~C("status").is_in(["竣工", "投产"])
            & (rate < C("_ts") - 0.10))


def _zombie() -> pl.Expr:
    return (CONSTR & C("status").is_in(["未开工", "在建", "停工"]) & C("_m3_present")
            & (C("completed_investment_total") <= C("_m3_total")))


def _approval_days() -> pl.Expr:
    days = (C("actual_start") - C("proc_approval")).dt.total_days()
    cond = C("actual_start").is_not_null() & C("proc_approval").is_not_null() & (
        C("actual_start").dt.year() == C("snapshot_month").dt.year())
    return days.filter(cond).median()


def _procedures() -> pl.Expr:
    done = pl.sum_horizontal([C(p).is_not_null().cast(pl.Int64) for p in PROC_COLUMNS])
    return ratio(done.filter(PROC_SET).sum().cast(pl.Float64), (_count(PROC_SET) * len(PROC_COLUMNS)).cast(pl.Float64))


@dataclass(frozen=True)
class Indicator:
    """One indicator: metadata plus its aggregate expression over prepared rows."""

    id: str
    zh: str
    en: str
    dimension: str
    unit: str  # 个 | 万元 | 比率 | 百分点 | 天 | 万元/亩
    direction: str  # higher | lower | neutral
    caliber: str  # 口径, shown to users
    expr: Callable[[], pl.Expr] | None  # aggregate over rows; None = computed after aggregation (engine)
    base: Callable[[], pl.Expr] | None = None  # the rows counted as n (the indicator's population)
    target: float | dict[int, float] | str | None = None  # number, {month: value} curve, or "time_schedule"
    target_source: str = ""
    empty: float | None = None  # value when the selection holds no rows: 0 for counts and sums, None for rates

    @property
    def is_rate(self) -> bool:
        return self.unit in ("比率", "百分点")

    def target_for(self, month: int) -> float | None:
        """The target in force for month 1–12 (a curve is a step function over months)."""
        t = self.target
        if t is None:
            return None
        if t == "time_schedule":
            return month / 12
        if isinstance(t, dict):
            applicable = [v for k, v in sorted(t.items()) if k <= month]
            return applicable[-1] if applicable else None
        return float(t)


DIMENSIONS = {
    "progress": "项目推进", "structure": "投资结构", "industry": "产业结构", "chain": "链群配套",
    "efficiency": "项目效益", "management": "管理服务", "pipeline": "谋划招商",
}

INDICATORS: tuple[Indicator, ...] = (
    # 项目推进 progress
    Indicator("project_count", "项目个数", "Projects", "progress", "个", "neutral", "所选项目的行数。",
              lambda: pl.len().cast(pl.Int64), lambda: ALL, empty=0),
    Indicator("total_investment_sum", "总投资", "Total investment", "progress", "万元", "neutral",
              "所选项目总投资之和（万元）。", lambda: C("total_investment").sum(), lambda: ALL, empty=0),
    Indicator("plan_investment_sum", "年度计划投资", "Annual planned investment", "progress", "万元", "neutral",
              "建设项目（新开工+续建）年度计划投资之和（万元）。", lambda: _sum("plan_investment_year", CONSTR),
              lambda: CONSTR, empty=0),
    Indicator("completed_ytd_sum", "本年完成投资", "Investment completed this year", "progress", "万元", "higher",
              "建设项目（新开工+续建）本年累计完成投资之和（万元）。", lambda: _sum("completed_investment_ytd", CONSTR),
              lambda: CONSTR, empty=0),
    Indicator("investment_completion_rate", "投资完成率", "Investment completion rate", "progress", "比率", "higher",
              "建设项目（新开工+续建）Σ本年累计完成投资 ÷ Σ年度计划投资；目标为不低于时序进度（月份÷12）。",
              lambda: _completion(CONSTR), lambda: CONSTR, "time_schedule", "汉中：在建项目完成进度不低于时序进度"),
    Indicator("time_schedule", "时序进度", "Time schedule", "progress", "比率", "neutral",
              "报送月份 m ÷ 12（6月为50%）。", None),
    Indicator("schedule_deviation", "进度偏差", "Schedule deviation", "progress", "百分点", "higher",
              "投资完成率 − 时序进度（以百分点显示）；≥ 0 为达到时序进度。", None, lambda: CONSTR, 0.0,
              "汉中：不低于时序进度"),
    Indicator("start_rate", "新开工项目开工率", "New-start rate", "progress", "比率", "higher",
              "建设性质为“新开工”的项目中，已开工（实际开工时间非空且不晚于报送月份月末）的个数 ÷ 全部个数。",
              lambda: ratio(_count(NEW & STARTED).cast(pl.Float64), _count(NEW).cast(pl.Float64)), lambda: NEW,
              {1: 0.8, 4: 1.0}, "汉中：一季度开工率80%、二季度100%（大同：6月底前70%）"),
    Indicator("resume_rate", "续建项目复工率", "Resumption rate", "progress", "比率", "higher",
              "建设性质为“续建”的项目中，建设状态为在建、竣工或投产的个数 ÷ 全部个数。",
              lambda: ratio(_count(CONT & C("status").is_in(["在建", "竣工", "投产"])).cast(pl.Float64),
                            _count(CONT).cast(pl.Float64)), lambda: CONT, {6: 1.0}, "大同：6月底前续建项目全部复工"),
    Indicator("new_vs_continuing_gap", "新建与续建完成率差", "New vs continuing completion gap", "progress", "百分点",
              "higher", "新开工项目投资完成率 − 续建项目投资完成率（各自为Σ本年完成÷Σ年度计划）；任一无计划则为空。",
              lambda: _completion(NEW) - _completion(CONT), lambda: CONSTR, 0.0, "汉中：新建项目进度滞后于续建"),
    Indicator("lagging_projects", "滞后项目数", "Lagging projects", "progress", "个", "lower",
              "建设项目中，年度计划投资 > 0、未竣工未投产、且本年完成 ÷ 年度计划 < 时序进度 − 10个百分点的个数。",
              lambda: _count(_lagging()), lambda: CONSTR, 0.0, "汉中：确保完成进度不低于时序进度", empty=0),
    Indicator("stopped_projects", "停工项目数", "Stopped projects", "progress", "个", "lower",
              "建设状态为“停工”的项目个数。", lambda: _count(C("status") == "停工"), lambda: ALL, 0.0, "", empty=0),
    Indicator("zombie_projects", "僵尸项目数", "Zombie projects", "progress", "个", "lower",
              "建设项目中，状态为未开工/在建/停工、3个自然月前的快照中已有该项目、且开工累计完成投资不高于3个月前的个数。",
              lambda: _count(_zombie()), lambda: CONSTR, 0.0, "岚县：重点项目“大起底”", empty=0),
    Indicator("funds_in_place_rate", "资金到位率", "Funds-in-place rate", "progress", "比率", "higher",
              "建设项目Σ本年资金到位 ÷ Σ年度计划投资。",
              lambda: ratio(_sum("funds_in_place_ytd", CONSTR), _sum("plan_investment_year", CONSTR)), lambda: CONSTR),
    Indicator("monthly_investment", "当月完成投资", "Investment this month", "progress", "万元", "higher",
              "建设项目Σ（本月本年累计完成投资 − 同一项目上月值）；1月或上月无该项目时上月值按0计（万元）。",
              lambda: (C("completed_investment_ytd") - C("_prev_ytd")).filter(CONSTR).sum(), lambda: CONSTR,
              empty=0),
    Indicator("monthly_investment_mom", "当月投资环比", "Month-on-month investment", "progress", "比率", "higher",
              "当月完成投资 ÷ 上月当月完成投资 − 1；上月无快照、跨年（1月）或上月为0时为空。", None, lambda: CONSTR,
              target_source="宜昌：每月投资量环比排名"),
    Indicator("new_starts_100m", "亿元以上当月新开工", "New starts ≥ 100M this month", "progress", "个", "higher",
              "总投资 ≥ 1亿元（10000万元）且实际开工时间在报送月份当月的项目个数。",
              lambda: _count((C("total_investment") >= 10_000) & C("actual_start").is_not_null()
                             & (C("actual_start") >= C("snapshot_month")) & (C("actual_start") <= C("_month_end"))),
              lambda: ALL, target_source="宜昌：每月通报亿元以上新开工项目", empty=0),
    # 投资结构 structure
    Indicator("private_share", "民间投资占比", "Private investment share", "structure", "比率", "higher",
              "建设项目中，投资主体为民间投资的总投资 ÷ 全部总投资。",
              lambda: _share(C("investor_type") == "民间投资", CONSTR), lambda: CONSTR, 0.6, "汉中：民间投资占比60%以上"),
    Indicator("industrial_share", "产业投资占比", "Industrial investment share", "structure", "比率", "higher",
              "建设项目中，项目类别为产业的总投资 ÷ 全部总投资。",
              lambda: _share(C("category") == "产业", CONSTR), lambda: CONSTR, 0.6, "汉中：产业投资占比60%以上"),
    Indicator("government_share", "政府投资占比", "Government investment share", "structure", "比率", "lower",
              "建设项目中，投资主体为政府投资的总投资 ÷ 全部总投资（越低越好：防范隐性债务）。",
              lambda: _share(C("investor_type") == "政府投资", CONSTR), lambda: CONSTR),
    # 产业结构 industry
    Indicator("emerging_share", "新兴产业占比", "Emerging industry share", "industry", "比率", "higher",
              "建设项目中产业类项目，产业类型为新兴产业的总投资 ÷ 全部产业类总投资。",
              lambda: _share(C("industry_class") == "新兴产业", INDUSTRIAL_CONSTR), lambda: INDUSTRIAL_CONSTR),
    Indicator("traditional_share", "传统产业占比", "Traditional industry share", "industry", "比率", "lower",
              "建设项目中产业类项目，产业类型为传统产业的总投资 ÷ 全部产业类总投资（越低越好）。",
              lambda: _share(C("industry_class") == "传统产业", INDUSTRIAL_CONSTR), lambda: INDUSTRIAL_CONSTR,
              target_source="汉中：压减传统产业比重"),
    # 链群配套 chain
    Indicator("chain_investment_share", "链上项目投资占比", "On-chain investment share", "chain", "比率", "higher",
              "建设项目中产业类项目，属于某条产业链的总投资 ÷ 全部产业类总投资。",
              lambda: _share(C("chain").is_not_null(), INDUSTRIAL_CONSTR), lambda: INDUSTRIAL_CONSTR),
    Indicator("chain_coverage", "产业链覆盖度", "Chain coverage", "chain", "比率", "higher",
              "所选建设项目涉及的不同产业链数 ÷ 当月全市（不受筛选）出现的不同产业链数。", None, lambda: CONSTR),
    # 项目效益 efficiency
    Indicator("profit_tax_rate", "投资利税率", "Profit-tax rate on investment", "efficiency", "比率", "higher",
              "投产项目Σ年利税 ÷ Σ总投资。",
              lambda: ratio(_sum("annual_profit_tax", PRODUCING), _sum("total_investment", PRODUCING)),
              lambda: PRODUCING, target_source="汉中：提高投资利税率"),
    Indicator("tax_per_mu", "亩均税收", "Tax per mu", "efficiency", "万元/亩", "higher",
              "投产且用地面积 > 0 的项目Σ年税收 ÷ Σ用地面积（万元/亩）。",
              lambda: ratio(_sum("annual_tax", PRODUCING & (C("land_area_mu") > 0)),
                            _sum("land_area_mu", PRODUCING & (C("land_area_mu") > 0))),
              lambda: PRODUCING & (C("land_area_mu") > 0), target_source="亩均论英雄"),
    Indicator("production_rate", "投产率", "Production rate", "efficiency", "比率", "higher",
              "建设状态为投产的个数 ÷ 状态为竣工或投产的个数。",
              lambda: ratio(_count(PRODUCING).cast(pl.Float64),
                            _count(C("status").is_in(["竣工", "投产"])).cast(pl.Float64)),
              lambda: C("status").is_in(["竣工", "投产"])),
    # 管理服务 management
    Indicator("procedures_complete_rate", "前期手续办结率", "Procedures completion rate", "management", "比率", "higher",
              "建设性质为新开工或前期的项目，六项手续（立项、用地、规划、环评、能评、施工许可）已办结个数 ÷（6 × 项目数）。",
              _procedures, lambda: PROC_SET),
    Indicator("leader_coverage", "领导包抓覆盖率", "Leader coverage", "management", "比率", "higher",
              "省级、市级建设项目中，已落实包抓领导的个数 ÷ 全部个数。",
              lambda: ratio(_count(LEADER_SET & C("leader").is_not_null()).cast(pl.Float64),
                            _count(LEADER_SET).cast(pl.Float64)), lambda: LEADER_SET, 1.0, "汉中：一对一包抓"),
    Indicator("problem_projects", "存在问题项目数", "Projects with problems", "management", "个", "lower",
              "“存在问题”非空且非空白的项目个数。", lambda: _count(HAS_PROBLEM), lambda: ALL, empty=0),
    Indicator("approval_to_start_days", "立项至开工天数(中位数)", "Approval-to-start days (median)", "management", "天",
              "lower", "同时有立项时间和实际开工时间、且实际开工在报送月份所在年度的项目，（实际开工 − 立项）天数的中位数。",
              _approval_days, lambda: C("actual_start").is_not_null() & C("proc_approval").is_not_null() & (
                  C("actual_start").dt.year() == C("snapshot_month").dt.year())),
    Indicator("stats_inclusion_rate", "入统率", "Statistics inclusion rate", "management", "比率", "higher",
              "已开工的建设项目中，已入统的个数 ÷ 全部个数。",
              lambda: ratio(_count(CONSTR & STARTED & C("in_statistics")).cast(pl.Float64),
                            _count(CONSTR & STARTED).cast(pl.Float64)), lambda: CONSTR & STARTED, 1.0,
              "岚县：应统尽统"),
    # 谋划招商 pipeline
    Indicator("pipeline_investment", "储备(前期)项目总投资", "Pipeline investment", "pipeline", "万元", "higher",
              "建设性质为储备或前期的项目总投资之和（万元）。", lambda: _sum("total_investment", PIPE), lambda: PIPE,
              target_source="大同：新增储备项目总投资1200亿元", empty=0),
    Indicator("reserve_conversion_rate", "储备转化率", "Reserve conversion rate", "pipeline", "比率", "higher",
              "基数为本年度最早一期快照中建设性质为储备或前期的项目（筛选按其当时属性）；其中出现在本月快照且已开工的个数 ÷ 基数。",
              None, None, 0.3, "大同：储备项目转化率30%左右"),
    Indicator("signed_projects", "招商签约项目数", "Signed attraction projects", "pipeline", "个", "higher",
              "是否招商引资签约项目为“是”的个数。", lambda: _count(C("is_signed_attraction")), lambda: ALL, empty=0),
    Indicator("signed_start_rate", "签约项目开工率", "Signed-project start rate", "pipeline", "比率", "higher",
              "招商引资签约项目中，已开工的个数 ÷ 全部个数。",
              lambda: ratio(_count(C("is_signed_attraction") & STARTED).cast(pl.Float64),
                            _count(C("is_signed_attraction")).cast(pl.Float64)), lambda: C("is_signed_attraction"),
              0.3, "大同：签约项目当年开工率30%以上（盘锦：50%以上）"),
)

BY_ID: dict[str, Indicator] = {i.id: i for i in INDICATORS}
IDS: tuple[str, ...] = tuple(BY_ID)


def by_dimension(dimension: str) -> list[Indicator]:
    """The indicators of one page/dimension, in declaration order."""
    return [i for i in INDICATORS if i.dimension == dimension]


def get(indicator_id: str) -> Indicator:
    """Look an indicator up by id, with a Chinese error listing the valid ids."""
    try:
        return BY_ID[indicator_id]
    except KeyError:
        raise KeyError(f"没有指标“{indicator_id}”。可用指标：{', '.join(IDS)}") from None
