"""督办's whole path in a real browser: the analyst opens a 红灯 project in 项目台账, follows its link to 交办 (prefilled
from the project) and assigns it; 丙区's reporter gives feedback and requests closing; the analyst returns it once
with a reason; the reporter sees the reason and asks again; the analyst closes it with a grade. Then the 督办 page as
a viewer sees it (the demo city's log) at 1920×1080, 1024×768 and on a phone. Screenshots: artifacts/screenshots/."""
from __future__ import annotations

import datetime as dt

from data import duban
from data.accounts import users
from data.store import Store
from tests import app_store as fx
from tests.helpers import streamlit_server
from tests.test_app_browser import SHOTS, assert_no_error, page, shoot, wait_done  # noqa: F401  (browser fixture: conftest)

ANALYST, REPORTER = ("li", "分析员李-口令-22"), ("chen", "丙区填报员-口令-5")
SIGN_IN = "登录（分析员交办和审核，填报员反馈本单位事项）"
TODAY = dt.date.today()


def sign_in(pg, name: str, password: str) -> None:
    if not pg.get_by_label("用户名").is_visible():     # the sign-in sits in an expander, open after a sign-out
        pg.get_by_text(SIGN_IN).click()
    pg.get_by_label("用户名").fill(name)
    pg.get_by_label("口令", exact=True).fill(password)
    pg.get_by_role("button", name="登录").click()
    pg.get_by_text(f"已登录：{name}").first.wait_for()
    wait_done(pg)


def sign_out(pg) -> None:
    out = pg.get_by_role("button", name="退出登录")
    if not out.is_visible():
        pg.get_by_text(SIGN_IN).click()
    out.click()
    pg.get_by_label("用户名").wait_for(state="attached")
    wait_done(pg)


def press(pg, name: str, says: str) -> None:
    pg.get_by_role("button", name=name, exact=True).click()
    pg.get_by_text(says).first.wait_for()
    wait_done(pg)


def test_assign_answer_return_close_in_the_browser(tmp_path, page):  # noqa: F811
    store = fx.build_store(tmp_path / "store")
    users.add(store, ANALYST[0], "analyst", ANALYST[1])
    users.add(store, REPORTER[0], "reporter", REPORTER[1], unit="丙区")
    item = f"DB{TODAY.year}-0001"
    due = TODAY + dt.timedelta(days=7)
    with streamlit_server(store.root, tmp_path) as srv:
        # 项目台账: CQ01 is 红 in June; its project view links to 交办
        page.goto(f"{srv['url']}/ledger?project=CQ01", wait_until="domcontentloaded")
        page.get_by_text("丙区智能终端项目").first.wait_for()
        page.get_by_text("交办督办事项（督办页，按本项目预填）").click()
        page.wait_for_url("**/duban?project=CQ01*")
        wait_done(page)
        sign_in(page, *ANALYST)
        panel = page.get_by_role("tabpanel", name="交办")
        panel.get_by_label("督办领导").wait_for()
        assert panel.get_by_label("督办领导").input_value() == "李敏"          # prefilled from CQ01
        assert panel.get_by_role("radio", name="预警").is_checked()           # red two months running: 预警
        content = panel.get_by_label("事项内容")
        content.fill("推进丙区智能终端项目开工，倒排工期")
        content.press("Tab")
        wait_done(page)
        panel.get_by_text(f"按一般事项计算：{due}").wait_for()
        shoot(page, "duban_assign")
        press(page, "交办", f"已交办：{item}（丙区，办理时限 {due}）")
        assert_no_error(page, "assigned", srv)
        sign_out(page)

        # 丙区's reporter: its item first, feedback, then 申请办结
        sign_in(page, *REPORTER)
        mine = page.get_by_role("tabpanel", name="本单位事项")
        mine.get_by_text("承办单位：丙区。").wait_for()
        mine.get_by_label("反馈内容").fill("已召开协调会，施工许可本周办结")
        press(page, "反馈", f"{item}：已反馈。")
        page.get_by_role("tabpanel", name="本单位事项").get_by_label("办理结果").fill("项目已开工")
        press(page, "申请办结", f"{item}：已申请办结。")
        shoot(page, "duban_reporter")
        assert_no_error(page, "requested", srv)
        sign_out(page)

        # the analyst returns it once, with a reason
        sign_in(page, *ANALYST)
        page.get_by_role("tab", name="审核").click()
        review = page.get_by_role("tabpanel", name="审核")
        review.get_by_text(f"申请办结（chen，{TODAY}）：项目已开工").wait_for()   # the item asking first
        form = review.locator('[data-testid="stForm"]', has=page.get_by_role("button", name="退回", exact=True))
        form.get_by_label("原因").fill("缺少开工报告")
        press(page, "退回", f"{item}：已退回。")
        sign_out(page)

        # the reporter sees the return and its reason, and asks again
        sign_in(page, *REPORTER)
        page.get_by_text(f"{item} 被退回（li，{TODAY}）：缺少开工报告").wait_for()
        page.get_by_role("tabpanel", name="本单位事项").get_by_label("办理结果").fill("补充开工报告")
        press(page, "申请办结", f"{item}：已申请办结。")
        sign_out(page)

        # the analyst closes it with a grade
        sign_in(page, *ANALYST)
        page.get_by_role("tab", name="审核").click()
        press(page, "办结", f"{item}：已办结。")
        shoot(page, "duban_closed")
        assert_no_error(page, "closed", srv)
    got = duban.load(Store(store.root)).item(item)
    assert [(s.zh, s.user) for s in got.steps] == [("反馈", "chen"), ("申请办结", "chen"), ("退回", "li"),
                                                   ("申请办结", "chen"), ("办结", "li")]
    assert (got.at().status, got.at().grade, got.project_id, got.source) == ("已办结", "优秀", "CQ01", "预警")


def test_the_desk_at_every_size(tmp_path, browser):
    """A viewer's desk on the demo city's log (an empty store shows the demo city) at three sizes."""
    with streamlit_server(tmp_path / "empty", tmp_path) as srv:
        for name, kw in (("1920x1080", {"viewport": {"width": 1920, "height": 1080}}),
                         ("1024x768", {"viewport": {"width": 1024, "height": 768}}),
                         ("390x844", {"viewport": {"width": 390, "height": 844}, "is_mobile": True,
                                      "has_touch": True, "device_scale_factor": 2})):
            ctx = browser.new_context(locale="zh-CN", **kw)
            pg = ctx.new_page()
            pg.set_default_timeout(60_000)
            pg.goto(f"{srv['url']}/duban", wait_until="domcontentloaded")
            pg.get_by_text("各承办单位办理情况").wait_for()
            wait_done(pg)
            if kw.get("is_mobile"):   # a phone opens with the sidebar closed (ui/phone.py, issue #27)
                pg.wait_for_function("() => document.querySelector('[data-testid=\"stSidebar\"]')"
                                     ".getAttribute('data-collapsed') === 'true'")
            assert_no_error(pg, f"desk {name}", srv)
            # the five indicators of the demo log on 2026-01-20: what `python -m reports duban list --store data/demo
            # --as-of 2026-01-20` prints (the page shows metrics/duban.py's figures, as the command line does)
            assert pg.locator(".kpi .val").all_inner_texts() == ["48 项", "30 项", "45.0%", "10 项", "6 项"]
            SHOTS.mkdir(parents=True, exist_ok=True)
            tall = pg.evaluate("""() => Math.max(...[...document.querySelectorAll(
                '[data-testid="stMain"], [data-testid="stMainBlockContainer"]')].map(e => e.scrollHeight))""")
            pg.set_viewport_size({"width": kw["viewport"]["width"], "height": min(int(tall) + 40, 8000)})
            pg.wait_for_timeout(800)
            pg.screenshot(path=str(SHOTS / f"duban_desk_{name}.png"), full_page=True)
            ctx.close()
