"""Deterministic demo city 示范市: 24 monthly snapshots (2024-01 … 2025-12) that tell the dashboard's stories.

About 800 projects a year (785–861 rows a month) in 9 counties and 17 industrial chains. Stories built in:
(a) 石门县 lags every month (completion far below 时序进度, low start rate, bottom of the ranking); 高新区 leads;
(b) 新开工 projects complete slower than 续建; (c) 民间投资 about one third against a 60% target;
(d) Spring Festival dip in Jan–Feb and a year-end push in Nov–Dec; (e) zombie and 停工 projects;
(f) signed attraction projects that never start; (g) 新开工 projects not started past planned_start;
(h) projects without a leader, outside statistics or with procedures outstanding.
Decisions: 续建 sites in winter shutdown report 停工 until they resume (most in January, a few by April), so
复工率 ramps in Q1; a 前期/储备 project that starts becomes 新开工 the month before its start.
"""
from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from data.schema import SCHEMA
from data.store import DEMO_DIR, Store

SEED = 20240601
CITY = "示范市"
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


def _day_in_month(rng: np.random.Generator, t: np.ndarray) -> np.ndarray:
    start = month_start_days(t)
    length = month_start_days(np.asarray(t) + 1) - start
    return start + np.floor(rng.random(len(start)) * length).astype(np.int64)


def _pick(rng: np.random.Generator, options, p=None, size: int = 1) -> np.ndarray:
    idx = rng.choice(len(options), size=size, p=None if p is None else np.asarray(p) / np.sum(p))
    return np.asarray(options, dtype=object)[idx]


class _Registry:
    """Every project of the two years: attributes, timeline and fates, as parallel numpy arrays."""

    def __init__(self):
        self.cols: dict[str, list[np.ndarray]] = {}

    def add(self, **arrays: np.ndarray) -> None:
        for k, v in arrays.items():
            self.cols.setdefault(k, []).append(np.asarray(v))

    def finish(self) -> dict[str, np.ndarray]:
        return {k: np.concatenate(v) for k, v in self.cols.items()}


def _attributes(rng: np.random.Generator, n: int, county: np.ndarray) -> dict[str, np.ndarray]:
    """Category, chain, class, level, investor, size and signing of n projects in the given counties."""
    ind_p = np.array([c.industry for c in COUNTIES])[county]
    is_ind = rng.random(n) < ind_p
    other = _pick(rng, list(CATEGORY_P)[1:], list(CATEGORY_P.values())[1:], n)
    category = np.where(is_ind, "产业", other).astype(object)

    chain = np.full(n, None, dtype=object)
    main = rng.random(n) < 0.72
    for i in range(n):
        if category[i] == "产业":
            if rng.random() < 0.93:
                pool = COUNTIES[county[i]].chains if main[i] else CHAIN_NAMES
                chain[i] = pool[rng.integers(len(pool))]
        elif category[i] == "基础设施" and rng.random() < 0.08:
            chain[i] = "现代物流"
        elif category[i] == "其他" and rng.random() < 0.30:
            chain[i] = "文化旅游"
        elif category[i] == "生态环保" and rng.random() < 0.12:
            chain[i] = "节能环保"

    emerging = np.array([CHAINS[c][0] if c else rng.random() < 0.5 for c in chain])
    flip = rng.random(n) < 0.12
    industry_class = np.where(category == "产业", np.where(emerging ^ flip, "新兴产业", "传统产业"), None).astype(object)

    mu = np.array([SIZE_MU[c] for c in category])
    total = np.exp(np.log(mu) + rng.normal(0.0, 1.05, n))
    total = np.clip(total, 300.0, 900_000.0)
    total = np.where(total < 10_000, np.round(total, -1), np.round(total, -2))

    u = rng.random(n)
    level = np.where(total >= 100_000, np.where(u < 0.5, "省级", np.where(u < 0.95, "市级", "县级")),
                     np.where(total >= 50_000, np.where(u < 0.2, "省级", np.where(u < 0.7, "市级", "县级")),
                              np.where(total >= 10_000, np.where(u < 0.05, "省级", np.where(u < 0.4, "市级", "县级")),
                                       np.where(u < 0.01, "省级", np.where(u < 0.16, "市级", "县级"))))).astype(object)

    investor = np.empty(n, dtype=object)
    priv = np.array([c.private for c in COUNTIES])[county]
    u = rng.random(n)
    for i in range(n):
        if category[i] == "产业":
            rest = (u[i] - priv[i]) / (1 - priv[i]) if u[i] >= priv[i] else -1
            investor[i] = ("民间投资" if rest < 0 else "国有企业" if rest < 0.45 else "外商投资" if rest < 0.65
                           else "政府投资")
        else:
            p = np.cumsum(INVESTOR_P[category[i]])
            investor[i] = INVESTORS[int(np.searchsorted(p, u[i] * p[-1], side="right"))]
    signed = np.where(category == "产业", rng.random(n) < np.where(investor == "政府投资", 0.05, 0.42),
                      rng.random(n) < 0.03)
    return {"category": category, "chain": chain, "industry_class": industry_class, "level": level,
            "investor_type": investor, "total_investment": total, "is_signed_attraction": signed}


def _duration_months(rng: np.random.Generator, total: np.ndarray) -> np.ndarray:
    """Construction time in months, longer for bigger projects."""
    lo = np.where(total < 10_000, 5, np.where(total < 50_000, 12, np.where(total < 100_000, 20, 30)))
    hi = np.where(total < 10_000, 15, np.where(total < 50_000, 30, np.where(total < 100_000, 48, 66)))
    return rng.integers(lo, hi + 1)


def _start_delay(rng: np.random.Generator, n: int, county: np.ndarray, signed: np.ndarray) -> np.ndarray:
    """Months between planned and actual start; NO_MONTH means it never starts."""
    d = _pick(rng, [-1, 0, 1, 2, 3, 5], [0.08, 0.76, 0.08, 0.04, 0.02, 0.02], n).astype(np.int64)
    extra = np.array([c.delay for c in COUNTIES])[county]
    d = np.where(d >= 0, np.maximum(d + extra * (rng.random(n) < 0.7), -1), d)
    weak = np.array([c.weak for c in COUNTIES])[county]
    never_p = 0.03 + np.array([c.never for c in COUNTIES])[county] + (0.10 + 0.35 * weak) * signed
    return np.where(rng.random(n) < never_p, NO_MONTH, d)


def _build_registry(rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Create every project of 2024–2025 with its timeline (start, completion, yearly role) decided up front."""
    reg = _Registry()
    weights = np.array([c.weight for c in COUNTIES])

    def cohort(n: int, kind: str, t_in: int) -> None:
        county = rng.choice(len(COUNTIES), size=n, p=weights / weights.sum())
        a = _attributes(rng, n, county)
        weak = np.array([c.weak for c in COUNTIES])[county]
        if kind == "pre":  # weak counties landed few of their signed projects in earlier years
            a["is_signed_attraction"] &= rng.random(n) >= 0.8 * weak
        total, signed = a["total_investment"], a["is_signed_attraction"]
        dur = _duration_months(rng, total)
        r24 = np.zeros(n, np.int64)
        r25 = np.zeros(n, np.int64)
        ps24 = np.full(n, NEVER, np.int64)
        ps25 = np.full(n, NEVER, np.int64)
        start_t = np.full(n, NO_MONTH, np.int64)
        y0 = 0 if t_in < 12 else 12  # first month of the entry year
        if kind == "pre":  # started before 2024: 续建
            start_t = -1 - np.minimum(rng.geometric(0.07, n) - 1, 33)
            dur = np.maximum(dur, -start_t + rng.integers(0, 14, n))
            r24[:] = BT_CONT
        elif kind == "new":  # planned to start in its entry year: 新开工
            pm = y0 + rng.choice(12, size=n, p=PLANNED_START_P)
            d = _start_delay(rng, n, county, signed)
            start_t = np.where(d == NO_MONTH, NO_MONTH, np.maximum(pm + d, y0))
            if y0 == 0:
                r24[:] = BT_NEW
                ps24 = _day_in_month(rng, pm)
            else:
                r25[:] = BT_NEW
                ps25 = _day_in_month(rng, pm)
        else:  # pipeline: 前期 or 储备, some convert later
            code = BT_PRE if kind == "pre_stage" else BT_RES
            conv_p = 0.34 if code == BT_PRE else 0.12
            conv = rng.random(n) < conv_p * (1 - 0.6 * np.array([c.weak for c in COUNTIES])[county])
            conv &= ~(signed & (rng.random(n) < 0.5))  # half the signed pipeline never moves: story (f)
            conv_t = y0 + rng.integers(3, 11, n) if t_in % 12 == 0 else y0 + rng.integers(8, 11, n)
            start_t = np.where(conv, conv_t, NO_MONTH)
            if y0 == 0:
                r24[:] = code
            else:
                r25[:] = code
            fut = _day_in_month(rng, y0 + 12 + rng.integers(0, 12, n))
            planned = np.where(conv, _day_in_month(rng, np.minimum(conv_t, y0 + 11)), fut)
            planned = np.where((code == BT_RES) & ~conv & (rng.random(n) < 0.5), NEVER, planned)
            if y0 == 0:
                ps24 = planned
            else:
                ps25 = planned
        start_day = np.where(start_t == NO_MONTH, NEVER, _day_in_month(rng, np.minimum(start_t, 200)))
        if kind == "pre":
            ps24 = start_day - rng.integers(0, 150, n)
            ps25 = ps24.copy()

        # What happens to a 2024 project that did not start in 2024: re-planned, back to 前期, kept, dropped.
        if y0 == 0:
            not_started = start_t > 11
            fate = rng.random(n)
            if kind == "new":
                renew = not_started & (fate < 0.55)
                back = not_started & (fate >= 0.55) & (fate < 0.75)
                pm25 = 12 + rng.choice(6, size=n, p=[0.10, 0.15, 0.30, 0.25, 0.12, 0.08])
                d25 = _start_delay(rng, n, county, signed)
                t25 = np.where(d25 == NO_MONTH, NO_MONTH, np.maximum(pm25 + d25, 12))
                start_t = np.where(renew, t25, start_t)
                start_day = np.where(renew, np.where(t25 == NO_MONTH, NEVER, _day_in_month(rng, np.minimum(t25, 200))),
                                     start_day)
                r25 = np.where(renew, BT_NEW, np.where(back, BT_PRE, 0))
                ps25 = np.where(renew, _day_in_month(rng, pm25), np.where(back, ps24 + 365, NEVER))
            elif kind in ("pre_stage", "reserve"):
                to_new = not_started & (fate < (0.42 if kind == "pre_stage" else 0.28))
                stay = not_started & ~to_new & (fate < (0.72 if kind == "pre_stage" else 0.6))
                pm25 = 12 + rng.choice(6, size=n, p=[0.10, 0.15, 0.30, 0.25, 0.12, 0.08])
                d25 = _start_delay(rng, n, county, signed)
                t25 = np.where(d25 == NO_MONTH, NO_MONTH, np.maximum(pm25 + d25, 12))
                start_t = np.where(to_new, t25, start_t)
                start_day = np.where(to_new, np.where(t25 == NO_MONTH, NEVER, _day_in_month(rng, np.minimum(t25, 200))),
                                     start_day)
                upgrade = rng.random(n) < 0.35  # 储备 that stays in the pipeline may move up to 前期
                stay_code = np.where((kind == "reserve") & ~upgrade, BT_RES, BT_PRE)
                r25 = np.where(to_new, BT_NEW, np.where(stay, stay_code, 0))
                ps25 = np.where(to_new, _day_in_month(rng, pm25), np.where(stay, ps24, NEVER))
            started24 = start_t <= 11
            r25 = np.where(started24, BT_CONT, r25)
            ps25 = np.where(started24, np.where(kind == "pre", ps24, np.where(ps24 < NEVER, ps24, start_day)), ps25)

        # Completion: planned from the (actual or planned) start, delays worse in weak counties.
        base_t = np.where(start_t < NO_MONTH, start_t, month_of_day(np.minimum(np.where(y0 == 0, ps24, ps25),
                                                                                 month_start_days(40))))
        pc_t = base_t + dur
        late = _pick(rng, [0, 0, 1, 2, 3, 5], None, n).astype(np.int64) + (weak >= 1) * rng.integers(2, 6, n)
        complete_t = np.where(start_t < NO_MONTH, pc_t + late, NO_MONTH)
        complete_t = np.where(complete_t < N_MONTHS, complete_t, NO_MONTH)
        complete_t = np.where(complete_t <= start_t, start_t + 1, complete_t)
        complete_t = np.where(complete_t >= N_MONTHS, NO_MONTH, complete_t)
        pc_day = month_start_days(np.minimum(pc_t, 200)) + rng.integers(0, 28, n)

        if y0 == 0:
            done24 = complete_t <= 11
            r25 = np.where(done24, 0, r25)
        t_out = np.where((y0 == 0) & (r25 == 0), 12, N_MONTHS)
        reg.add(county=county, **a, duration=dur, start_t=start_t, start_day=start_day, complete_t=complete_t,
                pc_day=pc_day, ps24=ps24, ps25=ps25, r24=r24, r25=r25, t_in=np.full(n, t_in), t_out=t_out,
                kind=np.full(n, kind, dtype=object))

    cohort(310, "pre", 0)
    cohort(265, "new", 0)
    cohort(120, "pre_stage", 0)
    cohort(90, "reserve", 0)
    cohort(25, "reserve", 6)  # signed at the mid-year 招商 fair, entered as 储备 in July
    carried = int(np.sum(np.concatenate(reg.cols["r25"]) > 0))
    n_new25 = max(170, 820 - carried - 130)
    cohort(n_new25, "new", 12)
    cohort(60, "pre_stage", 12)
    cohort(50, "reserve", 12)
    cohort(25, "reserve", 18)
    p = reg.finish()
    n = len(p["county"])

    # Mid-year additions are mostly signed attraction projects.
    mid = (p["t_in"] % 12) == 6
    p["is_signed_attraction"] = np.where(mid & (p["category"] == "产业"), rng.random(n) < 0.8,
                                         p["is_signed_attraction"])
    # A few 储备 are taken off the list mid-year (调出).
    drop = np.flatnonzero((p["r24"] == BT_RES) & (p["t_out"] == 12) & (p["t_in"] == 0))[:6]
    p["t_out"][drop] = 8
    drop25 = np.flatnonzero((p["r25"] == BT_RES) & (p["t_in"] == 12))[:4]
    p["t_out"][drop25] = 21

    _marquee(rng, p)
    _names_and_people(rng, p)
    _procedures(rng, p)
    _project_ids(rng, p)
    return p


def _marquee(rng: np.random.Generator, p: dict[str, np.ndarray]) -> None:
    """The city's flagship projects and projects exactly on the size-tier bounds."""
    county_idx = {c.name: i for i, c in enumerate(COUNTIES)}
    cont = np.flatnonzero((p["kind"] == "pre") & (p["complete_t"] == NO_MONTH))
    new = np.flatnonzero((p["kind"] == "new") & (p["t_in"] == 0) & (p["start_t"] >= 2) & (p["start_t"] <= 4)
                        & (p["complete_t"] == NO_MONTH))

    def set_(i, **kv):
        for k, v in kv.items():
            p[k][i] = v

    # 100亿以上: a 国有 ring expressway (exactly on the bound) and a private vehicle base.
    set_(cont[0], county=county_idx["经开区"], category="基础设施", chain=None, industry_class=None, level="省级",
         investor_type="国有企业", total_investment=1_000_000.0, is_signed_attraction=False)
    set_(new[0], county=county_idx["经开区"], category="产业", chain="新能源汽车", industry_class="新兴产业", level="省级",
         investor_type="民间投资", total_investment=1_280_000.0, is_signed_attraction=True, complete_t=NO_MONTH,
         duration=60)
    set_(new[1], county=county_idx["高新区"], category="产业", chain="集成电路", industry_class="新兴产业", level="省级",
         investor_type="外商投资", total_investment=580_000.0, is_signed_attraction=True, complete_t=NO_MONTH, duration=48)
    for i in (new[0], new[1]):
        p["pc_day"][i] = int(month_start_days(p["start_t"][i] + p["duration"][i])) + 29
    p["flagship"] = np.full(len(p["county"]), "", dtype=object)
    p["flagship"][cont[0]] = "经开区示范市绕城高速公路东段工程"
    p["flagship"][new[0]] = "经开区星河新能源汽车整车及核心零部件产业基地项目"
    p["flagship"][new[1]] = "高新区海创12英寸功率半导体晶圆制造项目"
    set_(cont[1], county=county_idx["青山县"], category="产业", chain="新型储能", industry_class="新兴产业", level="市级",
         investor_type="国有企业", total_investment=100_000.0)
    set_(cont[2], total_investment=100_000.0, level="市级")
    for i in (cont[3], new[2]):
        set_(i, total_investment=50_000.0)
    for i in (cont[4], cont[5], new[3]):
        set_(i, total_investment=10_000.0)


def _names_and_people(rng: np.random.Generator, p: dict[str, np.ndarray]) -> None:
    """Project names, codes, leaders, land area and production figures."""
    n = len(p["county"])
    names = []
    for i in range(n):
        county = COUNTIES[p["county"][i]].name
        cat, chain = p["category"][i], p["chain"][i]
        if cat == "产业":
            phrases = CHAINS[chain][1] if chain else ("标准化厂房", "智能制造产业园", "技术改造", "产业孵化基地")
            name = f"{county}{BRANDS[rng.integers(len(BRANDS))]}{phrases[rng.integers(len(phrases))]}项目"
        else:
            tpl = NAME_TEMPLATES[cat][rng.integers(len(NAME_TEMPLATES[cat]))]
            a, b = rng.choice(len(PLACES), 2, replace=False)
            body = tpl.format(c=county, p=PLACES[a], q=PLACES[b], r=RIVERS[rng.integers(len(RIVERS))])
            name = body if body.startswith(county) else county + body
        names.append(name)
    names = [f or nm for f, nm in zip(p["flagship"], names)]
    seen: dict[str, int] = {}
    phases = ("二期", "三期", "四期", "五期", "六期", "七期", "八期", "九期")
    for i, name in enumerate(names):
        k = seen.get(name, 0)
        seen[name] = k + 1
        if k:
            names[i] = f"{name}（{phases[k - 1]}）" if k <= len(phases) else f"{name}（{k + 1}）"
    p["project_name"] = np.array(names, dtype=object)

    city_leaders = [SURNAMES[i] + GIVEN[(i * 7) % len(GIVEN)] for i in range(10)]
    leaders = []
    weak = np.array([c.weak for c in COUNTIES])[p["county"]]
    u = rng.random(n)
    pick = rng.integers(0, 10**6, n)
    for i in range(n):
        high = p["level"][i] in ("省级", "市级")
        has = u[i] < ((0.97 - 0.17 * weak[i]) if high else (0.78 - 0.2 * weak[i]))
        if not has:
            leaders.append(None)
        elif high:
            leaders.append(city_leaders[pick[i] % len(city_leaders)])
        else:
            c = p["county"][i]
            leaders.append(SURNAMES[(c * 3 + pick[i]) % len(SURNAMES)] + GIVEN[(c * 5 + pick[i] // 7) % len(GIVEN)])
    p["leader"] = np.array(leaders, dtype=object)

    total = p["total_investment"]
    intensity = np.where(p["category"] == "产业", rng.uniform(150, 420, n), rng.uniform(60, 600, n))
    land = np.round(total / intensity, 1)
    no_land = ((p["category"] == "基础设施") & (rng.random(n) < 0.35)) | ((p["kind"] == "reserve") & (rng.random(n) < 0.5))
    p["land_area_mu"] = np.where(no_land, np.nan, np.maximum(land, 1.0))
    tax = np.round(total * rng.uniform(0.015, 0.07, n), 2)
    p["annual_tax"] = tax
    p["annual_profit_tax"] = np.round(tax * rng.uniform(1.35, 2.2, n), 2)
    p["prod_lag"] = np.where(p["complete_t"] <= 1, 0, _pick(rng, [0, 1, 1, 2, 3], None, n).astype(np.int64))


def _project_ids(rng: np.random.Generator, p: dict[str, np.ndarray]) -> None:
    """项目代码 in the national 投资项目在线审批监管平台 style: year-area-industry-type-serial."""
    n = len(p["county"])
    serial = rng.choice(900_000, size=n, replace=False) + 100_000
    entry = np.where(p["t_in"] >= 12, 2025, 2024)
    approved = 1970 + (p["proc_approval"].astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64))
    year = np.where(p["proc_approval"] < NEVER, np.minimum(approved, entry), entry)
    ind = np.array([f"{30 + CHAIN_NAMES.index(c):02d}" if c and cat == "产业" else
                    {"产业": "29", "基础设施": "48", "社会民生": "84", "生态环保": "77", "其他": "72"}[cat]
                    for c, cat in zip(p["chain"], p["category"])], dtype=object)
    typ = np.where(p["investor_type"] == "政府投资", "01", np.where(p["total_investment"] >= 50_000, "02", "03"))
    p["project_id"] = np.array([f"{y}-{COUNTIES[c].code}-{d}-{t}-{s:06d}" for y, c, d, t, s in
                                zip(year, p["county"], ind, typ, serial)], dtype=object)


def _procedures(rng: np.random.Generator, p: dict[str, np.ndarray]) -> None:
    """Six procedure dates counted back from the start (actual or hoped-for); missing for a few."""
    n = len(p["county"])
    hoped = np.where(p["start_day"] < NEVER, p["start_day"],
                     np.where(p["ps25"] < NEVER, p["ps25"], np.where(p["ps24"] < NEVER, p["ps24"],
                                                                        month_start_days(36))))
    never_started = p["start_day"] >= NEVER
    hoped = np.where(never_started & (p["kind"] == "new"), hoped + rng.integers(60, 300, n), hoped)
    permit = hoped - rng.integers(3, 40, n)
    planning = permit - rng.integers(10, 70, n)
    land = planning - rng.integers(10, 100, n)
    approval = land - rng.integers(20, 160, n)
    eia = approval + (rng.random(n) * (permit - approval)).astype(np.int64)
    energy = approval + (rng.random(n) * (permit - approval)).astype(np.int64)
    procs = {"proc_approval": approval, "proc_land": land, "proc_planning": planning, "proc_eia": eia,
             "proc_energy": energy, "proc_construction_permit": permit}
    weak = np.array([c.weak for c in COUNTIES])[p["county"]]
    # Started without one procedure (补办中): story (h); never-starters stuck on land or the permit.
    gap = rng.random(n) < (0.03 + 0.12 * weak)
    which = rng.integers(0, 6, n)
    for j, k in enumerate(procs):
        procs[k] = np.where(gap & (which == j), NEVER, procs[k])
    stuck = never_started & (p["kind"] == "new") & (rng.random(n) < 0.6)
    procs["proc_land"] = np.where(stuck & (rng.random(n) < 0.5), NEVER, procs["proc_land"])
    procs["proc_construction_permit"] = np.where(stuck, NEVER, procs["proc_construction_permit"])
    p.update(procs)


def _simulate_year(rng: np.random.Generator, p: dict[str, np.ndarray], year: int, prior: np.ndarray,
                   stalled_before: np.ndarray) -> dict[str, np.ndarray]:
    """Monthly values (n × 12) of one year for every project: build type, status, plan, ytd, funds …"""
    n = len(p["county"])
    y0 = 12 * (year - YEARS[0])
    role = p["r24"] if year == YEARS[0] else p["r25"]
    county = p["county"]
    perf = np.array([c.perf for c in COUNTIES])[county]
    weak = np.array([c.weak for c in COUNTIES])[county]
    months = np.arange(1, 13)
    total = p["total_investment"]
    start_t, complete_t = p["start_t"], p["complete_t"]

    s_m = np.where((start_t >= y0) & (start_t < y0 + 12), start_t - y0 + 1, np.where(start_t < y0, 0, 13))
    c_m = np.where((complete_t >= y0) & (complete_t < y0 + 12), complete_t - y0 + 1, 13)
    pipeline = (role == BT_PRE) | (role == BT_RES)
    converting = pipeline & (s_m >= 1) & (s_m <= 12)
    construction = (role == BT_NEW) | (role == BT_CONT) | converting
    ps = p["ps24"] if year == YEARS[0] else p["ps25"]
    ps_m = np.clip(month_of_day(np.minimum(ps, month_start_days(y0 + 11))) - y0 + 1, 1, 12)

    # Winter shutdown of 续建 sites: most resume in January, some only in March or April.
    resume = _pick(rng, [1, 2, 3, 4], [0.80, 0.12, 0.06, 0.02], n).astype(np.int64) + (weak >= 1) * rng.integers(0, 2, n)
    resume = np.where((role == BT_CONT) & (c_m > 4), resume, 1)

    a0 = np.where(role == BT_CONT, 1, np.where(converting, s_m, ps_m))  # planned first month of work
    a = np.where(role == BT_CONT, resume, s_m)  # actual first month of work (13 = not this year)
    a0 = np.minimum(a0, a)
    b = np.minimum(c_m, 12)

    remaining = np.maximum(total - prior, 0.0)
    months_left = np.maximum(month_of_day(p["pc_day"]) - y0 + 1, 1)
    finishing = (role == BT_CONT) & ((months_left <= 12) | (c_m <= 12))
    share_cont = np.minimum(0.8, 12 / months_left * rng.uniform(0.85, 1.15, n))
    in_year = 13 - a0
    share_new = np.minimum(0.8, in_year / p["duration"] * rng.uniform(0.55, 0.85, n))
    plan = np.where(role == BT_CONT, np.where(finishing, remaining, remaining * share_cont),
                    np.where(c_m <= 12, total, total * share_new))
    pre_plan = np.where((role == BT_PRE) & (rng.random(n) < 0.2), total * rng.uniform(0.01, 0.05, n), 0.0)
    plan = np.where(construction, plan, pre_plan)

    f = rng.normal(1.10, 0.07, n) * perf * np.where(role == BT_CONT, 1.0, 0.93)
    f = np.clip(f, 0.3, 1.22)
    delayed = finishing & (c_m > 12)
    f = np.where(delayed, rng.uniform(0.78, 0.9, n) * np.minimum(perf, 1.0), f)
    f = np.where(c_m <= 12, rng.uniform(0.97, 1.02, n), f)

    # Stalls: the site stops for months (zombie); a third are reported as 停工.
    can_stall = construction & (c_m > 12) & (a <= 9)
    stall_p = 0.035 + 0.10 * weak
    stall = can_stall & (rng.random(n) < stall_p)
    z = np.maximum(a + 1, rng.integers(3, 11, n))
    z2 = np.where(rng.random(n) < 0.55, 13, z + rng.integers(4, 7, n))
    carry = can_stall & stalled_before & (rng.random(n) < 0.5)
    stall |= carry
    z = np.where(carry, 1, z)
    z2 = np.where(carry, rng.integers(4, 14, n), z2)
    z = np.where(stall, z, 13)
    z2 = np.where(stall, np.minimum(z2, 13), 13)
    stop = stall & ((rng.random(n) < 0.35) | carry)

    M = months[None, :]
    w = SEASON[year][None, :] * rng.lognormal(0.0, 0.3, (n, 12))
    planned_w = w * ((M >= a0[:, None]) & (M <= np.where(c_m <= 12, b, 12)[:, None]))
    active = (M >= a[:, None]) & (M <= b[:, None]) & ~((M >= z[:, None]) & (M < z2[:, None]))
    act_w = w * active
    denom = planned_w.sum(axis=1)
    denom = np.where(c_m <= 12, act_w.sum(axis=1), denom)
    denom = np.where(denom > 0, denom, 1.0)
    frac = np.cumsum(act_w, axis=1) / denom[:, None]
    ytd = plan[:, None] * f[:, None] * frac
    ytd = np.where(construction[:, None], ytd, 0.0)
    ytd = np.minimum(ytd, np.maximum(1.2 * total - prior, 0.0)[:, None] * 0.98)
    ytd = np.round(ytd, 2)

    # Build type per month: a converting pipeline project joins the 新开工 list a month before it starts.
    bt = np.repeat(role[:, None], 12, axis=1)
    bt = np.where(converting[:, None] & (M >= (s_m - 1)[:, None]), BT_NEW, bt)
    plan_m = np.where(converting[:, None] & (M < (s_m - 1)[:, None]), pre_plan[:, None], plan[:, None])
    plan_m = np.round(plan_m, 2)

    started = M >= np.where(s_m == 0, 1, s_m)[:, None]
    status = np.full((n, 12), ST_NOT)
    status = np.where(started, ST_BUILD, status)
    status = np.where(started & (role[:, None] == BT_CONT) & (M < resume[:, None]), ST_STOP, status)
    status = np.where(started & stop[:, None] & (M >= z[:, None]) & (M < z2[:, None]), ST_STOP, status)
    done = M >= c_m[:, None]
    prod = (p["category"] == "产业")[:, None] & (M >= (c_m + p["prod_lag"])[:, None])
    status = np.where(done, np.where(prod, ST_PROD, ST_DONE), status)

    funds = np.round(ytd * rng.uniform(0.88, 1.12, n)[:, None] * (1 - 0.2 * weak)[:, None], 2)

    stat_flag = rng.random(n) < (0.975 - 0.2 * weak)
    stat_lag = rng.integers(0, 2, n)
    in_stat = started & stat_flag[:, None] & (M >= (np.maximum(s_m, 1) + np.where(s_m >= 1, stat_lag, 0))[:, None])
    in_stat &= construction[:, None] | (role[:, None] == BT_CONT)

    # Problems: stalls and late starts explain themselves; some others report one anyway.
    problems = np.full((n, 12), None, dtype=object)
    gen = rng.random(n) < (0.07 + 0.22 * weak)
    gen_from = rng.integers(1, 13, n)
    gen_to = np.where(rng.random(n) < 0.5, 13, gen_from + rng.integers(2, 6, n))
    gen_txt = _pick(rng, PROBLEMS_GENERAL, None, n)
    unfinished = M < c_m[:, None]  # finished projects report no new problems
    problems = np.where(gen[:, None] & unfinished & (M >= gen_from[:, None]) & (M < gen_to[:, None]),
                        gen_txt[:, None], problems)
    late = (bt == BT_NEW) & ~started & (M > ps_m[:, None]) & (rng.random(n) < 0.7)[:, None]
    problems = np.where(late, _pick(rng, PROBLEMS_START, None, n)[:, None], problems)
    problems = np.where(stall[:, None] & (M >= z[:, None]) & (M < z2[:, None]),
                        _pick(rng, PROBLEMS_STALL, None, n)[:, None], problems)

    stalled_end = stall & (z2 > 12)
    return {"bt": bt, "status": status, "plan": plan_m, "ytd": ytd, "total": np.round(prior[:, None] + ytd, 2),
            "funds": funds, "in_stat": in_stat, "problems": problems, "stalled_end": stalled_end,
            "end_total": prior + np.where(construction, ytd[:, 11], 0.0), "ps": ps}


def build_snapshots() -> dict[str, pl.DataFrame]:
    """'YYYY-MM' → the canonical snapshot frame of the demo city, deterministic."""
    rng = np.random.default_rng(SEED)
    p = _build_registry(rng)
    n = len(p["county"])
    total = p["total_investment"]

    # Cumulative investment at 2024-01-01 of projects started earlier: roughly elapsed / duration.
    elapsed = np.maximum(-p["start_t"], 0)
    frac0 = np.clip(elapsed / p["duration"] * rng.uniform(0.75, 1.05, n), 0.05, 0.9)
    prior = np.where(p["kind"] == "pre", np.round(total * frac0, 2), 0.0)

    county_name = np.array(COUNTY_NAMES, dtype=object)[p["county"]]
    out: dict[str, pl.DataFrame] = {}
    stalled = np.zeros(n, dtype=bool)
    for year in YEARS:
        sim = _simulate_year(rng, p, year, prior, stalled)
        stalled, prior = sim["stalled_end"], np.round(sim["end_total"], 2)
        y0 = 12 * (year - YEARS[0])
        role = p["r24"] if year == YEARS[0] else p["r25"]
        for m in range(1, 13):
            t = y0 + m - 1
            rows = np.flatnonzero((p["t_in"] <= t) & (t < p["t_out"]) & (role > 0))
            rows = rows[np.lexsort((p["project_id"][rows], p["county"][rows]))]
            out[f"{year:04d}-{m:02d}"] = _frame(p, sim, rows, t, m, county_name)
    return out


def _dates(days: np.ndarray, month_end: int) -> pl.Series:
    """Day numbers as a Date series; anything after the month end (not yet happened) is null."""
    return pl.Series([int(d) if d <= month_end else None for d in days], dtype=pl.Int32).cast(pl.Date)


def _frame(p: dict[str, np.ndarray], sim: dict[str, np.ndarray], rows: np.ndarray, t: int, m: int,
           county_name: np.ndarray) -> pl.DataFrame:
    """One month's canonical frame from the registry and the year's simulation."""
    j = m - 1
    month_end = int(month_start_days(t + 1)) - 1
    status = sim["status"][rows, j]
    producing = status == ST_PROD
    land = p["land_area_mu"][rows]
    cols = {
        "snapshot_month": pl.Series([dt.date(2024 + t // 12, m, 1)] * len(rows), dtype=pl.Date),
        "project_id": p["project_id"][rows].tolist(),
        "project_name": p["project_name"][rows].tolist(),
        "county": county_name[rows].tolist(),
        "chain": p["chain"][rows].tolist(),
        "category": p["category"][rows].tolist(),
        "industry_class": p["industry_class"][rows].tolist(),
        "level": p["level"][rows].tolist(),
        "build_type": BT_LABEL[sim["bt"][rows, j]].tolist(),
        "status": ST_LABEL[status].tolist(),
        "investor_type": p["investor_type"][rows].tolist(),
        "total_investment": p["total_investment"][rows],
        "plan_investment_year": sim["plan"][rows, j],
        "completed_investment_ytd": sim["ytd"][rows, j],
        "completed_investment_total": sim["total"][rows, j],
        "funds_in_place_ytd": sim["funds"][rows, j],
        "planned_start": _dates(sim["ps"][rows], NEVER - 1),
        "actual_start": _dates(p["start_day"][rows], month_end),
        "planned_completion": _dates(p["pc_day"][rows], NEVER - 1),
        **{k: _dates(p[k][rows], month_end) for k in ("proc_approval", "proc_land", "proc_planning", "proc_eia",
                                                         "proc_energy", "proc_construction_permit")},
        "land_area_mu": pl.Series(land, dtype=pl.Float64).fill_nan(None),
        "annual_tax": pl.Series(np.where(producing, p["annual_tax"][rows], np.nan)).fill_nan(None),
        "annual_profit_tax": pl.Series(np.where(producing, p["annual_profit_tax"][rows], np.nan)).fill_nan(None),
        "is_signed_attraction": p["is_signed_attraction"][rows].astype(bool),
        "leader": p["leader"][rows].tolist(),
        "problems": sim["problems"][rows, j].tolist(),
        "in_statistics": sim["in_stat"][rows, j],
    }
    return pl.DataFrame({k: cols[k] for k in SCHEMA.names()}, schema=SCHEMA)


def _handed_in(key: str, frame: pl.DataFrame) -> dict[str, dict]:
    """When each county's ledger of month `key` was published: the 16th to the 27th, so a few are late (after
    the 25th), the same every run."""
    y, m = map(int, key.split("-"))
    counties = frame.get_column("county").unique(maintain_order=True).to_list()
    return {c: {"published_at": f"{key}-{16 + (i * 7 + m * 5 + y) % 12:02d}T09:30:00", "submitted_by": "demo"}
            for i, c in enumerate(counties)}


def generate(out_dir: Path | None = None) -> list[Path]:
    """Write the demo snapshots into a store at out_dir (default data/demo), replacing what was there."""
    root = Path(out_dir) if out_dir is not None else DEMO_DIR
    store = Store(root)
    # Start clean so regeneration gives the same files and a fresh audit log, not a growing history.
    for sub in (store.snap_dir, store.history_dir):
        if sub.is_dir():
            shutil.rmtree(sub)
    for f in (store.audit_path, store.lock_path):
        f.unlink(missing_ok=True)
    paths = []
    for key, frame in build_snapshots().items():
        store.write(frame, source=f"demo-{key}", user="demo", replace=True, submitted=_handed_in(key, frame),
                    at=f"{key}-27T17:00:00")
        paths.append(store.path_for(key))
    store.lock_path.unlink(missing_ok=True)
    return paths


if __name__ == "__main__":
    for path in generate():
        print(path)
