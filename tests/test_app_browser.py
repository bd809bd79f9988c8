"""End to end in a real browser: `streamlit run app.py` on a free port, Debian's Chromium driven by Playwright.

Every page is opened at 1920×1080, must finish running without an exception, and is saved as a full-page
screenshot in artifacts/screenshots/<page>.png for a person to look at. The server reads an empty store, so the
demo city (data/demo) is shown; without a demo store a small fixture store is used instead.
"""
from __future__ import annotations

import time
from pathlib import Path

import pytest

from data.store import DEMO_DIR, Store
from tests.helpers import ROOT, page_paths, streamlit_server

SHOTS = ROOT / "artifacts" / "screenshots"
VIEWPORT = {"width": 1920, "height": 1080}
ERROR_TEXTS = ("Traceback (most recent call last)", "StreamlitAPIException", "This app has encountered an error",
               "KeyError", "TypeError", "ValueError", "AttributeError", "ComputeError", "SchemaError")
PAGES = [Path(p).stem for p in page_paths()]  # the URL path of every page of the pages' table
TITLES = {"overview": "总览", "progress": "项目推进", "structure": "投资结构", "industry": "产业结构", "chain": "链群配套",
          "efficiency": "项目效益", "management": "管理服务", "pipeline": "谋划招商", "ranking": "县区比拼",
          "comparison": "县区对比", "ledger": "项目台账", "admin": "数据管理", "duban": "督办事项",
          "geomap": "一张图"}
# The committed demo city (data/demo): its December 2025 ranking, as the 县区比拼 page lists it.
DEMO_RANK_ORDER = ["高新区", "东城区", "青山县", "经开区", "南湖县", "临河县", "西城区", "北岭县", "石门县"]


@pytest.fixture(scope="module")
def demo_months() -> list[str]:
    return Store(DEMO_DIR).months()


@pytest.fixture(scope="module")
def server(tmp_path_factory, demo_months):
    """A headless server reading an empty store (so the demo city is shown; a fixture store if there is no demo)."""
    store = tmp_path_factory.mktemp("empty_store")
    if not demo_months:
        from tests.app_store import build_store

        build_store(store)
    with streamlit_server(store, tmp_path_factory.mktemp("log")) as srv:
        yield srv


@pytest.fixture
def page(browser):
    ctx = browser.new_context(viewport=VIEWPORT, locale="zh-CN", device_scale_factor=1)
    pg = ctx.new_page()
    pg.set_default_timeout(60_000)
    yield pg
    ctx.close()


def wait_done(pg, settle: float = 1.5, timeout: float = 90) -> None:
    """Wait until the app has connected, the script is not running, and that holds for `settle` seconds."""
    pg.wait_for_selector('[data-testid="stApp"]', state="attached")
    deadline = time.monotonic() + timeout
    quiet_since = None
    while time.monotonic() < deadline:
        running = pg.evaluate("""() => {
            const app = document.querySelector('[data-testid="stApp"]');
            if (!app) return true;
            const st = app.getAttribute('data-test-script-state');
            const conn = app.getAttribute('data-test-connection-state');
            const widget = document.querySelector('[data-testid="stStatusWidget"]');
            const skeleton = document.querySelector('[data-testid="stAppSkeleton"]');
            return st !== 'notRunning' || (conn && conn !== 'CONNECTED') || !!widget || !!skeleton;
        }""")
        if running:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since >= settle:
            return
        time.sleep(0.2)
    raise AssertionError("the app did not finish running in time")


def log_tail(server: dict, n: int = 60) -> str:
    """The end of the server's log (the traceback of a redacted exception is there)."""
    log = server["log"]
    log.flush()
    log.seek(0)
    return "".join(log.readlines()[-n:])


def assert_no_error(pg, name: str, server: dict) -> None:
    exc = pg.locator('[data-testid="stException"]')
    if exc.count():
        raise AssertionError(f"{name}: exception shown: {exc.first.inner_text()[:500]}\n--- server log ---\n"
                             f"{log_tail(server)}")
    text = pg.locator('[data-testid="stApp"]').inner_text()
    for needle in ERROR_TEXTS:
        assert needle not in text, f"{name}: error text {needle!r} on the page"


def shoot(pg, name: str) -> Path:
    """A full-page screenshot. Streamlit scrolls inside its main container, not the document, so the viewport is
    stretched to the content's height first (then put back)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    height = pg.evaluate("""() => Math.max(document.documentElement.scrollHeight, ...[...document.querySelectorAll(
        '[data-testid="stMain"], [data-testid="stMainBlockContainer"], [data-testid="stSidebarContent"]')]
        .map(e => e.scrollHeight))""")
    pg.set_viewport_size({"width": VIEWPORT["width"], "height": max(VIEWPORT["height"], min(int(height) + 40, 20000))})
    pg.wait_for_timeout(800)
    pg.screenshot(path=str(path), full_page=True)
    pg.set_viewport_size(VIEWPORT)
    return path


@pytest.mark.parametrize("stem", PAGES)
def test_every_page_in_the_browser(server, page, stem):
    page.goto(f"{server['url']}/{stem}", wait_until="domcontentloaded")
    wait_done(page)
    # charts draw after the script finishes: wait until each has its canvas or svg
    page.wait_for_function("""() => [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')]
        .every(c => c.querySelector('canvas, svg'))""")
    page.wait_for_timeout(500)
    assert_no_error(page, stem, server)
    title = page.locator('[data-testid="stMain"] h1').first.inner_text()
    assert title.strip() == TITLES[stem]
    from playwright.sync_api import expect

    # awaited: the sidebar may still be redrawing after the page wrote the month into the URL
    expect(page.locator('[data-testid="stSidebar"]').get_by_text("报送月份", exact=True)).to_have_count(1)
    shot = shoot(page, stem)
    assert shot.stat().st_size > 10_000


def test_url_selection_shows_in_the_sidebar(server, page, demo_months):
    assert demo_months[-3:] == ["2025-10", "2025-11", "2025-12"]
    month, county = "2025-10", "东城区"
    page.goto(f"{server['url']}/overview?county={county}&month={month}", wait_until="domcontentloaded")
    wait_done(page)
    assert_no_error(page, "overview-url", server)
    sidebar = page.locator('[data-testid="stSidebar"]')
    month_box = sidebar.locator('[data-testid="stSelectbox"]').first.locator("input")
    assert month_box.input_value() == month
    county_box = sidebar.locator('[data-testid="stMultiSelect"]').first
    assert county in county_box.inner_text()
    caption = sidebar.locator('[data-testid="stCaptionContainer"]', has_text="当前选择").first.inner_text()
    assert month in caption and county in caption
    main = page.locator('[data-testid="stMain"]').inner_text()
    assert f"县区：{county}" in main
    # the URL keeps the selection after the app has written it back
    assert f"month={month}" in page.url
    # every page is in the menu: past twelve pages Streamlit folds the rest behind 再显示 N 个 unless told not to
    nav = sidebar.locator('[data-testid="stSidebarNav"]')
    shown = [text.split("\n")[-1].strip() for text in nav.get_by_role("link").all_inner_texts()]  # after the icon's name
    assert sorted(shown) == sorted(set(TITLES.values()))
    shoot(page, "overview_url_selection")


def test_project_link_opens_its_history(server, page, demo_months):
    # the demo city's largest project in December 2025
    rec = {"project_id": "2023-369972-30-02-513775", "project_name": "经开区星河新能源汽车整车及核心零部件产业基地项目"}
    page.goto(f"{server['url']}/ledger?project={rec['project_id']}", wait_until="domcontentloaded")
    wait_done(page)
    page.wait_for_function("""() => [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')]
        .every(c => c.querySelector('canvas, svg'))""")
    assert_no_error(page, "ledger-project", server)
    main = page.locator('[data-testid="stMain"]')
    assert main.get_by_text(rec["project_name"], exact=True).count() >= 1
    assert page.get_by_role("tab", name="项目档案").get_attribute("aria-selected") == "true"
    shoot(page, "ledger_history")


def test_ledger_watch_lists_in_the_browser(server, page):
    page.goto(f"{server['url']}/ledger", wait_until="domcontentloaded")
    wait_done(page)
    page.get_by_role("tab", name="预警清单").click()
    wait_done(page)
    assert_no_error(page, "ledger-lists", server)
    main = page.locator('[data-testid="stMain"]')
    # the first list is shown first: the demo city's December 2025 has 135 lagging projects
    assert main.get_by_text("滞后项目清单 · 共 135 个项目", exact=False).count() == 1
    assert main.get_by_text("口径：建设项目，年度计划>0、未竣工未投产，完成率低于时序进度10个百分点以上。",
                            exact=False).count() == 1
    shoot(page, "ledger_lists")


def test_upload_check_and_import_in_the_browser(tmp_path, page, demo_months):
    """The analyst's flow on a fresh server: sign in, upload the sample ledger, read the check, confirm, see it
    stored and the pages switch from the demo city to the real data."""
    from tests.auth_helpers import ANALYST_HASH, sign_in_browser
    from ui.admin.importing import sample_ledger_bytes

    frame = Store(DEMO_DIR).read(demo_months[-1])
    assert frame.height == 857 and f"{frame['snapshot_month'][0]:%Y-%m}" == "2025-12"
    sample = tmp_path / "示例台账.xlsx"
    sample.write_bytes(sample_ledger_bytes(frame))
    store = tmp_path / "real_store"
    with streamlit_server(store, tmp_path, KPM_ANALYST_PASSWORD_HASH=ANALYST_HASH) as srv:
        page.goto(f"{srv['url']}/admin", wait_until="domcontentloaded")
        wait_done(page)
        sign_in_browser(page)
        wait_done(page)
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files(str(sample))
        page.get_by_text("检查通过，可以导入。").wait_for()
        wait_done(page)
        assert_no_error(page, "admin-checked", srv)
        shoot(page, "admin_checked")
        assert not Store(store).months()                         # checking wrote nothing
        page.get_by_role("button", name="确认导入").click()
        page.get_by_text("已导入 2025-12").wait_for()
        wait_done(page)
        assert_no_error(page, "admin-imported", srv)
        assert Store(store).months() == ["2025-12"] and Store(store).read("2025-12").height == 857
        sidebar = page.locator('[data-testid="stSidebar"]').inner_text()
        assert "正式数据" in sidebar and "演示数据" not in sidebar
        page.get_by_role("tab", name="操作记录").click()
        shoot(page, "admin_imported")


def test_table_downloads_arrive_in_the_browser(server, page):
    """A table's files are built when its button is clicked (a callable, not on every rerun): both arrive in the
    browser, the CSV with its BOM, the XLSX opening with the same Chinese headers and rows."""
    import csv
    import io

    from openpyxl import load_workbook

    page.goto(f"{server['url']}/compare", wait_until="domcontentloaded")
    wait_done(page)
    assert_no_error(page, "compare-downloads", server)
    main = page.locator('[data-testid="stMain"]')
    files = {}
    for label, ext in (("下载 CSV", "csv"), ("下载 Excel", "xlsx")):
        with page.expect_download(timeout=90_000) as dl:  # built on the click; a loaded 2-core CI machine is slow
            main.get_by_role("button", name=label).first.click()
        download = dl.value
        assert download.suggested_filename.startswith("县区排名_") and download.suggested_filename.endswith(ext)
        files[ext] = Path(download.path()).read_bytes()
    assert files["csv"].startswith(b"\xef\xbb\xbf"), "CSV lacks the BOM Excel needs for Chinese"
    rows = list(csv.reader(io.StringIO(files["csv"].decode("utf-8-sig"))))
    sheet = load_workbook(io.BytesIO(files["xlsx"]), read_only=True).active
    cells = [[("" if v is None else str(v)) for v in r] for r in sheet.iter_rows(values_only=True)]
    assert "县区" in rows[0] and cells[0] == rows[0]
    assert len(rows) == len(cells) == 1 + 9
    assert [r[rows[0].index("县区")] for r in rows[1:]] == DEMO_RANK_ORDER
    assert [r[rows[0].index("县区")] for r in cells[1:]] == DEMO_RANK_ORDER
