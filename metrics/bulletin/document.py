"""The bulletin as a Word document (python-docx): the usual form of a government 通报.

A red head (发文机关 and 文号 over a red rule), the title, 主送, the data month, the summary, the county ranking
(红旗/蜗牛), the 约谈预警 counties with the reasons, the gap to the annual plan, each dimension's key figures by
county, and the watch lists as landscape annexes (附件1…). Body text is 仿宋, headings 黑体, the title 方正小标宋简体
(the font table names 黑体 as its fallback), and the footer carries the page number.
"""
from __future__ import annotations

import datetime as dt
import io
import re

from metrics.bulletin import words
from metrics.bulletin.content import Bulletin, build_workbook, collect
from metrics.dataset import Dataset
from metrics.filters import Filters
from metrics.ranking import RED, SNAIL, Scorecard

CN_NUM = "一二三四五六七八九十"


def _docx():
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt, RGBColor

    return dict(Document=Document, WD_ORIENT=WD_ORIENT,
                WD_ALIGN_PARAGRAPH=WD_ALIGN_PARAGRAPH, OxmlElement=OxmlElement, qn=qn, Cm=Cm, Pt=Pt,
                RGBColor=RGBColor)


BODY_FONT, HEAD_FONT, TITLE_FONT, KAI_FONT = "仿宋", "黑体", "方正小标宋简体", "楷体"
# Fallbacks written into the font table: Word uses altName when the named font is not installed.
FONT_FALLBACKS = {"方正小标宋简体": "黑体", "仿宋": "FangSong", "黑体": "SimHei", "楷体": "KaiTi"}


def _set_font(run_or_style, east: str, size: float | None = None, bold: bool | None = None, color=None,
              west: str = "Times New Roman") -> None:
    d = _docx()
    font = run_or_style.font
    font.name = west
    if size is not None:
        font.size = d["Pt"](size)
    if bold is not None:
        font.bold = bold
    if color is not None:
        font.color.rgb = d["RGBColor"].from_string(color)
    el = run_or_style.element
    rpr = el.get_or_add_rPr()
    rfonts = rpr.find(d["qn"]("w:rFonts"))
    if rfonts is None:
        rfonts = d["OxmlElement"]("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        rfonts.set(d["qn"](attr), west)
    rfonts.set(d["qn"]("w:eastAsia"), east)
    rfonts.set(d["qn"]("w:hint"), "eastAsia")


def _font_table_fallbacks(doc) -> None:
    """Declare the Chinese fonts in word/fontTable.xml with an altName fallback each."""
    for part in doc.part.package.iter_parts():
        if str(part.partname) != "/word/fontTable.xml":
            continue
        xml = part.blob.decode("utf-8")
        entries = "".join(
            f'<w:font w:name="{name}"><w:altName w:val="{alt}"/><w:charset w:val="86"/>'
            f'<w:family w:val="modern"/><w:pitch w:val="fixed"/></w:font>'
            for name, alt in FONT_FALLBACKS.items() if f'w:name="{name}"' not in xml)
        part._blob = xml.replace("</w:fonts>", entries + "</w:fonts>").encode("utf-8")


def _para(doc, text: str = "", *, font: str = BODY_FONT, size: float = 16, bold: bool = False, color=None,
          align=None, indent: bool = False, space_after: float = 0, line: float | None = 28):
    d = _docx()
    p = doc.add_paragraph()
    if align is not None:
        p.alignment = align
    pf = p.paragraph_format
    pf.space_after = d["Pt"](space_after)
    pf.space_before = d["Pt"](0)
    if line:
        pf.line_spacing = d["Pt"](line)
    if indent:
        pf.first_line_indent = d["Pt"](size * 2)
    if text:
        _set_font(p.add_run(text), font, size, bold, color)
    return p


def _red_rule(p) -> None:
    d = _docx()
    ppr = p._p.get_or_add_pPr()
    bdr = d["OxmlElement"]("w:pBdr")
    bottom = d["OxmlElement"]("w:bottom")
    for k, v in (("w:val", "single"), ("w:sz", "18"), ("w:space", "4"), ("w:color", "FF0000")):
        bottom.set(d["qn"](k), v)
    bdr.append(bottom)
    ppr.append(bdr)


def _page_number_footer(section) -> None:
    """'— N —' centred in the footer, N a PAGE field."""
    d = _docx()
    p = section.footer.paragraphs[0] if section.footer.paragraphs else section.footer.add_paragraph()
    p.alignment = d["WD_ALIGN_PARAGRAPH"].CENTER
    _set_font(p.add_run("— "), BODY_FONT, 14)
    run = p.add_run()
    _set_font(run, BODY_FONT, 14)
    for kind, text in (("begin", None), ("instr", " PAGE "), ("separate", None), ("text", "1"), ("end", None)):
        if kind == "instr":
            el = d["OxmlElement"]("w:instrText")
            el.set(d["qn"]("xml:space"), "preserve")
            el.text = text
        elif kind == "text":
            el = d["OxmlElement"]("w:t")
            el.text = text
        else:
            el = d["OxmlElement"]("w:fldChar")
            el.set(d["qn"]("w:fldCharType"), kind)
        run._r.append(el)
    _set_font(p.add_run(" —"), BODY_FONT, 14)


NUMBER = re.compile(r"^([+-]?[\d,]+(\.\d+)?%?|[↑↓→]\d+|—)$")  # right-aligned cells (not project ids, not dates)
WIDTH_WEIGHTS = {"序号": 1.1, "名次": 1.1, "项目编码": 3.0, "项目名称": 4.2, "存在问题": 3.6, "未办结手续": 3.4, "说明": 9.0,
                 "县区": 1.7, "红旗/蜗牛": 1.6, "约谈预警": 1.6, "名次变化": 1.5, "得分": 1.3}


def _widths(header: list[str], total_cm: float) -> list[float]:
    w = [WIDTH_WEIGHTS.get(h, 1.6) for h in header]
    return [x * total_cm / sum(w) for x in w]


def _cell_style(doc, size: float, head: bool):
    """A paragraph style for table cells (fonts set once on the style, not on every run: 700-row annexes)."""
    from docx.enum.style import WD_STYLE_TYPE

    d = _docx()
    name = f"KPM表格{'表头' if head else '正文'}{size:g}"
    try:
        return doc.styles[name]
    except KeyError:
        style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = doc.styles["Normal"]
        _set_font(style, HEAD_FONT if head else BODY_FONT, size, head)
        pf = style.paragraph_format
        pf.space_after = pf.space_before = d["Pt"](0)
        pf.line_spacing = 1.0
        pf.first_line_indent = d["Pt"](0)
        return style


def _table(doc, rows: list[list[str]], *, size: float = 10.5, highlight: dict[int, str] | None = None,
           total_cm: float = 15.6):
    """A gridded table, bold shaded header repeated on every page; numbers right-aligned; columns sized by content.

    Written as one block of WordprocessingML and parsed once: the watch-list annexes run to thousands of cells,
    which python-docx's cell-by-cell API builds a hundred times slower."""
    from xml.sax.saxutils import escape

    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    d = _docx()
    head_id, body_id = _cell_style(doc, size, True).style_id, _cell_style(doc, size, False).style_id
    grid_id = doc.styles["Table Grid"].style_id
    widths = [round(cm * 567) for cm in _widths(rows[0], total_cm)]  # twentieths of a point
    out = [f'<w:tbl {nsdecls("w")}><w:tblPr><w:tblStyle w:val="{grid_id}"/><w:tblW w:w="{sum(widths)}" w:type="dxa"/>'
           '<w:jc w:val="center"/><w:tblLayout w:type="fixed"/>'
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
    sect = body.find(d["qn"]("w:sectPr"))
    if sect is not None:
        sect.addprevious(tbl)
    else:
        body.append(tbl)
    return tbl


def _heading(doc, text: str, level: int = 1):
    return _para(doc, text, font=HEAD_FONT if level == 1 else KAI_FONT, size=16, bold=level == 2, indent=True)


def build_bulletin(ds: Dataset, month: dt.date | str, filters: Filters = Filters(), card: Scorecard | None = None,
                   *, city: str | None = None, issuer: str | None = None, issued: dt.date | None = None,
                   bulletin: Bulletin | None = None) -> bytes:
    """The monthly bulletin (.docx bytes) for a month and selection."""
    d = _docx()
    b = bulletin or collect(ds, month, filters, card, city=city)
    issuer = issuer or f"{b.city}重点项目建设工作领导小组办公室"
    issued = issued or dt.date.today()
    center = d["WD_ALIGN_PARAGRAPH"].CENTER
    doc = d["Document"]()
    _font_table_fallbacks(doc)
    normal = doc.styles["Normal"]
    _set_font(normal, BODY_FONT, 16)
    normal.element.get_or_add_rPr()
    sec = doc.sections[0]
    sec.page_width, sec.page_height = d["Cm"](21), d["Cm"](29.7)
    sec.top_margin, sec.bottom_margin = d["Cm"](3.7), d["Cm"](3.5)
    sec.left_margin, sec.right_margin = d["Cm"](2.8), d["Cm"](2.6)
    _page_number_footer(sec)
    doc.core_properties.title = words.title(b)
    doc.core_properties.author = issuer

    # 红头: 发文机关, 文号, red rule
    head_size = min(26, int(380 / max(len(issuer), 1)))  # one line across the type area
    _para(doc, issuer, font=TITLE_FONT, size=head_size, bold=True, color="FF0000", align=center, line=None,
          space_after=12)
    no = _para(doc, f"{b.city}重点办〔{b.month.year}〕{b.month.month}号", size=16, align=center, space_after=2)
    _red_rule(no)
    _para(doc, "", line=None)
    _para(doc, words.title(b), font=TITLE_FONT, size=22, bold=True, align=center, line=None, space_after=12)
    _para(doc, "各县（区）人民政府，市直有关部门：")
    _para(doc, words.intro_sentence(b), indent=True)

    n = 0

    def section(title: str) -> None:
        nonlocal n
        _heading(doc, f"{CN_NUM[n]}、{title}")
        n += 1

    section("总体情况")
    _para(doc, "".join(words.summary_sentences(b)), indent=True)

    section("县区综合排名")
    _para(doc, words.ranking_sentence(b), indent=True)
    t = b.tables["县区排名"]
    colors = {i: ("C00000" if row[4] == RED else "7F6000" if row[4] == SNAIL else None)
              for i, row in enumerate(t.text)}
    _table(doc, t.text, highlight={k: v for k, v in colors.items() if v})

    section("约谈预警")
    for text in words.warning_paragraphs(b):
        _para(doc, text, indent=True)

    section("距年度计划")
    _para(doc, words.gap_sentence(b), indent=True)
    _table(doc, b.tables["距年度目标"].text, size=9)

    section("分项指标")
    for k, name in enumerate(b.dimension_tables):
        _heading(doc, f"（{CN_NUM[k]}）{name}", level=2)
        _table(doc, b.tables[name].text, size=9)

    # 附件目录 and 落款
    _para(doc, "")
    annex_lines = words.annex_lines(b)
    _para(doc, "附件：" + annex_lines[0], indent=True)
    for line in annex_lines[1:]:
        p = _para(doc, line)
        p.paragraph_format.left_indent = d["Pt"](16 * 5)
    _para(doc, "")
    right = d["WD_ALIGN_PARAGRAPH"].RIGHT
    _para(doc, issuer, align=right)
    _para(doc, f"{issued.year}年{issued.month}月{issued.day}日", align=right)

    # 附件: landscape pages
    from docx.enum.section import WD_SECTION

    land = doc.add_section(WD_SECTION.NEW_PAGE)
    land.orientation = d["WD_ORIENT"].LANDSCAPE
    land.page_width, land.page_height = d["Cm"](29.7), d["Cm"](21)
    land.top_margin = land.bottom_margin = d["Cm"](2.5)
    land.left_margin = land.right_margin = d["Cm"](2.2)
    for k, name in enumerate(b.annexes, 1):
        t = b.tables[name]
        if k > 1:
            doc.add_page_break() if t.frame.height > 25 else _para(doc, "")
        _para(doc, f"附件{k}", font=HEAD_FONT, size=16)
        _para(doc, words.annex_title(b, name), font=TITLE_FONT, size=18, align=center, line=None, space_after=6)
        _para(doc, f"口径：{t.note}", size=12, line=None, space_after=6)
        if t.frame.height:
            _table(doc, t.text, size=9, total_cm=25.3)
        else:
            _para(doc, "本月无此类项目。", size=12, line=None)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def build_both(ds: Dataset, month: dt.date | str, filters: Filters = Filters(), card: Scorecard | None = None,
               *, city: str | None = None) -> tuple[bytes, bytes]:
    """(docx, xlsx) from one computation."""
    b = collect(ds, month, filters, card, city=city)
    return build_bulletin(ds, month, filters, card, bulletin=b), build_workbook(ds, month, filters, card, bulletin=b)
