"""数据管理 · 年度名单 in a real browser (issue #26): an analyst imports the year's list (checked first), sees it by unit;
re-importing a unit needs 替换 (增补 A3, 调出 A2: version 2); a refused file leaves the store byte-identical; the audit
log reads 导入年度名单."""
from __future__ import annotations

from data import register
from data.accounts import users
from data.store import Store
from tests.factories import tree_bytes
from tests.helpers import streamlit_server
from tests.real_tables import write_rows
from tests.test_admin_submissions_browser import sign_in
from tests.test_app_browser import assert_no_error, page, shoot, wait_done  # noqa: F401  (the browser fixture: conftest)
from tests.test_register_form import REGISTER

ANALYST = ("li", "分析员李-口令-22")
JUNE = [REGISTER[0], REGISTER[1], ["A3", "甲县冷链中心", "甲县", "基础设施", "县级", "新开工", "民间投资", 5000, 1000, "是", "开工"]]
BAD = [REGISTER[0], ["A1", "甲县物流园", "甲县", "基础设施", "县级", "续建", "国有企业", "很多", 3000, "否", None]]


def upload(pg, path, replace: bool = False) -> None:
    panel = pg.get_by_role("tabpanel", name="年度名单")
    panel.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(path))
    panel.get_by_label("名单年度").fill("2025")
    panel.get_by_label("名单年度").press("Enter")
    if replace:
        panel.get_by_text("替换该单位已有的本年度名单").click()
    wait_done(pg)


def test_analyst_imports_and_replaces_the_register(tmp_path, page):  # noqa: F811
    store = Store(tmp_path / "store")
    users.add(store, *ANALYST[:1], "analyst", ANALYST[1])
    first, june, bad = (write_rows(rows, tmp_path / f"{n}.xlsx") for n, rows in (("名单", REGISTER), ("增补", JUNE),
                                                                                ("错误", BAD)))
    with streamlit_server(store.root, tmp_path) as srv:
        page.goto(f"{srv['url']}/admin", wait_until="domcontentloaded")
        page.get_by_label("用户名").wait_for()
        sign_in(page, *ANALYST)
        page.get_by_role("tab", name="年度名单").click()
        panel = page.get_by_role("tabpanel", name="年度名单")
        panel.get_by_text("库中还没有").wait_for()
        # a refused file: errors in Chinese, no button, nothing written
        before = tree_bytes(store.root)
        upload(page, bad)
        panel.get_by_text("检查未通过，不能导入").wait_for()
        assert panel.get_by_role("button", name="确认导入名单").is_disabled()
        assert tree_bytes(store.root) == before
        # the first import
        upload(page, first)
        panel.get_by_text("检查通过，可以导入名单").wait_for()
        panel.get_by_text("原 0 项 → 新 2 项：增补 2 项").first.wait_for()
        panel.get_by_role("button", name="确认导入名单").click()
        page.get_by_text("已导入2025年度名单：甲县：原 0 项 → 新 2 项").wait_for()
        wait_done(page)
        panel.get_by_text("2025年度重点项目名单：1 个单位，2 个项目。").wait_for()
        panel.get_by_text("甲县 · 2 项 · 第 1 版").wait_for()
        assert register.units(Store(store.root), 2025) == ["甲县"]
        # 增补 A3 and 调出 A2: the unit's list exists, so 替换 is asked for
        upload(page, june)
        panel.get_by_text("名单中的单位本年度已有名单").wait_for()
        assert panel.get_by_role("button", name="确认导入名单").is_disabled()
        panel.get_by_text("替换该单位已有的本年度名单").click()
        wait_done(page)
        panel.get_by_text("原 2 项 → 新 2 项：增补 1 项（“甲县冷链中心”）、调出 1 项（“甲县农贸市场”）、属性有变化 0 项").first.wait_for()
        shoot(page, "register_panel_check")
        panel.get_by_role("button", name="确认导入名单").click()
        page.get_by_text("已导入2025年度名单：甲县：原 2 项 → 新 2 项").wait_for()
        wait_done(page)
        panel.get_by_text("甲县 · 2 项 · 第 2 版").wait_for()
        assert_no_error(page, "register-imported", srv)
        shoot(page, "register_panel")
        versions = panel.get_by_test_id("stDataFrame").last.locator('[role="gridcell"]').all_text_contents()
        assert versions[:8] == ["2", "甲县", versions[2], "替换", "2", "1", "1", "0"], versions
        page.get_by_role("tab", name="操作记录").click()
        log = page.get_by_role("tabpanel", name="操作记录")
        log.locator('[role="gridcell"]', has_text="导入年度名单").first.wait_for(state="attached")
    parts = register.read(Store(store.root), 2025)
    assert parts["甲县"]["project_id"].to_list() == ["A1", "A3"]
    recs = [r for r in Store(store.root).audit() if r["action"] == "register"]
    assert [(r["user"], r["units"]["甲县"]["replaced"]) for r in recs] == [("li", False), ("li", True)]
