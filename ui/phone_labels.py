"""Issue #27's labels: the phone layout (ui/cards.py, ui/phone.py) and 数据管理's push panel (ui/admin/push.py), merged
into ui/i18n.py's LABELS."""
from __future__ import annotations

PHONE_LABELS: dict[str, tuple[str, str]] = {
    "phone_weakest": ("最弱指标", "Weakest"),
    "phone_unreported": ("未报送", "Not reported"),
    "phone_plan": ("年度计划", "Year's plan"),
    "phone_done": ("已完成", "Done"),
    "phone_shortfall": ("差额", "Shortfall"),
    "phone_monthly": ("每月需完成", "Needed a month"),
    "phone_completion": ("完成率", "Completion"),
    "phone_red_first": ("红灯在前，其次黄灯，同色按总投资从大到小", "Red lights first, then yellow, larger projects first"),
    "phone_more": ("另有 {n} 个项目未列出：请用上面的搜索或筛选缩小范围", "{n} more projects: narrow them with the search"),
    "screen_touch_prev": ("上一页", "Back"),
    "screen_touch_pause": ("暂停", "Pause"),
    "screen_touch_next": ("下一页", "Next"),
    "screen_touch_exit": ("退出大屏", "Exit"),
    "push_title": ("推送到群（钉钉 / 企业微信）", "Push to chat groups (DingTalk / WeCom)"),
    "push_caption": ("每月简报图片和催报发到领导群、单位群；地址和密钥只在本机推送设置（push.json，仅本账户可读）中保存，页面和"
                     "操作记录中只显示遮蔽后的地址。命令行与定时任务见 README。",
                     "The month's brief and reminders to groups; addresses and secrets stay in push.json (owner-only), shown "
                     "masked here and never in the log."),
    "push_none": ("尚未添加推送对象。", "No target yet."),
    "push_name": ("名称", "Name"), "push_kind": ("平台", "Platform"), "push_url": ("Webhook 地址", "Webhook URL"),
    "push_secret": ("加签密钥（钉钉，SEC 开头；企业微信留空）", "Signing secret (DingTalk only)"),
    "push_signed": ("加签", "Signed"), "push_added": ("添加时间", "Added"), "push_added_by": ("添加人", "Added by"),
    "push_add": ("添加推送对象", "Add target"), "push_added_ok": ("已添加推送对象“{name}”。", "Target “{name}” added."),
    "push_remove": ("删除", "Remove"), "push_removed_ok": ("已删除推送对象“{name}”。", "Target “{name}” removed."),
    "push_pick": ("推送对象", "Target"),
    "push_send": ("发送本月简报", "Send the month's brief"),
    "push_download": ("下载简报图片（PNG）", "Download the brief (PNG)"),
    "push_base": ("监测平台网址（消息中的链接）", "Dashboard address (the link in messages)"),
    "push_base_save": ("保存网址", "Save address"), "push_base_ok": ("已保存监测平台网址。", "Address saved."),
    "push_sign_in": ("分析员登录后可管理推送对象、发送简报。", "Sign in as the analyst to manage targets and send."),
    "push_demo": ("当前显示的是演示数据（示范市），不能推送：先导入本市的台账。", "The demo city cannot be pushed."),
}
