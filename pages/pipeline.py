"""谋划招商: pipeline investment, reserve conversion, signed projects and their start rate."""
from __future__ import annotations

from ui import dimension, state
from ui.widgets import guard, page_title

sel = state.current()
page_title("pages_pipeline", sel)
if guard(sel):
    dimension.render("pipeline", sel, trend=["reserve_conversion_rate", "signed_start_rate"],
                     bars=["signed_start_rate", "reserve_conversion_rate"])
