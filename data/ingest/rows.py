"""Row classification and un-merging: which data rows are projects, and each row's share of merged-down cells."""
from __future__ import annotations

import re

from data.ingest.cells import blank, nfkc
from data.ingest.header import Table
from data.problems import Problem
from data.schema import COLUMN_BY_NAME, MONTH_AMOUNT, PRIOR_YEARS, START_EITHER

# Decisions where DOMAIN.md is silent (kept beside the code they rule):
# - Rows skipped without a word: empty rows (a pre-printed 序号 alone counts as empty), 合计/小计/总计/累计 rows
#   without a project code, repeated header rows, the 栏次 row (甲 乙 1 2 3 …) right under the header.
#   Notes under the table ('注：', '填表人') are skipped with a warning.
# - Group heading rows ('一、产业类项目（12个）', '（二）基础设施', 序号 '一' beside a name), with no project code
#   and no 县区/类别/级别/性质/状态/主体, are skipped with a warning (their subtotals are not projects).
# - A data cell merged down over several projects (县区, 产业链, 项目类别, … written once for a block) counts for
#   every row it covers, as it reads on screen. Codes, names and numbers cannot be shared by projects: a merged
#   项目编码/项目名称 or number cell refuses the file, naming the rows, rather than guessing a split.
SUMMARY_WORDS = ("合计", "小计", "总计", "累计")
# Group headings inside the table: '一、…', '一' alone (序号 column), '（二）…', '1、…', '第三类…'.
SECTION_RE = re.compile(r"^\s*(?:[一二三四五六七八九十百]+\s*(?:[、.]|$)|\(\s*[一二三四五六七八九十百\d]+\s*\)"
                        r"|\d+\s*、|第[一二三四五六七八九十百\d]+(?:类|部分|批|项|片区))")
# A group heading row leaves these blank; a project row has them (it is a project missing its code, then).
SECTION_BLANK = ("county", "category", "level", "build_type", "status", "investor_type")
# Merged-down data cells shared by the rows they cover (attributes); the rest must be one per project.
MERGE_FILL_KINDS = {"str", "enum", "bool", "date", "month"}
MERGE_REFUSED = {"project_id", "project_name"}
# Lines an analyst adds under the table (notes, signatures): skipped with a warning rather than failing every rule.
FOOTNOTE_RE = re.compile(r"^(注|备注|说明|填表人|填报人|审核人|制表人|负责人|联系人|联系电话|单位负责人)")

Mapping = dict[str, tuple[int, float]]  # canonical column (or 'reads#j' for a further column) → (source column, factor)
DERIVED_KINDS = {MONTH_AMOUNT: "money", PRIOR_YEARS: "money", START_EITHER: "date"}


def _reads(key: str) -> str:
    return key.split("#", 1)[0]


def _kind(key: str) -> str:
    reads = _reads(key)
    return DERIVED_KINDS.get(reads) or COLUMN_BY_NAME[reads].kind


def _summary_text(value: object) -> bool:
    """'合计', '产业项目小计（20个）', '其中：续建项目合计' — but not a project named '城市总计划馆项目'."""
    if not isinstance(value, str):
        return False
    s = re.sub(r"\s+", "", value)
    if not any(w in s for w in SUMMARY_WORDS):
        return False
    if "项目" not in s and "工程" not in s:
        return True
    s = re.sub(r"[(（][^()（）]*[)）]$", "", s).rstrip(":：")
    return s.startswith(SUMMARY_WORDS) or s.endswith(SUMMARY_WORDS)


def _is_column_numbers(cells: list) -> bool:
    """A row numbering the columns: every cell a small whole number (ascending) or one of 甲乙丙丁…."""
    nums = []
    for v in cells:
        if isinstance(v, str) and v.strip() in "甲乙丙丁戊己庚辛壬癸" and len(v.strip()) == 1:
            continue
        try:
            x = float(v) if isinstance(v, (int, float, str)) and not isinstance(v, bool) else None
        except ValueError:
            return False
        if x is None or not x.is_integer() or not 0 < x < 200:
            return False
        nums.append(x)
    return len(nums) >= 3 and nums == sorted(set(nums))


def _is_summary(values: list, id_value: object) -> bool:
    texts = [v for v in values if not blank(v)][:2]
    hit = any(_summary_text(v) for v in texts)
    # A real project row carries its own code; a 合计 row has none (or the word itself in that cell).
    return hit and (blank(id_value) or any(w in str(id_value) for w in SUMMARY_WORDS))


def _footnote(texts: list) -> object | None:
    """The first of a row's first two texts that starts like a note or a signature line."""
    return next((v for v in texts[:2] if isinstance(v, str) and FOOTNOTE_RE.match(v.strip())), None)


def unmerge(table: Table, mapping: Mapping, errors: list[Problem]) -> set[tuple[str, int]]:
    """Share cells merged down over data rows; refuse merged codes, names and numbers, returning the cells refused."""
    by_row = {r: values for r, values in table.rows}
    mapped_cols = [j for j, _ in mapping.values()]
    name_of = {j: n for n, (j, _) in mapping.items()}
    refused: set[tuple[str, int]] = set()
    last_row = max(by_row, default=0)
    done: dict[int, int] = {}  # column → last row handled: overlapping ranges (a crafted file) are done once
    for r0, r1, j in sorted(table.merges):
        if r0 not in by_row or j not in name_of or r0 <= done.get(j, 0):
            continue  # a header merge, a column that is not imported, or an overlap
        r1 = done[j] = min(r1, last_row)
        reads = _reads(name_of[j])
        zh = COLUMN_BY_NAME[reads].zh if reads in COLUMN_BY_NAME else str(table.headers[j]).strip()
        top = by_row[r0][j]
        # Rows the merge runs over that hold nothing else (a blank line at the end of a block) stay empty.
        rows = [r for r in range(r0 + 1, r1 + 1)
                if r in by_row and any(not blank(by_row[r][k]) for k in mapped_cols if k != j)]
        if not rows or blank(top):
            continue
        if _kind(name_of[j]) in MERGE_FILL_KINDS and reads not in MERGE_REFUSED:
            for r in rows:
                by_row[r][j] = top
        else:
            refused.update((zh, r) for r in rows)
            errors.append(Problem("合并单元格", zh, r0, top, (
                f"第 {r0}–{r1} 行的“{zh}”是一个合并单元格，只有第 {r0} 行有值：每个项目的{zh}须各自填写，"
                "请取消合并后逐行填写。")))
    return refused


def project_rows(table: Table, mapping: Mapping, warnings: list[Problem],
                 headings: list[tuple[int, str]] | None = None) -> list[tuple[int, list]]:
    """The project rows: empty, 合计, group heading, repeated header and note rows dropped (headings, notes warned);
    each group heading's row and text go into `headings` (the rows under it may take their category from it)."""
    mapped_cols = [j for j, _ in mapping.values()]
    id_col = mapping.get("project_id", (None,))[0]
    attr_cols = [mapping[n][0] for n in SECTION_BLANK if n in mapping]
    keep: list[tuple[int, list]] = []
    for src_row, values in table.rows:
        texts = [v for v in values if not blank(v)]
        # Template rows with only a pre-printed 序号 count as empty: no mapped column holds anything.
        if not texts or all(blank(values[j]) for j in mapped_cols):
            if texts and _footnote(texts) is not None:
                warnings.append(Problem("已跳过说明行", "", src_row, texts[0], "表格下方的说明、签字行不作为项目导入。"))
            elif texts and headings is not None and isinstance(texts[0], str) and SECTION_RE.match(nfkc(texts[0])):
                headings.append((src_row, texts[0].strip()))  # a heading written in the 序号 column, merged across
            continue
        if not keep and _is_column_numbers([values[j] for j in mapped_cols]):
            continue  # the 栏次 row (甲 乙 1 2 3 …) that statistical tables put under the header
        id_value = values[id_col] if id_col is not None else None
        if _is_summary(values, id_value):
            continue
        if (blank(id_value) and any(isinstance(v, str) and SECTION_RE.match(nfkc(v)) for v in texts[:2])
                and all(blank(values[j]) for j in attr_cols)):
            heading = " ".join(v.strip() for v in texts[:2] if isinstance(v, str))  # '一 产业类项目' or '一、…'
            if headings is not None:
                headings.append((src_row, heading))
            warnings.append(Problem("已跳过分组标题行", "", src_row, heading, (
                f"“{heading}”是分组标题（小计）行，不是项目，未导入：如确为项目，请补填项目编码等必填项。")))
            continue
        repeats = sum(1 for n, (j, _) in mapping.items() if table.vocab.name(values[j]) == _reads(n))
        if repeats >= max(2, len(mapping) // 3):
            continue  # the header again (a ledger pasted from several sheets)
        note = _footnote(texts)
        if blank(id_value) and len(texts) <= 3 and note is not None:
            warnings.append(Problem("已跳过说明行", "", src_row, note,
                                    "表格下方的说明、签字行不作为项目导入：如确为项目，请补填项目编码。"))
            continue
        keep.append((src_row, values))
    return keep
