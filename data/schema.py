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
    attribute: bool = False  # a project attribute the year's register (年度名单) carries (DOMAIN.md Part 3)
    unreported: bool = False  # required, yet null when a report leaves it out and nothing carries it: 未填报

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
           aliases=("项目代码", "项目编号", "编码"), attribute=True),
    Column("project_name", "项目名称", "str", True, rule="必填", en="Project name", attribute=True),
    Column("county", "县区", "str", True, rule="必填，名称不限", en="County",
           aliases=("县(市、区)", "县市区", "所属县区", "县(区)", "地区", "区县"), attribute=True),
    Column("chain", "产业链", "str", rule="可空，空表示不属于任何产业链", en="Industrial chain",
           aliases=("所属产业链", "链群", "产业链群"), attribute=True),
    Column("category", "项目类别", "enum", True, CATEGORIES, "必填，取值：" + "、".join(CATEGORIES), en="Category",
           aliases=("项目类型", "类别"), attribute=True),
    Column("industry_class", "产业类型", "enum", False, INDUSTRY_CLASSES,
           "项目类别为“产业”时必填（新兴产业、传统产业），否则须为空", en="Industry class",
           aliases=("产业分类",), attribute=True),
    Column("level", "项目级别", "enum", True, LEVELS, "必填，取值：" + "、".join(LEVELS), en="Level",
           aliases=("级别", "项目层级"), attribute=True),
    Column("build_type", "建设性质", "enum", True, BUILD_TYPES, "必填，取值：" + "、".join(BUILD_TYPES),
           en="Build type", aliases=("项目性质",), attribute=True),
    Column("status", "建设状态", "enum", True, STATUSES, "必填，取值：" + "、".join(STATUSES), en="Status",
           aliases=("项目状态", "进展状态")),
    Column("investor_type", "投资主体", "enum", True, INVESTOR_TYPES, "必填，取值：" + "、".join(INVESTOR_TYPES),
           en="Investor type", aliases=("投资主体类型", "投资类型"), attribute=True),
    Column("total_investment", "总投资(万元)", "money", True, rule="必填，≥ 0", en="Total investment",
           aliases=("项目总投资", "计划总投资"), attribute=True),
    Column("plan_investment_year", "年度计划投资(万元)", "money", True, rule="必填，≥ 0（前期、储备可为0）",
           en="Annual planned investment", aliases=("年度计划", "本年计划投资", "年度投资计划"), attribute=True),
    Column("completed_investment_ytd", "本年累计完成投资(万元)", "money", True, rule="必填，≥ 0",
           en="Investment completed this year", aliases=("本年完成投资", "年度累计完成投资", "1-本月累计完成投资")),
    Column("completed_investment_total", "开工累计完成投资(万元)", "money", True,
           rule="必填，≥ 0，≥ 本年累计完成投资，≤ 总投资×1.2", en="Investment completed since start",
           aliases=("累计完成投资", "自开工累计完成投资"), unreported=True),
    Column("funds_in_place_ytd", "本年资金到位(万元)", "money", True, rule="必填，≥ 0", en="Funds in place this year",
           aliases=("本年到位资金", "资金到位"), unreported=True),
    Column("planned_start", "计划开工时间", "date", en="Planned start", aliases=("计划开工日期",), attribute=True),
    Column("actual_start", "实际开工时间", "date", rule="可空，不得晚于报送月份月末", en="Actual start",
           aliases=("实际开工日期", "开工时间")),
    Column("planned_completion", "计划竣工时间", "date", en="Planned completion", aliases=("计划竣工日期", "竣工时间"), attribute=True),
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
           aliases=("招商引资签约项目", "是否招商引资项目", "是否签约项目"), attribute=True),
    Column("leader", "包抓领导", "str", rule="可空，空表示未落实包抓领导", en="Responsible leader",
           aliases=("包联领导", "包抓县级领导", "责任领导"), attribute=True),
    Column("problems", "存在问题", "str", rule="可空，空白表示无", en="Problems", aliases=("存在的问题", "问题及困难", "存在困难和问题")),
    Column("in_statistics", "是否入统", "bool", True, rule="必填，是/否", en="In statistics", aliases=("入统", "是否纳统"), unreported=True),
)

# Values county ledgers write their own way (DOMAIN.md Part 2), mapped on import to the canonical value, each
# mapping reported with its count. Declared once: import, the template's 填报说明 and the README table use it.
VALUE_SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
    "status": {"在建": ("施工中", "在建中", "正在建设"), "竣工": ("已竣工", "完工", "建成"),
               "投产": ("已投产", "建成投产", "投产运营"), "停工": ("停建", "暂停施工"), "未开工": ("尚未开工", "未开工建设")},
    "build_type": {"新开工": ("新建",), "续建": ("续建项目",), "前期": ("前期项目", "预备"), "储备": ("储备项目",)},
    "investor_type": {"政府投资": ("政府", "财政投资"), "国有企业": ("国企", "国有", "国有投资"),
                      "民间投资": ("民营", "民营企业", "民间", "私营"), "外商投资": ("外资", "外商")},
    "level": {"省级": ("省重点", "省级重点", "省列"), "市级": ("市重点", "市级重点", "市列"),
              "县级": ("县重点", "县级重点", "区级")},
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


# The text columns real progress tables carry (DOMAIN.md Part 3): kept in the snapshot after the 32 above, each
# only when some row of the month has it (a month without any is written exactly as before these columns existed).
TEXT_COLUMNS: tuple[Column, ...] = (
    Column("owner", "项目业主", "str", rule="可空，文字", en="Owner",
           aliases=("业主单位", "建设单位", "项目单位", "投资主体名称"), attribute=True),
    Column("responsible_unit", "责任单位", "str", rule="可空，文字", en="Responsible unit",
           aliases=("牵头单位", "主管部门"), attribute=True),
    Column("location", "建设地点", "str", rule="可空，文字（不作为县区）", en="Location",
           aliases=("建设地址",), attribute=True),
    Column("scope", "建设内容", "str", rule="可空，文字", en="Scope",
           aliases=("建设内容及规模", "建设规模", "项目建设规模"), attribute=True),
    Column("construction_period", "建设起止年限", "str", rule="可空，文字，按原样保存（如 2023-2025）",
           en="Construction period", aliases=("建设年限", "建设起止年", "起止年限", "建设期限"), attribute=True),
    Column("target_note", "年底应达形象进度", "str", rule="可空，文字：本年度目标", en="Year-end target",
           aliases=("年计划形象进度", "年度计划形象进度", "年底形象进度目标"), attribute=True),
    Column("progress_note", "形象进度", "str", rule="可空，文字：本月形象进度", en="Progress",
           aliases=("目前形象进度", "工程形象进度", "当前形象进度", "项目进展情况", "建设进展情况", "进展情况")),
)
ALL_COLUMNS: tuple[Column, ...] = COLUMNS + TEXT_COLUMNS  # every column a ledger or a register may carry
TEXT_COLUMN_NAMES = tuple(c.name for c in TEXT_COLUMNS)
ATTRIBUTES = tuple(c.name for c in ALL_COLUMNS if c.attribute)  # what the year's register carries

COLUMN_BY_NAME = {c.name: c for c in ALL_COLUMNS}
COLUMN_NAMES = tuple(c.name for c in COLUMNS)
SCHEMA = pl.Schema({c.name: c.dtype for c in COLUMNS})  # the columns every snapshot has
FULL_SCHEMA = pl.Schema({c.name: c.dtype for c in ALL_COLUMNS})  # … and those it may have
ZH = {c.name: c.zh for c in ALL_COLUMNS}
MONEY_COLUMNS = tuple(c.name for c in COLUMNS if c.kind == "money")
# The month's progress: what a unit reports anew every month (the 底稿 marks these headers to update; the other
# columns carry over from last month unless something changed).
PROGRESS_COLUMNS = ("status", "actual_start", "completed_investment_ytd", "completed_investment_total",
                    "funds_in_place_ytd", "problems", "in_statistics")


def snapshot_columns(frame: pl.DataFrame) -> list[str]:
    """The columns a snapshot of `frame` is written with: the 32 always, a text column only when some row has it."""
    present = [n for n in TEXT_COLUMN_NAMES if n in frame.columns and frame.get_column(n).null_count() < frame.height]
    return [*SCHEMA.names(), *present]


def snapshot_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """`frame` as it is stored: the canonical columns in order and types, the text columns that hold anything."""
    cols = snapshot_columns(frame)
    return frame.select(cols).cast({c: FULL_SCHEMA[c] for c in cols})


def is_snapshot_schema(schema: pl.Schema) -> bool:
    """Whether a stored file's schema is a snapshot's: the 32 columns, then some of the text columns in order."""
    names = list(schema.names())
    extra = names[len(SCHEMA):]
    return (list(schema.items())[: len(SCHEMA)] == list(SCHEMA.items())
            and extra == [n for n in TEXT_COLUMN_NAMES if n in extra] and all(schema[n] == pl.String for n in extra))


def with_text_columns(frame: pl.DataFrame | pl.LazyFrame):
    """The frame with every text column (null where a stored month has none), for readers that show them."""
    have = set(frame.collect_schema().names())
    return frame.with_columns(pl.lit(None, pl.String).alias(n) for n in TEXT_COLUMN_NAMES if n not in have)


# ---- headings real tables write (DOMAIN.md Part 3 "How real tables write things"), recognised without teaching --------
# A heading is matched after folding (normalize_header) and setting its unit aside (split_unit). Its year (group y) must
# be the report's year — for PRIOR_YEARS the year before; its month (group m) must not be later than the report's.
MONTH_AMOUNT = "month_amount"    # one month's own amount: N月完成投资
PRIOR_YEARS = "prior_years"      # the amount completed before this year: 至上年底累计完成投资
START_EITHER = "start_either"    # 开工/计划开工时间: actual start on or before the month end, else planned start
DERIVED_READS = {MONTH_AMOUNT: "当月完成投资", PRIOR_YEARS: "至上年底累计完成投资", START_EITHER: "开工/计划开工时间"}
_Y, _M, _TO = r"(?P<y>\d{4})", r"(?P<m>\d{1,2})", r"(?:-|~|—|–|―|至|到)"


@dataclass(frozen=True)
class Heading:
    """One way real tables head a column: what it reads as, the patterns, the contract's examples, how it is read."""

    reads: str                   # a column name, or MONTH_AMOUNT / PRIOR_YEARS / START_EITHER
    patterns: tuple[str, ...]    # regular expressions over the folded heading, unit set aside
    written: tuple[str, ...]     # as DOMAIN.md writes them (YYYY = a year, N = a month): README and tests read them
    note: str = ""
    group: str | None = None     # recognised only under a group heading containing this text


HEADINGS: tuple[Heading, ...] = (
    Heading("plan_investment_year",
            (rf"^{_Y}年度?(?:计划(?:完成)?|预计(?:完成)?)投资(?:额)?$", r"^(?:本年度?|年度?)(?:计划完成|预计(?:完成)?)投资(?:额)?$",
             r"^年计划投资(?:额)?$"),
            ("YYYY年计划投资", "YYYY年度计划投资", "YYYY年计划完成投资", "YYYY年预计投资", "年计划投资", "本年计划投资"),
            "年份须为报送年份"),
    Heading("completed_investment_ytd",
            (rf"^(?:{_Y}年)?1{_TO}{_M}月份?(?:累计)?(?:实际)?完成(?:投资)?(?:额)?$",
             r"^(?:年初至今|年初以来|本年以来)(?:累计)?(?:实际)?完成投资(?:额)?$"),
            ("1-N月完成投资", "YYYY年1-N月完成投资", "1至N月累计完成投资", "本年累计完成投资", "年初至今完成投资"),
            "N 不得晚于报送月份，有几列时读报送月份的一列；没有其他来源时 N 即报送月份"),
    Heading(MONTH_AMOUNT,
            (rf"^(?:{_Y}(?:-|\.|年))?{_M}月份?(?:实际)?完成投资(?:额)?$", r"^(?:当月|本月)(?:实际)?完成投资(?:额)?$"),
            ("N月完成投资", "N月实际完成投资", "YYYY-MM月实际完成投资", "当月完成投资"),
            "当月完成额（每月一列亦可）：没有本年累计列时，1至N月各列俱全则本年累计为其和，否则为上月本年累计加当月（1月即当月）；"
            "有本年累计列时，不一致给出警告"),
    Heading(PRIOR_YEARS,
            (rf"^(?:截)?至(?:上年|{_Y}年)(?:底|末)?已?累计(?:完成)?投资(?:额)?$", r"^上年(?:底|末)已?累计(?:完成)?投资(?:额)?$"),
            ("至上年底累计完成投资", "截至上年底累计完成投资", "至YYYY年底累计完成投资", "至YYYY年已累计完成投资"),
            "以前年度完成额（YYYY 为报送年份的上一年）：没有开工累计列时，开工累计 = 它 + 本年累计"),
    Heading("completed_investment_total",
            (r"^(?:自?开工(?:以来)?|自开始|开始以来)?累[计积](?:完成)?投资(?:额)?$",),
            ("开工累计完成投资", "自开工累计完成投资", "累计完成投资", "开工以来累计完成投资", "自开始累积完成投资")),
    Heading("construction_period",
            (r"^(?:建设)?(?:起止)?年限$", r"^建设起止(?:年|年份|时间)$", r"^建设(?:期限|工期|周期)$"),
            ("建设起止年限", "建设年限", "建设起止年"),
            "按原样保存；起年写了月份时计划开工时间取该月1日，止年写了月份时计划竣工时间取该月最后一天"),
    Heading("actual_start", (r"^(?:实际)?开工(?:时间|日期)$",), ("开工时间", "实际开工时间")),
    Heading("planned_start", (r"^计划开工(?:时间|日期)$",), ("计划开工时间",)),
    Heading(START_EITHER,
            (r"^(?:实际)?开工[/、或]?\(?计划开工\)?(?:时间|日期)$", r"^计划[/、或]实际开工(?:时间|日期)$"),
            ("开工/计划开工时间",), "不晚于报送月份月末的为实际开工时间，否则为计划开工时间"),
    Heading("progress_note",
            (r"^(?:目前|当前|工程|本月|当月)?形象进度(?:情况)?$", rf"^(?:{_Y}年)?{_M}月份?底?(?:工程)?形象进度$",
             rf"^截至{_M}月底?形象进度$"),
            ("形象进度", "目前形象进度", "N月形象进度", "工程形象进度"), "N 不得晚于报送月份，有几列时读报送月份的一列"),
    Heading("progress_note", (rf"^(?:{_Y}年)?{_M}月份?底?(?:工程)?进度(?:情况)?$",), ("N月进度",),
            "N 不得晚于报送月份", group="形象进度"),
    Heading("target_note",
            (rf"^(?:{_Y}年|本年|年)(?:底|末)(?:工程)?应达(?:到)?的?形象进度$", rf"^(?:{_Y}年度?|本?年度?)计划形象进度$"),
            ("年底应达形象进度", "YYYY年底工程应达形象进度", "年计划形象进度")),
    Heading("target_note", (r"^(?:年度|全年)(?:目标|计划)(?:任务)?$",), ("年度目标", "全年目标"), group="形象进度"),
)

# Values (DOMAIN.md Part 3): label suffixes removed before a value is matched (longest first), extra level labels,
# the units a money cell may state, and the words that make an 投资主体 cell a name (it goes to owner).
LABEL_SUFFIXES = ("类项目", "项目", "类")
CELL_UNITS = {"亿元": 10_000.0, "亿": 10_000.0, "万元": 1.0, "万": 1.0}
APPROXIMATE = "约"
ORGANISATION_ENDINGS = ("公司", "集团", "有限合伙", "合作社", "政府", "管委会", "委员会", "局", "委", "办", "中心", "医院",
                        "学校", "大学", "学院", "院", "厂", "所", "站", "部", "社", "银行", "基金")

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


HEADER_INDEX: dict[str, str] = {k: c.name for c in ALL_COLUMNS for k in _keys(c)}


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
