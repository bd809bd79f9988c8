"""The sidebar on every desk page: the global selection (month, county, chain, tier, level, kept in the URL), reset,
what is selected, the month's 报送情况, data as of, the language switch."""
from __future__ import annotations

import streamlit as st

from data.city import city_name
from data.text import DASH
from ui import cached, state, zh
from ui.i18n import lang, t
from ui.widgets import describe_filters, md_escape


def sidebar() -> None:
    """The global selection on every page: month, county, chain, tier, level; reset; what is selected; data as of."""
    months = cached.months()
    opts = cached.options()
    state.init_from_url(months, opts)
    sb = st.sidebar
    sb.markdown(f"### {md_escape(t('app_title').format(city=city_name()))}")
    if months:
        state.follow("sel_month", months[-1], months)   # on the newest month until another is chosen
        sb.selectbox(t("month"), months[::-1], key="sel_month")
        line = cached.report_line(st.session_state.get("sel_month") or months[-1], lang())
        sb.caption(f":material/fact_check: {md_escape(line)}")
    for k in state.MULTI:
        sb.multiselect(t(k), opts.get(k, []), key=f"sel_{k}", placeholder=t("all"), select_all=False)  # empty = all
    sb.button(t("reset"), on_click=state.reset, width="stretch")
    sel = state.current()
    state.write_to_url(sel)
    sb.caption(f"**{t('selection')}**：{sel.month or DASH} · {describe_filters(sel.filters)}")
    latest, imported, is_demo = cached.as_of()
    stamp = f"{t('data_as_of')}：{latest}"
    if imported:
        stamp += f" · {t('imported_at')} {imported}"
    own = cached.own_data()
    if is_demo:
        sb.warning(f"{stamp}\n\n{t('demo_beside' if own else 'demo_data')}")
    else:
        sb.success(f"{stamp} · {t('real_data')}")
    sb.toggle("English", key="lang_en", value=st.session_state.get("lang") == "en",
              on_change=lambda: st.session_state.update(lang="en" if st.session_state.lang_en else "zh"))
    if own:   # the demo city stays one switch away once the user's own data is in (kept in the URL: ?demo=1)
        st.session_state.setdefault(state.DEMO_KEY, state.demo_view())
        sb.toggle(t("view_demo"), key=state.DEMO_KEY, on_change=state.switch_view, help=t("view_demo_help"))
    zh.streamlit_in_chinese(lang())   # Streamlit's own English ("Upload", the table toolbar …) in Chinese
