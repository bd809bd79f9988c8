"""Part 2 on the pages (AppTest on tests/app_store.py): tiles on 项目推进 and 管理服务, the project table's light and
reason, the red/yellow lists, 问题持续月数, one light per month in a project's history, red/yellow by county on 县区比拼
and the count on the screen overview. Every expected value is worked out by hand from the fixture's June."""
from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from tests import app_store as fx
from tests.test_app import APP, TIMEOUT, kpi_values, texts

# June (ts 0.5, plan as given, ytd at full scale):
#   CQ01 新开工 未开工, 100 of 1000 → lag 0.40 红; planned 2024-03, not started → 3 months 红
#   JA02 新开工, 300 of 1000 → lag 0.20 黄; started in its planned month
#   YB01 800 of 2000 and CQ02 200 of 500 → lag 0.5 − 0.4 = 0.09999999999999998 in floats: 绿; JA01 ahead: 绿
CQ01_JUNE = "【红】投资进度低于时序进度40.0个百分点；【红】计划2024-03开工，逾期3个月未开工"
JA02_JUNE = "【黄】投资进度低于时序进度20.0个百分点"


@pytest.fixture
def store(tmp_path, monkeypatch):
    s = fx.build_store(tmp_path / "store")
    monkeypatch.setenv("KPM_STORE", str(s.root))
    return s


def run(query: dict | None = None, page: str | None = None, state: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    if page:
        at.switch_page(page).run()
    for k, v in (state or {}).items():
        at.session_state[k] = v
    if state:
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_progress_page_shows_the_v2_tiles(store):
    got = kpi_values(run(page="pages/progress.py"))
    assert {k: got[k] for k in ("本年完成投资同比", "序时应开工项目数", "应开工未开工项目数", "提前开工项目数",
                                "红灯项目数", "黄灯项目数")} == {
        "本年完成投资同比": "—",  # 2023-06 not stored
        "序时应开工项目数": "2个", "应开工未开工项目数": "1个", "提前开工项目数": "0个",
        "红灯项目数": "1个", "黄灯项目数": "1个"}


def test_management_page_shows_long_standing_problems(store):
    got = kpi_values(run(page="pages/management.py"))
    assert got["问题超3个月未解决项目数"] == "0个" and got["存在问题项目数"] == "1个"  # CQ02's problem is new in June


def test_project_table_has_each_projects_light_and_why(store):
    at = run(page="pages/ledger.py")
    table = at.dataframe[0].value.set_index("项目编码")
    assert table["预警灯"].to_dict() == {"JA01": "绿", "JA02": "黄", "YB01": "绿", "YB02": "绿", "CQ01": "红",
                                       "CQ02": "绿"}
    reasons = table["预警原因"].dropna().to_dict()
    assert reasons == {"CQ01": CQ01_JUNE, "JA02": JA02_JUNE}
    assert table.loc["CQ02", "问题持续月数"] == 1
    at.multiselect(key="ledger_light").set_value(["红", "黄"]).run()
    assert sorted(at.dataframe[0].value["项目编码"]) == ["CQ01", "JA02"]


def test_red_and_yellow_lists_say_why(store):
    at = run(page="pages/ledger.py", state={"ledger_tab": "预警清单"})
    at.get("button_group")[0].set_value("red_light").run()
    assert "红灯项目清单 · 共 1 个项目" in texts(at)
    df = at.dataframe[0].value
    assert df[["项目编码", "预警原因"]].to_dict("records") == [{"项目编码": "CQ01", "预警原因": CQ01_JUNE}]
    assert list(df.columns[:3]) == ["项目编码", "项目名称", "预警原因"]  # the reason beside the name
    at.get("button_group")[0].set_value("yellow_light").run()
    df = at.dataframe[0].value
    assert df[["项目编码", "预警原因"]].to_dict("records") == [{"项目编码": "JA02", "预警原因": JA02_JUNE}]
    at.get("button_group")[0].set_value("problems").run()
    df = at.dataframe[0].value
    assert df[["项目编码", "问题持续月数"]].to_dict("records") == [{"项目编码": "CQ02", "问题持续月数": 1}]


def test_history_has_one_light_per_month(store):
    at = run({"project": "CQ01"}, page="pages/ledger.py")
    months = at.dataframe[-1].value
    # April: ts 1/3, 50 of 1000 → lag 0.2833 黄, due last month 黄; May: 5/12 − 0.075 = 0.3417 红, two months 红
    assert months[["预警灯", "预警原因"]].to_dict("records") == [
        {"预警灯": "黄", "预警原因": "【黄】投资进度低于时序进度28.3个百分点；【黄】计划2024-03开工，逾期1个月未开工"},
        {"预警灯": "红", "预警原因": "【红】投资进度低于时序进度34.2个百分点；【红】计划2024-03开工，逾期2个月未开工"},
        {"预警灯": "红", "预警原因": CQ01_JUNE}]
    strip = next(m.value for m in at.markdown if "●" in m.value)
    assert re.findall(r"color:(#[0-9a-f]+)\">●</span><br>(\d{4}-\d\d)", strip) == [
        ("#d4a000", "2024-04"), ("#c62828", "2024-05"), ("#c62828", "2024-06")]
    assert f"2024-06：红灯，{CQ01_JUNE}" in texts(at)


def test_history_of_a_green_project_says_no_warning(store):
    at = run({"project": "JA01"}, page="pages/ledger.py")
    assert "2024-06：绿灯，无预警" in texts(at)
    assert at.dataframe[-1].value["预警灯"].tolist() == ["绿", "绿", "绿"]


def test_compare_page_counts_red_and_yellow_by_county(store):
    at = run(page="pages/compare.py")
    table = next(d.value for d in at.dataframe if "红灯项目数" in d.value.columns)
    assert table.to_dict("records") == [
        {"县区": "丙区", "红灯项目数": 1, "黄灯项目数": 0, "项目个数": 2},
        {"县区": "甲县", "红灯项目数": 0, "黄灯项目数": 1, "项目个数": 2},
        {"县区": "乙县", "红灯项目数": 0, "黄灯项目数": 0, "项目个数": 2}]


def test_screen_overview_shows_the_red_and_yellow_count(store):
    at = run({"mode": "screen"})
    line = next(m.value for m in at.markdown if "三色预警" in m.value)
    assert re.sub(r"<[^>]+>", "", line) == "三色预警：红灯 1个 · 黄灯 1个"


def _config(at: AppTest, k: int = 0) -> dict:
    import json

    return json.loads(at.dataframe[k].proto.columns)


def test_a_list_shows_what_puts_a_project_on_it_beside_the_name(store):
    at = run(page="pages/ledger.py", state={"ledger_tab": "预警清单"})
    at.get("button_group")[0].set_value("lagging").run()
    df = at.dataframe[0].value
    # 滞后项目: completion 10 % (CQ01: 100 of 1,000) and 30 % (JA02) against 时序进度 50 % (June)
    assert list(df.columns[:5]) == ["项目编码", "项目名称", "投资完成率(%)", "时序进度(%)", "进度偏差(个百分点)"]
    assert df.set_index("项目编码")[["投资完成率(%)", "时序进度(%)", "进度偏差(个百分点)"]].to_dict("index") == {
        "CQ01": {"投资完成率(%)": pytest.approx(10.0), "时序进度(%)": pytest.approx(50.0),
                 "进度偏差(个百分点)": pytest.approx(-40.0)},
        "JA02": {"投资完成率(%)": pytest.approx(30.0), "时序进度(%)": pytest.approx(50.0),
                 "进度偏差(个百分点)": pytest.approx(-20.0)}}
    assert _config(at)["投资完成率(%)"]["type_config"]["format"] == "%.1f%%"  # the grid prints 10.0%


def test_the_light_is_a_coloured_light_and_the_file_keeps_the_word(store):
    at = run(page="pages/ledger.py")
    light = _config(at)["预警灯"]
    assert light["type_config"]["type"] == "multiselect"  # a coloured pill per value, read-only in st.dataframe
    options = {o["value"]: o for o in light["type_config"]["options"]}
    assert {v: (o["label"], o["color"]) for v, o in options.items()} == {
        "红": ("红灯", "#c62828"), "黄": ("黄灯", "#d4a000"), "绿": ("绿灯", "#1a7f37")}
    assert at.dataframe[0].value.set_index("项目编码").loc["CQ01", "预警灯"] == "红"  # what the CSV holds
