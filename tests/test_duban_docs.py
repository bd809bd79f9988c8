"""reports/duban_docs.py: the 督办单 (Word, one page per item) and the month's 交办清单 (Excel), opened and read back."""
from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from docx import Document

from data import duban, duban_steps as steps
from data.store import Store
from metrics import duban as m
from reports import duban_docs

D = dt.date
ANALYST = duban.Actor("李明", "analyst")


@pytest.fixture
def store(tmp_path) -> Store:
    """Three items: two of a June meeting (石门县 with 东城区 as 协办, 东城区 with 石门县), one of July; the first
    answered on June 5 and closed on the 8th, the second cancelled."""
    s = Store(tmp_path / "store")
    steps.assign(s, ANALYST, units=["石门县", "东城区"], co_units=["东城区", "石门县"], content="六月底前完成用地报批",
                 meeting="2025年6月全市重点项目调度会", tier="一般", assigned_on=D(2025, 6, 2), person="王五", leader="张副市长")
    steps.request_close(s, ANALYST, "DB2025-0001", "已报批", on=D(2025, 6, 5))
    steps.close(s, ANALYST, "DB2025-0001", "良好", on=D(2025, 6, 8))
    steps.cancel(s, ANALYST, "DB2025-0002", "重复交办", on=D(2025, 6, 3))
    steps.assign(s, ANALYST, units=["西城区"], content="协调施工用电", tier="重大", assigned_on=D(2025, 7, 31))
    return s


def texts(doc) -> list[str]:
    return [p.text for p in doc.paragraphs]


def table_dict(table) -> dict[str, str]:
    return {r.cells[0].text: r.cells[1].text for r in table.rows}


def test_one_page_per_item_with_number_unit_content_deadline_feedback_and_signatures(store):
    rows = m.item_rows(duban.load(store), D(2025, 8, 10)).filter(m.C("id").is_in(["DB2025-0001", "DB2025-0003"]))
    doc = Document(io.BytesIO(duban_docs.order_docx(list(rows.iter_rows(named=True)), city="宜昌市")))
    assert len(doc.tables) == 2
    first, second = (table_dict(t) for t in doc.tables)
    assert first["承办单位"] == "石门县" and first["协办单位"] == "东城区"
    assert first["督办事项"] == "六月底前完成用地报批" and first["事项来源"] == "会议（2025年6月全市重点项目调度会）"
    assert first["交办日期"] == "2025年6月2日" and first["办理时限"] == "2025年6月9日"      # 一般: + 7 days
    assert first["责任人"] == "王五" and first["督办领导"] == "张副市长"
    assert first["反馈要求"].startswith("请于2025年6月5日前首次反馈办理进展")               # + 3 days
    assert second["承办单位"] == "西城区" and second["办理时限"] == "2025年8月31日"          # 重大: Jul 31 → Aug 31
    assert second["协办单位"] == "—" and second["事项等级"] == "重大"
    lines = texts(doc)
    assert lines.count("宜昌市重点项目建设督办单") == 2
    assert "编号：DB2025-0001" in lines and "编号：DB2025-0003" in lines
    assert sum("承办单位负责人（签字）" in x for x in lines) == 2
    # the second item starts a new page; the first does not
    titles = [p for p in doc.paragraphs if p.text == "宜昌市重点项目建设督办单"]
    assert [bool(p.paragraph_format.page_break_before) for p in titles] == [False, True]


def test_the_month_list_holds_the_months_items_as_of_the_date(store):
    items = m.item_rows(duban.load(store), D(2025, 8, 10))
    wb = openpyxl.load_workbook(io.BytesIO(duban_docs.month_list_xlsx(items, "2025-06", D(2025, 8, 10))))
    ws = wb.worksheets[0]
    assert ws.title == "2025年6月交办清单（截至08月10日）"
    rows = list(ws.iter_rows(values_only=True))
    head = rows[0]
    assert head[:4] == ("督办编号", "承办单位", "协办单位", "事项来源")
    got = [dict(zip(head, r)) for r in rows[1:]]
    assert [r["督办编号"] for r in got] == ["DB2025-0001", "DB2025-0002"]          # July's item is not June's
    assert got[0]["办理状态"] == "已办结" and got[0]["办结等次"] == "良好" and got[0]["是否按期办结"] == "按期办结"
    assert got[0]["协办单位"] == "东城区" and got[0]["会议"] == "2025年6月全市重点项目调度会"
    assert got[1]["办理状态"] == "已撤销" and got[1]["是否按期办结"] is None


def test_the_month_list_marks_the_warnings(store):
    items = m.item_rows(duban.load(store), D(2025, 9, 2))   # 西城区's item was due Aug 31, never answered
    wb = openpyxl.load_workbook(io.BytesIO(duban_docs.month_list_xlsx(items, "2025-07", D(2025, 9, 2))))
    rows = list(wb.worksheets[0].iter_rows(values_only=True))
    got = dict(zip(rows[0], rows[1]))
    assert (got["督办编号"], got["预警"], got["办理状态"]) == ("DB2025-0003", "逾期、反馈逾期", "已交办")
