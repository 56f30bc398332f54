"""``python -m bench bench|bench-reports …`` (from the repository's root): the benchmarks.

They live outside the application, which never imports them; ``python -m bot bench`` and
``python -m bot bench-reports`` forward here (see :mod:`bot.commands.bench`). Each prints
JSON with the machine's load and the date.
"""

from __future__ import annotations

import argparse
import sys

import bench
from bench import reports


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench", description="digiguide benchmarks")
    commands = parser.add_subparsers(dest="command", required=True)
    for register in (bench.register, reports.register):
        register(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    code: int = args.handler(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
