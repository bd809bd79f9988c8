"""Matching reporting units to county boundaries by name: exactly, then without the administrative suffix, never by a
guess that could pick the wrong county (pure: names in, matches out)."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol


class Boundary(Protocol):
    """What matching needs of a boundary (data.geo.boundaries.Boundary is one): its official name and adcode."""

    name: str
    adcode: str

# The 56 peoples as autonomous counties write them, plus 各族 (龙胜各族自治县). A one-character name is stripped only
# with 族 after it (土族, not the 土 of a place name); a longer one also without (巴里坤哈萨克自治县).
ETHNIC = ("蒙古", "回", "藏", "维吾尔", "苗", "彝", "壮", "布依", "朝鲜", "满", "侗", "瑶", "白", "土家", "哈尼", "哈萨克",
          "傣", "黎", "傈僳", "佤", "畲", "高山", "拉祜", "水", "东乡", "纳西", "景颇", "柯尔克孜", "土", "达斡尔", "仫佬",
          "羌", "布朗", "撒拉", "毛南", "仡佬", "锡伯", "阿昌", "普米", "塔吉克", "怒", "乌孜别克", "俄罗斯", "鄂温克",
          "德昂", "保安", "裕固", "京", "塔塔尔", "独龙", "鄂伦春", "赫哲", "门巴", "珞巴", "基诺", "各")
_ETHNIC_FORMS = sorted({e + "族" for e in ETHNIC} | {e for e in ETHNIC if len(e) > 1}, key=len, reverse=True)
# County-level suffixes, longest first: 自治县 before 县, 新区/特区/林区 before 区.
SUFFIXES = ("自治县", "自治旗", "新区", "特区", "林区", "县", "区", "市", "旗")
MIN_STEM = 2  # a one-character stem (洋县, 勉县, 岚县) matches only by its exact name

EXACT, STEM, CITY_PREFIX, HAND, NO_BOUNDARY = "同名", "去后缀", "去市名", "手工", "无边界"
RANK = {EXACT: 0, STEM: 1, CITY_PREFIX: 2}


def norm(text: object) -> str:
    """A name as compared: NFKC (full-width letters and digits folded), no blanks of any kind."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text or "")))


def strip_ethnic(text: str) -> str:
    """'长阳土家族' → '长阳', '积石山保安族东乡族撒拉族' → '积石山'; a place named after its people keeps that name
    ('东乡族' → '东乡', '鄂伦春' → '鄂伦春')."""
    while True:
        form = next((f for f in _ETHNIC_FORMS if text.endswith(f)), None)
        if form is None:
            return text
        rest = text[: -len(form)]
        if len(rest) < MIN_STEM:
            return text.removesuffix("族") if rest == "" else text
        text = rest


def stem(name: str) -> str:
    """A county name without its administrative suffix: 长阳土家族自治县 → 长阳, 伍家岗区 → 伍家岗, 宜都市 → 宜都,
    浦东新区 → 浦东, 长阳县 → 长阳; a name without a suffix is its own stem."""
    text = norm(name)
    for suffix in SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix):
            text = text[: -len(suffix)]
            return strip_ethnic(text) if suffix.startswith("自治") else text
    return text


@dataclass(frozen=True)
class Match:
    """One unit's place on the map: its boundary (None when it has none) and how it was found, or why not."""

    unit: str
    boundary: Boundary | None
    how: str  # 同名 | 去后缀 | 去市名 | 手工 | 无边界 | '' (unmatched)
    reason: str = ""  # why an unmatched unit has no boundary, in Chinese

    @property
    def adcode(self) -> str | None:
        return self.boundary.adcode if self.boundary else None


def candidates(name: str, boundaries: Sequence[Boundary]) -> tuple[str, list[Boundary]]:
    """The boundaries `name` names, and how: its exact name, else its stem (of two characters or more) equal to one
    boundary's stem. Several boundaries sharing a stem are returned together (the caller refuses to choose)."""
    exact = [b for b in boundaries if norm(b.name) == name]
    if exact:
        return EXACT, exact
    s = stem(name)
    if len(s) < MIN_STEM:
        return "", []
    return STEM, [b for b in boundaries if len(stem(b.name)) >= MIN_STEM and stem(b.name) == s]


def _prefixes(city_name: str) -> list[str]:
    """The ways a unit's name may start with its city: 宜昌市夷陵区, 宜昌夷陵区."""
    full = norm(city_name)
    short = full.removesuffix("市")
    return [p for p in dict.fromkeys((full, short)) if len(p) >= MIN_STEM]


def _auto(unit: str, boundaries: Sequence[Boundary], city_name: str) -> Match:
    """The boundary a unit's name alone gives, or an unmatched Match saying why."""
    name = norm(unit)
    how, found = candidates(name, boundaries)
    if not found:
        for prefix in _prefixes(city_name):
            rest = name[len(prefix):]
            if name.startswith(prefix) and len(rest) >= MIN_STEM:
                inner, found = candidates(rest, boundaries)
                if found:
                    how = CITY_PREFIX if inner == EXACT else STEM
                    break
    if len(found) == 1:
        return Match(unit, found[0], how)
    if found:
        return Match(unit, None, "", f"名称可对应多个区县（{'、'.join(b.name for b in found)}），请手工指定")
    return Match(unit, None, "", "没有同名或去掉后缀后同名的区县")


def match_units(units: Iterable[str], boundaries: Sequence[Boundary], city_name: str,
                hand: Mapping[str, str] | None = None, no_boundary: Iterable[str] = ()) -> list[Match]:
    """Each unit's boundary, in the units' order. An analyst's hand match (unit → adcode) and no-boundary mark come
    first; the rest match by name. A boundary goes to one unit only: a hand match keeps it, else the unit whose
    name says it most plainly (exact, then stem, then after the city's name); two units tied for it both stay
    unmatched, each told which other unit claims it."""
    hand = dict(hand or {})
    marked = set(no_boundary)
    by_code = {b.adcode: b for b in boundaries}
    out: dict[str, Match] = {}
    for unit in dict.fromkeys(units):
        if unit in marked:
            out[unit] = Match(unit, None, NO_BOUNDARY, "已标注为无边界（如开发区）")
        elif hand.get(unit) in by_code:
            out[unit] = Match(unit, by_code[hand[unit]], HAND)
        else:
            out[unit] = _auto(unit, boundaries, city_name)
    taken = {m.adcode: m.unit for m in out.values() if m.how == HAND}
    claims: dict[str, list[Match]] = {}
    for m in out.values():
        if m.how in RANK:
            claims.setdefault(m.adcode, []).append(m)
    for code, ms in claims.items():
        best = min(RANK[m.how] for m in ms)
        winners = [m for m in ms if RANK[m.how] == best] if code not in taken else []
        for m in ms:
            if len(winners) == 1 and m is winners[0]:
                continue
            others = [taken[code]] if code in taken else \
                [o.unit for o in ms if o is not m and RANK[o.how] <= RANK[m.how]]
            out[m.unit] = Match(m.unit, None, "", f"区县“{m.boundary.name}”已由“{'、'.join(others)}”对应（同一区县的两种"
                                                  "写法？请统一名称，或手工指定）")
    return list(out.values())
