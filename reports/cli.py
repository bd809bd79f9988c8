"""The command line (`python -m reports`, or by its old name `python -m metrics`): indicators, ranking and watch
lists as text, JSON or XLSX, the bulletin's commands (reports/bulletin/cli.py) and 督办's (reports/duban_cli.py)."""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys

import polars as pl

from data.accounts.cli import login_name
from data.command_line import ChineseParser
from data.months import MonthError, month_key
from data.store import StoreError
from data.text import DASH, EMPTY
from metrics.engine import as_record, indicators_at
from metrics.filters import BY_LABELS
from metrics.format import NO_CHAIN, format_value, list_cell
from metrics.ranking import RANK_COLUMNS, ranking, ranking_table
from metrics.registry import BY_ID, IDS
from metrics.watchlists import column_labels, find_list, watch_list
from reports import bulletin
from reports.arguments import CliError, add_scorecard_arg, add_selection_args, open_dataset, scorecard, selection
from reports.duban_cli import add_parser as add_duban
from reports.export import write_xlsx


def _jsonable(v):
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()
    if isinstance(v, float) and v != v:
        return None
    return v


def _dump(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=2, default=_jsonable)


def _table(headers: list[str], rows: list[list[str]]) -> str:
    """A plain aligned text table (CJK counted double width)."""
    def width(s: str) -> int:
        return sum(2 if ord(ch) > 0x2E80 else 1 for ch in s)

    cols = [max([width(h)] + [width(r[i]) for r in rows]) for i, h in enumerate(headers)]

    def line(cells):
        return "  ".join(c + " " * (w - width(c)) for c, w in zip(cells, cols)).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in cols])] + [line(r) for r in rows])


def cmd_indicators(args) -> str:
    ds, month = open_dataset(args)
    filters = selection(args)
    df = indicators_at(ds, month, filters, args.by)
    if args.format == "json":
        head = {"month": month_key(month)}
        if args.by is None:
            return _dump({**head, "filters": {k: list(v) for k, v in filters.as_dict().items()},
                          "indicators": as_record(df)})
        rows = [{args.by: r[args.by], "indicators": {i: r[i] for i in IDS}} for r in df.iter_rows(named=True)]
        return _dump({**head, "by": args.by, "filters": {k: list(v) for k, v in filters.as_dict().items()},
                      "rows": rows})
    if args.by is None:
        rec = as_record(df)
        rows = [[BY_ID[i].zh, i, format_value(i, rec[i])] for i in IDS]
        return f"{month_key(month)} 指标\n" + _table(["指标", "编号", "数值"], rows)
    empty = NO_CHAIN if args.by == "chain" else EMPTY
    groups = [r[args.by] or empty for r in df.iter_rows(named=True)]
    rows = [[BY_ID[i].zh] + [format_value(i, v) for v in df.get_column(i).to_list()] for i in IDS]
    return f"{month_key(month)} 按{BY_LABELS[args.by]}\n" + _table(["指标"] + groups, rows)


def cmd_ranking(args) -> str:
    ds, month = open_dataset(args)
    df = ranking(ds, month, selection(args), scorecard(args))
    keys = ["county", "score", "rank", "rank_change", "flag", "warning", "explanation"]
    if args.format == "json":
        return _dump({"month": month_key(month), "rows": [{k: r[k] for k in keys} for r in df.iter_rows(named=True)]})
    table = ranking_table(df, RANK_COLUMNS, text=True)
    return f"{month_key(month)} 县区排名\n" + _table(table.columns, [list(r) for r in table.iter_rows()])


def cmd_lists(args) -> str:
    ds, month = open_dataset(args)
    try:
        w = find_list(args.list)
    except KeyError as e:
        raise CliError(e.args[0]) from None
    df = watch_list(ds, month, w.id, selection(args))
    if args.format == "json":
        return _dump({"month": month_key(month), "list": w.id, "name": w.zh, "count": df.height,
                      "rows": df.to_dicts()})
    labelled = df.rename(column_labels(df.columns))
    if args.format == "xlsx":
        if not args.out:
            raise CliError("xlsx 格式需要 --out 文件名，例如 --out 滞后项目.xlsx")
        write_xlsx({w.zh: labelled}, args.out)
        return f"已写出 {args.out}：{w.zh} {df.height} 个项目"
    rows = [[list_cell(c, v) or DASH for c, v in zip(df.columns, r)] for r in df.iter_rows()]  # — keeps columns aligned
    return f"{month_key(month)} {w.zh}（{df.height}个）\n" + _table(labelled.columns, rows)


def _common(p: argparse.ArgumentParser, formats=("json", "table")) -> None:
    add_selection_args(p)
    p.add_argument("--format", choices=formats, default="table")


def build_parser() -> argparse.ArgumentParser:
    parser = ChineseParser(prog="python -m reports", description="重点项目监测指标、清单、月通报和督办事项（命令行）")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=ChineseParser)
    p = sub.add_parser("indicators", help="指标值")
    _common(p)
    p.add_argument("--by", choices=list(BY_LABELS), help="分组")
    p.set_defaults(func=cmd_indicators)
    p = sub.add_parser("ranking", help="县区排名")
    _common(p)
    add_scorecard_arg(p)
    p.set_defaults(func=cmd_ranking)
    p = sub.add_parser("lists", help="清单")
    _common(p, ("json", "table", "xlsx"))
    p.add_argument("--list", required=True, help="清单编号或名称")
    p.add_argument("--out", help="输出文件（xlsx）")
    p.set_defaults(func=cmd_lists)
    bulletin.add_cli(sub)
    add_duban(sub, login_name)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command: its text printed and 0, or its refusal in Chinese and the exit code."""
    args = build_parser().parse_args(argv)
    try:
        out = args.func(args)
    except CliError as e:
        print(f"错误：{e}", file=sys.stderr)
        return 2
    except (StoreError, MonthError) as e:  # a refused 督办 step, a month written wrongly: the store is unchanged
        print(str(e), file=sys.stderr)
        return 1
    except (pl.exceptions.PolarsError, OSError) as e:
        print(f"错误：读取数据失败（{type(e).__name__}：{e}）", file=sys.stderr)
        return 1
    if isinstance(out, int):  # 督办's commands print as they go and give their exit code
        return out
    sys.stdout.write(out + "\n")
    return 0
