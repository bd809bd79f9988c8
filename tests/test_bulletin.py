"""月通报: the Word bulletin and its workbook, read back and checked against the metrics CLI.

The store is a fixture written with tests/ledger.py snapshots: four counties over four months (2025-03…06), so
the ranking has a 红旗, a 蜗牛 and 约谈预警 (bottom 3 of 4 for three months), and every watch list has rows except
where a zero is part of the check. Figures are compared with `python -m metrics indicators/ranking/lists
--format json`, run in-process through metrics.__main__.main.
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
from metrics import bulletin
from metrics.__main__ import main as cli_main
from metrics.bulletin import (KEY_FIGURES, build_bulletin, build_workbook, figure_header, figure_text,
                              rank_change_text)
from metrics.engine import Dataset, Filters
from metrics.format import fmt_money, fmt_points, fmt_rate
from metrics.registry import BY_ID, DIMENSIONS
from metrics.watchlists import WATCH_LISTS
from tests.ledger import snapshot

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


def test_ranking_table_is_the_cli_ranking_in_rank_order(doc, cli):
    bl = blocks(doc)
    table = next(v for k, v in bl if k == "t" and v[0][:2] == ["名次", "县区"])
    assert table[0] == ["名次", "县区", "得分", "名次变化", "红旗/蜗牛", "约谈预警"]
    rows = table[1:]
    assert [r[1] for r in rows] == [r["county"] for r in cli["ranking"]]
    for got, want in zip(rows, cli["ranking"]):
        assert got[0] == str(want["rank"])
        assert got[2] == f"{want['score']:.1f}"
        assert got[3] == rank_change_text(want["rank_change"])
        assert got[4] == (want["flag"] or "")
        assert got[5] == ("约谈预警" if want["warning"] else "")
    flags = [r[4] for r in rows]
    assert flags[0] == "红旗" and flags[-1] == "蜗牛"


def test_interview_warnings_are_explained_in_words(doc, cli):
    warned = [r for r in cli["ranking"] if r["warning"]]
    assert warned, "the fixture is built so that the trailing counties are warned"
    texts = [p.text for p in doc.paragraphs]
    for r in warned:
        assert any(r["county"] in t and r["explanation"] in t for t in texts), r["county"]
        assert r["explanation"].startswith("连续3个月排名后3位：")


def test_summary_states_the_cli_figures(doc, cli):
    ind = cli["indicators"]
    summary = next(p.text for p in doc.paragraphs if p.text.startswith("全市共有重点项目"))
    assert f"全市共有重点项目{ind['project_count']}个" in summary
    assert f"本年完成投资{fmt_money(ind['completed_ytd_sum'], '亿元')}" in summary
    assert f"投资完成率{fmt_rate(ind['investment_completion_rate'])}" in summary
    side = "低于" if ind["schedule_deviation"] < 0 else "高于"
    assert f"{side}时序进度{fmt_points(ind['schedule_deviation'], signed=False)}" in summary
    assert f"新开工项目开工率{fmt_rate(ind['start_rate'])}" in summary
    assert f"民间投资占比{fmt_rate(ind['private_share'])}" in summary
    assert f"滞后项目{ind['lagging_projects']}个" in summary


def test_dimension_tables_equal_the_cli_by_county(doc, cli):
    bl = blocks(doc)
    rank_order = [r["county"] for r in cli["ranking"]]
    for k, (dim, ids) in enumerate(KEY_FIGURES.items()):
        name = DIMENSIONS[dim]
        table = table_after(bl, f"（{'一二三四五六七八九十'[k]}）{name}")
        assert table[0] == ["县区"] + [figure_header(i) for i in ids]
        assert all(h.startswith(BY_ID[i].zh + "(") for h, i in zip(table[0][1:], ids))
        assert [r[0] for r in table[1:]] == rank_order + ["全市"]
        for row in table[1:]:
            want = cli["indicators"] if row[0] == "全市" else cli["by_county"][row[0]]
            assert row[1:] == [figure_text(i, want[i]) for i in ids], (name, row[0])


def test_watch_list_annexes_have_the_cli_counts(doc, cli):
    bl = blocks(doc)
    assert any(n > 0 for n in cli["lists"].values()) and any(n == 0 for n in cli["lists"].values())
    for k, w in enumerate(WATCH_LISTS, 1):
        n = cli["lists"][w.id]
        table = table_after(bl, f"{w.zh}（2025年6月，{n}个）")
        assert (0 if table is None else len(table) - 1) == n, w.zh
        if table:
            assert table[0][0] == "序号" and [r[0] for r in table[1:]] == [str(i) for i in range(1, n + 1)]
        assert any(kind == "p" and v == f"附件{k}" for kind, v in bl)


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
    from metrics.export import _sheet_name

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
