"""The first hour of a newcomer, an analyst and a reporter (#23), through the app (AppTest) and the command line: the
demo city stays beside the user's own data, a returned reporter is told on sign-in, the review names what changed."""
from __future__ import annotations

import json

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from data.accounts import users
from data.store import DEMO_DIR, Store
from tests import app_store as fx
from tests.factories import tree_bytes, write_xlsx
from tests.helpers import DEMO_LEDGER, run_module
from tests.test_admin_submissions import PW, XLSX, ROOT, alerts, ok, sign_in

DEMO_MONTHS = Store(DEMO_DIR).months()


@pytest.fixture
def empty(tmp_path, monkeypatch) -> Store:
    """A new installation: an empty store with one analyst account (made as the README says, on the command line)."""
    from ui import auth

    s = Store(tmp_path / "store")
    users.add(s, "li", "analyst", PW["li"])
    monkeypatch.setenv("KPM_STORE", str(s.root))
    monkeypatch.delenv("KPM_ANALYST_PASSWORD_HASH", raising=False)
    monkeypatch.chdir(tmp_path)
    auth.LIMITER.reset()
    return s


def _app(page: str | None = "pages/admin.py", query: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    if page:
        at.switch_page(page).run()
    return ok(at)


def _months(at: AppTest) -> list[str]:
    return list(at.sidebar.selectbox[0].options)


def _sidebar_notes(at: AppTest) -> str:
    return "\n".join(x.value for x in (*at.sidebar.warning, *at.sidebar.success))


def test_a_first_import_of_the_demo_ledger_starts_the_users_store_and_the_demo_stays_one_switch_away(empty):
    demo_before = tree_bytes(DEMO_DIR)
    at = sign_in(_app(), "li")
    assert _months(at)[0] == DEMO_MONTHS[-1] and len(_months(at)) == len(DEMO_MONTHS)
    assert "演示数据（示范市）：您的数据库还没有台账" in _sidebar_notes(at)
    assert "导入的第一份台账（包括示例台账）将建立您自己的数据" in alerts(at)
    assert not [w for w in at.sidebar.toggle if w.key == "view_demo"]       # nothing to switch to yet

    at.file_uploader[0].set_value((DEMO_LEDGER.name, DEMO_LEDGER.read_bytes(), XLSX))
    ok(at.run())
    at.button(key="admin_confirm").click().run()
    ok(at)
    text = alerts(at)
    assert "已导入 2024-06：89 行" in text and "这是您数据库的第一份数据：各页面已改为显示您的数据" in text
    assert "python -m data demo --restore" in text
    assert _months(at) == ["2024-06"] and "正式数据" in _sidebar_notes(at)

    at.sidebar.toggle(key="view_demo").set_value(True).run()                 # the demo city, beside the user's data
    ok(at)
    assert _months(at)[0] == DEMO_MONTHS[-1] and at.sidebar.selectbox[0].value == DEMO_MONTHS[-1]
    assert "正在查看示范市（演示数据）" in _sidebar_notes(at) and at.query_params["demo"] == "1"
    assert "本页的导入、审核和报送情况都针对您自己的数据库" in alerts(at)
    assert at.selectbox(key="admin_report_month").options == ["2024-06"]     # 数据管理 still works on the user's store
    at.sidebar.toggle(key="view_demo").set_value(False).run()
    assert _months(at) == ["2024-06"] and "demo" not in at.query_params
    assert tree_bytes(DEMO_DIR) == demo_before                                 # the demo city was never written

    link = _app(page=None, query={"demo": "1"})                               # a link to the demo city
    assert _months(link)[0] == DEMO_MONTHS[-1] and link.sidebar.toggle(key="view_demo").value


def test_demo_restore_sets_the_data_aside_keeps_the_accounts_and_the_app_shows_the_demo_again(empty, tmp_path):
    from data.ingest import import_file

    assert import_file(DEMO_LEDGER, store=empty, user="li").ok
    empty.submit(Store(DEMO_DIR).read("2024-06").head(2), unit="石门县", user="wang")   # one awaiting review too
    (empty.root / "mappings.json").write_text('{"columns": {}, "values": {}}', encoding="utf-8")
    kept = {name: (empty.root / name).read_bytes() for name in ("users.json", "mappings.json")}
    old_audit = empty.audit_path.read_bytes()

    p = run_module("data", "demo", "--restore", "--store", empty.root)
    assert p.returncode == 0, p.stderr
    assert "没有删除任何文件" in p.stdout and "账号（users.json）" in p.stdout
    archived = [d for d in (empty.root / "archive").iterdir()]
    assert len(archived) == 1
    assert sorted(x.name for x in archived[0].iterdir()) == ["audit.jsonl", "pending", "snapshots"]
    assert (archived[0] / "snapshots" / "2024-06.parquet").exists() and (archived[0] / "audit.jsonl").read_bytes() == old_audit
    assert Store(empty.root).months() == [] and not (empty.root / "pending").exists()
    assert {name: (empty.root / name).read_bytes() for name in kept} == kept     # accounts and mappings stay
    rec = [json.loads(line) for line in empty.audit_path.read_text(encoding="utf-8").splitlines()]
    assert [r["action"] for r in rec] == ["archive"] and archived[0].name in rec[0]["note"]
    assert run_module("data", "check", "--store", empty.root).returncode == 0

    at = sign_in(_app(), "li")                                                   # the same account signs in
    assert "已登录：li（分析员）" in alerts(at) and _months(at)[0] == DEMO_MONTHS[-1]
    assert "演示数据（示范市）：您的数据库还没有台账" in _sidebar_notes(at)
    assert "移出数据（回到示范市）" in set(next(d.value for d in at.dataframe if "操作" in d.value.columns)["操作"])

    p = run_module("data", "demo", "--restore", "--store", empty.root)          # nothing left to set aside
    assert p.returncode == 0 and "本来就显示示范市" in p.stdout
    p = run_module("data", "demo", "--restore", "--store", DEMO_DIR)
    assert p.returncode == 1 and "示范市自己的目录" in p.stderr


# ---- review and return (the three-county store of tests/test_submissions_app.py) --------------------------------
from tests.test_admin_submissions import admin, clock, july, store, submit_via_importer, table_with  # noqa: E402,F401


def test_the_review_names_the_changed_projects_with_old_and_new_figures_and_shows_the_rows(store, tmp_path):
    jia = july()                                 # JA01: 本年累计 600 → 660 and 开工累计 5,000 → 5,060 (by hand)
    new = jia.filter(pl.col("project_id") == "JA02").with_columns(pl.lit("JA03").alias("project_id"),
                                                                  pl.lit("甲县新建物流园").alias("project_name"))
    ledger = pl.concat([jia.filter(pl.col("project_id") == "JA01"), new])          # JA02 left out, JA03 new
    submit_via_importer(store, ledger, "甲县", "wang", tmp_path)
    at = sign_in(admin(), "li")
    assert "与该单位 2024-06 已发布的数据相比：原 2 行 → 新 2 行：新增 1 个项目、移除 1 个项目、数据有变化的 1 个项目" in \
        [m.value for m in at.markdown]
    assert "##### 变化明细：1 个项目的 2 处数据有变化" in [m.value for m in at.markdown]
    got = table_with(at, "字段")
    assert got.fillna("").values.tolist() == [
        ["JA03", "甲县新建物流园", "新增项目", "", "", ""],
        ["JA02", "甲县城区供水管网改造", "移除项目", "", "", ""],
        ["JA01", "甲县新材料产业园", "数据变化", "本年累计完成投资(万元)", "600.00", "660.00"],
        ["JA01", "甲县新材料产业园", "数据变化", "开工累计完成投资(万元)", "5,000.00", "5,060.00"]]
    rows = table_with(at, "开工累计完成投资(万元)")
    assert list(rows["项目编码"]) == ["JA01", "JA03"] and list(rows["本年累计完成投资(万元)"]) == [660.0, 330.0]
    assert "报送的全部数据（2 行）" in [e.label for e in at.expander]


def test_a_returned_reporter_is_told_why_on_sign_in_until_they_submit_again(store, tmp_path, clock):
    submit_via_importer(store, july(), "甲县", "wang", tmp_path)
    clock.now = "2024-07-21T16:30:00"
    store.return_submission("2024-07", "甲县", "JA02 本年累计与上月相同，请核实", user="li")
    at = sign_in(admin(), "wang")
    banners = [w.value for w in at.warning if "已被退回" in w.value]
    assert banners == ["您报送的 2024-07 台账已被退回（li 于 2024-07-21 16:30）。退回原因：JA02 本年累计与上月相同，请核实。"
                       "请按原因修改后在“报送台账”中重新提交。"]
    other = sign_in(admin(), "zhao")                                             # 乙县 had nothing returned
    assert not [w for w in other.warning if "已被退回" in w.value]
    submit_via_importer(store, july(), "甲县", "wang", tmp_path)                 # submitted again: answered
    at.run()
    assert not [w for w in at.warning if "已被退回" in w.value]


def test_the_month_field_is_the_month_due_for_a_reporter_and_a_hint_for_an_analyst(store, tmp_path, clock):
    reporter = sign_in(admin(), "wang")
    assert reporter.text_input(key="admin_month").value == "2024-07"             # 甲县 owes July
    june_again = fx.month_frame("2024-06").filter(pl.col("county") == "甲县")
    reporter.file_uploader[0].set_value(("甲县六月.xlsx", write_xlsx(june_again, tmp_path / "j.xlsx").read_bytes(), XLSX))
    reporter.run()
    assert "文件中的报送月份是 2024-06，但指定的月份是 2024-07" in table_with(reporter, "规则")["说明"].iloc[0]
    analyst = sign_in(admin(), "li")
    field = analyst.text_input(key="admin_month")
    assert field.value in (None, "") and field.placeholder.startswith("例如 2024-07")
    store.write(july(), source="甲县.xlsx", user="li")                          # July in: 甲县 owes August
    reporter.file_uploader[0].set_value([]).run()
    assert reporter.text_input(key="admin_month").value == "2024-08"
    analyst.run()
    assert analyst.text_input(key="admin_month").placeholder.startswith("例如 2024-08")


def test_the_analysts_template_is_beside_the_upload(store):
    at = sign_in(admin(), "li")
    labels = [t.label for t in at.tabs]
    upload, report = at.tabs[labels.index("导入台账")], at.tabs[labels.index("报送情况")]
    assert upload.selectbox(key="tpl_unit").options[:3] == ["甲县", "乙县", "丙区"]
    assert [b.label for b in upload.get("download_button")][:1] == ["下载底稿（Excel）"]
    assert "tpl_unit" not in {s.key for s in report.selectbox}


def test_an_empty_cell_reads_a_dash_not_none_in_every_table_of_the_data_page(store, tmp_path):
    """The audit log's 行数 of an account change, 报送情况's times of a missing unit …: Streamlit writes “None” for a
    missing value unless the table names its placeholder (it draws on a canvas: checked on what the page sends)."""
    submit_via_importer(store, july(), "甲县", "wang", tmp_path)
    at = sign_in(admin(), "li")
    audit = next(d for d in at.dataframe if "操作" in d.value.columns)
    assert audit.value["行数"].isna().any()                                    # there are empty cells to show
    assert at.dataframe and {d.proto.placeholder for d in at.dataframe} == {"—"}


def test_every_action_the_code_writes_to_the_audit_log_reads_in_chinese():
    """The audit log's 操作 column: every action written anywhere under data/ and reports/ (found in the source, so a
    new one is caught), every 督办 step and map change has a Chinese name, never the log's raw key."""
    import re

    from data.duban import STEP_ZH
    from ui.admin.importing import action_name

    from data.geo.kept import AUDIT_ACTIONS

    source = "\n".join(p.read_text(encoding="utf-8") for part in ("data", "reports") for p in (ROOT / part).rglob("*.py"))
    written = set(re.findall(r'"action": "([a-z_-]+)"', source)) | set(re.findall(r'[^.]action="([a-z_-]+)"', source))
    written |= set(re.findall(r'append_audit\(\s*"([a-z_-]+)"', source))  # Store.append_audit(action, …)
    written -= {"append", "store_true"}   # argparse's, not the log's
    written |= set(re.findall(r'^ACTION = "([a-z_-]+)"', source, re.M)) | {"import", "replace"}
    written |= set(re.findall(r'"(push-[a-z-]+)"', source)) | set(AUDIT_ACTIONS)
    written |= {f"duban-{step}" for step in STEP_ZH}
    assert {"archive", "publish", "submit", "return", "bulletin_template", "duban-close", "geo-match", "push-brief",
            "push-target-add"} <= written
    raw = {a: action_name(a) for a in written if re.search(r"[A-Za-z]", action_name(a))}
    assert not raw, raw
