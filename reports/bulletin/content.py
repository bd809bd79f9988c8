"""What the monthly bulletin reports: every figure and table of one month and selection, computed once."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import polars as pl

from data.city import city_name
from data.duban import Ledger
from data.months import to_month
from data.submissions import MonthReport
from metrics.dataset import Dataset
from metrics.engine import as_record, compute
from metrics.filters import Filters
from metrics.format import figure_header, figure_text, fmt_rate, list_cell, money_column
from metrics.lights import LONG_PROBLEM_MONTHS
from metrics.plan_gap import GAP_MONEY, gap_headers, gap_to_target
from metrics.ranking import RED, SNAIL, Scorecard, load_scorecard, ranking, ranking_table
from metrics.registry import DIMENSIONS
from metrics.watchlists import LIST_TEXT, WATCH_LISTS, column_labels, find_list, watch_list
from reports.bulletin.duban_section import DubanSection, collect_duban, frames as duban_frames
from reports.export import to_xlsx_bytes

# Each dimension's key figures in the bulletin (columns of its by-county table), in reading order.
KEY_FIGURES: dict[str, tuple[str, ...]] = {
    "progress": ("project_count", "completed_ytd_sum", "monthly_investment", "investment_completion_rate",
                 "schedule_deviation", "start_rate", "resume_rate", "lagging_projects"),
    "structure": ("total_investment_sum", "private_share", "industrial_share", "government_share"),
    "industry": ("emerging_share", "traditional_share"),
    "chain": ("chain_investment_share", "chain_coverage"),
    "efficiency": ("profit_tax_rate", "tax_per_mu", "production_rate"),
    "management": ("procedures_complete_rate", "leader_coverage", "problem_projects", "approval_to_start_days",
                   "stats_inclusion_rate"),
    "pipeline": ("pipeline_investment", "reserve_conversion_rate", "signed_projects", "signed_start_rate"),
}
# Watch-list columns printed in the annex (the workbook carries every column of the list); 形象进度 and 责任单位
# (LIST_TEXT) before the leader when the list carries them.
ANNEX_BASE = ("project_id", "project_name", "county", "build_type", "status", "total_investment",
              "plan_investment_year", "completed_investment_ytd")
RANK_TABLE = ("rank", "county", "score", "rank_change", "flag", "warning")
GAP_COLUMNS = ("county", "plan_investment_sum", "completed_ytd_sum", "investment_completion_rate", "shortfall",
               "monthly_needed", "next_month_needed")


@dataclass
class Table:
    """One bulletin table: a sheet in the workbook (raw values) and a table in the document (text)."""

    name: str  # sheet name and reference
    title: str  # heading in the document
    frame: pl.DataFrame  # raw values, Chinese headers (workbook)
    text: list[list[str]] = field(default_factory=list)  # formatted rows for the document (header first)
    note: str = ""
    prose: bool = False  # the document states it in sentences rather than as a table
    unit: str = ""  # the one unit of its amounts, where its headers name one (metrics.format.money_column)


@dataclass
class Bulletin:
    """Everything the bulletin says for one month and selection, computed once."""

    city: str
    month: dt.date
    filters: Filters
    card: Scorecard
    summary: dict
    rank: pl.DataFrame
    warnings: list[dict]
    tables: dict[str, Table]
    dimension_tables: list[str]
    annexes: list[str]
    scope: str
    report: MonthReport | None = None  # the month's 报送情况 (whole-city bulletins of a store with units only)
    new_starts: tuple[int, int] = (0, 0)  # 新开工 projects this year: planned (start_rate's population), started
    duban: DubanSection | None = None  # 督办事项办理情况 (none while the store's 督办 log holds no item)

    @property
    def red(self) -> list[str]:
        return self.rank.filter(pl.col("flag") == RED).get_column("county").to_list()

    @property
    def snail(self) -> list[str]:
        return self.rank.filter(pl.col("flag") == SNAIL).get_column("county").to_list()


def _county_order(rank: pl.DataFrame, counties: list[str]) -> list[str]:
    """Counties in ranking order, then any county the ranking does not hold, by name."""
    ranked = [c for c in rank.get_column("county").to_list() if c in counties]
    return ranked + sorted(c for c in counties if c not in ranked and c is not None)


def _rank_table(rank: pl.DataFrame, card: Scorecard) -> Table:
    raw = ranking_table(rank, RANK_TABLE + ("explanation",), indicators=[i.id for i in card.items])
    text = ranking_table(rank, RANK_TABLE, text=True)
    return Table("县区排名", "县区综合排名", raw, [text.columns] + [list(r) for r in text.iter_rows()])


def _warning_table(warnings: list[dict]) -> Table:
    raw = pl.DataFrame({"县区": [w["county"] for w in warnings], "名次": [w["rank"] for w in warnings],
                        "说明": [w["explanation"] for w in warnings]},
                       schema={"县区": pl.String, "名次": pl.Int64, "说明": pl.String})
    text = [["县区", "名次", "说明"]] + [[w["county"], str(w["rank"]), w["explanation"]] for w in warnings]
    return Table("约谈预警", "约谈预警县区", raw, text, prose=True)


def _gap_table(ds: Dataset, m: dt.date, filters: Filters, rank: pl.DataFrame) -> Table:
    gap = gap_to_target(ds, m, filters)
    order = _county_order(rank, gap.get_column("county").to_list())
    gap = gap.with_columns(pl.col("county").replace_strict({c: i for i, c in enumerate(order)}, default=len(order))
                           .alias("_o")).sort("_o").drop("_o")
    money_cols = [c for c in GAP_COLUMNS if c in GAP_MONEY]
    money = money_column(v for c in money_cols for v in gap.get_column(c).to_list())
    heads = gap_headers(money.unit)
    text = [[heads[c] for c in GAP_COLUMNS]]
    for r in gap.iter_rows(named=True):
        text.append([r["county"]] + [fmt_rate(r[c]) if c == "investment_completion_rate" else money.text(r[c])
                                     for c in GAP_COLUMNS[1:]])
    frame = gap.with_columns(pl.col(c) / money.divisor for c in GAP_MONEY).rename(heads)
    return Table("距年度目标", "距年度计划", frame, text, unit=money.unit)


def _dimension_table(ds: Dataset, m: dt.date, filters: Filters, rank: pl.DataFrame, dim: str, rec: dict) -> Table:
    """A dimension's key figures by county (in ranking order), then the whole selection."""
    ids = KEY_FIGURES[dim]
    by = compute(ds, [m], filters, "county", list(ids)).filter(pl.col("county").is_not_null())
    order = _county_order(rank, by.get_column("county").to_list())
    by_rows = {r["county"]: r for r in by.iter_rows(named=True)}
    name = DIMENSIONS[dim][0]
    text = [["县区"] + [figure_header(i) for i in ids]]
    raw = {"县区": []} | {figure_header(i): [] for i in ids}
    for county, r in [(c, by_rows[c]) for c in order] + [("全市" if filters.is_empty() else "合计", rec)]:
        text.append([county] + [figure_text(i, r.get(i)) for i in ids])
        raw["县区"].append(county)
        for i in ids:
            raw[figure_header(i)].append(r.get(i))
    return Table(name, name, pl.DataFrame(raw, strict=False), text)


def _annex(ds: Dataset, m: dt.date, filters: Filters, k: int, w) -> Table:
    """Watch list `w` as annex k: the base columns, the list's own, and the leader last."""
    df = watch_list(ds, m, w.id, filters)
    cols = list(dict.fromkeys(ANNEX_BASE + tuple(c for c in w.columns if c != "leader") + LIST_TEXT + ("leader",)))
    cols = [c for c in cols if c in df.columns]
    labels = column_labels(df.columns)
    heads = {**labels, "deviation": f"{labels['deviation']}(百分点)"} if "deviation" in labels else labels
    text = [["序号"] + [heads[c] for c in cols]]
    for n, r in enumerate(df.iter_rows(named=True), 1):
        text.append([str(n)] + [list_cell(c, r[c]) for c in cols])
    name = f"附件{k} {w.zh}"
    return Table(name, f"附件{k}", df.rename(labels), text, note=w.caliber)


LINGERING = f"问题超{LONG_PROBLEM_MONTHS}个月未解决项目清单"


def _lingering_annex(ds: Dataset, m: dt.date, filters: Filters, k: int) -> Table:
    """The problems reported three months running or more (long_standing_problems' rows), longest first."""
    t = _annex(ds, m, filters, k, find_list("problems"))
    months = t.frame.get_column(column_labels(["problem_months"])["problem_months"]).to_list()
    keep = [i for i, v in enumerate(months) if v is not None and v >= LONG_PROBLEM_MONTHS]
    text = [t.text[0]] + [[str(n)] + t.text[i + 1][1:] for n, i in enumerate(keep, 1)]
    return Table(f"附件{k} {LINGERING}", f"附件{k}", t.frame[keep], text,
                 note=f"存在问题连续{LONG_PROBLEM_MONTHS}个月及以上出现在报送台账中、至今未解决的项目（问题持续月数从首次报送当月起算）。")


def collect(ds: Dataset, month: dt.date | str, filters: Filters = Filters(), card: Scorecard | None = None, *,
            city: str | None = None, report: MonthReport | None = None, ledger: Ledger | None = None) -> Bulletin:
    """Compute every figure and table of the bulletin (shared by the document and the workbook); `report` (the
    store's 报送情况 of the month) is reported for the whole city only, and only when units reported; `ledger` (the
    store's 督办 log) gives the section 督办事项办理情况."""
    card = card or load_scorecard()
    m = to_month(month)
    if not ds.has(m):
        raise ValueError(f"库中没有 {m:%Y-%m} 的快照。")
    frame = compute(ds, [m], filters)
    rec = as_record(frame)
    planned = int(frame.get_column("n__start_rate")[0]) if frame.height else 0
    started = round((rec["start_rate"] or 0) * planned)  # start_rate = started ÷ planned, so this is exact
    rank = ranking(ds, m, filters, card)
    warnings = [{"county": r["county"], "rank": r["rank"], "flag": r["flag"], "explanation": r["explanation"]}
                for r in rank.iter_rows(named=True) if r["warning"]]
    tables = [_rank_table(rank, card), _warning_table(warnings), _gap_table(ds, m, filters, rank)]
    dimensions = [_dimension_table(ds, m, filters, rank, dim, rec) for dim in KEY_FIGURES]
    annexes = [_annex(ds, m, filters, k, w) for k, w in enumerate(WATCH_LISTS, 1)]
    annexes.append(_lingering_annex(ds, m, filters, len(annexes) + 1))
    scope = "全市" if filters.is_empty() else f"所选范围（{filters.describe()}）"
    supervision = collect_duban(ledger, m, filters)
    if supervision is not None:
        tables += [Table(name, name, frame) for name, frame in duban_frames(supervision).items()]
    return Bulletin(city_name(city), m, filters, card, rec, rank, warnings,
                    {t.name: t for t in tables + dimensions + annexes}, [t.name for t in dimensions],
                    [t.name for t in annexes], scope,
                    report if report is not None and report.units and filters.is_empty() else None,
                    (planned, started), supervision)


def build_workbook(ds: Dataset, month: dt.date | str, filters: Filters = Filters(), card: Scorecard | None = None,
                   *, city: str | None = None, bulletin: Bulletin | None = None) -> bytes:
    """Every bulletin table as one sheet of an .xlsx (raw values, Chinese headers)."""
    b = bulletin or collect(ds, month, filters, card, city=city)
    return to_xlsx_bytes({name: t.frame for name, t in b.tables.items()})
