"""Command line: each feature registers its own sub-commands, so this file stays a table."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from bot import bench, serve
from bot.accounts import cli as accounts_cli
from bot.bench import reports as bench_reports
from bot.channels.zalo import connect as zalo_connect
from bot.flows import cli as flow_store_cli
from bot.flowspec import cli as flows_cli
from bot.intents import cli as intents_cli
from bot.residents import cli as residents_cli
from bot.sharing import cli as sharing_cli
from bot.storage import cli as db_cli
from bot.teams import cli as teams_cli

Registrar = Callable[["argparse._SubParsersAction[argparse.ArgumentParser]"], None]

REGISTRARS: list[Registrar] = [flows_cli.register, serve.register, db_cli.register,
                               bench.register, intents_cli.register, sharing_cli.register,
                               zalo_connect.register, accounts_cli.register,
                               accounts_cli.register_audit,
                               residents_cli.register, teams_cli.register,
                               flow_store_cli.register,  # after flows_cli: it adds to `flows`
                               bench_reports.register]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="digiguide")
    commands = parser.add_subparsers(dest="command", required=True)
    for register in REGISTRARS:
        register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.handler(args)
    except KeyboardInterrupt:
        return 130
    sys.stdout.flush()
    return code
