"""一张图: the city's county map — each county coloured by how it stands on the chosen indicator, its name and value
on it, a click narrowing the view to it; units without a boundary listed beside it. The screen: ui/screen/geomap.py."""
from __future__ import annotations

from ui import geomap
from ui.page import serve
from ui.state import Selection

HEIGHT = 620  # the map alone on its page: taller than on 总览


def render(sel: Selection) -> None:
    """The map with its indicator chooser and the units beside it."""
    geomap.desk(sel, height=HEIGHT)


if __name__ == "__main__":
    serve(render)
