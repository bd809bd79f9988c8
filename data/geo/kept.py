"""The city's geography kept with the store (geography.json): which city, the analyst's hand matches (unit → county)
and no-boundary marks — written under the store's lock through a temp file, audit-logged — and the listing of how the
store's units match (the CLI's city show, 数据管理)."""
from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field

import polars as pl

from data.files import atomic_write_bytes
from data.geo import boundaries
from data.geo.boundaries import Boundary, City
from data.geo.matching import candidates, match_units, norm
from data.store import Store, StoreError

FILE = "geography.json"
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
    store.append_audit(action, user=user, month="", **fields)


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
