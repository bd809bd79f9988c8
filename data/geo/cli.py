"""`python -m data city …`: the city whose county map is drawn, and how the store's units match its boundaries
(set, show, match, no-boundary, forget, unset), registered on data's command line."""
from __future__ import annotations

import sys
import unicodedata
from collections.abc import Callable

from data import geo
from data.store import Store
from data.text import DASH


def _width(text: str) -> int:
    """Columns a text takes in a terminal (CJK characters two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def cmd_city(args, operator: Callable[[], str]) -> int:
    """The city whose county map is drawn, and how the store's units match its boundaries."""
    store = Store(args.store)
    if args.action == "set":
        if not args.name:
            print("请给出城市名称或代码：python -m data city set 宜昌市（或 420500）", file=sys.stderr)
            return 2
        city, dropped = geo.set_city(store, args.name, user=operator())
        print(f"已设置城市：{city.province}{city.name}（{city.adcode}），共 {len(geo.counties(city))} 个区县边界。")
        if dropped:
            print(f"以下手工对应指向其他城市，已取消：{'、'.join(dropped)}")
        args.action = "show"
    elif args.action == "unset":
        geo.unset_city(store, user=operator())
        print("已取消城市设置：地图改为方块图（每个单位一个方块）。")
        return 0
    elif args.action in ("match", "no-boundary", "forget"):
        if not args.name or (args.action == "match" and not args.boundary):
            print(f"用法：python -m data city {'match 单位 区县名或代码' if args.action == 'match' else args.action + ' 单位'}",
                  file=sys.stderr)
            return 2
        if args.action == "match":
            b = geo.set_match(store, args.name, args.boundary, user=operator())
            print(f"已手工对应：“{args.name}” → {b.name}（{b.adcode}）")
        elif args.action == "no-boundary":
            geo.mark_no_boundary(store, args.name, user=operator())
            print(f"已标注“{args.name}”无边界：地图旁列出它的数值。")
        else:
            geo.forget(store, args.name, user=operator())
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
        print(f"{_pad(r.unit, width)}  {_pad(r.boundary or DASH, 18)}  {r.adcode or DASH:<6}  {r.how or '未对应'}"
              f"{'：' + r.reason if r.reason and r.how != geo.NO_BOUNDARY else ''}")
    unmatched = [r.unit for r in rows if not r.how]
    print(f"未对应 {len(unmatched)} 个{'：' + '、'.join(unmatched) if unmatched else ''}"
          f"（用 city match 单位 区县 手工对应，或 city no-boundary 单位 标注无边界）")
    if free:
        print(f"没有单位的区县 {len(free)} 个：{'、'.join(b.name for b in free)}")
    return 0


def add_city_command(sub, operator: Callable[[], str]) -> None:
    """Register `city` (the operator's login name signs each change)."""
    sp = sub.add_parser("city", help="地图的城市：set 设置（名称或代码）、show 查看单位与区县的对应、match 手工对应、"
                                     "no-boundary 标注无边界、forget 取消手工设置、unset 取消城市")
    sp.add_argument("action", choices=["set", "show", "match", "no-boundary", "forget", "unset"],
                    metavar="set|show|match|no-boundary|forget|unset")
    sp.add_argument("name", nargs="?", metavar="城市或单位", help="set：城市名称或代码；match/no-boundary/forget：单位")
    sp.add_argument("boundary", nargs="?", metavar="区县", help="match：区县名称或代码")
    sp.add_argument("--store", metavar="目录", help="数据库目录")
    sp.set_defaults(func=lambda args: cmd_city(args, operator))
