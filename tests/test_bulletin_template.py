"""The bulletin in the office's Word template (issue 16 item 4) and its 报送情况 section (issue 14 item 4).

The default template renders the bulletin as it read before templates (key sentences of the demo month as
literals); a template edited as an office would (python-docx standing in for Word: 红头, 文号 pattern split across
runs, 主送, 落款, fonts) changes the head and nothing else; a broken placeholder is refused naming where it is, the
store byte-identical; `python -m metrics bulletin-template get|set` round-trips; 数据管理 uploads through the page.
"""
from __future__ import annotations

import contextlib
import copy
import datetime as dt
import hashlib
import io
import zipfile
from pathlib import Path

import polars as pl
import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt
from docx.table import Table
from streamlit.testing.v1 import AppTest

from data import bulletin_template as stored
from data.store import Store
from data.submissions import Settings
from metrics.dataset import Dataset
from metrics.filters import Filters
from reports.bulletin import build_bulletin, collect
from reports.bulletin.default_template import build_default
from reports.bulletin.template import DEFAULT_PATH, TemplateProblem, check, install
from reports.cli import main as cli_main
from tests import app_store as fx
from tests.auth_helpers import ANALYST_HASH, sign_in
from tests.factories import tree_bytes, valid_frame

ROOT = Path(__file__).resolve().parents[1]
DEMO = Store(ROOT / "data" / "demo")
MONTH = "2025-06"
ISSUED = dt.date(2025, 7, 8)
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# The default template's paragraphs, in order (see reports/bulletin/default_template.py).
HEAD, NUMBER, TITLE, ADDRESSEES, BODY, SIGNATURE = 0, 1, 3, 4, 6, 13


def blocks(data: bytes) -> list[tuple[str, object]]:
    """The body in order: ('p', text) for paragraphs, ('t', [[cell text]]) for tables."""
    doc = Document(io.BytesIO(data))
    out = []
    for el in doc.element.body.iterchildren():
        if el.tag == qn("w:p"):
            out.append(("p", "".join(t.text or "" for t in el.iter(qn("w:t")))))
        elif el.tag == qn("w:tbl"):
            out.append(("t", [[c.text for c in row.cells] for row in Table(el, doc).rows]))
    return out


def texts(data: bytes) -> list[str]:
    return [v for kind, v in blocks(data) if kind == "p"]


def is_subsequence(wanted: list[str], got: list[str]) -> bool:
    it = iter(got)
    return all(any(w == g for g in it) for w in wanted)


def edit(change, base: bytes | None = None) -> bytes:
    """The default template (or `base`) changed by `change(doc)`, saved again: what an office does in Word."""
    doc = Document(io.BytesIO(base or DEFAULT_PATH.read_bytes()))
    change(doc)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def set_runs(paragraph, *pieces: str) -> None:
    """Replace a paragraph's text by runs (Word splits text, placeholders too, across runs at will)."""
    first = paragraph.runs[0]
    for r in paragraph.runs[1:]:
        r._r.getparent().remove(r._r)
    first.text = pieces[0]
    for piece in pieces[1:]:
        new = copy.deepcopy(first._r)
        first._r.addnext(new)
        first = type(first)(new, paragraph)
        first.text = piece


def office_edit(doc) -> None:
    """The office's own head: 发文机关, 文号 pattern (a placeholder split over two runs), 主送, 落款, fonts."""
    p = doc.paragraphs
    set_runs(p[HEAD], "汉中市发展和改革委员会")
    run = p[HEAD].runs[0]
    run.font.size = Pt(26)
    run.element.rPr.rFonts.set(qn("w:eastAsia"), "华文中宋")
    set_runs(p[NUMBER], "汉发改投资〔{{ ye", "ar }}〕{{ seq }}号")
    set_runs(p[ADDRESSEES], "各县区发展改革局，市直有关部门：")
    set_runs(p[SIGNATURE], "汉中市发展和改革委员会")
    doc.styles["通报正文"].element.rPr.rFonts.set(qn("w:eastAsia"), "仿宋_GB2312")


@pytest.fixture(scope="module")
def demo_bulletin():
    ds = Dataset.from_store(DEMO)
    return ds, collect(ds, MONTH, report=DEMO.report(MONTH))


@pytest.fixture(scope="module")
def default_doc(demo_bulletin) -> bytes:
    ds, b = demo_bulletin
    return build_bulletin(ds, MONTH, bulletin=b, issued=ISSUED)


# ---- the default template ----------------------------------------------------------------------------------------
def test_the_committed_default_template_is_what_the_builder_makes():
    built = zipfile.ZipFile(io.BytesIO(build_default()))
    shipped = zipfile.ZipFile(DEFAULT_PATH)
    assert built.namelist() == shipped.namelist()
    for name in built.namelist():
        assert built.read(name) == shipped.read(name), f"{name}: run python -m reports.bulletin.default_template"
    check(DEFAULT_PATH.read_bytes())


def test_default_rendering_reads_like_the_bulletin(default_doc):
    got = texts(default_doc)
    # The demo's 2025-06: 836 projects, 2,128.5 亿元 in all; ranking 高新区 first, 石门县 last; 10 watch lists.
    key = [
        "示范市重点项目建设工作领导小组办公室",
        "示范市重点办〔2025〕6号",
        "示范市重点项目建设情况通报（2025年6月）",
        "各县（区）人民政府，市直有关部门：",
        "现将2025年6月全市重点项目建设情况通报如下（数据月份：2025年6月，数据截至2025年6月30日，来源为各县区报送的重点项目台账）。",
        "一、总体情况",
        "二、县区综合排名",
        "按评分表（投资完成率30分、新开工项目开工率20分、民间投资占比15分、产业投资占比15分、前期手续办结率10分、签约项目开工率10分）"
        "对各县区综合评分排名。综合排名第一、获评“红旗”的是高新区；排名末位、列为“蜗牛”的是石门县。",
        "三、约谈预警",
        "按照连续3个月排名后3位予以约谈预警的规定，本月北岭县、西城区、石门县触发约谈预警，主要失分原因如下：",
        "3．石门县（第9名，蜗牛）：连续3个月排名后3位：投资完成率29.8%，低于时序进度20.2个百分点；新开工项目开工率32.1%，"
        "低于目标67.9个百分点；产业投资占比30.3%，低于目标29.7个百分点。",
        "四、距年度计划",
        "截至2025年6月，各县区距年度计划投资的差额，以及此后6个月每月需完成的投资（亿元）如下。",
        "五、分项指标", "（一）项目推进", "（七）谋划招商",
        "六、报送情况",
        "本月应报送单位9个，按时报送7个，逾期报送2个（西城区、石门县）。报送截止日为2025年6月25日。",
        "附件：1．滞后项目清单（234个）", "2．僵尸项目清单（65个）", "3．停工项目清单（5个）", "10．续建未复工清单（5个）",
        "示范市重点项目建设工作领导小组办公室", "2025年7月8日",
        "附件1", "滞后项目清单（2025年6月，234个）", "口径：建设项目，年度计划>0、未竣工未投产，完成率低于时序进度10个百分点以上。",
    ]
    assert is_subsequence(key, got), [k for k in key if k not in got]
    summary = next(t for t in got if t.startswith("全市共有重点项目"))
    assert summary.startswith("全市共有重点项目836个，总投资2,128.5亿元。")
    assert "本年完成投资267.3亿元" in summary and "投资完成率45.3%" in summary
    # an independent look at the demo data for the two headline figures
    june = DEMO.read(MONTH)
    assert june.height == 836 and round(june.get_column("total_investment").sum() / 1e4, 1) == 2128.5
    assert not any("{{" in t or "{%" in t for t in got)
    rank = next(v for k, v in blocks(default_doc) if k == "t" and v[0][:2] == ["名次", "县区"])
    assert rank[1][:2] == ["1", "高新区"] and rank[-1][1] == "石门县"


def test_default_layout_red_head_styles_and_landscape_annexes(default_doc):
    doc = Document(io.BytesIO(default_doc))
    head = doc.paragraphs[0]
    assert str(head.runs[0].font.color.rgb) == "FF0000" and head.runs[0].font.size == Pt(22)
    assert head.runs[0].element.rPr.rFonts.get(qn("w:eastAsia")) == "方正小标宋简体"
    assert doc.core_properties.title == "示范市重点项目建设情况通报（2025年6月）"
    assert doc.core_properties.author == "示范市重点项目建设工作领导小组办公室"
    summary = next(p for p in doc.paragraphs if p.text.startswith("全市共有重点项目"))
    assert summary.style.name == "通报正文" and summary.runs[0].element.rPr is None
    assert [s.orientation for s in doc.sections] == [0, 1]  # portrait body, landscape annexes
    assert doc.sections[0].footer.paragraphs[0].text == "— 1 —"


def test_the_checked_names_are_the_rendered_names(demo_bulletin):
    """An upload is checked with sample values: they must be the placeholders a bulletin fills, no more, no less."""
    from docxtpl import DocxTemplate

    from reports.bulletin.document import template_context
    from reports.bulletin.template import PLACEHOLDERS, sample_context

    _, b = demo_bulletin
    tpl = DocxTemplate(io.BytesIO(DEFAULT_PATH.read_bytes()))
    real = template_context(b, "示范市重点项目建设工作领导小组办公室", ISSUED)(tpl)
    assert set(real) == set(sample_context(tpl)) == set(PLACEHOLDERS)
    assert (real["year"], real["month"], real["seq"], real["month_zh"], real["issued"]) == (
        2025, 6, 6, "2025年6月", "2025年7月8日")


# ---- an office's template ----------------------------------------------------------------------------------------
def test_an_edited_template_changes_the_head_and_nothing_else(demo_bulletin, default_doc):
    ds, b = demo_bulletin
    office = edit(office_edit)
    check(office)
    mine = build_bulletin(ds, MONTH, bulletin=b, issued=ISSUED, template=office)
    before, after = blocks(default_doc), blocks(mine)
    assert len(before) == len(after)
    changed = {(x[1], y[1]) for x, y in zip(before, after) if x != y}
    assert changed == {("示范市重点项目建设工作领导小组办公室", "汉中市发展和改革委员会"),
                       ("示范市重点办〔2025〕6号", "汉发改投资〔2025〕6号"),
                       ("各县（区）人民政府，市直有关部门：", "各县区发展改革局，市直有关部门：")}
    changed_at = [i for i, (x, y) in enumerate(zip(before, after)) if x != y]
    assert changed_at[:3] == [0, 1, 4] and len(changed_at) == 4  # the 红头, 文号, 主送 and the 落款
    assert after[changed_at[3] + 1] == ("p", "2025年7月8日")
    doc = Document(io.BytesIO(mine))
    head = doc.paragraphs[0].runs[0]
    assert head.font.size == Pt(26) and head.element.rPr.rFonts.get(qn("w:eastAsia")) == "华文中宋"
    # the office's body font applies to the generated sentences (they carry the style, not a font of their own)
    summary = next(p for p in doc.paragraphs if p.text.startswith("全市共有重点项目"))
    assert summary.style.element.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋_GB2312"


def test_a_template_that_lost_a_style_gets_it_back(demo_bulletin):
    ds, b = demo_bulletin

    def drop(doc):
        for name in ("通报一级标题", "KPM表格正文9", "Table Grid"):
            el = doc.styles[name].element
            el.getparent().remove(el)

    got = build_bulletin(ds, MONTH, bulletin=b, issued=ISSUED, template=edit(drop))
    doc = Document(io.BytesIO(got))
    assert next(p for p in doc.paragraphs if p.text == "一、总体情况").style.name == "通报一级标题"
    gap = next(t for t in doc.tables if t.rows[0].cells[0].text == "县区" and len(t.columns) == 7)
    assert gap._tbl.tblPr.find(qn("w:tblBorders")) is not None  # drawn without the grid style


BROKEN = {
    # name: (change, where, the text quoted, what)
    "syntax": (lambda d: set_runs(d.paragraphs[NUMBER], "{{ city }重点办〔{{ year }}〕{{ seq }}号"),
               "模板正文第2段", "“{{ city }重点办〔{{ year }}〕{{ seq }}号”", "多余或不配对的“}”"),
    "unknown placeholder": (lambda d: set_runs(d.paragraphs[ADDRESSEES], "{{ 主送单位 }}："),
                            "模板正文第5段", "“{{ 主送单位 }}：”", "未知的占位符“主送单位”"),
    "unknown tag": (lambda d: set_runs(d.paragraphs[SIGNATURE], "{% 落款 %}"),
                    "模板正文第14段", "“{% 落款 %}”", "未知的标签“落款”"),
    "before a paragraph loop": (lambda d: set_runs(d.paragraphs[8], "附件：{{ annex_lines[0] }"),
                                "模板正文第9段", "“附件：{{ annex_lines[0] }”", "占位符没有结束"),
    "unclosed loop": (lambda d: d.paragraphs[11]._p.getparent().remove(d.paragraphs[11]._p),
                      "模板正文第10段", "“{%p for line in annex_lines[1:] %}”", "“for”块没有结束"),
    "in a table": (lambda d: d.paragraphs[TITLE]._p.addnext(_table_with(d, "{{ issuer 盖章 }}")),
                   "模板正文第1个表格第2行第2列", "“{{ issuer 盖章 }}”", "占位符中有多余的“盖章”"),
    "in the header": (lambda d: setattr(d.sections[0].header.paragraphs[0], "text", "{{ 密级 }}"),
                      "模板页眉第1段", "“{{ 密级 }}”", "未知的占位符“密级”"),
    "no body": (lambda d: set_runs(d.paragraphs[BODY], "正文"), "", "", "模板中没有 {{p body }}"),
    "body inline": (lambda d: set_runs(d.paragraphs[BODY], "正文：{{ body }}"), "", "",
                    "没有写成单独一段的 {{p body }}"),
}


def _table_with(doc, text: str):
    t = doc.add_table(rows=2, cols=2)
    t.cell(1, 1).text = text
    return t._tbl


@pytest.fixture
def store(tmp_path) -> Store:
    """A store with a month of data and an office template in use already."""
    s = Store(tmp_path / "store")
    s.write(valid_frame(6, "2024-06"), at="2024-06-20T10:00:00", user="test")
    install(s, edit(office_edit), user="first", source="第一版.docx")
    return s


@pytest.mark.parametrize("case", list(BROKEN))
def test_a_broken_placeholder_is_refused_naming_where_and_the_store_is_unchanged(store, case):
    change, where, quoted, what = BROKEN[case]
    before = tree_bytes(store.root)
    with pytest.raises(TemplateProblem) as e:
        install(store, edit(change), user="li", source="坏模板.docx")
    msg = str(e.value)
    assert what in msg, msg
    if where:
        assert f"{where}（{quoted}）：" in msg, msg
    assert msg.endswith("模板未保存，库中的通报模板没有改变。")
    assert tree_bytes(store.root) == before


def test_not_a_word_file_is_refused(store):
    before = tree_bytes(store.root)
    for data in (b"\xd0\xcf\x11\xe0 an old .doc", b"PK\x03\x04 not a zip at all"):
        with pytest.raises(TemplateProblem, match="不是 Word 文档"):
            install(store, data)
    assert tree_bytes(store.root) == before


# ---- command line ------------------------------------------------------------------------------------------------
def run_cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            rc = cli_main(list(args))
        except SystemExit as e:
            rc = e.code
    return rc, out.getvalue(), err.getvalue()


def test_cli_get_set_round_trip(tmp_path):
    s = Store(tmp_path / "store")
    for m in ("2024-05", "2024-06"):
        s.write(valid_frame(6, m), at=f"{m}-20T10:00:00", user="test")
    rc, out, _ = run_cli("bulletin-template", "get", str(tmp_path / "当前.docx"), "--store", str(s.root))
    assert rc == 0 and "默认通报模板" in out
    assert (tmp_path / "当前.docx").read_bytes() == DEFAULT_PATH.read_bytes()

    office = tmp_path / "我办模板.docx"
    office.write_bytes(edit(office_edit, (tmp_path / "当前.docx").read_bytes()))
    rc, out, err = run_cli("bulletin-template", "set", str(office), "--store", str(s.root), "--user", "张三")
    assert rc == 0, err
    assert "已启用通报模板 我办模板.docx" in out
    rec = s.audit()[-1]
    assert (rec["action"], rec["user"], rec["source"], rec["month"]) == ("bulletin_template", "张三", "我办模板.docx", "")
    assert rec["sha256"] == hashlib.sha256(office.read_bytes()).hexdigest()
    rc, out, _ = run_cli("bulletin-template", "get", str(tmp_path / "下载.docx"), "--store", str(s.root))
    assert rc == 0 and "由张三上传" in out and "我办模板.docx" in out
    assert (tmp_path / "下载.docx").read_bytes() == office.read_bytes()
    rc, _, _ = run_cli("bulletin-template", "get", str(tmp_path / "默认.docx"), "--store", str(s.root), "--default")
    assert rc == 0 and (tmp_path / "默认.docx").read_bytes() == DEFAULT_PATH.read_bytes()

    # every later bulletin of the store uses it; --template FILE uses another one for one run
    rc, out, err = run_cli("bulletin", "--data", str(s.root), "--month", "2024-06", "--out", str(tmp_path / "b.docx"))
    assert rc in (0, None), err
    assert "库中上传的模板" in out
    got = texts((tmp_path / "b.docx").read_bytes())
    assert got[:2] == ["汉中市发展和改革委员会", "汉发改投资〔2024〕6号"]
    rc, out, err = run_cli("bulletin", "--data", str(s.root), "--month", "2024-06", "--out", str(tmp_path / "c.docx"),
                           "--template", str(tmp_path / "默认.docx"))
    assert rc in (0, None), err
    assert texts((tmp_path / "c.docx").read_bytes())[:2] == ["示范市重点项目建设工作领导小组办公室", "示范市重点办〔2024〕6号"]

    # a second upload keeps the first one in the template history
    rc, _, err = run_cli("bulletin-template", "set", str(tmp_path / "默认.docx"), "--store", str(s.root))
    assert rc == 0, err
    history = list((s.root / "templates" / "history").glob("bulletin.*.docx"))
    assert [p.read_bytes() for p in history] == [office.read_bytes()]
    assert stored.read(s) == DEFAULT_PATH.read_bytes()


def test_cli_refuses_a_broken_template_and_changes_nothing(store, tmp_path):
    bad = tmp_path / "坏.docx"
    bad.write_bytes(edit(BROKEN["syntax"][0]))
    before = tree_bytes(store.root)
    rc, out, err = run_cli("bulletin-template", "set", str(bad), "--store", str(store.root))
    assert rc == 2 and not out
    assert err.startswith("错误：模板正文第2段（“{{ city }重点办") and "没有改变" in err
    assert tree_bytes(store.root) == before
    rc, _, err = run_cli("bulletin", "--data", str(store.root), "--month", "2024-06", "--out", str(tmp_path / "x.docx"),
                         "--template", str(bad))
    assert rc == 2 and "模板正文第2段" in err and not (tmp_path / "x.docx").exists()


# ---- 报送情况 ------------------------------------------------------------------------------------------------------
def test_reporting_section_names_on_time_late_pending_returned_and_missing_units(tmp_path):
    s = Store(tmp_path / "store")
    s.write(valid_frame(6, "2024-05"), at="2024-05-20T09:00:00")       # 甲县, 乙县, 丙区: expected in June
    june = valid_frame(6, "2024-06")
    s.write(june.filter(pl.col("county") == "甲县"), at="2024-06-20T10:00:00")   # before the 25th: on time
    s.write(june.filter(pl.col("county") == "乙县"), at="2024-06-28T09:00:00")   # late
    s.submit(june.filter(pl.col("county") == "丙区"), unit="丙区", user="wang")   # awaiting review
    s.save_settings(Settings(expected_units=("市交通局", "市水利局")))
    s.submit(june.filter(pl.col("county") == "丙区").head(1), unit="市交通局", user="zhao")
    s.return_submission("2024-06", "市交通局", "请核实本年完成投资", user="li")
    ds = Dataset.from_store(s)
    got = texts(build_bulletin(ds, "2024-06", report=s.report("2024-06"), issued=ISSUED))
    i = got.index("六、报送情况")
    assert got[i + 1] == ("本月应报送单位5个，按时报送1个，逾期报送1个（乙县），已报送待审核1个（丙区），"
                          "被退回修改1个（市交通局），未报送1个（市水利局）。报送截止日为2024年6月25日。")
    # only for the whole city, and only with a store's 报送情况
    assert "六、报送情况" not in texts(build_bulletin(ds, "2024-06", issued=ISSUED))
    assert "六、报送情况" not in texts(build_bulletin(ds, "2024-06", Filters(county=("甲县",)),
                                                 report=s.report("2024-06"), issued=ISSUED))


def test_reporting_section_when_every_unit_is_on_time(tmp_path):
    s = Store(tmp_path / "store")
    s.write(valid_frame(6, "2024-05"), at="2024-05-20T09:00:00")
    s.write(valid_frame(6, "2024-06"), at="2024-06-25T18:00:00")  # on the deadline day is on time
    rc, _, err = run_cli("bulletin", "--data", str(s.root), "--month", "2024-06", "--out", str(tmp_path / "b.docx"))
    assert rc in (0, None), err
    got = texts((tmp_path / "b.docx").read_bytes())
    assert got[got.index("六、报送情况") + 1] == "本月应报送单位3个，按时报送3个。报送截止日为2024年6月25日。"


# ---- 数据管理 ------------------------------------------------------------------------------------------------------
@pytest.fixture
def page_store(tmp_path, monkeypatch) -> Store:
    from ui import auth

    s = fx.build_store(tmp_path / "store")
    monkeypatch.setenv("KPM_STORE", str(s.root))
    monkeypatch.setenv("KPM_ANALYST_PASSWORD_HASH", ANALYST_HASH)
    monkeypatch.chdir(tmp_path)  # no .streamlit/secrets.toml
    auth.LIMITER.reset()
    return s


def admin_page() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.switch_page("pages/admin.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_admin_page_downloads_checks_and_installs_a_template(page_store, tmp_path):
    at = admin_page()
    assert "月通报模板" in [h.value for h in at.subheader]
    assert "当前使用：默认模板。" in [c.value for c in at.caption]
    assert "登录为分析员后可上传模板。" in [i.value for i in at.info]
    assert not [u for u in at.file_uploader if u.key and u.key.startswith("bt_upload")]

    at = sign_in(at)
    assert not [u for u in at.file_uploader if u.key and u.key.startswith("bt_upload")]  # until 更换模板 is on
    at.toggle(key="bt_open").set_value(True).run()
    uploader = next(u for u in at.file_uploader if u.key.startswith("bt_upload"))
    before = tree_bytes(page_store.root)
    uploader.set_value(("坏模板.docx", edit(BROKEN["unknown placeholder"][0]), DOCX))
    at.run()
    at.button(key="bt_install").click().run()
    assert not at.exception, [e.value for e in at.exception]
    errors = " ".join(e.value for e in at.error)
    assert "模板正文第5段（“{{ 主送单位 }}：”）" in errors and "库中的通报模板没有改变" in errors
    assert tree_bytes(page_store.root) == before

    uploader = next(u for u in at.file_uploader if u.key.startswith("bt_upload"))
    uploader.set_value(("我办模板.docx", edit(office_edit), DOCX))
    at.run()
    at.button(key="bt_install").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("已启用通报模板“我办模板.docx”" in s.value for s in at.success)
    rec = page_store.audit()[-1]
    assert (rec["action"], rec["user"], rec["source"]) == ("bulletin_template", "analyst", "我办模板.docx")
    assert any(c.value.startswith("当前使用：我办模板.docx（") for c in at.caption)

    # the page's bulletin (县区比拼) now comes in the office's template, with the month's 报送情况
    from reports.bulletin import office_bulletin

    got = texts(office_bulletin(Dataset.from_store(page_store), page_store, "2024-06", Filters()))
    assert got[0] == "汉中市发展和改革委员会" and "六、报送情况" in got
