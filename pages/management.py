"""管理服务: procedures, leader coverage, problems (and those unresolved for 3+ months), approval-to-start days, statistics
inclusion."""
from __future__ import annotations

from ui import dimension, state
from ui.widgets import guard, page_title

sel = state.current()
page_title("pages_management", sel)
if guard(sel):
    dimension.render("management", sel, trend=["procedures_complete_rate", "leader_coverage"],
                     bars=["procedures_complete_rate", "stats_inclusion_rate"])
