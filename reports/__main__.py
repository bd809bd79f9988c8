"""Command line for reports: python -m reports push …"""
from __future__ import annotations

import argparse
import sys

from reports.push import cli as push_cli


def main(argv: list[str] | None = None) -> int:
    """Dispatch to the report named first; returns the exit code."""
    parser = argparse.ArgumentParser(prog="python -m reports", description="报告：简报图片、推送到钉钉/企业微信群")
    sub = parser.add_subparsers(dest="report", required=True)
    push_cli.add_cli(sub)  # a later report adds its own parser here, one line
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
