"""The default bulletin template, templates/default.docx, built from code: python -m reports.bulletin.default_template.

The usual form of a government 通报: the red head (发文机关, 文号 over a red rule), the title, 主送, the opening
paragraph, the generated sections ({{p body }}), the annex list, 落款 and date; then a landscape section for the
annexes ({{p annexes }}). Head and title carry their own fonts (方正小标宋简体, red), the body is 仿宋 16 pt on the
A4 公文 margins, and the footer has the page number. The committed file is what bulletins use; a test checks
that this builder still produces it.
"""
from __future__ import annotations

import datetime as dt
import io
import sys
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from reports.bulletin.styles import (BODY_FONT, STYLES, TABLE_SIZES, TITLE_FONT, cell_style, font_table_fallbacks,
                                     format_paragraph, paragraph_style, set_font)
from reports.bulletin.template import DEFAULT_PATH

HEAD_SIZE = 22  # the red head's size: "示范市重点项目建设工作领导小组办公室" fills one line of the type area
# A fixed date in the document properties, so that building twice gives the same parts.
BUILT = dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)


def _para(doc, text: str = "", *, font: str = BODY_FONT, size: float = 16, bold: bool = False,
          color: str | None = None, align: str | None = None, indent: bool = False, line: float | None = 28,
          space_after: float = 0):
    p = doc.add_paragraph()
    format_paragraph(p.paragraph_format, size=size, align=align, indent=indent, line=line, space_after=space_after)
    if text:
        set_font(p.add_run(text), font, size, bold, color)
    return p


def _red_rule(p) -> None:
    ppr = p._p.get_or_add_pPr()
    bdr = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for k, v in (("w:val", "single"), ("w:sz", "18"), ("w:space", "4"), ("w:color", "FF0000")):
        bottom.set(qn(k), v)
    bdr.append(bottom)
    ppr.append(bdr)


def _page_number_footer(section) -> None:
    """'— N —' centred in the footer, N a PAGE field."""
    p = section.footer.paragraphs[0] if section.footer.paragraphs else section.footer.add_paragraph()
    format_paragraph(p.paragraph_format, size=14, align="center", line=None)
    set_font(p.add_run("— "), BODY_FONT, 14)
    run = p.add_run()
    set_font(run, BODY_FONT, 14)
    for kind, text in (("begin", None), ("instr", " PAGE "), ("separate", None), ("text", "1"), ("end", None)):
        if kind == "instr":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        elif kind == "text":
            el = OxmlElement("w:t")
            el.text = text
        else:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        run._r.append(el)
    set_font(p.add_run(" —"), BODY_FONT, 14)


def build_default() -> bytes:
    """The default template (.docx bytes)."""
    doc = Document()
    font_table_fallbacks(doc)
    normal = doc.styles["Normal"]
    set_font(normal, BODY_FONT, 16)
    for role in STYLES:
        paragraph_style(doc, role)
    for size in TABLE_SIZES:
        cell_style(doc, size, True)
        cell_style(doc, size, False)
    props = doc.core_properties
    props.title, props.author, props.comments, props.last_modified_by = "{{ title }}", "{{ issuer }}", "", ""
    props.created = props.modified = BUILT
    props.revision = 1

    sec = doc.sections[0]
    sec.page_width, sec.page_height = Cm(21), Cm(29.7)
    sec.top_margin, sec.bottom_margin = Cm(3.7), Cm(3.5)
    sec.left_margin, sec.right_margin = Cm(2.8), Cm(2.6)
    _page_number_footer(sec)

    # 红头: 发文机关 and 文号 over a red rule; then the title, 主送 and the opening paragraph
    _para(doc, "{{ issuer }}", font=TITLE_FONT, size=HEAD_SIZE, bold=True, color="FF0000", align="center", line=None,
          space_after=12)
    _red_rule(_para(doc, "{{ city }}重点办〔{{ year }}〕{{ seq }}号", align="center", space_after=2))
    _para(doc, "", line=None)
    _para(doc, "{{ title }}", font=TITLE_FONT, size=22, bold=True, align="center", line=None, space_after=12)
    _para(doc, "各县（区）人民政府，市直有关部门：")
    _para(doc, "{{ intro }}", indent=True)
    _para(doc, "{{p body }}")

    # 附件目录, 落款 and date
    _para(doc, "")
    _para(doc, "附件：{{ annex_lines[0] }}", indent=True)
    _para(doc, "{%p for line in annex_lines[1:] %}")
    _para(doc, "{{ line }}").paragraph_format.left_indent = Pt(16 * 5)
    _para(doc, "{%p endfor %}")
    _para(doc, "")
    _para(doc, "{{ issuer }}", align="right")
    _para(doc, "{{ issued }}", align="right")

    # 附件: landscape pages
    land = doc.add_section(WD_SECTION.NEW_PAGE)
    land.orientation = WD_ORIENT.LANDSCAPE
    land.page_width, land.page_height = Cm(29.7), Cm(21)
    land.top_margin = land.bottom_margin = Cm(2.5)
    land.left_margin = land.right_margin = Cm(2.2)
    _para(doc, "{{p annexes }}")
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def main(argv: list[str] | None = None) -> int:
    """Write the default template to templates/default.docx (or the path given)."""
    out = Path((argv or sys.argv[1:] or [str(DEFAULT_PATH)])[0])
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(build_default())
    print(f"已写出默认通报模板：{out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
