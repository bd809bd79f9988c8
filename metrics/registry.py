"""Every indicator of the domain contract, declared once: names, unit, direction, target, 口径, and how it is computed."""
from __future__ import annotations

import polars as pl

from data.schema import PROC_COLUMNS, YI
from metrics import lights as L
from metrics.indicator import Calendar, Derived, Indicator, MonthOffset, SnapshotRatio, YearBaseConversion
from metrics.rowsets import (ALL, CONSTR, CONTINUING, FINISHED, HAS_PROBLEM, INDUSTRIAL, INDUSTRIAL_CONSTR, LAGGING,
                             LEADER_SET, NEW, PIPELINE, PROC_SET, PRODUCING, PRODUCING_WITH_LAND, RESUMED, STARTED,
                             ZOMBIE, ratio, schedule_expr)

C = pl.col
# DOMAIN.md Part 3: a report may leave these out; a null then means 未填报 and the indicator counts only known rows.
FUNDS_KNOWN = C("funds_in_place_ytd").is_not_null()
STATS_KNOWN = C("in_statistics").is_not_null()


def _sum(col: str, cond: pl.Expr) -> pl.Expr:
    # Same value as filter(cond).sum() (rows where cond is false or null add nothing), ~2× faster in group_by.
    return pl.when(cond).then(C(col)).sum()


def _count(cond: pl.Expr) -> pl.Expr:
    return cond.fill_null(False).sum().cast(pl.Int64)


def _rate(num: pl.Expr, den: pl.Expr) -> pl.Expr:
    """Rows meeting num ÷ rows meeting den."""
    return ratio(_count(num).cast(pl.Float64), _count(den).cast(pl.Float64))


def _completion(cond: pl.Expr) -> pl.Expr:
    return ratio(_sum("completed_investment_ytd", cond), _sum("plan_investment_year", cond))


def _share(num_cond: pl.Expr, base: pl.Expr) -> pl.Expr:
    return ratio(_sum("total_investment", base & num_cond), _sum("total_investment", base))


_APPROVED_AND_STARTED_THIS_YEAR = (C("actual_start").is_not_null() & C("proc_approval").is_not_null()
                                   & (C("actual_start").dt.year() == C("snapshot_month").dt.year()))


def _approval_days() -> pl.Expr:
    days = (C("actual_start") - C("proc_approval")).dt.total_days()
    return days.filter(_APPROVED_AND_STARTED_THIS_YEAR).median()


def _procedures() -> pl.Expr:
    done = pl.sum_horizontal([C(p).is_not_null().cast(pl.Int64) for p in PROC_COLUMNS])
    return ratio(done.filter(PROC_SET).sum().cast(pl.Float64), (_count(PROC_SET) * len(PROC_COLUMNS)).cast(pl.Float64))


# Each dimension's name (中文, English): the bulletin's section, the docs' column and the title of its page.
DIMENSIONS: dict[str, tuple[str, str]] = {
    "progress": ("项目推进", "Progress"), "structure": ("投资结构", "Investment structure"),
    "industry": ("产业结构", "Industry structure"), "chain": ("链群配套", "Industrial chains"),
    "efficiency": ("项目效益", "Efficiency"), "management": ("管理服务", "Management"),
    "pipeline": ("谋划招商", "Pipeline"),
}

# The city's headline figures, in their order: 总览's eight tiles and the pushed brief's.
HEADLINE = ("investment_completion_rate", "schedule_deviation", "start_rate", "monthly_investment",
            "completed_ytd_sum", "private_share", "industrial_share", "signed_start_rate")
# 总览's 县区×指标 heat table (and its phone cards), which the county map offers to colour by too.
HEAT = ("investment_completion_rate", "schedule_deviation", "start_rate", "resume_rate", "private_share",
        "industrial_share", "procedures_complete_rate", "signed_start_rate", "leader_coverage", "lagging_projects")

INDICATORS: tuple[Indicator, ...] = (
    Indicator(id="project_count", zh="项目个数", en="Projects", dimension="progress", unit="个", direction="neutral",
              caliber="所选项目的行数。",
              expr=lambda: pl.len().cast(pl.Int64), base=lambda: ALL, empty=0),
    Indicator(id="total_investment_sum", zh="总投资", en="Total investment", dimension="progress", unit="万元",
              direction="neutral",
              caliber="所选项目总投资之和（万元）。",
              expr=lambda: C("total_investment").sum(), base=lambda: ALL, empty=0),
    Indicator(id="plan_investment_sum", zh="年度计划投资", en="Annual planned investment", dimension="progress", unit="万元",
              direction="neutral",
              caliber="建设项目（新开工+续建）年度计划投资之和（万元）。",
              expr=lambda: _sum("plan_investment_year", CONSTR), base=lambda: CONSTR, empty=0),
    Indicator(id="completed_ytd_sum", zh="本年完成投资", en="Investment completed this year", dimension="progress",
              unit="万元", direction="higher",
              caliber="建设项目（新开工+续建）本年累计完成投资之和（万元）。",
              expr=lambda: _sum("completed_investment_ytd", CONSTR), base=lambda: CONSTR, empty=0),
    Indicator(id="investment_completion_rate", zh="投资完成率", en="Investment completion rate", dimension="progress",
              unit="比率", direction="higher",
              caliber="建设项目（新开工+续建）Σ本年累计完成投资 ÷ Σ年度计划投资；目标为不低于时序进度（月份÷12）。",
              expr=lambda: _completion(CONSTR), base=lambda: CONSTR, target="time_schedule",
              target_source="汉中：在建项目完成进度不低于时序进度"),
    Indicator(id="time_schedule", zh="时序进度", en="Time schedule", dimension="progress", unit="比率", direction="neutral",
              caliber="报送月份 m ÷ 12（6月为50%）。",
              kind=Calendar(value=schedule_expr)),
    Indicator(id="schedule_deviation", zh="进度偏差", en="Schedule deviation", dimension="progress", unit="百分点",
              direction="higher",
              caliber="投资完成率 − 时序进度（以百分点显示）；≥ 0 为达到时序进度。",
              kind=Derived(inputs=("investment_completion_rate", "time_schedule"), value=lambda rate, ts: rate - ts),
              base=lambda: CONSTR, target=0.0, target_source="汉中：不低于时序进度"),
    Indicator(id="start_rate", zh="新开工项目开工率", en="New-start rate", dimension="progress", unit="比率",
              direction="higher",
              caliber="建设性质为“新开工”的项目中，已开工（实际开工时间非空且不晚于报送月份月末）的个数 ÷ 全部个数。",
              expr=lambda: _rate(NEW & STARTED, NEW),
              base=lambda: NEW, target={1: 0.8, 4: 1.0}, target_source="汉中：一季度开工率80%、二季度100%（大同：6月底前70%）"),
    Indicator(id="resume_rate", zh="续建项目复工率", en="Resumption rate", dimension="progress", unit="比率",
              direction="higher",
              caliber="建设性质为“续建”的项目中，建设状态为在建、竣工或投产的个数 ÷ 全部个数。",
              expr=lambda: _rate(CONTINUING & RESUMED, CONTINUING),
              base=lambda: CONTINUING, target={6: 1.0}, target_source="大同：6月底前续建项目全部复工"),
    Indicator(id="new_vs_continuing_gap", zh="新建与续建完成率差", en="New vs continuing completion gap", dimension="progress",
              unit="百分点", direction="higher",
              caliber="新开工项目投资完成率 − 续建项目投资完成率（各自为Σ本年完成÷Σ年度计划）；任一无计划则为空。",
              expr=lambda: _completion(NEW) - _completion(CONTINUING), base=lambda: CONSTR, target=0.0,
              target_source="汉中：新建项目进度滞后于续建"),
    Indicator(id="lagging_projects", zh="滞后项目数", en="Lagging projects", dimension="progress", unit="个",
              direction="lower",
              caliber=f"建设项目中，年度计划投资 > 0、未竣工未投产、且本年完成 ÷ 年度计划 < 时序进度 − {L.points(L.YELLOW_LAG)}的个数。",
              expr=lambda: _count(LAGGING), base=lambda: CONSTR, target=0.0, target_source="汉中：确保完成进度不低于时序进度",
              empty=0),
    Indicator(id="stopped_projects", zh="停工项目数", en="Stopped projects", dimension="progress", unit="个",
              direction="lower",
              caliber="建设状态为“停工”的项目个数。",
              expr=lambda: _count(C("status") == "停工"), base=lambda: ALL, target=0.0, empty=0),
    Indicator(id="zombie_projects", zh="僵尸项目数", en="Zombie projects", dimension="progress", unit="个",
              direction="lower",
              caliber="建设项目中，状态为未开工/在建/停工、3个自然月前的快照中已有该项目、且开工累计完成投资不高于3个月前的个数。",
              expr=lambda: _count(ZOMBIE), base=lambda: CONSTR, target=0.0, target_source="岚县：重点项目“大起底”", empty=0),
    Indicator(id="funds_in_place_rate", zh="资金到位率", en="Funds-in-place rate", dimension="progress", unit="比率",
              direction="higher",
              caliber="建设项目Σ本年资金到位 ÷ Σ年度计划投资；本年资金到位未填报的项目不计入（n 为计入的项目数）。",
              # Part 3: a null 本年资金到位 is 未填报 — counted in neither sum; n says how many rows were
              expr=lambda: ratio(_sum("funds_in_place_ytd", CONSTR & FUNDS_KNOWN),
                                 _sum("plan_investment_year", CONSTR & FUNDS_KNOWN)),
              base=lambda: CONSTR & FUNDS_KNOWN),
    Indicator(id="monthly_investment", zh="当月完成投资", en="Investment this month", dimension="progress", unit="万元",
              direction="higher",
              caliber="建设项目Σ（本月本年累计完成投资 − 同一项目上月值）；1月或上月无该项目时上月值按0计（万元）。",
              expr=lambda: (C("completed_investment_ytd") - C("_prev_ytd")).filter(CONSTR).sum(), base=lambda: CONSTR,
              empty=0),
    Indicator(id="monthly_investment_mom", zh="当月投资环比", en="Month-on-month investment", dimension="progress",
              unit="比率", direction="higher",
              caliber="当月完成投资 ÷ 上月当月完成投资 − 1；上月无快照、跨年（1月）或上月为0时为空。",
              kind=MonthOffset(of="monthly_investment", months=1, same_year=True), base=lambda: CONSTR, target_source="宜昌：每月投资量环比排名"),
    Indicator(id="new_starts_100m", zh="亿元以上当月新开工", en="New starts ≥ 100M this month", dimension="progress", unit="个",
              direction="higher",
              caliber=f"总投资 ≥ 1亿元（{YI:.0f}万元）且实际开工时间在报送月份当月的项目个数。",
              expr=lambda: _count((C("total_investment") >= YI) & C("actual_start").is_not_null()
                                 & (C("actual_start") >= C("snapshot_month")) & (C("actual_start") <= C("_month_end"))),
              base=lambda: ALL, target_source="宜昌：每月通报亿元以上新开工项目", empty=0),
    Indicator(id="completed_ytd_yoy", zh="本年完成投资同比", en="Investment completed this year, year on year",
              dimension="progress", unit="比率", direction="higher",
              caliber="本年完成投资 ÷ 上年同月本年完成投资 − 1；上年同月按其自身快照、以其当时属性套用相同筛选计算"
                      "（不限于本月仍在库的项目）；上年同月无快照或其本年完成投资为0时为空。",
              kind=MonthOffset(of="completed_ytd_sum", months=12), base=lambda: CONSTR,
              target_source="江门：较去年同期增长…，同比增长…"),
    Indicator(id="planned_starts_to_date", zh="序时应开工项目数", en="New starts due by now", dimension="progress",
              unit="个", direction="neutral",
              caliber="建设性质为“新开工”、计划开工时间非空且不晚于报送月份月末的项目个数。",
              expr=lambda: _count(L.planned_to_date()), base=lambda: NEW,
              target_source="江门：1-10月份计划新开工223项", empty=0),
    Indicator(id="overdue_not_started", zh="应开工未开工项目数", en="Due but not started", dimension="progress",
              unit="个", direction="lower",
              caliber="序时应开工项目中，尚未开工（实际开工时间为空或晚于报送月份月末）的个数。",
              expr=lambda: _count(L.overdue_not_started()), base=lambda: L.planned_to_date(),
              target_source="江门：未按计划开工项目33项", empty=0),
    Indicator(id="early_starts", zh="提前开工项目数", en="Early starts", dimension="progress", unit="个",
              direction="higher",
              caliber="建设性质为“新开工”、已开工、且计划开工时间非空并晚于报送月份月末的项目个数（即在计划开工"
                      "月份之前已开工；同月内早于计划日期开工不算提前）。",
              expr=lambda: _count(L.early_start()), base=lambda: NEW & STARTED,
              target_source="江门：提前开工项目11项", empty=0),
    Indicator(id="red_projects", zh="红灯项目数", en="Red-light projects", dimension="progress", unit="个",
              direction="lower",
              caliber="三色预警为红灯的项目个数。每个项目取三项规则中最严重者（红＞黄＞绿，均不适用为绿）："
                      "①投资：建设项目、年度计划投资>0、未竣工未投产，滞后 = 时序进度 − 本年完成÷年度计划，"
                      f"滞后>{L.points(L.RED_LAG)}红、>{L.points(L.YELLOW_LAG)}黄、否则绿；②开工：新开工项目计划开工时间不晚于月末仍未开工，"
                      "报送月份距计划开工月份≥2个月红、0–1个月黄；③入统：已开工的建设项目未入统，报送月份距实际开工"
                      "月份≥2个月红、1个月黄、当月绿。",
              expr=lambda: _count(L.row_light() == L.RED), base=lambda: ALL,
              target_source="银川：红黄绿灯预警", empty=0),
    Indicator(id="yellow_projects", zh="黄灯项目数", en="Yellow-light projects", dimension="progress", unit="个",
              direction="lower",
              caliber="三色预警为黄灯的项目个数：三项规则（见红灯项目数）中最严重者为黄，即没有红灯且至少一项黄灯"
                      f"（投资滞后时序进度超过{round(L.YELLOW_LAG * 100)}个、不超过{L.points(L.RED_LAG)}；计划开工当月或上月到期仍未开工；"
                      "开工次月仍未入统）。",
              expr=lambda: _count(L.row_light() == L.YELLOW), base=lambda: ALL,
              target_source="银川：红黄绿灯预警", empty=0),
    Indicator(id="private_share", zh="民间投资占比", en="Private investment share", dimension="structure", unit="比率",
              direction="higher",
              caliber="建设项目中，投资主体为民间投资的总投资 ÷ 全部总投资。",
              expr=lambda: _share(C("investor_type") == "民间投资", CONSTR), base=lambda: CONSTR, target=0.6,
              target_source="汉中：民间投资占比60%以上"),
    Indicator(id="industrial_share", zh="产业投资占比", en="Industrial investment share", dimension="structure", unit="比率",
              direction="higher",
              caliber="建设项目中，项目类别为产业的总投资 ÷ 全部总投资。",
              expr=lambda: _share(INDUSTRIAL, CONSTR), base=lambda: CONSTR, target=0.6,
              target_source="汉中：产业投资占比60%以上"),
    Indicator(id="government_share", zh="政府投资占比", en="Government investment share", dimension="structure", unit="比率",
              direction="lower",
              caliber="建设项目中，投资主体为政府投资的总投资 ÷ 全部总投资（越低越好：防范隐性债务）。",
              expr=lambda: _share(C("investor_type") == "政府投资", CONSTR), base=lambda: CONSTR),
    Indicator(id="emerging_share", zh="新兴产业占比", en="Emerging industry share", dimension="industry", unit="比率",
              direction="higher",
              caliber="建设项目中产业类项目，产业类型为新兴产业的总投资 ÷ 全部产业类总投资。",
              expr=lambda: _share(C("industry_class") == "新兴产业", INDUSTRIAL_CONSTR), base=lambda: INDUSTRIAL_CONSTR),
    Indicator(id="traditional_share", zh="传统产业占比", en="Traditional industry share", dimension="industry", unit="比率",
              direction="lower",
              caliber="建设项目中产业类项目，产业类型为传统产业的总投资 ÷ 全部产业类总投资（越低越好）。",
              expr=lambda: _share(C("industry_class") == "传统产业", INDUSTRIAL_CONSTR), base=lambda: INDUSTRIAL_CONSTR,
              target_source="汉中：压减传统产业比重"),
    Indicator(id="chain_investment_share", zh="链上项目投资占比", en="On-chain investment share", dimension="chain",
              unit="比率", direction="higher",
              caliber="建设项目中产业类项目，属于某条产业链的总投资 ÷ 全部产业类总投资。",
              expr=lambda: _share(C("chain").is_not_null(), INDUSTRIAL_CONSTR), base=lambda: INDUSTRIAL_CONSTR),
    Indicator(id="chain_coverage", zh="产业链覆盖度", en="Chain coverage", dimension="chain", unit="比率", direction="higher",
              caliber="所选建设项目涉及的不同产业链数 ÷ 当月全市（不受筛选）出现的不同产业链数。",
              kind=SnapshotRatio(num=lambda: C("chain").filter(CONSTR & C("chain").is_not_null()).n_unique(),
                                 den=lambda: C("chain").drop_nulls().n_unique()),
              base=lambda: CONSTR),
    Indicator(id="profit_tax_rate", zh="投资利税率", en="Profit-tax rate on investment", dimension="efficiency", unit="比率",
              direction="higher",
              caliber="投产项目Σ年利税 ÷ Σ总投资。",
              expr=lambda: ratio(_sum("annual_profit_tax", PRODUCING), _sum("total_investment", PRODUCING)),
              base=lambda: PRODUCING, target_source="汉中：提高投资利税率"),
    Indicator(id="tax_per_mu", zh="亩均税收", en="Tax per mu", dimension="efficiency", unit="万元/亩", direction="higher",
              caliber="投产且用地面积 > 0 的项目Σ年税收 ÷ Σ用地面积（万元/亩）。",
              expr=lambda: ratio(_sum("annual_tax", PRODUCING_WITH_LAND), _sum("land_area_mu", PRODUCING_WITH_LAND)),
              base=lambda: PRODUCING_WITH_LAND, target_source="亩均论英雄"),
    Indicator(id="production_rate", zh="投产率", en="Production rate", dimension="efficiency", unit="比率",
              direction="higher",
              caliber="建设状态为投产的个数 ÷ 状态为竣工或投产的个数。",
              expr=lambda: _rate(PRODUCING, FINISHED),
              base=lambda: FINISHED),
    Indicator(id="procedures_complete_rate", zh="前期手续办结率", en="Procedures completion rate", dimension="management",
              unit="比率", direction="higher",
              caliber="建设性质为新开工或前期的项目，六项手续（立项、用地、规划、环评、能评、施工许可）已办结个数 ÷（6 × 项目数）。",
              expr=_procedures, base=lambda: PROC_SET),
    Indicator(id="leader_coverage", zh="领导包抓覆盖率", en="Leader coverage", dimension="management", unit="比率",
              direction="higher",
              caliber="省级、市级建设项目中，已落实包抓领导的个数 ÷ 全部个数。",

              expr=lambda: _rate(LEADER_SET & C("leader").is_not_null(), LEADER_SET),
              base=lambda: LEADER_SET, target=1.0, target_source="汉中：一对一包抓"),
    Indicator(id="problem_projects", zh="存在问题项目数", en="Projects with problems", dimension="management", unit="个",
              direction="lower",
              caliber="“存在问题”非空且非空白的项目个数。",
              expr=lambda: _count(HAS_PROBLEM), base=lambda: ALL, empty=0),
    Indicator(id="long_standing_problems", zh=f"问题超{L.LONG_PROBLEM_MONTHS}个月未解决项目数",
              en=f"Problems unresolved {L.LONG_PROBLEM_MONTHS}+ months", dimension="management", unit="个",
              direction="lower",
              caliber=f"“存在问题”非空且非空白、且问题已连续报告{L.LONG_PROBLEM_MONTHS}个月及以上的项目个数。连续月数自报送月份起逐月向前"
                      "（跨年连续）数库中同一项目编码的快照中问题非空白的月份；库中缺少某月或该月问题为空即中断；"
                      "以往月份按项目编码查找，不受筛选和属性变化影响。",
              expr=lambda: _count(C("_problem_streak") >= L.LONG_PROBLEM_MONTHS), base=lambda: HAS_PROBLEM, empty=0),
    Indicator(id="approval_to_start_days", zh="立项至开工天数(中位数)", en="Approval-to-start days (median)",
              dimension="management", unit="天", direction="lower",
              caliber="同时有立项时间和实际开工时间、且实际开工在报送月份所在年度的项目，（实际开工 − 立项）天数的中位数。",
              expr=_approval_days,
              base=lambda: _APPROVED_AND_STARTED_THIS_YEAR),
    Indicator(id="stats_inclusion_rate", zh="入统率", en="Statistics inclusion rate", dimension="management", unit="比率",
              direction="higher",
              caliber="已开工的建设项目中，已入统的个数 ÷ 全部个数；是否入统未填报的项目不计入（n 为计入的项目数）。",
              expr=lambda: _rate(CONSTR & STARTED & C("in_statistics"), CONSTR & STARTED & STATS_KNOWN),
              base=lambda: CONSTR & STARTED & STATS_KNOWN, target=1.0, target_source="岚县：应统尽统"),
    Indicator(id="pipeline_investment", zh="储备(前期)项目总投资", en="Pipeline investment", dimension="pipeline", unit="万元",
              direction="higher",
              caliber="建设性质为储备或前期的项目总投资之和（万元）。",
              expr=lambda: _sum("total_investment", PIPELINE), base=lambda: PIPELINE,
              target_source="大同：新增储备项目总投资1200亿元", empty=0),
    Indicator(id="reserve_conversion_rate", zh="储备转化率", en="Reserve conversion rate", dimension="pipeline", unit="比率",
              direction="higher",
              caliber="基数为本年度最早一期快照中建设性质为储备或前期的项目（筛选按其当时属性）；其中出现在本月快照且已开工的个数 ÷ 基数。",
              kind=YearBaseConversion(base=lambda: PIPELINE, converted=lambda: STARTED),
              target=0.3, target_source="大同：储备项目转化率30%左右"),
    Indicator(id="signed_projects", zh="招商签约项目数", en="Signed attraction projects", dimension="pipeline", unit="个",
              direction="higher",
              caliber="是否招商引资签约项目为“是”的个数。",
              expr=lambda: _count(C("is_signed_attraction")), base=lambda: ALL, empty=0),
    Indicator(id="signed_start_rate", zh="签约项目开工率", en="Signed-project start rate", dimension="pipeline", unit="比率",
              direction="higher",
              caliber="招商引资签约项目中，已开工的个数 ÷ 全部个数。",

              expr=lambda: _rate(C("is_signed_attraction") & STARTED, C("is_signed_attraction")),
              base=lambda: C("is_signed_attraction"), target=0.3, target_source="大同：签约项目当年开工率30%以上（盘锦：50%以上）"),
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
