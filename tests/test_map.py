"""The map's data (metrics/map.py), its chart spec (ui/map_chart.py, ui/map_labels.py) and `python -m metrics map`:
every unit of the month with its value on its boundary or listed beside the map, coloured by direction and target;
the spec inline and self-contained (no URL to any host), checked against the Vega-Lite schema; the CLI's JSON held
to issue #28's shape. Values by hand from four projects."""
from __future__ import annotations

import contextlib
import io
import json

import polars as pl
import pyarrow as pa
import pytest

from data import geo
from data.geo import boundaries
from data.store import Store
from metrics.dataset import Dataset
from metrics.filters import Filters
from metrics.map import map_data
from tests.factories import snapshot
from tests.helpers import run_module
from ui import chart_specs, charts
from ui.map_chart import SCREEN, map_chart, picked_unit
from ui.map_labels import Area, _merc, place_labels, wrap

RATE = "investment_completion_rate"
# 2024-06: 时序进度 6/12 = 50 %. 投资完成率 = 本年累计 ÷ 年度计划 (续建, 在建: the construction set).
PROJECTS = (("P1", "长阳县", 600.0), ("P2", "伍家岗", 300.0), ("P3", "宜昌高新区", 500.0), ("P4", "市直部门", 700.0),
            ("P5", "五峰县", 470.0))
YICHANG_CODES = ["420502", "420503", "420504", "420505", "420506", "420525", "420526", "420527", "420528", "420529",
                 "420581", "420582", "420583"]


@pytest.fixture
def store(tmp_path) -> Store:
    s = Store(tmp_path / "store")
    s.write(snapshot("2024-06", *({"project_id": p, "county": c, "plan_investment_year": 1000.0,
                                   "completed_investment_ytd": ytd} for p, c, ytd in PROJECTS)))
    return s


@pytest.fixture
def ds(store) -> Dataset:
    return Dataset.from_store(store)


def _yichang(store=None):
    return geo.city_geography(boundaries.find_city("宜昌市"), geo.load(store) if store else geo.Saved())


# ---- the data ------------------------------------------------------------------------------------------------------
def test_each_unit_on_its_boundary_and_the_rest_listed_with_their_values(ds):
    d = map_data(ds, "2024-06", _yichang(), RATE)
    got = {u.unit: (u.adcode, u.boundary, round(u.value, 6), u.status) for u in d.units}
    # against 50 %, as the heat table stands them: met, or short by ≤ 5 points near, else far
    assert got == {"长阳县": ("420528", "长阳土家族自治县", 0.6, "met"), "伍家岗": ("420503", "伍家岗区", 0.3, "far"),
                   "宜昌高新区": (None, None, 0.5, "met"), "市直部门": (None, None, 0.7, "met"),
                   "五峰县": ("420529", "五峰土家族自治县", 0.47, "near")}
    assert [u.unit for u in d.unmatched] == ["宜昌高新区", "市直部门"]  # listed, never dropped
    assert (d.city, d.adcode, d.month, d.mode, d.target) == ("宜昌市", "420500", "2024-06", "target", 0.5)
    props = {f["properties"]["adcode"]: f["properties"] for f in d.features["features"]}
    assert sorted(props) == YICHANG_CODES  # every county of the city drawn, with or without a unit
    assert props["420528"]["unit"] == "长阳县" and props["420528"]["text"] == "60.0%"
    assert props["420502"]["unit"] is None and props["420502"]["status"] == "no_data"


def test_without_a_target_counties_are_coloured_by_their_standing_in_the_indicators_direction(ds):
    d = map_data(ds, "2024-06", _yichang(), "completed_ytd_sum")  # higher is better, no target
    assert d.mode == "relative" and d.target is None
    # 300 (worst) … 700 (best) over the month's four units
    assert {u.unit: u.score for u in d.units} == {"长阳县": 0.75, "伍家岗": 0.0, "宜昌高新区": 0.5, "市直部门": 1.0,
                                                  "五峰县": 0.425}
    assert map_data(ds, "2024-06", _yichang(), "total_investment_sum").mode == "value"  # neutral: no good or bad


def test_the_county_filter_marks_the_picked_county_and_keeps_the_others(ds):
    d = map_data(ds, "2024-06", _yichang(), RATE, Filters(county=("长阳县",)))
    assert len(d.units) == 5
    assert [f["properties"]["adcode"] for f in d.features["features"] if f["properties"]["selected"]] == ["420528"]


def test_the_stores_hand_matches_place_a_development_zone(store, ds):
    geo.set_city(store, "宜昌市")
    geo.set_match(store, "宜昌高新区", "点军区")
    geo.mark_no_boundary(store, "市直部门")
    d = map_data(ds, "2024-06", geo.geography(store, "示范市"), RATE)
    assert {u.unit: u.adcode for u in d.units} == {"长阳县": "420528", "伍家岗": "420503", "宜昌高新区": "420504",
                                                    "市直部门": None, "五峰县": "420529"}
    assert [u.unit for u in d.unmatched] == ["市直部门"]


def test_without_a_city_the_units_are_tiles_never_real_boundaries(store, ds):
    d = map_data(ds, "2024-06", geo.geography(store, "示范市"), RATE)
    assert d.kind == "tiles" and d.adcode is None and d.city == "示范市"
    assert [f["properties"]["key"] for f in d.features["features"]] == ["长阳县", "伍家岗", "宜昌高新区", "市直部门", "五峰县"]
    assert all(f["properties"]["adcode"] is None for f in d.features["features"])
    assert not d.unmatched


# ---- the chart spec ------------------------------------------------------------------------------------------------
def _strings(node, key=""):
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _strings(v, k)
    elif isinstance(node, list):
        for v in node:
            yield from _strings(v, key)
    else:
        yield key, node


def test_the_spec_is_inline_validated_and_asks_no_host(ds, monkeypatch):
    monkeypatch.setenv(chart_specs.VALIDATE_ENV, "1")  # checked against the Vega-Lite schema as it is built
    spec = chart_specs.finish(map_chart(map_data(ds, "2024-06", _yichang(), RATE), select=True))
    text = json.dumps({k: v for k, v in spec.items() if k != "datasets"}, ensure_ascii=False)
    assert '"url"' not in text and "topojson" not in text
    assert [v for k, v in _strings(spec) if isinstance(v, str) and "://" in v and k != "$schema"] == []
    assert spec["projection"] == {"type": "mercator"}
    [name] = spec["datasets"]
    rows = pl.from_arrow(pa.ipc.open_stream(spec["datasets"][name]).read_all())
    assert rows.filter(pl.col("key") == "420528")["label"].to_list() == ["长阳县"]
    assert f'"name": "{name}"' in text  # the areas look their values up in the view's Arrow dataset
    areas = spec["layer"][0]  # the outlines, once, for the areas and the picked county's outline over them
    assert len(areas["data"]["values"]) == 13 and text.count('"coordinates"') == 13
    assert areas["transform"][0]["from"]["data"] == {"name": name}
    shape, picked = areas["layer"]
    assert shape["mark"]["type"] == picked["mark"]["type"] == "geoshape"
    assert shape["mark"]["invalid"] is None  # a county without a value is drawn grey, not filtered out
    color = shape["encoding"]["color"]  # against the target, as the heat table: its standings and its fills
    assert color["scale"]["domain"] == ["达标", "接近目标", "差距较大", "无数据"]
    assert color["scale"]["range"][:3] == list(charts.HEAT_FILL[:3])
    assert picked["transform"] == [{"filter": "datum.selected"}] and picked["mark"]["filled"] is False
    assert spec["params"][0]["name"] == "pick"  # a click picks a county, as the county bars do
    assert spec["params"][0]["views"] == [shape["name"]] and spec["params"][0]["select"]["fields"] == ["unit"]


def test_a_click_on_the_map_picks_a_unit():
    assert picked_unit({"selection": {"pick": [{"unit": "长阳县"}]}}) == "长阳县"
    assert picked_unit({"selection": {"pick": []}}) is None and picked_unit(None) is None


def test_a_new_view_of_the_same_city_reuses_its_outlines_and_sends_only_its_values(ds):
    june = chart_specs.finish(map_chart(map_data(ds, "2024-06", _yichang(), RATE)))
    picked = chart_specs.finish(map_chart(map_data(ds, "2024-06", _yichang(), RATE, Filters(county=("伍家岗",)))))
    assert june["layer"][0]["data"] == picked["layer"][0]["data"]
    assert june["datasets"].keys() != picked["datasets"].keys()


def test_the_tile_map_is_drawn_without_a_projection_of_the_earth(store, ds, monkeypatch):
    monkeypatch.setenv(chart_specs.VALIDATE_ENV, "1")
    for look in (None, SCREEN):  # the desk's look and the screen's
        spec = chart_specs.finish(map_chart(map_data(ds, "2024-06", geo.geography(store, "示范市"), "completed_ytd_sum"),
                                       **({"look": look} if look else {})))
        assert spec["projection"] == {"type": "identity"}


def _boxes(labels, proj):
    out = {}
    for k, lab in labels.items():
        (x0, y0), (x1, y1) = (proj(*c) for c in lab.corners)
        out[k] = (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))
    return out


@pytest.mark.parametrize("city", ["宜昌市", "重庆市"])
def test_no_two_labels_overlap(city):
    g = geo.city_geography(boundaries.find_city(city))
    areas = [Area(s.key, s.name, "100.0%", s.label, [tuple(p) for poly in s.geometry["coordinates"] for p in poly[0]])
             for s in g.shapes]
    labels = place_labels(areas, tiles=False, height=460, name_size=13, value_size=12)
    assert set(labels) == {s.key for s in g.shapes}
    boxes = _boxes(labels, _merc)
    keys = list(boxes)
    for i, a in enumerate(keys):
        for b in keys[i + 1:]:
            p, q = boxes[a], boxes[b]
            assert not (p[0] < q[2] - 1e-9 and q[0] < p[2] - 1e-9 and p[1] < q[3] - 1e-9 and q[1] < p[3] - 1e-9), (a, b)
    for k, lab in labels.items():
        ax, ay = _merc(*lab.anchor)
        box = boxes[k]
        on_it = box[0] - 1e-9 <= ax <= box[2] + 1e-9 and box[1] - 1e-9 <= ay <= box[3] + 1e-9
        assert lab.leader != on_it, k  # a label that has left its county's point has a leader line back to it
    assert any(lab.leader for lab in labels.values())  # 宜昌's and 重庆's centres are too crowded for all in place


def _through(p, q, box, steps: int = 200) -> bool:
    """Whether segment p–q passes inside box (finely sampled: an independent check of the placing's own)."""
    return any(box[0] < p[0] + (q[0] - p[0]) * i / steps < box[2] and box[1] < p[1] + (q[1] - p[1]) * i / steps < box[3]
               for i in range(steps + 1))


@pytest.mark.parametrize("city, height, width", [("宜昌市", 460, None), ("宜昌市", 380, 340), ("宜昌市", 700, 880),
                                                 ("重庆市", 460, None)])
def test_no_leader_line_runs_through_a_label_and_no_label_covers_another_countys_point(city, height, width):
    g = geo.city_geography(boundaries.find_city(city))
    areas = [Area(s.key, s.name, "100.0%", s.label, [tuple(p) for poly in s.geometry["coordinates"] for p in poly[0]])
             for s in g.shapes]
    labels = place_labels(areas, tiles=False, height=height, width=width, name_size=13, value_size=12)
    boxes = _boxes(labels, _merc)
    pts = [_merc(*p) for a in areas for p in a.outline]
    west, east = min(x for x, _ in pts), max(x for x, _ in pts)
    for k, lab in labels.items():
        point = _merc(*lab.anchor)
        # a label in a column beside the map (past its west or east edge): its leader crosses the map, kept clear of
        # labels where a place in the column allows it, not promised
        in_column = boxes[k][2] <= west or boxes[k][0] >= east
        for other, box in boxes.items():
            if other == k:
                continue
            assert not _through(point, point, box), (k, "under the label of", other)  # 西陵区's point under 伍家岗's
            if lab.leader and not in_column:
                assert not _through(point, _merc(*lab.leader_end), box), (k, "leader through", other)


# ---- the command line ----------------------------------------------------------------------------------------------
def _map(*args) -> tuple[int, dict | None, str]:
    """`python -m metrics map args…` run in this process (one run below goes through a real process)."""
    from reports.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["map", *map(str, args)])
    return code, (json.loads(out.getvalue()) if code == 0 else None), err.getvalue()


def test_the_cli_prints_exactly_the_issues_json(store):
    code, out, _ = _map("--month", "2024-06", "--indicator", RATE, "--city", "宜昌市", "--store", store.root,
                        "--format", "json")
    assert code == 0
    assert list(out) == ["city", "adcode", "indicator", "month", "units", "unmatched", "features"]
    assert (out["city"], out["adcode"], out["indicator"], out["month"]) == ("宜昌市", "420500", RATE, "2024-06")
    assert all(list(u) == ["unit", "adcode", "boundary", "value"] for u in out["units"])
    assert out["units"][0] == {"unit": "伍家岗", "adcode": "420503", "boundary": "伍家岗区", "value": 0.3}
    assert {u["unit"]: u["adcode"] for u in out["units"]} == {"伍家岗": "420503", "长阳县": "420528", "五峰县": "420529",
                                                             "宜昌高新区": None, "市直部门": None}
    assert out["unmatched"] == ["宜昌高新区", "市直部门"]
    assert out["features"]["type"] == "FeatureCollection" and len(out["features"]["features"]) == 13
    assert _map("--adcode", "420500", "--store", store.root, "--format", "json")[1] == out  # the month: the latest


def test_the_cli_uses_the_stores_city_and_refuses_a_misspelt_one(store):
    code, out, _ = _map("--store", store.root, "--format", "json")
    assert code == 0 and out["adcode"] is None  # no city set: the tile map
    geo.set_city(store, "宜昌市")
    assert _map("--store", store.root, "--format", "json")[1]["adcode"] == "420500"
    p = run_module("metrics", "map", "--city", "宣昌市", "--store", store.root, "--format", "json")
    assert p.returncode != 0 and p.stdout == "" and "没有找到城市“宣昌市”。您是否要找：宜昌市" in p.stderr
    assert _map("--month", "2030-01", "--store", store.root, "--format", "json")[0] != 0
    assert _map("--indicator", "no_such", "--store", store.root, "--format", "json")[0] != 0
    code, _, err = _map("--adcode", "宜昌市", "--store", store.root, "--format", "json")
    assert code == 2 and "6 位数字" in err


def test_the_cli_reads_a_named_store_as_it_is(tmp_path):
    code, _, err = _map("--store", tmp_path / "nowhere", "--format", "json")
    assert code == 2 and "数据目录不存在" in err
    (tmp_path / "empty").mkdir()
    code, _, err = _map("--store", tmp_path / "empty", "--format", "json")
    assert code == 2 and "没有任何月份" in err  # never the demo city in its place


def test_a_long_name_breaks_where_it_reads_best():
    assert wrap("经济技术开发区管理委员会", 7 * 13, 13) == ["经济技术开发区", "管理委员会"]
    assert wrap("北岭湖生态文化旅游示范区", 5 * 13, 13) == ["北岭湖生态", "文化旅游", "示范区"]
    assert wrap("东城区", 3 * 13, 13) == ["东城区"]


def test_thirty_long_names_on_a_tile_map_each_stay_on_their_own_square():
    from data.geo.tiles import GAP
    from tests.screen_cities import THIRTY  # the screen's thirty units, names up to 12 characters

    g = geo.tile_geography(list(THIRTY), "某市")
    areas = [Area(s.key, s.name, "100.0%", s.label, s.geometry["coordinates"][0]) for s in g.shapes]
    for height, size in ((460, 13), (760, 20)):  # the desk's map, the screen's
        labels = place_labels(areas, tiles=True, height=height, name_size=size, value_size=size - 2)
        for s in g.shapes:
            lab = labels[s.key]
            (x0, y0), (x1, y1) = lab.corners
            assert not lab.leader and x1 - x0 <= 1 - GAP and y1 - y0 <= 1 - GAP, (s.key, height)
            assert lab.name.replace("\n", "") == s.key
