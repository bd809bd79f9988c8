"""The bulletin's section 督办事项办理情况 (reports/bulletin/duban_section.py): the counts, 按期办结率 by unit and the
overdue list as of the month's last day, in the default Word bulletin and its workbook, and as template fields;
no section while the log is empty. Expected values worked out by hand from the items below."""
from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from docx import Document

from data import duban, duban_steps as steps
from metrics.dataset import Dataset
from reports.bulletin import build_both, build_bulletin
from reports.bulletin.template import default_bytes
from tests import app_store as fx

D = dt.date
ANALYST = duban.Actor("李明", "analyst")


@pytest.fixture
def store(tmp_path):
    """June 2024: 甲县 two items (one answered and closed on time, one overdue and unanswered since June 1), 乙县 one
    closed late, 丙区 one cancelled and one assigned after the month (not counted)."""
    s = fx.build_store(tmp_path / "store")
    a1, a2 = (steps.add(s, ANALYST, unit="甲县", content=c, assigned_on=D(2024, 6, 1)) for c in ("完成用地报批", "落实施工用电"))
    steps.request_close(s, ANALYST, a1.id, "已报批", on=D(2024, 6, 6))     # due 6-08: on time
    steps.close(s, ANALYST, a1.id, "优秀", on=D(2024, 6, 10))
    b = steps.add(s, ANALYST, unit="乙县", content="协调融资", assigned_on=D(2024, 6, 3))
    steps.request_close(s, ANALYST, b.id, "已放款", on=D(2024, 6, 12))     # due 6-10: late
    steps.close(s, ANALYST, b.id, "合格", on=D(2024, 6, 13))
    c = steps.add(s, ANALYST, unit="丙区", content="重复事项", assigned_on=D(2024, 6, 3))
    steps.cancel(s, ANALYST, c.id, "与DB2024-0001重复", on=D(2024, 6, 4))
    steps.add(s, ANALYST, unit="丙区", content="七月事项", assigned_on=D(2024, 7, 2))
    return s


def paragraphs(data: bytes) -> list[str]:
    return [p.text for p in Document(io.BytesIO(data)).paragraphs]


def tables(data: bytes) -> list[list[list[str]]]:
    return [[[c.text for c in r.cells] for r in t.rows] for t in Document(io.BytesIO(data)).tables]


SUMMARY = ("截至2024年6月30日，累计交办督办事项3项（不含已撤销），已办结2项，按期办结率33.3%；逾期未办结1项（甲县1项），"
           "反馈逾期1项。")   # on time 1 ÷ (closed 2 + overdue 1)


def test_the_default_bulletin_has_the_section_with_counts_rates_and_the_overdue_list(store):
    doc = build_bulletin(Dataset.from_store(store), "2024-06", ledger=duban.load(store), issued=D(2024, 7, 8))
    text = paragraphs(doc)
    head = next(i for i, p in enumerate(text) if p.endswith("督办事项办理情况"))
    assert text[head + 1] == SUMMARY
    units = next(t for t in tables(doc) if t[0][0] == "承办单位")
    assert units == [["承办单位", "交办事项数", "已办结", "按期办结率", "逾期未办结", "反馈逾期"],
                     ["甲县", "2", "1", "50.0%", "1", "1"],
                     ["丙区", "0", "0", "—", "0", "0"],       # most overdue first, then by name
                     ["乙县", "1", "1", "0.0%", "0", "0"],
                     ["合计", "3", "2", "33.3%", "1", "1"]]
    late = next(t for t in tables(doc) if t[0][:2] == ["序号", "督办编号"])
    assert late == [["序号", "督办编号", "承办单位", "事项内容", "交办日期", "办理时限", "逾期天数"],
                    ["1", "DB2024-0002", "甲县", "落实施工用电", "6月1日", "6月8日", "22"]]


def test_the_workbook_carries_the_sections_tables(store):
    _, xlsx = build_both(Dataset.from_store(store), "2024-06", ledger=duban.load(store))
    wb = openpyxl.load_workbook(io.BytesIO(xlsx))
    rows = list(wb["督办各单位办理情况"].iter_rows(values_only=True))
    assert rows[0] == ("承办单位", "交办事项数", "已办结", "按期办结率", "逾期未办结", "反馈逾期")
    assert rows[1] == ("甲县", 2, 1, 0.5, 1, 1)
    assert [r[0] for r in wb["督办逾期未办结事项"].iter_rows(values_only=True)] == ["督办编号", "DB2024-0002"]


def test_no_section_without_items(store, tmp_path):
    doc = build_bulletin(Dataset.from_store(store), "2024-05", ledger=duban.load(store))   # nothing assigned by May
    assert not any(p.endswith("督办事项办理情况") for p in paragraphs(doc))


def test_the_template_fields(store):
    tpl = Document(io.BytesIO(default_bytes()))
    tpl.add_paragraph("督办：{{ duban_summary }}")
    tpl.add_paragraph("按期办结率 {{ duban_on_time_rate }}；逾期单位 {{ duban_overdue_units }}")
    buf = io.BytesIO()
    tpl.save(buf)
    ds = Dataset.from_store(store)
    text = paragraphs(build_bulletin(ds, "2024-06", template=buf.getvalue(), ledger=duban.load(store)))
    assert f"督办：{SUMMARY}" in text
    assert "按期办结率 33.3%；逾期单位 甲县1项" in text
    text = paragraphs(build_bulletin(ds, "2024-06", template=buf.getvalue()))   # no log: empty, —, 无
    assert "督办：" in text and "按期办结率 —；逾期单位 无" in text
