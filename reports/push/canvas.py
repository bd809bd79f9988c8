"""Pixel layout for the brief: rectangles and text placed by position, drawn as one layered Vega-Lite chart."""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

import altair as alt

WIDTH = 1080   # the picture's width: a phone screen's pixels (shown at ~390 CSS px, so type is set large)
MARGIN = 48    # left and right margin of every section
INNER = WIDTH - 2 * MARGIN
FONT = "Noto Sans CJK SC"  # installed with fonts-noto-cjk (tests/run.sh); render.py refuses to draw without it
INK, MUTED, LINE, PANEL = "#1d2733", "#5f6b7a", "#dfe3ea", "#f4f6fa"
GOOD, BAD, NEUTRAL, WARN = "#1a7f37", "#c62828", "#5f6b7a", "#b26a00"  # as ui/charts.py: green meets, red misses
HEAD = "#1f3b73"  # the title band


def text_width(text: str, size: float) -> float:
    """How wide a line of text is drawn, in px: CJK and full-width characters one em, others about half."""
    return sum(size if unicodedata.east_asian_width(ch) in "WF" else 0.56 * size for ch in text)


NO_LINE_START = set("，。、；：？！）》」』”’,.;:?!)%")  # punctuation a line may not begin with (it stays behind)


def wrap(text: str, size: float, width: float) -> list[str]:
    """Text broken into lines no wider than `width` (between any two characters, as Chinese is set; an ASCII word
    is kept whole where it fits on a line)."""
    lines, line, w = [], "", 0.0
    tokens = []
    for ch in text:  # ASCII runs stay together so a figure like 1,234.5 is not split
        if tokens and ch.isascii() and not ch.isspace() and tokens[-1][-1:].isascii() and not tokens[-1][-1:].isspace():
            tokens[-1] += ch
        else:
            tokens.append(ch)
    for tok in tokens:
        tw = text_width(tok, size)
        if line and w + tw > width and tok not in NO_LINE_START:
            lines.append(line.rstrip())
            line, w = tok.lstrip(), text_width(tok.lstrip(), size)
        else:
            line, w = line + tok, w + tw
    if line.strip():
        lines.append(line.rstrip())
    if len(lines) > 1 and len(lines[-1]) == 1 and len(lines[-2]) > 2:  # no lone character on the last line
        lines[-2], lines[-1] = lines[-2][:-1], lines[-2][-1] + lines[-1]
    return lines


def fit_size(text: str, width: float, sizes: tuple[int, ...]) -> int:
    """The largest of `sizes` (largest first) at which the text fits on one line of `width` px (else the smallest)."""
    return next((s for s in sizes if text_width(text, s) <= width), sizes[-1])


@dataclass
class Canvas:
    """A section laid out in pixels (y from the top); grows as things are drawn below."""

    width: int = WIDTH
    height: float = 0
    _layers: dict[tuple, list[dict]] = field(default_factory=dict)

    def _add(self, mark: tuple, row: dict, bottom: float) -> None:
        self._layers.setdefault(mark, []).append(row)
        self.height = max(self.height, bottom)

    def rect(self, x: float, y: float, w: float, h: float, fill: str, *, radius: int = 0,
             stroke: str | None = None) -> None:
        self._add(("rect", radius, stroke), {"x": x, "y": y, "x2": x + w, "y2": y + h, "fill": fill}, y + h)

    def text(self, x: float, y: float, text: str, *, size: int = 30, color: str = INK, bold: bool = False,
             align: str = "left", limit: float = 0) -> None:
        """One line of text, its middle at y; `limit` px cuts it with “…” (a safety net: callers wrap first)."""
        self._add(("text", bold, align, limit), {"x": x, "y": y, "text": text, "size": size, "color": color},
                  y + 0.65 * size)

    def lines(self, x: float, y: float, text: str, *, size: int = 30, width: float = INNER, leading: float = 1.45,
              **kw) -> float:
        """Text wrapped to `width`, first line's middle at y; returns the y below the last line."""
        for line in wrap(text, size, width):
            self.text(x, y, line, size=size, **kw)
            y += size * leading
        return y

    def pad(self, bottom: float) -> None:
        """Leave room down to `bottom`."""
        self.height = max(self.height, bottom)

    def chart(self) -> alt.LayerChart:
        """The drawing as Vega-Lite: one layer per kind of mark, positions in pixels (scale none)."""
        x, y = alt.X("x:Q", scale=None, axis=None), alt.Y("y:Q", scale=None, axis=None)
        layers = []
        # Rectangles first, text over them, whatever order they were drawn in.
        for mark, rows in sorted(self._layers.items(), key=lambda kv: kv[0][0] != "rect"):
            data = alt.Data(values=rows)
            if mark[0] == "rect":
                _, radius, stroke = mark
                layers.append(alt.Chart(data).mark_rect(cornerRadius=radius, stroke=stroke or alt.Undefined).encode(
                    x, alt.X2("x2:Q"), y, alt.Y2("y2:Q"), alt.Color("fill:N", scale=None)))
            else:
                _, bold, align, limit = mark
                layers.append(alt.Chart(data).mark_text(
                    align=align, baseline="middle", fontWeight="bold" if bold else "normal", limit=limit,
                    font=FONT).encode(x, y, alt.Text("text:N"), alt.Size("size:Q", scale=None),
                                      alt.Color("color:N", scale=None)))
        if not layers:  # an empty band still takes its height
            layers.append(alt.Chart(alt.Data(values=[{}])).mark_point(opacity=0))
        return alt.layer(*layers).properties(width=self.width, height=round(self.height))
