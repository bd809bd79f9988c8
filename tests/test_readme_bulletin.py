"""README, bulletin: "the gap to the annual plan" section with its figures, and the city in the title from `--city`
or `$KPM_CITY` (default 示范市). Figures are worked out by hand from a three-county store.

One 续建 project per county (政府投资, 基础设施, so only 投资完成率 separates them in the ranking):
  June:     甲县 plan 12,100, ytd 3,000   乙县 plan 2,500, ytd 1,800   丙县 plan 6,000, ytd 6,600
  December: 甲县 plan 12,100, ytd 10,000  乙县 plan 2,500, ytd 2,600   丙县 plan 6,000, ytd 6,600
Rank order (completion rate) both months: 丙县, 乙县, 甲县.
"""
from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.table import Table
from openpyxl import load_workbook

from data.store import Store
from reports.cli import main as cli_main
from tests.factories import snapshot

GAP_HEAD = ["县区", "年度计划投资(亿元)", "本年完成投资(亿元)", "投资完成率", "距年度计划差额(亿元)", "此后每月需完成(亿元)",
            "下月需完成以回到时序进度(亿元)"]
# June, six months left (amounts in 亿元, the unit of the table's largest, 12,100万元; two decimals):
#   甲县 rate 3000/12100 = 24.8 %; shortfall 9,100; a month 9100/6 = 1,516.67; next month 12100×7/12 − 3000 = 4,058.33
#   乙县 rate 72.0 %; shortfall 700; a month 116.67; next month 2500×7/12 − 1800 = −341.67 → 0
#   丙县 rate 110.0 %; nothing short: 0, 0, 0
JUNE_ROWS = [["丙县", "0.60", "0.66", "110.0%", "0.00", "0.00", "0.00"],
             ["乙县", "0.25", "0.18", "72.0%", "0.07", "0.01", "0.00"],
             ["甲县", "1.21", "0.30", "24.8%", "0.91", "0.15", "0.41"]]
# December: no month left, so nothing a month; 甲县 is 12100 − 10000 = 2,100 short (82.6 %).
DECEMBER_ROWS = [["丙县", "0.60", "0.66", "110.0%", "0.00", "—", "—"],
                 ["乙县", "0.25", "0.26", "104.0%", "0.00", "—", "—"],
                 ["甲县", "1.21", "1.00", "82.6%", "0.21", "—", "—"]]
PLAN = {"甲县": 12_100, "乙县": 2_500, "丙县": 6_000}
YTD = {"2024-06": {"甲县": 3_000, "乙县": 1_800, "丙县": 6_600}, "2024-12": {"甲县": 10_000, "乙县": 2_600, "丙县": 6_600}}


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("gap_store")
    s = Store(root)
    for month, ytd in YTD.items():
        s.write(snapshot(month, *[dict(project_id=f"P{c}", county=c, total_investment=50_000,
                                       plan_investment_year=PLAN[c], completed_investment_ytd=ytd[c],
                                       completed_investment_total=ytd[c] + 1_000) for c in PLAN]),
                source=f"{month}.xlsx", user="test")
    return root


def _bulletin(store: Path, out: Path, month: str, *extra: str) -> tuple[Document, str]:
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        assert cli_main(["bulletin", "--data", str(store), "--month", month, "--out", str(out), *extra]) == 0
    return Document(str(out)), buf.getvalue()


def _blocks(doc) -> list[tuple[str, object]]:
    """The body in order: ('p', text) and ('t', rows of cell text)."""
    out = []
    for el in doc.element.body.iterchildren():
        if el.tag == qn("w:p"):
            out.append(("p", "".join(t.text or "" for t in el.iter(qn("w:t")))))
        elif el.tag == qn("w:tbl"):
            out.append(("t", [[c.text for c in row.cells] for row in Table(el, doc).rows]))
    return out


def _gap_section(doc) -> tuple[str, list[list[str]]]:
    """The paragraph and the table under the heading 'N、距年度计划'."""
    bl = _blocks(doc)
    i = next(k for k, (kind, v) in enumerate(bl) if kind == "p" and v.endswith("、距年度计划"))
    (kind_p, para), (kind_t, table) = bl[i + 1], bl[i + 2]
    assert kind_p == "p" and kind_t == "t", bl[i:i + 3]
    return para, table


def test_gap_section_in_june(store, tmp_path):
    doc, _ = _bulletin(store, tmp_path / "6月.docx", "2024-06", "--xlsx", str(tmp_path / "6月.xlsx"))
    para, table = _gap_section(doc)
    assert para == "截至2024年6月，各县区距年度计划投资的差额，以及此后6个月每月需完成的投资（亿元）如下。"
    assert table == [GAP_HEAD] + JUNE_ROWS
    ws = load_workbook(tmp_path / "6月.xlsx", read_only=True)["距年度目标"]
    rows = {r[0]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    head = [c.value for c in next(ws.iter_rows(max_row=1))]
    jia = dict(zip(head, rows["甲县"]))
    assert jia["距年度计划差额(亿元)"] == pytest.approx(0.91)  # the workbook in the unit its header names
    assert jia["此后每月需完成(亿元)"] == pytest.approx(9_100 / 6 / 10_000)
    assert jia["下月需完成以回到时序进度(亿元)"] == pytest.approx((12_100 * 7 / 12 - 3_000) / 10_000)
    assert jia["剩余月数"] == 6


def test_gap_section_in_december(store, tmp_path):
    doc, _ = _bulletin(store, tmp_path / "12月.docx", "2024-12")
    para, table = _gap_section(doc)
    assert para == "本月为年末，各县区年度计划完成情况如下（亿元）。"
    assert table == [GAP_HEAD] + DECEMBER_ROWS


# ---- the city in the title ----------------------------------------------------------------------------------------
def _titles(doc) -> list[str]:
    return [p.text for p in doc.paragraphs]


def test_city_defaults_to_the_demo_city(store, tmp_path, monkeypatch):
    monkeypatch.delenv("KPM_CITY", raising=False)
    doc, out = _bulletin(store, tmp_path / "b.docx", "2024-06")
    assert "示范市重点项目建设情况通报（2024年6月）" in _titles(doc)
    assert "示范市重点项目建设情况通报（2024年6月）" in out


def test_city_option_names_the_city_everywhere_it_is_promised(store, tmp_path, monkeypatch):
    monkeypatch.delenv("KPM_CITY", raising=False)
    doc, out = _bulletin(store, tmp_path / "b.docx", "2024-06", "--city", "汉中市")
    texts = _titles(doc)
    assert "汉中市重点项目建设情况通报（2024年6月）" in texts                     # the title
    assert texts[0] == "汉中市重点项目建设工作领导小组办公室"                       # the red head
    assert "汉中市重点办〔2024〕6号" in texts                                     # the document number
    assert doc.core_properties.title == "汉中市重点项目建设情况通报（2024年6月）"
    assert "汉中市重点项目建设情况通报（2024年6月）" in out
    assert not any("示范市" in t for t in texts)


def test_city_from_the_environment(store, tmp_path, monkeypatch):
    monkeypatch.setenv("KPM_CITY", "榆林市")
    doc, _ = _bulletin(store, tmp_path / "b.docx", "2024-06")
    assert "榆林市重点项目建设情况通报（2024年6月）" in _titles(doc)
    doc, _ = _bulletin(store, tmp_path / "c.docx", "2024-06", "--city", "汉中市")  # the option wins over $KPM_CITY
    assert "汉中市重点项目建设情况通报（2024年6月）" in _titles(doc)
