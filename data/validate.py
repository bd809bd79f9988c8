"""Snapshot validation: the DOMAIN.md rules and month-over-month warnings as declared rules (id, name, check)."""
from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from data.problems import Problem, format_report, show_value
from data.schema import COLUMN_BY_NAME, COLUMNS, ZH

MONEY_OR_AREA = tuple(c.name for c in COLUMNS if c.kind in ("money", "float"))
REQUIRED = tuple(c.name for c in COLUMNS if c.required)
ENUMS = tuple(c.name for c in COLUMNS if c.kind == "enum")
# A ratio above this between this month's and last month's total investment counts as a re-baseline.
REBASELINE_RATIO = 0.20
# Comparisons of money allow for binary float noise (values come from Excel formulas).
EPS = 1e-6
# Problem, format_report and show_value (data/problems.py) stay importable from here.
__all__ = ["CHANGES", "RULES", "RULE_BY_ID", "Problem", "Rule", "compare_with_previous", "format_report",
           "show_value", "validate"]


def _fmt_num(x: float | None) -> str:
    if x is None:
        return ""
    return f"{x:,.2f}".rstrip("0").rstrip(".")


def _rows_of(frame: pl.DataFrame, source_rows: Sequence[int] | None) -> pl.Series:
    if source_rows is None:
        return pl.Series("_row", range(1, frame.height + 1), dtype=pl.Int64())
    if len(source_rows) != frame.height:
        raise ValueError("source_rows must have one entry per frame row")
    return pl.Series("_row", list(source_rows), dtype=pl.Int64())


Check = Callable[["Rule", Any], Iterator[Problem]]  # (the rule, what it reads) → its findings


@dataclass(frozen=True)
class Rule:
    """One declared rule: a stable id, its Chinese name (the report's heading for it) and its check."""

    id: str
    name: str
    check: Check
    needs: tuple[str, ...] = ()  # columns the check reads: a frame without one of them skips the rule


def _flag(rule: Rule, df: pl.DataFrame, mask: pl.Expr, column: str, message: Callable[[dict], str],
          extra: Sequence[pl.Expr] = ()) -> Iterator[Problem]:
    """One Problem per row where mask holds, naming the source row and the cell's value."""
    # The check itself is one vectorised filter; Python only formats the (few) failing rows.
    bad = df.filter(mask.fill_null(False)).select("_row", pl.col(column).alias("_v"), *extra)
    for rec in bad.iter_rows(named=True):
        yield Problem(rule.name, ZH[column], rec["_row"], rec["_v"], message(rec))


# ---- the snapshot rules (DOMAIN.md), in the order the report lists them ---------------------------------------------
def _required(rule: Rule, df: pl.DataFrame) -> Iterator[Problem]:
    for col in (COLUMN_BY_NAME[n] for n in REQUIRED if n in df.columns and df.get_column(n).null_count()):
        yield from _flag(rule, df, pl.col(col.name).is_null(), col.name,
                         lambda r, c=col: f"“{c.zh}”为必填项，此行为空：请补填（{c.rule}）。")


def _unique_id(rule: Rule, df: pl.DataFrame) -> Iterator[Problem]:
    """Every row that shares an id, naming the other rows."""
    dup = (
        df.filter(pl.col("project_id").is_not_null() & pl.col("project_id").is_duplicated())
        .with_columns(pl.col("_row").implode().over("project_id").alias("_all"))
        .select("_row", "project_id", "_all")
    )
    for rec in dup.iter_rows(named=True):
        others = "、".join(str(r) for r in rec["_all"] if r != rec["_row"])
        yield Problem(rule.name, ZH["project_id"], rec["_row"], rec["project_id"],
                      f"项目编码“{rec['project_id']}”与第 {others} 行重复：同一月份每个项目只能出现一次，"
                      "请删除重复行或更正编码。")


def _allowed(rule: Rule, df: pl.DataFrame) -> Iterator[Problem]:
    for col in (COLUMN_BY_NAME[n] for n in ENUMS if n in df.columns):
        allowed = "、".join(col.allowed or ())
        outside = pl.col(col.name).is_not_null() & ~pl.col(col.name).is_in(list(col.allowed or ()))
        yield from _flag(rule, df, outside, col.name,
                         lambda r, c=col, a=allowed: f"“{c.zh}”填写了“{show_value(r['_v'])}”，不是允许的取值：请改为 {a} 之一。")


def _not_negative(rule: Rule, df: pl.DataFrame) -> Iterator[Problem]:
    for name in (n for n in MONEY_OR_AREA if n in df.columns):
        yield from _flag(rule, df, pl.col(name) < 0, name,
                         lambda r, z=ZH[name]: f"“{z}”不能为负数：请填写 0 或正数（金额单位万元）。")


def _one_month(rule: Rule, df: pl.DataFrame) -> Iterator[Problem]:
    """One line listing the months found, then every row off the majority month."""
    counts = df.get_column("snapshot_month").drop_nulls().value_counts(sort=True)
    if counts.height <= 1:
        return
    listed = "、".join(f"{m:%Y-%m}（{n} 行）" if m.day == 1 else f"{m:%Y-%m-%d}（{n} 行）" for m, n in counts.iter_rows())
    yield Problem(rule.name, ZH["snapshot_month"], None, "",
                  f"文件包含多个报送月份：{listed}。一个文件只能报送一个月份：请按月份拆分成多个文件分别导入，"
                  "或更正填错的月份。")
    main = counts.item(0, 0)
    yield from _flag(rule, df, pl.col("snapshot_month") != main, "snapshot_month",
                     lambda r, m=main: f"此行报送月份与多数行（{m:%Y-%m}）不同：请更正。")


def _each_row(mask: pl.Expr, column: str, message: Callable[[dict], str], extra: Sequence[pl.Expr] = ()) -> Check:
    """A check flagging every row where mask holds, in `column`; `extra` columns are there for the message."""
    return lambda rule, df: _flag(rule, df, mask, column, message, extra)


_TOTAL, _YTD = pl.col("completed_investment_total"), pl.col("completed_investment_ytd")
_INVESTMENT, _MONTH, _CATEGORY = pl.col("total_investment"), pl.col("snapshot_month"), pl.col("category")

RULES: tuple[Rule, ...] = (
    Rule("required", "必填项为空", _required),
    Rule("unique_project_id", "项目编码重复", _unique_id, ("project_id",)),
    Rule("allowed_values", "取值不在范围", _allowed),
    Rule("industry_class_given", "产业类型缺失", _each_row(
        (_CATEGORY == "产业") & pl.col("industry_class").is_null(), "industry_class",
        lambda r: "项目类别为“产业”时必须填写产业类型：请填“新兴产业”或“传统产业”。"), ("category", "industry_class")),
    Rule("industry_class_empty", "产业类型应为空", _each_row(
        _CATEGORY.is_not_null() & (_CATEGORY != "产业") & pl.col("industry_class").is_not_null(), "industry_class",
        lambda r: f"项目类别为“{r['category']}”（非产业）时产业类型须为空：请清空此格，或把项目类别改为“产业”。",
        extra=[_CATEGORY]), ("category", "industry_class")),
    Rule("not_negative", "数值为负", _not_negative),
    Rule("total_covers_ytd", "开工累计小于本年累计", _each_row(
        _TOTAL < _YTD - EPS, "completed_investment_total",
        lambda r: (f"开工累计完成投资 {_fmt_num(r['_v'])} 万元小于本年累计完成投资 {_fmt_num(r['_y'])} 万元："
                   "开工以来的累计应包含本年完成额，请核对两列。"),
        extra=[_YTD.alias("_y")]), ("completed_investment_total", "completed_investment_ytd")),
    Rule("total_within_investment", "累计投资超过总投资", _each_row(
        _TOTAL > _INVESTMENT * 1.2 + EPS, "completed_investment_total",
        lambda r: (f"开工累计完成投资 {_fmt_num(r['_v'])} 万元超过总投资 {_fmt_num(r['_t'])} 万元的 1.2 倍："
                   "请核对金额与单位（万元），如总投资已调整请同步更新总投资。"),
        extra=[_INVESTMENT.alias("_t")]), ("completed_investment_total", "total_investment")),
    Rule("one_month", "报送月份不一致", _one_month, ("snapshot_month",)),
    Rule("month_first_day", "报送月份非月初", _each_row(
        _MONTH.dt.day() != 1, "snapshot_month",
        lambda r: "报送月份应为当月 1 日（如 2024-06-01）：请改为所报月份的 1 日，或只写“2024-06”。"), ("snapshot_month",)),
    Rule("started_by_month_end", "开工时间晚于报送月", _each_row(
        pl.col("actual_start") > _MONTH.dt.month_end(), "actual_start",
        lambda r: (f"实际开工时间 {show_value(r['_v'])} 晚于报送月份 {r['_m']:%Y-%m} 的月末：尚未开工的项目请清空"
                   "实际开工时间，或核对日期。"),
        extra=[_MONTH.alias("_m")]), ("snapshot_month", "actual_start")),
)


def validate(frame: pl.DataFrame, source_rows: Sequence[int] | None = None) -> list[Problem]:
    """Every DOMAIN.md rule on one snapshot; each failing cell becomes a Problem naming its source row."""
    df = frame.with_columns(_rows_of(frame, source_rows))
    return [p for rule in RULES if all(c in df.columns for c in rule.needs) for p in rule.check(rule, df)]


# ---- month-over-month warnings, in the order the report lists them -------------------------------------------------
@dataclass(frozen=True)
class _Months:
    """What the change rules read: this month (with _row), last month, both joined, last month's label and year."""

    now: pl.DataFrame
    prev: pl.DataFrame
    both: pl.DataFrame
    label: str
    year: int


def _missing_projects(rule: Rule, m: _Months) -> Iterator[Problem]:
    for rec in m.prev.join(m.now.select("project_id"), on="project_id", how="anti").iter_rows(named=True):
        yield Problem(rule.name, ZH["project_id"], None, rec["project_id"],
                      f"{m.label} 报送的项目“{rec['project_name']}”（{rec['county']}）本月未报送："
                      "如项目仍在库请补报；如已调出，请在说明中注明原因。")


def _new_projects(rule: Rule, m: _Months) -> Iterator[Problem]:
    new = m.now.join(m.prev.select("project_id"), on="project_id", how="anti")
    for rec in new.select("_row", "project_id", "project_name").iter_rows(named=True):
        yield Problem(rule.name, ZH["project_id"], rec["_row"], rec["project_id"],
                      f"项目“{rec['project_name']}”在 {m.label} 没有报送，为本月新增：请确认不是编码填错。")


def _ytd_fell(rule: Rule, m: _Months) -> Iterator[Problem]:
    fell = (pl.col("snapshot_month").dt.year() == m.year) & (_YTD < pl.col("_prev_ytd") - EPS)
    return _flag(rule, m.both, fell, "completed_investment_ytd",
                 lambda r: (f"本年累计完成投资 {_fmt_num(r['_v'])} 万元低于上月的 {_fmt_num(r['_prev_ytd'])} 万元："
                            "本年累计只增不减，请核对。"),
                 extra=[pl.col("_prev_ytd")])


def _changed_totals(rule: Rule, m: _Months) -> Iterator[Problem]:
    changed = (pl.when(pl.col("_prev_total") > 0)
               .then((pl.col("total_investment") / pl.col("_prev_total") - 1).abs() > REBASELINE_RATIO)
               .otherwise(pl.col("total_investment") > 0))
    return _flag(rule, m.both, changed, "total_investment",
                 lambda r: (f"总投资由上月 {_fmt_num(r['_prev_total'])} 万元变为 {_fmt_num(r['_v'])} 万元，"
                            f"变动超过 {REBASELINE_RATIO:.0%}：如确属调整请保留，否则请核对金额和单位。"),
                 extra=[pl.col("_prev_total")])


CHANGES: tuple[Rule, ...] = (
    Rule("missing_projects", "上月项目本月缺失", _missing_projects),
    Rule("new_projects", "新增项目", _new_projects),
    Rule("ytd_fell", "本年累计减少", _ytd_fell),
    Rule("changed_totals", "总投资大幅调整", _changed_totals),
)


RULE_BY_ID: dict[str, Rule] = {r.id: r for r in (*RULES, *CHANGES)}


def compare_with_previous(frame: pl.DataFrame, previous: pl.DataFrame | None,
                          source_rows: Sequence[int] | None = None) -> list[Problem]:
    """Warnings against last month's snapshot: missing or new projects, falling 本年累计, re-baselined 总投资."""
    if previous is None or previous.is_empty() or frame.is_empty():
        return []
    now = frame.with_columns(_rows_of(frame, source_rows))
    prev = previous.select(
        "project_id", "project_name", "county", "snapshot_month",
        pl.col("completed_investment_ytd").alias("_prev_ytd"), pl.col("total_investment").alias("_prev_total"),
    )
    prev_month = prev.get_column("snapshot_month").drop_nulls().min()
    both = now.join(prev.drop("project_name", "county", "snapshot_month"), on="project_id", how="inner")
    months = _Months(now, prev, both, f"{prev_month:%Y-%m}" if prev_month else "上月",
                     prev_month.year if prev_month else -1)
    return [p for rule in CHANGES for p in rule.check(rule, months)]
