"""In a real browser: a click on a county's bar (the cached spec drawn by st.vega_lite_chart) narrows the whole
view to that county — the sidebar's county filter, the page's caption and the bars themselves."""
from __future__ import annotations

import urllib.parse

from tests.test_app_browser import assert_no_error, demo_months, page, server, shoot, wait_done  # noqa: F401 (fixtures)

CHARTS_DRAWN = """() => { const c = [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')];
    return c.length >= 4 && c.every(x => x.querySelector('canvas, svg')); }"""


def bar_labels(page) -> list[list[str]]:
    """Per chart, the aria-labels of its bars ('组: 东城区; 投资完成率: 104%; …')."""
    return page.evaluate("""() => [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')].map(c =>
        [...c.querySelectorAll('g.mark-rect path')].map(p => p.getAttribute('aria-label') || ''))""")


def test_a_click_on_a_county_bar_filters_the_page(server, page):
    page.goto(f"{server['url']}/progress", wait_until="domcontentloaded")
    wait_done(page)
    page.wait_for_function(CHARTS_DRAWN)
    page.wait_for_timeout(1000)
    labels = bar_labels(page)
    bars = next(i for i, ls in enumerate(labels) if len(ls) > 2 and all(x.startswith("组: ") for x in ls))
    county = labels[bars][1].split(";")[0].removeprefix("组: ")  # not the first bar: a click must pick this one
    chart = page.locator('[data-testid="stVegaLiteChart"]').nth(bars)
    chart.locator(f'g.mark-rect path[aria-label^="组: {county};"]').click()
    page.wait_for_function("""(county) => [...document.querySelectorAll(
        '[data-testid="stSidebar"] [data-testid="stMultiSelect"]')].some(m => m.innerText.includes(county))""",
                           arg=county)
    wait_done(page)
    page.wait_for_function(CHARTS_DRAWN)
    assert_no_error(page, "progress-click", server)
    main = page.locator('[data-testid="stMain"]').inner_text()
    assert f"县区：{county}" in main
    assert [x.split(";")[0] for x in bar_labels(page)[bars]] == [f"组: {county}"]  # the bars: that county only
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(page.url).query)["county"] == [county]  # a link to share
    shoot(page, "progress_county_click")
