"""Command line: python -m data import|validate|list|register|submissions|review|template|user|mapping|settings|city|
check|hash-password|demo (and duban, which runs reports/duban_cli.py)."""
from __future__ import annotations

import argparse
import os
import runpy
import sys
from pathlib import Path

from data.accounts.cli import add_account_commands, login_name
from data.command_line import ChineseParser
from data.geo import BoundaryError
from data.geo.cli import add_city_command
from data.ingest import import_file
from data.months import MonthError
from data.register_cli import add_register_command
from data.store import Store, StoreError
from data.store_check import check_store
from data.text import DASH


def _user() -> str:
    return login_name()


def _store(args) -> Store:
    return Store(args.store)


def _print_summary(outcome, verb: str) -> None:
    print(f"{verb}：报送月份 {outcome.month}，项目 {outcome.rows} 个，警告 {len(outcome.warnings)} 条。")
    if outcome.warnings or outcome.completions:
        print(outcome.report(limit=50))


def _one_file(args, path: str, *, dry_run: bool) -> bool:
    """Check or import one ledger and print its report; whether it passed (each file lands or fails on its own)."""
    outcome = import_file(path, store=_store(args), sheet=args.sheet, month=args.month,
                          replace=getattr(args, "replace", False), user="" if dry_run else _user(), dry_run=dry_run,
                          unit=args.unit)
    if outcome.ok:
        _print_summary(outcome, "检查通过" if dry_run else "导入成功")
        return True
    print(outcome.report(limit=50))
    if dry_run:
        print(f"检查未通过：文件“{path}”有 {len(outcome.errors)} 个错误。请按上面的提示修改。")
    else:
        print(f"导入被拒绝：文件“{path}”有 {len(outcome.errors)} 个错误，库中数据未改变。请按上面的提示修改后重新导入。")
    return False


def _check_or_import(args, *, dry_run: bool) -> int:
    if len(args.file) > 1 and args.sheet:
        print("--sheet 只能用于一个文件：请分别导入。", file=sys.stderr)
        return 2
    passed = []
    for i, path in enumerate(args.file):
        if len(args.file) > 1:
            print(f"{'' if i == 0 else chr(10)}【{i + 1}/{len(args.file)}】{path}")
        passed.append(_one_file(args, path, dry_run=dry_run))
    if len(args.file) > 1:
        bad = [p for p, ok in zip(args.file, passed) if not ok]
        verb = "检查通过" if dry_run else "导入成功"
        print(f"\n共 {len(args.file)} 个文件：{verb} {len(args.file) - len(bad)} 个" +
              (f"，未通过 {len(bad)} 个：{'、'.join(bad)}" if bad else "。"))
    return 0 if all(passed) else 1


def cmd_import(args) -> int:
    """Import one ledger into the store."""
    return _check_or_import(args, dry_run=False)


def cmd_validate(args) -> int:
    """Check one ledger without writing anything."""
    return _check_or_import(args, dry_run=True)


def cmd_list(args) -> int:
    """List stored months."""
    store = _store(args)
    try:
        infos = store.info()
    except (StoreError, OSError) as e:
        print(f"无法读取数据库“{store.root}”：{e}", file=sys.stderr)
        return 1
    if not infos:
        print(f"数据库“{store.root}”中还没有数据：用 python -m data import 文件 导入。")
        return 0
    print(f"数据库：{store.root}（共 {len(infos)} 个月）")
    print("报送月份  项目数  导入时间             导入人    来源文件")
    for i in infos:
        print(f"{i.month:<9} {i.rows:>6}  {i.imported_at or DASH:<19}  {i.user or DASH:<8}  {i.source or DASH}")
    return 0


def cmd_demo(args) -> int:
    """Generate the demo city's ledgers; with --restore, set the store's data aside so the app shows the demo again."""
    if args.restore:
        if args.out:
            print("--restore 与 --out 不能同时使用。", file=sys.stderr)
            return 2
        from data.archive import restore_demo

        return restore_demo(_store(args), user=_user())
    from data.demo import generate  # numpy and the generator load only for this command

    paths = generate(Path(args.out) if args.out else None)
    print(f"已生成演示数据 {len(paths)} 个文件：")
    for p in paths:
        print(f"  {p}")
    return 0


def cmd_check(args) -> int:
    """Verify every stored month; with --repair restore damaged months from history and remove stale temp files."""
    store = _store(args)
    report = check_store(store, repair=args.repair, user=_user() or "check --repair")
    print(f"数据库：{store.root}（检查 {len(report.checked)} 个月）")
    for line in report.repaired:
        print(f"已修复：{line}")
    for line in report.unrepaired:
        print(f"未能修复：{line}")
    for line in report.warnings:
        print(f"提示：{line}")
    for line in report.problems:
        print(f"问题：{line}")
    if report.ok and not report.unrepaired:
        print("检查通过：每个月份的文件都可读、结构标准、与操作记录的校验值一致，没有残留的临时文件。")
        return 0
    if report.problems and not args.repair:
        print(f"发现 {len(report.problems)} 个问题。运行 python -m data check --repair 可从历史版本恢复损坏的月份并清理临时文件。")
    return 1


def _month(text: str) -> str:
    from data.months import month_key, parse_month

    return month_key(parse_month(text))


def cmd_submissions(args) -> int:
    """Print a month's 报送情况: every expected unit's status, rows, who and when, and lateness."""
    import json

    store = _store(args)
    report = store.report(_month(args.month))
    if args.format == "json":
        print(json.dumps(report.as_json(), ensure_ascii=False, indent=1))
        return 0
    from data.submissions import STATUS_ZH

    print(report.line())
    print(f"报送截止日：{report.deadline:%Y-%m-%d}" + ("" if report.late_counted else "（早于本库启用，不计逾期）"))
    print("报送单位        状态    行数  报送时间             报送人      备注")
    for u in report.units:
        note = "逾期" if u.late else ""
        note = "；".join(x for x in (note, "有待审核的更新" if u.pending_update else "",
                                     f"退回原因：{u.reason}" if u.reason else "") if x)
        print(f"{u.unit:<12}  {STATUS_ZH[u.status]:<6}  {u.rows:>4}  {u.submitted_at or DASH:<19}  "
              f"{u.submitted_by or DASH:<10}  {note}")
    return 0


def cmd_review(args) -> int:
    """Publish (通过) or return (退回) a unit's submission awaiting review, or list those awaiting it."""
    store = _store(args)
    month = _month(args.month)
    if args.action == "list":
        waiting = [u for u in store.report(month).units if u.status == "pending" or u.pending_update]
        if not waiting:
            print(f"{month} 没有待审核的报送。")
        for u in waiting:
            rec, frame = store.pending(month, u.unit)
            print(f"{u.unit}：{frame.height} 行，{rec.get('user') or DASH} 于 {rec.get('time', '')} 报送"
                  f"（{rec.get('source', '')}）")
        return 0
    if not args.unit:
        print("请用 --unit 指定报送单位。", file=sys.stderr)
        return 2
    if args.action == "publish":
        rec = store.publish(month, args.unit, user=_user())
        print(f"已发布：{month} {args.unit} 的报送已计入当月数据（当月共 {rec['rows']} 个项目）。")
    else:
        store.return_submission(month, args.unit, args.reason or "", user=_user())
        print(f"已退回：{month} {args.unit} 的报送，原因：{args.reason}")
    return 0


def cmd_template(args) -> int:
    """Write a unit's 底稿 for the next month: its last published rows as an Excel ledger ready to update."""
    from data.draft import draft_ledger
    from data.months import parse_month
    from data.register import template_frame

    store = _store(args)
    month = parse_month(args.month)
    source, frame = template_frame(store, args.unit, _month(args.month))  # the register's projects, when it has one
    out = Path(args.out or f"{args.unit}_{month:%Y}年{month.month}月_重点项目台账.xlsx")
    out.write_bytes(draft_ledger(frame, month, args.unit, source=source))
    rows = frame.height if frame is not None else 0
    if source and "名单" in source:
        print(f"已生成 {out}：{args.unit} {month:%Y-%m} 的底稿（取自{source}，{rows} 个项目）。")
    else:
        print(f"已生成 {out}：{args.unit} {month:%Y-%m} 的底稿（沿用{source or DASH}已发布的 {rows} 个项目）。")
    return 0


def cmd_mapping(args) -> int:
    """Teach the importer a county's own header or value, list what it was taught, or forget one."""
    from data import mappings

    store = _store(args)
    if args.action == "list":
        rows = mappings.load(store).rows()
        if not rows:
            print("还没有记住的对应：用 python -m data mapping add --column 原表头 标准表头 或 --value 列 原取值 标准取值 添加。")
        for kind, col, src, canon in rows:
            print(f"{kind}  {col:<12} “{src}” → “{canon}”")
        return 0
    if args.action == "add":
        if args.column and len(args.column) == 2 and not args.value:
            mappings.add_column(store, *args.column, user=_user(), unit=args.unit)
            where = f"{args.unit}以后每次导入" if args.unit else "以后每次导入"
            print(f"已记住：表头“{args.column[0]}”即“{args.column[1]}”，{where}都会这样对应。")
        elif args.value and len(args.value) == 3 and not args.column:
            mappings.add_value(store, *args.value, user=_user())
            print(f"已记住：“{args.value[0]}”列的“{args.value[1]}”即“{args.value[2]}”，以后每次导入都会这样对应。")
        else:
            print("用法：mapping add --column 原表头 标准表头，或 mapping add --value 列 原取值 标准取值。", file=sys.stderr)
            return 2
        return 0
    if args.column and len(args.column) == 1 and not args.value:
        mappings.remove(store, args.column[0], user=_user(), unit=args.unit)
    elif args.value and len(args.value) == 2 and not args.column:
        mappings.remove(store, args.value[1], column=args.value[0], user=_user())
    else:
        print("用法：mapping remove --column 原表头，或 mapping remove --value 列 原取值。", file=sys.stderr)
        return 2
    print("已删除。")
    return 0


def cmd_settings(args) -> int:
    """Show or set the reporting deadline day, the expected units and the month lateness counts from."""
    from data.submissions import Settings, began

    store = _store(args)
    cur = store.settings()
    if args.deadline is None and args.units is None and args.late_from is None:
        start = began(store.audit())
        auto = f"截止日不早于本库启用日（{start:%Y-%m-%d}）的月份" if start else "本库收到第一份台账之后到期的月份"
        print(f"报送截止日：每月 {cur.deadline_day} 日；应报单位（除上月已报送的单位外）：{'、'.join(cur.expected_units) or '无'}；"
              f"计逾期的月份：{f'{cur.late_from} 起' if cur.late_from else auto}")
        return 0
    units = tuple(u.strip() for u in args.units.replace("，", ",").split(",") if u.strip()) if args.units is not None \
        else cur.expected_units
    late_from = cur.late_from if args.late_from is None else ("" if args.late_from == "auto" else _month(args.late_from))
    store.save_settings(Settings(args.deadline if args.deadline is not None else cur.deadline_day, units, late_from),
                        user=_user())
    print("已保存。")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argparse tree."""
    p = ChineseParser(prog="python -m data", description="重点项目台账：导入、检查、查看数据库。")
    sub = p.add_subparsers(dest="command", metavar="命令", parser_class=ChineseParser)
    sub.required = True

    def common(sp, with_store=True):
        sp.add_argument("file", metavar="文件", nargs="+", help="台账文件：.xlsx、.xls、.csv 或 .parquet，可一次给多个")
        sp.add_argument("--month", metavar="YYYY-MM", help="报送月份（文件中没有“报送月份”列时必须指定）")
        sp.add_argument("--sheet", metavar="工作表", help="Excel 工作表名（默认第一个）")

    sp = sub.add_parser("import", help="导入台账到数据库（有错误时不写入）")
    common(sp)
    sp.add_argument("--store", metavar="目录", help="数据库目录（默认环境变量 KPM_STORE 或 data/store/）")
    sp.add_argument("--replace", action="store_true", help="文件中的单位当月已有数据时替换这些单位的数据（旧版本存入历史）")
    sp.add_argument("--unit", metavar="单位", help="整个文件作为该单位的报送（如 市交通局）；默认按县区分为各县区的报送")
    sp.set_defaults(func=cmd_import)

    sp = sub.add_parser("validate", help="只检查台账，不写入")
    common(sp)
    sp.add_argument("--unit", metavar="单位", help="整个文件作为该单位的报送")
    sp.add_argument("--store", metavar="目录", help="用于与上月比对的数据库目录")
    sp.set_defaults(func=cmd_validate)

    sp = sub.add_parser("list", help="列出数据库中的月份")
    sp.add_argument("--store", metavar="目录", help="数据库目录")
    sp.set_defaults(func=cmd_list)

    sp = sub.add_parser("submissions", help="某月各报送单位的报送情况（已发布、待审核、已退回、未报送、逾期）")
    sp.add_argument("--month", metavar="YYYY-MM", required=True, help="报送月份")
    sp.add_argument("--store", metavar="目录", help="数据库目录")
    sp.add_argument("--format", choices=["text", "json"], default="text", help="输出格式")
    sp.set_defaults(func=cmd_submissions)

    sp = sub.add_parser("review", help="审核填报员的报送：list 列出待审核，publish 通过，return 退回")
    sp.add_argument("action", choices=["list", "publish", "return"], metavar="list|publish|return")
    sp.add_argument("--month", metavar="YYYY-MM", required=True, help="报送月份")
    sp.add_argument("--unit", metavar="单位", help="报送单位")
    sp.add_argument("--reason", metavar="原因", help="退回原因（退回时必填）")
    sp.add_argument("--store", metavar="目录", help="数据库目录")
    sp.set_defaults(func=cmd_review)

    sp = sub.add_parser("template", help="生成某单位下月的底稿（上月已发布数据的 Excel 台账）")
    sp.add_argument("--unit", metavar="单位", required=True, help="报送单位")
    sp.add_argument("--month", metavar="YYYY-MM", required=True, help="要填报的月份（底稿沿用此前最近一个月的已发布数据）")
    sp.add_argument("--out", metavar="文件", help="输出的 .xlsx 文件（默认 单位_年月_重点项目台账.xlsx）")
    sp.add_argument("--store", metavar="目录", help="数据库目录")
    sp.set_defaults(func=cmd_template)

    sp = sub.add_parser("mapping", help="记住县区自己的写法：add 添加、list 列出、remove 删除表头或取值的对应")
    sp.add_argument("action", choices=["add", "list", "remove"], metavar="add|list|remove")
    sp.add_argument("--column", nargs="+", metavar="表头", help="add：原表头 标准表头；remove：原表头")
    sp.add_argument("--value", nargs="+", metavar="值", help="add：列 原取值 标准取值；remove：列 原取值")
    sp.add_argument("--unit", metavar="单位", help="表头的对应只用于该单位的文件（默认所有单位）")
    sp.add_argument("--store", metavar="目录", help="数据库目录")
    sp.set_defaults(func=cmd_mapping)

    add_register_command(sub)

    sp = sub.add_parser("settings", help="查看或设置报送截止日、应报单位和逾期起算月份")
    sp.add_argument("--deadline", type=int, metavar="日", help="每月报送截止日（默认 25）")
    sp.add_argument("--units", metavar="单位,单位", help="除上月已报送单位外，还应报送的单位（逗号分隔）")
    sp.add_argument("--late-from", metavar="YYYY-MM|auto",
                    help="从该月起计逾期（含补录的历史月份）；auto（默认）：截止日早于本库收到第一份台账的月份不计逾期")
    sp.add_argument("--store", metavar="目录", help="数据库目录")
    sp.set_defaults(func=cmd_settings)

    add_city_command(sub, _user)

    sp = sub.add_parser("check", help="校验数据库：文件可读、结构标准、与操作记录的校验值一致（--repair 修复）")
    sp.add_argument("--store", metavar="目录", help="数据库目录")
    sp.add_argument("--repair", action="store_true", help="从最新的完好历史版本恢复损坏的月份，并删除残留的临时文件")
    sp.set_defaults(func=cmd_check)

    add_account_commands(sub)

    sp = sub.add_parser("demo", help="生成演示城市的台账数据；--restore：把数据库的数据移到存档，各页面回到示范市")
    sp.add_argument("--out", metavar="目录", help="输出目录（默认由生成器决定）")
    sp.add_argument("--restore", action="store_true",
                    help="把数据库中的月份、历史、待审核报送和操作记录移到 数据库/archive/时间/（不删除），各页面重新显示示范市；"
                         "账号、表头对应、报送设置和通报模板保留")
    sp.add_argument("--store", metavar="目录", help="与 --restore 一起：数据库目录（默认环境变量 KPM_STORE 或 data/store/）")
    sp.set_defaults(func=cmd_demo)

    sp = sub.add_parser("duban", help="督办事项：交办、反馈、申请办结、办结、退回、撤销、列表（即 python -m reports duban）",
                        add_help=False)
    sp.add_argument("rest", nargs=argparse.REMAINDER)
    sp.set_defaults(func=cmd_duban)
    return p


def cmd_duban(args) -> int:
    """`python -m data duban …` is `python -m reports duban …`: 督办's lists and suggestions read metrics/, which
    data/ stays below, so the command lives in reports/duban_cli.py and runs from there under this name too."""
    argv, sys.argv = sys.argv, ["python -m data", "duban", *args.rest]
    try:
        runpy.run_module("reports", run_name="__main__", alter_sys=True)
    except SystemExit as e:
        return e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    finally:
        sys.argv = argv
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit code."""
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print("已中断。", file=sys.stderr)
        return 130
    except (StoreError, MonthError, BoundaryError) as e:
        print(str(e), file=sys.stderr)
        return 1
    except Exception as e:  # an analyst gets one Chinese line, not a traceback; KPM_DEBUG=1 shows the trace
        if os.environ.get("KPM_DEBUG"):
            raise
        print(f"处理失败（{type(e).__name__}：{e}）。请检查文件和参数；如问题持续，请把此信息发给管理员。", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
