"""The bulletin's Word template (docxtpl): its placeholders, rendering, and the check an office's template must pass.

A template is a .docx whose text holds Jinja2 placeholders: `{{ city }}`, `{{ title }}`…; `{{p body }}` and
`{{p annexes }}` stand alone in a paragraph each and receive the generated sections and annex tables (subdocuments
built against the template, so they take its styles). The office's own template is kept with the store
(data.bulletin_template); without one, the default (templates/default.docx) is used.
"""
from __future__ import annotations

import copy
import io
import re
import traceback
import zipfile
from collections.abc import Callable
from pathlib import Path

import jinja2
from jinja2 import meta
from docx import Document
from docx.oxml.ns import qn
from docxtpl import DocxTemplate
from lxml import etree

from data import bulletin_template as stored
from data.store import Store
from reports.bulletin.duban_section import FIELDS as DUBAN_FIELDS
from reports.bulletin.styles import font_table_fallbacks

DEFAULT_PATH = Path(__file__).resolve().parent / "templates" / "default.docx"  # built by default_template.py
# What a template may use, with what each one holds (shown in README and in the upload's error messages).
PLACEHOLDERS: dict[str, str] = {
    "city": "城市名称，如“示范市”（--city 或 $KPM_CITY）",
    "issuer": "发文机关，默认“{城市}重点项目建设工作领导小组办公室”",
    "year": "数据所属年份，如 2025",
    "month": "数据所属月份，1–12",
    "seq": "文号中的序号（默认为月份，即第几期）",
    "month_zh": "数据月份，如“2025年6月”",
    "title": "通报标题，如“示范市重点项目建设情况通报（2025年6月）”",
    "intro": "开头一段（现将……通报如下）",
    "body": "正文各节及其表格（须写作 {{p body }}，单独占一段）",
    "annex_lines": "附件目录，每个附件一行（列表）",
    "issued": "落款日期，如“2025年7月8日”",
    "annexes": "各附件清单及表格（须写作 {{p annexes }}，单独占一段）",
    **DUBAN_FIELDS,  # 督办事项办理情况 (reports/bulletin/duban_section.py)
}
# Without these the bulletin would carry no figures: what each one brings in.
REQUIRED = {"body": "正文各节（总体情况、县区综合排名、约谈预警……）及其表格", "annexes": "各附件清单及其表格"}
SAMPLE_BODY, SAMPLE_ANNEX = "（此处为正文各节）", "（此处为附件清单）"
MARK = re.compile(r"⟦(\d+)⟧")


class TemplateProblem(ValueError):
    """A template that cannot be used, with a Chinese message saying where and how to fix it."""


def default_bytes() -> bytes:
    return DEFAULT_PATH.read_bytes()


def office_template(store: Store) -> bytes | None:
    """The office's template kept with the store, or None (the default is used)."""
    return stored.read(store)


def current_bytes(store: Store) -> bytes:
    """The template every bulletin of this store uses: the office's, else the default."""
    return office_template(store) or default_bytes()


def environment() -> jinja2.Environment:
    """Unknown names are errors (a misspelt placeholder must not print as nothing); values are XML-escaped."""
    return jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=True)


def render(template: bytes, context: Callable[[DocxTemplate], dict]) -> bytes:
    """The template filled with `context(tpl)` (a function, since subdocuments are built against the template)."""
    tpl = DocxTemplate(io.BytesIO(template))
    ctx = context(tpl)
    tpl.render(ctx, jinja_env=environment())
    font_table_fallbacks(tpl.docx)
    buf = io.BytesIO()
    tpl.save(buf)
    return buf.getvalue()


def sample_context(tpl: DocxTemplate) -> dict:
    """Values of every placeholder, for checking a template by rendering it once."""
    body, annexes = tpl.new_subdoc(), tpl.new_subdoc()
    body.add_paragraph(SAMPLE_BODY)
    annexes.add_paragraph(SAMPLE_ANNEX)
    return {"city": "示范市", "issuer": "示范市重点项目建设工作领导小组办公室", "year": 2025, "month": 6, "seq": 6,
            "month_zh": "2025年6月", "title": "示范市重点项目建设情况通报（2025年6月）",
            "intro": "现将2025年6月全市重点项目建设情况通报如下。", "body": body,
            "annex_lines": [f"{k}．示例清单（{k}个）" for k in range(1, 11)], "issued": "2025年7月8日",
            "annexes": annexes, "duban_summary": "截至2025年6月30日，累计交办督办事项12项……", "duban_on_time_rate": "75.0%",
            "duban_overdue_units": "石门县2项、东城区1项"}


# ---- the check --------------------------------------------------------------------------------------------------
def _text(p) -> str:
    return "".join(t.text or "" for t in p.iter(qn("w:t")))


def _places(root) -> list[tuple[str, str]]:
    """Each paragraph (w:p, in document order): where it is in words ('第3段', '第1个表格第2行第3列') and its text."""
    tables = [t for t in root.iter(qn("w:tbl")) if t.getparent() is root]
    out, n = [], 0
    for p in root.iter(qn("w:p")):
        tbl = next((a for a in p.iterancestors(qn("w:tbl")) if a.getparent() is root), None)
        if tbl is None:
            n += 1 if p.getparent() is root else 0
            out.append((f"第{max(n, 1)}段", _text(p)))
            continue
        tc = next(p.iterancestors(qn("w:tc")))
        tr = next(tc.iterancestors(qn("w:tr")))
        row = list(tbl.iter(qn("w:tr"))).index(tr) + 1
        col = list(tr.iterchildren(qn("w:tc"))).index(tc) + 1 if tc.getparent() is tr else 1
        out.append((f"第{tables.index(tbl) + 1}个表格第{row}行第{col}列", _text(p)))
    return out


def _source(tpl: DocxTemplate, root) -> str:
    """The Jinja source docxtpl renders for a part, each paragraph followed by its index as ⟦i⟧ (to find lines)."""
    clone = copy.deepcopy(root)
    for i, p in enumerate(clone.iter(qn("w:p"))):
        p.tail = (p.tail or "") + f"⟦{i}⟧"
    xml = tpl.patch_xml(etree.tostring(clone, encoding="unicode"))
    return re.sub(r"<w:p([ >])", r"\n<w:p\1", xml)  # as DocxTemplate.render_xml_part splits it


ROW_TAG = re.compile(r"{[{%#]t[rc] ")


def _swallowed(root, src: str) -> int | None:
    """The first paragraph whose end docxtpl's clean-up swallowed (a '{{' or '{%' left open runs on into the next
    paragraphs, silently), or None. Paragraphs of table rows and cells that {%tr %} / {%tc %} replace are skipped."""
    kept = {int(i) for i in MARK.findall(src)}
    for i, p in enumerate(root.iter(qn("w:p"))):
        if i in kept:
            continue
        row = next((a for a in p.iterancestors(qn("w:tr"))), None)
        if row is not None and ROW_TAG.search("".join(t.text or "" for t in row.iter(qn("w:t")))):
            continue
        return i
    return None


def _culprits(texts: list[str], exc: Exception) -> list[int]:
    """Which of the paragraphs sharing a source line the error is in: those whose own text shows it, if any."""
    env = environment()
    undefined = re.match(r"'(.+?)' is undefined", getattr(exc, "message", None) or str(exc))
    hits = []
    for k, text in enumerate(texts):
        if undefined:
            hits += [k] if undefined.group(1) in text else []
            continue
        try:
            env.parse(re.sub(r"{([{%])[a-z] ", r"{\1 ", text))  # '{%p for' parsed as '{% for'
        except jinja2.TemplateSyntaxError as e:
            hits += [k] if "end of template" not in e.message.lower() else []
    return hits or list(range(len(texts)))


def _where(src: str, lineno: int | None, places: list[tuple[str, str]], exc: Exception) -> tuple[str, str]:
    """(which paragraph or table cell, its text) for the line of the Jinja source an error points at."""
    lines = src.split("\n")
    if not lineno or lineno > len(lines):
        return "末尾", ""
    found = [int(i) for i in MARK.findall(lines[lineno - 1])]
    k = lineno - 1
    while not found and k > 0:  # a line without a paragraph of its own: the nearest paragraph before it
        k -= 1
        found = [int(i) for i in MARK.findall(lines[k])][-1:]
    found = [i for i in found if i < len(places)]
    if block := re.search(r"block that needs to be closed is '(.+?)'", str(exc)):
        # the error is at the end of the part; the block is opened where its tag is
        opened = [i for i, (_, t) in enumerate(places) if re.search(r"{%-?[a-z]?\s*" + block.group(1) + r"\b", t)]
        found = opened[-1:] or found
    if not found:
        return "开头", ""
    found = [found[k] for k in _culprits([places[i][1] for i in found], exc)]
    text = "”“".join(_excerpt(places[i][1]) for i in found if places[i][1].strip())
    return "或".join(dict.fromkeys(places[i][0] for i in found)), text


def _excerpt(text: str) -> str:
    text = text.strip()
    if len(text) <= 60:
        return text
    at = max(text.find("{"), 0)
    return ("…" if at > 20 else "") + text[max(at - 20, 0): at + 40] + "…"


def _zh(exc: Exception) -> str:
    msg = getattr(exc, "message", None) or str(exc)
    if m := re.match(r"'(.+?)' is undefined", msg):
        return f"未知的占位符“{m.group(1)}”（{_help()}）"
    if m := re.match(r"Encountered unknown tag '(.+?)'", msg):
        return f"未知的标签“{m.group(1)}”（{{% %}} 中只能用 for、if 等 Jinja2 标签，整段的循环写作 {{%p for … %}}）"
    if m := re.search(r"innermost block that needs to be closed is '(.+?)'", msg):
        return f"“{m.group(1)}”块没有结束（缺少 {{% end{m.group(1)} %}}，整段的写作 {{%p end{m.group(1)} %}}）"
    if "unexpected end of template" in msg.lower():
        return "占位符没有结束（缺少 }} 或 %}）"
    if m := re.match(r"unexpected '(.+?)'", msg):
        return f"多余或不配对的“{m.group(1)}”（占位符写作 {{{{ 名称 }}}}）"
    if m := re.match(r"expected token '(.+?)', got '(.+?)'", msg):
        return f"占位符中有多余的“{m.group(2)}”（占位符写作 {{{{ 名称 }}}}，名称中不能有空格或中文标点）"
    return f"占位符写法有误（{msg}）"


def _template_line(exc: Exception) -> int | None:
    """The template line a Jinja error points at: its lineno, or the last template frame of its traceback."""
    if getattr(exc, "lineno", None):
        return exc.lineno
    lines = [n for f, n in traceback.walk_tb(exc.__traceback__) if f.f_code.co_filename == "<template>"]
    return lines[-1] if lines else None


def _parts(tpl: DocxTemplate) -> list[tuple[str, object]]:
    """(name, root element) of the body, every header and every footer."""
    doc = tpl.docx
    out = [("正文", doc.element.body)]
    for uri, name in ((tpl.HEADER_URI, "页眉"), (tpl.FOOTER_URI, "页脚")):
        for _, part in tpl.get_headers_footers(uri):
            out.append((name, etree.fromstring(part.blob)))
    return out


def _help() -> str:
    return "可用的占位符：" + "、".join(PLACEHOLDERS) + "，写作 {{ 名称 }}，说明见 README“月通报模板”"


def check(data: bytes) -> None:
    """Refuse (TemplateProblem) a file that is not a usable bulletin template: not a .docx, a broken placeholder
    (syntax, unknown tag or name — said with the paragraph or table cell and the text there), {{p body }} or
    {{p annexes }} missing or not alone in its paragraph. Rendered once with sample values."""
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise TemplateProblem("上传的文件不是 Word 文档（.docx）：请在 Word 或 WPS 中“另存为”Word 文档（*.docx）后再上传"
                              "（旧的 .doc 格式不能用）。")
    try:
        tpl = DocxTemplate(io.BytesIO(data))
        tpl.init_docx()
    except Exception as e:  # a zip that is not a Word document, or a damaged one
        raise TemplateProblem(f"上传的文件无法作为 Word 文档打开（{type(e).__name__}）：请在 Word 或 WPS 中打开并"
                              "“另存为”Word 文档（*.docx）后再上传。") from None
    env, ctx = environment(), sample_context(tpl)
    used: set[str] = set()
    for name, root in _parts(tpl):
        src = _source(tpl, root)
        places = _places(root)
        lost = _swallowed(root, src)
        if lost is not None:
            where, text = places[lost]
            raise TemplateProblem(f"模板{name}{where}（“{_excerpt(text)}”）：占位符没有结束（“{{{{”或“{{%”缺少对应的“}}}}”"
                                  "或“%}”），其后的段落会被并入其中。请在 Word 或 WPS 中补全这一处后再上传。")
        try:
            compiled = env.from_string(src)
            if name == "正文":
                used = meta.find_undeclared_variables(env.parse(src))
            compiled.render(ctx)
        except Exception as e:  # TemplateSyntaxError, UndefinedError, or an error a filter or expression raised
            where, text = _where(src, _template_line(e), places, e)
            around = f"（“{text}”）" if text else ""
            raise TemplateProblem(f"模板{name}{where}{around}：{_zh(e)}。请在 Word 或 WPS 中改正这一处后再上传。") from None
    for key, what in REQUIRED.items():
        if key not in used:
            raise TemplateProblem(f"模板中没有 {{{{p {key} }}}}：{what}由它填入。请在原来的位置单独一段写上 "
                                  f"{{{{p {key} }}}} 后再上传。")
    try:
        out = Document(io.BytesIO(render(data, sample_context)))
    except Exception as e:
        raise TemplateProblem(f"模板填入示例数据后无法生成 Word 文档（{type(e).__name__}：{e}）：请检查各占位符是否"
                              f"写在正文的段落中（{_help()}）。") from None
    top = {"".join(t.text or "" for t in p.iter(qn("w:t"))) for p in out.element.body.iterchildren(qn("w:p"))}
    for key, sample in (("body", SAMPLE_BODY), ("annexes", SAMPLE_ANNEX)):
        if sample not in top:
            raise TemplateProblem(f"模板中的 {key} 没有写成单独一段的 {{{{p {key} }}}}：正文各节和附件表格是整段插入的，"
                                  f"请让 {{{{p {key} }}}} 独占一段（前后不要有其他文字，也不要放在表格里）后再上传。")


def install(store: Store, data: bytes, *, user: str = "", source: str = "") -> dict:
    """Check `data` and make it the store's template (audited); a refused file leaves the store untouched."""
    try:
        check(data)
    except TemplateProblem as e:
        raise TemplateProblem(f"{e}模板未保存，库中的通报模板没有改变。") from None
    return stored.save(store, data, user=user, source=source)
