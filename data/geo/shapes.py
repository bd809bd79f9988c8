"""The shapes a map draws: the city's county outlines, simplified once and cached in memory per city, or a tile map
where no real boundary is set; and how a store's units find their areas among them."""
from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from data.geo import boundaries, tiles
from data.geo.boundaries import Boundary, City
from data.geo.kept import Saved, load, store_units
from data.geo.matching import NO_BOUNDARY, Match, match_units
from data.geo.outline import label_point, simplify
from data.store import Store

BOUNDARIES, TILES = "boundaries", "tiles"
TILE = "方块"  # how a unit is placed on a tile map


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
    places = tiles.layout(shown)
    shapes = tuple(Shape(u, u, None, tiles.square(*places[u]), tiles.centre(*places[u])) for u in shown)
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
