"""python -m reports push brief|remind|target|settings: the brief as a picture, 催报, and where they are pushed."""
from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import os
import sys
from pathlib import Path

from data.months import month_key
from data.store import Store, StoreError
from reports.push import brief as briefs
from reports.push import targets
from reports.push.outbox import brief_messages, text_messages
from reports.push.remind import admin_link, reminder, title
from reports.push.render import RenderError
from reports.push.robots import PushError, scrub, send

RETRY_HINT = "简报已保存在 {path}；网络或机器人恢复后重新运行同一命令即可补发。"


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers; the audit log then records none
        return ""


def _err(text: str) -> None:
    print(text, file=sys.stderr)


def _audit_push(store: Store, action: str, target: targets.Target, month: str, error: str = "") -> None:
    """One line in the audit log per push (the secret never: errors are scrubbed before they get here)."""
    with store.lock():
        store.append_audit(action, user=_user(), month=month, target=target.name, kind=target.kind, ok=not error,
                           **({"error": error} if error else {}))


def _deliver(store: Store, action: str, month: str, target: targets.Target, messages, conf) -> bool:
    try:
        send(target, messages, conf, say=_err)
    except PushError as e:
        _err(f"推送失败：{e}")
        _audit_push(store, action, target, month, str(e))
        return False
    print(f"已推送到“{target.name}”（{target.kind_zh}）：{'、'.join(m.label for m in messages)}。")
    _audit_push(store, action, target, month)
    return True


def _day(text: str | None) -> dt.date:
    """--as-of as a date (default today)."""
    try:
        return dt.date.fromisoformat(text) if text else dt.date.today()
    except ValueError:
        raise StoreError(f"日期“{text}”格式不对：请写成 YYYY-MM-DD，例如 2025-06-23。") from None


def cmd_brief(args) -> int:
    store = Store(args.store)
    conf = targets.settings(store)
    chosen = [targets.find(store, name) for name in args.target or ()]  # an unknown name stops before drawing
    ctx = briefs.open_context(args.store, args.month, args.lang, city=args.city, as_of=_day(args.as_of))
    if chosen and ctx.is_demo and not args.demo:
        raise StoreError(f"库 {store.root} 是空的，简报显示的是演示数据（示范市），未推送：检查 --store 或环境变量 KPM_STORE；"
                         "确要推送演示数据（试用机器人时）请加 --demo。")
    brief = briefs.collect(ctx)
    link = briefs.dashboard_link(conf.dashboard_url, ctx)
    picture = briefs.draw(brief, link)
    # Written before anything is sent: a failed push loses nothing. The store's copy is what 钉钉 is shown by URL.
    paths = [Path(args.out)] if args.out else []
    if chosen or not paths:
        paths.append(briefs.store_path(store, ctx))
    written = [briefs.write(picture, p) for p in paths]
    png_path = written[-1][0]
    for png, pdf in written:
        print(f"简报已生成：{png}（{len(picture.png) / 1024:,.0f} KB）和 {pdf}")
    image_url = pdf_url = ""
    if conf.image_base:
        version = hashlib.md5(picture.png).hexdigest()[:12]  # a new picture, a new address: no stale cache
        image_url = f"{conf.image_base}{png_path.name}?v={version}"
        pdf_url = f"{conf.image_base}{png_path.with_suffix('.pdf').name}?v={version}"
    if chosen and not conf.dashboard_url:
        _err("提示：尚未设置监测平台网址（push settings --dashboard-url），消息中没有平台链接。")
    ok = True
    for target in chosen:
        if target.kind == "dingtalk" and not image_url:
            _err(f"提示：钉钉机器人只能按网址显示图片，尚未设置简报图片的网址，发给“{target.name}”的只有文字摘要。设置："
                 "python -m reports push settings --dashboard-url https://…/kpm/（并按 README 让网站提供 briefs/ 目录）。")
        try:
            messages = brief_messages(target, brief, picture, link=link, image_url=image_url, pdf_url=pdf_url)
        except RenderError as e:
            _err(f"推送失败：{e} {RETRY_HINT.format(path=png_path)}")
            ok = False
            continue
        if not _deliver(store, "push-brief", month_key(ctx.month), target, messages, conf):
            _err(RETRY_HINT.format(path=png_path))
            ok = False
    return 0 if ok else 1


def cmd_remind(args) -> int:
    store = Store(args.store)
    conf = targets.settings(store)
    chosen = [targets.find(store, name) for name in args.target]
    as_of = _day(args.as_of)
    parts = reminder(store, as_of, conf)
    if not parts:
        print(f"{as_of:%Y-%m-%d}：没有需要催报的单位（提前 {conf.remind_days} 天开始催报，截止日见 python -m data settings），"
              "也没有逾期、临期的督办事项，未发送。")
        return 0
    lines = [line for p in parts for line in (p.heading, *p.lines)]
    link = admin_link(conf, as_of)
    if link:
        lines.append(f"[在监测平台查看报送情况]({link})")
    print("\n".join(lines))
    ok = True
    for target in chosen:
        messages = text_messages(target, title(parts), lines)
        ok &= _deliver(store, "push-remind", month_key(as_of), target, messages, conf)
    return 0 if ok else 1


def cmd_target(args) -> int:
    store = Store(args.store)
    if args.action == "list":
        rows = targets.masked(store)
        if not rows:
            print("还没有推送对象：用 python -m reports push target add 名称 --kind dingtalk|wecom --url 地址 添加。")
        for r in rows:
            signed = "，已设加签密钥" if r["secret"] else ""
            print(f"{r['name']}  {r['kind_zh']}  {r['url']}{signed}  （{r['added_by'] or '—'} 于 {r['added'] or '—'} 添加）")
        return 0
    if not args.name:
        raise StoreError(f"target {args.action} 需要推送对象的名称。")
    if args.action == "remove":
        targets.remove(store, args.name, user=_user())
        print(f"已删除推送对象“{args.name}”。")
        return 0
    if not args.kind or not args.url:
        raise StoreError("target add 需要 --kind dingtalk|wecom 和 --url Webhook地址。")
    secret = sys.stdin.readline().strip() if args.secret == "-" else (args.secret or "")
    t = targets.add(store, args.name, args.kind, args.url, secret, user=_user())
    print(f"已添加推送对象“{t.name}”（{t.kind_zh}，{targets.mask_url(t.url)}{'，已设加签密钥' if t.secret else ''}）。")
    return 0


def cmd_settings(args) -> int:
    store = Store(args.store)
    changes = {"dashboard_url": args.dashboard_url, "image_url": args.image_url, "remind_days": args.remind_days,
               "attempts": args.attempts, "backoff_s": args.backoff}
    conf = targets.save_settings(store, user=_user(), **changes) if any(v is not None for v in changes.values()) \
        else targets.settings(store)
    print(f"监测平台网址：{conf.dashboard_url or '（未设置）'}\n简报图片网址：{conf.image_base or '（未设置）'}\n"
          f"催报：截止日前 {conf.remind_days} 天起\n发送：每条最多尝试 {conf.attempts} 次，间隔 {conf.backoff_s:g} 秒起倍增")
    return 0


def run(args) -> int:
    """Run a push command; errors in Chinese (exit 1 for a refusal or a failed send, never a traceback or a secret)."""
    try:
        return args.push(args)
    except KeyboardInterrupt:
        _err("已中断。")
        return 130
    except (StoreError, RenderError) as e:
        _err(str(e))
        return 1
    except Exception as e:  # one Chinese line, not a traceback; KPM_DEBUG=1 shows the trace
        if os.environ.get("KPM_DEBUG"):
            raise
        _err(_scrubbed(f"处理失败（{type(e).__name__}：{e}）。请检查参数；如问题持续，请把此信息发给管理员。", args))
        return 1


def _scrubbed(text: str, args) -> str:
    """The text without any stored target's credentials or the ones on this command line."""
    try:
        known = targets.targets(Store(args.store))
    except StoreError:
        known = []
    if getattr(args, "url", None) and getattr(args, "kind", None) in targets.KINDS:
        known.append(targets.Target("", args.kind, args.url, "" if args.secret == "-" else args.secret or ""))
    for t in known:
        text = scrub(text, t)
    return text


def add_cli(sub) -> None:
    """The `push` command and its subcommands."""
    push = sub.add_parser("push", help="简报图片、催报，推送到钉钉/企业微信群")
    psub = push.add_subparsers(dest="push_command", required=True)
    store_help = "数据库目录（默认环境变量 KPM_STORE 或 data/store/）"

    sp = psub.add_parser("brief", help="生成本月简报图片（PNG，1080 像素宽）和 PDF；用 --target 推送到群")
    sp.add_argument("--month", metavar="YYYY-MM", help="月份（默认库中最新月份）")
    sp.add_argument("--store", metavar="目录", help=store_help)
    sp.add_argument("--out", metavar="文件.png", help="图片保存到此（PDF 在旁边）；默认 库目录/briefs/月份.png")
    sp.add_argument("--lang", choices=["zh", "en"], default="zh", help="语言（默认中文）")
    sp.add_argument("--city", metavar="城市", help="标题中的城市名（默认环境变量 KPM_CITY 或 示范市）")
    sp.add_argument("--target", action="append", metavar="名称", help="推送对象（可重复）")
    sp.add_argument("--as-of", metavar="YYYY-MM-DD", help="督办事项按哪一天判断逾期、临期（默认今天）")
    sp.add_argument("--demo", action="store_true", help="库为空（显示演示数据）时也推送，试用机器人时用")
    sp.set_defaults(run=run, push=cmd_brief)

    sp = psub.add_parser("remind", help="催报（截止日前 N 天起尚未报送的单位）和逾期、临期的督办事项，推送到群")
    sp.add_argument("--as-of", metavar="YYYY-MM-DD", help="按哪一天判断（默认今天）")
    sp.add_argument("--target", action="append", required=True, metavar="名称", help="推送对象（可重复）")
    sp.add_argument("--store", metavar="目录", help=store_help)
    sp.set_defaults(run=run, push=cmd_remind)

    sp = psub.add_parser("target", help="推送对象：add 添加、list 列出（地址和密钥遮蔽）、remove 删除")
    sp.add_argument("action", choices=["add", "list", "remove"], metavar="add|list|remove")
    sp.add_argument("name", nargs="?", metavar="名称")
    sp.add_argument("--kind", choices=list(targets.KINDS), help="dingtalk（钉钉）或 wecom（企业微信）")
    sp.add_argument("--url", metavar="地址", help="机器人的 Webhook 地址")
    sp.add_argument("--secret", metavar="密钥", help="钉钉加签密钥（SEC 开头）；写 - 则从标准输入读，不留在命令历史里")
    sp.add_argument("--store", metavar="目录", help=store_help)
    sp.set_defaults(run=run, push=cmd_target)

    sp = psub.add_parser("settings", help="查看或设置：监测平台网址、简报图片网址、催报提前天数、重试")
    sp.add_argument("--dashboard-url", metavar="地址", help="监测平台网址，如 https://kpm.example.gov.cn/kpm/（消息中的链接）")
    sp.add_argument("--image-url", metavar="地址", help="网站提供 库目录/briefs/ 的网址（默认 监测平台网址/brief/）")
    sp.add_argument("--remind-days", type=int, metavar="N", help="截止日前几天开始催报（默认 3）")
    sp.add_argument("--attempts", type=int, metavar="N", help="每条消息最多尝试几次（默认 3）")
    sp.add_argument("--backoff", type=float, metavar="秒", help="第一次重试前等待的秒数，之后倍增（默认 2）")
    sp.add_argument("--store", metavar="目录", help=store_help)
    sp.set_defaults(run=run, push=cmd_settings)
