"""督办 through the app (AppTest): the analyst assigns from a 红灯 project (建议交办, prefilled), the county's reporter
sees its own items only, gives feedback and requests closing, the analyst returns it once with a reason and closes it
with a grade; every step shows who and when. A meeting decision makes one item per 承办单位; a viewer is offered no
action; another unit's reporter is offered none of 丙区's items."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from streamlit.testing.v1 import AppTest

from data import duban, duban_steps as steps
from data.accounts import users
from tests import app_store as fx
from tests.auth_helpers import SUBMIT_KEY
from tests.helpers import APP

PW = {"li": "分析员李-口令-22", "chen": "丙区填报员-口令-5", "wang": "甲县填报员-口令-1"}
TODAY = dt.date.today()


@pytest.fixture
def store(tmp_path, monkeypatch):
    """The three-county store (CQ01 of 丙区 is 红 in May and June: 建议交办), an analyst, 丙区's and 甲县's reporters."""
    from ui import auth

    s = fx.build_store(tmp_path / "store")
    users.add(s, "li", "analyst", PW["li"])
    users.add(s, "chen", "reporter", PW["chen"], unit="丙区")
    users.add(s, "wang", "reporter", PW["wang"], unit="甲县")
    monkeypatch.setenv("KPM_STORE", str(s.root))
    monkeypatch.delenv("KPM_ANALYST_PASSWORD_HASH", raising=False)
    auth.LIMITER.reset()
    return s


def page() -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.run()
    at.switch_page("pages/duban.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def sign_in(at: AppTest, name: str) -> AppTest:
    at.text_input(key="_auth_name").input(name)
    at.text_input(key="_auth_pw").input(PW[name])
    at.button(key=SUBMIT_KEY).click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def sign_out(at: AppTest) -> AppTest:
    at.button(key="_auth_logout").click().run()
    return at


def alerts(at: AppTest) -> str:
    return " ".join(str(e.value) for kind in (at.success, at.error, at.warning, at.info) for e in kind)


def tabs(at: AppTest) -> list[str]:
    return [t.label for t in at.tabs]


def submit(at: AppTest, form: str, item_id: str) -> AppTest:
    """Press a review or answer form's button (keyed db_<form>_go_<id>)."""
    at.button(key=f"db_{form}_go_{item_id}").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_whole_path_assign_from_a_red_project_answer_return_close(store):
    at = sign_in(page(), "li")
    assert tabs(at)[:3] == ["督办台账", "交办", "审核"]
    assert "还没有督办事项" in alerts(at)
    # 建议交办 lists CQ01 (red in May and June); the picker offers it first and prefills from the project
    assert at.selectbox(key="db_project_pick").options[0].startswith("CQ01 · 丙区智能终端项目（丙区） · 建议交办：2024-05、2024-06连续红灯")
    at.selectbox(key="db_project_pick").set_value("CQ01").run()
    key = "db_p_CQ01_0"
    assert at.selectbox(key=f"{key}_unit").value == "丙区"
    assert at.text_input(key=f"{key}_leader").value == "李敏"
    assert at.radio(key=f"{key}_source").value == "预警"
    at.text_area(key=f"{key}_content").input("推进丙区智能终端项目开工，倒排工期").run()
    assert f"按一般事项计算：{TODAY + dt.timedelta(days=7)}" in " ".join(c.value for c in at.caption)
    at.button(key=f"{key}_go").click().run()
    item_id = f"DB{TODAY.year}-0001"
    assert f"已交办：{item_id}（丙区，办理时限 {TODAY + dt.timedelta(days=7)}）" in alerts(at)
    item = duban.load(store).item(item_id)
    assert (item.unit, item.project_id, item.source, item.leader, item.assigned_by) == ("丙区", "CQ01", "预警", "李敏", "li")
    sign_out(at)

    # 甲县's reporter sees none of 丙区's items and has nothing to answer
    sign_in(at, "wang")
    assert tabs(at)[0] == "本单位事项" and "审核" not in tabs(at) and "交办" not in tabs(at)
    assert not [s for s in at.selectbox if s.key == "db_mine_pick"]
    sign_out(at)

    # 丙区's reporter: its item first, feedback, then 申请办结
    sign_in(at, "chen")
    assert at.selectbox(key="db_mine_pick").options == [f"{item_id} · 办理时限 {TODAY + dt.timedelta(days=7)} · 推进丙区智能终端项目开工，倒排工期"]
    at.text_area(key=f"db_fb_text_{item_id}").input("已召开协调会，施工许可本周办结")
    submit(at, "fb", item_id)
    assert f"{item_id}：已反馈。" in alerts(at)
    at.text_area(key=f"db_rq_text_{item_id}").input("项目已开工，附开工照片")
    submit(at, "rq", item_id)
    assert f"{item_id}：已申请办结。" in alerts(at)
    assert duban.load(store).item(item_id).at().status == "申请办结"
    sign_out(at)

    # the analyst returns it once with a reason
    sign_in(at, "li")
    assert at.selectbox(key="db_review_pick").value == item_id
    at.text_input(key=f"db_return_reason_{item_id}").input("缺少开工报告")
    submit(at, "return", item_id)
    assert f"{item_id}：已退回。" in alerts(at)
    sign_out(at)

    # the reporter sees the return and its reason, and asks again
    sign_in(at, "chen")
    assert f"{item_id} 被退回（li，{TODAY}）：缺少开工报告" in alerts(at)
    at.text_area(key=f"db_rq_text_{item_id}").input("补充开工报告")
    submit(at, "rq", item_id)
    sign_out(at)

    # the analyst closes it with a grade; the history shows every step with who and when
    sign_in(at, "li")
    at.selectbox(key="db_grade_" + item_id).set_value("良好")
    submit(at, "close", item_id)
    assert f"{item_id}：已办结。" in alerts(at)
    state = duban.load(store).item(item_id).at()
    assert (state.status, state.grade) == ("已办结", "良好")
    at.toggle(key="db_open").set_value(False).run()
    at.selectbox(key="db_history_pick").set_value(item_id).run()
    steps_shown = next(d.value for d in at.dataframe if "步骤" in d.value.columns)
    assert list(steps_shown["步骤"]) == ["交办", "反馈", "申请办结", "退回", "申请办结", "办结"]
    assert list(steps_shown["经办人"]) == ["li", "chen", "chen", "li", "chen", "li"]
    assert list(steps_shown["内容"])[3:] == ["缺少开工报告", "补充开工报告", "良好"]


def test_a_meeting_decision_makes_one_item_per_unit_with_the_co_units_listed(store):
    at = sign_in(page(), "li")
    at.radio(key="db_from").set_value("meeting").run()
    key = "db_m_0"
    at.text_input(key=f"{key}_meeting").input("2024年6月全市重点项目调度会")
    at.multiselect(key=f"{key}_units").set_value(["甲县", "乙县"])
    at.multiselect(key=f"{key}_co").set_value(["丙区"])
    at.text_area(key=f"{key}_content").input("六月底前完成用地报批")
    at.radio(key=f"{key}_tier").set_value("重大").run()
    at.button(key=f"{key}_go").click().run()
    items = list(duban.load(store).items.values())
    assert [(i.unit, i.co_units, i.meeting, i.tier, i.source) for i in items] == [
        ("甲县", ("丙区",), "2024年6月全市重点项目调度会", "重大", "会议"),
        ("乙县", ("丙区",), "2024年6月全市重点项目调度会", "重大", "会议")]
    # 重大: the same day of the next month
    nxt = dt.date(TODAY.year + TODAY.month // 12, TODAY.month % 12 + 1, 1)
    import calendar
    expect = nxt.replace(day=min(TODAY.day, calendar.monthrange(nxt.year, nxt.month)[1]))
    assert [i.due_on for i in items] == [expect, expect]


def test_a_viewer_reads_the_desk_and_is_offered_no_action(store):
    actor = duban.Actor("li", "analyst")
    steps.assign(store, actor, units=["甲县"], content="完成供水管网验收", assigned_on=TODAY - dt.timedelta(days=10))
    at = page()
    assert tabs(at) == ["督办台账"]
    assert not [b for b in at.button if str(b.key or "").startswith(("db_p_", "db_m_"))]
    # the item is 10 days old, due after 7: 逾期 and 反馈逾期, counted on the tiles
    tiles = next(x.value for x in at.markdown if 'class="kpi-grid"' in x.value)
    got = dict(re.findall(r'<span>([^<]+)</span><span class="i".*?<div class="val">([^<]+)</div>', tiles))
    assert got == {"交办事项数": "1 项", "已办结事项数": "0 项", "按期办结率": "0.0%", "逾期未办结事项数": "1 项",
                   "反馈逾期事项数": "1 项"}
    shown = next(d.value for d in at.dataframe if "预警" in d.value.columns)
    assert list(shown["预警"]) == ["逾期、反馈逾期"]


def test_a_link_from_a_project_opens_assign_on_it(store):
    """项目台账's project view links to /duban?project=ID: the analyst lands on 交办 with the project prefilled."""
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.query_params["project"] = "CQ02"
    at.run()
    at.switch_page("pages/duban.py").run()
    sign_in(at, "li")
    assert at.selectbox(key="db_project_pick").value == "CQ02"
    assert at.text_area(key="db_p_CQ02_0_content").value == fx.PROBLEM        # its reported problem
    assert at.selectbox(key="db_p_CQ02_0_unit").value == "丙区"
    assert at.radio(key="db_p_CQ02_0_source").value == "问题"
