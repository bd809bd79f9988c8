"""`python -m data register import|list` (the year's 年度重点项目名单), registered on data's command line."""
from __future__ import annotations

import json
import sys

from data import register
from data.accounts.cli import login_name
from data.store import Store
from data.text import DASH


def cmd_register(args) -> int:
    """Import the year's project list (年度重点项目名单) of one or more units, or list it."""
    store = Store(args.store)
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
            print(f"{u:<12}  {f.height:>6}  {rec.get('time') or DASH:<19}  {rec.get('user') or DASH:<10}  "
                  f"{rec.get('source') or DASH}")
        print()
        print("单位          项目编码        项目名称                      县区      项目类别  项目级别  建设性质  总投资(万元)")
        tbl = register.table(store, args.year)
        for r in tbl.iter_rows(named=True):
            money = f"{r['total_investment']:,.2f}" if r["total_investment"] is not None else DASH
            print(f"{r['unit']:<12}  {r['project_id']:<14}  {r['project_name']:<28}  {r['county'] or DASH:<8}  "
                  f"{r['category'] or DASH:<6}  {r['level'] or DASH:<6}  {r['build_type'] or DASH:<6}  {money}")
        return 0
    if not args.file:
        print("请给出名单文件：python -m data register import 文件 --year YYYY。", file=sys.stderr)
        return 2
    outcome = register.import_register(args.file, store=store, year=args.year, sheet=args.sheet, unit=args.unit,
                                       replace=args.replace, user=login_name())
    if outcome.ok:
        units = "；".join(f"{u}：{text}" for u, text in outcome.changes.items())
        print(f"名单导入成功：{args.year}年度，项目 {outcome.rows} 个，警告 {len(outcome.warnings)} 条。{units}")
        if outcome.warnings:
            print(outcome.report(limit=50))
        return 0
    print(outcome.report(limit=50))
    print(f"名单导入被拒绝：文件“{args.file}”有 {len(outcome.errors)} 个错误，库中数据未改变。请按上面的提示修改后重新导入。")
    return 1


def add_register_command(sub) -> None:
    """Add `register` to data's command line (`sub`: its subparsers)."""
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
