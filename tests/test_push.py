"""python -m reports push: the brief as a picture and its push to 钉钉 / 企业微信 robots played by a local HTTP server
(tests/robot_server.py) — the signature, the payloads, the picture's md5 and size, refusals retried and reported,
the secret never shown; targets kept with the store; 催报."""
from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import io
import json
import shutil
import time
from pathlib import Path
from urllib.parse import quote

import polars as pl
import pytest
from PIL import Image

from data.store import DEMO_DIR, Store, StoreError
from reports.__main__ import main
from reports.push import brief as briefs
from reports.push import render, robots, targets
from reports.push.outbox import brief_messages
from tests.robot_server import robot_server

SECRET = "SEC0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd"
DING_TOKEN = "d1n9t0k3n5ecretacce55"
WECOM_KEY = "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"
DASHBOARD = "https://kpm.example.gov.cn/kpm/"
# The demo city's December 2025 ranking, as the 县区比拼 page lists it (tests/test_app_browser.py).
DEMO_RANK_ORDER = ["高新区", "东城区", "青山县", "经开区", "南湖县", "临河县", "西城区", "北岭县", "石门县"]


def cli(*args: str) -> tuple[int, str, str]:
    """`python -m reports push …` in this process: exit code, stdout, stderr."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["push", *map(str, args)])
    assert "Traceback" not in err.getvalue(), err.getvalue()
    return code, out.getvalue(), err.getvalue()


def expected_sign(secret: str, timestamp: str) -> str:
    """钉钉's 加签, written from its documentation: Base64(HMAC-SHA256(secret, timestamp + "\\n" + secret))."""
    mac = hmac.new(secret.encode(), (timestamp + "\n" + secret).encode(), digestmod=hashlib.sha256)
    return base64.b64encode(mac.digest()).decode()


def never_shown(*texts: str) -> None:
    for text in texts:
        for secret in (SECRET, DING_TOKEN, WECOM_KEY):
            assert secret not in text


@pytest.fixture(scope="module", autouse=True)
def _clean_env():
    mp = pytest.MonkeyPatch()
    for var in ("KPM_STORE", "KPM_SCORECARD", "KPM_CITY"):
        mp.delenv(var, raising=False)
    for var in ("no_proxy", "NO_PROXY"):  # the robot is on loopback: never through a proxy a machine may set
        mp.setenv(var, "127.0.0.1,localhost")
    yield
    mp.undo()


@pytest.fixture(scope="module")
def robot():
    with robot_server() as r:
        yield r


def _store_with_targets(root: Path, robot) -> Store:
    """An empty store (the demo city is shown) with a 钉钉 and a 企业微信 target and settings for quick retries."""
    outputs = [cli("target", "add", "钉钉群", "--kind", "dingtalk", "--url", f"{robot.url}?access_token={DING_TOKEN}",
                   "--secret", SECRET, "--store", root),
               cli("target", "add", "企微群", "--kind", "wecom", "--url", f"{robot.url}?key={WECOM_KEY}", "--store", root),
               cli("settings", "--dashboard-url", DASHBOARD, "--backoff", "0", "--store", root)]
    for code, out, err in outputs:
        assert code == 0, err
        never_shown(out, err)
    return Store(root)


@pytest.fixture(scope="module")
def pushed(tmp_path_factory, robot):
    """One `push brief` of June 2025 to both targets: what the robot received, the output, the store."""
    store = _store_with_targets(tmp_path_factory.mktemp("store"), robot)
    robot.received.clear()
    t0 = int(time.time() * 1000)
    code, out, err = cli("brief", "--month", "2025-06", "--target", "钉钉群", "--target", "企微群", "--demo",
                         "--store", store.root)
    t1 = int(time.time() * 1000)
    return {"code": code, "out": out, "err": err, "store": store, "received": list(robot.received), "t": (t0, t1)}


def test_brief_is_written_as_a_phone_picture_and_a_pdf(pushed):
    assert pushed["code"] == 0, pushed["err"]
    png, pdf = pushed["store"].root / "briefs" / "2025-06.png", pushed["store"].root / "briefs" / "2025-06.pdf"
    with Image.open(png) as im:
        assert im.format == "PNG" and im.width == 1080 and im.height > 2500  # portrait, every section drawn
    assert png.stat().st_size > 200_000  # text and charts, not an empty canvas
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 10_000


def test_dingtalk_message_is_signed_markdown_with_the_picture_by_url(pushed):
    ding = [r for r in pushed["received"] if "access_token" in r["query"]]
    assert len(ding) == 1
    req = ding[0]
    assert req["path"] == "/robot/send" and req["content_type"].startswith("application/json")
    assert req["query"]["access_token"] == [DING_TOKEN]
    ts = req["query"]["timestamp"][0]
    t0, t1 = pushed["t"]
    assert t0 <= int(ts) <= t1  # milliseconds, at the time of sending
    sign = expected_sign(SECRET, ts)
    assert req["query"]["sign"] == [sign]
    assert f"sign={quote(sign, safe='')}" in req["raw_query"]  # URL-encoded (+ / = escaped)
    body = req["body"]
    assert body["msgtype"] == "markdown" and set(body["markdown"]) == {"title", "text"}
    assert body["markdown"]["title"] == "示范市重点项目建设简报（2025年6月）"
    text = body["markdown"]["text"]
    png = (pushed["store"].root / "briefs" / "2025-06.png").read_bytes()
    assert f"({DASHBOARD}brief/2025-06.png?v={hashlib.md5(png).hexdigest()[:12]})" in text  # the picture we serve
    assert f"({DASHBOARD}?month=2025-06)" in text  # the dashboard link
    assert f"({DASHBOARD}brief/2025-06.pdf?v=" in text


def test_wecom_gets_the_picture_as_base64_with_its_md5_then_the_markdown(pushed):
    wecom = [r for r in pushed["received"] if "key" in r["query"]]
    assert [r["body"]["msgtype"] for r in wecom] == ["image", "markdown"]
    assert all(r["query"]["key"] == [WECOM_KEY] and "sign" not in r["query"] for r in wecom)
    image = wecom[0]["body"]["image"]
    assert set(image) == {"base64", "md5"}
    data = base64.b64decode(image["base64"])
    assert hashlib.md5(data).hexdigest() == image["md5"]
    assert len(data) <= 2 * 1024 * 1024
    assert data == (pushed["store"].root / "briefs" / "2025-06.png").read_bytes()  # the brief written to disk
    content = wecom[1]["body"]["markdown"]["content"]
    assert len(content.encode("utf-8")) <= 4096
    assert content.startswith("### 示范市重点项目建设简报（2025年6月）")


def test_summary_figures_are_the_pages_figures(pushed):
    """The message's 投资完成率 is Σ本年完成 ÷ Σ年度计划 over 新开工+续建 projects, computed here from the raw snapshot."""
    snap = pl.read_parquet(DEMO_DIR / "snapshots" / "2025-06.parquet").filter(
        pl.col("build_type").is_in(["新开工", "续建"]))
    rate = snap["completed_investment_ytd"].sum() / snap["plan_investment_year"].sum()
    content = [r for r in pushed["received"] if r["body"]["msgtype"] == "markdown" and "key" in r["query"]][0]
    text = content["body"]["markdown"]["content"]
    assert f"**投资完成率** {rate * 100:.1f}%（目标 50.0%）" in text
    assert "红旗：高新区；蜗牛：石门县" in text  # the demo city's story: 高新区 leads, 石门县 lags
    # 报送情况: the units published after the 25th, read from the audit log by hand
    recs = [json.loads(x) for x in (DEMO_DIR / "audit.jsonl").read_text(encoding="utf-8").splitlines()]
    june = [r for r in recs if r["month"] == "2025-06"][-1]["units"]
    late = [u for u, info in june.items() if info["published_at"][:10] > "2025-06-25"]
    assert late and f"9个单位中9个已报送（{'、'.join(late)}逾期）" in text


def test_brief_ranking_is_the_pages_ranking():
    ctx = briefs.open_context(Path("/nonexistent-empty-store"), "2025-12")
    rows = dict((s.id, c) for s, c in briefs.collect(ctx).parts)["ranking"]
    assert [r["county"] for r in rows] == DEMO_RANK_ORDER


def test_secret_never_printed_or_audited(pushed):
    store = pushed["store"]
    code, listed, err = cli("target", "list", "--store", store.root)
    assert code == 0 and "钉钉群" in listed and "企微群" in listed and "已设加签密钥" in listed
    audit = store.audit_path.read_text(encoding="utf-8")
    never_shown(pushed["out"], pushed["err"], listed, err, audit)
    actions = [json.loads(x)["action"] for x in audit.splitlines()]
    assert actions.count("push-target-add") == 2 and actions.count("push-brief") == 2
    assert (store.root / targets.FILE).stat().st_mode & 0o777 == 0o600  # the secret's file: the service's only


def test_refused_send_is_reported_with_the_platforms_message_and_retried(tmp_path, robot):
    store = _store_with_targets(tmp_path, robot)
    refusal = (200, {"errcode": 310000, "errmsg": "sign not match"})
    robot.received.clear()
    robot.replies[:] = [refusal, refusal, refusal]  # every attempt refused (3 attempts by default)
    code, out, err = cli("brief", "--month", "2025-06", "--target", "钉钉群", "--demo", "--store", tmp_path)
    assert code == 1
    assert len(robot.received) == 3  # bounded retries
    assert "第 1 次发送失败：平台返回错误码 310000：sign not match" in err
    assert "发送失败（已尝试 3 次）：平台返回错误码 310000：sign not match" in err
    assert "简报已保存在" in err and (tmp_path / "briefs" / "2025-06.png").exists()  # never lost
    last = json.loads(store.audit_path.read_text(encoding="utf-8").splitlines()[-1])
    assert last["action"] == "push-brief" and last["ok"] is False and "310000" in last["error"]
    never_shown(out, err, store.audit_path.read_text(encoding="utf-8"))


def _target(robot, kind="wecom") -> targets.Target:
    param = "key" if kind == "wecom" else "access_token"
    return targets.Target("群", kind, f"{robot.url}?{param}={WECOM_KEY}", SECRET if kind == "dingtalk" else "")


FAST = targets.Settings(attempts=3, backoff_s=1.5, timeout_s=5)


def test_refusal_then_success_is_retried_with_backoff(robot):
    robot.received.clear()
    robot.replies[:] = [(200, {"errcode": 45009, "errmsg": "api freq out of limit"}), (503, "busy")]
    said, waits = [], []
    robots.post(_target(robot), robots.Message("测试", robots.wecom_markdown("x")), FAST, say=said.append,
                sleep=waits.append)
    assert len(robot.received) == 3 and waits == [1.5, 3.0]  # 2, 4 … times the first wait
    assert "平台返回错误码 45009：api freq out of limit" in said[0] and "HTTP 503：busy" in said[1]


def test_network_failure_is_reported_in_chinese():
    unreachable = targets.Target("群", "wecom", f"http://127.0.0.1:{_closed_port()}/send?key={WECOM_KEY}")
    with pytest.raises(robots.PushError) as e:
        robots.post(unreachable, robots.Message("测试", robots.wecom_markdown("x")), FAST, say=lambda s: None,
                    sleep=lambda s: None)
    assert "网络错误" in str(e.value) and "已尝试 3 次" in str(e.value)
    never_shown(str(e.value))


def _closed_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again when the block ends: nobody listens there


@pytest.fixture(scope="module")
def english():
    ctx = briefs.open_context(Path("/nonexistent-empty-store"), "2025-06", "en")
    brief = briefs.collect(ctx)
    return brief, briefs.draw(brief, briefs.dashboard_link(DASHBOARD, ctx))


def test_english_brief(english):
    brief, picture = english
    assert picture.png[:8] == b"\x89PNG\r\n\x1a\n"
    with Image.open(io.BytesIO(picture.png)) as im:
        assert im.width == 1080 and im.height > 2500
    spec = json.dumps(picture.spec, ensure_ascii=False)
    assert "1. Headline figures" in spec and "2. County ranking" in spec and "主要指标" not in spec
    assert brief.title == "示范市 key projects: monthly brief (2025-06)"


def test_picture_too_large_for_wecom_is_sent_smaller(english, robot):
    brief, picture = english
    limit = len(picture.png) // 4
    messages = brief_messages(_target(robot), brief, picture, image_limit=limit)
    image = messages[0].body["image"]
    data = base64.b64decode(image["base64"])
    assert len(data) <= limit < len(picture.png) and data[:2] == b"\xff\xd8"  # a JPEG that fits
    assert hashlib.md5(data).hexdigest() == image["md5"]
    with Image.open(io.BytesIO(data)) as im:
        assert im.format == "JPEG" and im.width <= 1080


def test_no_cjk_font_refuses_rather_than_drawing_boxes(monkeypatch, tmp_path):
    render.font_dir.cache_clear()
    monkeypatch.setenv(render.FONT_DIR_ENV, str(tmp_path))  # a directory without Noto Sans CJK
    try:
        with pytest.raises(render.RenderError, match="fonts-noto-cjk"):
            render.font_dir()
    finally:
        render.font_dir.cache_clear()


# ---- targets kept with the store -------------------------------------------------------------------------------
def test_targets_add_list_remove_and_refusals_leave_the_file_unchanged(tmp_path):
    store = Store(tmp_path)
    targets.add(store, "领导群", "dingtalk", f"https://oapi.dingtalk.com/robot/send?access_token={DING_TOKEN}", SECRET)
    before = (tmp_path / targets.FILE).read_bytes()
    refusals = [
        ("领导群", "wecom", f"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={WECOM_KEY}", "", "已有名为"),
        ("b", "feishu", "https://x/y?token=1", "", "不支持"),
        ("c", "wecom", "qyapi.weixin.qq.com/send?key=1", "", "无效"),
        ("d", "dingtalk", "https://oapi.dingtalk.com/robot/send", "", "access_token"),
        ("e", "wecom", f"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={WECOM_KEY}", SECRET, "没有加签密钥"),
        ("f", "dingtalk", "https://oapi.dingtalk.com/robot/send?access_token=1&timestamp=1&sign=x", "", "timestamp"),
        ("g h", "wecom", f"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={WECOM_KEY}", "", "名称"),
    ]
    for name, kind, url, secret, words in refusals:
        with pytest.raises(StoreError, match=words) as e:
            targets.add(store, name, kind, url, secret)
        never_shown(str(e.value))
    assert (tmp_path / targets.FILE).read_bytes() == before
    shown = targets.masked(store)
    assert shown == [{"name": "领导群", "kind": "dingtalk", "kind_zh": "钉钉",
                      "url": "https://oapi.dingtalk.com/robot/send?access_token=d1n…e55", "secret": "已设置",
                      "added": shown[0]["added"], "added_by": ""}]
    with pytest.raises(StoreError, match="已有：领导群"):
        targets.remove(store, "没有这个群")
    targets.remove(store, "领导群")
    assert targets.targets(store) == []
    audit = store.audit_path.read_text(encoding="utf-8")
    assert '"push-target-add"' in audit and '"push-target-remove"' in audit
    never_shown(audit)


def test_unknown_target_stops_before_drawing(tmp_path):
    code, out, err = cli("brief", "--target", "没有这个群", "--store", tmp_path)
    assert code == 1 and "没有名为“没有这个群”的推送对象" in err
    assert not (tmp_path / "briefs").exists()


def test_demo_data_is_not_pushed_unless_asked(tmp_path, robot):
    """An empty store shows the demo city: a cron job pointed at the wrong directory must not post it to leaders."""
    _store_with_targets(tmp_path, robot)
    robot.received.clear()
    code, out, err = cli("brief", "--target", "企微群", "--store", tmp_path)
    assert code == 1 and "演示数据" in err and "--demo" in err
    assert robot.received == [] and not (tmp_path / "briefs").exists()


# ---- 催报 ------------------------------------------------------------------------------------------------------
@pytest.fixture
def real_store(tmp_path, robot):
    """The demo city's months as a real store (so units are expected next month), with both targets."""
    shutil.copytree(DEMO_DIR / "snapshots", tmp_path / "snapshots")
    shutil.copy(DEMO_DIR / "audit.jsonl", tmp_path / "audit.jsonl")
    return _store_with_targets(tmp_path, robot)


def test_remind_posts_the_units_not_yet_reported_days_before_the_deadline(real_store, robot):
    robot.received.clear()
    code, out, err = cli("remind", "--as-of", "2026-01-23", "--target", "钉钉群", "--target", "企微群",
                         "--store", real_store.root)
    assert code == 0, err
    ding, wecom = robot.received
    assert ding["query"]["sign"] == [expected_sign(SECRET, ding["query"]["timestamp"][0])]
    text = wecom["body"]["markdown"]["content"]
    assert "2026年1月台账报送截止日为1月25日，还有 2 天，以下 9 个单位尚未报送" in text
    assert all(f"**{c}**：未报送" in text for c in DEMO_RANK_ORDER)
    assert f"({DASHBOARD}admin?month=2026-01)" in text
    assert ding["body"]["markdown"]["title"] == "催报提醒"
    never_shown(out, err)


def test_remind_is_quiet_before_the_window(real_store, robot):
    robot.received.clear()
    code, out, _ = cli("remind", "--as-of", "2026-01-10", "--target", "企微群", "--store", real_store.root)
    assert code == 0 and "没有需要催报的单位" in out and robot.received == []


def test_headline_figures_are_the_overview_pages():
    """The brief's headline tiles are 总览's (the tiles of the home page's row in the pages' table)."""
    from pages import HOME
    from reports.push.sections import HEADLINE

    assert HOME.figures.tiles == HEADLINE


def test_wrapped_lines_fit_and_read_as_chinese_is_set():
    from reports.push.canvas import NO_LINE_START, text_width, wrap

    text = "连续3个月排名后3位：投资完成率29.8%，低于时序进度20.2个百分点；新开工项目开工率32.1%，低于目标67.9个百分点"
    for width in (300, 420, 700):
        lines = wrap(text, 27, width)
        assert "".join(lines) == text  # nothing lost, nothing added
        assert all(text_width(line, 27) <= width + 27 for line in lines)  # at most a closing mark past the edge
        assert not any(line[0] in NO_LINE_START for line in lines)
        assert len(lines[-1]) > 1
    assert wrap("投资完成率 1,234.5万元", 20, 150) == ["投资完成率", "1,234.5万元"]  # a figure is not split


# ---- 督办 in the brief and the reminder ------------------------------------------------------------------------
@pytest.fixture
def duban_store(real_store):
    """Four items, each 一般 (7 calendar days to handle, 3 to first answer), seen on 2026-01-23."""
    import datetime as dt

    from data import duban_steps as steps
    from data.duban import Actor

    analyst, d = Actor("王分析", "analyst"), dt.date
    steps.add(real_store, analyst, unit="石门县", content="协调解决用地报批", assigned_on=d(2026, 1, 10))  # due 1-17
    steps.add(real_store, analyst, unit="东城区", content="加快征迁进度", assigned_on=d(2026, 1, 18))      # due 1-25
    steps.add(real_store, analyst, unit="西城区", content="补齐施工许可", assigned_on=d(2026, 1, 20))      # due 1-27
    done = steps.add(real_store, analyst, unit="北岭县", content="落实包抓领导", assigned_on=d(2026, 1, 5))  # due 1-12
    steps.request_close(real_store, analyst, done.id, "已落实", on=d(2026, 1, 8))
    steps.close(real_store, analyst, done.id, "良好", on=d(2026, 1, 9))
    return real_store


def test_brief_shows_duban_as_of_the_day(duban_store):
    import datetime as dt

    ctx = briefs.open_context(duban_store.root, "2025-12", as_of=dt.date(2026, 1, 23))
    brief = briefs.collect(ctx)
    assert [s.id for s, _ in brief.parts] == ["headline", "ranking", "completion", "report", "duban"]
    part = dict((s.id, c) for s, c in brief.parts)["duban"]
    # by hand: 4 assigned, 1 closed (asked on 1-8, due 1-12: on time), 石门县 overdue (due 1-17), on time 1 ÷ (1 + 1);
    # no answer past the 3 days: 石门县 (1-13) and 东城区 (1-21); 西城区's falls on 1-23 itself, not past it
    assert part.total == {"duban_assigned": 4, "duban_closed": 1, "duban_on_time_rate": 0.5, "duban_overdue": 1,
                          "duban_feedback_overdue": 2}
    assert [(i["id"], i["unit"], i["overdue"]) for i in part.urgent] == [("DB2026-0001", "石门县", True),
                                                                          ("DB2026-0002", "东城区", False)]
    assert "**督办**：逾期 1 项（石门县），临期 1 项" in brief.summary()
    assert "五、督办事项" in json.dumps(brief.spec(), ensure_ascii=False)


def test_remind_names_overdue_and_due_soon_duban_items_by_unit(duban_store, robot):
    robot.received.clear()
    code, out, err = cli("remind", "--as-of", "2026-01-23", "--target", "企微群", "--store", duban_store.root)
    assert code == 0, err
    text = robot.received[0]["body"]["markdown"]["content"]
    assert text.startswith("### 催报与督办提醒")
    assert "督办事项：截至1月23日，1 项逾期、1 项临期：" in text
    assert "- **东城区**：DB2026-0002（临期，办理时限1月25日）加快征迁进度" in text
    assert "- **石门县**：DB2026-0001（逾期，办理时限1月17日）协调解决用地报批" in text
    assert "西城区**：DB" not in text and "北岭县**：DB" not in text
