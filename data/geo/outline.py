"""County outlines made light for drawing: Douglas-Peucker on the arcs between junctions, each shared border simplified
once for both its counties (so neighbours keep one border and the map shows no gaps), and a point inside each county
for its label. Pure geometry on GeoJSON coordinates."""
from __future__ import annotations

import math
from collections.abc import Mapping

Point = tuple[float, float]

# The tolerance as a share of the city's longer side: a city drawn 1,500 px across (the map on a 4K screen) loses
# nothing a pixel shows; 宜昌市 (1.8° wide) gets ~120 m and about 4 KB a county (measured: README, The county map).
RESOLUTION = 1500
DIGITS = 4  # ~10 m: the coordinates written to the page


def _perp(p: Point, a: Point, b: Point) -> float:
    """Distance from p to the segment a–b."""
    (x, y), (x1, y1), (x2, y2) = p, a, b
    dx, dy = x2 - x1, y2 - y1
    if dx == dy == 0:
        return math.hypot(x - x1, y - y1)
    t = max(0.0, min(1.0, ((x - x1) * dx + (y - y1) * dy) / (dx * dx + dy * dy)))
    return math.hypot(x - x1 - t * dx, y - y1 - t * dy)


def douglas_peucker(points: list[Point], tolerance: float) -> list[Point]:
    """The open line `points` with every vertex dropped that lies within `tolerance` of the simplified line (the
    ends always kept); iterative, so a long border cannot exhaust the stack."""
    if len(points) < 3:
        return list(points)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        i, j = stack.pop()
        far, where = 0.0, -1
        for k in range(i + 1, j):
            d = _perp(points[k], points[i], points[j])
            if d > far:
                far, where = d, k
        if where >= 0 and far > tolerance:
            keep[where] = True
            stack += [(i, where), (where, j)]
    return [p for p, k in zip(points, keep) if k]


def _rings(geometry: Mapping) -> list[list[list[Point]]]:
    """A Polygon's or MultiPolygon's polygons, each a list of rings without their closing point."""
    polys = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    out = []
    for poly in polys:
        rings = []
        for ring in poly:
            pts = [(float(x), float(y)) for x, y, *_ in ring]
            pts = [p for i, p in enumerate(pts) if i == 0 or p != pts[i - 1]]  # no repeated vertex
            if len(pts) > 1 and pts[0] == pts[-1]:
                pts.pop()
            rings.append(pts)
        out.append(rings)
    return out


def _junctions(all_rings: list[list[Point]]) -> set[Point]:
    """Vertices where borders meet: a vertex whose neighbours are not the same pair in every ring that holds it (the
    ends of a border two counties share), as TopoJSON finds them."""
    seen: dict[Point, frozenset] = {}
    out: set[Point] = set()
    for ring in all_rings:
        n = len(ring)
        for i, p in enumerate(ring):
            pair = frozenset((ring[i - 1], ring[(i + 1) % n]))
            if seen.setdefault(p, pair) != pair:
                out.add(p)
    return out


class _Arcs:
    """Each arc simplified once: the same border, walked either way by either county, gets the same vertices."""

    def __init__(self, tolerance: float):
        self.tolerance, self.done = tolerance, {}

    def open(self, arc: list[Point]) -> list[Point]:
        key = tuple(arc) if tuple(arc) <= tuple(reversed(arc)) else tuple(reversed(arc))
        if key not in self.done:
            self.done[key] = douglas_peucker(list(key), self.tolerance)
        out = self.done[key]
        return list(out) if key == tuple(arc) else out[::-1]

    def closed(self, ring: list[Point]) -> list[Point]:
        """A ring that meets no other: started at its least vertex in a fixed direction, cut at its farthest."""
        start = ring.index(min(ring))
        turned = ring[start:] + ring[:start]
        if len(turned) > 2 and turned[-1] < turned[1]:
            turned = [turned[0]] + turned[1:][::-1]
        far = max(range(len(turned)), key=lambda k: math.dist(turned[0], turned[k]))
        return self.open(turned[: far + 1])[:-1] + self.open(turned[far:] + [turned[0]])[:-1]


def _simplify_ring(ring: list[Point], joints: set[Point], arcs: _Arcs) -> list[Point]:
    cuts = [i for i, p in enumerate(ring) if p in joints]
    if not cuts:
        return arcs.closed(ring)
    ring = ring[cuts[0]:] + ring[: cuts[0]]
    cuts = [i - cuts[0] for i in cuts] + [len(ring)]
    ring = ring + [ring[0]]
    out: list[Point] = []
    for a, b in zip(cuts, cuts[1:]):
        out += arcs.open(ring[a: b + 1])[:-1]
    return out


def _area(ring: list[Point]) -> float:
    """The ring's signed area (negative: clockwise with north up)."""
    return sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1])) / 2


def _wound(ring: list[Point], outer: bool) -> list[Point]:
    """The winding d3-geo (Vega's geoshape) reads on the sphere: an outer ring clockwise, a hole anticlockwise — the
    other way round it would take the ring for everything outside it."""
    return ring if (_area(ring) < 0) == outer else ring[::-1]


def _closed(ring: list[Point], digits: int) -> list[list[float]]:
    return [[round(x, digits), round(y, digits)] for x, y in ring + ring[:1]]


def simplify(geometries: Mapping[str, Mapping], tolerance: float | None = None, digits: int = DIGITS
             ) -> dict[str, dict]:
    """Every county of a city simplified together (key → GeoJSON geometry in, key → MultiPolygon out), shared borders
    alike in both neighbours; `tolerance` in degrees, by default the city's longer side ÷ RESOLUTION. A ring that
    shrinks below three vertices (an islet under the tolerance) is left out, except a county's largest ring, which
    is then kept as it was."""
    parsed = {k: _rings(g) for k, g in geometries.items()}
    if tolerance is None:
        pts = [p for polys in parsed.values() for poly in polys for r in poly for p in r]
        xs, ys = [p[0] for p in pts], [p[1] for p in pts]
        tolerance = max(max(xs) - min(xs), max(ys) - min(ys), 1e-9) / RESOLUTION
    joints = _junctions([r for polys in parsed.values() for poly in polys for r in poly])
    arcs = _Arcs(tolerance)
    out = {}
    for key, polys in parsed.items():
        largest = max(((i, abs(_area(p[0]))) for i, p in enumerate(polys) if p), key=lambda x: x[1], default=(0, 0))[0]
        new_polys = []
        for i, poly in enumerate(polys):
            rings = []
            for j, ring in enumerate(poly):
                small = _simplify_ring(ring, joints, arcs) if len(ring) >= 3 else []
                if len(set(small)) < 3:
                    if j == 0 and i != largest:
                        break  # an islet gone: its holes with it
                    small = ring if j == 0 else None
                if small is not None:
                    rings.append(small)
            if rings:
                new_polys.append(rings)
        coords = [[_closed(_wound(r, outer=j == 0), digits) for j, r in enumerate(rings)] for rings in new_polys]
        out[key] = {"type": "MultiPolygon", "coordinates": coords}
    return out


def _inside(p: Point, ring: list[Point]) -> bool:
    x, y, inside = p[0], p[1], False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1]):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def label_point(geometry: Mapping, grid: int = 16) -> Point:
    """A point well inside the county's largest polygon, for its name: the polygon's centroid when that lies inside
    and clear of its holes, else the point of a grid over it farthest from its edges (a crescent's centroid is not
    in it)."""
    polys = [[r + r[:1] for r in poly] for poly in _rings(geometry) if poly and len(poly[0]) >= 3]
    poly = max(polys, key=lambda p: abs(_area(p[0][:-1])))
    outer, holes = poly[0][:-1], [h[:-1] for h in poly[1:]]
    a = _area(outer)
    cx = sum((x1 + x2) * (x1 * y2 - x2 * y1) for (x1, y1), (x2, y2) in zip(outer, outer[1:] + outer[:1])) / (6 * a)
    cy = sum((y1 + y2) * (x1 * y2 - x2 * y1) for (x1, y1), (x2, y2) in zip(outer, outer[1:] + outer[:1])) / (6 * a)

    def clear(p: Point) -> float:
        if not _inside(p, outer) or any(_inside(p, h) for h in holes):
            return -1.0
        return min(_perp(p, a, b) for ring in (outer, *holes) for a, b in zip(ring, ring[1:] + ring[:1]))

    xs, ys = [p[0] for p in outer], [p[1] for p in outer]
    span = max(max(xs) - min(xs), max(ys) - min(ys))
    if clear((cx, cy)) > span / 8:
        return cx, cy
    cells = [(min(xs) + (max(xs) - min(xs)) * (i + 0.5) / grid, min(ys) + (max(ys) - min(ys)) * (j + 0.5) / grid)
             for i in range(grid) for j in range(grid)]
    cells = [p for p in cells if _inside(p, outer)] + [(cx, cy)]  # the cheap test first: edges only for these
    best = max(cells, key=clear)
    return best if clear(best) >= 0 else outer[0]
