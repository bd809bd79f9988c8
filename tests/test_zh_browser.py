"""Streamlit's own texts in Chinese under the default language, in a real browser (ui/zh.py and the API options):
the uploader, the text inputs' instructions, the tables' toolbar, search and column menu, the multiselects — and a sweep of every visible text on three pages for any Latin word not on the short list of names that
stay (English, Excel, CSV …). Switched to English, Streamlit's originals come back."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from data.accounts import users
from tests import app_store as fx
from tests.helpers import streamlit_server
from tests.test_app_browser import assert_no_error, page, shoot, wait_done  # noqa: F401  (the browser fixture: conftest)

ANALYST = ("li", "分析员李-口令-22")
# What may stay Latin on a page: product and format names, the switch to English, the command lines and placeholder
# names the page quotes, the accounts' names, the months' YYYY-MM and units.
ALLOWED = re.compile(r"English|Excel|CSV|Word|WPS|Parquet|XLSX?|PARQUET|YYYY-MM|[KM]B|python -m [a-z -]+|--[a-z-]+|"
                     r"KPM_[A-Z_]+|SHA256|\{\{[^}]*\}\}|\b(city|issuer|year|month_zh|month|seq|title|intro|body|"
                     r"annex_lines|issued|annexes|p|duban_[a-z_]+)\b|"   # the bulletin template's placeholders
                     r"\bli\b|\btest\b|fixture_[\w.-]+|\.xlsx|\.xls|\.csv|\.parquet|"
                     r"(?<![\w])/[\w./-]+|"   # and a path: the store's place
                     r"Webhook|README|push\.json|SEC|https?://\S+")   # the push panel: the robots' own terms, addresses
VISIBLE_LATIN = """() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const t = n.nodeValue.trim(), el = n.parentElement;
    if (!t || !el || el.closest('script, style, noscript') || !/[A-Za-z]{2,}/.test(t)) continue;
    const r = el.getBoundingClientRect(), cs = getComputedStyle(el);
    if (r.width < 2 || r.height < 2 || cs.visibility === 'hidden' || cs.display === 'none') continue;
    if (cs.fontFamily.includes('Material')) continue;   // an icon's ligature name, drawn as the icon
    out.push(t);
  }
  document.querySelectorAll('input[placeholder], [title]').forEach((el) => {
    const r = el.getBoundingClientRect();
    if (r.width < 2) return;
    for (const a of ['placeholder', 'title']) {
      const v = el.getAttribute(a);
      if (v && /[A-Za-z]{2,}/.test(v) && !(a === 'placeholder' && el.value)) out.push(v);
    }
  });
  return out;
}"""


def english_left(pg) -> list[str]:
    return [t for t in pg.evaluate(VISIBLE_LATIN) if re.search(r"[A-Za-z]{2,}", ALLOWED.sub("", t))]


def test_streamlits_own_texts_are_chinese_and_come_back_in_english(tmp_path, page):  # noqa: F811
    store = fx.build_store(tmp_path / "store")
    users.add(store, *ANALYST[:1], "analyst", ANALYST[1])
    with streamlit_server(store.root, tmp_path) as srv:
        page.goto(f"{srv['url']}/admin", wait_until="domcontentloaded")
        page.get_by_label("用户名").wait_for()
        page.get_by_label("用户名").fill(ANALYST[0])
        page.get_by_label("口令", exact=True).fill(ANALYST[1])
        page.get_by_role("button", name="登录").click()
        page.get_by_text("已登录：li").first.wait_for()
        wait_done(page)
        assert_no_error(page, "zh-admin", srv)
        # the uploader
        drop = page.locator('[data-testid="stFileUploaderDropzone"]').first   # 导入台账's (年度名单 has one too)
        expect(drop).to_contain_text("选择文件")
        expect(drop).to_contain_text("每个文件不超过 50MB · 格式 XLSX、XLS、CSV、PARQUET")
        assert "Upload" not in drop.inner_text() and "per file" not in drop.inner_text()
        # a text input's instruction while typing
        page.get_by_role("textbox", name="报送月份（可选，YYYY-MM）").fill("2024-0")
        expect(page.locator('[data-testid="InputInstructions"]').first).to_have_text("按回车键确认")
        page.get_by_role("textbox", name="报送月份（可选，YYYY-MM）").fill("")
        # the table toolbar (the audit log's): its buttons and the tooltip of search
        page.get_by_role("tab", name="操作记录").click()
        audit = page.get_by_role("tabpanel", name="操作记录")
        audit.locator('[role="gridcell"]', has_text="添加账号").first.wait_for(state="attached")
        grid = audit.locator('[data-testid="stDataFrame"]').first
        grid.hover()
        toolbar = audit.locator('[data-testid="stElementToolbar"]').first
        labels = [b.get_attribute("aria-label") for b in toolbar.locator("button").all()]
        assert labels == ["显示/隐藏列", "下载为 CSV", "搜索", "全屏"], labels
        toolbar.locator('button[aria-label="搜索"]').hover()
        expect(page.get_by_role("tooltip").or_(page.get_by_test_id("stTooltipContent")).first).to_have_text("搜索")
        shoot(page, "zh_admin")
        left = english_left(page)
        assert not left, left

        # the project table: its column menu; the sidebar's multiselect has no 'Select all'
        page.goto(f"{srv['url']}/ledger", wait_until="domcontentloaded")
        wait_done(page)
        page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').first.click()
        options = page.get_by_role("option").all_inner_texts()
        assert options == ["丙区", "乙县", "甲县"] or sorted(options) == sorted(fx.COUNTIES), options
        page.keyboard.press("Escape")
        grid = page.locator('[data-testid="stDataFrame"]').first
        box = grid.bounding_box()
        page.mouse.move(box["x"] + 250, box["y"] + 18)
        page.wait_for_timeout(500)
        left = english_left(page)
        assert not left, left
        shoot(page, "zh_ledger")

        page.goto(f"{srv['url']}/", wait_until="domcontentloaded")
        wait_done(page)
        page.locator('[data-testid="stVegaLiteChart"]').first.hover()
        page.wait_for_timeout(500)
        left = english_left(page)
        assert not left, left

        # English: Streamlit's own texts are its originals again, in the same session (those already rewritten too)
        page.goto(f"{srv['url']}/ledger", wait_until="domcontentloaded")
        wait_done(page)
        collapse = page.locator('[data-testid="stSidebarCollapseButton"] button')
        expect(collapse).to_have_attribute("aria-label", "收起侧栏")
        page.locator('[data-testid="stSidebar"]').get_by_text("English", exact=True).click()
        wait_done(page)
        expect(collapse).to_have_attribute("aria-label", "Collapse sidebar")
        page.locator('[data-testid="stDataFrame"]').first.hover()
        toolbar = page.locator('[data-testid="stElementToolbar"]').first
        assert [b.get_attribute("aria-label") for b in toolbar.locator("button").all()] == [
            "Show/hide columns", "Download as CSV", "Search", "Fullscreen"]
