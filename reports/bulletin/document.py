"""The bulletin as a Word document: the office's template (docxtpl) filled with the generated sections and annexes.

The template (reports.bulletin.template) holds the red head (发文机关, 文号 pattern over a red rule), the title, 主送,
落款 and the page setup; this module writes what it cannot: the sections — 总体情况, the county ranking
(红旗/蜗牛), the 约谈预警 counties with the reasons, the gap to the annual plan, each dimension's key figures by
county, the month's 报送情况 — and the watch lists as annexes (附件1…), as subdocuments in the template's styles
(reports.bulletin.styles), every number from metrics/ through the collected content.
"""
from __future__ import annotations

import datetime as dt
import re

from data import bulletin_template as stored
from data.months import month_key, month_zh, to_month
from data.store import Store
from data.submissions import MonthReport
from metrics.dataset import Dataset
from metrics.filters import Filters
from metrics.ranking import RED, SNAIL, Scorecard
from data import duban
from data.duban import Ledger
from reports.bulletin import duban_section, words
from reports.bulletin.content import Bulletin, build_workbook, collect
from reports.bulletin.styles import STYLES, cell_style, paragraph_style
from reports.bulletin.template import TemplateProblem, check, default_bytes, render

CN_NUM = "一二三四五六七八九十"


class _Writer:
    """Appends paragraphs in the template's styles (the text carries no direct formatting) and tables to a
    subdocument; style ids are looked up once, as python-docx searches the styles part on every name."""

    def __init__(self, doc):
        self.doc = doc
        self.ids = {role: paragraph_style(doc, role).style_id for role in STYLES}

    def para(self, text: str, role: str = "body"):
        p = self.doc.add_paragraph(text)
        p._p.style = self.ids[role]
        return p

    def table(self, rows: list[list[str]], **kw):
        return _table(self.doc, rows, **kw)

    def page_break(self):
        return self.doc.add_page_break()


NUMBER = re.compile(r"^([+-]?[\d,]+(\.\d+)?%?|[↑↓→]\d+|—)$")  # right-aligned cells (not project ids, not dates)
BORDERS = "<w:tblBorders>" + "".join(f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="auto"/>' for side in
                                    ("top", "left", "bottom", "right", "insideH", "insideV")) + "</w:tblBorders>"
WIDTH_WEIGHTS = {"事项内容": 5.0, "督办编号": 2.4, "承办单位": 2.2, "序号": 1.1, "名次": 1.1, "项目编码": 3.0, "项目名称": 4.2, "存在问题": 3.6, "未办结手续": 3.4, "说明": 9.0,
                 "县区": 1.7, "红旗/蜗牛": 1.6, "约谈预警": 1.6, "名次变化": 1.5, "得分": 1.3}


def _widths(header: list[str], total_cm: float) -> list[float]:
    w = [WIDTH_WEIGHTS.get(h, 1.6) for h in header]
    return [x * total_cm / sum(w) for x in w]


def _table(doc, rows: list[list[str]], *, size: float = 10.5, highlight: dict[int, str] | None = None,
           total_cm: float = 15.6):
    """A gridded table, bold shaded header repeated on every page; numbers right-aligned; columns sized by content.

    Written as one block of WordprocessingML and parsed once: the watch-list annexes run to thousands of cells,
    which python-docx's cell-by-cell API builds a hundred times slower."""
    from xml.sax.saxutils import escape

    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls, qn

    head_id, body_id = cell_style(doc, size, True).style_id, cell_style(doc, size, False).style_id
    try:
        grid = f'<w:tblStyle w:val="{doc.styles["Table Grid"].style_id}"/>'
    except KeyError:  # a template saved without the style: the grid drawn on the table itself
        grid = ""
    widths = [round(cm * 567) for cm in _widths(rows[0], total_cm)]  # twentieths of a point
    out = [f'<w:tbl {nsdecls("w")}><w:tblPr>{grid}<w:tblW w:w="{sum(widths)}" w:type="dxa"/><w:jc w:val="center"/>'
           + ("" if grid else BORDERS) + '<w:tblLayout w:type="fixed"/>'
           '<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="1" w:lastColumn="0" w:noHBand="0" '
           'w:noVBand="1"/></w:tblPr><w:tblGrid>' + "".join(f'<w:gridCol w:w="{w}"/>' for w in widths) + "</w:tblGrid>"]
    for i, values in enumerate(rows):
        color = (highlight or {}).get(i)
        out.append("<w:tr>" + ('<w:trPr><w:tblHeader/></w:trPr>' if i == 0 else ""))
        for j, v in enumerate(values):
            jc = "center" if i == 0 or j == 0 else "right" if NUMBER.match(v) else None
            shade = '<w:shd w:val="clear" w:color="auto" w:fill="D9E2F3"/>' if i == 0 else ""
            rpr = f'<w:rPr><w:color w:val="{color}"/></w:rPr>' if color and j in (1, 4, 5) else ""
            out.append(f'<w:tc><w:tcPr><w:tcW w:w="{widths[j]}" w:type="dxa"/>{shade}</w:tcPr>'
                       f'<w:p><w:pPr><w:pStyle w:val="{head_id if i == 0 else body_id}"/>'
                       + (f'<w:jc w:val="{jc}"/>' if jc else "") + "</w:pPr>"
                       + (f'<w:r>{rpr}<w:t xml:space="preserve">{escape(v)}</w:t></w:r>' if v else "")
                       + "</w:p></w:tc>")
        out.append("</w:tr>")
    out.append("</w:tbl>")
    tbl = parse_xml("".join(out))
    body = doc.element.body
    sect = body.find(qn("w:sectPr"))
    if sect is not None:
        sect.addprevious(tbl)
    else:
        body.append(tbl)
    return tbl


def _write_body(w: _Writer, b: Bulletin) -> None:
    """The numbered sections with their tables, into the body subdocument."""
    n = 0

    def section(title: str) -> None:
        nonlocal n
        w.para(f"{CN_NUM[n]}、{title}", "h1")
        n += 1

    section("总体情况")
    w.para("".join(words.summary_sentences(b)))

    section("县区综合排名")
    w.para(words.ranking_sentence(b))
    t = b.tables["县区排名"]
    colors = {i: ("C00000" if row[4] == RED else "7F6000" if row[4] == SNAIL else None)
              for i, row in enumerate(t.text)}
    w.table(t.text, highlight={k: v for k, v in colors.items() if v})

    section("约谈预警")
    for text in words.warning_paragraphs(b):
        w.para(text)

    section("距年度计划")
    w.para(words.gap_sentence(b))
    w.table(b.tables["距年度目标"].text, size=9)

    section("分项指标")
    for k, name in enumerate(b.dimension_tables):
        w.para(f"（{CN_NUM[k]}）{name}", "h2")
        w.table(b.tables[name].text, size=9)

    if b.report is not None:
        section("报送情况")
        w.para(words.reporting_sentence(b.report))

    if b.duban is not None:
        section("督办事项办理情况")
        w.para(duban_section.summary_sentence(b.duban))
        w.table(b.duban.unit_rows(), size=9)
        if b.duban.overdue.height:
            w.para("逾期未办结事项：")
            w.table(b.duban.overdue_rows(), size=9)


def _write_annexes(w: _Writer, b: Bulletin) -> None:
    """The watch lists, each under its number, title and 口径, into the annex subdocument (landscape pages)."""
    for k, name in enumerate(b.annexes, 1):
        t = b.tables[name]
        if k > 1:
            w.page_break() if t.frame.height > 25 else w.para("", "blank")
        w.para(f"附件{k}", "annex_no")
        w.para(words.annex_title(b, name), "annex_title")
        w.para(f"口径：{t.note}", "annex_note")
        if t.frame.height:
            w.table(t.text, size=9, total_cm=25.3)
        else:
            w.para("本月无此类项目。", "annex_note")


def template_context(b: Bulletin, issuer: str, issued: dt.date):
    """The template's context for a bulletin (see template.PLACEHOLDERS), as a function of the template."""
    def build(tpl) -> dict:
        body, annexes = tpl.new_subdoc(), tpl.new_subdoc()
        _write_body(_Writer(body), b)
        _write_annexes(_Writer(annexes), b)
        return {"city": b.city, "issuer": issuer, "year": b.month.year, "month": b.month.month, "seq": b.month.month,
                "month_zh": month_zh(b.month), "title": words.title(b), "intro": words.intro_sentence(b),
                "body": body, "annex_lines": words.annex_lines(b),
                "issued": f"{issued.year}年{issued.month}月{issued.day}日", "annexes": annexes,
                **duban_section.fields(b.duban)}
    return build


def build_bulletin(ds: Dataset, month: dt.date | str, filters: Filters = Filters(), card: Scorecard | None = None,
                   *, city: str | None = None, issuer: str | None = None, issued: dt.date | None = None,
                   bulletin: Bulletin | None = None, template: bytes | None = None,
                   report: MonthReport | None = None, ledger: Ledger | None = None) -> bytes:
    """The monthly bulletin (.docx bytes) for a month and selection, in `template` (default: the shipped one);
    `report` adds the 报送情况 section, `ledger` 督办事项办理情况 (see collect)."""
    b = bulletin or collect(ds, month, filters, card, city=city, report=report, ledger=ledger)
    issuer = issuer or f"{b.city}重点项目建设工作领导小组办公室"
    context = template_context(b, issuer, issued or dt.date.today())
    try:
        return render(template or default_bytes(), context)
    except Exception as e:
        if template is None:
            raise
        check(template)  # says where the template is broken, when it is
        raise TemplateProblem(f"通报模板无法填入{month_zh(b.month)}的数据（{type(e).__name__}：{e}）：请下载默认模板对照"
                              "修改，或重新上传。") from None


def build_both(ds: Dataset, month: dt.date | str, filters: Filters = Filters(), card: Scorecard | None = None,
               *, city: str | None = None, template: bytes | None = None,
               report: MonthReport | None = None, ledger: Ledger | None = None) -> tuple[bytes, bytes]:
    """(docx, xlsx) from one computation."""
    b = collect(ds, month, filters, card, city=city, report=report, ledger=ledger)
    return (build_bulletin(ds, month, filters, card, bulletin=b, template=template),
            build_workbook(ds, month, filters, card, bulletin=b))


def office_bulletin(ds: Dataset, shown: Store, month: dt.date | str, filters: Filters = Filters()) -> bytes:
    """The bulletin 县区比拼 offers: the office's template (kept with the real store) and the shown store's 报送情况
    and 督办 log."""
    report = shown.report(month_key(to_month(month)))
    return build_bulletin(ds, month, filters, template=stored.read(Store()), report=report, ledger=duban.load(shown))
