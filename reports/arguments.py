"""What every command of reports/ takes: the store and month (--data, --month), the selection filters, the scorecard."""
from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from data.months import MonthError, month_key, to_month
from data.schema import LEVELS, TIER_LABELS
from data.store import Store
from metrics.dataset import Dataset
from metrics.filters import BY_LABELS, Filters
from metrics.ranking import Scorecard, load_scorecard


class CliError(Exception):
    """A user error: printed in Chinese, exit code 2."""


def add_selection_args(p: argparse.ArgumentParser) -> None:
    """--data DIR --month YYYY-MM and the repeatable filters --county --chain --tier --level."""
    p.add_argument("--data", required=True, help="库目录（python -m data import 写入的目录）")
    p.add_argument("--month", required=True, help="月份 YYYY-MM")
    p.add_argument("--county", action="append", help=f"{BY_LABELS['county']}，可重复")
    p.add_argument("--chain", action="append", help=f"{BY_LABELS['chain']}，可重复")
    p.add_argument("--tier", action="append", help=f"{BY_LABELS['tier']}：{'、'.join(TIER_LABELS)}，可重复")
    p.add_argument("--level", action="append", help=f"{BY_LABELS['level']}：{'、'.join(LEVELS)}，可重复")


def add_scorecard_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--scorecard", help="评分表 TOML（默认 metrics/scorecard.toml）")


def open_dataset(args) -> tuple[Dataset, dt.date]:
    """The store of --data and the month of --month, which it must hold."""
    path = Path(args.data)
    if not path.is_dir():
        raise CliError(f"数据目录不存在：{path}（应为 python -m data import 写入的库目录）")
    ds = Dataset.from_store(Store(path))
    if not ds.months:
        raise CliError(f"数据目录 {path} 中没有任何月份的快照。先用 python -m data import 导入台账。")
    try:
        month = to_month(args.month)
    except MonthError as e:
        raise CliError(str(e)) from None
    if not ds.has(month):
        have = "、".join(month_key(m) for m in ds.months)
        raise CliError(f"库中没有 {month_key(month)} 的快照。已有月份：{have}")
    return ds, month


def selection(args) -> Filters:
    """The filters of --county --chain --tier --level."""
    try:
        return Filters.of(args.county or (), args.chain or (), args.tier or (), args.level or ())
    except ValueError as e:
        raise CliError(str(e)) from None


def scorecard(args) -> Scorecard:
    """The scorecard of --scorecard (or the default one)."""
    try:
        return load_scorecard(args.scorecard)
    except ValueError as e:
        raise CliError(str(e)) from None
