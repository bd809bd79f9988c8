"""The next month's 底稿: a unit's last published ledger as an Excel workbook ready to update and re-import."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import polars as pl
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from data.ingest.cells import EXCEL_EPOCH, SERIAL_MAX, SERIAL_MIN
from data.ledger_xlsx import HEAD_FILL, YES_NO, head, title_row, workbook_bytes, yes_no
from data.schema import COLUMN_NAMES, COLUMNS, PROGRESS_COLUMNS, ZH, Column

LEDGER_SHEET = "重点项目台账"
GUIDE_SHEET = "填报说明"
TITLE_ROW, HEADER_ROW = 1, 2
FIRST_DATA_ROW = HEADER_ROW + 1
EXTRA_ROWS = 500  # empty rows below the projects that keep the dropdowns and formats, for new projects
FREEZE_AT = "D3"  # below the header; 报送月份, 项目编码 and 项目名称 stay in view while scrolling right
NUMBER_FORMATS = {"month": "yyyy-mm", "date": "yyyy-mm-dd", "money": "#,##0.00", "float": "#,##0.00", "str": "@",
                  "enum": "@", "bool": "@"}
KIND_TEXT = {"month": "年月", "date": "日期", "money": "金额（万元）", "float": "数字", "str": "文字", "enum": "下拉选择",
             "bool": "是/否"}
MAX_WIDTH, MIN_WIDTH = 40, 8
# Excel keeps an inline list of choices only up to 255 characters and splits it at commas.
MAX_LIST_CHARS = 255
MAX_MESSAGE_CHARS = 225  # Excel's limit for a validation's error message (titles: 32)

_UPDATE_FILL = PatternFill("solid", fgColor="F8CBAD")   # the month's progress: headers to update (orange)
_UPDATE_CELLS = PatternFill("solid", fgColor="FCE4D6")  # … and the carried-over figures under them (light orange)
PROGRESS_NAMES = "、".join(ZH[c] for c in PROGRESS_COLUMNS)
_WRAP = Alignment(wrap_text=True, vertical="center")


def _choices(col: Column) -> tuple[str, ...] | None:
    if col.kind == "enum":
        return col.allowed
    return YES_NO if col.kind == "bool" else None


def _cell_value(col: Column, value: object) -> object:
    if value is None:
        return None
    if col.kind == "bool":
        return yes_no(value)
    if isinstance(value, str):
        # Control characters cannot be stored in an xlsx cell (openpyxl refuses them); they are invisible anyway.
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def _shown(col: Column, value: object) -> object:
    """Roughly the text Excel shows for a written value, to size the column."""
    if value is None or col.kind in ("date", "month"):
        return "yyyy-mm-dd" if value is not None else None
    return f"{value:,.2f}" if isinstance(value, (int, float)) else value


def _display_width(text: object) -> int:
    s = str(text) if text is not None else ""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in s)


def _list_validation(col: Column, values: tuple[str, ...]) -> DataValidation:
    text = ",".join(values)
    if any("," in v or '"' in v for v in values) or len(text) > MAX_LIST_CHARS:
        raise ValueError(f"“{col.zh}”的可选值无法写成 Excel 下拉列表（含逗号或引号，或超过 {MAX_LIST_CHARS} 个字符）："
                         "请在 data/schema.py 中改短可选值，或把下拉列表改为引用单元格区域。")
    error = f"“{col.zh}”只能从下拉列表中选择：{'、'.join(values)}。"
    prompt = f"请从下拉列表中选择：{'、'.join(values)}"
    if len(error) > MAX_MESSAGE_CHARS:  # Excel reports the file as damaged when a message is longer
        error, prompt = f"“{col.zh}”只能从下拉列表中选择。", "请从下拉列表中选择"
    return DataValidation(
        type="list", formula1=f'"{text}"', allow_blank=True, showDropDown=False, showErrorMessage=True,
        errorStyle="stop", errorTitle="取值无效", error=error, showInputMessage=True, promptTitle=col.zh[:32],
        prompt=prompt)


def _date_validation(col: Column) -> DataValidation:
    first, last = EXCEL_EPOCH + dt.timedelta(days=SERIAL_MIN), EXCEL_EPOCH + dt.timedelta(days=SERIAL_MAX)
    example = "2025-06" if col.kind == "month" else "2024-03-15"
    # A warning, not a stop: the importer also reads dates typed as text ('2024年3月15日') that Excel may not convert.
    return DataValidation(
        type="date", operator="between", formula1=str(SERIAL_MIN), formula2=str(SERIAL_MAX), allow_blank=True,
        showErrorMessage=True, errorStyle="warning", errorTitle="日期无效",
        error=(f"“{col.zh}”应填 {first.year}–{last.year} 年之间的日期，如 {example}；"
               "没有请留空。点“是”保留输入，点“否”重新填写。"))


def _title(frame: pl.DataFrame | None, month: dt.date, unit: str | None) -> str:
    if unit is None and frame is not None and frame.height:
        counties = frame.get_column("county").unique().to_list()
        unit = counties[0] if len(counties) == 1 else None
    return " ".join(p for p in (unit, f"{month.year}年{month.month}月", "重点项目台账") if p)


def _update_note(month: dt.date, source: str | None) -> str:
    """The note on a progress column's header: these figures are last month's until updated."""
    carried = f"底稿中是 {source} 的数据" if source else "底稿中的数据是此前最近一次已发布的"
    january = "；1月份的本年累计从 0 起算" if month.month == 1 else ""
    return f"本月须更新：请按 {month.year}-{month.month:02d} 的实际情况填写每个项目（{carried}{january}）。"


def _write_ledger(ws, frame: pl.DataFrame | None, month: dt.date, title: str, source: str | None = None) -> None:
    n = 0 if frame is None else frame.height
    last_row = HEADER_ROW + n + EXTRA_ROWS
    last_col = get_column_letter(len(COLUMNS))
    ws.title = LEDGER_SHEET
    title_row(ws, title, last_col, size=14, height=28)
    widths = []
    for j, col in enumerate(COLUMNS, start=1):
        cell = ws.cell(HEADER_ROW, j, col.zh)
        head(cell, color="C00000" if col.required else "000000")
        if col.name in PROGRESS_COLUMNS:
            cell.fill = _UPDATE_FILL
            cell.comment = Comment(_update_note(month, source), "底稿", width=260, height=90)
        widths.append(_display_width(col.zh) + 2)
    ws.row_dimensions[HEADER_ROW].height = 36

    rows = [] if frame is None else frame.select(COLUMN_NAMES).with_columns(
        pl.lit(month, dtype=pl.Date).alias("snapshot_month")).iter_rows()
    for i, row in enumerate(rows, start=FIRST_DATA_ROW):
        for j, (col, value) in enumerate(zip(COLUMNS, row), start=1):
            v = _cell_value(col, value)
            cell = ws.cell(i, j, v)
            cell.number_format = NUMBER_FORMATS[col.kind]
            if col.name in PROGRESS_COLUMNS:
                cell.fill = _UPDATE_CELLS
            if isinstance(v, str):
                cell.data_type = "s"  # text such as '=…' stays text, never becomes a formula
            widths[j - 1] = max(widths[j - 1], _display_width(_shown(col, v)) + 2)
    for j, col in enumerate(COLUMNS, start=1):
        letter = get_column_letter(j)
        dim = ws.column_dimensions[letter]
        dim.width = max(MIN_WIDTH, min(MAX_WIDTH, widths[j - 1]))
        dim.number_format = NUMBER_FORMATS[col.kind]  # cells typed into the empty rows get the column's format
        choices = _choices(col)
        dv = _list_validation(col, choices) if choices else (
            _date_validation(col) if col.kind in ("date", "month") else None)
        if dv is not None:
            dv.add(f"{letter}{FIRST_DATA_ROW}:{letter}{last_row}")
            ws.add_data_validation(dv)
    ws.freeze_panes = FREEZE_AT
    ws.auto_filter.ref = f"A{HEADER_ROW}:{last_col}{max(HEADER_ROW, HEADER_ROW + n)}"


def _write_guide(ws, month: dt.date, title: str, indicators: list[tuple[str, str]], source: str | None = None) -> None:
    ws.title = GUIDE_SHEET
    ws.append([f"{title} 填报说明"])
    ws["A1"].font = Font(size=14, bold=True)
    notes = (
        f"1. 在第一个工作表“{LEDGER_SHEET}”中填写，不要修改第 {HEADER_ROW} 行的表头，也不要调整工作表顺序。",
        f"2. 报送月份已填为 {month.year}-{month.month:02d}；每行相同。已有项目请更新本月数据，新增项目在下方空行填写，"
        "已不再报送的项目整行删除。",
        "3. 红色表头为必填列。带下拉箭头的列只能从列表中选择；日期填 yyyy-mm-dd（如 2024-03-15），未办结、未开工请留空。",
        "4. 金额单位为万元，只填数字，不要带单位或文字；不要使用公式。",
        f"5. 橙色表头的列（{PROGRESS_NAMES}）是本月进度：底稿沿用的是"
        f"{f' {source} ' if source else '此前最近一次已发布'}的数据，每个项目都须按本月实际更新"
        f"{'（1月份的本年累计完成投资、本年资金到位从 0 起算）' if month.month == 1 else ''}；其余列没有变化的可以不改。",
    )
    for note in notes:
        ws.append([note])
    ws.append([])
    header = ("列", "中文表头", "类型", "是否必填", "每月更新", "规则", "可选值")
    ws.append(header)
    head_row = ws.max_row
    for j in range(1, len(header) + 1):
        head(ws.cell(head_row, j))
    for j, col in enumerate(COLUMNS, start=1):
        choices = _choices(col)
        required = yes_no(col.required)
        progress = YES_NO[0] if col.name in PROGRESS_COLUMNS else ""
        ws.append((get_column_letter(j), col.zh, KIND_TEXT[col.kind], required, progress, col.rule or "可空",
                   "、".join(choices) if choices else ""))
        if progress:
            ws.cell(ws.max_row, 2).fill = _UPDATE_FILL
    if indicators:
        ws.append([])
        ws.append(("", "主要指标", "", "", "", "口径"))
        for j in (2, 6):
            ws.cell(ws.max_row, j).font = Font(bold=True)
            ws.cell(ws.max_row, j).fill = HEAD_FILL
        for name, caliber in indicators:
            ws.append(("", name, "", "", "", caliber))
    for row in ws.iter_rows(min_row=head_row + 1):
        for cell in row:
            cell.alignment = _WRAP
    for letter, width in zip("ABCDEFG", (6, 26, 12, 10, 10, 50, 30)):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = f"A{head_row + 1}"


def draft_ledger(frame: pl.DataFrame | None, month: dt.date, unit: str | None = None, *,
                 indicators: Iterable[tuple[str, str]] = (), source: str | None = None) -> bytes:
    """The xlsx bytes of a 底稿: frame's rows (None: none; `source`: the month they were published) with 报送月份 =
    month, dropdowns, formats, the progress columns marked to update, 填报说明."""
    month = month.replace(day=1)
    title = _title(frame, month, unit)
    wb = Workbook()
    _write_ledger(wb.active, frame, month, title, source)
    _write_guide(wb.create_sheet(), month, title, list(indicators), source)
    wb.active = 0
    return workbook_bytes(wb)
