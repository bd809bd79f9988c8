"""The bulletin's look in Word: fonts, the named paragraph styles the generated text uses, the font table's fallbacks.

The default template defines these styles and an office may restyle them in Word or WPS (修改样式); the generated
paragraphs carry only a style name, so the template's definition is what prints. A template that lost a style
(some editors drop unused ones) gets it back with the definition below when a bulletin is rendered.
"""
from __future__ import annotations

from dataclasses import dataclass

from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

BODY_FONT, HEAD_FONT, TITLE_FONT, KAI_FONT = "仿宋", "黑体", "方正小标宋简体", "楷体"
WEST_FONT = "Times New Roman"
# Fallbacks written into the font table: Word uses altName when the named font is not installed.
FONT_FALLBACKS = {"方正小标宋简体": "黑体", "仿宋": "FangSong", "黑体": "SimHei", "楷体": "KaiTi"}
ALIGN = {"center": WD_ALIGN_PARAGRAPH.CENTER, "right": WD_ALIGN_PARAGRAPH.RIGHT}


@dataclass(frozen=True)
class ParaStyle:
    """A paragraph style of the generated text (sizes in points; line None = single spacing)."""

    name: str
    font: str
    size: float
    bold: bool = False
    align: str | None = None
    indent: bool = False  # first line indented two characters
    line: float | None = 28
    space_after: float = 0


# The styles of the generated paragraphs, by role.
STYLES = {
    "body": ParaStyle("通报正文", BODY_FONT, 16, indent=True),
    "blank": ParaStyle("通报空行", BODY_FONT, 16),
    "h1": ParaStyle("通报一级标题", HEAD_FONT, 16, indent=True),
    "h2": ParaStyle("通报二级标题", KAI_FONT, 16, bold=True, indent=True),
    "annex_no": ParaStyle("通报附件编号", HEAD_FONT, 16),
    "annex_title": ParaStyle("通报附件标题", TITLE_FONT, 18, align="center", line=None, space_after=6),
    "annex_note": ParaStyle("通报附件口径", BODY_FONT, 12, line=None, space_after=6),
}
TABLE_SIZES = (10.5, 9)  # cell font sizes of the generated tables


def set_font(run_or_style, east: str, size: float | None = None, bold: bool | None = None, color: str | None = None,
             west: str = WEST_FONT) -> None:
    """East Asian and western font, size, bold and colour of a run or a style."""
    font = run_or_style.font
    font.name = west
    if size is not None:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold
    if color is not None:
        font.color.rgb = RGBColor.from_string(color)
    rpr = run_or_style.element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        rfonts.set(qn(attr), west)
    rfonts.set(qn("w:eastAsia"), east)
    rfonts.set(qn("w:hint"), "eastAsia")


def format_paragraph(pf, *, size: float, align: str | None = None, indent: bool = False, line: float | None = 28,
                     space_after: float = 0) -> None:
    """Alignment, spacing (exact line height in points) and first-line indent of a paragraph or a style."""
    if align is not None:
        pf.alignment = ALIGN[align]
    pf.space_after = Pt(space_after)
    pf.space_before = Pt(0)
    if line:
        pf.line_spacing = Pt(line)
    pf.first_line_indent = Pt(size * 2) if indent else Pt(0)


def paragraph_style(doc, role: str):
    """The document's style for a role of STYLES, added with its definition when the template lacks it."""
    spec = STYLES[role]
    try:
        return doc.styles[spec.name]
    except KeyError:
        style = doc.styles.add_style(spec.name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = doc.styles["Normal"]
        style.quick_style = True
        set_font(style, spec.font, spec.size, spec.bold)
        format_paragraph(style.paragraph_format, size=spec.size, align=spec.align, indent=spec.indent,
                         line=spec.line, space_after=spec.space_after)
        return style


def cell_style(doc, size: float, head: bool):
    """A paragraph style for table cells (fonts set once on the style, not on every run: 700-row annexes)."""
    name = f"KPM表格{'表头' if head else '正文'}{size:g}"
    try:
        return doc.styles[name]
    except KeyError:
        style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = doc.styles["Normal"]
        set_font(style, HEAD_FONT if head else BODY_FONT, size, head)
        pf = style.paragraph_format
        pf.space_after = pf.space_before = Pt(0)
        pf.line_spacing = 1.0
        pf.first_line_indent = Pt(0)
        return style


def font_table_fallbacks(doc) -> None:
    """Declare the Chinese fonts in word/fontTable.xml with an altName fallback each (those not declared yet)."""
    for part in doc.part.package.iter_parts():
        if str(part.partname) != "/word/fontTable.xml":
            continue
        xml = part.blob.decode("utf-8")
        entries = "".join(
            f'<w:font w:name="{name}"><w:altName w:val="{alt}"/><w:charset w:val="86"/>'
            f'<w:family w:val="modern"/><w:pitch w:val="fixed"/></w:font>'
            for name, alt in FONT_FALLBACKS.items() if f'w:name="{name}"' not in xml)
        part._blob = xml.replace("</w:fonts>", entries + "</w:fonts>").encode("utf-8")
