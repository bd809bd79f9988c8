"""Progress tables and project lists laid out the way real offices lay them out (issue #26): a 沣西新城-style
重点项目建设进度表, a 龙泉办-style 推进情况表, a 省市重点项目月进度 sheet with a two-level header, a provincial plan list
in 亿元 — title rows, 单位 lines, 填报单位 lines, group headings, merged cells — and the registers they report against.
Each writer returns the path; the tests write the snapshots they must give out by hand."""
from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.utils import get_column_letter


def _sheet(rows: list[list], path: Path, *, merges: tuple[str, ...] = (), title: str = "Sheet1") -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = title
    for r in rows:
        ws.append(r)
    for m in merges:
        ws.merge_cells(m)
    path = Path(path)
    wb.save(path)
    return path


def _title_merge(row: int, ncols: int) -> str:
    return f"A{row}:{get_column_letter(ncols)}{row}"


# ---- A. 沣西新城-style 重点项目建设进度表: year-stamped headings, prior years + the year's amount, group headings -------
FENGXI_REGISTER = [
    ["沣西新城2017年重点项目名单"],
    ["项目名称", "县区", "项目类别", "产业类型", "项目级别", "建设性质", "投资主体", "总投资(万元)", "年度计划投资(万元)",
     "计划开工时间", "是否招商引资签约项目", "包抓领导"],
    ["沣西新城信息产业园二期", "沣西新城", "产业", "新兴产业", "省级", "续建", "国有企业", 120000, 40000, "2016-03-01", "否", "王刚"],
    ["沣西新城大数据中心", "沣西新城", "产业", "新兴产业", "市级", "新开工", "民间投资", 200000, 30000, "2017-03-15", "是", None],
    ["同德路（康定路—白马河路）", "沣西新城", "基础设施", None, "市级", "续建", "政府投资", 28000, 16000, "2016-06-01", "否",
     "李明"],
    ["沣西新城第二热源厂", "沣西新城", "基础设施", None, "县级", "新开工", "国有企业", 35000, 15000, "2017-04-01", "否", None],
]

FENGXI_COLUMNS = ["序号", "项目名称", "建设内容及规模", "建设起止年限", "总投资", "至2016年已累计完成投资", "2017年计划投资",
                  "2017年1-2月完成投资", "项目状态", "形象进度", "项目业主", "责任单位"]
FENGXI = [
    ["沣西新城2017年重点项目建设进度表（1-2月）"],
    ["填报单位：沣西新城管委会经济发展局            单位：万元"],
    FENGXI_COLUMNS,
    ["一、产业类项目（2个）"],
    [1, "沣西新城信息产业园二期", "研发楼8栋，总建筑面积12万平方米", "2016-2018", 120000, 30000, 40000, 5200, "在建项目",
     "3号楼主体封顶，4号楼基础施工", "陕西沣西信息产业发展有限公司", "经发局"],
    [2, "沣西新城大数据中心", "数据机房及配套，3万机架", "2017.3-2019.12", "20亿元", 0, 30000, 0, "未开工",
     "完成土地摘牌，正在办理规划手续", "某某云计算有限公司", "经发局"],
    ["二、基础设施类项目（2个）"],
    [3, "同德路（康定路—白马河路）", "道路长2.1公里，红线宽50米", "2016年6月至2017年12月", 28000, 12000, 16000, 2100,
     "在建", "路基施工完成60%", "沣西新城市政公司", "建设局"],
    [4, "沣西新城第二热源厂", "2台116兆瓦燃气锅炉", "2017—2018", 35000, None, 15000, 800, "在建项目", "主厂房基础开挖",
     "沣西新城热力公司", "建设局"],
    ["合计", None, None, None, 383000, 42000, 101000, 8100],
]


def fengxi_register(path: Path) -> Path:
    return _sheet(FENGXI_REGISTER, path, merges=(_title_merge(1, 12),))


def fengxi_progress(path: Path) -> Path:
    return _sheet(FENGXI, path, merges=(_title_merge(1, 12), _title_merge(2, 12), "A4:L4", "A7:L7"))


# ---- B. 龙泉办-style 推进情况表: 填报单位 line, year and month apart in the title, monthly columns, 形象进度 group ----
LONGQUAN_REGISTER = [
    ["项目编码", "项目名称", "县区", "产业链", "项目类别", "产业类型", "项目级别", "建设性质", "投资主体", "总投资(万元)",
     "年度计划投资(万元)", "是否招商引资签约项目", "包抓领导", "项目业主"],
    ["LQ-2021-001", "龙泉驿区汽车零部件产业园", "龙泉驿区", "汽车", "产业", "传统产业", "市级", "续建", "民间投资", 68000,
     12000, "是", "张伟", "成都某汽车零部件有限公司"],
    ["LQ-2021-002", "东安湖体育公园配套道路", "龙泉驿区", None, "基础设施", None, "省级", "续建", "政府投资", 45000, 20000,
     "否", "刘洋", "龙泉驿区城投公司"],
    ["LQ-2021-003", "龙泉驿区第二人民医院迁建", "龙泉驿区", None, "社会民生", None, "县级", "新开工", "政府投资", 30000,
     8000, "否", None, "龙泉驿区卫健局"],
]
# August, published before: the canonical ledger (every column), as the county sent it last month.
LONGQUAN_AUGUST = [
    ["报送月份", "项目编码", "项目名称", "县区", "产业链", "项目类别", "产业类型", "项目级别", "建设性质", "建设状态", "投资主体",
     "总投资(万元)", "年度计划投资(万元)", "本年累计完成投资(万元)", "开工累计完成投资(万元)", "本年资金到位(万元)",
     "实际开工时间", "是否招商引资签约项目", "是否入统"],
    ["2021-08", "LQ-2021-001", "龙泉驿区汽车零部件产业园", "龙泉驿区", "汽车", "产业", "传统产业", "市级", "续建", "在建",
     "民间投资", 68000, 12000, 7000, 41000, 6500, "2020-05-10", "是", "是"],
    ["2021-08", "LQ-2021-002", "东安湖体育公园配套道路", "龙泉驿区", None, "基础设施", None, "省级", "续建", "在建",
     "政府投资", 45000, 20000, 11000, 30000, 11000, "2020-09-01", "否", "是"],
    ["2021-08", "LQ-2021-003", "龙泉驿区第二人民医院迁建", "龙泉驿区", None, "社会民生", None, "县级", "新开工", "未开工",
     "政府投资", 30000, 8000, 0, 0, 0, None, "否", "否"],
]
LONGQUAN = [
    ["2021年龙泉驿区重点项目推进情况表（9月进度）"],
    ["报送单位：龙泉驿区重点项目推进办公室", None, None, None, None, None, None, None, None, None, None, None, None, None,
     None, "单位：万元"],
    ["序号", "项目编码", "项目名称", "项目业主", "建设地点", "建设内容", "总投资(亿元)", "年度计划投资(亿元)", "7月完成投资",
     "8月完成投资", "9月完成投资", "1-9月累计完成投资", "形象进度", None, None, "开工/计划开工时间", "存在问题", "责任单位"],
    [None, None, None, None, None, None, None, None, None, None, None, None, "7月进度", "9月进度", "年度目标"],
    [1, "LQ-2021-001", "龙泉驿区汽车零部件产业园", "成都某汽车零部件有限公司", "龙泉街道", "厂房12万平方米", "6.8亿元", 1.2,
     900, 1100, 1300, 8300, "3号厂房钢结构安装", "3号厂房封顶", "全部厂房封顶", "2020.5.10", None, "区经信局"],
    [2, "LQ-2021-002", "东安湖体育公园配套道路", "龙泉驿区城投公司", "东安街道", "道路4.6公里", 4.5, "约1.35亿元", 1500,
     1600, 1700, 12800, "路基完成70%", "路面摊铺", "全线通车", "2020年9月1日", "部分路段拆迁未完成", "区住建局"],
    [3, "LQ-2021-003", "龙泉驿区第二人民医院迁建", "龙泉驿区卫健局", "大面街道", "床位600张", 3, 0.8, 0, 0, 300, 300,
     "完成方案设计", "桩基施工", "主体出地面", "9月下旬", None, "区卫健局"],
    ["合计", None, None, None, None, None, 14.3, 3.35, 2400, 2700, 3300, 21400],
]
LONGQUAN_MERGES = ("A1:R1", "M3:O3", "A3:A4", "B3:B4", "C3:C4", "D3:D4", "E3:E4", "F3:F4", "G3:G4", "H3:H4", "I3:I4",
                   "J3:J4", "K3:K4", "L3:L4", "P3:P4", "Q3:Q4", "R3:R4")


def longquan_register(path: Path) -> Path:
    return _sheet(LONGQUAN_REGISTER, path)


def longquan_august(path: Path) -> Path:
    return _sheet(LONGQUAN_AUGUST, path)


def longquan_progress(path: Path) -> Path:
    return _sheet(LONGQUAN, path, merges=LONGQUAN_MERGES)


# ---- C. 省市重点项目月进度 sheet: a two-level header, 省列/市列, 投资主体 holding a name, a county file without 县区 ----
SHIMEN_REGISTER = [
    ["2025年石门县省市重点项目名单"],
    ["项目编码", "项目名称", "县区", "项目类别", "产业类型", "项目级别", "建设性质", "投资主体", "总投资(万元)",
     "年度计划投资(万元)", "计划开工时间", "计划竣工时间", "是否招商引资签约项目", "包抓领导"],
    ["SM25-01", "石门县锂电材料一体化项目", "石门县", "产业", "新兴产业", "省级", "续建", "民间投资", 150000, 50000,
     "2024-03-01", "2026-12-31", "是", "赵强"],
    ["SM25-02", "石门县城区供水管网改造", "石门县", "基础设施", None, "市级", "续建", "国有企业", 26000, 9000,
     "2024-08-01", "2025-12-31", "否", "钱进"],
    ["SM25-03", "石门县职业教育园区", "石门县", "社会民生", None, "市级", "新开工", "政府投资", 42000, 12000,
     "2025-04-01", "2027-06-30", "否", None],
]
SHIMEN = [
    ["2025年省市重点项目6月进度表"],
    ["填报单位：石门县发展和改革局", None, None, None, None, None, None, None, "单位：万元"],
    ["序号", "项目编码", "项目名称", "级别", "投资主体", "投资情况", None, None, None, "进度情况", None, "存在问题"],
    [None, None, None, None, None, "总投资", "2025年计划投资", "1-6月完成投资", "开工累计完成投资", "形象进度", "开工时间",
     None],
    [1, "SM25-01", "石门县锂电材料一体化项目", "省列", "民营", 150000, 50000, 26000, 98000, "一期投产，二期设备安装",
     "2024-03-18", "用工缺口约200人"],
    [2, "SM25-02", "石门县城区供水管网改造", "市列", "石门县城市建设投资有限公司", 26000, 9000, 5400, 17400,
     "完成管网18公里", "2024-08-20", None],
    [3, "SM25-03", "石门县职业教育园区", "市列", "政府", "4.2亿", 12000, 3000, 3000, "教学楼基础施工", "4月中旬", None],
]
SHIMEN_MERGES = ("A1:L1", "F3:I3", "J3:K3", "A3:A4", "B3:B4", "C3:C4", "D3:D4", "E3:E4", "L3:L4")


def shimen_register(path: Path) -> Path:
    return _sheet(SHIMEN_REGISTER, path, merges=("A1:N1",))


def shimen_progress(path: Path) -> Path:
    return _sheet(SHIMEN, path, merges=SHIMEN_MERGES)


# ---- D. a provincial plan list in 亿元 (a register): title level, group headings, merged 县区, amounts with units ---
PROVINCE = [
    ["2025年省重点项目计划表"],
    [None, None, None, None, None, None, None, "单位：亿元"],
    ["序号", "项目名称", "县区", "建设内容及规模", "建设起止年限", "总投资", "2025年计划投资", "项目业主"],
    ["一、产业项目（3个）"],
    [1, "临河县绿色建材产业园", "临河县", "年产装配式构件50万立方米", "2024.6-2026.12", 6.8, 2, "临河县建材集团有限公司"],
    [2, "临河县储能电池项目", None, "年产5GWh储能电池", "2025-2027", "约12亿元", "3500万元", "某某新能源科技有限公司"],
    [3, "北岭县现代农业产业园", "北岭县", "高标准农田2万亩及冷链", "2023年3月至2025年12月", 3.6, 1.1, "北岭县农投公司"],
    ["二、社会民生类（1个）"],
    [4, "北岭县人民医院新院区", "北岭县", "床位800张", "建设工期3年", 9.5, 2.5, "北岭县人民医院"],
]
PROVINCE_MERGES = ("A1:H1", "A4:H4", "C5:C6", "A8:H8")


def province_plan(path: Path) -> Path:
    return _sheet(PROVINCE, path, merges=PROVINCE_MERGES)


# The county's May, published before: a full ledger without codes (the register's codes are found by name).
LINHE_MAY = [
    ["报送月份", "项目名称", "县区", "项目类别", "产业类型", "项目级别", "建设性质", "建设状态", "投资主体", "总投资(万元)",
     "年度计划投资(万元)", "本年累计完成投资(万元)", "开工累计完成投资(万元)", "本年资金到位(万元)", "实际开工时间",
     "立项(审批/核准/备案)时间", "是否招商引资签约项目", "包抓领导", "是否入统"],
    ["2025-05", "临河县绿色建材产业园", "临河县", "产业", "新兴产业", "省级", "续建", "在建", "国有企业", 68000, 20000, 7000,
     23000, 6000, "2024-07-01", "2024-03-10", "否", "孙立", "是"],
    ["2025-05", "临河县储能电池项目", "临河县", "产业", "新兴产业", "省级", "新开工", "未开工", "民间投资", 120000, 3500, 0, 0,
     0, None, "2025-02-20", "是", None, "否"],
]
# A county's month against the provincial list: progress only, no 县区, no 项目编码, a 填报单位 line.
LINHE_JUNE = [
    ["临河县2025年1-6月省重点项目进展情况"],
    ["填报单位：临河县发展和改革局"],
    ["项目名称", "建设状态", "1-6月完成投资", "开工累计完成投资", "本年资金到位", "实际开工时间", "形象进度"],
    ["临河县绿色建材产业园", "施工中", 9000, 25000, 8000, "2024-07-01", "2号车间设备调试"],
    ["临河县储能电池项目", "未开工", 0, 0, 0, None, "完成环评公示"],
]


def linhe_may(path: Path) -> Path:
    return _sheet(LINHE_MAY, path)


def linhe_june(path: Path) -> Path:
    return _sheet(LINHE_JUNE, path, merges=("A1:G1", "A2:G2"))


def write_rows(rows: list[list], path: Path, merges: tuple[str, ...] = ()) -> Path:
    """Any rows as an .xlsx sheet (a test's own table)."""
    return _sheet(rows, path, merges=merges)
