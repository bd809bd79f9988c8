"""Header detection: find the header row (one or two levels) in a grid, each column's heading, group and unit factor.
Detection counts the headings the import's vocabulary reads — the contract's and the taught ones."""
from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from data.ingest.cells import blank, nfkc
from data.ingest.source import Refused
from data.ingest.vocabulary import BUILTIN, Vocabulary
from data.problems import Problem
from data.schema import UNIT_FACTORS, match_header, normalize_header

SCAN_ROWS = 30  # the header is looked for in the first rows only; titles and unit rows sit above it
MIN_HEADER_MATCHES = 3
UNIT_ROW_RE = re.compile(r"单位\s*:\s*(万元|亿元|元)")
GROUP_UNIT_RE = re.compile(r"\((万元|亿元|元)\)")


@dataclass
class Table:
    """Source-neutral view of a ledger: final header per column, unit factors from groups, raw data rows."""

    headers: list[object]
    group_factor: list[float | None]
    rows: list[tuple[int, list]]
    header_row: int | None
    labels: list[str]
    merges: list[tuple[int, int, int]] = field(default_factory=list)  # (first row, last row, column) of merged cells
    date1904: bool = False  # a workbook in Excel's 1904 date system: its serial numbers count from 1904-01-01
    groups: list[object] = field(default_factory=list)  # the group heading over each column (two-level), else None
    above: list[list] = field(default_factory=list)  # the lines above the header: title, 填报单位, 单位：万元 …
    vocab: Vocabulary = BUILTIN  # the headings this table was read with

    @property
    def where(self) -> str:
        """'第 3 行表头' for messages ('表头' when the source has no header row, as parquet)."""
        return f"第 {self.header_row} 行表头" if self.header_row else "表头"


@functools.lru_cache(maxsize=8192)
def match(text: str) -> tuple[str | None, float]:
    """The canonical column a header text names, and its unit factor (cached: headers repeat)."""
    return match_header(text)


def column_name(value: object, vocab: Vocabulary = BUILTIN, group: object = None) -> str | None:
    """What a cell's text names as a heading (a column or a derived amount), or None."""
    return vocab.name(value, group)


PROJECT_KEYS = {"project_id", "project_name"}


def score(row: list, vocab: Vocabulary = BUILTIN) -> int:
    """How many distinct columns a row names: the header is the row that names most. A row naming the project and
    one more column (a progress report: 项目编码, 本年累计完成投资) counts as naming MIN_HEADER_MATCHES."""
    names = {n for n in (vocab.name(v) for v in row) if n}
    if len(names) == MIN_HEADER_MATCHES - 1 and names & PROJECT_KEYS:
        return MIN_HEADER_MATCHES
    return len(names)


def _filled(rows: list[list], spans: dict, r: int, width: int) -> list:
    row = rows[r] if r < len(rows) else []
    out = []
    for j in range(width):
        v = row[j] if j < len(row) else None
        if (r, j) in spans:
            v = spans[(r, j)][0]
        out.append(v)
    return out


def _is_group_text(v: object, vocab: Vocabulary = BUILTIN, merged: bool = False) -> bool:
    """A group heading: text over several columns that names none itself (or, merged across them, even one that does:
    形象进度 over 7月进度 and 9月进度)."""
    if not isinstance(v, str) or not v.strip() or (vocab.name(v) and not merged):
        return False
    return ":" not in nfkc(v)  # '填报单位：…' and '单位：万元' describe the file, not columns


def _wide(spans: dict, t: int, j: int) -> bool:
    return (t, j) in spans and spans[(t, j)][1] > 1


def _groups(rows: list[list], spans: dict, t: int, width: int) -> list[object]:
    """The group header covering each column of row t: merged cell, or text carried right over empty cells."""
    top = _filled(rows, spans, t, width)
    out: list[object] = []
    carry: object = None
    for j, v in enumerate(top):
        merged = (t, j) in spans and spans[(t, j)][1] > 1
        if not blank(v):
            carry = v if not merged else None
            out.append(v)
        else:
            out.append(carry)
    return out


def _two_level(rows: list[list], spans: dict, t: int, width: int, vocab: Vocabulary = BUILTIN) -> int:
    """How many columns of row t+1 are sub-headers under a group header of row t (0 = not a two-level header)."""
    if t < 0 or t + 1 >= len(rows):
        return 0
    if sum(not blank(v) for v in rows[t]) < 2:
        return 0  # a title line: one text, maybe merged across the whole width
    groups = _groups(rows, spans, t, width)
    sub = _filled(rows, spans, t + 1, width)
    return sum(1 for j in range(width) if _is_group_text(groups[j], vocab, _wide(spans, t, j))
               and vocab.name(sub[j], groups[j]))


def _unit_factor(text: object) -> float | None:
    if not isinstance(text, str):
        return None
    m = GROUP_UNIT_RE.search(nfkc(text).replace("（", "(").replace("）", ")"))
    return UNIT_FACTORS[m.group(1)] if m else None


def _scores(rows: list[list], spans: dict, width: int, vocab: Vocabulary = BUILTIN) -> list[int]:
    return [score(_filled(rows, spans, r, width), vocab) for r in range(min(len(rows), SCAN_ROWS))]


def has_header(rows: list[list], spans: dict, vocab: Vocabulary = BUILTIN) -> bool:
    """True when the grid has a ledger header in its first SCAN_ROWS rows."""
    width = max((len(r) for r in rows[:SCAN_ROWS]), default=0)
    return max(_scores(rows, spans, width, vocab), default=0) >= MIN_HEADER_MATCHES


SEQ_HEADERS = {"序号", "序", "no", "no.", "编号序号"}  # numbering columns: never imported, never reported


def _texts(row: list) -> list[str]:
    """The heading-like texts of a row: short, not numbers."""
    out = []
    for v in row:
        if isinstance(v, str) and v.strip() and len(v.strip()) <= 40 and not re.fullmatch(r"[\d.,\s%-]+", v.strip()):
            out.append(v.strip())
    return out


def _numeric(row: list) -> bool:
    return any(isinstance(v, (int, float)) and not isinstance(v, bool) for v in row)


def candidate_headings(rows: list[list], spans: dict, width: int, vocab: Vocabulary = BUILTIN) -> list[str]:
    """The headings of the likeliest header row — the row of most texts and no numbers, with the group row above it or
    the sub-heading row below it when they are headings too — that the vocabulary does not read: what a refusal for a
    header not found names, and what the page offers to teach."""
    grid = [_filled(rows, spans, r, width) for r in range(min(len(rows), SCAN_ROWS))]
    counts = [len(set(_texts(row))) if not _numeric(row) else 0 for row in grid]
    if not counts or max(counts) < 2:
        return []
    b = counts.index(max(counts))
    picked = [r for r in (b - 1, b, b + 1) if 0 <= r < len(grid) and counts[r] >= 2]
    texts = [t for r in picked for t in _texts(grid[r])]
    return list(dict.fromkeys(t for t in texts if not vocab.name(t) and normalize_header(t) not in SEQ_HEADERS))


def _header_rows(rows: list[list], spans: dict, width: int, vocab: Vocabulary = BUILTIN) -> tuple[int, int]:
    """(group row, sub-header row), 0-based; the same row twice for a one-level header."""
    scores = _scores(rows, spans, width, vocab)
    if not scores or max(scores) < MIN_HEADER_MATCHES:
        unknown = candidate_headings(rows, spans, width, vocab)
        named = (f"其中未能识别的表头：{'、'.join(unknown)}——如是台账的列，可在导入页面选择对应，或用 "
                 "python -m data mapping add --column 原表头 标准表头 记住，再重新导入。" if unknown else "")
        raise Refused(Problem("未找到表头", message=(
            f"前 {SCAN_ROWS} 行中没有找到表头（应含“项目编码”“项目名称”“县区”“总投资(万元)”等列名）："
            "请确认表头文字与模板一致（Excel 工作簿中会自动查找有表头的工作表，也可用 --sheet 指定）。" + named)),
            unknown_headers=unknown)
    b = scores.index(max(scores))
    below, above = _two_level(rows, spans, b, width, vocab), _two_level(rows, spans, b - 1, width, vocab)
    if below and below >= above:
        return b, b + 1
    if above:
        return b - 1, b
    return b, b


def _headers(rows: list[list], spans: dict, t: int, s: int, width: int,
             vocab: Vocabulary = BUILTIN) -> tuple[list[object], list[float | None], list[object]]:
    """Each column's header text, the unit factor its group header states (万元/亿元/元), if any, and its group."""
    if t == s:
        return _filled(rows, spans, t, width), [None] * width, [None] * width
    top, sub = _filled(rows, spans, t, width), _filled(rows, spans, s, width)
    groups = _groups(rows, spans, t, width)
    headers: list[object] = []
    group_factor: list[float | None] = []
    group_of: list[object] = []
    for j in range(width):
        is_group = _is_group_text(groups[j], vocab, _wide(spans, t, j)) and groups[j] != sub[j]
        if vocab.name(sub[j], groups[j] if is_group else None):
            headers.append(sub[j])
            group_factor.append(_unit_factor(groups[j]) if is_group else None)
            group_of.append(groups[j] if is_group else None)
        else:
            headers.append(top[j] if vocab.name(top[j]) or blank(sub[j]) else sub[j])
            group_factor.append(None)
            group_of.append(None)
    return headers, group_factor, group_of


def _sheet_factor(rows: list[list], t: int) -> float | None:
    """The unit a line above the header states ('单位：万元'); the last such line wins."""
    factor = None
    for r in range(t):
        for v in rows[r]:
            if isinstance(v, str):
                m = UNIT_ROW_RE.search(nfkc(v))
                if m:
                    factor = UNIT_FACTORS[m.group(1)]
    return factor


def grid_table(rows: list[list], spans: dict, label: Callable[[int], str], vocab: Vocabulary = BUILTIN) -> Table:
    """The Table of a grid (CSV or sheet rows; spans: merged header cells {(r, c): (value, width)})."""
    width = max((len(r) for r in rows), default=0)
    t, s = _header_rows(rows, spans, width, vocab)
    headers, group_factor, groups = _headers(rows, spans, t, s, width, vocab)
    sheet_factor = _sheet_factor(rows, t)  # applies to money columns that state no unit of their own
    if sheet_factor is not None:
        group_factor = [g if g is not None else sheet_factor for g in group_factor]
    data = [(r + 1, rows[r] + [None] * (width - len(rows[r]))) for r in range(s + 1, len(rows))]
    above = [_filled(rows, spans, r, width) for r in range(t)]
    return Table(headers, group_factor, data, t + 1, [label(j) for j in range(width)], groups=groups, above=above,
                 vocab=vocab)
