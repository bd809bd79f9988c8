"""The pages that have a meeting-screen layout (each must fit the screen whole; tests/test_screen_fit.py loads
every one of them). A page joins by adding its path here when its script draws a ui.screen layout."""
from __future__ import annotations

LAYOUT_PAGES = (
    "pages/overview.py",    # 总览: ui.screen.layouts.overview
    "pages/progress.py",    # the dimension pages: ui.screen.layouts.dimension
    "pages/structure.py",
    "pages/industry.py",
    "pages/chain.py",
    "pages/efficiency.py",
    "pages/management.py",
    "pages/pipeline.py",
    "pages/compare.py",     # 县区比拼: ui.screen.layouts.ranking
    "pages/duel.py",        # 县区对比: ui.screen.comparison
)
