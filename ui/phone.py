"""The phone and tablet layout, chosen by the window's width in CSS alone (no width is sent to the server): compact
KPI tiles two to a row, and each wide table drawn twice — the desk table in `desk(key)`, the cards (ui/cards.py) in
`phone(key)` — of which the media queries here show one. A small script closes the sidebar on a narrow window's
first view and after a choice in it (Streamlit closes it after a menu choice only for a phone's user agent).

Breakpoints: PHONE (≤ 640 px: compact type, cards, labelled columns) and NARROW (≤ 900 px, a tablet held upright:
cards instead of tables too wide for it; from 901 px the desk tables fit, the sidebar closed on a touch screen)."""
from __future__ import annotations

import streamlit as st

from ui.charts import BAD, GOOD, WARN

PHONE, NARROW = 640, 900
# The side not shown: laid out at the page's width but taking no room and never seen (display:none would leave its
# charts undrawn, zero wide, until the window is resized to show them)
HIDDEN = """[class*="st-key-kpm_{side}_"] {{position:absolute !important;left:0;width:100% !important;height:0 !important;
  overflow:hidden !important;pointer-events:none}}
[class*="st-key-kpm_{side}_"], [class*="st-key-kpm_{side}_"] * {{visibility:hidden !important}}"""

CSS = f"""
<style>
@media (min-width:{NARROW + 1}px) {{{HIDDEN.format(side="phone")}}}
@media (max-width:{NARROW}px) {{{HIDDEN.format(side="desk")}
  [data-testid="stMainBlockContainer"] {{padding-top:3.5rem !important}}
  /* a multiselect holding many choices: its tags wrap onto more lines and the control grows with them, never
     panning sideways (its typing field shrinks to fit a narrow column) */
  [data-testid="stMultiSelectTagsContainer"] {{flex-wrap:wrap !important;overflow:visible !important;height:auto !important;
    min-width:0 !important}}
  [data-testid="stMultiSelectTagsContainer"] input {{min-width:2rem !important}}
  [data-testid="stMultiSelect"] div:has(> [data-testid="stMultiSelectTagsContainer"]),
  [data-testid="stMultiSelect"] div:has(> div > [data-testid="stMultiSelectTagsContainer"]) {{height:auto !important;
    max-height:none !important}}
}}
.st-key-kpm_narrow {{display:none !important}}  /* the sidebar script draws nothing */
.kpm-cards {{display:grid;gap:8px;grid-template-columns:repeat(auto-fill, minmax(min(100%, 320px), 1fr))}}
.kpm-pc {{border:1px solid #dfe3ea;border-left:5px solid var(--pc, #8a94a6);border-radius:8px;padding:7px 10px;
  background:#fff;min-width:0;overflow-wrap:anywhere}}
.kpm-pc .t {{display:flex;justify-content:space-between;align-items:baseline;gap:8px;font-weight:700;font-size:16px;
  line-height:1.35}}
.kpm-pc .t .r {{white-space:nowrap;font-weight:400;font-size:14px}}
.kpm-pc .t a {{color:inherit;text-decoration:underline dotted}}  /* a project card's name opens its history */
.kpm-pc .s {{font-size:13px;color:#3b4453;line-height:1.55}}
.kpm-pc .s.why {{color:#5f6b7a}}
.kpm-pc .kv {{display:grid;grid-template-columns:repeat(2, minmax(0, 1fr));gap:0 10px;font-size:13px;color:#3b4453;
  line-height:1.6}}
.kpm-pc .cells {{display:grid;grid-template-columns:repeat(auto-fill, minmax(84px, 1fr));gap:3px;margin-top:3px}}
.kpm-pc .cell, .kpm-legend .cell {{border-radius:5px;padding:1px 5px;font-size:11px;line-height:1.3;color:#222}}
.kpm-pc .cell i {{display:block;font-style:normal;color:#3b4453}}
.kpm-pc .cell b {{font-size:13px}}
.kpm-legend {{font-size:12px;color:#5f6b7a;margin-top:6px;display:flex;flex-wrap:wrap;gap:4px;align-items:center}}
.kpm-rank {{color:#1f5fbf}}
.kpm-chg.up {{color:{GOOD}}} .kpm-chg.down {{color:{BAD}}}
.kpm-tag {{display:inline-block;border-radius:4px;padding:0 5px;margin-right:4px;font-size:12px;font-weight:700;
  color:#fff;background:#8a94a6;white-space:nowrap}}
.kpm-tag.red {{background:{GOOD}}} .kpm-tag.snail {{background:{BAD}}} .kpm-tag.warn {{background:{WARN};color:#2b2000}}
.kpm-more {{font-size:13px;color:#5f6b7a;margin-top:6px}}
/* 县区对比 on a phone: the counties head the columns; each indicator's name spans them, its values under it */
.kpm-vs .head, .kpm-vs .body {{display:grid;grid-template-columns:repeat(var(--n), minmax(0, 1fr));column-gap:6px}}
.kpm-vs .head {{position:sticky;top:3.75rem;z-index:2;background:#fff;border-bottom:2px solid #1f5fbf;padding:4px 0}}
.kpm-vs .h {{font-weight:700;font-size:14px;text-align:center;overflow-wrap:anywhere;line-height:1.3}}
.kpm-vs .h .m {{display:block;font-weight:400;font-size:12px;color:#5f6b7a}}
.kpm-vs .h .kpm-tag {{margin:1px 2px}}
.kpm-vs .lbl {{grid-column:1 / -1;font-size:12px;color:#5f6b7a;margin-top:6px;border-top:1px solid #eef0f3}}
.kpm-vs .v {{font-size:15px;font-weight:700;text-align:center;overflow-wrap:anywhere;line-height:1.3}}
@media (max-width:{PHONE}px) {{
  [data-testid="stMainBlockContainer"] {{padding-left:0.75rem !important;padding-right:0.75rem !important}}
  h1 {{font-size:1.55rem !important;padding-top:0.25rem !important}}
  h2 {{font-size:1.3rem !important}} h3 {{font-size:1.1rem !important}}
  .kpi-grid, .kpi-grid.kpi-fixed {{grid-template-columns:repeat(2, minmax(0, 1fr)) !important;gap:6px !important}}
  .kpi {{min-height:0 !important;padding:5px 8px !important;margin-bottom:0 !important;border-left-width:4px !important}}
  .kpi .lbl {{font-size:12.5px !important;line-height:1.3}}
  .kpi .lbl .i {{display:none}}
  .kpi .val {{font-size:21px !important;line-height:1.2 !important;margin:1px 0 !important;overflow-wrap:anywhere}}
  .kpi .sub {{font-size:11px !important;line-height:1.4 !important}}
  .kpi .sub .n {{display:none}}

  .kpi-grid {{margin-bottom:10px}}
}}
</style>
"""

_JS = """
export default function(component) {
  if (window.__kpmNarrowBound) return;
  window.__kpmNarrowBound = true;
  const coarse = matchMedia('(pointer: coarse)').matches;
  const narrow = () => innerWidth <= NARROW || (coarse && innerWidth <= 1024);
  const sidebar = () => document.querySelector('[data-testid="stSidebar"]');
  const open = () => { const s = sidebar(); return !!s && s.getAttribute('data-collapsed') === 'false'; };
  const close = () => {
    if (!narrow() || !open()) return;
    const b = document.querySelector('[data-testid="stSidebarCollapseButton"] button');
    if (b) b.click();
  };
  // The first view on a narrow window: closed, whatever was last chosen on a wider one.
  let tries = 0;
  const first = setInterval(() => { if (open()) close(); if (++tries > 20 || (sidebar() && !open())) clearInterval(first); }, 150);
  // After a choice in the sidebar (a page, a month, a county, a switch): closed, so the page shows the result.
  // An option of a list opened from the sidebar (the list itself may be drawn elsewhere): told apart when pressed,
  // while the focus is still on the sidebar's input, and closed once the choice has been taken.
  const inSidebar = (el) => !!(el && el.closest && el.closest('[data-testid="stSidebar"]'));
  document.addEventListener('pointerdown', (e) => {
    const el = e.target.closest ? e.target : e.target.parentElement;
    if (el && el.closest('[role="option"]') && (inSidebar(el) || inSidebar(document.activeElement)))
      setTimeout(close, 400);
  }, true);
  document.addEventListener('click', (e) => {
    const el = e.target.closest ? e.target : e.target.parentElement;
    if (el && el.closest('[data-testid="stSidebarNav"] a, [data-testid="stSidebar"] button[kind]')) setTimeout(close, 350);
  }, true);
}
""".replace("NARROW", str(NARROW))

_component = st.components.v2.component("kpm_narrow", js=_JS)




def sidebar_script() -> None:
    """Mount the sidebar script (desk pages; the screen has no sidebar)."""
    try:
        _component(key="kpm_narrow", height=0)
    except Exception:  # noqa: BLE001 - a layout aid must never take a page down
        pass


def desk(key: str):
    """A container the desk shows and a narrow window hides."""
    return st.container(key=f"kpm_desk_{key}")


def phone(key: str):
    """A container a narrow window shows (cards) and the desk hides."""
    return st.container(key=f"kpm_phone_{key}")


def cards(key: str, markup: str) -> None:
    """Cards' HTML in a phone container."""
    phone(key).markdown(markup, unsafe_allow_html=True)
