"""Where the map writes each county's name and value: on the county when the lines fit among the others, else near it
or, failing that, in a column beside the map (west or east, the county's side), with a leader line to it — so no two
labels overlap (a city's small urban districts cluster where their names cannot all fit). A long name is broken into
lines (on a tile map: to fit its square). Pure: the areas' label points and sizes in, positions in lon/lat out."""
from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

PAD = 4  # px between two labels
LEADER = 28  # px of leader line between the map's edge and a column of labels beside it
LEADER_GAP = 4  # px between a leader line's end and its label's box (a map drawn a little smaller keeps it clear)
COLUMN_TRIES = 41  # places tried for a label in a column beside the map: level, then half a label lower, higher …
LINE = 1.3  # line height, in font sizes: a tenth of each size clear above and below (the screen fit test's leading)
TILE_FILL = 0.9  # of a tile's width a line of its name may take
LONG_NAME = 6  # on a real map, a name longer than this many characters is broken into lines (长阳土家族自治县)
# Places tried in turn around a county's label point, in label widths and heights: on it (nudged a little), then
# ever farther out in eight directions with a leader line back; failing all, the column beside the map.
NUDGES = ((0, 0), (0, -0.5), (0, 0.5), (-0.35, 0), (0.35, 0))
AROUND = tuple((fx * r, fy * r) for r in (1.0, 1.7, 2.4)
               for fx, fy in ((0, -1), (0, 1), (1, 0), (-1, 0), (0.8, -1), (-0.8, -1), (0.8, 1), (-0.8, 1)))
# A line of a name breaks best after a unit's own word (…区 | 管理委员会) or before a common one (北岭湖 | 生态…).
BREAK_AFTER = tuple("区县市旗族镇乡园湖")
BREAK_BEFORE = ("管理", "自治", "开发", "经济", "生态", "文化", "旅游", "示范", "高新", "产业", "技术", "新区")


def text_width(text: str, size: float) -> float:
    """The width a text takes at `size` px: a CJK character a full em, a digit or Latin letter about 0.6 em."""
    return sum(size if unicodedata.east_asian_width(ch) in "WF" else 0.6 * size for ch in text)


def wrap(name: str, width: float, size: float) -> list[str]:
    """`name` in lines of at most `width` px at `size` px (a line of one character at least), broken where it reads
    best: after a unit's own word or before a common one, else as late as the line allows."""
    if text_width(name, size) <= width or len(name) < 2:
        return [name]
    fits = [k for k in range(1, len(name)) if text_width(name[:k], size) <= width] or [1]
    most = fits[-1]
    good = [k for k in fits if k >= most / 2 and (name[k - 1] in BREAK_AFTER or name[k:].startswith(BREAK_BEFORE))]
    k = good[-1] if good else most
    return [name[:k], *wrap(name[k:], width, size)]


def _merc(lon: float, lat: float) -> tuple[float, float]:
    """Vega's mercator up to scale (x east, y down, in radians), so sizes on screen follow this space."""
    lat = max(min(lat, 85.0), -85.0)
    return math.radians(lon), -math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def _unmerc(x: float, y: float) -> tuple[float, float]:
    return math.degrees(x), math.degrees(2 * math.atan(math.exp(-y)) - math.pi / 2)


@dataclass(frozen=True)
class Label:
    """One county's label: its name in lines ('\\n'), its centre (lon, lat), the offsets in px of the name's first
    line and of the value from that centre, its anchor on the county, whether a leader line joins them (the label
    stands off the county), the line's end at the label, and the box's corners the map's fit must hold."""

    name: str
    x: float
    y: float
    name_dy: float
    value_dy: float
    anchor: tuple[float, float]
    leader: bool
    leader_end: tuple[float, float]
    corners: tuple[tuple[float, float], tuple[float, float]]


@dataclass(frozen=True)
class Area:
    """What placing needs of a county: its key, its name and value, its label point, and its outline's points."""

    key: str
    name: str
    value: str
    point: tuple[float, float]
    outline: Sequence[tuple[float, float]]  # enough of its vertices for its extent and size


def _bbox(pts):
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    return min(xs), min(ys), max(xs), max(ys)


def _overlaps(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _grown(box, by: float):
    return box[0] - by, box[1] - by, box[2] + by, box[3] + by


def _crosses(p, q, box) -> bool:
    """Whether the segment p–q (a point when p is q) passes through the inside of `box` (Liang–Barsky clipping)."""
    t0, t1 = 0.0, 1.0
    dx, dy = q[0] - p[0], q[1] - p[1]
    for pk, qk in ((-dx, p[0] - box[0]), (dx, box[2] - p[0]), (-dy, p[1] - box[1]), (dy, box[3] - p[1])):
        if pk == 0:
            if qk <= 0:
                return False
        elif pk < 0:
            t0 = max(t0, qk / pk)
        else:
            t1 = min(t1, qk / pk)
    return t0 < t1


def _clamp(p, box):
    """The point of `box` nearest to p (where a leader line meets the label)."""
    return min(max(p[0], box[0]), box[2]), min(max(p[1], box[1]), box[3])


@dataclass(frozen=True)
class _Sizes:
    name: int
    value: int
    tiles: bool

    def lines(self, name: str, s: float) -> list[str]:
        """The name's lines at scale s: fitted to a tile's width, or a long name halved on a real map."""
        if self.tiles:
            from data.geo.tiles import GAP

            return wrap(name, TILE_FILL * (1 - GAP) * s, self.name)
        if len(name) > LONG_NAME:
            return wrap(name, text_width(name[: math.ceil(len(name) / 2)], self.name), self.name)
        return [name]

    def box(self, lines: list[str], value: str) -> tuple[float, float]:
        """A label's width and height in px."""
        width = max([text_width(x, self.name) for x in lines] + [text_width(value, self.value)])
        return width + PAD, (len(lines) * self.name + self.value) * LINE + PAD


def _place(areas, proj, s, sizes: _Sizes):
    """One placing at scale s (px per projected unit): {key: (lines, centre, anchor, leader, box)}, projected units."""
    mapbox = _bbox([proj(*p) for a in areas for p in a.outline])
    placed, boxes, beside, leaders = {}, [], [], []
    size = {}
    for a in areas:
        b = _bbox([proj(*p) for p in a.outline])
        size[a.key] = (b[2] - b[0]) * (b[3] - b[1])
    points = {a.key: proj(*a.point) for a in areas}
    for a in sorted(areas, key=lambda a: -size[a.key]):  # the large counties keep their labels on them first
        lines = sizes.lines(a.name, s)
        w, h = (v / s for v in sizes.box(lines, a.value))
        ax, ay = proj(*a.point)
        for nx, ny in NUDGES + AROUND:
            cx, cy = ax + nx * w, ay + ny * h
            box = (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
            leader = (nx, ny) not in NUDGES
            line = ((ax, ay), _clamp((ax, ay), _grown(box, LEADER_GAP / s))) if leader else None
            # no label over another or over another county's label point (where its own label or leader starts), no
            # leader line through another's label, no label over another's leader line
            if not any(_overlaps(box, b) for b in boxes) and not any(_crosses(*ln, box) for ln in leaders) and \
                    not any(_crosses(pt, pt, box) for k, pt in points.items() if k != a.key) and \
                    not (line and any(_crosses(*line, b) for b in boxes)):
                boxes.append(box)
                if line:
                    leaders.append(line)
                placed[a.key] = (lines, (cx, cy), (ax, ay), leader, box)
                break
        else:
            beside.append((a, lines, w, h, (ax, ay)))
    mid = (mapbox[0] + mapbox[2]) / 2
    for side in (-1, 1):  # a column on the west for the western counties, on the east for the eastern
        column = sorted((t for t in beside if (t[4][0] < mid) == (side < 0)), key=lambda t: t[4][1])
        edge = (min if side < 0 else max)([mapbox[0 if side < 0 else 2]] + [b[0 if side < 0 else 2] for b in boxes])
        bottom = -math.inf
        for a, lines, w, h, (ax, ay) in column:
            x0 = edge + LEADER / s if side > 0 else edge - LEADER / s - w
            # the label's place in the column: level with its county, else a little lower or higher, where it meets no
            # other label and its leader line (which runs across the map to the column) crosses none; failing that,
            # the first free place below the column's last label
            tries = [ay + k * h / 2 for n in range(COLUMN_TRIES) for k in ((n + 1) // 2 * (1 if n % 2 else -1),)]
            for cy in [*tries, max(ay, bottom + h / 2)]:
                box = (x0, cy - h / 2, x0 + w, cy + h / 2)
                line = ((ax, ay), _clamp((ax, ay), _grown(box, LEADER_GAP / s)))
                if not any(_overlaps(box, b) for b in boxes) and not any(_crosses(*line, b) for b in boxes) \
                        and not any(_crosses(*ln, box) for ln in leaders):
                    break
            else:
                cy = max(ay, bottom + h / 2)
                box = (x0, cy - h / 2, x0 + w, cy + h / 2)
            bottom = max(bottom, cy + h / 2)
            boxes.append(box)
            leaders.append(((ax, ay), _clamp((ax, ay), _grown(box, LEADER_GAP / s))))
            placed[a.key] = (lines, (x0 + w / 2, cy), (ax, ay), True, box)
    return placed, mapbox


def place_labels(areas: Sequence[Area], *, tiles: bool, height: int, width: int | None = None,
                 name_size: int = 13, value_size: int = 12) -> dict[str, Label]:
    """Each area's label for a map `height` px high (and at most `width` wide, when known): the scale the map will
    be fitted at is found with the labels beside it counted in, since Vega fits the map and every label to the frame."""
    proj = (lambda x, y: (x, y)) if tiles else _merc
    back = (lambda x, y: (x, y)) if tiles else _unmerc
    if not areas:
        return {}
    sizes = _Sizes(name_size, value_size, tiles)
    mapbox = _bbox([proj(*p) for a in areas for p in a.outline])

    def fit(box) -> float:
        w, h = max(box[2] - box[0], 1e-9), max(box[3] - box[1], 1e-9)
        return height / h if width is None else min(height / h, width / w)

    s = fit(mapbox)
    for _ in range(4):  # the labels beside widen the extent, which shrinks the scale, which may move more beside
        placed, mapbox = _place(areas, proj, s, sizes)
        extent = _bbox([*((mapbox[0], mapbox[1]), (mapbox[2], mapbox[3])),
                        *(c for *_, b in placed.values() for c in ((b[0], b[1]), (b[2], b[3])))])
        new = fit(extent)
        if abs(new - s) <= 0.01 * s:
            break
        s = new
    out = {}
    for key, (lines, (cx, cy), (ax, ay), leader, box) in placed.items():
        # Vega sets a text's first line on its y (baseline middle) and the next ones below it.
        name_block, value_line = len(lines) * name_size * LINE, value_size * LINE
        out[key] = Label("\n".join(lines), *back(cx, cy), -(name_block + value_line) / 2 + name_size * LINE / 2,
                         name_block / 2, back(ax, ay), leader, back(*_clamp((ax, ay), _grown(box, LEADER_GAP / s))),
                         (back(box[0], box[1]), back(box[2], box[3])))
    return out
