"""数据管理: upload a monthly ledger, check it (dry run), confirm it — an analyst's import publishes, a reporter's
awaits review; the review queue, 报送情况, 底稿, stored months, audit log, a sample, the bulletin template."""
from __future__ import annotations

import streamlit as st

from data.store import Store
from data.text import DASH, XLSX_MIME, shown_time
from ui import auth, cached
from ui.admin.actions import FLASH
from ui.admin.bulletin_template import template_panel
from ui.admin.geography import geography_tab
from ui.admin.push import push_panel
from ui.admin.importing import sample_file_name, sample_ledger_bytes, sample_source
from ui.admin.online_form import form_tab
from ui.admin.records import audit_tab, mine_tab, months_tab, report_tab
from ui.admin.register_panel import register_tab
from ui.admin.review import review_tab
from ui.admin.submitting import pending_queue, returned
from ui.admin.upload import import_tab, submit_tab
from ui.i18n import t
from ui.page import serve
from ui.sign_in import sign_in_panel
from ui.state import Selection
from ui.widgets import md_escape


def _template_units(store: Store) -> list[str]:
    """The units an analyst may want a 底稿 for: those of the store's latest month's 报送情况, then every 县区 its
    months name (none while the store is empty: the demo city's are not the user's)."""
    months = store.months()
    if not months:
        return []
    latest = [u.unit for u in cached.month_report(months[-1], store=store).units]
    return list(dict.fromkeys([*latest, *cached.options(store=store).get("county", [])]))


def render(sel: Selection) -> None:
    """Sign-in, then a reporter's own tabs or an analyst's and a viewer's: import, review, months, 报送情况, the log."""
    sign_in_panel()   # viewers read; analysts and reporters sign in here (OIDC, named account, shared password)
    store = Store()   # the real store (KPM_STORE or data/store); the demo city is only ever read
    # Messages sit in containers that exist on every run: a message that comes and goes would shift the tabs below
    # and Streamlit would reopen the first tab (an analyst who just published would land on 导入台账).
    flash, notices = st.container(), st.container()
    message = st.session_state.pop(FLASH, None)
    if isinstance(message, tuple):
        flash.error(message[1])
    elif message:
        flash.success(message)
    _, is_demo, _ = cached.source()
    if is_demo:
        notices.info(t("demo_view_notice") if cached.own_data() else t("demo_notice"), icon=":material/info:")
    if auth.can_write():
        notices.caption(f"{t('store_at')}：{store.root}")

    if auth.can_submit():
        my_unit = auth.reporter_unit()
        for month, ret in returned(store, my_unit):   # told on sign-in, as an analyst is told of submissions waiting
            notices.warning(t("return_banner").format(
                m=month, who=md_escape(ret.get("returned_by") or DASH), at=shown_time(ret.get("returned_at"))[:16],
                reason=md_escape(ret.get("reason", ""))), icon=":material/assignment_return:")
        st.info(t("reporter_intro").format(unit=md_escape(my_unit)), icon=":material/badge:")
        tab_submit, tab_form, tab_mine, tab_report = st.tabs([t("tab_submit"), t("tab_form"), t("tab_mine"),
                                                              t("tab_report")])
        with tab_submit:
            submit_tab(store, my_unit)
        with tab_form:
            form_tab(store, my_unit)   # 在线填报: the third way beside Excel and CSV (ui/admin/online_form.py)
        with tab_mine:
            mine_tab(store, my_unit)
        with tab_report:
            report_tab(store)
    else:
        frame = sample_source()
        if frame is not None:
            st.download_button(t("sample"), lambda: sample_ledger_bytes(frame), sample_file_name(frame), XLSX_MIME,
                               help=t("sample_help"), key="admin_sample", icon=":material/download:")
        analyst = auth.can_write()
        waiting = len(pending_queue(store)) if analyst else 0
        if waiting:
            notices.warning(t("review_waiting").format(n=waiting), icon=":material/pending_actions:")
        labels = [t("tab_import")] + ([t("tab_review"), t("tab_register")] if analyst else []) + [
            t("tab_months"), t("tab_report"), t("tab_audit"), t("tab_geo")]
        tabs = iter(st.tabs(labels))
        with next(tabs):
            import_tab(store, _template_units(store) if analyst else [])
        if analyst:
            with next(tabs):
                review_tab(store)
            with next(tabs):
                register_tab(store)   # 年度名单 (ui/admin/register_panel.py)
        with next(tabs):
            months_tab(store)
        with next(tabs):
            report_tab(store)
        with next(tabs):
            audit_tab(store)
        with next(tabs):
            geography_tab(store)   # 地图: the city of the county map and the units' boundaries (ui/admin/geography.py)
        template_panel(store)   # 月通报模板: download, and for analysts upload (ui/admin/bulletin_template.py)
        push_panel(store)       # 推送到群: targets, the brief sent or downloaded, the dashboard's address (ui/admin/push.py)


if __name__ == "__main__":
    serve(render)
