"""The brief's and the reminders' labels in Chinese and English (figures are formatted by metrics/format.py)."""
from __future__ import annotations

LABELS: dict[str, tuple[str, str]] = {
    "title": ("{city}重点项目建设简报", "{city} key projects: monthly brief"),
    "month": ("{y}年{m}月", "{y}-{m:02d}"),
    "made": ("生成于 {at}", "Made {at}"),
    "demo": ("演示数据（示范市）", "Demo data (示范市)"),
    "target": ("目标", "Target"),
    "gap": ("差距", "Gap"),
    "mom": ("较上月", "vs last month"),
    "rank": ("名次", "Rank"),
    "county": ("县区", "County"),
    "score": ("得分", "Score"),
    "rank_change": ("变化", "Change"),
    "flags": ("标识", "Flags"),
    "红旗": ("红旗", "Red flag"),
    "蜗牛": ("蜗牛", "Snail"),
    "warning": ("约谈预警", "Warning"),
    "unreported": ("未报送", "Not reported"),
    "warning_why": ("约谈预警县区及失分原因", "Counties under interview warning, and why"),
    "no_warning": ("本月无县区触发约谈预警。", "No county is under interview warning this month."),
    "schedule": ("时序进度", "Time schedule"),
    "schedule_note": ("虚线为时序进度{v}；绿色达到、红色低于时序进度。",
                      "Dashed line: time schedule {v}; green meets it, red falls short."),
    "status_published": ("已报送", "Reported"),
    "status_late": ("逾期报送", "Late"),
    "status_pending": ("待审核", "Awaiting review"),
    "status_returned": ("已退回", "Returned"),
    "status_missing": ("未报送", "Missing"),
    "title_month": ("{title}（{month}）", "{title} ({month})"),
    "open_at": ("打开监测平台查看详情：{link}", "Open the dashboard: {link}"),
    "pdf": ("简报 PDF（打印、转发）", "The brief as PDF"),
    "open": ("打开监测平台查看详情", "Open the dashboard"),
    "footer": ("数据来自重点项目建设监测平台，口径与平台页面一致。", "Figures as on the dashboard's pages."),
    "summary_rank": ("红旗：{red}；蜗牛：{snail}；约谈预警：{warn}", "Red flag: {red}; snail: {snail}; warning: {warn}"),
    "none": ("无", "none"),
    "duban_none": ("无逾期、临期的督办事项。", "No 督办 item is overdue or due soon."),
}


def say(key: str, lang: str = "zh", **fields) -> str:
    """The label in the language, its {fields} filled in."""
    zh, en = LABELS[key]
    text = en if lang == "en" else zh
    return text.format(**fields) if fields else text


def month_title(month, lang: str = "zh") -> str:
    """2025-06 → '2025年6月' (or '2025-06')."""
    return say("month", lang, y=month.year, m=month.month)


NUMERALS = "一二三四五六七八九十"


def numbered(k: int, title: str, lang: str = "zh") -> str:
    """A section heading with its number: '一、主要指标' or '1. Headline figures'."""
    return f"{k}. {title}" if lang == "en" else f"{NUMERALS[k - 1]}、{title}"
