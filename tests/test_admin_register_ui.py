"""数据管理's 在线填报 and 年度名单 without a browser (AppTest and their pure helpers): the 底稿's caption for a unit with a
register, the check column beside each form row, the form's notes, the register's versions. Expected values by hand."""
from __future__ import annotations

import polars as pl

from data import register
from data.problems import Problem
from data.ingest.result import ImportOutcome
from data.store import Store
from tests.real_tables import write_rows
from tests.test_admin_online_form_browser import REPORTER, build
from tests.test_admin_register_browser import JUNE
from tests.test_register_form import REGISTER
from ui.admin.online_form import form_outcome, row_checks
from ui.admin.register_panel import versions_frame


def test_the_template_box_says_a_register_prefills_it(tmp_path, monkeypatch):
    """底稿 of a unit with a register: the caption says the register prefills it (AppTest, the reporter's tab)."""
    from streamlit.testing.v1 import AppTest

    from tests.test_app import APP, TIMEOUT, texts

    store = build(tmp_path)
    monkeypatch.setenv("KPM_STORE", str(store.root))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    at.switch_page("pages/admin.py").run()
    at.text_input(key="_auth_name").input(REPORTER[0])
    at.text_input(key="_auth_pw").input(REPORTER[1])
    at.button(key="FormSubmitter:_auth_form-登录").click().run()
    assert not at.exception, [e.value for e in at.exception]
    shown = texts(at)
    assert "底稿按2025年度名单预填（2 个项目，名单的项目属性已填好），报送月份已设为 2025-06。" \
           "进度各列沿用 2025-05 已发布的数据：更新本月进度后上传即可。" in shown
    # 在线填报's check says where each column the form does not carry came from (both projects are in the register)
    assert "- 项目类别：取自2025年度名单（2项）\n- 项目级别：取自2025年度名单（2项）" in shown
    assert "- 年底应达形象进度：取自2025年度名单（1项），1项无" in shown


def test_each_form_row_gets_its_own_problems():
    out = ImportOutcome(False, "2025-06", 3, [Problem("取值不在范围", "建设状态", 2, "施工", "“施工”不是建设状态的取值")],
                        [Problem("本年累计减少", "本年累计完成投资(万元)", 2, "0", "低于上月"),
                         Problem("本年累计减少", "本年累计完成投资(万元)", 3, "0", "低于上月"),
                         Problem("新增项目", "", 1, "A9", "上月没有这个项目"),
                         Problem("缺少可选列", "产业链", None, "", "没有找到“产业链”列")])
    assert row_checks(out, 3) == ["⚠ 上月没有这个项目", "✖ 建设状态：“施工”不是建设状态的取值；⚠ 本年累计完成投资(万元)：低于上月",
                                  "⚠ 本年累计完成投资(万元)：低于上月"]
    assert [w.rule for w in form_outcome(out).warnings] == ["本年累计减少", "本年累计减少", "新增项目"]  # no column to add on a form


def test_the_registers_versions_unit_by_unit(tmp_path):
    store = Store(tmp_path / "s")
    assert register.import_register(write_rows(REGISTER, tmp_path / "a.xlsx"), store=store, year=2025, user="li").ok
    assert register.import_register(write_rows(JUNE, tmp_path / "b.xlsx"), store=store, year=2025, user="zhao",
                                    replace=True).ok
    got = versions_frame(store, 2025).drop("导入时间")
    assert got.to_dicts() == [
        {"版本": 2, "单位": "甲县", "操作": "替换", "项目数": 2, "增补": 1, "调出": 1, "属性有变化": 0, "来源文件": "b.xlsx",
         "经办人": "zhao"},
        {"版本": 1, "单位": "甲县", "操作": "首次导入", "项目数": 2, "增补": 0, "调出": 0, "属性有变化": 0, "来源文件": "a.xlsx",
         "经办人": "li"}]
    assert versions_frame(store, 2024).height == 0 and isinstance(got, pl.DataFrame)


def test_only_the_progress_columns_come_from_the_browser():
    """A browser sending other values for the disabled columns changes nothing but the progress columns."""
    from ui.admin.online_form import edited_rows

    base = pl.DataFrame({"project_id": ["A1"], "project_name": ["甲县物流园"], "total_investment": [9000.0],
                         "completed_investment_ytd": [1000.0], "progress_note": ["主体三层"]})
    sent = pl.DataFrame({"project_id": ["B9"], "project_name": ["改名"], "total_investment": [1.0],
                         "completed_investment_ytd": [1600], "progress_note": ["主体封顶"], "_check": [""]})
    assert edited_rows(sent, base).to_dicts() == [{"project_id": "A1", "project_name": "甲县物流园",
                                                   "total_investment": 9000.0, "completed_investment_ytd": 1600.0,
                                                   "progress_note": "主体封顶"}]


def test_the_review_says_where_the_missing_columns_came_from(tmp_path, monkeypatch):
    """A form (or progress report) handed in keeps its provenance lines; the analyst's review card shows them."""
    from streamlit.testing.v1 import AppTest

    from data import register_form as rf
    from tests.test_admin_online_form_browser import ANALYST
    from tests.test_app import APP, TIMEOUT, texts

    store = build(tmp_path)
    out = rf.check_form(store, "甲县", "2025-06", rf.progress_form(store, "甲县", "2025-06").rows, submit=True,
                        user="wang")
    assert out.ok and out.record["completions"][:2] == ["项目类别：取自2025年度名单（2项）", "项目级别：取自2025年度名单（2项）"]
    monkeypatch.setenv("KPM_STORE", str(store.root))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    at.switch_page("pages/admin.py").run()
    at.text_input(key="_auth_name").input(ANALYST[0])
    at.text_input(key="_auth_pw").input(ANALYST[1])
    at.button(key="FormSubmitter:_auth_form-登录").click().run()
    assert not at.exception, [e.value for e in at.exception]
    shown = texts(at)
    assert "报送时缺少的列从哪里来" in shown
    assert "- 项目类别：取自2025年度名单（2项）\n- 项目级别：取自2025年度名单（2项）" in shown
