"""督办's files: the printable 督办单 (Word, one page per item: number, 承办单位, 事项, 时限, 反馈要求, signature lines)
and the month's 交办清单 (Excel: every item assigned in the month, as it stands on the as-of date). Both read the
rows of metrics.duban.item_rows, so a date or a state is the one the page shows."""
from __future__ import annotations

import datetime as dt
import io

import polars as pl
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt

from data.city import city_name
from data.text import DASH
from reports.bulletin.styles import BODY_FONT, TITLE_FONT, set_font
from reports.export import to_xlsx_bytes

# The 交办清单's columns: item_rows' column → its Chinese head, in order.
LIST_COLUMNS = {
    "id": "督办编号", "unit": "承办单位", "co_units": "协办单位", "source": "事项来源", "project_id": "项目编码",
    "meeting": "会议", "content": "事项内容", "tier": "事项等级", "person": "责任人", "leader": "督办领导",
    "assigned_on": "交办日期", "feedback_due_on": "首次反馈时限", "due_on": "办理时限", "status": "办理状态",
    "warning": "预警", "closed_on": "办结日期", "grade": "办结等次", "on_time": "是否按期办结",
}


def _date(d: dt.date | None) -> str:
    return f"{d.year}年{d.month}月{d.day}日" if d else DASH


def feedback_rule(row: dict) -> str:
    """反馈要求 in words: the first feedback's date, then the result with 申请办结 by the 办理时限."""
    return (f"请于{_date(row['feedback_due_on'])}前首次反馈办理进展；办理完成后提出申请办结并报送办理结果，"
            f"最迟不晚于{_date(row['due_on'])}（办理时限）。逾期未反馈、未办结的，将在月度通报中通报。")


def _para(doc, text: str, *, size: float = 16, font: str = BODY_FONT, bold: bool = False, center: bool = False,
          space: float = 6):
    p = doc.add_paragraph()
    if center:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.space_after = Pt(space)
    set_font(p.add_run(text), font, size, bold)
    return p


def _cell(cell, text: str, bold: bool = False) -> None:
    cell.text = ""
    set_font(cell.paragraphs[0].add_run(text), BODY_FONT, 14, bold)


def order_docx(rows: list[dict], city: str | None = None) -> bytes:
    """The 督办单 of each row (an item_rows row), one page each, in the order given."""
    doc = Document()
    sec = doc.sections[0]
    sec.page_height, sec.page_width = Cm(29.7), Cm(21.0)
    sec.top_margin = sec.bottom_margin = Cm(2.5)
    sec.left_margin = sec.right_margin = Cm(2.6)
    for k, row in enumerate(rows):
        title = _para(doc, f"{city_name(city)}重点项目建设督办单", size=22, font=TITLE_FONT, center=True, space=12)
        if k:
            title.paragraph_format.page_break_before = True
        _para(doc, f"编号：{row['id']}", size=14, space=8).alignment = WD_ALIGN_PARAGRAPH.RIGHT
        fields = [("承办单位", row["unit"]), ("协办单位", "、".join(row.get("co_units") or []) or DASH),
                  ("事项来源", row["source"] + (f"（项目 {row['project_id']}）" if row.get("project_id") else "")
                   + (f"（{row['meeting']}）" if row.get("meeting") else "")),
                  ("督办事项", row["content"]), ("事项等级", row["tier"]),
                  ("责任人", row.get("person") or DASH), ("督办领导", row.get("leader") or DASH),
                  ("交办日期", _date(row["assigned_on"])), ("办理时限", _date(row["due_on"])),
                  ("反馈要求", feedback_rule(row))]
        table = doc.add_table(rows=len(fields), cols=2)
        table.style = "Table Grid"
        for (head, value), cells in zip(fields, table.rows):
            cells.cells[0].width, cells.cells[1].width = Cm(3.2), Cm(12.6)
            _cell(cells.cells[0], head, bold=True)
            _cell(cells.cells[1], str(value))
        _para(doc, "", space=18)
        for line in ("交办单位（盖章）：                    经办人（签字）：", "日期：        年    月    日",
                     "承办单位负责人（签字）：              签收日期：        年    月    日"):
            _para(doc, line, size=14, space=14)
    if not rows:
        _para(doc, "没有选中的督办事项。")
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _warning(row: dict) -> str:
    marks = [w for w, on in (("逾期", row.get("overdue")), ("临期", row.get("due_soon")),
                             ("反馈逾期", row.get("feedback_overdue"))) if on]
    return "、".join(marks)


def month_rows(items: pl.DataFrame, month: str) -> pl.DataFrame:
    """The items assigned in `month` ('YYYY-MM'), in the order assigned, with the 交办清单's Chinese heads."""
    y, m = map(int, month.split("-"))
    rows = items.filter((pl.col("assigned_on").dt.year() == y) & (pl.col("assigned_on").dt.month() == m))
    shown = rows.with_columns(
        co_units=pl.col("co_units").list.join("、"),
        warning=pl.Series([_warning(r) for r in rows.iter_rows(named=True)], dtype=pl.String),
        on_time=pl.when(pl.col("on_time").is_null()).then(pl.lit(None, pl.String))
        .when(pl.col("on_time")).then(pl.lit("按期办结")).otherwise(pl.lit("逾期办结")))
    return shown.select([pl.col(c).alias(h) for c, h in LIST_COLUMNS.items()])


def month_list_xlsx(items: pl.DataFrame, month: str, as_of: dt.date) -> bytes:
    """The month's 交办清单: one sheet, the items assigned in `month`, their state as of `as_of`."""
    y, m = map(int, month.split("-"))
    return to_xlsx_bytes({f"{y}年{m}月交办清单（截至{as_of:%m月%d日}）": month_rows(items, month)})
