"""The city's geography kept with the store (geography.json): which city, the analyst's hand matches and no-boundary
marks — written under the store's lock, atomically, audit-logged — and the shapes the map draws: the city's
simplified county outlines (cached in memory per city), or a tile map where no real boundary is set."""
from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import polars as pl

from data import boundaries, tilemap
from data.boundaries import Boundary, BoundaryError, City
from data.geomatch import HAND, NO_BOUNDARY, Match, candidates, match_units, norm
from data.outline import label_point, simplify
from data.store import Store, StoreError, atomic_write_bytes

FILE = "geography.json"
BOUNDARIES, TILES = "boundaries", "tiles"
TILE = "方块"  # how a unit is placed on a tile map
# The audit log's actions written here, as the 数据管理 log names them.
AUDIT_ACTIONS = {"geo-city": "设置城市", "geo-city-unset": "取消城市", "geo-match": "手工对应区县",
                 "geo-no-boundary": "标注无边界", "geo-forget": "取消区县对应"}


@dataclass(frozen=True)
class Saved:
    """What geography.json holds: the city (None: not set), hand matches (unit → adcode), units with no boundary."""

    city: City | None = None
    hand: dict[str, str] = field(default_factory=dict)
    no_boundary: tuple[str, ...] = ()

    def as_json(self) -> dict:
        c = self.city
        city = {"name": c.name, "adcode": c.adcode, "province": c.province} if c else None
        return {"city": city, "hand": self.hand, "no_boundary": list(self.no_boundary)}


def load(store: Store) -> Saved:
    """The store's saved geography (nothing set when it has none)."""
    path = store.root / FILE
    if not path.exists():
        return Saved()
    raw = json.loads(path.read_text(encoding="utf-8"))
    c = raw.get("city")
    city = City(c["name"], c["adcode"], c.get("province", "")) if c else None
    return Saved(city, dict(raw.get("hand", {})), tuple(raw.get("no_boundary", ())))


def _save(store: Store, saved: Saved, action: str, user: str, **fields) -> None:
    """Write geography.json and its audit record; the caller holds the store's lock."""
    atomic_write_bytes(store.root / FILE, json.dumps(saved.as_json(), ensure_ascii=False, indent=1).encode("utf-8"))
    store._append_audit({"time": dt.datetime.now().isoformat(timespec="seconds"), "user": user, "action": action,
                         "month": "", **fields})


def set_city(store: Store, text: str, *, user: str = "") -> tuple[City, list[str]]:
    """Set the store's city by name or adcode (BoundaryError naming the closest names, the store unchanged); returns
    the city and the hand matches dropped because they pointed into another city."""
    city = boundaries.find_city(text)
    codes = {b.adcode for b in boundaries.counties(city)}
    with store.lock():
        saved = load(store)
        kept = {u: c for u, c in saved.hand.items() if c in codes}
        dropped = sorted(set(saved.hand) - set(kept))
        _save(store, Saved(city, kept, saved.no_boundary), "geo-city", user, city=city.name, adcode=city.adcode,
              dropped=dropped)
    return city, dropped


def unset_city(store: Store, *, user: str = "") -> None:
    """Forget the city (the map goes back to tiles); hand matches go with it, no-boundary marks stay."""
    with store.lock():
        saved = load(store)
        if saved.city is None:
            raise StoreError("还没有设置城市，无需取消。")
        _save(store, Saved(None, {}, saved.no_boundary), "geo-city-unset", user, city=saved.city.name)


def _boundary(city: City, text: str) -> Boundary:
    """One of the city's boundaries, by adcode, exact name or unique stem; StoreError listing them otherwise."""
    bs = boundaries.counties(city)
    name = norm(text)
    found = [b for b in bs if b.adcode == name] or candidates(name, bs)[1]
    if len(found) == 1:
        return found[0]
    listed = "、".join(f"{b.name}（{b.adcode}）" for b in bs)
    raise StoreError(f"{city.name}没有区县“{text}”{'（可对应多个）' if found else ''}。可选：{listed}。")


def _require_city(saved: Saved) -> City:
    if saved.city is None:
        raise StoreError("还没有设置城市：先用 python -m data city set 城市名（如 宜昌市）设置。")
    return saved.city


def _unit(unit: str) -> str:
    unit = str(unit or "").strip()
    if not unit:
        raise StoreError("请给出单位名称（台账“县区”列中的写法）。")
    return unit


def set_match(store: Store, unit: str, boundary: str, *, user: str = "") -> Boundary:
    """Match a unit to one of the city's boundaries by hand (it then wins over any match by name); audited."""
    unit = _unit(unit)
    with store.lock():
        saved = load(store)
        b = _boundary(_require_city(saved), boundary)
        other = [u for u, c in saved.hand.items() if c == b.adcode and u != unit]
        if other:
            raise StoreError(f"区县“{b.name}”已手工对应“{other[0]}”：一个区县只能对应一个单位，先用 city forget "
                             f"{other[0]} 取消。")
        marks = tuple(u for u in saved.no_boundary if u != unit)
        _save(store, Saved(saved.city, {**saved.hand, unit: b.adcode}, marks), "geo-match", user, unit=unit,
              adcode=b.adcode, boundary=b.name)
    return b


def mark_no_boundary(store: Store, unit: str, *, user: str = "") -> None:
    """Mark a unit as having no boundary of its own (a 开发区 inside others): listed beside the map; audited."""
    unit = _unit(unit)
    with store.lock():
        saved = load(store)
        if unit in saved.no_boundary:
            raise StoreError(f"“{unit}”已标注为无边界。")
        _save(store, Saved(saved.city, {u: c for u, c in saved.hand.items() if u != unit}, (*saved.no_boundary, unit)),
              "geo-no-boundary", user, unit=unit)


def forget(store: Store, unit: str, *, user: str = "") -> None:
    """Drop a unit's hand match or no-boundary mark (it is matched by name again); audited."""
    unit = _unit(unit)
    with store.lock():
        saved = load(store)
        if unit not in saved.hand and unit not in saved.no_boundary:
            raise StoreError(f"“{unit}”没有手工对应或无边界标注：用 python -m data city show 查看。")
        _save(store, Saved(saved.city, {u: c for u, c in saved.hand.items() if u != unit},
                           tuple(u for u in saved.no_boundary if u != unit)), "geo-forget", user, unit=unit)


def store_units(store: Store) -> list[str]:
    """Every unit the store's months name in 县区 (first seen first), then the configured expected units."""
    seen: list[str] = []
    for m in store.months():
        seen += pl.scan_parquet(store.path_for(m)).select(pl.col("county").unique(maintain_order=True)).collect() \
            .to_series().drop_nulls().to_list()
    return list(dict.fromkeys([*seen, *store.settings().expected_units]))


# ---- the shapes drawn ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Shape:
    """One drawn area: its key (adcode, or the unit's name on a tile map), name, GeoJSON geometry, label point."""

    key: str
    name: str
    adcode: str | None
    geometry: dict
    label: tuple[float, float]


@dataclass(frozen=True)
class Geography:
    """What the map of one city draws and how its units find their areas (pure once built)."""

    kind: str  # boundaries | tiles
    city: str
    adcode: str | None
    shapes: tuple[Shape, ...]
    boundaries: tuple[Boundary, ...] = ()
    hand: dict[str, str] = field(default_factory=dict)
    no_boundary: tuple[str, ...] = ()
    version: str = ""  # names the shapes' source (package version, or the tile layout) for caches

    def match(self, units: Iterable[str]) -> list[Match]:
        """Each unit's area: by name against the city's boundaries, or its own tile."""
        if self.kind == TILES:
            keys = {s.key for s in self.shapes}
            return [Match(u, None, TILE) if u in keys else
                    Match(u, None, NO_BOUNDARY, "已标注为无边界（如开发区）") if u in self.no_boundary else
                    Match(u, None, "", "不在方块图中") for u in units]
        return match_units(units, self.boundaries, self.city, self.hand, self.no_boundary)

    def key_of(self, m: Match) -> str | None:
        """The shape a unit's match draws it in."""
        return m.unit if m.how == TILE else m.adcode


@functools.lru_cache(maxsize=16)
def _city_shapes(adcode: str, version: str) -> tuple[Shape, ...]:
    """A city's outlines read and simplified once per process (0.03–0.6 s of CPU; 20–110 KB a city: README)."""
    city = boundaries.find_city(adcode)
    bs = boundaries.counties(city)
    simple = simplify({b.adcode: boundaries.geometry(b) for b in bs})
    return tuple(Shape(b.adcode, b.name, b.adcode, simple[b.adcode], label_point(simple[b.adcode])) for b in bs)


def city_geography(city: City, saved: Saved = Saved()) -> Geography:
    """The real map of `city`, with the store's hand matches and no-boundary marks."""
    version = boundaries.package_version()
    return Geography(BOUNDARIES, city.name, city.adcode, _city_shapes(city.adcode, version),
                     boundaries.counties(city), dict(saved.hand), saved.no_boundary, f"{boundaries.PACKAGE}-{version}")


def tile_geography(units: Sequence[str], city_name: str, saved: Saved = Saved()) -> Geography:
    """The tile map of the units (no real boundary set): one square each, none for units marked as having none."""
    shown = [u for u in dict.fromkeys(units) if u not in saved.no_boundary]
    places = tilemap.layout(shown)
    shapes = tuple(Shape(u, u, None, tilemap.square(*places[u]), tilemap.centre(*places[u])) for u in shown)
    return Geography(TILES, city_name, None, shapes, no_boundary=saved.no_boundary,
                     version="tiles:" + "|".join(f"{u}@{c},{r}" for u, (c, r) in places.items()))


def geography(store: Store, city_name: str, *, city: str | None = None, units: Sequence[str] | None = None
              ) -> Geography:
    """The map a store draws: `city` (a name or adcode given for this one map) or the store's own city with its
    matches; without either, tiles of `units` (default: the store's) titled `city_name`."""
    saved = load(store)
    if city is not None:
        chosen = boundaries.find_city(city)
        keep = saved if saved.city and saved.city.adcode == chosen.adcode else Saved(None, {}, saved.no_boundary)
        return city_geography(chosen, keep)
    if saved.city is not None:
        return city_geography(saved.city, saved)
    return tile_geography(store_units(store) if units is None else units, city_name, saved)


@dataclass(frozen=True)
class Row:
    """One unit in the matching's listing (the CLI's city show, 数据管理)."""

    unit: str
    boundary: str | None
    adcode: str | None
    how: str
    reason: str


def listing(store: Store, units: Sequence[str] | None = None) -> tuple[Saved, list[Row], list[Boundary]]:
    """The saved city, every unit of the store (or `units`) with its boundary or why it has none — hand matches and
    no-boundary marks included even for units no month names — and the city's boundaries no unit took."""
    saved = load(store)
    if saved.city is None:
        return saved, [], []
    names = list(dict.fromkeys([*(store_units(store) if units is None else units), *saved.hand, *saved.no_boundary]))
    bs = boundaries.counties(saved.city)
    matches = match_units(names, bs, saved.city.name, saved.hand, saved.no_boundary)
    rows = [Row(m.unit, m.boundary.name if m.boundary else None, m.adcode, m.how, m.reason) for m in matches]
    taken = {m.adcode for m in matches}
    return saved, rows, [b for b in bs if b.adcode not in taken]


__all__ = ["AUDIT_ACTIONS", "BOUNDARIES", "TILES", "BoundaryError", "Geography", "HAND", "Row", "Saved", "Shape",
           "city_geography", "forget", "geography", "listing", "load", "mark_no_boundary", "set_city", "set_match",
           "store_units", "tile_geography", "unset_city"]
