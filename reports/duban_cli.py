"""`python -m reports duban …` (also `python -m data duban …`): assign 督办事项, record each step, list them as of a
date with the five indicators, suggest items (the lists read metrics/duban.py, hence reports/)."""
from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable

from data import duban as D
from data import duban_days as days
from data import duban_steps as ST
from data.store import Store

_DATE_RE = re.compile(r"^\s*(\d{4})\s*(?:-|/|\.|年)\s*(\d{1,2})\s*(?:-|/|\.|月)\s*(\d{1,2})\s*日?\s*$")


def parse_date(text: str | None, what: str = "日期") -> dt.date:
    """'2025-06-02' (or 2025/6/2, 2025年6月2日) as a date; today when not given; DubanError in Chinese otherwise."""
    if text is None:
        return dt.date.today()
    m = _DATE_RE.match(str(text))
    try:
        if m:
            return dt.date(*map(int, m.groups()))
    except ValueError:
        pass
    raise D.DubanError(f"{what}“{text}”不是有效日期：请写成 YYYY-MM-DD，例如 2025-06-02。库中数据未改变。")


def _flags(row: dict) -> str:
    marks = [w for k, w in (("overdue", "逾期"), ("due_soon", "临期"), ("feedback_overdue", "反馈逾期")) if row[k]]
    if row["on_time"] is not None:
        marks.append("按期办结" if row["on_time"] else "逾期办结")
    return "、".join(marks)


def _rate(value) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _print_list(data: dict) -> None:
    print(f"督办事项（截至 {data['as_of']}，天数按{data['days']}）：{len(data['items'])} 项")
    if data["items"]:
        print("编号          承办单位      等级  状态      交办日期    办理时限    提示          事项")
    for r in data["items"]:
        print(f"{r['id']:<12}  {r['unit']:<10}  {r['tier']:<4}  {r['status']:<6}  {r['assigned_on']}  {r['due_on']}  "
              f"{_flags(r) or '—':<10}  {r['content']}")
    from metrics.duban import DUBAN_INDICATORS

    heads = "  ".join(i.zh for i in DUBAN_INDICATORS)
    print(f"\n承办单位      {heads}")
    for row in [*data["units"], {"unit": "合计", **data["total"]}]:
        cells = [_rate(row[i.id]) if i.unit == "%" else str(row[i.id]) for i in DUBAN_INDICATORS]
        print(f"{row['unit']:<10}  " + "  ".join(f"{c:>{len(i.zh) * 2}}" for c, i in zip(cells, DUBAN_INDICATORS)))


def _list(store: Store, args, actor: D.Actor) -> int:
    from metrics.duban import listing

    data = listing(D.load(store), parse_date(args.as_of, "统计日期"), args.unit)
    if args.format == "json":
        print(json.dumps(data, ensure_ascii=False, indent=1))
    else:
        _print_list(data)
    return 0


def _settings(store: Store, args, actor: D.Actor) -> int:
    if args.days is None:
        ledger = D.load(store)
        who = f"（{ledger.days_set_by or '—'} 于 {ledger.days_set_at} 设置）" if ledger.days_set_at else "（默认）"
        print(f"督办天数口径：{ledger.days}{who}")
        return 0
    ST.set_days(store, actor, args.days)
    print(f"已保存：此后交办的事项按{args.days}计算办理时限和反馈时限；已交办事项的时限不变。")
    return 0


def _add(store: Store, args, actor: D.Actor) -> int:
    item = ST.add(store, actor, unit=args.unit, content=args.content, tier=args.tier, source=args.source,
                 project_id=args.project, assigned_on=parse_date(args.assigned, "交办日期"),
                 due_on=parse_date(args.due, "办理时限") if args.due else None, person=args.person,
                 leader=args.leader, co_units=args.co_unit or (), meeting=args.meeting)
    how = "手工设定" if item.due_by_hand else f"{item.tier}事项，按{item.days}"
    print(f"已交办：{item.unit}，交办日期 {item.assigned_on}，办理时限 {item.due_on}（{how}），"
          f"首次反馈时限 {item.feedback_due_on}。")
    print(item.id)
    return 0


def _step(name: str, done: str) -> Callable:
    def run(store: Store, args, actor: D.Actor) -> int:
        due = parse_date(args.due, "新的办理时限") if getattr(args, "due", None) else None
        text = getattr(args, "text", None) or getattr(args, "reason", None) or ""
        item = ST.take_step(store, actor, args.id, name, on=parse_date(args.on, "办理日期"), text=text,
                           grade=getattr(args, "grade", "") or "", due_on=due)
        st = item.at()
        print(f"{done}：{item.id}（{item.unit}）现为“{st.status}”，办理时限 {st.due_on}。")
        return 0
    return run


def _show(store: Store, args, actor: D.Actor) -> int:
    item = D.load(store).item(args.id)
    st = item.at()
    print(f"{item.id}  {item.unit}  {item.tier}  来源：{item.source}  状态：{st.status}")
    print(f"事项：{item.content}")
    extra = [f"项目 {item.project_id}" if item.project_id else "",
             f"协办 {'、'.join(item.co_units)}" if item.co_units else "",
             f"责任人 {item.person}" if item.person else "", f"督办领导 {item.leader}" if item.leader else "",
             f"会议 {item.meeting}" if item.meeting else ""]
    if any(extra):
        print("；".join(x for x in extra if x))
    print(f"办理时限 {st.due_on}，首次反馈时限 {item.feedback_due_on}（{item.days}{'，手工设定' if item.due_by_hand else ''}）")
    for h in item.history():
        print(f"{h['on']}  {h['step']}  {h['user'] or '—'}（记录于 {h['time']}）  {h['text']}")
    return 0


def _suggest(store: Store, args, actor: D.Actor) -> int:
    from data.months import month_key, parse_month
    from metrics.dataset import Dataset
    from metrics.duban import suggestions

    if not store.months():
        print(f"数据库“{store.root}”中还没有台账，无从建议交办。")
        return 0
    month = month_key(parse_month(args.month)) if args.month else store.months()[-1]
    rows = suggestions(Dataset.from_store(store), month, D.load(store), as_of=parse_date(args.as_of, "统计日期"),
                       units=ST.project_units(store, month))
    if args.format == "json":
        print(json.dumps({"month": month, "items": rows.to_dicts()}, ensure_ascii=False, indent=1, default=str))
        return 0
    print(f"{month} 建议交办：{rows.height} 个项目（问题连续 3 个月以上，或连续两个月红灯，且没有未办结的督办事项）")
    for r in rows.iter_rows(named=True):
        print(f"{r['project_id']:<14}  {r['unit']:<8}  {r['project_name']}：{r['reason']}")
    return 0


def add_parser(sub, operator: Callable[[], str]) -> None:
    """Register `duban` and its subcommands on a command line (the operator's login name signs each step)."""
    sp = sub.add_parser("duban", help="督办事项：交办、反馈、申请办结、办结、退回、撤销、列表")
    steps = sp.add_subparsers(dest="duban_command", metavar="子命令", parser_class=type(sp))
    steps.required = True

    def command(name: str, help: str, run: Callable, *, item: bool = False, on: bool = False):
        p = steps.add_parser(name, help=help)
        if item:
            p.add_argument("id", metavar="编号", help="督办事项编号，如 DB2025-0007")
        if on:
            p.add_argument("--on", metavar="YYYY-MM-DD", help="业务日期（默认今天；操作记录另记实际时间）")
        p.add_argument("--store", metavar="目录", help="数据库目录（默认环境变量 KPM_STORE 或 data/store/）")
        p.set_defaults(func=lambda args: run(Store(args.store), args, D.Actor(operator())))
        return p

    p = command("settings", "查看或设置天数口径（自然日或工作日，按国务院节假日安排）", _settings)
    p.add_argument("--days", choices=days.MODES, help="自然日 或 工作日")
    p = command("add", "交办一个督办事项（最后一行输出编号）", _add)
    p.add_argument("--unit", required=True, metavar="单位", help="承办单位（报送单位）")
    p.add_argument("--content", required=True, metavar="内容", help="事项内容")
    p.add_argument("--tier", choices=days.TIERS, default=days.ORDINARY, help="一般（7天）或 重大（1个月），默认一般")
    p.add_argument("--source", choices=D.SOURCES, help="来源：问题、会议、预警（默认：有项目为问题，否则会议）")
    p.add_argument("--project", metavar="项目编码", help="关联项目")
    p.add_argument("--assigned", metavar="YYYY-MM-DD", help="交办日期（默认今天）")
    p.add_argument("--due", metavar="YYYY-MM-DD", help="手工设定办理时限（默认按等级计算）")
    p.add_argument("--person", metavar="姓名", help="责任人")
    p.add_argument("--leader", metavar="姓名", help="督办领导 / 包抓领导")
    p.add_argument("--co-unit", action="append", metavar="单位", help="协办单位（可多次给出）")
    p.add_argument("--meeting", metavar="会议", help="会议名称，如 2025年6月全市重点项目调度会")
    command("feedback", "单位反馈办理进展", _step("feedback", "已反馈"), item=True, on=True).add_argument(
        "--text", required=True, metavar="内容", help="反馈内容")
    command("request-close", "单位报告办理结果并申请办结", _step("request_close", "已申请办结"), item=True,
            on=True).add_argument("--text", required=True, metavar="内容", help="办理结果")
    command("close", "办结并评定等次", _step("close", "已办结"), item=True, on=True).add_argument(
        "--grade", required=True, choices=D.GRADES, help="优秀、良好、合格、不合格")
    command("return", "退回申请办结的事项（写明原因）", _step("return", "已退回"), item=True, on=True).add_argument(
        "--reason", required=True, metavar="原因", help="退回原因")
    command("cancel", "撤销事项（写明原因）", _step("cancel", "已撤销"), item=True, on=True).add_argument(
        "--reason", required=True, metavar="原因", help="撤销原因")
    p = command("deadline", "调整办理时限（写明原因）", _step("deadline", "已调整办理时限"), item=True, on=True)
    p.add_argument("--due", required=True, metavar="YYYY-MM-DD", help="新的办理时限")
    p.add_argument("--reason", required=True, metavar="原因", help="调整原因")
    p = command("list", "截至某日的督办事项和各单位指标", _list)
    p.add_argument("--as-of", metavar="YYYY-MM-DD", help="统计日期（默认今天）")
    p.add_argument("--unit", metavar="单位", help="只看该承办单位")
    p.add_argument("--format", choices=["text", "json"], default="text", help="输出格式")
    command("show", "一个事项的全部办理记录", _show, item=True)
    p = command("suggest", "某月的建议交办项目（问题持续 3 个月以上或连续两月红灯，且无未办结事项）", _suggest)
    p.add_argument("--month", metavar="YYYY-MM", help="报送月份（默认库中最新月份）")
    p.add_argument("--as-of", metavar="YYYY-MM-DD", help="判断“未办结事项”的日期（默认今天）")
    p.add_argument("--format", choices=["text", "json"], default="text", help="输出格式")
