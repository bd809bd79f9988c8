"""在线填报 in a real browser (issue #26): a county's reporter signs in, opens this month's progress form (prefilled
from the year's register and May), edits 形象进度 and 本年累计完成投资, reloads the page (the draft is kept on the
server), signs out and in again (still kept), submits for review; an analyst signs in and publishes it as any
submission; the published June snapshot holds the edited values and the register's attributes."""
from __future__ import annotations

import datetime as dt

from data import register
from data.accounts import users
from data.ingest import import_file
from data.store import Store
from tests.helpers import streamlit_server
from tests.real_tables import write_rows
from tests.test_admin_submissions_browser import sign_in
from tests.test_app_browser import assert_no_error, page, shoot, wait_done  # noqa: F401  (the browser fixture: conftest)
from tests.test_register_form import MAY, REGISTER

REPORTER, ANALYST = ("wang", "甲县填报员-口令-1"), ("li", "分析员李-口令-22")
A2_MAY = ["2025-05", "A2", "甲县农贸市场", "甲县", "社会民生", "县级", "新开工", "在建", "政府投资", 2000, 800, 300, 300, 200,
          "2025-03-01", "否", "否", "基础开挖"]


def build(tmp_path) -> Store:
    """甲县 with its 2025 register (A1, A2) and May published (both projects)."""
    store = Store(tmp_path / "store")
    assert register.import_register(write_rows(REGISTER, tmp_path / "r.xlsx"), store=store, year=2025).ok
    assert import_file(write_rows([*MAY, A2_MAY], tmp_path / "m.xlsx"), store=store).ok
    users.add(store, REPORTER[0], "reporter", REPORTER[1], unit="甲县")
    users.add(store, ANALYST[0], "analyst", ANALYST[1])
    return store


def grid(pg):
    return pg.get_by_role("tabpanel", name="在线填报").get_by_test_id("stDataFrame").first


def edit_cell(pg, row: int, col: int, text: str) -> None:
    """Type `text` into the editor's cell (row, col: 0-based, data rows under the header) and commit it with Enter;
    then wait for the rerun the draft's save starts."""
    wait_done(pg)
    box = grid(pg).bounding_box()
    pg.mouse.click(box["x"] + 20, box["y"] + 35 + 35 * row + 17)      # the row's first (pinned) cell
    pg.wait_for_timeout(300)
    for _ in range(col):
        pg.keyboard.press("ArrowRight")
    pg.keyboard.press("Enter")                                           # open the cell's editor
    editor = pg.locator("#portal textarea, #portal input").first
    editor.wait_for()
    editor.fill(text)
    pg.keyboard.press("Enter")
    wait_done(pg)


def cells(pg) -> list[str]:
    return grid(pg).locator('[role="gridcell"]').all_text_contents()


def open_form(pg) -> None:
    pg.get_by_role("tab", name="在线填报").click()
    pg.get_by_text("2025-06 甲县 项目进度在线填报").wait_for()
    wait_done(pg)


def test_reporter_fills_the_form_reloads_submits_analyst_publishes(tmp_path, page):  # noqa: F811
    store = build(tmp_path)
    with streamlit_server(store.root, tmp_path) as srv:
        page.goto(f"{srv['url']}/admin", wait_until="domcontentloaded")
        page.get_by_label("用户名").wait_for()
        sign_in(page, *REPORTER)
        open_form(page)
        page.get_by_text("已按2025年度名单、2025-05已发布的数据预填。").first.wait_for()
        assert "主体三层" in cells(page) and "基础开挖" in cells(page)
        # columns: 项目名称 (pinned), 项目编码, 检查结果, 本年累计完成投资, 建设状态, 形象进度 …
        edit_cell(page, 0, 5, "主体封顶")
        shoot(page, "online_form_edit1")
        page.get_by_text("这是您保存的草稿").first.wait_for()
        edit_cell(page, 0, 3, "1600")
        assert "主体封顶" in cells(page) and "1600" in cells(page)
        draft = Store(store.root).root / "drafts" / "2025-06" / "甲县.parquet"
        assert draft.exists()
        shoot(page, "online_form_draft")
        # a reload: a new session, the draft is read back from the server
        page.reload(wait_until="domcontentloaded")
        page.get_by_role("button", name="退出登录").or_(page.get_by_label("用户名")).first.wait_for()
        if page.get_by_label("用户名").count():
            sign_in(page, *REPORTER)
        open_form(page)
        page.get_by_text("这是您保存的草稿").first.wait_for()
        assert "主体封顶" in cells(page) and "1600" in cells(page)
        # a sign-out and in again: still there
        page.get_by_role("button", name="退出登录").click()
        sign_in(page, *REPORTER)
        open_form(page)
        assert "主体封顶" in cells(page)
        page.get_by_text("在线填报检查通过：没有错误，可以提交审核。").wait_for()
        page.get_by_role("button", name="提交审核").click()
        page.get_by_text("已提交 2025-06 甲县 的在线填报（2 个项目），等待分析员审核。").wait_for()
        wait_done(page)
        assert_no_error(page, "form-submitted", srv)
        assert not draft.exists()                                  # submitted: the draft is gone
        rec = Store(store.root).audit()[-1]
        assert (rec["action"], rec["unit"], rec["month"], rec["user"]) == ("submit", "甲县", "2025-06", "wang")
        assert Store(store.root).months() == ["2025-05"]           # awaiting review, not published
        page.get_by_role("button", name="退出登录").click()
        # the analyst publishes it as any submission
        sign_in(page, *ANALYST)
        page.get_by_role("tab", name="待审核").click()
        review = page.get_by_role("tabpanel", name="待审核")
        review.get_by_text("2025-06 · 甲县").wait_for()
        review.get_by_text("复核通过：没有错误，可以发布。").wait_for()
        review.get_by_role("button", name="通过并发布").click()
        page.get_by_text("已发布 2025-06 甲县 的报送").wait_for()
        wait_done(page)
        assert_no_error(page, "form-published", srv)
    snap = Store(store.root).read("2025-06").sort("project_id")
    assert snap["project_id"].to_list() == ["A1", "A2"]
    assert snap["progress_note"].to_list() == ["主体封顶", "基础开挖"]
    assert snap["completed_investment_ytd"].to_list() == [1600.0, 300.0]
    assert snap["total_investment"].to_list() == [9000.0, 2000.0]             # the register's, not edited
    assert snap["target_note"].to_list() == ["主体完工", None]
    assert snap["snapshot_month"].to_list() == [dt.date(2025, 6, 1)] * 2

