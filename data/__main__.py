"""Command line: python -m data import|validate|list|register|submissions|review|template|user|mapping|settings|city|
check|hash-password|demo|duban."""
from __future__ import annotations

import argparse
import getpass
import os
import sys
import unicodedata
from pathlib import Path

from data.geo import BoundaryError
from data.ingest import import_file
from data.passwords import ITERATIONS, MIN_PASSWORD_LENGTH, hash_password
from data.months import MonthError
from data.store import Store, StoreError
from data.store_check import check_store


_ARGPARSE_ZH = (
    ("the following arguments are required", "缺少参数"), ("unrecognized arguments", "无法识别的参数"),
    ("invalid choice", "无效的命令"), ("choose from", "可选"), ("expected one argument", "需要一个值"),
)


class _Parser(argparse.ArgumentParser):
    """argparse with its usage errors said in Chinese."""

    def error(self, message: str):
        for en, zh in _ARGPARSE_ZH:
            message = message.replace(en, zh)
        self.print_usage(sys.stderr)
        self.exit(2, f"参数错误：{message}\n用 -h 查看帮助。\n")


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers; the audit log then records none
        return ""


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
        print(f"{i.month:<9} {i.rows:>6}  {i.imported_at or '—':<19}  {i.user or '—':<8}  {i.source or '—'}")
    return 0


def cmd_demo(args) -> int:
    """Generate the demo city's ledgers; with --restore, set the store's data aside so the app shows the demo again."""
    if args.restore:
        return _restore_demo(args)
    from data.demo import generate  # numpy and the generator load only for this command

    paths = generate(Path(args.out) if args.out else None)
    print(f"已生成演示数据 {len(paths)} 个文件：")
    for p in paths:
        print(f"  {p}")
    return 0


def _restore_demo(args) -> int:
    """demo --restore: the store's data into <store>/archive/<time>/ (accounts and configuration stay); the demo
    city regenerated if its own directory lost its months."""
    from data.archive import DATA_ENTRIES, archive_data
    from data.store import DEMO_DIR

    if args.out:
        print("--restore 与 --out 不能同时使用。", file=sys.stderr)
        return 2
    store = _store(args)
    if not Store(DEMO_DIR).months():
        from data.demo import generate

        generate()
        print(f"示范市的数据不完整，已重新生成：{DEMO_DIR}")
    target = archive_data(store, user=_user())
    if target is None:
        print(f"数据库“{store.root}”中没有数据：各页面本来就显示示范市。")
        return 0
    moved = "、".join(p.name + ("/" if p.is_dir() else "") for p in sorted(target.iterdir()))
    print(f"已把数据库“{store.root}”的数据（{moved}）移到 {target}/，没有删除任何文件。")
    print("各页面现在显示示范市；账号（users.json）、记住的表头对应、报送设置和通报模板都保留在原处。")
    print(f"要找回这些数据：停止应用后把 {target}/ 下的 {'、'.join(DATA_ENTRIES)} 移回 {store.root}/"
          "（先移走此后新产生的同名文件）。")
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
    from data.store import month_key, parse_month

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
        print(f"{u.unit:<12}  {STATUS_ZH[u.status]:<6}  {u.rows:>4}  {u.submitted_at or '—':<19}  "
              f"{u.submitted_by or '—':<10}  {note}")
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
            print(f"{u.unit}：{frame.height} 行，{rec.get('user') or '—'} 于 {rec.get('time', '')} 报送（{rec.get('source', '')}）")
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
    from data.register import template_frame
    from data.store import parse_month
    from data.template import ledger_template

    store = _store(args)
    month = parse_month(args.month)
    source, frame = template_frame(store, args.unit, _month(args.month))  # the register's projects, when it has one
    out = Path(args.out or f"{args.unit}_{month:%Y}年{month.month}月_重点项目台账.xlsx")
    out.write_bytes(ledger_template(frame, month, args.unit, source=source))
    rows = frame.height if frame is not None else 0
    if source and "名单" in source:
        print(f"已生成 {out}：{args.unit} {month:%Y-%m} 的底稿（取自{source}，{rows} 个项目）。")
    else:
        print(f"已生成 {out}：{args.unit} {month:%Y-%m} 的底稿（沿用{source or '—'}已发布的 {rows} 个项目）。")
    return 0


def cmd_register(args) -> int:
    """Import the year's project list (年度重点项目名单) of one or more units, or list it."""
    import json

    from data import register

    store = _store(args)
    if args.action == "list":
        parts = register.read(store, args.year)
        records = register.history(store, args.year)
        last = {u: rec for rec in records for u in rec.get("units", {})}
        if args.format == "json":
            tbl = register.table(store, args.year)
            body = {"year": args.year, "units": [
                {"unit": u, "rows": f.height, "columns": [c for c in f.columns],
                 "imported_at": last.get(u, {}).get("time"), "user": last.get(u, {}).get("user"),
                 "source": last.get(u, {}).get("source")} for u, f in parts.items()],
                "projects": [{k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in r.items()}
                             for r in tbl.to_dicts()]}
            print(json.dumps(body, ensure_ascii=False, indent=1))
            return 0
        if not parts:
            print(f"库中还没有{args.year}年度名单：用 python -m data register import 文件 --year {args.year} 导入。")
            return 0
        total = sum(f.height for f in parts.values())
        print(f"{args.year}年度重点项目名单：{len(parts)} 个单位，{total} 个项目（数据库：{store.root}）")
        print("单位            项目数  导入时间             导入人      来源文件")
        for u, f in parts.items():
            rec = last.get(u, {})
            print(f"{u:<12}  {f.height:>6}  {rec.get('time') or '—':<19}  {rec.get('user') or '—':<10}  "
                  f"{rec.get('source') or '—'}")
        print()
        print("单位          项目编码        项目名称                      县区      项目类别  项目级别  建设性质  总投资(万元)")
        tbl = register.table(store, args.year)
        for r in tbl.iter_rows(named=True):
            money = f"{r['total_investment']:,.2f}" if r["total_investment"] is not None else "—"
            print(f"{r['unit']:<12}  {r['project_id']:<14}  {r['project_name']:<28}  {r['county'] or '—':<8}  "
                  f"{r['category'] or '—':<6}  {r['level'] or '—':<6}  {r['build_type'] or '—':<6}  {money}")
        return 0
    if not args.file:
        print("请给出名单文件：python -m data register import 文件 --year YYYY。", file=sys.stderr)
        return 2
    outcome = register.import_register(args.file, store=store, year=args.year, sheet=args.sheet, unit=args.unit,
                                       replace=args.replace, user=_user())
    if outcome.ok:
        units = "；".join(f"{u}：{text}" for u, text in outcome.changes.items())
        print(f"名单导入成功：{args.year}年度，项目 {outcome.rows} 个，警告 {len(outcome.warnings)} 条。{units}")
        if outcome.warnings:
            print(outcome.report(limit=50))
        return 0
    print(outcome.report(limit=50))
    print(f"名单导入被拒绝：文件“{args.file}”有 {len(outcome.errors)} 个错误，库中数据未改变。请按上面的提示修改后重新导入。")
    return 1


def cmd_user(args) -> int:
    """Manage named sign-in accounts: add, list, remove, passwd."""
    from data import users

    store = _store(args)
    if args.action == "list":
        accs = users.accounts(store)
        if not accs:
            print("还没有用户：用 python -m data user add 用户名 --role analyst|reporter [--unit 单位] 添加。")
        for a in accs:
            print(f"{a.name:<16} {users.ROLES[a.role]:<4} {a.unit or '—':<12} 创建于 {a.created}")
        return 0
    if not args.name:
        print("请给出用户名。", file=sys.stderr)
        return 2
    if args.action == "remove":
        users.remove(store, args.name, by=_user())
        print(f"已删除用户“{args.name}”。")
        return 0
    password = _read_password_twice()
    if password is None:
        return 1
    if args.action == "add":
        acc = users.add(store, args.name, args.role or "", password, unit=args.unit or "", by=_user())
        where = f"，报送单位：{acc.unit}" if acc.unit else ""
        print(f"已添加用户“{acc.name}”（{users.ROLES[acc.role]}{where}）。")
    else:
        users.set_password(store, args.name, password, by=_user())
        print(f"已更新“{args.name}”的口令。")
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


def _width(text: str) -> int:
    """Columns a text takes in a terminal (CJK characters two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def cmd_city(args) -> int:
    """The city whose county map is drawn, and how the store's units match its boundaries."""
    from data import geo

    store = _store(args)
    if args.action == "set":
        if not args.name:
            print("请给出城市名称或代码：python -m data city set 宜昌市（或 420500）", file=sys.stderr)
            return 2
        city, dropped = geo.set_city(store, args.name, user=_user())
        print(f"已设置城市：{city.province}{city.name}（{city.adcode}），共 {len(geo.counties(city))} 个区县边界。")
        if dropped:
            print(f"以下手工对应指向其他城市，已取消：{'、'.join(dropped)}")
        args.action = "show"
    elif args.action == "unset":
        geo.unset_city(store, user=_user())
        print("已取消城市设置：地图改为方块图（每个单位一个方块）。")
        return 0
    elif args.action in ("match", "no-boundary", "forget"):
        if not args.name or (args.action == "match" and not args.boundary):
            print(f"用法：python -m data city {'match 单位 区县名或代码' if args.action == 'match' else args.action + ' 单位'}",
                  file=sys.stderr)
            return 2
        if args.action == "match":
            b = geo.set_match(store, args.name, args.boundary, user=_user())
            print(f"已手工对应：“{args.name}” → {b.name}（{b.adcode}）")
        elif args.action == "no-boundary":
            geo.mark_no_boundary(store, args.name, user=_user())
            print(f"已标注“{args.name}”无边界：地图旁列出它的数值。")
        else:
            geo.forget(store, args.name, user=_user())
            print(f"已取消“{args.name}”的手工设置：按名称重新对应。")
        return 0
    saved, rows, free = geo.listing(store)
    if saved.city is None:
        marks = f"；标注为无边界：{'、'.join(saved.no_boundary)}" if saved.no_boundary else ""
        print(f"还没有设置城市：地图为方块图{marks}。用 python -m data city set 城市名 设置。")
        return 0
    print(f"城市：{saved.city.province}{saved.city.name}（{saved.city.adcode}）")
    width = max([_width(r.unit) for r in rows] + [4])
    print(f"{_pad('单位', width)}  {_pad('区县边界', 18)}  代码    对应方式")
    for r in rows:
        print(f"{_pad(r.unit, width)}  {_pad(r.boundary or '—', 18)}  {r.adcode or '—':<6}  {r.how or '未对应'}"
              f"{'：' + r.reason if r.reason and r.how != geo.NO_BOUNDARY else ''}")
    unmatched = [r.unit for r in rows if not r.how]
    print(f"未对应 {len(unmatched)} 个{'：' + '、'.join(unmatched) if unmatched else ''}"
          f"（用 city match 单位 区县 手工对应，或 city no-boundary 单位 标注无边界）")
    if free:
        print(f"没有单位的区县 {len(free)} 个：{'、'.join(b.name for b in free)}")
    return 0


def _read_password_twice() -> str | None:
    if sys.stdin.isatty():
        first = getpass.getpass("分析员口令：")
        second = getpass.getpass("再输入一次：")
    else:  # piped: two lines on standard input
        lines = sys.stdin.read().splitlines()
        first, second = (lines + ["", ""])[:2]
    if first != second:
        print("两次输入的口令不一致，未生成。", file=sys.stderr)
        return None
    return first


def cmd_hash_password(args) -> int:
    """Read the analyst password twice and print the hash line for .streamlit/secrets.toml."""
    password = _read_password_twice()
    if password is None:
        return 1
    if len(password) < MIN_PASSWORD_LENGTH:
        print(f"口令太短：至少 {MIN_PASSWORD_LENGTH} 个字符，未生成。", file=sys.stderr)
        return 1
    encoded = hash_password(password, iterations=args.iterations or ITERATIONS)
    print("把下面一行写入 .streamlit/secrets.toml 的 [analyst] 段（或把引号中的值设为环境变量 KPM_ANALYST_PASSWORD_HASH），"
          "然后重启服务：", file=sys.stderr)
    print(f'password_hash = "{encoded}"')
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argparse tree."""
    p = _Parser(prog="python -m data", description="重点项目台账：导入、检查、查看数据库。")
    sub = p.add_subparsers(dest="command", metavar="命令", parser_class=_Parser)
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

    sp = sub.add_parser("user", help="管理登录账号：add 添加、list 列出、remove 删除、passwd 改口令（口令从终端或标准输入读两次）")
    sp.add_argument("action", choices=["add", "list", "remove", "passwd"], metavar="add|list|remove|passwd")
    sp.add_argument("name", nargs="?", metavar="用户名")
    sp.add_argument("--role", choices=["analyst", "reporter"], help="analyst 分析员，reporter 填报员")
    sp.add_argument("--unit", metavar="单位", help="填报员的报送单位（如 石门县）")
    sp.add_argument("--store", metavar="目录", help="数据库目录")
    sp.set_defaults(func=cmd_user)

    sp = sub.add_parser("mapping", help="记住县区自己的写法：add 添加、list 列出、remove 删除表头或取值的对应")
    sp.add_argument("action", choices=["add", "list", "remove"], metavar="add|list|remove")
    sp.add_argument("--column", nargs="+", metavar="表头", help="add：原表头 标准表头；remove：原表头")
    sp.add_argument("--value", nargs="+", metavar="值", help="add：列 原取值 标准取值；remove：列 原取值")
    sp.add_argument("--unit", metavar="单位", help="表头的对应只用于该单位的文件（默认所有单位）")
    sp.add_argument("--store", metavar="目录", help="数据库目录")
    sp.set_defaults(func=cmd_mapping)

    sp = sub.add_parser("register", help="年度重点项目名单：import 导入（按单位，增补/调出用 --replace 替换该单位），list 列出")
    sp.add_argument("action", choices=["import", "list"], metavar="import|list")
    sp.add_argument("file", nargs="?", metavar="文件", help="名单文件（import）：.xlsx、.xls、.csv 或 .parquet")
    sp.add_argument("--year", type=int, required=True, metavar="YYYY", help="名单的年度")
    sp.add_argument("--unit", metavar="单位", help="整个文件作为该单位的名单（默认按县区分为各县区的名单）")
    sp.add_argument("--replace", action="store_true", help="该单位已有本年度名单时替换（旧版本存入历史）")
    sp.add_argument("--sheet", metavar="工作表", help="Excel 工作表名")
    sp.add_argument("--format", choices=["text", "json"], default="text", help="list 的输出格式")
    sp.add_argument("--store", metavar="目录", help="数据库目录")
    sp.set_defaults(func=cmd_register)

    sp = sub.add_parser("settings", help="查看或设置报送截止日、应报单位和逾期起算月份")
    sp.add_argument("--deadline", type=int, metavar="日", help="每月报送截止日（默认 25）")
    sp.add_argument("--units", metavar="单位,单位", help="除上月已报送单位外，还应报送的单位（逗号分隔）")
    sp.add_argument("--late-from", metavar="YYYY-MM|auto",
                    help="从该月起计逾期（含补录的历史月份）；auto（默认）：截止日早于本库收到第一份台账的月份不计逾期")
    sp.add_argument("--store", metavar="目录", help="数据库目录")
    sp.set_defaults(func=cmd_settings)

    sp = sub.add_parser("city", help="地图的城市：set 设置（名称或代码）、show 查看单位与区县的对应、match 手工对应、"
                                     "no-boundary 标注无边界、forget 取消手工设置、unset 取消城市")
    sp.add_argument("action", choices=["set", "show", "match", "no-boundary", "forget", "unset"],
                    metavar="set|show|match|no-boundary|forget|unset")
    sp.add_argument("name", nargs="?", metavar="城市或单位", help="set：城市名称或代码；match/no-boundary/forget：单位")
    sp.add_argument("boundary", nargs="?", metavar="区县", help="match：区县名称或代码")
    sp.add_argument("--store", metavar="目录", help="数据库目录")
    sp.set_defaults(func=cmd_city)

    sp = sub.add_parser("check", help="校验数据库：文件可读、结构标准、与操作记录的校验值一致（--repair 修复）")
    sp.add_argument("--store", metavar="目录", help="数据库目录")
    sp.add_argument("--repair", action="store_true", help="从最新的完好历史版本恢复损坏的月份，并删除残留的临时文件")
    sp.set_defaults(func=cmd_check)

    sp = sub.add_parser("hash-password", help="生成分析员口令的哈希（写入 secrets.toml 的 [analyst] 段）")
    sp.add_argument("--iterations", type=int, metavar="N", help=argparse.SUPPRESS)
    sp.set_defaults(func=cmd_hash_password)

    sp = sub.add_parser("demo", help="生成演示城市的台账数据；--restore：把数据库的数据移到存档，各页面回到示范市")
    sp.add_argument("--out", metavar="目录", help="输出目录（默认由生成器决定）")
    sp.add_argument("--restore", action="store_true",
                    help="把数据库中的月份、历史、待审核报送和操作记录移到 数据库/archive/时间/（不删除），各页面重新显示示范市；"
                         "账号、表头对应、报送设置和通报模板保留")
    sp.add_argument("--store", metavar="目录", help="与 --restore 一起：数据库目录（默认环境变量 KPM_STORE 或 data/store/）")
    sp.set_defaults(func=cmd_demo)

    from data.duban_cli import add_parser as add_duban  # 督办事项: data/duban_cli.py

    add_duban(sub, _user)
    return p


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
