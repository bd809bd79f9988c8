"""All UI labels in one place: Chinese by default, English with ?lang=en."""
from __future__ import annotations

import streamlit as st

from metrics.registry import BY_ID

LABELS: dict[str, tuple[str, str]] = {
    "app_title": ("示范市重点项目建设监测", "Key Project Monitoring"),
    "month": ("报送月份", "Month"),
    "county": ("县区", "County"),
    "chain": ("产业链", "Industrial chain"),
    "tier": ("规模档次", "Size tier"),
    "level": ("项目级别", "Level"),
    "all": ("全部", "All"),
    "reset": ("重置筛选", "Reset filters"),
    "selection": ("当前选择", "Selection"),
    "data_as_of": ("数据截至", "Data as of"),
    "demo_data": ("演示数据（示范市）：库中尚无真实台账，导入后自动切换", "Demo data (示范市): no real ledger stored yet"),
    "real_data": ("正式数据", "Live data"),
    "imported_at": ("导入时间", "Imported"),
    "target": ("目标", "Target"),
    "gap": ("差距", "Gap"),
    "mom": ("较上月", "vs last month"),
    "n": ("统计项目", "n"),
    "no_data_month": ("所选月份没有数据。", "No data for the selected month."),
    "no_match": ("当前筛选条件下没有项目，请放宽筛选。", "No project matches the filters; widen them."),
    "download_csv": ("下载 CSV", "Download CSV"),
    "download_xlsx": ("下载 Excel", "Download Excel"),
    "lang": ("English", "中文"),
    "time_schedule": ("时序进度", "Time schedule"),
    "by_county": ("分县区", "By county"),
    "trend": ("逐月走势", "Monthly trend"),
    "pages_overview": ("总览", "Overview"),
    "pages_progress": ("项目推进", "Progress"),
    "pages_structure": ("投资结构", "Investment structure"),
    "pages_industry": ("产业结构", "Industry structure"),
    "pages_chain": ("链群配套", "Industrial chains"),
    "pages_efficiency": ("项目效益", "Efficiency"),
    "pages_management": ("管理服务", "Management"),
    "pages_pipeline": ("谋划招商", "Pipeline"),
    "pages_compare": ("县区比拼", "County ranking"),
    "pages_ledger": ("项目台账", "Project ledger"),
    "pages_admin": ("数据管理", "Data management"),
    "click_county": ("点击柱子可只看该县区", "Click a bar to focus on that county"),
    "no_filter": ("未筛选（全部项目）", "No filter (all projects)"),
}


def lang() -> str:
    """'zh' or 'en', from the URL (?lang=en) or the sidebar switch."""
    return "en" if st.session_state.get("lang", st.query_params.get("lang", "zh")) == "en" else "zh"


def t(key: str) -> str:
    """The label for a key in the current language."""
    zh, en = LABELS[key]
    return en if lang() == "en" else zh


def ind_name(indicator_id: str) -> str:
    """An indicator's name in the current language, from the registry."""
    ind = BY_ID[indicator_id]
    return ind.en if lang() == "en" else ind.zh
