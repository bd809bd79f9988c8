"""The pages' table (pages/__init__.py): every address a link may hold opens its page — today's, and the old ones
shared before pages were renamed — also as the first link a freshly started server is asked for; and the table's
rows agree with the labels, the registry's dimensions and the files."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.runtime.pages_manager import PagesManager

from metrics.registry import DIMENSIONS
from pages import BY_URL, PAGES
from tests.helpers import ROOT, open_page
from ui.i18n import LABELS

# Every url path that opened a page before the house was rebuilt (issue 24), with the page's title: written out here,
# not read from the table, so a lost address fails.
OLD_ADDRESSES = {"": "总览", "overview": "总览", "progress": "项目推进", "structure": "投资结构", "industry": "产业结构",
                 "chain": "链群配套", "efficiency": "项目效益", "management": "管理服务", "pipeline": "谋划招商",
                 "compare": "县区比拼", "duel": "县区对比", "ledger": "项目台账", "admin": "数据管理"}
NEW_ADDRESSES = {"ranking": "县区比拼", "comparison": "县区对比"}


@pytest.mark.parametrize("cold", [False, True], ids=["warm", "first-link"])
@pytest.mark.parametrize("url", [*OLD_ADDRESSES, *NEW_ADDRESSES])
def test_every_address_opens_its_page(demo_env, monkeypatch, url, cold):
    """As a link: /url opens the page titled so, run inside app.py (the sidebar's month is there). `first-link`: as
    the first link a new server process is asked for, when Streamlit still runs pages/<url>.py itself."""
    if cold:
        monkeypatch.setattr(PagesManager, "uses_pages_directory", True)
    at = open_page(f"pages/{url}.py" if url else None)
    assert [x.value for x in at.title] == [{**OLD_ADDRESSES, **NEW_ADDRESSES}[url]]
    assert [s.label for s in at.sidebar.selectbox] == ["报送月份"]
    assert PagesManager.uses_pages_directory is False


def test_every_old_address_is_in_the_table_with_its_file():
    """Streamlit opens a first link by the file of its name in pages/, so each address needs one."""
    assert set(OLD_ADDRESSES) - {""} <= set(BY_URL)
    for url in BY_URL:
        assert (ROOT / "pages" / f"{url}.py").is_file(), url
    assert len(BY_URL) == sum(len(p.urls) for p in PAGES)  # no address names two pages


def test_titles_dimensions_and_modules_agree():
    for p in PAGES:
        assert p.title in LABELS and Path(ROOT / p.path).is_file(), p
        if p.figures and p.figures.dimension:
            assert p.title == f"pages_{p.figures.dimension}" and LABELS[p.title] == DIMENSIONS[p.figures.dimension]
            assert set(p.figures.tile_ids) | set(p.figures.trend) | set(p.figures.bars)
    assert {p.figures.dimension for p in PAGES if p.figures and p.figures.dimension} == set(DIMENSIONS)
    assert sum(p.default for p in PAGES) == 1
