"""The bulletin's sentences: every number in them comes from the collected content, formatted by metrics.format."""
from __future__ import annotations

import datetime as dt

from data.months import add_months, month_zh, months_left
from data.submissions import MonthReport
from metrics.format import fmt_money, fmt_points, fmt_rate, format_value
from metrics.indicator import meets
from metrics.lights import LONG_PROBLEM_MONTHS
from metrics.ranking import indicator_of
from metrics.registry import BY_ID
from reports.bulletin.content import Bulletin


FLAT = 0.0005  # a change that prints as 0.0 (% or points) is said to be 持平, not 增长/下降 0.0


def _change(v, *, none: str, flat: str, up: str, down: str, fmt) -> str:
    """A change in words: `none` when unknown, `flat` when it rounds to nothing, else `up`/`down` and its size."""
    if v is None:
        return none
    if abs(v) < FLAT:
        return flat
    return f"{up if v > 0 else down}{fmt(abs(v))}"


def _vs_schedule(dev) -> str:
    return _change(dev, none="无年度计划投资，无法与时序进度比较", flat="与时序进度持平", up="高于时序进度",
                   down="低于时序进度", fmt=lambda x: fmt_points(x, signed=False))


def _vs_target(iid: str, v, month: int) -> str:
    ind = BY_ID[iid]
    t = ind.target_for(month)
    ok = meets(ind.direction, v, t)
    if ok is None:
        return ""
    return f"（目标{format_value(ind, t)}，{'已达标' if ok else '差' + fmt_points(v - t, signed=False)}）"


def _rate(b: Bulletin, iid: str, name: str, target: bool = True) -> str:
    """'民间投资占比58.0%（目标60.0%，差2.0个百分点）'."""
    v = b.summary[iid]
    return f"{name}{fmt_rate(v)}" + (_vs_target(iid, v, b.month.month) if target else "")


def summary_sentences(b: Bulletin) -> list[str]:
    """The headline figures in sentences."""
    r = b.summary
    s1 = (f"{b.scope}共有重点项目{r['project_count']}个，总投资{fmt_money(r['total_investment_sum'])}。"
          f"建设项目（新开工、续建）年度计划投资{fmt_money(r['plan_investment_sum'])}，"
          f"本年完成投资{fmt_money(r['completed_ytd_sum'])}{_yoy(r['completed_ytd_yoy'])}，"
          f"投资完成率{fmt_rate(r['investment_completion_rate'])}，"
          f"{_vs_schedule(r['schedule_deviation'])}（时序进度{fmt_rate(r['time_schedule'])}）。")
    mom_txt = _change(r["monthly_investment_mom"], none="（上月无可比数据）", flat="，环比持平", up="，环比增长",
                      down="，环比下降", fmt=fmt_rate)
    s2 = f"当月完成投资{fmt_money(r['monthly_investment'])}{mom_txt}；亿元以上项目当月新开工{r['new_starts_100m']}个。"
    planned, started = b.new_starts
    s3 = (f"本年度计划开工项目{planned}个（其中1-{b.month.month}月序时应开工{r['planned_starts_to_date']}个），"
          f"已开工{started}个（其中提前开工{r['early_starts']}个，应开工未开工{r['overdue_not_started']}个），"
          f"完成年度计划开工的{fmt_rate(r['start_rate'])}{_vs_target('start_rate', r['start_rate'], b.month.month)}；"
          f"{_rate(b, 'resume_rate', '续建项目复工率')}。")
    s4 = (f"{_rate(b, 'private_share', '民间投资占比')}，{_rate(b, 'industrial_share', '产业投资占比')}，"
          f"{_rate(b, 'emerging_share', '新兴产业占比', target=False)}。")
    s5 = (f"滞后项目{r['lagging_projects']}个，停工项目{r['stopped_projects']}个，僵尸项目{r['zombie_projects']}个，"
          f"存在问题项目{r['problem_projects']}个（其中问题超过{LONG_PROBLEM_MONTHS}个月未解决的{r['long_standing_problems']}个，"
          f"见{b.annexes[-1].split(' ')[0]}）；招商签约项目{r['signed_projects']}个，"
          f"{_rate(b, 'signed_start_rate', '签约项目开工率')}。")
    s6 = f"三色预警：红灯项目{r['red_projects']}个，黄灯项目{r['yellow_projects']}个。"
    return [s1, s2, s3, s4, s5, s6]


def _yoy(v) -> str:
    """'，同比增长30.6%' beside 本年完成投资 (DOMAIN.md Part 2 completed_ytd_yoy)."""
    return _change(v, none="（去年同期无可比数据）", flat="，与去年同期持平", up="，同比增长", down="，同比下降", fmt=fmt_rate)


def intro_sentence(b: Bulletin) -> str:
    """What is reported, for which month, as of when, from what."""
    month_end = add_months(b.month, 1) - dt.timedelta(days=1)
    scope = "" if b.filters.is_empty() else f"，统计范围：{b.filters.describe()}"
    return (f"现将{month_zh(b.month)}全市重点项目建设情况通报如下（数据月份：{month_zh(b.month)}，"
            f"数据截至{month_end.year}年{month_end.month}月{month_end.day}日，来源为各县区报送的重点项目台账{scope}）。")


def ranking_sentence(b: Bulletin) -> str:
    card = b.card
    items = "、".join(f"{indicator_of(i.id).zh}{i.weight:g}分" for i in card.items)
    parts = [f"按评分表（{items}）对各县区综合评分排名。"]
    if b.red:
        parts.append(f"综合排名第一、获评“红旗”的是{'、'.join(b.red)}；")
    if b.snail:
        parts.append(f"排名末位、列为“蜗牛”的是{'、'.join(b.snail)}。")
    return "".join(parts)


def warning_paragraphs(b: Bulletin) -> list[str]:
    """The 约谈预警 rule and each warned county with the reasons, or that none was warned."""
    card = b.card
    if not b.warnings:
        return [f"本月无县区连续{card.warning_months}个月排名后{card.warning_places}位，未触发约谈预警。"]
    out = [f"按照连续{card.warning_months}个月排名后{card.warning_places}位予以约谈预警的规定，"
           f"本月{'、'.join(w['county'] for w in b.warnings)}触发约谈预警，主要失分原因如下："]
    for k, w in enumerate(b.warnings, 1):
        flag = f"，{w['flag']}" if w["flag"] else ""
        out.append(f"{k}．{w['county']}（第{w['rank']}名{flag}）：{w['explanation']}。")
    return out


def gap_sentence(b: Bulletin) -> str:
    left, unit = months_left(b.month), b.tables["距年度目标"].unit
    if not left:
        return f"本月为年末，各县区年度计划完成情况如下（{unit}）。"
    return f"截至{month_zh(b.month)}，各县区距年度计划投资的差额，以及此后{left}个月每月需完成的投资（{unit}）如下。"


def annex_lines(b: Bulletin) -> list[str]:
    """The annex list under the body: '1．滞后项目清单（12个）'."""
    return [f"{k}．{name.split(' ', 1)[1]}（{b.tables[name].frame.height}个）" for k, name in enumerate(b.annexes, 1)]


def annex_title(b: Bulletin, name: str) -> str:
    return f"{name.split(' ', 1)[1]}（{month_zh(b.month)}，{b.tables[name].frame.height}个）"


def title(b: Bulletin) -> str:
    return f"{b.city}重点项目建设情况通报（{month_zh(b.month)}）"


def reporting_sentence(report: MonthReport) -> str:
    """'本月应报送单位9个，按时报送7个，逾期报送1个（西城区），未报送1个（北岭县）。' and the deadline."""
    done = report.of("published")
    late = [u.unit for u in done if u.late]
    parts = [f"本月应报送单位{len(report.units)}个", f"按时报送{len(done) - len(late)}个"]
    for label, names in (("逾期报送", late), ("已报送待审核", [u.unit for u in report.of("pending")]),
                         ("被退回修改", [u.unit for u in report.of("returned")]),
                         ("未报送", [u.unit for u in report.of("missing")])):
        if names:
            parts.append(f"{label}{len(names)}个（{'、'.join(names)}）")
    due = report.deadline
    return "，".join(parts) + f"。报送截止日为{due.year}年{due.month}月{due.day}日。"
