"""The phone layout's labels (ui/cards.py, ui/phone.py), merged into ui/i18n.py's LABELS."""
from __future__ import annotations

PHONE_LABELS: dict[str, tuple[str, str]] = {
    "phone_weakest": ("最弱指标", "Weakest"),
    "phone_unreported": ("未报送", "Not reported"),
    "phone_plan": ("年度计划", "Year's plan"),
    "phone_done": ("已完成", "Done"),
    "phone_shortfall": ("差额", "Shortfall"),
    "phone_monthly": ("每月需完成", "Needed a month"),
    "phone_completion": ("完成率", "Completion"),
    "phone_more": ("另有 {n} 个项目未列出：请用上面的搜索或筛选缩小范围", "{n} more projects: narrow them with the search"),
    "screen_touch_prev": ("上一页", "Back"),
    "screen_touch_pause": ("暂停", "Pause"),
    "screen_touch_next": ("下一页", "Next"),
    "screen_touch_exit": ("退出大屏", "Exit"),
}
