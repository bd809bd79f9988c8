"""The command line (`python -m reports`, or by its old name `python -m metrics`): indicators, ranking and watch
lists as text, JSON or XLSX, the map's data as JSON, the bulletin's commands (reports/bulletin/cli.py), 督办's
(reports/duban_cli.py) and the pushed brief's (reports/push/cli.py)."""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

import polars as pl

from data.accounts.cli import login_name
from data.city import city_name
from data.command_line import ChineseParser
from data.geo import BoundaryError, geography
from data.months import MonthError, month_key, to_month
from data.store import Store, StoreError, active_store
from data.text import DASH, EMPTY
from metrics.dataset import Dataset
from metrics.engine import as_record, indicators_at
from metrics.filters import BY_LABELS
from metrics.format import NO_CHAIN, format_value, list_cell
from metrics.map import DEFAULT_INDICATOR, map_data
from metrics.ranking import RANK_COLUMNS, ranking, ranking_table
from metrics.registry import BY_ID, IDS
from metrics.watchlists import column_labels, find_list, watch_list
from reports import bulletin
from reports.arguments import CliError, add_scorecard_arg, add_selection_args, open_dataset, scorecard, selection
from reports.duban_cli import add_parser as add_duban
from reports.export import write_xlsx
from reports.push import cli as push_cli


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


def cmd_map(args) -> str:
    """The map's data as JSON: every unit's value on its boundary (or tile), the unmatched, the features drawn."""
    if args.adcode is not None and not (len(args.adcode) == 6 and args.adcode.isdigit()):
        raise CliError(f"行政区划代码“{args.adcode}”应为 6 位数字，如 宜昌市 420500；城市名称请用 --city。")
    if args.store and not Path(args.store).is_dir():
        raise CliError(f"数据目录不存在：{args.store}（应为 python -m data import 写入的库目录）")
    # A named store is read as it is; without one, the app's store — the demo city while it is empty (said below).
    store, demo = (Store(args.store), False) if args.store else active_store()
    if demo:
        print(f"数据库 {Store().root} 为空：以下为演示城市的数据。", file=sys.stderr)
    try:
        geo = geography(store, city_name(), city=args.city or args.adcode)
    except BoundaryError as e:
        raise CliError(str(e)) from None
    ds = Dataset.from_store(store)
    if not ds.months:
        raise CliError(f"数据库 {store.root} 中没有任何月份的快照。先用 python -m data import 导入台账。")
    try:
        month = to_month(args.month) if args.month else ds.latest
    except MonthError as e:
        raise CliError(str(e)) from None
    if not ds.has(month):
        raise CliError(f"库中没有 {month_key(month)} 的快照。已有月份：{'、'.join(month_key(m) for m in ds.months)}")
    if args.indicator not in BY_ID:
        raise CliError(f"没有指标“{args.indicator}”。可选：{'、'.join(IDS)}")
    return _dump(map_data(ds, month, geo, args.indicator).as_json())


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
    p = sub.add_parser("map", help="地图：各县区指标值、对应的区县边界、未对应的单位、所画的 GeoJSON")
    p.add_argument("--month", help="月份 YYYY-MM（默认库中最近的月份）")
    p.add_argument("--indicator", default=DEFAULT_INDICATOR, help=f"指标编号（默认 {DEFAULT_INDICATOR}）")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--city", help="城市名称（默认数据库设置的城市：python -m data city set）")
    where.add_argument("--adcode", help="城市的 6 位行政区划代码，如 420500")
    p.add_argument("--store", help="数据库目录（默认环境变量 KPM_STORE 或 data/store/，其为空时为演示城市）")
    p.add_argument("--format", choices=["json"], default="json")
    p.set_defaults(func=cmd_map)
    bulletin.add_cli(sub)
    add_duban(sub, login_name)
    push_cli.add_cli(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command: its text printed and 0, or its refusal in Chinese and the exit code."""
    args = build_parser().parse_args(argv)
    try:
        out = args.run(args) if hasattr(args, "run") else args.func(args)  # push's commands run through its own run
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
