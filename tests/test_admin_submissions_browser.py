"""The reporter → review → publish path in a real browser: a county's reporter signs in with a named account,
uploads their ledger (待审核), signs out; an analyst signs in, publishes it (通过), and 报送情况 shows it 已发布.
Uses the server machinery of tests/test_app_browser.py (streamlit run on a free port, Debian's Chromium)."""
from __future__ import annotations

import polars as pl

from data.accounts import users
from data.store import Store
from tests import app_store as fx
from tests.factories import write_xlsx
from tests.helpers import streamlit_server
from tests.test_app_browser import assert_no_error, page, shoot, wait_done  # noqa: F401  (the browser fixture: conftest)

REPORTER, ANALYST = ("wang", "甲县填报员-口令-1"), ("li", "分析员李-口令-22")


def july_of_jia() -> pl.DataFrame:
    """甲县's June rows as its July ledger (this year's and the since-start totals up by 100 万元)."""
    june = fx.month_frame("2024-06").filter(pl.col("county") == "甲县")
    return june.with_columns(pl.col("snapshot_month").dt.offset_by("1mo"),
                             (pl.col("completed_investment_ytd") + 100).alias("completed_investment_ytd"),
                             (pl.col("completed_investment_total") + 100).alias("completed_investment_total"))


def sign_in(pg, name: str, password: str) -> None:
    pg.get_by_label("用户名").fill(name)
    pg.get_by_label("口令", exact=True).fill(password)
    pg.get_by_role("button", name="登录").click()
    pg.get_by_text(f"已登录：{name}").first.wait_for()


def test_reporter_uploads_analyst_publishes_in_the_browser(tmp_path, page):  # noqa: F811
    store = fx.build_store(tmp_path / "store")
    users.add(store, REPORTER[0], "reporter", REPORTER[1], unit="甲县")
    users.add(store, ANALYST[0], "analyst", ANALYST[1])
    ledger = write_xlsx(july_of_jia(), tmp_path / "甲县_2024年7月_重点项目台账.xlsx")
    with streamlit_server(store.root, tmp_path) as srv:
        page.goto(f"{srv['url']}/admin", wait_until="domcontentloaded")
        page.get_by_label("用户名").wait_for()
        # the reporter: upload, check, submit → 待审核
        sign_in(page, *REPORTER)
        page.get_by_text("报送单位：甲县。只能报送本单位的台账").wait_for()
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(ledger))
        page.get_by_text("检查通过，可以提交审核。").wait_for()
        page.get_by_role("button", name="提交审核").click()
        page.get_by_text("已提交 2024-07 甲县 的台账（2 个项目），等待分析员审核").wait_for()
        wait_done(page)
        assert_no_error(page, "reporter-submitted", srv)
        rec = Store(store.root).audit()[-1]
        assert (rec["action"], rec["unit"], rec["user"]) == ("submit", "甲县", "wang")
        assert Store(store.root).months() == list(fx.MONTHS)    # not published yet
        page.get_by_role("tab", name="我的报送").click()
        mine = page.get_by_role("tabpanel", name="我的报送")
        mine.locator('[role="gridcell"]', has_text="待审核").first.wait_for(state="attached")  # the grid's a11y copy
        shoot(page, "submissions_reporter")
        page.get_by_role("button", name="退出登录").click()
        # the analyst: the review queue, 通过
        sign_in(page, *ANALYST)
        page.get_by_text("有 1 份填报员的报送等待审核").wait_for()
        page.get_by_role("tab", name="待审核").click()
        review = page.get_by_role("tabpanel", name="待审核")
        review.get_by_text("2024-07 · 甲县").wait_for()
        review.get_by_text("复核通过：没有错误，可以发布。").wait_for()
        shoot(page, "submissions_review")
        review.get_by_role("button", name="通过并发布").click()
        page.get_by_text("已发布 2024-07 甲县 的报送，已计入当月数据（当月共 2 个项目）。").wait_for()
        wait_done(page)
        review.get_by_text("没有待审核的报送。").wait_for()      # the page stays on the review tab
        assert_no_error(page, "analyst-published", srv)
        snap = Store(store.root).read("2024-07")
        assert sorted(snap["project_id"]) == ["JA01", "JA02"]
        # 报送情况 of July: 甲县 已发布, the other counties 未报送
        page.get_by_role("tab", name="报送情况").click()
        report = page.get_by_role("tabpanel", name="报送情况")
        report.get_by_test_id("stSelectbox").first.click()
        page.get_by_role("option", name="2024-07").click()
        report.get_by_text("2024年7月：3个单位中1个已报送").first.wait_for()
        wait_done(page)
        grid = report.get_by_test_id("stDataFrame").first
        cells = grid.locator('[role="gridcell"]').all_text_contents()
        first_row = cells[:3]
        assert first_row == ["甲县", "已发布", "2"], cells[:16]
        assert cells.count("未报送") == 2
        shoot(page, "submissions_report")
