"""The demo city 示范市 declared: its counties and their character, chains, names, seasons, and the month calendar."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from data.city import DEMO_CITY

SEED = 20240601
CITY = DEMO_CITY
YEARS = (2024, 2025)
N_MONTHS = 12 * len(YEARS)
NEVER = 10**6  # a day number beyond any snapshot: "not (yet) happened"
NO_MONTH = 99  # a month index beyond the horizon


@dataclass(frozen=True)
class County:
    """A fictional county-level unit and the knobs that give it its character."""

    name: str
    code: str
    weight: float  # share of the city's projects
    perf: float  # multiplies how much of the annual plan gets done
    delay: int  # extra months before 新开工 projects start
    never: float  # extra chance a 新开工 project does not start at all
    industry: float  # share of 产业 projects
    private: float  # chance an 产业 project is 民间投资
    weak: float  # 0 = well run … 1 = problems, missing leaders, statistics gaps, slow procedures
    chains: tuple[str, ...]


COUNTIES: tuple[County, ...] = (
    County("东城区", "369902", 0.10, 1.00, 0, 0.00, 0.38, 0.52, 0.10, ("数字经济", "电子信息", "文化旅游", "生物医药")),
    County("西城区", "369903", 0.09, 0.98, 0, 0.00, 0.40, 0.50, 0.10, ("现代物流", "文化旅游", "数字经济", "绿色食品")),
    County("高新区", "369971", 0.14, 1.10, -1, 0.00, 0.80, 0.68, 0.00, ("集成电路", "电子信息", "新材料", "生物医药", "航空")),
    County("经开区", "369972", 0.14, 1.04, 0, 0.00, 0.76, 0.54, 0.05, ("新能源汽车", "装备制造", "新型储能", "现代化工")),
    County("青山县", "369921", 0.11, 0.97, 0, 0.02, 0.50, 0.49, 0.20, ("有色金属精深加工", "光伏", "新型储能", "节能环保")),
    County("临河县", "369922", 0.11, 0.96, 0, 0.02, 0.50, 0.49, 0.20, ("现代化工", "纺织服装", "现代物流", "绿色食品")),
    County("北岭县", "369923", 0.10, 0.91, 1, 0.04, 0.45, 0.44, 0.30, ("光伏", "有色金属精深加工", "绿色食品", "文化旅游")),
    County("南湖县", "369924", 0.11, 1.00, 0, 0.02, 0.50, 0.50, 0.20, ("绿色食品", "纺织服装", "文化旅游", "节能环保")),
    County("石门县", "369925", 0.10, 0.66, 3, 0.28, 0.45, 0.39, 1.00, ("有色金属精深加工", "装备制造", "现代化工", "绿色食品")),
)
LAGGING_COUNTY = "石门县"
LEADING_COUNTY = "高新区"
COUNTY_NAMES = tuple(c.name for c in COUNTIES)

# chain → (is emerging, product phrases used in project names)
CHAINS: dict[str, tuple[bool, tuple[str, ...]]] = {
    "新能源汽车": (True, ("新能源汽车零部件产业园", "年产20万套电驱动系统", "动力电池壳体生产线", "新能源专用车整车制造")),
    "集成电路": (True, ("功率半导体封装测试", "晶圆级先进封装", "集成电路材料产业园", "芯片设计与测试中心")),
    "生物医药": (True, ("生物医药产业园", "原料药绿色化改造", "中药配方颗粒生产线", "医疗器械生产基地")),
    "新材料": (True, ("高性能碳纤维复合材料", "电子级多晶硅材料", "特种合金新材料", "石墨烯应用产业化")),
    "装备制造": (False, ("智能装备制造产业园", "工程机械再制造", "数控机床精密部件", "农机装备生产基地")),
    "有色金属精深加工": (False, ("铝合金精深加工", "高精度铜板带箔", "再生铝循环利用", "铝基新材料产业园")),
    "绿色食品": (False, ("绿色农产品精深加工", "中央厨房及冷链配送", "富硒茶叶加工", "肉牛屠宰及精深加工")),
    "现代物流": (False, ("智慧物流园", "冷链物流中心", "铁路专用线及物流基地", "电商快递分拨中心")),
    "文化旅游": (False, ("古镇文旅综合开发", "全域旅游集散中心", "温泉康养度假区", "红色文化教育基地")),
    "电子信息": (True, ("智能终端产业园", "高端印制电路板", "光电显示模组", "电子元器件生产基地")),
    "新型储能": (True, ("独立储能电站", "钠离子电池生产线", "储能系统集成基地", "全钒液流电池储能")),
    "光伏": (True, ("农光互补光伏电站", "光伏组件生产线", "分布式光伏整县推进", "N型高效电池片")),
    "纺织服装": (False, ("纺织服装产业园", "高端面料生产线", "智能化纺纱改造", "服装辅料生产基地")),
    "现代化工": (False, ("精细化工产业园", "可降解材料生产", "化工园区循环化改造", "氟化工新材料")),
    "数字经济": (True, ("大数据中心", "工业互联网平台", "智慧城市运营中心", "算力中心")),
    "节能环保": (True, ("固废综合利用", "节能装备制造", "再生资源回收利用基地", "工业余热回收利用")),
    "航空": (True, ("通用航空产业园", "航空零部件精密制造", "无人机研发生产基地", "通用机场")),
}
CHAIN_NAMES = tuple(CHAINS)

CATEGORY_P = {"产业": None, "基础设施": 0.42, "社会民生": 0.30, "生态环保": 0.17, "其他": 0.11}  # non-产业 split
SIZE_MU = {"产业": 9_000.0, "基础设施": 17_000.0, "社会民生": 8_000.0, "生态环保": 9_000.0, "其他": 7_000.0}
INVESTOR_P = {  # 政府投资, 国有企业, 民间投资, 外商投资 (产业 uses the county's private share instead)
    "基础设施": (0.55, 0.40, 0.05, 0.00),
    "社会民生": (0.75, 0.15, 0.10, 0.00),
    "生态环保": (0.55, 0.30, 0.15, 0.00),
    "其他": (0.35, 0.35, 0.30, 0.00),
}
INVESTORS = ("政府投资", "国有企业", "民间投资", "外商投资")
NAME_TEMPLATES = {
    "基础设施": ("{p}至{q}公路改扩建工程", "{p}镇供水管网改造工程", "{p}污水处理厂提标扩容工程", "{p}片区综合管廊工程",
             "{p}大道快速化改造工程", "{r}{p}段防洪治理工程", "{c}高铁站前广场及配套路网", "{p}110千伏输变电工程",
             "{p}城乡供水一体化工程", "{p}互通立交及连接线工程", "{p}至{q}旅游公路", "{p}停车场及充电设施"),
    "社会民生": ("{c}人民医院住院综合楼", "{p}中学新建工程", "{p}养老服务中心", "{p}保障性租赁住房",
             "{c}职业教育实训基地", "{p}老旧小区改造工程", "{c}妇幼保健院迁建工程", "{p}城中村改造安置房",
             "{p}全民健身中心", "{c}中医院康复大楼", "{p}小学及幼儿园", "{p}社区卫生服务中心"),
    "生态环保": ("{r}{p}段综合治理工程", "{c}生活垃圾焚烧发电", "{p}矿山生态修复工程", "{r}{p}湿地公园",
             "{p}农村人居环境整治", "{p}工业园区污水集中处理", "{c}餐厨垃圾资源化利用", "{p}国土绿化示范工程"),
    "其他": ("{p}乡村振兴示范片区", "{c}科创中心", "{c}会展中心", "{p}城市更新片区", "{p}数字乡村建设",
           "{p}现代农业产业园"),
}
PLACES = ("青龙", "白石", "柳湾", "桃源", "松岭", "龙泉", "金沙", "云台", "凤鸣", "清水", "杏花", "马坊", "南关", "石桥")
RIVERS = ("清河", "柳河", "白沙河", "青龙河", "桃花溪", "金水河")
BRANDS = ("华晟", "中拓", "金泰", "宏远", "恒信", "瑞丰", "博远", "凯盛", "天润", "鑫源", "德润", "聚能", "长盈", "海创",
          "嘉禾", "锐驰", "兴邦", "卓越", "润泽", "安泰", "万合", "星河", "永昌", "盛世")
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"
GIVEN = ("建国", "志强", "海涛", "晓东", "丽华", "红梅", "卫东", "国庆", "建华", "新民", "立新", "振华", "文斌", "明亮",
         "秀英", "玉兰", "永刚", "春生", "德胜", "光明")
PROBLEMS_GENERAL = ("征地拆迁未完成", "资金链紧张", "环评未批复", "用地指标不足", "融资困难，银行贷款未落实",
                    "施工许可未办理", "电力接入未落实", "林地手续未办结", "设计方案调整", "专项债资金未到位",
                    "涉及基本农田调整")
PROBLEMS_STALL = ("资金链紧张", "企业投资意愿下降，施工队伍撤场", "融资困难，银行贷款未落实", "征地拆迁未完成",
                  "专项债资金未到位")
PROBLEMS_START = ("用地指标不足", "环评未批复", "征地拆迁未完成", "施工许可未办理", "林地手续未办结",
                  "企业投资意愿下降")

# Month weights of the year's investment: Spring Festival (2024-02-10, 2025-01-29) dips, year-end push.
SEASON = {
    2024: np.array([0.058, 0.036, 0.094, 0.097, 0.096, 0.100, 0.078, 0.078, 0.085, 0.080, 0.094, 0.135]),
    2025: np.array([0.048, 0.042, 0.096, 0.097, 0.096, 0.100, 0.078, 0.078, 0.085, 0.080, 0.096, 0.135]),
}
# Planned start month of 新开工 projects (Jan … Dec): most in spring, a tail into autumn.
PLANNED_START_P = np.array([0.07, 0.09, 0.27, 0.25, 0.13, 0.08, 0.04, 0.03, 0.02, 0.01, 0.01, 0.00])

BT_NONE, BT_NEW, BT_CONT, BT_PRE, BT_RES = 0, 1, 2, 3, 4
BT_LABEL = np.array(["", "新开工", "续建", "前期", "储备"], dtype=object)
ST_LABEL = np.array(["未开工", "在建", "停工", "竣工", "投产"], dtype=object)
ST_NOT, ST_BUILD, ST_STOP, ST_DONE, ST_PROD = 0, 1, 2, 3, 4
EPOCH_M = np.datetime64("2024-01", "M")


def month_start_days(t: np.ndarray | int) -> np.ndarray:
    """Day number (since 1970-01-01) of the first day of month index t (0 = 2024-01; negatives allowed)."""
    return (EPOCH_M + np.asarray(t, dtype=np.int64)).astype("datetime64[D]").astype(np.int64)


def month_of_day(days: np.ndarray) -> np.ndarray:
    """Month index (0 = 2024-01) of a day number; NEVER maps beyond the horizon."""
    days = np.asarray(days, dtype=np.int64)
    m = (days.astype("datetime64[D]").astype("datetime64[M]") - EPOCH_M).astype(np.int64)
    return np.where(days >= NEVER, NO_MONTH, m)


def day_in_month(rng: np.random.Generator, t: np.ndarray) -> np.ndarray:
    """A random day number within each month index t."""
    start = month_start_days(t)
    length = month_start_days(np.asarray(t) + 1) - start
    return start + np.floor(rng.random(len(start)) * length).astype(np.int64)


def pick(rng: np.random.Generator, options, p=None, size: int = 1) -> np.ndarray:
    """`size` random choices from options, with weights p (normalised) if given."""
    idx = rng.choice(len(options), size=size, p=None if p is None else np.asarray(p) / np.sum(p))
    return np.asarray(options, dtype=object)[idx]


def by_county(knob: str, county: np.ndarray) -> np.ndarray:
    """A County knob ('weak', 'perf', …) for each project, from its county index."""
    return np.array([getattr(c, knob) for c in COUNTIES])[county]
