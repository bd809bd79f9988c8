"""File-level facts read from the lines above the header and the group headings inside the table (DOMAIN.md Part 3):
the report's month and the list's level from the title, the reporting unit from a 填报单位/报送单位/报送部门 line, the
category of the rows under a group heading. Pure functions over the texts."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from data.ingest.cells import blank, nfkc
from data.ingest.values import strip_suffix
from data.schema import CATEGORIES, synonym_index

# A labelled field of the unit line that is not the title: '填报日期：2024年7月5日' must not give the month.
_FIELD_RE = re.compile(r"(?:填报|报送|填表|制表|统计|打印)?(?:日期|时间)\s*:\s*\S+")
_RANGE_RE = re.compile(r"(\d{4})\s*年度?\s*1\s*(?:-|~|—|–|―|至|到)\s*(\d{1,2})\s*月")
_YEAR_MONTH_RE = re.compile(r"(\d{4})\s*年\s*(?:度\s*)?(\d{1,2})\s*月")
_YEAR_RE = re.compile(r"(\d{4})\s*年")
_APART_MONTH_RE = re.compile(r"(?<![\d\-~—–―至到])(\d{1,2})\s*月")
_APART_RANGE_RE = re.compile(r"1\s*(?:-|~|—|–|―|至|到)\s*(\d{1,2})\s*月")
# Levels in a title: 省重点 → 省级 … A 县/区 right after a place name (石门县重点项目) names the place, not the level,
# so it counts only at the start or after 年/度/全/本 or a non-Chinese character; 省 and 市 count anywhere.
_LEVEL_RE = re.compile(r"([省市县区]+)级?重点")
_LEVEL_OF = {"省": "省级", "市": "市级", "县": "县级", "区": "县级"}
_UNIT_LINE_RE = re.compile(r"(?:填报单位|报送单位|报送部门|填报部门)\s*:\s*(.+?)(?=\s{2,}|\s(?:单位|填报|报送|日期|联系|填表)|$)")
# An office after a county's name on a unit line: 石门县发展和改革局 → 石门县 (when the store does not know the name).
_OFFICE_RE = re.compile(r"^(.{2,12}?[县区市旗])(?:发展和改革|发展改革|发改|人民政府|政府|重点项目|重大项目|重点|项目|统计)"
                        r"[\u4e00-\u9fff]{0,8}$")
_NUMBERING_RE = re.compile(r"^\s*(?:[一二三四五六七八九十百]+\s*(?:[、.．]|\s+|$)|[(（]\s*[一二三四五六七八九十百\d]+\s*[)）]\s*"
                           r"|\d+\s*[、.．]\s*|第[一二三四五六七八九十百\d]+(?:类|部分|批)\s*[:：、]?)")
_COUNT_RE = re.compile(r"[(（]?\s*(?:共|计)?\s*\d+\s*(?:个|项)\s*(?:项目)?\s*[)）]?$")
_TOP_RE = re.compile(r"^\s*[一二三四五六七八九十百]+\s*(?:[、.．]|\s|$)")


@dataclass(frozen=True)
class Facts:
    """What the lines above the header say: the month (and the text it came from), the level, the unit as written."""

    month: dt.date | None = None
    month_text: str = ""
    year: int | None = None  # the title's year, even when it states no month
    level: str | None = None
    level_text: str = ""
    unit_text: str | None = None
    unit_line: str = ""


def _lines(above: list[list]) -> list[str]:
    return [nfkc(v) for row in above for v in row if isinstance(v, str) and not blank(v)]


def _month_of(text: str) -> dt.date | None:
    """The month a title states: '2025年1-6月…' → 6, '2025年6月…', '截至2025年6月底…', '2021年…9月进度' (apart)."""
    s = _FIELD_RE.sub(" ", text)
    for rx in (_RANGE_RE, _YEAR_MONTH_RE):
        m = rx.search(s)
        if m and 1 <= int(m.group(2)) <= 12:
            return dt.date(int(m.group(1)), int(m.group(2)), 1)
    y = _YEAR_RE.search(s)
    if not y:
        return None
    rest = s[y.end():]
    m = _APART_RANGE_RE.search(rest) or _APART_MONTH_RE.search(rest)
    if m and 1 <= int(m.group(1)) <= 12:
        return dt.date(int(y.group(1)), int(m.group(1)), 1)
    return None


def _level_of(text: str) -> str | None:
    levels = set()
    for m in _LEVEL_RE.finditer(text):
        chars = m.group(1)
        before = text[m.start() - 1] if m.start() else ""
        if chars[0] in "县区" and before and "\u4e00" <= before <= "\u9fff" and before not in "年度全本":
            chars = chars[1:]  # 石门县重点项目: the 县 is the place's
        levels |= {_LEVEL_OF[c] for c in chars}
    return levels.pop() if len(levels) == 1 else None


def read_facts(above: list[list]) -> Facts:
    """The facts the lines above the header state (the first line stating each wins)."""
    month = level = unit = year = None
    month_text = level_text = unit_line = ""
    for text in _lines(above):
        u = _UNIT_LINE_RE.search(text)
        if u and unit is None:
            unit, unit_line = u.group(1).strip(), text
        title = _UNIT_LINE_RE.sub(" ", text)
        y = _YEAR_RE.search(_FIELD_RE.sub(" ", title))
        if year is None and y:
            year = int(y.group(1))
        if month is None:
            month = _month_of(title)
            month_text = text if month else ""
        if level is None and "重点" in title:
            level = _level_of(title)
            level_text = text if level else ""
    return Facts(month, month_text, month.year if month else year, level, level_text, unit, unit_line)


def resolve_unit(text: str, known: dict[str, str]) -> str:
    """The unit a 填报单位 line names: the longest known unit its text begins with (石门县发展和改革局 → 石门县), else
    the county's name before an office's (when the store does not know it), else the text as written."""
    s = nfkc(text).strip()
    hits = [u for u in known if s.startswith(u)]
    if hits:
        return max(hits, key=len)
    m = _OFFICE_RE.match(s)
    return m.group(1) if m else s


def heading_category(text: str) -> tuple[str | None, bool]:
    """The category a group heading row names (一、产业项目 / 产业类 → 产业) and whether it is a top-level heading
    (一、…): a top-level heading naming no category ends the one above it."""
    s = nfkc(text)
    top = bool(_TOP_RE.match(s))
    body = _NUMBERING_RE.sub("", s, count=1).strip()
    body = re.sub(r"(?:小计|合计)$", "", _COUNT_RE.sub("", body).strip()).strip(" :：")
    canon = synonym_index("category")
    for candidate in (body, strip_suffix(body)):
        if candidate in CATEGORIES:
            return candidate, top
        if candidate in canon:
            return canon[candidate], top
    return None, top
