"""The honest map of a city without real boundaries (the fictional demo city, or a store whose city is not set yet):
one equal square per unit, placed by rough position where it is declared, else in a grid in the units' order."""
from __future__ import annotations

import math
from collections.abc import Sequence

# The demo city's units by rough position (column, row; row 0 the north): its names say where they lie
# (北岭 in the north, 南湖 in the south, 东城/西城 either side of the centre). Fictional, like the city.
DEMO_LAYOUT: dict[str, tuple[int, int]] = {
    "青山县": (0, 0), "北岭县": (1, 0), "临河县": (2, 0),
    "西城区": (0, 1), "高新区": (1, 1), "东城区": (2, 1),
    "石门县": (0, 2), "南湖县": (1, 2), "经开区": (2, 2),
}
GAP = 0.08  # between squares, in squares


def layout(units: Sequence[str]) -> dict[str, tuple[int, int]]:
    """Each unit's square (column, row): the declared layout when it places every unit, else a grid as near square
    as the count allows, filled row by row in the units' order (stable as long as the units are)."""
    units = list(dict.fromkeys(units))
    if units and all(u in DEMO_LAYOUT for u in units):
        return {u: DEMO_LAYOUT[u] for u in units}
    cols = max(1, math.ceil(math.sqrt(len(units))))
    return {u: (i % cols, i // cols) for i, u in enumerate(units)}


def square(col: int, row: int) -> dict:
    """The GeoJSON Polygon of a square (x to the east, y to the south, as the tile projection draws it)."""
    x0, y0, x1, y1 = col + GAP / 2, row + GAP / 2, col + 1 - GAP / 2, row + 1 - GAP / 2
    return {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}


def centre(col: int, row: int) -> tuple[float, float]:
    return col + 0.5, row + 0.5
