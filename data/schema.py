"""The canonical snapshot schema, declared once: used by import, validation, the demo generator and the docs."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import polars as pl

CATEGORIES = ("产业", "基础设施", "社会民生", "生态环保", "其他")
INDUSTRY_CLASSES = ("新兴产业", "传统产业")
LEVELS = ("省级", "市级", "县级")
BUILD_TYPES = ("新开工", "续建", "前期", "储备")
STATUSES = ("未开工", "在建", "停工", "竣工", "投产")
INVESTOR_TYPES = ("政府投资", "国有企业", "民间投资", "外商投资")

CONSTRUCTION_SET = ("新开工", "续建")
PIPELINE_SET = ("储备", "前期")

YI = 10_000.0  # 万元 in 1亿元: money is kept in 万元

# Size tiers by total_investment (万元), left-closed; labels exactly as DOMAIN.md writes them.
TIERS: tuple[tuple[str, float, float], ...] = (
    ("亿元以下", 0.0, YI),
    ("1-5亿", YI, 5 * YI),
    ("5-10亿", 5 * YI, 10 * YI),
    ("10-100亿", 10 * YI, 100 * YI),
    ("100亿以上", 100 * YI, float("inf")),
)
TIER_LABELS = tuple(t[0] for t in TIERS)


@dataclass(frozen=True)
class Column:
    """One canonical ledger column: name, Chinese header, kind, rule."""

    name: str
    zh: str
    kind: str  # month | str | enum | date | money | float | bool
    required: bool = False
    allowed: tuple[str, ...] | None = None
    rule: str = ""
    en: str = ""
    aliases: tuple[str, ...] = field(default_factory=tuple)

    @property
    def dtype(self) -> pl.DataType:
        return {
            "month": pl.Date(), "date": pl.Date(), "str": pl.String(), "enum": pl.String(),
            "money": pl.Float64(), "float": pl.Float64(), "bool": pl.Boolean(),
        }[self.kind]


PROC_COLUMNS = (
    "proc_approval", "proc_land", "proc_planning", "proc_eia", "proc_energy", "proc_construction_permit",
)

COLUMNS: tuple[Column, ...] = (
    Column("snapshot_month", "报送月份", "month", True, rule="每行相同，取当月1日", en="Snapshot month",
           aliases=("月份", "报告期", "填报月份", "统计月份")),
    Column("project_id", "项目编码", "str", True, rule="必填，同一月份内唯一，跨月稳定", en="Project ID",
           aliases=("项目代码", "项目编号", "编码")),
    Column("project_name", "项目名称", "str", True, rule="必填", en="Project name"),
    Column("county", "县区", "str", True, rule="必填，名称不限", en="County",
           aliases=("县(市、区)", "县市区", "所属县区", "县(区)", "地区", "区县")),
    Column("chain", "产业链", "str", rule="可空，空表示不属于任何产业链", en="Industrial chain",
           aliases=("所属产业链", "链群", "产业链群")),
    Column("category", "项目类别", "enum", True, CATEGORIES, "必填，取值：" + "、".join(CATEGORIES), en="Category",
           aliases=("项目类型", "类别")),
    Column("industry_class", "产业类型", "enum", False, INDUSTRY_CLASSES,
           "项目类别为“产业”时必填（新兴产业、传统产业），否则须为空", en="Industry class",
           aliases=("产业分类",)),
    Column("level", "项目级别", "enum", True, LEVELS, "必填，取值：" + "、".join(LEVELS), en="Level",
           aliases=("级别", "项目层级")),
    Column("build_type", "建设性质", "enum", True, BUILD_TYPES, "必填，取值：" + "、".join(BUILD_TYPES),
           en="Build type", aliases=("项目性质",)),
    Column("status", "建设状态", "enum", True, STATUSES, "必填，取值：" + "、".join(STATUSES), en="Status",
           aliases=("项目状态", "进展状态")),
    Column("investor_type", "投资主体", "enum", True, INVESTOR_TYPES, "必填，取值：" + "、".join(INVESTOR_TYPES),
           en="Investor type", aliases=("投资主体类型", "投资类型")),
    Column("total_investment", "总投资(万元)", "money", True, rule="必填，≥ 0", en="Total investment",
           aliases=("项目总投资", "计划总投资")),
    Column("plan_investment_year", "年度计划投资(万元)", "money", True, rule="必填，≥ 0（前期、储备可为0）",
           en="Annual planned investment", aliases=("年度计划", "本年计划投资", "年度投资计划")),
    Column("completed_investment_ytd", "本年累计完成投资(万元)", "money", True, rule="必填，≥ 0",
           en="Investment completed this year", aliases=("本年完成投资", "年度累计完成投资", "1-本月累计完成投资")),
    Column("completed_investment_total", "开工累计完成投资(万元)", "money", True,
           rule="必填，≥ 0，≥ 本年累计完成投资，≤ 总投资×1.2", en="Investment completed since start",
           aliases=("累计完成投资", "自开工累计完成投资")),
    Column("funds_in_place_ytd", "本年资金到位(万元)", "money", True, rule="必填，≥ 0", en="Funds in place this year",
           aliases=("本年到位资金", "资金到位")),
    Column("planned_start", "计划开工时间", "date", en="Planned start", aliases=("计划开工日期",)),
    Column("actual_start", "实际开工时间", "date", rule="可空，不得晚于报送月份月末", en="Actual start",
           aliases=("实际开工日期", "开工时间")),
    Column("planned_completion", "计划竣工时间", "date", en="Planned completion", aliases=("计划竣工日期", "竣工时间")),
    Column("proc_approval", "立项(审批/核准/备案)时间", "date", rule="空表示未办结", en="Approval date",
           aliases=("立项时间", "立项审批时间", "审批核准备案时间", "立项(审批、核准、备案)时间")),
    Column("proc_land", "用地批复时间", "date", rule="空表示未办结", en="Land approval date", aliases=("用地批复", "土地批复时间")),
    Column("proc_planning", "规划许可时间", "date", rule="空表示未办结", en="Planning permit date", aliases=("规划许可",)),
    Column("proc_eia", "环评批复时间", "date", rule="空表示未办结", en="EIA approval date", aliases=("环评批复", "环评时间")),
    Column("proc_energy", "能评批复时间", "date", rule="空表示未办结", en="Energy review date", aliases=("能评批复", "能评时间")),
    Column("proc_construction_permit", "施工许可时间", "date", rule="空表示未办结", en="Construction permit date",
           aliases=("施工许可", "施工许可证时间")),
    Column("land_area_mu", "用地面积(亩)", "float", rule="可空，≥ 0", en="Land area (mu)", aliases=("占地面积", "用地面积")),
    Column("annual_tax", "年税收(万元)", "money", rule="可空，≥ 0（投产项目填报）", en="Annual tax", aliases=("税收",)),
    Column("annual_profit_tax", "年利税(万元)", "money", rule="可空，≥ 0（投产项目填报）", en="Annual profit and tax",
           aliases=("利税",)),
    Column("is_signed_attraction", "是否招商引资签约项目", "bool", True, rule="必填，是/否", en="Signed attraction project",
           aliases=("招商引资签约项目", "是否招商引资项目", "是否签约项目")),
    Column("leader", "包抓领导", "str", rule="可空，空表示未落实包抓领导", en="Responsible leader",
           aliases=("包联领导", "包抓县级领导", "责任领导")),
    Column("problems", "存在问题", "str", rule="可空，空白表示无", en="Problems", aliases=("存在的问题", "问题及困难", "存在困难和问题")),
    Column("in_statistics", "是否入统", "bool", True, rule="必填，是/否", en="In statistics", aliases=("入统", "是否纳统")),
)

# Values county ledgers write their own way (DOMAIN.md Part 2), mapped on import to the canonical value, each
# mapping reported with its count. Declared once: import, the template's 填报说明 and the README table use it.
VALUE_SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
    "status": {"在建": ("施工中", "在建中", "正在建设"), "竣工": ("已竣工", "完工", "建成"),
               "投产": ("已投产", "建成投产", "投产运营"), "停工": ("停建", "暂停施工"), "未开工": ("尚未开工", "未开工建设")},
    "build_type": {"新开工": ("新建",), "续建": ("续建项目",), "前期": ("前期项目", "预备"), "储备": ("储备项目",)},
    "investor_type": {"政府投资": ("政府", "财政投资"), "国有企业": ("国企", "国有", "国有投资"),
                      "民间投资": ("民营", "民营企业", "民间", "私营"), "外商投资": ("外资", "外商")},
    "level": {"省级": ("省重点", "省级重点"), "市级": ("市重点", "市级重点"), "县级": ("县重点", "县级重点", "区级")},
    "category": {"产业": ("产业项目",), "基础设施": ("基础设施项目",), "社会民生": ("民生", "社会事业"),
                 "生态环保": ("生态", "环保")},
    "industry_class": {"新兴产业": ("新兴",), "传统产业": ("传统",)},
}
# Any 是/否 column: ticks and crosses.
BOOL_SYNONYMS: dict[str, tuple[str, ...]] = {"是": ("√", "✓", "✔"), "否": ("×", "✗", "✘")}


def synonym_index(column: str) -> dict[str, str]:
    """written → canonical for one column (its kind's table for 是/否 columns)."""
    table = BOOL_SYNONYMS if COLUMN_BY_NAME[column].kind == "bool" else VALUE_SYNONYMS.get(column, {})
    return {w: canon for canon, written in table.items() for w in written}


COLUMN_BY_NAME = {c.name: c for c in COLUMNS}
COLUMN_NAMES = tuple(c.name for c in COLUMNS)
SCHEMA = pl.Schema({c.name: c.dtype for c in COLUMNS})
ZH = {c.name: c.zh for c in COLUMNS}
MONEY_COLUMNS = tuple(c.name for c in COLUMNS if c.kind == "money")
# The month's progress: what a unit reports anew every month (the 底稿 marks these headers to update; the other
# columns carry over from last month unless something changed).
PROGRESS_COLUMNS = ("status", "actual_start", "completed_investment_ytd", "completed_investment_total",
                    "funds_in_place_ytd", "problems", "in_statistics")

_UNIT_RE = re.compile(r"[(]([^()]*)[)]$")


def normalize_header(text: object) -> str:
    """Fold a header for matching: NFKC (full-width → half-width), no spaces, lower case."""
    s = unicodedata.normalize("NFKC", str(text or ""))
    s = re.sub(r"\s+", "", s).lower()
    return s.replace("（", "(").replace("）", ")")


def split_unit(header: str) -> tuple[str, str | None]:
    """Split '总投资(万元)' into ('总投资', '万元'); also '总投资/万元' and '总投资万元'."""
    h = normalize_header(header)
    m = _UNIT_RE.search(h)
    if m and m.group(1) in UNIT_FACTORS | {"亩": 1.0}:
        return h[: m.start()], m.group(1)
    for sep in ("/", "_", ""):
        for unit in ("万元", "亿元", "元", "亩"):
            if sep + unit and h.endswith(sep + unit) and len(h) > len(sep + unit):
                return h[: -len(sep + unit)], unit
    return h, None


# Money headers may say 亿元 or 元 instead of 万元: values are scaled to 万元 on import.
UNIT_FACTORS = {"万元": 1.0, "亿元": YI, "元": 1 / YI}


def _keys(col: Column) -> set[str]:
    keys = {normalize_header(col.name), normalize_header(col.en)}
    for h in (col.zh, *col.aliases):
        keys.add(normalize_header(h))
        keys.add(split_unit(h)[0])
    return keys


HEADER_INDEX: dict[str, str] = {k: c.name for c in COLUMNS for k in _keys(c)}


def match_header(header: object) -> tuple[str | None, float]:
    """Map a source header to (canonical column name or None, unit factor to 万元)."""
    h = normalize_header(header)
    if not h:
        return None, 1.0
    if h in HEADER_INDEX:
        return HEADER_INDEX[h], 1.0
    base, unit = split_unit(h)
    name = HEADER_INDEX.get(base)
    if name is None:
        return None, 1.0
    factor = UNIT_FACTORS.get(unit or "万元", 1.0) if COLUMN_BY_NAME[name].kind == "money" else 1.0
    return name, factor


def tier_expr(col: str | pl.Expr = "total_investment") -> pl.Expr:
    """Size tier label (规模档次) of a total investment in 万元, left-closed bands."""
    x = pl.col(col) if isinstance(col, str) else col
    expr = pl.when(x < TIERS[0][2]).then(pl.lit(TIERS[0][0]))
    for label, lo, hi in TIERS[1:]:
        expr = expr.when(x < hi).then(pl.lit(label))
    return expr.otherwise(pl.lit(TIERS[-1][0]))


def empty_frame() -> pl.DataFrame:
    """An empty snapshot with the canonical schema."""
    return pl.DataFrame(schema=SCHEMA)
