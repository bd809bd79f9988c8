"""Every DOMAIN.md rule on frames, month-over-month warnings, and the Chinese report."""
from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from data.validate import Problem, compare_with_previous, format_report, validate
from tests.factories import valid_frame


def _set(frame: pl.DataFrame, i: int, **values) -> pl.DataFrame:
    """Row i with some cells replaced."""
    idx = pl.int_range(pl.len()) == i
    return frame.with_columns(
        pl.when(idx).then(pl.lit(v, dtype=frame.schema[k])).otherwise(pl.col(k)).alias(k) for k, v in values.items()
    )


def _rules(problems: list[Problem]) -> set[tuple[str, str, int | None]]:
    return {(p.rule, p.column, p.row) for p in problems}


ROWS = [3, 4, 5, 6, 7, 8]  # as if the data started under a two-row header


def test_valid_frame_passes():
    assert validate(valid_frame(30)) == []


@pytest.mark.parametrize("column,zh", [
    ("project_id", "项目编码"), ("project_name", "项目名称"), ("county", "县区"), ("category", "项目类别"),
    ("level", "项目级别"), ("build_type", "建设性质"), ("status", "建设状态"), ("investor_type", "投资主体"),
    ("total_investment", "总投资(万元)"), ("plan_investment_year", "年度计划投资(万元)"),
    ("completed_investment_ytd", "本年累计完成投资(万元)"), ("completed_investment_total", "开工累计完成投资(万元)"),
    ("funds_in_place_ytd", "本年资金到位(万元)"), ("is_signed_attraction", "是否招商引资签约项目"),
    ("in_statistics", "是否入统"), ("snapshot_month", "报送月份"),
])
def test_required(column, zh):
    f = _set(valid_frame(6), 2, **{column: None})
    problems = validate(f, ROWS)
    assert _rules(problems) == {("必填项为空", zh, 5)}
    assert problems[0].message.startswith(f"“{zh}”为必填项，此行为空：请补填（")


def test_duplicate_ids_report_every_row():
    f = _set(valid_frame(6), 4, project_id="P0001")
    f = _set(f, 5, project_id="P0001")
    probs = [p for p in validate(f, ROWS) if p.rule == "项目编码重复"]
    assert sorted(p.row for p in probs) == [4, 7, 8]
    assert all(p.column == "项目编码" and p.value == "P0001" for p in probs)
    assert "第 7、8 行" in next(p for p in probs if p.row == 4).message


@pytest.mark.parametrize("column,zh,bad,allowed", [
    ("category", "项目类别", "工业", "产业、基础设施、社会民生、生态环保、其他"), ("industry_class", "产业类型", "高新", "新兴产业、传统产业"),
    ("level", "项目级别", "国家级", "省级、市级、县级"), ("build_type", "建设性质", "新建", "新开工、续建、前期、储备"),
    ("status", "建设状态", "施工中", "未开工、在建、停工、竣工、投产"),
    ("investor_type", "投资主体", "私企", "政府投资、国有企业、民间投资、外商投资"),
])
def test_enum(column, zh, bad, allowed):
    f = valid_frame(6)  # row 0 is 产业 so industry_class may hold a value
    f = _set(f, 0, **{column: bad})
    problems = validate(f, ROWS)
    probs = [p for p in problems if p.rule == "取值不在范围"]
    assert [(p.column, p.row, p.value) for p in probs] == [(zh, 3, bad)]
    assert probs[0].message == f"“{zh}”填写了“{bad}”，不是允许的取值：请改为 {allowed} 之一。"
    # a category that is not 产业 also makes row 0's 产业类型 one too many
    extra = {("产业类型应为空", "产业类型", 3)} if column == "category" else set()
    assert _rules(problems) == {("取值不在范围", zh, 3)} | extra


def test_industry_class_required_for_industry_and_null_otherwise():
    f = _set(valid_frame(6), 0, industry_class=None)  # row 0 is 产业
    f = _set(f, 1, industry_class="新兴产业")  # row 1 is 基础设施
    assert _rules(validate(f, ROWS)) == {("产业类型缺失", "产业类型", 3), ("产业类型应为空", "产业类型", 4)}


@pytest.mark.parametrize("column", ["total_investment", "plan_investment_year", "completed_investment_ytd",
                                    "funds_in_place_ytd", "land_area_mu", "annual_tax", "annual_profit_tax"])
def test_money_not_negative(column):
    f = _set(valid_frame(6), 1, **{column: -1.0})
    from data.schema import ZH
    # a negative 总投资 is also exceeded 1.2 times over by the row's 开工累计 (2,600)
    extra = {("累计投资超过总投资", "开工累计完成投资(万元)", 4)} if column == "total_investment" else set()
    problems = validate(f, ROWS)
    assert _rules(problems) == {("数值为负", ZH[column], 4)} | extra
    assert problems[0].message == f"“{ZH[column]}”不能为负数：请填写 0 或正数（金额单位万元）。"


def test_total_not_below_ytd_and_not_above_120_percent():
    f = _set(valid_frame(6), 1, completed_investment_ytd=900.0, completed_investment_total=800.0)
    f = _set(f, 2, total_investment=1000.0, completed_investment_total=1200.01)
    f = _set(f, 3, total_investment=1000.0, completed_investment_total=1200.0)  # exactly 1.2× is allowed
    problems = validate(f, ROWS)
    assert [(p.rule, p.row, p.message) for p in problems] == [
        ("开工累计小于本年累计", 4, "开工累计完成投资 800 万元小于本年累计完成投资 900 万元：开工以来的累计应包含本年完成额，请核对两列。"),
        ("累计投资超过总投资", 5, "开工累计完成投资 1,200.01 万元超过总投资 1,000 万元的 1.2 倍：请核对金额与单位（万元），"
                             "如总投资已调整请同步更新总投资。")]


def test_actual_start_not_after_month_end():
    f = _set(valid_frame(6), 1, actual_start=dt.date(2024, 6, 30))
    f = _set(f, 2, actual_start=dt.date(2024, 7, 1))
    assert [(p.rule, p.column, p.row, p.value, p.message) for p in validate(f, ROWS)] == [
        ("开工时间晚于报送月", "实际开工时间", 5, "2024-07-01",
         "实际开工时间 2024-07-01 晚于报送月份 2024-06 的月末：尚未开工的项目请清空实际开工时间，或核对日期。")]


def test_snapshot_month_identical_and_first_day():
    f = _set(valid_frame(6), 1, snapshot_month=dt.date(2024, 5, 1))
    f = _set(f, 2, snapshot_month=dt.date(2024, 6, 15))
    assert [(p.rule, p.row, p.message) for p in validate(f, ROWS)] == [
        ("报送月份不一致", None, "文件包含多个报送月份：2024-06（4 行）、2024-05（1 行）、2024-06-15（1 行）。"
                             "一个文件只能报送一个月份：请按月份拆分成多个文件分别导入，或更正填错的月份。"),
        ("报送月份不一致", 4, "此行报送月份与多数行（2024-06）不同：请更正。"),
        ("报送月份不一致", 5, "此行报送月份与多数行（2024-06）不同：请更正。"),
        ("报送月份非月初", 5, "报送月份应为当月 1 日（如 2024-06-01）：请改为所报月份的 1 日，或只写“2024-06”。")]


def test_many_problems_at_once():
    f = _set(valid_frame(6), 0, status="施工中", total_investment=-5.0)
    f = _set(f, 3, project_name=None)
    assert _rules(validate(f, ROWS)) == {("取值不在范围", "建设状态", 3), ("数值为负", "总投资(万元)", 3),
                                         ("累计投资超过总投资", "开工累计完成投资(万元)", 3), ("必填项为空", "项目名称", 6)}


def test_rows_default_to_one_based_index():
    f = _set(valid_frame(3), 2, county=None)
    assert _rules(validate(f)) == {("必填项为空", "县区", 3)}


# ---- previous month ----------------------------------------------------------------------------------------------
def test_compare_with_previous():
    prev = valid_frame(5, "2024-05")
    now = valid_frame(5, "2024-06")
    now = now.filter(pl.col("project_id") != "P0002")  # missing this month
    now = pl.concat([now, valid_frame(6, "2024-06").tail(1).with_columns(project_id=pl.lit("P9999"))])
    now = _set(now, 1, completed_investment_ytd=0.0, completed_investment_total=0.0)  # P0001 fell
    now = _set(now, 2, total_investment=99_999.0)  # P0003 re-baselined (40000.5 → 99999)
    rows = [10, 11, 12, 13, 14]
    got = {(p.rule, p.row, p.value) for p in compare_with_previous(now, prev, rows)}
    assert got == {("上月项目本月缺失", None, "P0002"), ("新增项目", 14, "P9999"), ("本年累计减少", 11, "0"),
                   ("总投资大幅调整", 12, "99999")}


def test_compare_january_resets_ytd():
    prev = valid_frame(3, "2023-12")
    now = _set(valid_frame(3, "2024-01"), 1, completed_investment_ytd=0.0)
    assert not [p for p in compare_with_previous(now, prev) if p.rule == "本年累计减少"]


def test_compare_without_previous():
    assert compare_with_previous(valid_frame(3), None) == []


def test_total_change_within_20_percent_is_quiet():
    prev = valid_frame(3, "2024-05")
    now = _set(valid_frame(3), 0, total_investment=prev["total_investment"][0] * 1.2)
    assert compare_with_previous(now, prev) == []


# ---- report ------------------------------------------------------------------------------------------------------
def test_report_groups_by_rule_and_caps():
    errors = [Problem("必填项为空", "项目名称", r, "", "请补填。") for r in range(5, 65)]
    errors += [Problem("取值不在范围", "建设状态", 70, "施工中", "请改。")]
    warnings = [Problem("新增项目", "项目编码", 9, "P1", "请确认。")]
    text = format_report(errors, warnings, limit=10)
    assert "错误 61 条，警告 1 条" in text
    assert "■ 必填项为空（60 条）" in text
    assert "第 5 行 · 「项目名称」" in text
    assert "…另有 52 条未列出（共 62 条）" in text
    assert sum(1 for line in text.splitlines() if line.startswith("  ")) == 10


def test_report_lists_all_when_under_limit():
    errors = [Problem("必填项为空", "县区", 4, "", "请补填。"), Problem("取值不在范围", "建设状态", 5, "施工中", "请改。")]
    text = format_report(errors, [])
    assert "■ 必填项为空（1 条）" in text and "■ 取值不在范围（1 条）" in text and "值“施工中”" in text
    assert "另有" not in text


def test_value_is_capped():
    p = Problem("类型错误", "存在问题", 3, "长" * 200, "x")
    assert len(p.value) == 60 and p.value.endswith("…")
