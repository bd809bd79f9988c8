"""The dashboard through Streamlit's AppTest: every page renders, KPI values, URL filters, ledger page, import flow.

Runs against a small hand-made store (tests/app_store.py: 3 counties, 3 months) pointed at by KPM_STORE.
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from data.ingest import import_file
from data.store import DEMO_DIR, Store
from tests import app_store as fx
from tests.auth_helpers import analyst_env, sign_in
from tests.factories import ledger_rows, tree_bytes, write_csv, write_table_xlsx, write_xlsx
from tests.helpers import APP as APP_PATH, ROOT, app_pages, start_app  # noqa: F401  (ROOT: for paths in these tests)
from ui.i18n import LABELS

APP = str(APP_PATH)
TIMEOUT = 30
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


PAGES = [(p, k) for p, k, *_ in app_pages()]  # (script path, label key) of every page app.py registers


@pytest.fixture
def store(tmp_path, monkeypatch) -> Store:
    s = fx.build_store(tmp_path / "store")
    monkeypatch.setenv("KPM_STORE", str(s.root))
    return s


def start(query: dict | None = None, page: str | None = None) -> AppTest:
    """Run app.py (optionally with URL query parameters), then switch to a page and run again."""
    return start_app(query, page, TIMEOUT)


def kpi_values(at: AppTest) -> dict[str, str]:
    """Indicator name → the value shown on its KPI tile (tiles are HTML in markdown elements)."""
    out = {}
    for m in at.markdown:
        for hit in re.finditer(r'<div class="lbl"><span>(.*?)</span>.*?<div class="val">(.*?)</div>', m.value, re.S):
            out[hit.group(1)] = hit.group(2)
    return out


def qp(at: AppTest, key: str) -> list[str]:
    """A URL query parameter as a list (AppTest gives a lone value as a string)."""
    v = at.query_params.get(key)
    return [] if v is None else [v] if isinstance(v, str) else list(v)


def texts(at: AppTest) -> str:
    """Everything written as markdown, caption, alert or text (for 'is it on the page' checks)."""
    parts = [x.value for x in (*at.markdown, *at.caption, *at.text, *at.info, *at.warning, *at.error, *at.success,
                               *at.subheader, *at.title)]
    return "\n".join(str(p) for p in parts)


# ---- every page ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("path,key", PAGES, ids=[Path(p).stem for p, _ in PAGES])
def test_every_page_renders(store, path, key):
    at = start(page=path)
    assert [x.value for x in at.title] == [LABELS[key][0]]
    assert not at.exception
    # the page ran inside app.py (the sidebar selection is there), not as a bare script
    assert [s.label for s in at.sidebar.selectbox] == ["报送月份"]
    assert at.sidebar.selectbox[0].value == "2024-06"


def test_every_page_renders_in_english(store):
    at = start(query={"lang": "en"})
    for path, key in PAGES:
        at.switch_page(path).run()
        assert not at.exception, (path, [e.value for e in at.exception])
        assert [x.value for x in at.title] == [LABELS[key][1]], path


def test_every_page_renders_for_an_empty_selection(store):
    """A filter no project matches: every page says so instead of failing."""
    at = start(query={"level": ["省级"], "county": ["甲县"]})
    for path, _ in PAGES:
        at.switch_page(path).run()
        assert not at.exception, (path, [e.value for e in at.exception])
        shown = [w.value for w in at.main.warning]
        # 数据管理 lists the stored months and 督办事项 its items (filtered by their own 承办单位) whatever the selection
        if path not in ("pages/admin.py", "pages/duban.py"):
            assert "当前筛选条件下没有项目，请放宽筛选。" in shown, path


# ---- 总览 KPI values and URL filters ------------------------------------------------------------------------------
def test_overview_shows_the_hand_computed_completion_rate(store):
    at = start()
    kpi = kpi_values(at)
    assert kpi["投资完成率"] == fx.pct(fx.RATE_ALL) == "36.4%"
    # 进度偏差 = 36.36% − 50% (June)
    assert kpi["进度偏差"] == f"{(fx.RATE_ALL - 0.5) * 100:+.1f}个百分点" == "-13.6个百分点"


def test_county_in_the_url_changes_the_numbers(store):
    at = start(query={"county": ["甲县"]})
    assert kpi_values(at)["投资完成率"] == fx.pct(fx.RATE_JIA) == "45.0%"
    assert at.sidebar.multiselect[0].value == ["甲县"]
    assert "县区：甲县" in texts(at)


def test_month_in_the_url_changes_the_numbers(store):
    at = start(query={"month": "2024-05"})
    assert at.sidebar.selectbox[0].value == "2024-05"
    assert kpi_values(at)["投资完成率"] == fx.pct(fx.RATE_MAY_ALL) == "27.3%"


def test_unknown_url_values_are_ignored(store):
    at = start(query={"month": "1999-01", "county": ["不存在县"]})
    assert at.sidebar.selectbox[0].value == "2024-06"
    assert kpi_values(at)["投资完成率"] == "36.4%"


def test_the_selection_is_written_back_to_the_url(store):
    at = start()
    at.sidebar.multiselect[0].set_value(["乙县"]).run()
    assert qp(at, "county") == ["乙县"]
    assert kpi_values(at)["投资完成率"] == "40.0%"   # 800 / 2000


# ---- 项目台账 ---------------------------------------------------------------------------------------------------
def ledger(query: dict | None = None) -> AppTest:
    return start(query=query, page="pages/ledger.py")


def test_ledger_lists_the_filtered_projects_and_searches(store):
    at = ledger({"county": ["丙区", "甲县"]})
    table = at.dataframe[0].value
    assert sorted(table["项目编码"]) == ["CQ01", "CQ02", "JA01", "JA02"]
    assert "投资完成率(%)" in table.columns and "总投资(万元)" in table.columns
    assert table.set_index("项目编码").loc["JA01", "投资完成率(%)"] == pytest.approx(60.0)  # 600 of 1,000
    at.text_input(key="ledger_q").input("供水").run()
    assert list(at.dataframe[0].value["项目编码"]) == ["JA02"]
    at.text_input(key="ledger_q").input("cq0").run()          # IDs match case-insensitively
    assert sorted(at.dataframe[0].value["项目编码"]) == ["CQ01", "CQ02"]
    at.multiselect(key="ledger_status").set_value(["停工"]).run()
    assert list(at.dataframe[0].value["项目编码"]) == ["CQ02"]
    assert [b.label for b in at.get("download_button")][:2] == ["下载 CSV", "下载 Excel"]


def test_ledger_watch_lists_show_counts_rule_and_rows(store):
    at = ledger()
    at.session_state["ledger_tab"] = "预警清单"
    at.run()
    pills = at.get("button_group")[0]
    shown = texts(at)
    assert "滞后项目清单 · 共 2 个项目" in shown
    assert "完成率低于时序进度10个百分点以上" in shown           # the caliber text
    assert sorted(at.dataframe[0].value["项目编码"]) == ["CQ01", "JA02"]
    pills.set_value("stopped").run()
    assert "停工项目清单 · 共 1 个项目" in texts(at)
    assert list(at.dataframe[0].value["项目编码"]) == ["CQ02"]
    pills = at.get("button_group")[0]
    pills.set_value("leader_missing").run()
    assert list(at.dataframe[0].value["项目编码"]) == ["YB01"]


def test_ticking_a_row_opens_the_project_history(store):
    at = ledger()
    ids = list(at.dataframe[0].value["项目编码"])
    row = ids.index("CQ02")
    at.session_state["ledger_table"] = {"selection": {"rows": [row], "columns": [], "cells": []}}
    at.run()
    assert not at.exception
    assert at.session_state["ledger_tab"] == "项目档案"
    assert qp(at, "project") == ["CQ02"]
    assert [x.value for x in at.subheader] == ["丙区污水处理厂二期"]


def test_watch_list_row_opens_the_history(store):
    at = ledger()
    at.session_state["ledger_tab"] = "预警清单"
    at.run()
    at.get("button_group")[0].set_value("problems").run()
    assert list(at.dataframe[0].value["项目编码"]) == ["CQ02"]
    at.session_state["wl_problems"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    assert qp(at, "project") == ["CQ02"]
    assert [x.value for x in at.subheader] == ["丙区污水处理厂二期"]


def test_project_in_the_url_opens_its_history(store):
    at = ledger({"project": "CQ02"})
    assert at.session_state["ledger_tab"] == "项目档案"
    assert at.selectbox(key="ledger_project").value == "CQ02"
    shown = texts(at)
    # status change in June only, listed once as a change
    changes = at.dataframe[0].value
    assert changes.to_dict("records") == [{"报送月份": "2024-06", "字段": "建设状态", "变更前": "在建", "变更后": "停工"}]
    assert "首次报送 2024-04" in shown
    assert "六项前期手续均已办结" in shown
    # a money figure names its own unit; its label does not name another ("总投资(万元)" above "26.0亿元" did)
    figures = {m.label: m.value for m in at.metric}
    assert {"总投资", "年度计划投资", "本年累计完成投资"} <= set(figures)
    assert not [label for label in figures if "万元" in label]
    assert all(figures[k].endswith(("万元", "亿元")) for k in ("总投资", "年度计划投资", "本年累计完成投资"))
    # the month-by-month table covers the three months
    assert list(at.dataframe[1].value["报送月份"].astype(str).str[:7]) == ["2024-04", "2024-05", "2024-06"]
    charts = at.get("vega_lite_chart")
    assert len(charts) == 2                                      # investment curve and procedures timeline


def test_history_problem_text_is_plain_text_never_markup(store):
    at = ledger({"project": "CQ02"})
    assert [x.value for x in at.text] == [fx.PROBLEM]             # st.text: no Markdown, no HTML
    assert not any("不到位" in m.value for m in at.markdown)


def test_history_shows_build_type_changes_and_missing_procedures(store):
    at = ledger({"project": "JA02"})
    changes = at.dataframe[0].value.to_dict("records")
    assert {"报送月份": "2024-05", "字段": "建设性质", "变更前": "前期", "变更后": "新开工"} in changes
    assert "未办结：环评、能评、施工许可" in texts(at)
    assert "各月均未报告问题" in texts(at)


def test_choosing_a_project_puts_it_in_the_url(store):
    at = ledger()
    at.session_state["ledger_tab"] = "项目档案"
    at.run()
    assert "请选择一个项目" in texts(at)
    at.selectbox(key="ledger_project").select("YB01").run()
    assert qp(at, "project") == ["YB01"]
    assert [x.value for x in at.subheader] == ["乙县装备制造基地"]


def test_unknown_project_in_the_url_is_reported(store):
    at = ledger({"project": "NOPE"})
    assert "库中没有项目编码“NOPE”" in texts(at)


# ---- 数据管理: the import flow through the file uploader ----------------------------------------------------------
def next_month_frame() -> pl.DataFrame:
    """July: June's projects grown a little, YB02 dropped (a 'missing' warning), one new project."""
    june = fx.month_frame("2024-06")
    july = june.filter(pl.col("project_id") != "YB02").with_columns(
        pl.lit(dt.date(2024, 7, 1)).alias("snapshot_month"),
        (pl.col("completed_investment_ytd") * 1.2).alias("completed_investment_ytd"),
        (pl.col("completed_investment_total") + pl.col("completed_investment_ytd") * 0.2)
        .alias("completed_investment_total"))
    new = july.filter(pl.col("project_id") == "JA02").with_columns(
        pl.lit("JA03").alias("project_id"), pl.lit("甲县物流园").alias("project_name"))
    return pl.concat([july, new])


@pytest.fixture
def analyst(monkeypatch) -> None:
    """The analyst password is configured (the page is read-only until someone signs in)."""
    analyst_env(monkeypatch)


def admin() -> AppTest:
    """The 数据管理 page, signed in as the analyst (needs the `analyst` fixture)."""
    at = sign_in(start(page="pages/admin.py"))
    assert not at.exception and at.file_uploader, "sign-in did not open the upload"
    return at


def upload(at: AppTest, name: str, content: bytes, mime: str = XLSX) -> AppTest:
    at.file_uploader[0].set_value((name, content, mime))
    return at.run()


def tables_with(at: AppTest, column: str) -> list:
    """The shown tables (pandas) that have a column, in page order."""
    return [d.value for d in at.dataframe if column in d.value.columns]


def test_admin_shows_months_audit_and_sample(store):
    at = start(page="pages/admin.py")                          # viewers see the months and the log too
    months = tables_with(at, "来源文件")[0]
    assert list(months["报送月份"]) == list(fx.MONTHS)
    assert list(months["行数"]) == [6, 6, 6]
    assert list(months["来源文件"]) == [f"fixture_{m}.xlsx" for m in fx.MONTHS]
    audit = tables_with(at, "操作")[0]
    assert list(audit["报送月份"]) == list(reversed(fx.MONTHS))   # newest first
    assert set(audit["操作"]) == {"导入"}
    labels = [b.label for b in at.get("download_button")]
    assert "下载示例台账（Excel）" in labels


def test_a_good_file_is_checked_previewed_and_stored(store, analyst, tmp_path):
    content = write_xlsx(next_month_frame(), tmp_path / "七月台账.xlsx").read_bytes()
    before = tree_bytes(store.root)
    at = upload(admin(), "七月台账.xlsx", content)
    assert not at.exception
    metrics = {m.label: (m.value, m.delta) for m in at.metric}
    assert metrics["报送月份"][0] == "2024-07"
    assert metrics["行数"][0] == "6"
    assert metrics["错误"][0] == "0"
    assert metrics["新增项目"][0] == "1"
    assert metrics["上月有、本月缺失"][0] == "1"
    assert metrics["本月行数"] == ("6", "+0（上月 6）")
    assert len(tables_with(at, "规则")) == 1                     # no error table: warnings only
    warnings = tables_with(at, "规则")[0]
    assert list(warnings.columns) == ["规则", "列", "行", "值", "说明"]
    assert set(warnings["规则"]) == {"新增项目", "上月项目本月缺失"}
    assert "检查通过，可以导入。" in texts(at)
    assert tree_bytes(store.root) == before                     # the check wrote nothing
    confirm = at.button(key="admin_confirm")
    assert not confirm.disabled
    at = confirm.click().run()
    assert not at.exception
    assert any("已导入 2024-07：6 行" in s.value for s in at.success)
    assert Store(store.root).months() == [*fx.MONTHS, "2024-07"]
    assert Store(store.root).read("2024-07").height == 6
    assert at.sidebar.selectbox[0].options[0] == "2024-07"       # pages now see the new month
    audit = tables_with(at, "操作")[0]
    assert audit.iloc[0]["报送月份"] == "2024-07" and audit.iloc[0]["操作"] == "导入"
    assert not at.file_uploader[0].value                          # the uploader is emptied for the next file


def test_a_bad_file_is_refused_with_its_report_and_the_store_is_untouched(store, analyst, tmp_path):
    bad = next_month_frame().with_columns(
        pl.when(pl.col("project_id") == "JA01").then(pl.lit("乙类")).otherwise(pl.col("category")).alias("category"),
        pl.when(pl.col("project_id") == "CQ01").then(None).otherwise(pl.col("project_name")).alias("project_name"))
    content = write_csv(bad, tmp_path / "bad.csv").read_bytes()
    before = tree_bytes(store.root)
    at = upload(admin(), "bad.csv", content, "text/csv")
    assert not at.exception
    errors = tables_with(at, "规则")[0]                           # errors come first
    assert list(errors.columns) == ["规则", "列", "行", "值", "说明"]
    # CSV row 2 is JA01 (产业, 新兴产业: a category that is not 产业 also leaves its 产业类型 one too many); row 5 CQ01
    assert sorted(tuple(str(v) for v in r[:4]) for r in errors.values.tolist()) == [
        ("产业类型应为空", "产业类型", "2", "新兴产业"), ("取值不在范围", "项目类别", "2", "乙类"),
        ("必填项为空", "项目名称", "5", "")]
    assert {m.label: m.value for m in at.metric}["错误"] == "3"
    assert any("未通过检查" in e.value for e in at.error)
    assert at.button(key="admin_confirm").disabled
    assert tree_bytes(store.root) == before


def test_an_existing_month_needs_replace(store, analyst, tmp_path):
    june = fx.month_frame("2024-06").with_columns(pl.col("leader").fill_null("赵六"))
    content = write_xlsx(june, tmp_path / "june.xlsx").read_bytes()
    before = tree_bytes(store.root)
    at = upload(admin(), "june.xlsx", content)
    assert at.button(key="admin_confirm").disabled
    assert any("已有 2024-06" in w.value for w in at.warning)
    assert tree_bytes(store.root) == before
    at.checkbox(key="admin_replace").check().run()
    at.text_input(key="admin_user").input("李分析").run()
    assert not at.button(key="admin_confirm").disabled
    at = at.button(key="admin_confirm").click().run()
    assert any("已导入 2024-06" in s.value for s in at.success)
    rec = Store(store.root).audit()[-1]
    assert (rec["action"], rec["month"], rec["user"]) == ("replace", "2024-06", "analyst（李分析）")
    assert len(Store(store.root).history("2024-06")) == 1
    assert Store(store.root).read("2024-06").get_column("leader").null_count() == 0


def test_month_option_for_a_file_without_a_month_column(store, analyst, tmp_path):
    headers, rows = ledger_rows(next_month_frame(), style="cells")
    keep = [i for i, h in enumerate(headers) if h != "报送月份"]
    path = write_table_xlsx([headers[i] for i in keep], [[r[i] for i in keep] for r in rows],
                            tmp_path / "no_month.xlsx")
    at = admin()
    at.text_input(key="admin_month").input("2024-07").run()
    at = upload(at, "no_month.xlsx", path.read_bytes())
    assert {m.label: m.value for m in at.metric}["报送月份"] == "2024-07"


def test_admin_never_writes_into_the_demo_city(monkeypatch, analyst):
    monkeypatch.setenv("KPM_STORE", str(DEMO_DIR))
    at = sign_in(start(page="pages/admin.py"))
    assert any("演示数据目录" in e.value for e in at.error)
    assert not at.file_uploader


def test_the_sample_ledger_passes_the_check(tmp_path):
    from ui.admin.importing import sample_ledger_bytes, sample_source

    frame = sample_source()  # the committed demo city's latest month
    assert frame["snapshot_month"][0] == dt.date(2025, 12, 1) and frame.height == 857
    out = import_file(sample_ledger_bytes(frame), store=Store(tmp_path / "empty"), filename="sample.xlsx",
                      dry_run=True)
    assert out.errors == [], out.report()
    assert out.ok and out.rows == 857 and out.month == "2025-12"
    assert not (tmp_path / "empty").exists()


def test_each_cached_read_keeps_its_own_cache(store):
    """Two reads of the access layer with the same arguments and cache size answer each for itself: the one
    caching helper gives every function it wraps its own cache, though all are keyed on the store's content."""
    from metrics.filters import Filters
    from ui import cached

    rows = cached.snapshot("2024-06", Filters())
    assert sorted(rows["project_id"].to_list()) == ["CQ01", "CQ02", "JA01", "JA02", "YB01", "YB02"]
    gap = cached.gap_to_target("2024-06", Filters())
    assert sorted(gap["county"].to_list()) == ["丙区", "乙县", "甲县"] and "project_id" not in gap.columns
