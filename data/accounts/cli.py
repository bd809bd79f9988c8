"""`python -m data user add|list|remove|passwd` (named accounts) and `python -m data hash-password` (the shared
analyst password's hash), registered on data's command line; and the login name a command records as its user."""
from __future__ import annotations

import argparse
import getpass
import sys

from data.accounts import users
from data.accounts.passwords import ITERATIONS, MIN_PASSWORD_LENGTH, hash_password
from data.accounts.roles import ACCOUNT_ROLES, ROLE_ZH, role_zh
from data.store import Store
from data.text import DASH


def login_name() -> str:
    """Who runs this command, for the audit log ('' where the system has no login name, as in some containers)."""
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name: the audit log then records none
        return ""


def cmd_user(args) -> int:
    """Manage named sign-in accounts: add, list, remove, passwd."""
    store = Store(args.store)
    if args.action == "list":
        accs = users.accounts(store)
        if not accs:
            print("还没有用户：用 python -m data user add 用户名 --role analyst|reporter [--unit 单位] 添加。")
        for a in accs:
            print(f"{a.name:<16} {role_zh(a.role):<4} {a.unit or DASH:<12} 创建于 {a.created}")
        return 0
    if not args.name:
        print("请给出用户名。", file=sys.stderr)
        return 2
    if args.action == "remove":
        users.remove(store, args.name, by=login_name())
        print(f"已删除用户“{args.name}”。")
        return 0
    password = _read_password_twice()
    if password is None:
        return 1
    if args.action == "add":
        acc = users.add(store, args.name, args.role or "", password, unit=args.unit or "", by=login_name())
        where = f"，报送单位：{acc.unit}" if acc.unit else ""
        print(f"已添加用户“{acc.name}”（{role_zh(acc.role)}{where}）。")
    else:
        users.set_password(store, args.name, password, by=login_name())
        print(f"已更新“{args.name}”的口令。")
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


def add_account_commands(sub) -> None:
    """Register `user` and `hash-password` on the command line's subparsers."""
    sp = sub.add_parser("user", help="管理登录账号：add 添加、list 列出、remove 删除、passwd 改口令（口令从终端或标准输入读两次）")
    sp.add_argument("action", choices=["add", "list", "remove", "passwd"], metavar="add|list|remove|passwd")
    sp.add_argument("name", nargs="?", metavar="用户名")
    sp.add_argument("--role", choices=ACCOUNT_ROLES, help="，".join(f"{r} {ROLE_ZH[r]}" for r in ACCOUNT_ROLES))
    sp.add_argument("--unit", metavar="单位", help="填报员的报送单位（如 石门县）")
    sp.add_argument("--store", metavar="目录", help="数据库目录")
    sp.set_defaults(func=cmd_user)

    sp = sub.add_parser("hash-password", help="生成分析员口令的哈希（写入 secrets.toml 的 [analyst] 段）")
    sp.add_argument("--iterations", type=int, metavar="N", help=argparse.SUPPRESS)
    sp.set_defaults(func=cmd_hash_password)
