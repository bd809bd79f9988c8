"""Real-style progress tables imported after a register (issue #26, DOMAIN.md Part 3): each snapshot written out by
hand from the table, the register and the month before — never read back from the product."""
from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata

import polars as pl
import pytest

from data import register
from data.ingest import import_file
from data.schema import COLUMN_NAMES
from data.store import Store
from metrics.engine import Dataset, compute
from tests import real_tables as rt
from tests.factories import tree_bytes

D = dt.date


def code(county: str, name: str) -> str:
    """DOMAIN.md Part 2's made code: X + SHA-1 of 县区|the name (NFKC, no blanks or punctuation, lower case)[:11]."""
    key = re.sub(r"[\s\W_]+", "", unicodedata.normalize("NFKC", name).strip()).lower()
    return "X" + hashlib.sha1(f"{county}|{key}".encode()).hexdigest()[:11].upper()


def snapshot(store: Store, month: str) -> list[dict]:
    return store.read(month).to_dicts()


def expect(month: D, text_columns: list[str], *rows: dict) -> list[dict]:
    """Whole rows: the values given, every other column of the snapshot null."""
    cols = [*COLUMN_NAMES, *text_columns]
    return [{c: ({"snapshot_month": month} | r).get(c) for c in cols} for r in rows]


def rules(outcome) -> set[str]:
    return {w.rule for w in outcome.warnings}


# ---- A. 沣西新城 2017年1-2月 -----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def fengxi(tmp_path_factory):
    d = tmp_path_factory.mktemp("fengxi")
    store = Store(d / "store")
    reg = register.import_register(rt.fengxi_register(d / "名单.xlsx"), store=store, year=2017)
    assert reg.ok, reg.report()
    out = import_file(rt.fengxi_progress(d / "进度.xlsx"), store=store)
    assert out.ok, out.report()
    return store, out


def test_fengxi_snapshot(fengxi):
    store, out = fengxi
    assert out.month == "2017-02"  # the title's 1-2月
    c = "沣西新城"
    assert snapshot(store, "2017-02") == expect(
        D(2017, 2, 1), ["owner", "responsible_unit", "scope", "construction_period", "progress_note"],
        dict(project_id=code(c, "沣西新城信息产业园二期"), project_name="沣西新城信息产业园二期", county=c, category="产业",
             industry_class="新兴产业", level="省级", build_type="续建", status="在建", investor_type="国有企业",
             total_investment=120000.0, plan_investment_year=40000.0, completed_investment_ytd=5200.0,
             completed_investment_total=35200.0, planned_start=D(2016, 3, 1), is_signed_attraction=False, leader="王刚",
             owner="陕西沣西信息产业发展有限公司", responsible_unit="经发局", scope="研发楼8栋，总建筑面积12万平方米",
             construction_period="2016-2018", progress_note="3号楼主体封顶，4号楼基础施工"),
        dict(project_id=code(c, "沣西新城大数据中心"), project_name="沣西新城大数据中心", county=c, category="产业",
             industry_class="新兴产业", level="市级", build_type="新开工", status="未开工", investor_type="民间投资",
             total_investment=200000.0, plan_investment_year=30000.0, completed_investment_ytd=0.0,
             completed_investment_total=0.0, planned_start=D(2017, 3, 1), planned_completion=D(2019, 12, 31),
             is_signed_attraction=True, owner="某某云计算有限公司", responsible_unit="经发局", scope="数据机房及配套，3万机架",
             construction_period="2017.3-2019.12", progress_note="完成土地摘牌，正在办理规划手续"),
        dict(project_id=code(c, "同德路（康定路—白马河路）"), project_name="同德路（康定路—白马河路）", county=c,
             category="基础设施", level="市级", build_type="续建", status="在建", investor_type="政府投资",
             total_investment=28000.0, plan_investment_year=16000.0, completed_investment_ytd=2100.0,
             completed_investment_total=14100.0, planned_start=D(2016, 6, 1), planned_completion=D(2017, 12, 31),
             is_signed_attraction=False, leader="李明", owner="沣西新城市政公司", responsible_unit="建设局",
             scope="道路长2.1公里，红线宽50米", construction_period="2016年6月至2017年12月", progress_note="路基施工完成60%"),
        dict(project_id=code(c, "沣西新城第二热源厂"), project_name="沣西新城第二热源厂", county=c, category="基础设施",
             level="县级", build_type="新开工", status="在建", investor_type="国有企业", total_investment=35000.0,
             plan_investment_year=15000.0, completed_investment_ytd=800.0, completed_investment_total=800.0,
             planned_start=D(2017, 4, 1), is_signed_attraction=False, owner="沣西新城热力公司", responsible_unit="建设局",
             scope="2台116兆瓦燃气锅炉", construction_period="2017—2018", progress_note="主厂房基础开挖"),
    )


def test_fengxi_says_every_reading(fengxi):
    _, out = fengxi
    assert {"报送月份取自文件", "按表头读取", "金额带单位", "县区取自报送单位", "项目类别取自分组标题", "时间取自建设起止年限",
            "按名称对应编码", "与名单不一致", "取值对应"} <= rules(out)
    said = {w.rule: w.message for w in out.warnings}
    assert "至2016年已累计完成投资" in said["按表头读取"] and "2017年1-2月完成投资" in said["按表头读取"]
    assert "产业 2 行、基础设施 2 行" in said["项目类别取自分组标题"]
    assert "计划开工时间：名单为 2017-03-15，本表为 2017-03-01" in said["与名单不一致"]
    lines = {c.zh: c.text for c in out.completions}
    assert lines["是否入统"] == "4项未填报" and lines["本年资金到位(万元)"] == "4项未填报"
    assert lines["项目级别"] == "取自2017年度名单（4项）"
    assert lines["开工累计完成投资(万元)"] == "以前年度累计加本年累计（4项）"


def test_fengxi_funds_rate_counts_no_unreported_row(fengxi):
    store, _ = fengxi
    row = compute(Dataset.from_store(store), ["2017-02"], ids=["funds_in_place_rate", "stats_inclusion_rate"]).row(
        0, named=True)
    assert row["funds_in_place_rate"] is None and row["n__funds_in_place_rate"] == 0
    assert row["stats_inclusion_rate"] is None and row["n__stats_inclusion_rate"] == 0


# ---- B. 龙泉驿区 2021年9月, after the register and a published August --------------------------------------------------
@pytest.fixture(scope="module")
def longquan(tmp_path_factory):
    d = tmp_path_factory.mktemp("longquan")
    store = Store(d / "store")
    assert register.import_register(rt.longquan_register(d / "名单.xlsx"), store=store, year=2021).ok
    assert import_file(rt.longquan_august(d / "8月.xlsx"), store=store).ok
    out = import_file(rt.longquan_progress(d / "9月.xlsx"), store=store)
    assert out.ok, out.report()
    return store, out


def test_longquan_snapshot(longquan):
    store, out = longquan
    assert out.month == "2021-09"  # the title's year and month written apart: 2021年…（9月进度）
    c = "龙泉驿区"
    assert snapshot(store, "2021-09") == expect(
        D(2021, 9, 1), ["owner", "responsible_unit", "location", "scope", "target_note", "progress_note"],
        dict(project_id="LQ-2021-001", project_name="龙泉驿区汽车零部件产业园", county=c, chain="汽车", category="产业",
             industry_class="传统产业", level="市级", build_type="续建", status="在建", investor_type="民间投资",
             total_investment=68000.0, plan_investment_year=12000.0, completed_investment_ytd=8300.0,
             completed_investment_total=42300.0, funds_in_place_ytd=6500.0, actual_start=D(2020, 5, 10),
             is_signed_attraction=True, leader="张伟", in_statistics=True, owner="成都某汽车零部件有限公司",
             responsible_unit="区经信局", location="龙泉街道", scope="厂房12万平方米", target_note="全部厂房封顶",
             progress_note="3号厂房封顶"),
        dict(project_id="LQ-2021-002", project_name="东安湖体育公园配套道路", county=c, category="基础设施", level="省级",
             build_type="续建", status="在建", investor_type="政府投资", total_investment=45000.0,
             plan_investment_year=13500.0, completed_investment_ytd=12800.0, completed_investment_total=31800.0,
             funds_in_place_ytd=11000.0, actual_start=D(2020, 9, 1), is_signed_attraction=False, leader="刘洋",
             problems="部分路段拆迁未完成", in_statistics=True, owner="龙泉驿区城投公司", responsible_unit="区住建局",
             location="东安街道", scope="道路4.6公里", target_note="全线通车", progress_note="路面摊铺"),
        dict(project_id="LQ-2021-003", project_name="龙泉驿区第二人民医院迁建", county=c, category="社会民生", level="县级",
             build_type="新开工", status="未开工", investor_type="政府投资", total_investment=30000.0,
             plan_investment_year=8000.0, completed_investment_ytd=300.0, completed_investment_total=300.0,
             funds_in_place_ytd=0.0, actual_start=D(2021, 9, 21), is_signed_attraction=False, in_statistics=False,
             owner="龙泉驿区卫健局", responsible_unit="区卫健局", location="大面街道", scope="床位600张",
             target_note="主体出地面", progress_note="桩基施工"),
    )


def test_longquan_says_every_reading(longquan):
    _, out = longquan
    said = {w.rule: w.message for w in out.warnings}
    assert "第 6 行“东安湖体育公园配套道路”本年累计 12,800，按各月应为 12,700" in said["本年累计与各月不符"]
    assert "年度计划投资(万元)：名单为 20,000，本表为 13,500" in said["与名单不一致"]
    assert "约1.35亿元" in said["约数"]
    assert "以前月份的列未读取：“7月进度”" in said["按表头读取"]
    assert "实际开工时间（3 行）" in said["开工时间按月末区分"]
    lines = {c.zh: c.text for c in out.completions}
    assert lines["是否入统"] == "沿用2021-08（3项）" and lines["建设状态"] == "沿用2021-08（3项）"
    assert lines["开工累计完成投资(万元)"] == "按2021-08的以前年度累计加本年累计（3项）"
    assert lines["项目类别"] == "取自2021年度名单（3项）"


# ---- C. 石门县 2025年6月: two-level header, 省列/市列, an owner's name in 投资主体, no 县区 ------------------------------
@pytest.fixture(scope="module")
def shimen(tmp_path_factory):
    d = tmp_path_factory.mktemp("shimen")
    store = Store(d / "store")
    assert register.import_register(rt.shimen_register(d / "名单.xlsx"), store=store, year=2025).ok
    out = import_file(rt.shimen_progress(d / "6月.xlsx"), store=store)
    assert out.ok, out.report()
    return store, out


def test_shimen_lands_as_the_county_its_unit_line_names(shimen):
    store, out = shimen
    assert out.month == "2025-06"
    c = "石门县"
    assert snapshot(store, "2025-06") == expect(
        D(2025, 6, 1), ["owner", "progress_note"],
        dict(project_id="SM25-01", project_name="石门县锂电材料一体化项目", county=c, category="产业",
             industry_class="新兴产业", level="省级", build_type="续建", status="在建", investor_type="民间投资",
             total_investment=150000.0, plan_investment_year=50000.0, completed_investment_ytd=26000.0,
             completed_investment_total=98000.0, planned_start=D(2024, 3, 1), actual_start=D(2024, 3, 18),
             planned_completion=D(2026, 12, 31), is_signed_attraction=True, leader="赵强", problems="用工缺口约200人",
             progress_note="一期投产，二期设备安装"),
        dict(project_id="SM25-02", project_name="石门县城区供水管网改造", county=c, category="基础设施", level="市级",
             build_type="续建", status="在建", investor_type="国有企业", total_investment=26000.0,
             plan_investment_year=9000.0, completed_investment_ytd=5400.0, completed_investment_total=17400.0,
             planned_start=D(2024, 8, 1), actual_start=D(2024, 8, 20), planned_completion=D(2025, 12, 31),
             is_signed_attraction=False, leader="钱进", owner="石门县城市建设投资有限公司", progress_note="完成管网18公里"),
        dict(project_id="SM25-03", project_name="石门县职业教育园区", county=c, category="社会民生", level="市级",
             build_type="新开工", status="在建", investor_type="政府投资", total_investment=42000.0,
             plan_investment_year=12000.0, completed_investment_ytd=3000.0, completed_investment_total=3000.0,
             planned_start=D(2025, 4, 1), actual_start=D(2025, 4, 11), planned_completion=D(2027, 6, 30),
             is_signed_attraction=False, progress_note="教学楼基础施工"),
    )
    assert store.units("2025-06")["石门县"].kind == "county"
    said = {w.rule: w.message for w in out.warnings}
    assert "在建 3 行" in said["建设状态推定"]
    assert "第 6 行“石门县城市建设投资有限公司”" in said["投资主体为单位名称"]
    assert {"项目级别：省列 → 省级（1 行）", "项目级别：市列 → 市级（2 行）"} <= {w.message for w in out.warnings}


# ---- D. a provincial plan list in 亿元, then a county's June against it --------------------------------------------
@pytest.fixture(scope="module")
def province(tmp_path_factory):
    d = tmp_path_factory.mktemp("province")
    store = Store(d / "store")
    reg = register.import_register(rt.province_plan(d / "省重点.xlsx"), store=store, year=2025)
    assert reg.ok, reg.report()
    return d, store, reg


def test_province_plan_is_the_register_by_county(province):
    _, store, reg = province
    assert register.units(store, 2025) == ["临河县", "北岭县"]
    got = {u: f.to_dicts() for u, f in register.read(store, 2025).items()}
    cols = ["project_id", "project_name", "county", "category", "level", "total_investment", "plan_investment_year",
            "planned_start", "planned_completion", "owner", "scope", "construction_period"]
    row = lambda **kw: {c: kw.get(c) for c in cols}  # noqa: E731
    assert got == {
        "临河县": [
            row(project_id=code("临河县", "临河县绿色建材产业园"), project_name="临河县绿色建材产业园", county="临河县",
                category="产业", level="省级", total_investment=68000.0, plan_investment_year=20000.0,
                planned_start=D(2024, 6, 1), planned_completion=D(2026, 12, 31), owner="临河县建材集团有限公司",
                scope="年产装配式构件50万立方米", construction_period="2024.6-2026.12"),
            row(project_id=code("临河县", "临河县储能电池项目"), project_name="临河县储能电池项目", county="临河县",
                category="产业", level="省级", total_investment=120000.0, plan_investment_year=3500.0,
                owner="某某新能源科技有限公司", scope="年产5GWh储能电池", construction_period="2025-2027")],
        "北岭县": [
            row(project_id=code("北岭县", "北岭县现代农业产业园"), project_name="北岭县现代农业产业园", county="北岭县",
                category="产业", level="省级", total_investment=36000.0, plan_investment_year=11000.0,
                planned_start=D(2023, 3, 1), planned_completion=D(2025, 12, 31), owner="北岭县农投公司",
                scope="高标准农田2万亩及冷链", construction_period="2023年3月至2025年12月"),
            row(project_id=code("北岭县", "北岭县人民医院新院区"), project_name="北岭县人民医院新院区", county="北岭县",
                category="社会民生", level="省级", total_investment=95000.0, plan_investment_year=25000.0,
                owner="北岭县人民医院", scope="床位800张", construction_period="建设工期3年")],
    }
    said = {w.rule: w.message for w in reg.warnings}
    assert "为省级（4 行）" in said["项目级别取自标题"] and "产业 3 行、社会民生 1 行" in said["项目类别取自分组标题"]
    assert "建设性质、投资主体、是否招商引资签约项目" in said["名单缺少属性列"]


def test_a_county_month_against_the_provincial_list(province):
    d, store, _ = province
    may = import_file(rt.linhe_may(d / "5月.xlsx"), store=store)
    assert may.ok, may.report()
    out = import_file(rt.linhe_june(d / "6月.xlsx"), store=store)
    assert out.ok, out.report()
    c = "临河县"
    assert snapshot(store, "2025-06") == expect(
        D(2025, 6, 1), ["owner", "scope", "construction_period", "progress_note"],
        dict(project_id=code(c, "临河县绿色建材产业园"), project_name="临河县绿色建材产业园", county=c, category="产业",
             industry_class="新兴产业", level="省级", build_type="续建", status="在建", investor_type="国有企业",
             total_investment=68000.0, plan_investment_year=20000.0, completed_investment_ytd=9000.0,
             completed_investment_total=25000.0, funds_in_place_ytd=8000.0, planned_start=D(2024, 6, 1),
             actual_start=D(2024, 7, 1), planned_completion=D(2026, 12, 31), proc_approval=D(2024, 3, 10),
             is_signed_attraction=False, leader="孙立", in_statistics=True, owner="临河县建材集团有限公司",
             scope="年产装配式构件50万立方米", construction_period="2024.6-2026.12", progress_note="2号车间设备调试"),
        dict(project_id=code(c, "临河县储能电池项目"), project_name="临河县储能电池项目", county=c, category="产业",
             industry_class="新兴产业", level="省级", build_type="新开工", status="未开工", investor_type="民间投资",
             total_investment=120000.0, plan_investment_year=3500.0, completed_investment_ytd=0.0,
             completed_investment_total=0.0, funds_in_place_ytd=0.0, proc_approval=D(2025, 2, 20),
             is_signed_attraction=True, in_statistics=False, owner="某某新能源科技有限公司", scope="年产5GWh储能电池",
             construction_period="2025-2027", progress_note="完成环评公示"),
    )
    lines = {c.zh: c.text for c in out.completions}
    assert lines["项目类别"] == "取自2025年度名单（2项）" and lines["建设性质"] == "沿用2025-05（2项）"
    assert lines["是否入统"] == "沿用2025-05（2项）"


def test_a_refused_register_leaves_the_store_byte_identical(province, tmp_path):
    _, store, _ = province
    before = tree_bytes(store.root)
    again = register.import_register(rt.province_plan(tmp_path / "again.xlsx"), store=store, year=2025)
    assert not again.ok and [p.rule for p in again.errors] == ["名单已有数据"]
    assert "临河县、北岭县" in again.errors[0].message
    wrong_year = register.import_register(rt.province_plan(tmp_path / "y.xlsx"), store=store, year=2024)
    assert not wrong_year.ok and "标题写的是 2025 年" in wrong_year.errors[0].message
    assert tree_bytes(store.root) == before


def test_the_text_columns_reach_a_projects_history_the_project_table_and_the_store_check(longquan):
    from data.store_check import check_store
    from metrics.projects import project_history, projects
    from metrics.watchlists import column_labels
    from reports.export import to_xlsx_bytes

    store, _ = longquan
    ds = Dataset.from_store(store)
    history = project_history(ds, "LQ-2021-001")
    # 形象进度 month by month (August's ledger had none), the year's target beside it
    assert history.select("snapshot_month", "progress_note", "target_note").rows() == [
        (D(2021, 8, 1), None, None), (D(2021, 9, 1), "3号厂房封顶", "全部厂房封顶")]
    table = projects(ds, "2021-09").select("project_id", "owner", "location", "progress_note")
    assert table.filter(pl.col("project_id") == "LQ-2021-002").rows() == [("LQ-2021-002", "龙泉驿区城投公司", "东安街道",
                                                                          "路面摊铺")]
    labels = column_labels(table.columns)
    assert labels == {"project_id": "项目编码", "owner": "项目业主", "location": "建设地点", "progress_note": "形象进度"}
    assert to_xlsx_bytes({"项目": table.rename(labels)})[:2] == b"PK"
    assert check_store(store).ok  # a month with text columns is a sound snapshot
