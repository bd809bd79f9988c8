"""县区对比 on the screen: 2–4 counties side by side, one row per indicator, with rank and 红旗/蜗牛/约谈 marks.

Which counties: those in the link's `vs=` (as on the desk page: `?vs=高新区&vs=石门县` or `?vs=高新区,石门县`), or
without it the month's 红旗 and 蜗牛. A pinned or rotating county (`pin=`, `counties=` — the playlist narrows the
selection to it) comes first, outlined, against those: `counties=东城区,石门县` walks each county against the 红旗 and
蜗牛, and a county that is itself the 红旗 or 蜗牛 stands against the other. At most four; a set short of two is
filled from the ranking's top. The layout is drawn at 1,080 design px high and 1,440–1,920+ wide (the screen scales
it to the room's screen): the rank row and the scorecard's indicators, then 本年完成投资, up to 8 rows, sharing the
height the header leaves (which is one to three lines, so the rows' content is sized for the tallest).
"""
from __future__ import annotations

import html

import streamlit as st

from data.months import to_month
from data.text import DASH
from metrics.format import format_change, format_gap, format_value
from metrics.indicator import meets
from metrics.ranking import RED, SNAIL, load_scorecard, ranking_table
from metrics.registry import BY_ID
from ui import cached
from ui.comparison import URL_KEY, compared, county_rows
from ui.dimension import Figures
from ui.i18n import ind_name, t
from ui.screen.layouts import badges, flag_class
from ui.screen.theme import FG, GRID, MUTED, PANEL, S_ACCENT, S_BAD, S_GOOD, S_WARN
from ui.state import Selection
from ui.widgets import guard

ROWS = 8  # the rank row and 7 indicators fill 1,080 design px below the header with 12-character names
EXTRA = ["completed_ytd_sum", "lagging_projects"]  # after the scorecard's indicators, while rows are left

# Design px. The narrowest design width is 1,440 (a 4:3 screen scaled to 1,080 high); less the page's side padding.
DESIGN_W = 1440 - 56
LABEL_W = 230
PAD = 12
VALUE_PX = {2: 58, 3: 54, 4: 48}
NAME_PX = 30
VALUE_MIN_PX = 28

CSS = f"""<style>
/* The board takes the height the screen's header leaves (one to three lines, by the city's name, the pinned county,
   the language and the width): the rows share it, and shrink to their content where the header is tall (4:3) */
[data-testid="stMainBlockContainer"]:has(.kpm-duel-wrap) {{height:100%;box-sizing:border-box}}
[data-testid="stMainBlockContainer"]:has(.kpm-duel-wrap) > [data-testid="stVerticalBlock"] {{height:100%}}
[data-testid="stElementContainer"]:has(.kpm-duel-wrap) {{flex:1 1 0}}
[data-testid="stElementContainer"]:has(.kpm-duel-wrap) *:has(.kpm-duel-wrap), .kpm-duel-wrap {{height:100%;margin:0}}
.kpm-duel-wrap {{display:flex;flex-direction:column;padding-bottom:6px}}
.kpm-duel {{flex:1 1 auto;table-layout:fixed;border-collapse:separate;border-spacing:6px 4px;margin:-4px -6px 0 -6px;
  width:calc(100% + 12px);color:{FG}}}
.kpm-duel td, .kpm-duel th {{background:{PANEL};border-radius:8px;padding:3px {PAD}px;vertical-align:middle;
  overflow:hidden}}
.kpm-duel th {{text-align:left;font-weight:400;padding-top:5px;padding-bottom:5px}}
.kpm-duel th.corner, .kpm-duel td.lbl {{background:transparent;padding-left:4px}}
.kpm-duel .cname {{font-size:{NAME_PX}px;font-weight:800;line-height:1.2;display:-webkit-box;
  -webkit-box-orient:vertical;-webkit-line-clamp:2;overflow:hidden;word-break:break-all;text-wrap:balance}}
.kpm-duel .marks {{margin-top:4px;line-height:28px;min-height:28px}}  /* badges wrap rather than run out */
.kpm-duel .marks .kpm-badge {{font-size:20px}}
.kpm-duel .iname {{font-size:22px;font-weight:700;line-height:1.15;display:-webkit-box;-webkit-box-orient:vertical;
  -webkit-line-clamp:2;overflow:hidden}}
.kpm-duel .isub, .kpm-duel .corner div {{font-size:20px;color:{MUTED};line-height:1.15;white-space:nowrap;
  overflow:hidden;text-overflow:ellipsis}}
.kpm-duel .corner div {{white-space:normal;line-height:1.3}}
.kpm-duel .v {{font-weight:800;line-height:1;white-space:nowrap;font-variant-numeric:tabular-nums}}
.kpm-duel .s {{font-size:20px;color:{MUTED};line-height:1.2;white-space:nowrap;font-variant-numeric:tabular-nums}}
.kpm-duel .s b {{color:{FG};font-weight:600}}
.kpm-duel .ok {{color:{S_GOOD}}} .kpm-duel .bad {{color:{S_BAD}}} .kpm-duel .flat {{color:{FG}}}
.kpm-duel td.best {{box-shadow:inset 6px 0 0 {S_ACCENT};background:#182646}}
.kpm-duel .focus {{box-shadow:inset 0 0 0 3px {S_WARN}}}
.kpm-duel td.best.focus {{box-shadow:inset 6px 0 0 {S_ACCENT}, inset 0 0 0 3px {S_WARN}}}
.kpm-duel th.red {{background:#11331f}} .kpm-duel th.snail {{background:#3a1518}}
.kpm-duel-note {{font-size:20px;line-height:1.3;color:{MUTED};white-space:nowrap;overflow:hidden;
  text-overflow:ellipsis}}
.kpm-duel-note .kpm-warn {{color:{S_WARN}}}
.kpm-duel tr.rank td.num {{border-bottom:2px solid {GRID}}}
</style>"""


def _em(text: str) -> float:
    """A text's width in em in the screen's font (CJK full width, Latin digits and signs about 0.6)."""
    return sum(1.0 if ord(ch) > 0x2E80 else 0.6 for ch in text)


def _fit(text: str, px: int, width: float) -> int:
    """The value's font size: `px`, or smaller (never below VALUE_MIN_PX) when it would not fit `width`."""
    need = _em(text) * px
    return px if need <= width else max(VALUE_MIN_PX, int(width / _em(text)))


def _best(ind, values: dict[str, float | None]) -> set[str]:
    """The counties best on an indicator among those shown (none when all are equal or only one has a value)."""
    have = {c: v for c, v in values.items() if v is not None}
    if len(have) < 2 or len(set(have.values())) == 1:
        return set()
    pick = min if ind.direction == "lower" else max
    top = pick(have.values())
    return {c for c, v in have.items() if v == top}


def _indicators(card) -> list[str]:
    ids = [i.id for i in sorted(card.items, key=lambda i: -i.weight) if i.id in BY_ID]   # snapshot indicators
    return list(dict.fromkeys(ids + EXTRA))[:ROWS - 1]


def comparison(sel: Selection, figures: Figures | None = None) -> None:
    """县区对比 on the screen: the counties as columns (name, 红旗/蜗牛/约谈预警), the rank and the indicators as rows."""
    everyone = sel.filters.without("county")
    if not guard(Selection(sel.month, everyone)):  # a pinned county with nothing this month is shown as 未报送
        return
    rank = cached.ranking(sel.month, everyone)
    known = cached.options().get("county", [])
    picked, by_url, unknown = compared(rank, known, st.query_params.get_all(URL_KEY), sel.filters.county)
    if len(picked) < 2:
        st.info(t("duel_screen_one"))
        return
    focus = set(sel.filters.county)
    ids = _indicators(load_scorecard())
    m = to_month(sel.month)
    now, before = county_rows(sel.month, everyone, ids, picked)
    board = ranking_table(rank, ("score", "rank_change"), text=True)
    ranks = {r["county"]: (r, change) for r, change in zip(rank.iter_rows(named=True), board.iter_rows())}

    k = len(picked)
    cell_w = (DESIGN_W - LABEL_W) / k - 2 * PAD - 6
    px = VALUE_PX.get(k, 48)

    def cls(c: str, *more: str) -> str:
        return " ".join([*more, *(["focus"] if c in focus else [])])

    basis = t("duel_screen_by_url") if by_url else t("duel_screen_by_flags")
    head = [f'<th class="corner"><div>{html.escape(basis)}</div></th>']
    for c in picked:
        r, _ = ranks.get(c, ({}, ("", "")))
        head.append(f'<th class="{cls(c, flag_class(r.get("flag")))}"><div class="cname" title="{html.escape(c)}">'
                    f'{html.escape(c)}</div><div class="marks">{badges(r, t("duel_screen_unreported"))}</div></th>')

    def value(c: str, text: str, tone: str, sub: str, best: bool = False) -> str:
        size = _fit(text, px, cell_w)
        return (f'<td class="{cls(c, "num", *(["best"] if best else []))}">'
                f'<div class="v {tone}" style="font-size:{size}px">{html.escape(text)}</div>'
                f'<div class="s">{sub}</div></td>')

    rows = []
    cells = [f'<td class="lbl"><div class="iname">{t("rank")}</div>'
             f'<div class="isub">{t("score")} · {t("mom")}</div></td>']
    for c in picked:
        r, (score, change) = ranks.get(c, ({}, ("", "")))
        if r.get("rank") is None:
            cells.append(value(c, DASH, "flat", html.escape(t("duel_screen_unreported"))))
            continue
        tone = "ok" if r["flag"] == RED else "bad" if r["flag"] == SNAIL else "flat"
        cells.append(value(c, t("rank_n").format(n=r["rank"]), tone,
                           f'<b>{html.escape(score)}</b> · <b>{html.escape(change)}</b>'))
    rows.append(f'<tr class="rank">{"".join(cells)}</tr>')

    for iid in ids:
        ind = BY_ID[iid]
        target = ind.target_for(m.month)
        ref = t("time_schedule") if ind.target == "time_schedule" else t("target")
        sub_label = f"{ref} {format_value(ind, target)}" if target is not None else t("mom")
        cells = [f'<td class="lbl"><div class="iname" title="{html.escape(ind_name(iid))}">'
                 f'{html.escape(ind_name(iid))}</div><div class="isub">{html.escape(sub_label)}</div></td>']
        best = _best(ind, {c: now.get(c, {}).get(iid) for c in picked})
        for c in picked:
            v, n = now.get(c, {}).get(iid), now.get(c, {}).get(f"n__{iid}")
            ok = meets(ind.direction, v, target)
            tone = "flat" if ok is None else "ok" if ok else "bad"
            diff = (format_gap(ind, v, target) if target is not None
                    else format_change(ind, v, before.get(c, {}).get(iid)))
            n_txt = t("duel_screen_n").format(n=DASH if n is None else f"{int(n):,}")
            cells.append(value(c, format_value(ind, v), tone, f'<b>{html.escape(diff)}</b> · {html.escape(n_txt)}',
                               c in best))
        rows.append(f'<tr>{"".join(cells)}</tr>')

    # One line under the table: what the marks mean, and any vs= name that is no county.
    legend = [t("duel_screen_best")] + ([t("duel_screen_focus_first")] if focus else [])
    note = f'<div class="kpm-duel-note">{html.escape(" · ".join(legend))}'
    if unknown:
        bad = t("duel_screen_unknown").format(names="、".join(unknown))
        note += f'<span class="kpm-warn"> · {html.escape(bad)}</span>'
    note += "</div>"
    cols = f'<colgroup><col style="width:{LABEL_W}px">{"<col>" * k}</colgroup>'
    st.markdown(f'<div class="kpm-duel-wrap">{CSS}<table class="kpm-duel">{cols}<tr>{"".join(head)}</tr>'
                f'{"".join(rows)}</table>{note}</div>', unsafe_allow_html=True)
