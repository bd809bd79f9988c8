"""月通报: the Word bulletin and its workbook, read back and checked against the metrics CLI.

The store is a fixture written with tests/factories.py snapshots: four counties over four months (2025-03…06), so
the ranking has a 红旗, a 蜗牛 and 约谈预警 (bottom 3 of 4 for three months), and every watch list has rows except
where a zero is part of the check. The printed figures are literals worked out from the fixture (each county's
projects are fixed by the seeded generator below; the sums, rates and scores were recomputed in plain Python,
outside metrics/, before being written here), so a broken formatter or figure fails them; the workbook is
compared with `python -m metrics … --format json`, run in-process through reports.cli.main.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import random
import subprocess
import sys
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.table import Table
from openpyxl import load_workbook

from data.store import Store
from metrics.dataset import Dataset
from metrics.filters import Filters
from metrics.ranking import Item, Scorecard
from metrics.watchlists import WATCH_LISTS
from reports import bulletin
from reports.bulletin import build_bulletin, build_workbook
from reports.cli import main as cli_main
from tests.factories import D as LD, snapshot, store_of

ROOT = Path(__file__).resolve().parents[1]
D = dt.date
MONTHS = ("2025-03", "2025-04", "2025-05", "2025-06")
MONTH = "2025-06"
COUNTIES = ("甲县", "乙县", "丙区", "丁县")
# How well each county does (0..1): 甲县 leads, 丁县 trails every month → 红旗/蜗牛 and 约谈预警 are stable.
# No project is stopped, so the 停工 and 续建未复工 annexes are empty (the document says 本月无 instead of a table).
STRENGTH = {"甲县": 0.95, "乙县": 0.7, "丙区": 0.5, "丁县": 0.2}
ALL_PROCS = {"proc_approval": D(2024, 1, 10), "proc_land": D(2024, 2, 10), "proc_planning": D(2024, 3, 10),
             "proc_eia": D(2024, 4, 10), "proc_energy": D(2024, 5, 10), "proc_construction_permit": D(2024, 6, 10)}


def _projects() -> list[dict]:
    """A fixed set of projects per county (the same ids every month); values scaled by month later."""
    rnd = random.Random(20250630)
    out = []
    for c_i, county in enumerate(COUNTIES):
        s = STRENGTH[county]
        for k in range(8):
            build = ["续建", "续建", "新开工", "新开工", "新开工", "前期", "储备", "续建"][k]
            cat = "产业" if k % 2 == 0 or rnd.random() < s else "基础设施"
            total = float(rnd.choice([6_000, 12_000, 30_000, 80_000, 150_000]))
            plan = 0.0 if build in ("前期", "储备") else round(total * 0.2, 0)
            started = build == "续建" or (build == "新开工" and rnd.random() < s + 0.1)
            p = dict(
                project_id=f"P{c_i}{k:02d}", project_name=f"{county}重点项目{k + 1}号", county=county,
                chain=rnd.choice(["新材料", "装备制造", None]) if cat == "产业" else None, category=cat,
                industry_class=("新兴产业" if rnd.random() < s else "传统产业") if cat == "产业" else None,
                level=["省级", "市级", "县级"][k % 3], build_type=build,
                status="在建" if started else "未开工",
                investor_type="民间投资" if rnd.random() < s else rnd.choice(["政府投资", "国有企业"]),
                total_investment=total, plan_investment_year=plan,
                _full_ytd=round(plan * (s * 0.9 + 0.05), 0) if started else 0.0,
                funds_in_place_ytd=0.0, planned_start=D(2025, 2, 1) if build == "新开工" else None,
                actual_start=(D(2024, 6, 1) if build == "续建" else D(2025, 2, 15)) if started else None,
                is_signed_attraction=k in (2, 3, 6), leader="王强" if rnd.random() < s + 0.2 else None,
                problems="征地未完成" if rnd.random() > s else None, in_statistics=rnd.random() < s + 0.3,
                **(ALL_PROCS if rnd.random() < s + 0.2 else {"proc_approval": D(2024, 12, 1)}))
            out.append(p)
    return out


def _month_frame(month: str, projects: list[dict]):
    m = int(month[5:])
    rows = []
    for p in projects:
        r = {k: v for k, v in p.items() if not k.startswith("_")}
        r["completed_investment_ytd"] = round(p["_full_ytd"] * m / 6, 0)
        r["completed_investment_total"] = r["completed_investment_ytd"] + (5_000.0 if p["build_type"] == "续建" else 0)
        r["funds_in_place_ytd"] = r["completed_investment_ytd"] * 0.8
        if r["actual_start"] and r["actual_start"] > dt.date(2025, m, 28):
            r["actual_start"] = None
        rows.append(r)
    return snapshot(month, *rows)


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("bulletin_store")
    store = Store(root)
    projects = _projects()
    for m in MONTHS:
        store.write(_month_frame(m, projects), source=f"台账_{m}.xlsx", user="test")
    return root


def cli_json(*args: str) -> dict:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert cli_main(list(args)) == 0
    return json.loads(out.getvalue())


@pytest.fixture(scope="module")
def cli(store_dir):
    d = ["--data", str(store_dir), "--month", MONTH, "--format", "json"]
    return {
        "ranking": cli_json("ranking", *d)["rows"],
        "indicators": cli_json("indicators", *d)["indicators"],
        "by_county": {r["county"]: r["indicators"] for r in cli_json("indicators", *d, "--by", "county")["rows"]},
        "lists": {w.id: cli_json("lists", *d, "--list", w.id)["count"] for w in WATCH_LISTS},
    }


@pytest.fixture(scope="module")
def files(store_dir, tmp_path_factory) -> tuple[Path, Path]:
    """The CLI writes the bulletin and its workbook."""
    out = tmp_path_factory.mktemp("bulletin_out")
    docx, xlsx = out / "通报.docx", out / "通报.xlsx"
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        rc = cli_main(["bulletin", "--data", str(store_dir), "--month", MONTH, "--out", str(docx), "--xlsx", str(xlsx)])
    assert rc == 0
    assert "已写出" in buf.getvalue()
    return docx, xlsx


def blocks(doc) -> list[tuple[str, object]]:
    """The body in order: ('p', text) for paragraphs, ('t', [[cell text]]) for tables."""
    out = []
    for el in doc.element.body.iterchildren():
        if el.tag == qn("w:p"):
            out.append(("p", "".join(t.text or "" for t in el.iter(qn("w:t")))))
        elif el.tag == qn("w:tbl"):
            tbl = Table(el, doc)
            out.append(("t", [[c.text for c in row.cells] for row in tbl.rows]))
    return out


def table_after(bl, heading: str) -> list[list[str]] | None:
    """The first table after the paragraph that equals (or ends with) `heading`; None if a paragraph says 无."""
    seen = False
    for kind, v in bl:
        if kind == "p" and (v == heading or v.endswith(heading)):
            seen = True
        elif seen and kind == "t":
            return v
        elif seen and kind == "p" and "本月无此类项目" in v:
            return None
    raise AssertionError(f"no table after {heading!r}")


@pytest.fixture(scope="module")
def doc(files):
    return Document(str(files[0]))


def test_cli_writes_the_docx_and_the_xlsx(files):
    docx, xlsx = files
    assert docx.stat().st_size > 10_000 and docx.read_bytes()[:2] == b"PK"
    assert xlsx.stat().st_size > 5_000 and xlsx.read_bytes()[:2] == b"PK"


def test_cli_as_a_subprocess(store_dir, tmp_path):
    out = tmp_path / "b.docx"
    r = subprocess.run([sys.executable, "-m", "metrics", "bulletin", "--data", str(store_dir), "--month", MONTH,
                        "--out", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert out.exists() and "2025年6月" in r.stdout


def test_title_red_head_and_data_month(doc):
    texts = [p.text for p in doc.paragraphs]
    assert "示范市重点项目建设情况通报（2025年6月）" in texts
    head = doc.paragraphs[0]
    assert head.text == "示范市重点项目建设工作领导小组办公室"
    assert str(head.runs[0].font.color.rgb) == "FF0000"
    assert any("〔2025〕6号" in t for t in texts)
    assert any("数据月份：2025年6月" in t for t in texts)


RANK_TABLE = [["名次", "县区", "得分", "名次变化", "红旗/蜗牛", "约谈预警"],
              ["1", "甲县", "100.0", "→0", "红旗", ""],
              ["2", "乙县", "82.2", "→0", "", "约谈预警"],
              ["3", "丙区", "66.9", "→0", "", "约谈预警"],
              ["4", "丁县", "0.0", "→0", "蜗牛", "约谈预警"]]


def test_ranking_table(doc):
    # scores: 甲 leads on every scorecard item (100); 丁 trails on every one (0); 乙 82.19, 丙 66.86
    bl = blocks(doc)
    assert next(v for k, v in bl if k == "t" and v[0][:2] == ["名次", "县区"]) == RANK_TABLE
    assert ("p", "按评分表（投资完成率30分、新开工项目开工率20分、民间投资占比15分、产业投资占比15分、前期手续办结率10分、"
                 "签约项目开工率10分）对各县区综合评分排名。综合排名第一、获评“红旗”的是甲县；排名末位、列为“蜗牛”的是丁县。") in bl


def test_rank_change_arrows_in_the_ranking_table():
    """Ranks that move between two months print as ↑n / ↓n (→0 unmoved, — with no previous month)."""
    card = Scorecard((Item("investment_completion_rate", 1, "higher"),), 2, 2)  # bottom 2 two months running

    def month(m: str, rates: dict[str, float]):
        return snapshot(m, *[dict(project_id=f"C{i}", county=c, plan_investment_year=100,
                                  completed_investment_ytd=r * 100, actual_start=LD(2024, 1, 5))
                             for i, (c, r) in enumerate(rates.items())])

    apr = month("2024-04", {"甲县": 0.1, "乙县": 0.5, "丙区": 0.3, "丁县": 0.2})  # 乙 1, 丙 2, 丁 3, 甲 4
    may = month("2024-05", {"甲县": 0.5, "乙县": 0.4, "丙区": 0.3, "丁县": 0.1})  # 甲 1, 乙 2, 丙 3, 丁 4
    ds = Dataset.from_frame(store_of(apr, may))
    assert bulletin.collect(ds, "2024-05", card=card).tables["县区排名"].text == [
        ["名次", "县区", "得分", "名次变化", "红旗/蜗牛", "约谈预警"],
        ["1", "甲县", "100.0", "↑3", "红旗", ""],
        ["2", "乙县", "75.0", "↓1", "", ""],
        ["3", "丙区", "50.0", "↓1", "", ""],
        ["4", "丁县", "0.0", "↓1", "蜗牛", "约谈预警"]]
    assert [r[3] for r in bulletin.collect(ds, "2024-04", card=card).tables["县区排名"].text[1:]] == ["—"] * 4


def test_interview_warnings_are_explained_in_words(doc):
    texts = [p.text for p in doc.paragraphs]
    assert "按照连续3个月排名后3位予以约谈预警的规定，本月乙县、丙区、丁县触发约谈预警，主要失分原因如下：" in texts
    i = texts.index("三、约谈预警")
    assert texts[i + 2:i + 5] == [
        "1．乙县（第2名）：连续3个月排名后3位：投资完成率68.0%，落后最优（甲县）22.5个百分点；前期手续办结率79.2%，"
        "落后最优（甲县）20.8个百分点；民间投资占比80.7%，落后最优（甲县）19.3个百分点。",
        "2．丙区（第3名）：连续3个月排名后3位：投资完成率50.0%，落后最优（甲县）40.5个百分点；前期手续办结率58.3%，"
        "落后最优（甲县）41.7个百分点；民间投资占比57.7%，低于目标2.3个百分点。",
        "3．丁县（第4名，蜗牛）：连续3个月排名后3位：投资完成率6.0%，低于时序进度44.0个百分点；新开工项目开工率0.0%，"
        "低于目标100.0个百分点；民间投资占比17.9%，低于目标42.1个百分点。"]


def test_summary_states_the_figures(doc):
    # construction set: plan 295,600, ytd 152,438 (51.59 %), this month 25,404 vs May 25,411 (−0.03 %: 持平);
    # 新开工 started 9 of 12; 民间 62.38 %, 产业 88.63 % of the construction set's total investment.
    # Part 2 (checked against tests/oracle_part2.py): no 2024-06 snapshot (no 同比); all 12 new starts due by June, 3
    # of them not started, none early; 红 6, 黄 2; all 10 problems reported three months running or more;
    # the lingering-problems annex comes after the twelve watch lists.
    summary = next(p.text for p in doc.paragraphs if p.text.startswith("全市共有重点项目"))
    assert summary == (
        "全市共有重点项目32个，总投资177.2亿元。建设项目（新开工、续建）年度计划投资29.6亿元，本年完成投资15.2亿元"
        "（去年同期无可比数据），投资完成率51.6%，高于时序进度1.6个百分点（时序进度50.0%）。当月完成投资2.5亿元，环比持平；"
        "亿元以上项目当月新开工0个。本年度计划开工项目12个（其中1-6月序时应开工12个），已开工9个（其中提前开工0个，"
        "应开工未开工3个），完成年度计划开工的75.0%（目标100.0%，差25.0个百分点）；续建项目复工率100.0%"
        "（目标100.0%，已达标）。民间投资占比62.4%（目标60.0%，已达标），产业投资占比88.6%（目标60.0%，已达标），"
        "新兴产业占比63.4%。滞后项目6个，停工项目0个，僵尸项目3个，存在问题项目10个（其中问题超过3个月未解决的10个，"
        "见附件13）；招商签约项目12个，签约项目开工率50.0%（目标30.0%，已达标）。三色预警：红灯项目6个，黄灯项目2个。")


# Each dimension's table as printed: header, then one row per county in rank order, then 全市 (cells split on spaces).
DIMENSION_TABLES = {
    "（一）项目推进": [
        "县区 项目个数(个) 本年完成投资(亿元) 当月完成投资(亿元) 投资完成率(%) 进度偏差(百分点) 新开工项目开工率(%) "
        "续建项目复工率(%) 滞后项目数(个)",
        "甲县 8 6.48 1.08 90.5 +40.5 100.0 100.0 0",
        "乙县 8 5.63 0.94 68.0 +18.0 100.0 100.0 0",
        "丙区 8 2.60 0.43 50.0 +0.0 100.0 100.0 0",
        "丁县 8 0.53 0.09 6.0 -44.0 0.0 100.0 6",
        "全市 32 15.24 2.54 51.6 +1.6 75.0 100.0 6"],
    "（二）投资结构": [
        "县区 总投资(亿元) 民间投资占比(%) 产业投资占比(%) 政府投资占比(%)",
        "甲县 51.40 100.0 100.0 0.0",
        "乙县 45.00 80.7 97.1 0.0",
        "丙区 32.00 57.7 97.7 33.1",
        "丁县 48.80 17.9 66.4 0.0",
        "全市 177.20 62.4 88.6 5.8"],
    "（三）产业结构": [
        "县区 新兴产业占比(%) 传统产业占比(%)",
        "甲县 100.0 0.0", "乙县 77.1 22.9", "丙区 63.8 36.2", "丁县 0.0 100.0", "全市 63.4 36.6"],
    "（四）链群配套": [
        "县区 链上项目投资占比(%) 产业链覆盖度(%)",
        "甲县 43.6 100.0", "乙县 62.7 100.0", "丙区 92.9 50.0", "丁县 37.2 100.0", "全市 57.6 100.0"],
    "（五）项目效益": [  # no project is in production: every figure is undefined
        "县区 投资利税率(%) 亩均税收(万元/亩) 投产率(%)",
        "甲县 — — —", "乙县 — — —", "丙区 — — —", "丁县 — — —", "全市 — — —"],
    "（六）管理服务": [
        "县区 前期手续办结率(%) 领导包抓覆盖率(%) 存在问题项目数(个) 立项至开工天数(中位数)(天) 入统率(%)",
        "甲县 100.0 100.0 0 402 100.0",
        "乙县 79.2 100.0 1 402 100.0",
        "丙区 58.3 60.0 2 76 66.7",
        "丁县 58.3 0.0 7 — 66.7",
        "全市 74.0 65.0 10 402 85.7"],
    "（七）谋划招商": [
        "县区 储备(前期)项目总投资(亿元) 储备转化率(%) 招商签约项目数(个) 签约项目开工率(%)",
        "甲县 15.60 0.0 3 66.7",
        "乙县 3.60 0.0 3 66.7",
        "丙区 6.00 0.0 3 66.7",
        "丁县 4.20 0.0 3 0.0",
        "全市 29.40 0.0 12 50.0"],
}


def test_dimension_tables_print_each_countys_figures(doc):
    bl = blocks(doc)
    for heading, rows in DIMENSION_TABLES.items():
        assert table_after(bl, heading) == [r.split(" ") for r in rows], heading


LIST_COUNTS = {"lagging": 6, "zombie": 3, "stopped": 0, "overdue_start": 3, "procedures_outstanding": 5,
               "signed_not_started": 6, "problems": 10, "not_in_statistics": 3, "leader_missing": 7, "not_resumed": 0,
               "red_light": 6, "yellow_light": 2}  # lights: checked against tests/oracle_part2.py


def test_lingering_problems_annex(doc):
    """The last annex lists the long_standing_problems rows (10 here, oracle-checked), each with its months."""
    bl = blocks(doc)
    assert ("p", "13．问题超3个月未解决项目清单（10个）") in bl
    table = table_after(bl, "问题超3个月未解决项目清单（2025年6月，10个）")
    months = table[0].index("问题持续月数")
    assert len(table) == 11 and all(int(r[months]) >= 3 for r in table[1:])


def test_watch_list_annexes(doc, cli):
    bl = blocks(doc)
    assert cli["lists"] == LIST_COUNTS
    for k, w in enumerate(WATCH_LISTS, 1):
        n = LIST_COUNTS[w.id]
        table = table_after(bl, f"{w.zh}（2025年6月，{n}个）")
        assert (0 if table is None else len(table) - 1) == n, w.zh
        if table:
            assert table[0][0] == "序号" and [r[0] for r in table[1:]] == [str(i) for i in range(1, n + 1)]
        assert ("p", f"附件{k}") in bl and ("p", f"{k}．{w.zh}（{n}个）" if k > 1 else f"附件：1．{w.zh}（{n}个）") in bl
    # the first annex as printed: 丁县's projects, largest first, equal totals by code; rates in %, deviation in points
    assert table_after(bl, "滞后项目清单（2025年6月，6个）") == [
        ["序号", "项目编码", "项目名称", "县区", "建设性质", "建设状态", "总投资(万元)", "年度计划投资(万元)",
         "本年累计完成投资(万元)", "投资完成率", "时序进度", "进度偏差(百分点)", "存在问题", "包抓领导"],
        ["1", "P303", "丁县重点项目4号", "丁县", "新开工", "未开工", "150,000", "30,000", "0", "0.0%", "50.0%", "-50.0",
         "征地未完成", ""],
        ["2", "P304", "丁县重点项目5号", "丁县", "新开工", "未开工", "150,000", "30,000", "0", "0.0%", "50.0%", "-50.0", "", ""],
        ["3", "P301", "丁县重点项目2号", "丁县", "续建", "在建", "80,000", "16,000", "3,680", "23.0%", "50.0%", "-27.0",
         "征地未完成", ""],
        ["4", "P302", "丁县重点项目3号", "丁县", "新开工", "未开工", "30,000", "6,000", "0", "0.0%", "50.0%", "-50.0",
         "征地未完成", "王强"],
        ["5", "P307", "丁县重点项目8号", "丁县", "续建", "在建", "30,000", "6,000", "1,380", "23.0%", "50.0%", "-27.0",
         "征地未完成", ""],
        ["6", "P300", "丁县重点项目1号", "丁县", "续建", "在建", "6,000", "1,200", "276", "23.0%", "50.0%", "-27.0",
         "征地未完成", ""]]


def test_workbook_has_one_sheet_per_table(doc, files, cli, store_dir):
    wb = load_workbook(files[1], read_only=True)
    b = bulletin.collect(Dataset.from_store(Store(store_dir)), MONTH)
    assert wb.sheetnames == [bulletin_sheet(n) for n in b.tables]
    doc_tables = [v for k, v in blocks(doc) if k == "t"]
    # every table of the document is a sheet; so are the 约谈预警 (sentences in the document) and empty annexes
    not_drawn = [n for n, t in b.tables.items() if t.prose or (t.frame.height == 0 and n.startswith("附件"))]
    assert "约谈预警" in not_drawn
    assert len(wb.sheetnames) == len(doc_tables) + len(not_drawn)
    rank = wb[bulletin_sheet("县区排名")]
    rows = list(rank.iter_rows(values_only=True))
    assert rows[0][:4] == ("名次", "县区", "得分", "名次变化")
    assert [r[1] for r in rows[1:]] == [r["county"] for r in cli["ranking"]]
    for w in WATCH_LISTS:
        name = next(n for n in b.tables if n.endswith(w.zh))
        assert wb[bulletin_sheet(name)].max_row - 1 == cli["lists"][w.id]


def bulletin_sheet(name: str) -> str:
    from reports.export import _sheet_name

    return _sheet_name(name, [])


def test_chinese_fonts_with_fallbacks_and_page_numbers(files, doc):
    normal = doc.styles["Normal"].element.rPr.rFonts
    assert normal.get(qn("w:eastAsia")) == "仿宋"
    title = next(p for p in doc.paragraphs if p.text.startswith("示范市重点项目建设情况通报"))
    assert title.runs[0].element.rPr.rFonts.get(qn("w:eastAsia")) == "方正小标宋简体"
    heading = next(p for p in doc.paragraphs if p.text == "一、总体情况")
    # generated paragraphs take their fonts from the template's styles (an office restyles them in Word)
    assert heading.runs[0].element.rPr is None
    assert heading.style.element.rPr.rFonts.get(qn("w:eastAsia")) == "黑体"
    import zipfile

    with zipfile.ZipFile(files[0]) as z:
        fonts = z.read("word/fontTable.xml").decode()
        footers = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("word/footer"))
    assert 'w:name="方正小标宋简体"><w:altName w:val="黑体"/>' in fonts
    assert 'w:name="仿宋"><w:altName w:val="FangSong"/>' in fonts
    assert "PAGE" in footers and 'w:fldCharType="begin"' in footers


def test_city_and_filters_are_named(store_dir):
    ds = Dataset.from_store(Store(store_dir))
    d = Document(io.BytesIO(build_bulletin(ds, MONTH, Filters(county=("丁县",)), city="汉中市",
                                           issued=dt.date(2025, 7, 8))))
    texts = [p.text for p in d.paragraphs]
    assert "汉中市重点项目建设情况通报（2025年6月）" in texts
    assert "2025年7月8日" in texts
    assert any(t.startswith("所选范围（县区：丁县）共有重点项目") for t in texts)
    rank = next(v for k, v in blocks(d) if k == "t" and v[0][:2] == ["名次", "县区"])
    assert [r[1] for r in rank[1:]] == ["丁县"]  # ranked among all counties, shown for the selection
    assert rank[1][0] == "4" and rank[1][4] == "蜗牛"
    wb = load_workbook(io.BytesIO(build_workbook(ds, MONTH, Filters(county=("丁县",)))), read_only=True)
    assert "县区排名" in wb.sheetnames


def test_cli_errors_in_chinese(store_dir, tmp_path, capsys):
    with pytest.raises(SystemExit) as e:
        cli_main(["bulletin", "--data", str(store_dir), "--month", "2024-01", "--out", str(tmp_path / "x.docx")])
    assert e.value.code == 2
    assert "库中没有 2024-01 的快照" in capsys.readouterr().err
    with pytest.raises(SystemExit) as e:
        cli_main(["bulletin", "--data", str(store_dir), "--month", MONTH, "--out", str(tmp_path / "x.pdf")])
    assert e.value.code == 2 and ".docx" in capsys.readouterr().err
    assert not (tmp_path / "x.docx").exists()


def test_lingering_annex_on_the_demo_city():
    """October 2025 of the demo city: 81 problem projects, 62 of them reported three months running or more (the
    long_standing_problems count, checked against tests/oracle_part2.py in test_registry_part2) — the annex holds those."""
    from data.store import DEMO_DIR

    b = bulletin.collect(Dataset.from_store(Store(DEMO_DIR)), "2025-10")
    t = b.tables[b.annexes[-1]]
    months = t.text[0].index("问题持续月数")
    assert (b.annexes[-1], len(t.text) - 1, b.summary["problem_projects"]) == ("附件13 问题超3个月未解决项目清单", 62, 81)
    assert min(int(r[months]) for r in t.text[1:]) == 3
