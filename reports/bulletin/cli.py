"""`python -m reports bulletin`: the monthly bulletin (and its workbook) written to files; `bulletin-template`: the
office's Word template of the store, downloaded (get) or uploaded (set)."""
from __future__ import annotations

import sys
from pathlib import Path

from data import bulletin_template as stored, duban
from data.accounts.cli import login_name
from data.city import CITY_ENV, DEMO_CITY
from data.months import month_key, month_zh
from data.store import Store
from data.text import DASH, shown_time
from reports.arguments import CliError, add_scorecard_arg, add_selection_args, open_dataset, scorecard, selection
from reports.bulletin.content import build_workbook, collect
from reports.bulletin.document import build_bulletin
from reports.bulletin.template import TemplateProblem, check, current_bytes, default_bytes, install, office_template


def _template_file(path: str) -> bytes:
    """The bytes of --template FILE, checked like an upload."""
    p = Path(path)
    if not p.is_file():
        raise CliError(f"--template 指定的模板文件不存在：{p}")
    data = p.read_bytes()
    try:
        check(data)
    except TemplateProblem as e:
        raise CliError(f"模板 {p} 不能使用：{e}") from None
    return data


def cmd_bulletin(args) -> str:
    try:
        ds, month = open_dataset(args)
        filters, card = selection(args), scorecard(args)
        if not str(args.out).lower().endswith(".docx"):
            raise CliError(f"--out 应为 .docx 文件名，而不是“{args.out}”")
        store = Store(args.data)
        template = _template_file(args.template) if args.template else office_template(store)
    except CliError as e:
        # A usage error ends the run before any file is written, with argparse's exit code 2.
        print(f"错误：{e}", file=sys.stderr)
        raise SystemExit(2) from None
    b = collect(ds, month, filters, card, city=args.city, report=store.report(month_key(month)),
                ledger=duban.load(store))
    out = Path(args.out)
    try:
        out.write_bytes(build_bulletin(ds, month, filters, card, bulletin=b, template=template))
    except TemplateProblem as e:
        raise CliError(str(e)) from None
    which = f"模板 {args.template}" if args.template else "库中上传的模板" if template else "默认模板"
    lines = [f"已写出 {out}：{b.city}重点项目建设情况通报（{month_zh(month)}），"
             f"{len(b.rank)}个县区排名，{len(b.warnings)}个约谈预警，{len(b.annexes)}个附件（{which}）"]
    if args.xlsx:
        Path(args.xlsx).write_bytes(build_workbook(ds, month, filters, card, bulletin=b))
        lines.append(f"已写出 {args.xlsx}：{len(b.tables)}张表")
    return "\n".join(lines)


def cmd_template(args) -> str:
    """get: write the store's template (or the default) to FILE; set: check FILE and make it the store's."""
    store, path = Store(args.store), Path(args.file)
    if args.action == "get":
        rec = stored.last_record(store) if office_template(store) else None
        data = default_bytes() if args.default else current_bytes(store)
        path.write_bytes(data)
        if args.default or rec is None:
            return f"已写出 {path}：默认通报模板" + ("" if args.default else f"（{store.root} 中尚未上传模板）")
        return (f"已写出 {path}：{store.root} 中的通报模板（{shown_time(rec.get('time'))} 由"
                f"{rec.get('user') or '未署名用户'}上传，原文件 {rec.get('source') or DASH}）")
    if not path.is_file():
        raise CliError(f"模板文件不存在：{path}")
    try:
        rec = install(store, path.read_bytes(), user=args.user or login_name(), source=path.name)
    except TemplateProblem as e:
        raise CliError(str(e)) from None
    return f"已启用通报模板 {path.name}（已记入操作记录，SHA256 {rec['sha256'][:16]}）：此后 {store.root} 的月通报都使用它。"


def add_cli(subparsers) -> None:
    """Register `python -m reports bulletin --data DIR --month YYYY-MM --out FILE.docx [--xlsx FILE.xlsx]
    [--template FILE.docx]` and `python -m reports bulletin-template get|set FILE [--store DIR]`."""
    p = subparsers.add_parser("bulletin", help="月通报（Word，可同时导出 Excel）")
    add_selection_args(p)
    p.add_argument("--out", required=True, help="输出 Word 文件（.docx）")
    p.add_argument("--xlsx", help="同时输出通报各表（Excel，每表一页）")
    add_scorecard_arg(p)
    p.add_argument("--city", help=f"城市名称（默认 ${CITY_ENV} 或“{DEMO_CITY}”）")
    p.add_argument("--template", help="用此 Word 模板（.docx）生成；默认用库中上传的模板，没有则用默认模板")
    p.set_defaults(func=cmd_bulletin)
    p = subparsers.add_parser("bulletin-template", help="月通报模板：get 下载当前模板，set 上传并启用新模板")
    p.add_argument("action", choices=["get", "set"], help="get 下载（写到 FILE），set 上传（从 FILE）")
    p.add_argument("file", metavar="FILE", help="模板文件（.docx）")
    p.add_argument("--store", "--data", dest="store", help="库目录（默认 $KPM_STORE 或 data/store）")
    p.add_argument("--default", action="store_true", help="get 时下载默认模板（不论库中是否已上传）")
    p.add_argument("--user", help="set 时记入操作记录的经办人（默认当前登录名）")
    p.set_defaults(func=cmd_template)
