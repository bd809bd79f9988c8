"""The screen's playlist (pure, no Streamlit): which pages and counties it shows, in what order, and the URL form.

    ?mode=screen&playlist=总览,项目推进,县区比拼&interval=30&counties=东城区,石门县&pin=石门县&paused=1&step=2

Pages are named by their navigation titles (中文 or English) or url paths (overview, /ranking, the old /compare). Step N shows
page N // len(counties), county N % len(counties) (a pinned county stops the county rotation); `next=1` and
`prev=1` advance once.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from ui.i18n import LABELS
from ui.state import split_names

MODE = "screen"
DEFAULT_INTERVAL, MIN_INTERVAL, MAX_INTERVAL = 30, 5, 3600
SCREEN_KEYS = ("mode", "playlist", "counties", "interval", "paused", "step", "pin", "next", "prev")
TRUE = ("1", "true", "yes", "on")


def page_url(path: str) -> str:
    """'pages/ranking.py' → 'ranking' (the url path app.py gives the page)."""
    return path.split("/")[-1].removesuffix(".py")


def resolve_page(name: str, pages: Sequence) -> str | None:
    """A page's path from its navigation title (中文/English), a url path of it ('ranking', '/compare': old addresses
    too) or its file name; `pages`: the pages' table (pages/__init__.py)."""
    n = name.strip().strip("/").lower()
    if not n:
        return None
    for page in pages:
        zh, en = LABELS.get(page.title, (page.title, page.title))
        files = (page.path, *page.old)
        names = {*(page_url(f) for f in files), *files, *(f.split("/")[-1] for f in files), zh, en}
        if n in {x.lower() for x in names}:
            return page.path
    return None


def _int(value, default: int) -> int:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return default


@dataclass(frozen=True)
class Playlist:
    """What the screen shows and how it rotates; parsed from and written back to the URL."""

    pages: tuple[str, ...] = ()  # page paths, in order
    counties: tuple[str, ...] = ()  # county rotation within each page
    interval: int = DEFAULT_INTERVAL  # seconds per step
    paused: bool = False
    step: int = 0
    pin: str | None = None  # one county held on every page (stops the county rotation)
    unknown: tuple[str, ...] = ()  # playlist names / counties that matched nothing (shown, not fatal)
    raw_pages: str = ""  # the playlist as the presenter wrote it (kept in the URL)

    @property
    def county_cycle(self) -> tuple[str | None, ...]:
        return (self.pin,) if self.pin else (self.counties or (None,))

    @property
    def length(self) -> int:
        return max(1, len(self.pages)) * len(self.county_cycle)

    @property
    def rotating(self) -> bool:
        return self.length > 1 and not self.paused

    def at(self, step: int | None = None) -> tuple[str | None, str | None]:
        """(page path or None = stay on the current page, county or None = all) shown at a step."""
        s = (self.step if step is None else step) % self.length
        cycle = self.county_cycle
        page = self.pages[(s // len(cycle)) % len(self.pages)] if self.pages else None
        return page, cycle[s % len(cycle)]

    def advanced(self, by: int = 1) -> Playlist:
        return replace(self, step=(self.step + by) % self.length)

    def toggled(self) -> Playlist:
        return replace(self, paused=not self.paused)

    def params(self) -> dict[str, str]:
        """The screen parameters to keep in the URL."""
        out = {"mode": MODE}
        if self.raw_pages:
            out["playlist"] = self.raw_pages
        if self.counties:
            out["counties"] = ",".join(self.counties)
        if self.interval != DEFAULT_INTERVAL:
            out["interval"] = str(self.interval)
        if self.pin:
            out["pin"] = self.pin
        if self.paused:
            out["paused"] = "1"
        if self.length > 1:
            out["step"] = str(self.step)
        return out


def parse_playlist(params: Mapping[str, str], pages: Sequence, counties: Sequence[str] | None = None
                   ) -> Playlist:
    """Read the screen parameters (last value of each key). Unknown names are reported, never fatal."""
    unknown = []
    paths = []
    raw = (params.get("playlist") or "").strip()
    for name in split_names(raw):
        path = resolve_page(name, pages)
        if path is None:
            unknown.append(name)
        elif not paths or paths[-1] != path:
            paths.append(path)
    known = set(counties) if counties is not None else None
    cs = []
    for c in split_names(params.get("counties")):
        if known is not None and c not in known:
            unknown.append(c)
        elif c not in cs:
            cs.append(c)
    pin = (params.get("pin") or "").strip() or None
    if pin and known is not None and pin not in known:
        unknown.append(pin)
        pin = None
    interval = min(MAX_INTERVAL, max(MIN_INTERVAL, _int(params.get("interval"), DEFAULT_INTERVAL)))
    pl_ = Playlist(tuple(paths), tuple(cs), interval, str(params.get("paused", "")).lower() in TRUE, 0, pin,
                   tuple(unknown), raw)
    step = max(0, _int(params.get("step"), 0)) % pl_.length
    pl_ = replace(pl_, step=step)
    if str(params.get("next", "")).lower() in TRUE:
        pl_ = pl_.advanced(1)
    if str(params.get("prev", "")).lower() in TRUE:
        pl_ = pl_.advanced(-1)
    return pl_


def apply_command(pl_: Playlist, cmd: str | None) -> Playlist:
    """A key press from the screen: pause (toggle), next, prev."""
    if cmd == "pause":
        return pl_.toggled()
    if cmd == "next":
        return pl_.advanced(1)
    if cmd == "prev":
        return pl_.advanced(-1)
    return pl_
