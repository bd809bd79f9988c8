"""Every page, declared once: its module, title, icon, old addresses, meeting-screen layout and figures. app.py routes
by this table, the screen's playlist names pages from it, the tests loop over it.

A page is a module here whose `render(selection)` draws its desk view and whose last lines hand it to `serve`
(ui/page.py), which does what every page does first: the title and selection line, the empty state, a dimension's
common layout, or on the meeting screen the page's screen layout instead. A new page: one row below, one module with
its render function.
"""
from __future__ import annotations

from metrics.registry import HEADLINE
from ui import screen
from ui.dimension import Figures
from ui.page import Page



def _dimension(name: str, icon: str, *, trend: tuple[str, ...], bars: tuple[str, ...], tiles: tuple[str, ...] = ()
               ) -> Page:
    """A dimension page: titled by its dimension (metrics.registry.DIMENSIONS), its tiles by default all of it."""
    return Page(f"pages/{name}.py", f"pages_{name}", icon, screen=screen.dimension,
                figures=Figures(tiles, trend, bars, dimension=name))


PAGES: tuple[Page, ...] = (
    Page("pages/overview.py", "pages_overview", ":material/dashboard:", default=True, screen=screen.overview,
         figures=Figures(HEADLINE)),
    _dimension("progress", ":material/trending_up:", trend=("investment_completion_rate", "start_rate"),
               bars=("investment_completion_rate", "start_rate"),
               tiles=("investment_completion_rate", "schedule_deviation", "start_rate", "resume_rate",
                      "monthly_investment", "monthly_investment_mom", "completed_ytd_yoy", "new_vs_continuing_gap",
                      "planned_starts_to_date", "overdue_not_started", "early_starts", "new_starts_100m",
                      "red_projects", "yellow_projects", "lagging_projects", "stopped_projects", "zombie_projects",
                      "funds_in_place_rate")),
    _dimension("structure", ":material/pie_chart:", trend=("private_share", "industrial_share"),
               bars=("private_share", "government_share")),
    _dimension("industry", ":material/factory:", trend=("emerging_share",), bars=("emerging_share", "traditional_share")),
    _dimension("chain", ":material/link:", trend=("chain_investment_share", "chain_coverage"),
               bars=("chain_investment_share",)),
    _dimension("efficiency", ":material/paid:", trend=("profit_tax_rate", "tax_per_mu"), bars=("tax_per_mu",)),
    _dimension("management", ":material/assignment:", trend=("procedures_complete_rate", "leader_coverage"),
               bars=("procedures_complete_rate", "stats_inclusion_rate")),
    _dimension("pipeline", ":material/explore:", trend=("reserve_conversion_rate", "signed_start_rate"),
               bars=("signed_start_rate", "reserve_conversion_rate")),
    Page("pages/geomap.py", "pages_geomap", ":material/map:", screen=screen.geomap),
    Page("pages/ranking.py", "pages_ranking", ":material/leaderboard:", screen=screen.ranking,
         old=("pages/compare.py",)),
    Page("pages/comparison.py", "pages_comparison", ":material/compare_arrows:", screen=screen.comparison,
         old=("pages/duel.py",)),
    Page("pages/ledger.py", "pages_ledger", ":material/table_view:", guard=False),
    Page("pages/duban.py", "pages_duban", ":material/assignment_turned_in:", guard=False, selection=False,
         screen=screen.duban),
    Page("pages/admin.py", "pages_admin", ":material/settings:", guard=False, selection=False),
)
BY_URL: dict[str, Page] = {url: p for p in PAGES for url in p.urls}
HOME = next(p for p in PAGES if p.default)
