"""argparse with its usage errors in Chinese (缺少参数, 无效的命令 …): every command line's parser (data, reports)."""
from __future__ import annotations

import argparse
import sys

_ARGPARSE_ZH = (
    ("the following arguments are required", "缺少参数"), ("unrecognized arguments", "无法识别的参数"),
    ("invalid choice", "无效的命令"), ("choose from", "可选"), ("expected one argument", "需要一个值"),
)


class ChineseParser(argparse.ArgumentParser):
    """argparse with its usage errors said in Chinese."""

    def error(self, message: str):
        for en, zh in _ARGPARSE_ZH:
            message = message.replace(en, zh)
        self.print_usage(sys.stderr)
        self.exit(2, f"参数错误：{message}\n用 -h 查看帮助。\n")
