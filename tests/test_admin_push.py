"""数据管理's push panel (ui/admin/push.py) in AppTest: an analyst adds a 钉钉 robot with its 加签 secret, sees it listed
with the address masked, and removes it; the secret and the address's token are in push.json only — never on the
page, in the form after it was sent, in the audit log or any other file of the store; a refused address leaves the
store byte-identical; a viewer sees no form."""
from __future__ import annotations

import polars as pl
import pytest

from tests.test_admin_auth import HASH, admin, sign_in
from tests.test_admin_auth import store as store  # noqa: F401 - the fixture: a small store, no secrets file
from tests.factories import tree_bytes

SECRET = "SEC9f8e7d6c5b4a3210ffeeddccbbaa"
TOKEN = "d1c2b3a4e5f6a7b8c9d0tokenvalue"
URL = f"https://oapi.dingtalk.com/robot/send?access_token={TOKEN}"
SUBMIT = "FormSubmitter:push_add-添加推送对象"


def page_text(at) -> str:
    """Everything the page shows: texts, messages, tables' cells and what the inputs hold."""
    parts = [str(e.value) for kind in ("markdown", "caption", "success", "error", "info", "warning", "subheader",
                                        "title") for e in getattr(at, kind)]
    parts += [e.value.to_string() if hasattr(e.value, "to_string") else str(e.value) for e in at.dataframe]
    parts += [str(e.value) for e in at.text_input]
    return "\n".join(parts)


def targets_table(at):
    """The panel's table of targets (the page has others), or None."""
    return next((e.value for e in at.dataframe if "Webhook 地址" in e.value.columns), None)


def store_files_but_targets(root) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for p in root.rglob("*") if p.is_file() and p.name != "push.json"}


@pytest.fixture
def analyst(store, monkeypatch):  # noqa: F811
    monkeypatch.setenv("KPM_ANALYST_PASSWORD_HASH", HASH)
    return sign_in(admin())


def add(at, name: str, url: str, secret: str = "", kind: str = "dingtalk"):
    at.text_input(key="push_new_name").input(name)
    at.selectbox(key="push_new_kind").select(kind)
    at.text_input(key="push_new_url").input(url)
    at.text_input(key="push_new_secret").input(secret)
    at.button(key=SUBMIT).click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_a_target_is_added_listed_masked_and_removed_and_its_secret_never_shown(analyst, store):  # noqa: F811
    at = add(analyst, "领导群", URL, SECRET)
    saved = (store.root / "push.json").read_text(encoding="utf-8")
    assert SECRET in saved and TOKEN in saved   # kept where the sender reads it
    assert "已添加推送对象“领导群”" in page_text(at)
    row = pl.from_pandas(targets_table(at)).row(0, named=True)
    assert row["名称"] == "领导群" and row["平台"] == "钉钉" and row["加签"] == "已设置"
    assert row["Webhook 地址"] == "https://oapi.dingtalk.com/robot/send?access_token=d1c…lue"   # first and last 3
    shown = page_text(at)
    for word in (SECRET, TOKEN, SECRET[3:-3], TOKEN[3:-3]):
        assert word not in shown, f"页面上出现了密钥或令牌：{word}"
        for path, content in store_files_but_targets(store.root).items():
            assert word.encode() not in content, f"{path} 中出现了密钥或令牌"
    assert at.text_input(key="push_new_url").value == "" and at.text_input(key="push_new_secret").value == ""
    audit = "".join(p.read_text(encoding="utf-8") for p in store.root.rglob("*audit*") if p.is_file())
    assert "push-target-add" in audit and "领导群" in audit

    at.selectbox(key="push_pick").select("领导群")
    at.button(key="push_remove").click().run()
    assert "已删除推送对象“领导群”" in page_text(at)
    assert "领导群" not in (store.root / "push.json").read_text(encoding="utf-8")
    assert targets_table(at) is None
    audit = "".join(p.read_text(encoding="utf-8") for p in store.root.rglob("*audit*") if p.is_file())
    assert "push-target-remove" in audit and SECRET not in audit


def test_a_refused_address_is_explained_and_leaves_the_store_as_it_was(analyst, store):  # noqa: F811
    before = tree_bytes(store.root)
    at = add(analyst, "领导群", "https://oapi.dingtalk.com/robot/send", SECRET)   # no access_token
    assert "应含 access_token" in "\n".join(str(e.value) for e in at.error)
    assert SECRET not in page_text(at)
    assert tree_bytes(store.root) == before


def test_the_dashboard_address_is_saved(analyst, store):  # noqa: F811
    analyst.text_input(key="push_base").input("https://kpm.example.gov.cn/kpm/")
    analyst.button(key="push_base_save").click().run()
    assert '"dashboard_url": "https://kpm.example.gov.cn/kpm/"' in (store.root / "push.json").read_text(encoding="utf-8")


def test_a_viewer_sees_no_form(store):  # noqa: F811
    at = admin()
    keys = {e.key for e in at.text_input}
    assert "push_new_url" not in keys and "push_new_secret" not in keys
    assert "分析员登录后可管理推送对象" in page_text(at)


def test_the_brief_is_sent_to_a_target_from_the_page_and_a_refusal_is_shown(analyst, store, monkeypatch):  # noqa: F811
    """发送本月简报 runs the command line's step against a local robot: a signed markdown message arrives and the page
    says so; the robot's refusal (an errcode) is shown with the platform's own message, and no secret either time."""
    from reports.push import targets
    from tests.robot_server import robot_server

    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    with robot_server() as robot:
        targets.add(store, "领导群", "dingtalk", f"{robot.url}?access_token={TOKEN}", SECRET, user="测试")
        targets.save_settings(store, dashboard_url="https://kpm.example.gov.cn/kpm/", backoff_s=0.0, attempts=2)
        at = analyst
        at.run()
        at.selectbox(key="push_pick").select("领导群")
        at.button(key="push_send").click().run()
        assert not at.exception, [e.value for e in at.exception]
        assert "已推送到“领导群”（钉钉）" in "\n".join(str(e.value) for e in at.success)
        sent = [r for r in robot.received if r["body"].get("msgtype") == "markdown"]
        assert len(sent) == 1 and sent[0]["query"]["access_token"] == [TOKEN] and sent[0]["query"]["sign"]
        assert "https://kpm.example.gov.cn/kpm/" in sent[0]["body"]["markdown"]["text"]

        robot.received.clear()
        robot.replies[:] = [(200, {"errcode": 310000, "errmsg": "sign not match"})] * 2   # both attempts refused
        at.button(key="push_send").click().run()
        errors = "\n".join(str(e.value) for e in at.error)
        assert "推送失败" in errors and "sign not match" in errors
        assert len(robot.received) == 2   # retried once (attempts=2), then given up
    shown = page_text(at)
    assert SECRET not in shown and TOKEN not in shown
