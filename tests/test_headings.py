"""DOMAIN.md Part 3 "How real tables write things": headings, values and file-level facts read without teaching,
each reading one warning with its count; headings stamped with a year or month checked against the report's."""
from __future__ import annotations

import datetime as dt

import pytest

from data.ingest import import_file, read_ledger
from data.ingest.headings import recognise
from data.schema import HEADINGS, MONTH_AMOUNT, PRIOR_YEARS, START_EITHER
from data.store import Store
from tests.real_tables import write_rows

D = dt.date
# The contract's heading table, written out here as DOMAIN.md writes it (a report of 2025-06: YYYY = 2025, N = 6).
CONTRACT = {
    "2025年计划投资": "plan_investment_year", "2025年度计划投资": "plan_investment_year",
    "2025年计划完成投资": "plan_investment_year", "2025年预计投资": "plan_investment_year",
    "年计划投资": "plan_investment_year", "本年计划投资": "plan_investment_year",
    "1-6月完成投资": "completed_investment_ytd", "2025年1-6月完成投资": "completed_investment_ytd",
    "1至6月累计完成投资": "completed_investment_ytd", "本年累计完成投资": "completed_investment_ytd",
    "年初至今完成投资": "completed_investment_ytd",
    "6月完成投资": MONTH_AMOUNT, "6月实际完成投资": MONTH_AMOUNT, "2025-06月实际完成投资": MONTH_AMOUNT,
    "当月完成投资": MONTH_AMOUNT,
    "至上年底累计完成投资": PRIOR_YEARS, "截至上年底累计完成投资": PRIOR_YEARS, "至2024年底累计完成投资": PRIOR_YEARS,
    "至2024年已累计完成投资": PRIOR_YEARS,
    "开工累计完成投资": "completed_investment_total", "自开工累计完成投资": "completed_investment_total",
    "累计完成投资": "completed_investment_total", "开工以来累计完成投资": "completed_investment_total",
    "自开始累积完成投资": "completed_investment_total",
    "建设起止年限": "construction_period", "建设年限": "construction_period", "建设起止年": "construction_period",
    "开工时间": "actual_start", "实际开工时间": "actual_start", "计划开工时间": "planned_start",
    "开工/计划开工时间": START_EITHER,
    "形象进度": "progress_note", "目前形象进度": "progress_note", "6月形象进度": "progress_note",
    "工程形象进度": "progress_note",
    "年底应达形象进度": "target_note", "2025年底工程应达形象进度": "target_note", "年计划形象进度": "target_note",
    "项目业主": "owner", "业主单位": "owner", "建设单位": "owner", "项目单位": "owner", "投资主体名称": "owner",
    "责任单位": "responsible_unit", "牵头单位": "responsible_unit", "主管部门": "responsible_unit",
    "建设地点": "location", "建设地址": "location",
    "建设内容": "scope", "建设内容及规模": "scope", "建设规模": "scope", "项目建设规模": "scope",
}
UNDER_GROUP = {"6月进度": "progress_note", "年度目标": "target_note", "全年目标": "target_note"}  # under 形象进度


@pytest.mark.parametrize("heading", list(CONTRACT))
def test_every_heading_of_the_contract_is_recognised(heading):
    assert recognise(heading).reads == CONTRACT[heading]
    assert recognise(heading + "(万元)").reads == CONTRACT[heading]  # its unit aside


@pytest.mark.parametrize("heading", list(UNDER_GROUP))
def test_headings_read_only_under_a_progress_group(heading):
    assert recognise(heading, "形象进度").reads == UNDER_GROUP[heading]
    assert recognise(heading) is None


def test_every_declared_example_reads_as_declared():
    for h in HEADINGS:  # the schema's own examples (README's table) — YYYY, N, MM filled for a 2025-06 report
        for written in h.written:
            text = written.replace("YYYY", "2024" if h.reads == PRIOR_YEARS else "2025").replace("MM", "06")
            r = recognise(text.replace("N", "6"), h.group)
            assert r is not None and r.reads == h.reads, written


def test_a_heading_says_its_year_and_month():
    r = recognise("2017年1-2月完成投资")
    assert (r.reads, r.year, r.month) == ("completed_investment_ytd", 2017, 2)
    r = recognise("至2016年已累计完成投资(亿元)")
    assert (r.reads, r.year, r.factor) == (PRIOR_YEARS, 2016, 10_000.0)
    assert recognise("建设地点").reads == "location" and recognise("建设地点").reads != "county"


# ---- a small report: the columns every test needs, and the ones it is about ----------------------------------------
BASE = ["项目编码", "项目名称", "县区", "项目类别", "项目级别", "建设性质", "建设状态", "投资主体", "总投资(万元)",
        "年度计划投资(万元)", "本年累计完成投资(万元)", "开工累计完成投资(万元)", "本年资金到位(万元)", "是否招商引资签约项目",
        "是否入统"]
ROW = ["P1", "甲县物流园", "甲县", "基础设施", "县级", "续建", "在建", "国有企业", 9000, 3000, 1000, 4000, 900, "否", "是"]


def table(extra: dict[str, list], title: str = "甲县2025年6月重点项目进度表", *, drop=(), lines=()) -> list[list]:
    """BASE with `extra` columns (heading → a value per row) added or replacing, `drop` removed, lines above."""
    n = max((len(v) for v in extra.values()), default=1)
    heads = [h for h in BASE if h not in drop]
    rows = [[v for h, v in zip(BASE, ROW) if h not in drop] for _ in range(n)]
    for i, r in enumerate(rows):
        r[heads.index("项目编码")] = f"P{i + 1}"
    for h, values in extra.items():
        if h in heads:
            for r, v in zip(rows, values):
                r[heads.index(h)] = v
        else:
            heads.append(h)
            for r, v in zip(rows, values):
                r.append(v)
    return [[title], *[[x] for x in lines], heads, *rows]


def read(rows, tmp_path, name="t.xlsx", **kw):
    return read_ledger(write_rows(rows, tmp_path / name), **kw)


def warned(res, rule: str) -> list[str]:
    return [w.message for w in res.warnings if w.rule == rule]


# ---- years and months of headings against the report's ----------------------------------------------------------
@pytest.mark.parametrize("heading, instead, said", [
    ("2024年计划投资", "年度计划投资(万元)", "表头“2024年计划投资”的年份与报送月份 2025-06 不符（应为2025年）"),
    ("7月完成投资", None, "表头“7月完成投资”是 7 月，晚于报送月份 2025-06"),
    ("1-7月完成投资", "本年累计完成投资(万元)", "表头“1-7月完成投资”是 7 月，晚于报送月份 2025-06"),
    ("至2023年底累计完成投资", None, "表头“至2023年底累计完成投资”的年份与报送月份 2025-06 不符（应为2024年（上年））"),
    ("2026年底工程应达形象进度", None, "表头“2026年底工程应达形象进度”的年份与报送月份 2025-06 不符（应为2025年）"),
])
def test_a_heading_of_another_year_or_a_later_month_refuses_the_file(tmp_path, heading, instead, said):
    res = read(table({heading: [1]}, drop=(instead,)), tmp_path)
    assert res.frame is None and len(res.errors) == 1 and said in res.errors[0].message
    assert res.errors[0].value == heading


def test_a_kind_whose_columns_all_name_earlier_months_is_refused(tmp_path):
    rows = table({"1-8月完成投资": [800], "1-9月完成投资": [900]}, title="甲县2025年10月重点项目进度表",
                 drop=("本年累计完成投资(万元)",))
    res = read(rows, tmp_path)
    assert [p.rule for p in res.errors] == ["没有报送月份的列"]
    assert "“1-8月完成投资”、“1-9月完成投资”都是报送月份 2025-10以前月份的列" in res.errors[0].message


def test_of_several_months_columns_the_report_months_own_is_read(tmp_path):
    from openpyxl.utils import get_column_letter as L

    heads = [h for h in BASE if h != "本年累计完成投资(万元)"] + ["1-8月完成投资", "1-9月完成投资", "形象进度", None]
    sub = [None] * (len(heads) - 2) + ["8月进度", "9月进度"]
    row = [v for h, v in zip(BASE, ROW) if h != "本年累计完成投资(万元)"] + [800, 900, "基础", "主体"]
    n = len(heads)
    merges = (f"{L(n - 1)}2:{L(n)}2", *(f"{L(j)}2:{L(j)}3" for j in range(1, n - 1)))
    res = read_ledger(write_rows([["甲县2025年9月重点项目进度表"], heads, sub, row], tmp_path / "t.xlsx", merges))
    assert res.ok, res.report()
    assert res.frame["completed_investment_ytd"].to_list() == [900.0] and res.frame["progress_note"].to_list() == ["主体"]
    assert "以前月份的列未读取：“1-8月完成投资”、“8月进度”" in warned(res, "按表头读取")[0]


def test_the_month_of_a_1_n_heading_is_the_reports_when_nothing_else_says(tmp_path):
    rows = table({"2025年1-5月完成投资": [500]}, title="甲县重点项目进度表", drop=("本年累计完成投资(万元)",))
    res = read(rows, tmp_path)
    assert res.ok, res.report()
    assert res.month == "2025-05" and "取自表头“2025年1-5月完成投资”" in warned(res, "报送月份取自文件")[0]


@pytest.mark.parametrize("title, month", [
    ("甲县2025年1-6月重点项目进展情况", "2025-06"), ("甲县2025年6月重点项目进展情况", "2025-06"),
    ("截至2025年6月底甲县重点项目建设情况", "2025-06"), ("2021年甲县重点项目推进情况（9月进度）", "2021-09"),
])
def test_the_month_from_the_title(tmp_path, title, month):
    res = read(table({}, title=title), tmp_path)
    assert res.ok, res.report()
    assert res.month == month and f"取自标题“{title.replace('（', '(').replace('）', ')')}”" in \
        warned(res, "报送月份取自文件")[0]


def test_a_title_month_other_than_the_one_given_is_refused(tmp_path):
    res = read(table({}), tmp_path, month="2025-07")
    assert [p.rule for p in res.errors] == ["月份冲突"]


# ---- values ----------------------------------------------------------------------------------------------------------
def test_amounts_with_their_unit_in_the_cell(tmp_path):
    rows = table({"总投资(亿元)": ["6.8亿元", "6.8亿", "3500万元", "3500万", "约1.35亿元", 2]}, drop=("总投资(万元)",))
    res = read(rows, tmp_path)
    assert res.ok, res.report()
    # a unit in the cell overrides the column's (亿元): 2 in the column's unit is 20 000
    assert res.frame["total_investment"].to_list() == [68000.0, 68000.0, 3500.0, 3500.0, 13500.0, 20000.0]
    assert warned(res, "金额带单位") == ["单元格中写明了单位的金额已按其单位换算为万元（总投资(万元) 5 个），单元格的单位优先于表头和“单位：”行。"]
    assert "1 个金额写的是约数" in warned(res, "约数")[0] and "第 7 行总投资(万元)“约1.35亿元”" in warned(res, "约数")[0]


def test_dates_without_a_year_or_by_part_of_a_month(tmp_path):
    rows = table({"计划开工时间": ["7月5日", "4月底", "4月上旬", "4月中旬", "4月下旬", "2024年2月底"]})
    res = read(rows, tmp_path)
    assert res.ok, res.report()
    assert res.frame["planned_start"].to_list() == [D(2025, 7, 5), D(2025, 4, 30), D(2025, 4, 1), D(2025, 4, 11),
                                                     D(2025, 4, 21), D(2024, 2, 29)]
    assert "5 个日期没有写年份，已按报送年份 2025 年读取" in warned(res, "日期未写年份")[0]
    assert warned(res, "日期按旬或月底读取") == ["“X月底”读作该月最后一天（2 个）；上旬、中旬、下旬读作1日、11日、21日（3 个）。"]


def test_labels_with_a_suffix_and_list_levels(tmp_path):
    rows = table({"项目类别": ["产业类", "社会民生项目", "基础设施类项目", "其他"],
                  "产业类型": ["新兴", None, None, None],
                  "建设状态": ["在建项目", "建成项目", "在建", "在建"], "建设性质": ["续建", "预备项目", "续建", "续建"],
                  "项目级别": ["省列", "省重点项目", "市列", "市重点项目"]})
    res = read(rows, tmp_path)
    assert res.ok, res.report()
    f = res.frame
    assert f["category"].to_list() == ["产业", "社会民生", "基础设施", "其他"]
    assert f["status"].to_list() == ["在建", "竣工", "在建", "在建"]
    assert f["build_type"].to_list() == ["续建", "前期", "续建", "续建"]
    assert f["level"].to_list() == ["省级", "省级", "市级", "市级"]
    assert {"项目类别：产业类 → 产业（1 行）", "建设性质：预备项目 → 前期（1 行）", "项目级别：省重点项目 → 省级（1 行）",
            "建设状态：建成项目 → 竣工（1 行）"} <= set(warned(res, "取值对应"))


def test_an_owners_name_in_the_investor_column_goes_to_owner(tmp_path):
    store = Store(tmp_path / "s")
    may = table({"报送月份": ["2025-05"]}, title="甲县2025年5月")
    assert import_file(write_rows(may, tmp_path / "5.xlsx"), store=store).ok
    res = import_file(write_rows(table({"投资主体": ["甲县交通建设投资集团有限公司"]}), tmp_path / "6.xlsx"), store=store)
    assert res.ok, res.report()
    row = store.read("2025-06").row(0, named=True)
    assert (row["owner"], row["investor_type"]) == ("甲县交通建设投资集团有限公司", "国有企业")  # the type as in May
    assert "第 3 行“甲县交通建设投资集团有限公司”" in [w.message for w in res.warnings if w.rule == "投资主体为单位名称"][0]


def test_construction_period_gives_dates_only_where_a_month_is_written(tmp_path):
    rows = table({"建设起止年限": ["2023-2025", "2023.3-2025.12", "2023年3月至2025年12月", "2011-04/2013-12",
                                  "2019年至2021年", "建设工期2年"]})
    res = read(rows, tmp_path)
    assert res.ok, res.report()
    assert res.frame["planned_start"].to_list() == [None, D(2023, 3, 1), D(2023, 3, 1), D(2011, 4, 1), None, None]
    assert res.frame["planned_completion"].to_list() == [None, D(2025, 12, 31), D(2025, 12, 31), D(2013, 12, 31), None,
                                                          None]
    assert res.frame["construction_period"].to_list()[-1] == "建设工期2年"


def test_one_column_for_actual_and_planned_start(tmp_path):
    res = read(table({"开工/计划开工时间": ["2025-06-30", "2025-07-01", "3月"]}), tmp_path)
    assert res.ok, res.report()
    assert res.frame["actual_start"].to_list() == [D(2025, 6, 30), None, D(2025, 3, 1)]
    assert res.frame["planned_start"].to_list() == [None, D(2025, 7, 1), None]


# ---- file-level facts ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("line", ["填报单位：乙县发展和改革局", "报送单位：乙县重点项目办", "报送部门：乙县发展和改革局 单位：万元"])
def test_a_county_file_without_a_county_column_lands_as_the_unit_its_line_names(tmp_path, line):
    store = Store(tmp_path / "s")
    may = table({"县区": ["乙县"], "报送月份": ["2025-05"]}, title="乙县2025年5月")
    assert import_file(write_rows(may, tmp_path / "5.xlsx"), store=store).ok
    out = import_file(write_rows(table({}, drop=("县区",), lines=(line,)), tmp_path / "6.xlsx"), store=store)
    assert out.ok, out.report()
    assert store.read("2025-06")["county"].to_list() == ["乙县"]
    assert store.units("2025-06")["乙县"].kind == "county"
    assert "各行县区按报送单位填为“乙县”（1 行）" in [w.message for w in out.warnings if w.rule == "县区取自报送单位"][0]


@pytest.mark.parametrize("title, level", [("2025年省重点项目6月进度", "省级"), ("2025年市重点项目6月进度", "市级"),
                                          ("2025年县重点项目6月进度", "县级"), ("2025年省市重点项目6月进度", None),
                                          ("甲县2025年6月重点项目进度", None)])
def test_the_level_from_the_title(tmp_path, title, level):
    res = read(table({}, title=title, drop=("项目级别",)), tmp_path)
    if level is None:
        assert [p.rule for p in res.errors] == ["缺少必填列"] and res.errors[0].column == "项目级别"
    else:
        assert res.ok, res.report()
        assert res.frame["level"].to_list() == [level]
        assert f"为{level}（1 行）" in warned(res, "项目级别取自标题")[0]


def test_the_category_from_group_headings(tmp_path):
    rows = table({"项目名称": ["甲", "乙", "丙"], "产业类型": ["新兴产业", None, None]}, drop=("项目类别",))
    heads = rows[1]
    blank = [None] * len(heads)
    rows = [rows[0], heads, [None, "一、产业类项目（1个）", *blank[2:]], rows[2], [None, "二、基础设施类", *blank[2:]],
            rows[3], [None, "（一）续建项目", *blank[2:]], rows[4]]
    res = read(rows, tmp_path)
    assert res.ok, res.report()
    # a sub-heading that names no category keeps the one above it
    assert res.frame["category"].to_list() == ["产业", "基础设施", "基础设施"]
    assert "产业 1 行、基础设施 2 行" in warned(res, "项目类别取自分组标题")[0]
