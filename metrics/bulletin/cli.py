"""`python -m metrics bulletin`: the monthly bulletin (and its workbook) written to files."""
from __future__ import annotations

import sys
from pathlib import Path

from data.months import month_zh
from metrics.bulletin.content import CITY_ENV, DEFAULT_CITY, build_workbook, collect
from metrics.bulletin.document import build_bulletin
from metrics.cli import CliError, add_scorecard_arg, add_selection_args, open_dataset, scorecard, selection


def cmd_bulletin(args) -> str:
    try:
        ds, month = open_dataset(args)
        filters, card = selection(args), scorecard(args)
        if not str(args.out).lower().endswith(".docx"):
            raise CliError(f"--out 应为 .docx 文件名，而不是“{args.out}”")
    except CliError as e:
        # A usage error ends the run before any file is written, with argparse's exit code 2.
        print(f"错误：{e}", file=sys.stderr)
        raise SystemExit(2) from None
    b = collect(ds, month, filters, card, city=args.city)
    out = Path(args.out)
    out.write_bytes(build_bulletin(ds, month, filters, card, bulletin=b))
    lines = [f"已写出 {out}：{b.city}重点项目建设情况通报（{month_zh(month)}），"
             f"{len(b.rank)}个县区排名，{len(b.warnings)}个约谈预警，{len(b.annexes)}个附件"]
    if args.xlsx:
        Path(args.xlsx).write_bytes(build_workbook(ds, month, filters, card, bulletin=b))
        lines.append(f"已写出 {args.xlsx}：{len(b.tables)}张表")
    return "\n".join(lines)


def add_cli(subparsers) -> None:
    """Register `python -m metrics bulletin --data DIR --month YYYY-MM --out FILE.docx [--xlsx FILE.xlsx]`."""
    p = subparsers.add_parser("bulletin", help="月通报（Word，可同时导出 Excel）")
    add_selection_args(p)
    p.add_argument("--out", required=True, help="输出 Word 文件（.docx）")
    p.add_argument("--xlsx", help="同时输出通报各表（Excel，每表一页）")
    add_scorecard_arg(p)
    p.add_argument("--city", help=f"城市名称（默认 ${CITY_ENV} 或“{DEFAULT_CITY}”）")
    p.set_defaults(func=cmd_bulletin)
