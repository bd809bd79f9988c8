"""County submissions through the app (AppTest): a reporter's named-account sign-in, their own county's upload
waiting for review, another county's rows refused naming it, the analyst's review (通过 / 退回 with a reason),
报送情况, the 报送情况 line in the sidebar and the screen header, and OIDC reporters mapped by e-mail."""
from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

import data.store as store_mod
from data.accounts import users
from data.ingest import import_file
from data.store import Store
from tests import app_store as fx
from tests.auth_helpers import SUBMIT_KEY
from tests.factories import tree_bytes, write_xlsx

ROOT = Path(__file__).resolve().parents[1]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PW = {"wang": "甲县填报员-口令-1", "li": "分析员李-口令-22", "zhao": "乙县填报员-口令-3"}
AUTH = {"redirect_uri": "http://127.0.0.1:8501/oauth2callback", "cookie_secret": "s" * 32, "client_id": "kpm",
        "client_secret": "x", "server_metadata_url": "https://idp.example/.well-known/openid-configuration"}


class Clock:
    """The store's clock (data.store.now): every write is stamped with `now`, so 逾期 is deterministic."""

    def __init__(self, now: str):
        self.now = now

    def __call__(self) -> str:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    c = Clock("2024-06-20T09:00:00")
    monkeypatch.setattr(store_mod, "now", c)
    return c


@pytest.fixture
def store(tmp_path, monkeypatch, clock) -> Store:
    """The three-county store (every month published before its 25th) with a reporter of 甲县, one of 乙县 and
    an analyst; no shared password, no secrets file."""
    from ui import auth

    root = tmp_path / "store"
    s = Store(root)
    for m in fx.MONTHS:
        clock.now = f"{m}-20T09:00:00"
        s.write(fx.month_frame(m), source=f"fixture_{m}.xlsx", user="test")
    users.add(s, "wang", "reporter", PW["wang"], unit="甲县")
    users.add(s, "zhao", "reporter", PW["zhao"], unit="乙县")
    users.add(s, "li", "analyst", PW["li"])
    clock.now = "2024-07-20T10:00:00"
    monkeypatch.setenv("KPM_STORE", str(root))
    monkeypatch.delenv("KPM_ANALYST_PASSWORD_HASH", raising=False)
    monkeypatch.chdir(tmp_path)
    auth.LIMITER.reset()
    return s


def july(counties: tuple[str, ...] = ("甲县",)) -> pl.DataFrame:
    """June's rows of these counties as July's ledger (this year's and the since-start totals up by 10% of June's
    year-to-date figure)."""
    june = fx.month_frame("2024-06").filter(pl.col("county").is_in(counties))
    grow = pl.col("completed_investment_ytd") * 0.1
    return june.with_columns(pl.col("snapshot_month").dt.offset_by("1mo"),
                             (pl.col("completed_investment_ytd") + grow).alias("completed_investment_ytd"),
                             (pl.col("completed_investment_total") + grow).alias("completed_investment_total"))


def start(secrets: dict | None = None, user: dict | None = None, query: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for k, v in (secrets or {}).items():
        at.secrets[k] = v
    for k, v in (query or {}).items():
        at.query_params[k] = v
    if user is not None:
        at.user = user
    at.run()
    return at


def admin(**kw) -> AppTest:
    at = start(**kw)
    at.switch_page("pages/admin.py").run()
    ok(at)
    return at


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def sign_in(at: AppTest, name: str, password: str | None = None) -> AppTest:
    at.text_input(key="_auth_name").input(name)
    at.text_input(key="_auth_pw").input(PW[name] if password is None else password)
    at.button(key=SUBMIT_KEY).click().run()
    return ok(at)


def upload(at: AppTest, frame: pl.DataFrame, path: Path) -> AppTest:
    at.file_uploader[0].set_value((path.name, write_xlsx(frame, path).read_bytes(), XLSX))
    return ok(at.run())


def table_with(at: AppTest, column: str):
    """The first shown table (pandas) with this column: 退回原因 → 我的报送, 逾期 → 报送情况, 规则 → problems."""
    hits = [d.value for d in at.dataframe if column in d.value.columns]
    assert hits, f"no table with {column}"
    return hits[0]


def alerts(at: AppTest) -> str:
    return "\n".join(str(x.value) for x in (*at.success, *at.info, *at.warning, *at.error))


def sidebar_line(at: AppTest) -> str:
    lines = [c.value for c in at.sidebar.caption if "个单位中" in c.value or "尚无单位报送" in c.value]
    assert len(lines) == 1, [c.value for c in at.sidebar.caption]
    return lines[0].replace("\\", "")  # md_escape's backslashes


def submit_via_importer(store: Store, frame: pl.DataFrame, unit: str, user: str, tmp_path: Path) -> None:
    out = import_file(write_xlsx(frame, tmp_path / f"{unit}.xlsx"), store=store, reporter_unit=unit, user=user)
    assert out.ok, out.report()


# ---- the reporter -------------------------------------------------------------------------------------------------
def test_reporter_signs_in_with_a_named_account(store):
    at = admin()
    assert not at.file_uploader and at.text_input(key="_auth_name").label == "用户名"
    sign_in(at, "wang", "not the password")
    assert "用户名或口令不正确" in alerts(at) and not at.file_uploader
    sign_in(at, "wang")
    assert "已登录：wang（填报员，报送单位：甲县）" in alerts(at)
    assert at.file_uploader and [t.label for t in at.tabs] == ["报送台账", "在线填报", "我的报送", "报送情况"]
    keys = {b.key for b in at.button}
    assert "admin_delete" not in keys and not any(str(k).startswith("rev_") for k in keys)  # no delete, no review
    assert at.session_state["_auth_account"]["unit"] == "甲县"
    at.button(key="_auth_logout").click().run()
    assert not at.file_uploader and at.text_input(key="_auth_name")


def test_reporter_upload_of_own_county_waits_for_review(store, tmp_path):
    at = sign_in(admin(), "wang")
    at = upload(at, july(), tmp_path / "甲县七月.xlsx")
    assert "检查通过，可以提交审核。" in alerts(at)
    assert at.button(key="admin_confirm").label == "提交审核"
    at.button(key="admin_confirm").click().run()
    ok(at)
    assert "已提交 2024-07 甲县 的台账（2 个项目），等待分析员审核" in alerts(at)
    s = Store(store.root)
    assert s.months() == list(fx.MONTHS)                      # nothing published yet
    rec = s.audit()[-1]
    assert (rec["action"], rec["month"], rec["unit"], rec["user"], rec["rows"]) == ("submit", "2024-07", "甲县",
                                                                                       "wang", 2)
    mine = table_with(at, "退回原因")
    row = mine[mine["报送月份"] == "2024-07"].iloc[0]
    assert (row["状态"], row["行数"], row["报送人"], row["报送时间"]) == ("待审核", 2, "wang", "2024-07-20 10:00:00")
    june = mine[mine["报送月份"] == "2024-06"].iloc[0]
    assert (june["状态"], june["行数"], june["审核人"]) == ("已发布", 2, "test")


def test_reporter_upload_with_another_countys_rows_is_refused_naming_them(store, tmp_path):
    at = sign_in(admin(), "wang")
    before = tree_bytes(store.root)
    at = upload(at, july(("甲县", "乙县", "丙区")), tmp_path / "全市七月.xlsx")
    assert at.button(key="admin_confirm").disabled
    text = alerts(at)
    assert "文件未通过检查，未提交" in text
    assert "文件中有 4 行属于其他单位（乙县、丙区），您只能报送“甲县”的项目" in text
    errors = table_with(at, "规则")
    assert list(errors["规则"]) == ["不属于本单位"] * 4 and set(errors["值"]) == {"乙县", "丙区"}
    assert any("乙县装备制造基地" in m and "由乙县报送" in m for m in errors["说明"])
    assert tree_bytes(store.root) == before


# ---- the analyst's review -----------------------------------------------------------------------------------------
def test_analyst_sees_the_submission_pending_and_publishes_it(store, tmp_path, clock):
    submit_via_importer(store, july(), "甲县", "wang", tmp_path)
    at = admin()
    assert "2024年7月" not in sidebar_line(at)                # the month is not stored yet: the sidebar shows June
    at = sign_in(at, "li")
    assert "已登录：li（分析员）" in alerts(at)
    assert [t.label for t in at.tabs][:2] == ["导入台账", "待审核"]
    assert "有 1 份填报员的报送等待审核：见“待审核”。" in alerts(at)
    assert "#### 2024-07 · 甲县" in [m.value for m in at.markdown]
    assert "复核通过：没有错误，可以发布。" in alerts(at)
    assert "与该单位 2024-06 已发布的数据相比：原 2 行 → 新 2 行：新增 0 个项目、移除 0 个项目、数据有变化的 2 个项目" in \
        [m.value for m in at.markdown]
    assert at.selectbox(key="admin_report_month").value == "2024-06"   # the sidebar's month, until chosen
    at.selectbox(key="admin_report_month").select("2024-07").run()
    report = table_with(at, "逾期")
    assert dict(zip(report["报送单位"], report["状态"])) == {"甲县": "待审核", "乙县": "未报送", "丙区": "未报送"}
    clock.now = "2024-07-26T08:00:00"                          # after the 25th: published late
    at.button(key="rev_pub|2024-07|甲县").click().run()
    ok(at)
    assert "已发布 2024-07 甲县 的报送，已计入当月数据（当月共 2 个项目）。" in alerts(at)
    s = Store(store.root)
    snap = s.read("2024-07")
    assert sorted(snap["project_id"]) == ["JA01", "JA02"]
    assert snap.filter(pl.col("project_id") == "JA01")["completed_investment_ytd"].item() == pytest.approx(660.0)
    rec = s.audit()[-1]
    assert (rec["action"], rec["user"], rec["units"]["甲县"]["submitted_by"]) == ("publish", "li", "wang")
    assert "没有待审核的报送。" in alerts(at) and "等待审核" not in alerts(at)
    report = table_with(at, "逾期")
    row = report[report["报送单位"] == "甲县"].iloc[0]
    assert (row["状态"], row["行数"], row["报送人"], row["报送时间"], row["发布时间"], row["逾期"]) == (
        "已发布", 2, "wang", "2024-07-20 10:00:00", "2024-07-26 08:00:00", "逾期")
    assert at.sidebar.selectbox[0].options[0] == "2024-07"     # the new month is offered
    at.sidebar.selectbox[0].select("2024-07").run()
    assert sidebar_line(at) == ":material/fact_check: 2024年7月：3个单位中1个已报送（甲县逾期），乙县、丙区未报送"


def test_return_needs_a_reason_and_the_reporter_sees_it(store, tmp_path):
    submit_via_importer(store, july(), "甲县", "wang", tmp_path)
    at = sign_in(admin(), "li")
    before = len(Store(store.root).audit())
    at.button(key="rev_ret|2024-07|甲县").click().run()          # no reason
    assert "退回时请写明原因" in alerts(at) and len(Store(store.root).audit()) == before
    at.text_input(key="rev_reason|2024-07|甲县").input("JA02 本年累计与上月相同，请核实后重报").run()
    at.button(key="rev_ret|2024-07|甲县").click().run()
    ok(at)
    assert "已退回 2024-07 甲县 的报送，原因：JA02 本年累计与上月相同，请核实后重报" in alerts(at)
    rec = Store(store.root).audit()[-1]
    assert (rec["action"], rec["unit"], rec["user"], rec["reason"]) == ("return", "甲县", "li",
                                                                        "JA02 本年累计与上月相同，请核实后重报")
    assert Store(store.root).months() == list(fx.MONTHS)
    at.button(key="_auth_logout").click().run()
    at = sign_in(at, "wang")
    mine = table_with(at, "退回原因")
    row = mine[mine["报送月份"] == "2024-07"].iloc[0]
    assert (row["状态"], row["审核人"], row["退回原因"]) == ("已退回", "li", "JA02 本年累计与上月相同，请核实后重报")


def test_analyst_named_unit_upload_and_replacing_names_the_units(store, tmp_path):
    at = sign_in(admin(), "li")
    assert "admin_user" not in {w.key for w in at.text_input}  # a named account's own name is recorded
    june = fx.month_frame("2024-06").filter(pl.col("county") == "乙县").with_columns(pl.lit("赵六").alias("leader"))
    at = upload(at, june, tmp_path / "乙县六月.xlsx")
    assert at.button(key="admin_confirm").disabled
    warning = next(w.value for w in at.warning if "库中已有 2024-06" in w.value)
    assert warning.startswith("库中已有 2024-06 中乙县的数据：如需替换")
    assert "乙县：原 2 行 → 新 2 行：新增 0 个项目、移除 0 个项目、数据有变化的 2 个项目" in warning
    at.checkbox(key="admin_replace").check().run()
    at.button(key="admin_confirm").click().run()
    ok(at)
    s = Store(store.root)
    snap = s.read("2024-06")
    assert snap.height == 6 and set(snap.filter(pl.col("county") == "乙县")["leader"]) == {"赵六"}
    assert snap.filter(pl.col("project_id") == "JA01")["leader"].item() == "王强"   # other counties untouched
    rec = s.audit()[-1]
    assert (rec["action"], list(rec["units"]), rec["user"]) == ("replace", ["乙县"], "li")
    # the whole file as one named unit
    city = fx.month_frame("2024-06").filter(pl.col("project_id") == "CQ02").with_columns(
        pl.lit("JT01").alias("project_id"), pl.lit("市交通局环城快速路").alias("project_name"),
        pl.col("snapshot_month").dt.offset_by("1mo"))
    at.text_input(key="admin_unit").input("市交通局").run()
    at = upload(at, city, tmp_path / "交通局七月.xlsx")
    at.button(key="admin_confirm").click().run()
    ok(at)
    rec = Store(store.root).audit()[-1]
    assert (rec["month"], list(rec["units"]), rec["units"]["市交通局"]["kind"]) == ("2024-07", ["市交通局"], "named")
    at.selectbox(key="admin_report_month").select("2024-07").run()
    assert table_with(at, "逾期").set_index("报送单位").loc["市交通局", "状态"] == "已发布"


# ---- the 报送情况 line wherever the month is chosen ------------------------------------------------------------------
def test_sidebar_line_follows_submissions_and_returns(store, tmp_path):
    store.write(july(), source="甲县.xlsx", user="li")              # 甲县 on time
    submit_via_importer(store, july(("乙县",)), "乙县", "zhao", tmp_path)
    at = ok(start())
    assert at.sidebar.selectbox[0].value == "2024-07"
    assert sidebar_line(at) == ":material/fact_check: 2024年7月：3个单位中1个已报送，乙县待审核，丙区未报送"
    at.sidebar.selectbox[0].select("2024-06").run()
    assert sidebar_line(at) == ":material/fact_check: 2024年6月：3个单位中3个已报送"
    store.return_submission("2024-07", "乙县", "缺少 YB02 的手续信息", user="li")   # only the audit log changes
    at.sidebar.selectbox[0].select("2024-07").run()
    assert sidebar_line(at) == ":material/fact_check: 2024年7月：3个单位中1个已报送，乙县已退回，丙区未报送"


def _stamp(at: AppTest) -> str:
    """The sidebar's data-as-of stamp."""
    hits = [s.value for s in at.sidebar.success if "数据截至" in s.value]
    assert len(hits) == 1, [s.value for s in at.sidebar.success]
    return hits[0]


def _template_caption(at: AppTest) -> str:
    return next(c.value for c in at.caption if "沿用" in c.value or "没有已发布的数据" in c.value)


def test_a_publish_and_a_return_reach_every_open_session_at_its_next_rerun(store, tmp_path, clock):
    """Two analysts' sessions over one store (and a third that chose May): one publishes 甲县's July, then returns
    乙县's; the others see it at their next rerun — the sidebar's months, month and line, 报送情况, the 底稿's month
    and source, and the data-as-of stamp — with no cache cleared and no new session."""
    submit_via_importer(store, july(), "甲县", "wang", tmp_path)
    submit_via_importer(store, july(("乙县",)), "乙县", "zhao", tmp_path)
    publisher, other, may = (sign_in(admin(), "li") for _ in range(3))
    may.sidebar.selectbox[0].select("2024-05").run()
    assert other.sidebar.selectbox[0].options[0] == "2024-06" and other.sidebar.selectbox[0].value == "2024-06"
    assert other.selectbox(key="admin_report_month").value == "2024-06"
    assert other.selectbox(key="tpl_unit").value == "甲县" and other.selectbox(key="tpl_month|甲县").value == "2024-07"
    assert _template_caption(other).startswith("沿用 2024-06 已发布的 2 个项目")
    assert "更新于 2024-07-20 10:00:00" in _stamp(other)            # the submissions are the last change

    clock.now = "2024-07-26T08:00:00"
    publisher.button(key="rev_pub|2024-07|甲县").click().run()
    ok(publisher)
    assert publisher.sidebar.selectbox[0].value == "2024-07"         # the publisher's own session moves on too
    other.run()
    ok(other)
    assert other.sidebar.selectbox[0].options[0] == "2024-07" and other.sidebar.selectbox[0].value == "2024-07"
    assert sidebar_line(other) == ":material/fact_check: 2024年7月：3个单位中1个已报送（甲县逾期），乙县待审核，丙区未报送"
    assert other.selectbox(key="admin_report_month").value == "2024-07"
    report = table_with(other, "逾期").set_index("报送单位")
    assert report.loc["甲县", "状态"] == "已发布" and report.loc["乙县", "状态"] == "待审核"
    assert other.selectbox(key="tpl_month|甲县").value == "2024-08"   # 甲县 owes August now
    assert _template_caption(other).startswith("沿用 2024-07 已发布的 2 个项目")
    assert "数据截至：2024-07 · 更新于 2024-07-26 08:00:00" in _stamp(other)
    may.run()
    assert may.sidebar.selectbox[0].value == "2024-05"               # a month chosen by hand stays chosen

    clock.now = "2024-07-27T09:00:00"
    publisher.text_input(key="rev_reason|2024-07|乙县").input("YB02 缺少立项时间").run()
    publisher.button(key="rev_ret|2024-07|乙县").click().run()
    ok(publisher)
    other.run()
    assert sidebar_line(other) == ":material/fact_check: 2024年7月：3个单位中1个已报送（甲县逾期），乙县已退回，丙区未报送"
    assert table_with(other, "逾期").set_index("报送单位").loc["乙县", "状态"] == "已退回"
    assert "更新于 2024-07-27 09:00:00" in _stamp(other)


def test_a_screen_on_the_newest_month_moves_on_when_a_month_is_published(store):
    """The meeting screen carries the month in its link (from the desk view): on the newest month it moves on, on an
    older one it stays."""
    newest, older = (ok(start(query={"mode": "screen", "month": m})) for m in ("2024-06", "2024-05"))
    store.write(july(), source="甲县.xlsx", user="li")
    newest.run()
    older.run()
    assert newest.query_params["month"] == "2024-07" and older.query_params["month"] == "2024-05"
    head = next(m.value for m in newest.markdown if "kpm-head" in m.value)
    assert "2024年7月：3个单位中1个已报送" in head


def test_screen_header_shows_the_line(store, tmp_path):
    store.write(july(), source="甲县.xlsx", user="li")
    at = ok(start(query={"mode": "screen"}))
    heads = [m.value for m in at.markdown if "kpm-head" in m.value]
    assert heads and "2024年7月：3个单位中1个已报送，乙县、丙区未报送" in heads[0]


# ---- OIDC: reporters mapped by e-mail ----------------------------------------------------------------------------
def test_oidc_reporter_mapped_by_email_submits_for_their_unit(store, tmp_path):
    secrets = {"auth": AUTH, "analyst": {"emails": ["li@fgw.example.gov.cn"]},
               "reporters": {"Wang@Jia.example.gov.cn": "甲县"}}
    at = admin(secrets=secrets, user={"is_logged_in": True, "email": "wang@jia.example.gov.cn"})
    assert "已登录（填报员，报送单位：甲县）：wang@jia.example.gov.cn" in alerts(at)
    assert [t.label for t in at.tabs] == ["报送台账", "在线填报", "我的报送", "报送情况"]
    at = upload(at, july(), tmp_path / "甲县七月.xlsx")
    at.button(key="admin_confirm").click().run()
    rec = Store(store.root).audit()[-1]
    assert (rec["action"], rec["unit"], rec["user"]) == ("submit", "甲县", "wang@jia.example.gov.cn")
    at = admin(secrets=secrets, user={"is_logged_in": True, "email": "li@fgw.example.gov.cn"})
    assert "已登录（分析员）：li@fgw.example.gov.cn" in alerts(at) and "有 1 份填报员的报送等待审核" in alerts(at)
    at = admin(secrets=secrets, user={"is_logged_in": True, "email": "other@example.gov.cn"})
    assert "只能查看" in alerts(at) and not at.file_uploader
    at = admin(secrets=secrets, user={"is_logged_in": False})
    assert "登录（统一身份认证）" in [b.label for b in at.button]


def test_removed_account_ends_its_session(store):
    at = sign_in(admin(), "wang")
    assert at.file_uploader
    users.remove(Store(store.root), "wang")
    at.run()
    assert not at.file_uploader and at.text_input(key="_auth_name")


def test_account_attempts_are_rate_limited(store):
    at = admin()
    for name in ("wang", "nobody", "wang", "li", "wang"):      # unknown names count like wrong passwords
        sign_in(at, name, "guess-guess")
    assert "口令错误次数过多，请 10 分钟后再试。" in alerts(at)
    assert at.button(key=SUBMIT_KEY).disabled and not at.file_uploader
