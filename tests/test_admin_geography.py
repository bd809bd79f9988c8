"""数据管理 · 地图 (ui/admin/geography.py) in AppTest: an analyst sets the city by name, sees each unit's boundary and
the unmatched, matches one by hand, marks one as having no boundary and forgets a setting — each recorded in the
audit log with its Chinese name; a misspelt city is refused naming the closest and leaves the store byte-identical;
a viewer sees the listing without the controls. Expected adcodes written by hand."""
from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from data.store import Store
from tests.auth_helpers import analyst_env, sign_in
from tests.factories import snapshot, tree_bytes
from tests.helpers import APP

UNITS = ("长阳县", "伍家岗", "宜昌高新区", "市直部门", "五峰县")


@pytest.fixture
def store(tmp_path, monkeypatch) -> Store:
    s = Store(tmp_path / "store")
    s.write(snapshot("2024-06", *({"project_id": f"P{i}", "county": u, "plan_investment_year": 1000.0,
                                   "completed_investment_ytd": 500.0} for i, u in enumerate(UNITS))))
    monkeypatch.setenv("KPM_STORE", str(s.root))
    return s


def _admin(monkeypatch, analyst: bool = True) -> AppTest:
    analyst_env(monkeypatch)
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.switch_page("pages/admin.py")
    at.run()
    if analyst:
        at = sign_in(at)
    assert not at.exception, [e.value for e in at.exception]
    return at


def _table(at: AppTest) -> dict[str, tuple[str, str, str]]:
    df = next(d for d in at.dataframe if "区县边界" in d.value.columns).value
    return {r["单位"]: (r["区县边界"], r["代码"], r["对应方式"]) for r in df.to_dict("records")}


def _click(at: AppTest, key: str) -> AppTest:
    at.button(key=key).click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_an_analyst_sets_the_city_and_sees_each_units_boundary(store, monkeypatch):
    at = _admin(monkeypatch)
    at.text_input(key="admin_geo_city").input("宜昌市")
    at = _click(at, "admin_geo_set")
    assert any("已设置城市：湖北省宜昌市（420500），共 13 个区县边界" in s.value for s in at.success)
    assert _table(at) == {"长阳县": ("长阳土家族自治县", "420528", "去后缀"), "伍家岗": ("伍家岗区", "420503", "去后缀"),
                          "五峰县": ("五峰土家族自治县", "420529", "去后缀"), "宜昌高新区": ("—", "—", "未对应"),
                          "市直部门": ("—", "—", "未对应")}
    assert any("2 个单位未对应" in w.value and "宜昌高新区、市直部门" in w.value for w in at.warning)
    assert [r["action"] for r in store.audit()][-1] == "geo-city"


def test_a_misspelt_city_is_refused_naming_the_closest_and_changes_nothing(store, monkeypatch):
    at = _admin(monkeypatch)
    before = tree_bytes(store.root)
    at.text_input(key="admin_geo_city").input("宣昌市")
    at = _click(at, "admin_geo_set")
    assert any("没有找到城市“宣昌市”" in e.value and "宜昌市" in e.value for e in at.error)
    assert tree_bytes(store.root) == before


def test_match_by_hand_mark_no_boundary_and_forget_are_audited(store, monkeypatch):
    at = _admin(monkeypatch)
    at.text_input(key="admin_geo_city").input("420500")
    at = _click(at, "admin_geo_set")
    at.selectbox(key="admin_geo_unit").select("宜昌高新区")
    at.selectbox(key="admin_geo_boundary").select("420504")  # 点军区
    at = _click(at, "admin_geo_match")
    assert _table(at)["宜昌高新区"] == ("点军区", "420504", "手工")
    at.selectbox(key="admin_geo_unit").select("市直部门")
    at = _click(at, "admin_geo_none")
    assert _table(at)["市直部门"] == ("—", "—", "无边界")
    saved = json.loads((store.root / "geography.json").read_text(encoding="utf-8"))
    assert saved["hand"] == {"宜昌高新区": "420504"} and saved["no_boundary"] == ["市直部门"]
    at.selectbox(key="admin_geo_marked").select("宜昌高新区")
    at = _click(at, "admin_geo_forget")
    assert _table(at)["宜昌高新区"] == ("—", "—", "未对应")
    assert [r["action"] for r in store.audit()][-4:] == ["geo-city", "geo-match", "geo-no-boundary", "geo-forget"]
    # the audit tab names each with its Chinese name
    log = next(d for d in at.dataframe if "操作" in d.value.columns).value
    assert {"地图：设置城市", "地图：手工对应区县", "地图：标注无边界", "地图：取消区县对应"} <= set(log["操作"])


def test_a_viewer_sees_the_matching_without_the_controls(store, monkeypatch):
    from data import geo

    geo.set_city(store, "宜昌市")
    at = _admin(monkeypatch, analyst=False)
    assert _table(at)["长阳县"] == ("长阳土家族自治县", "420528", "去后缀")
    keys = {b.key for b in at.button}
    assert not keys & {"admin_geo_set", "admin_geo_match", "admin_geo_none"}
