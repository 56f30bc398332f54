"""``python -m bot``: every sub-command, one module per group in this package, each opening
the services it needs through :func:`bot.app.open_services`; this file stays a table."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from bot.commands import (
    accounts,
    bench,
    db,
    flows,
    followups,
    nlu,
    residents,
    serve,
    sharing,
    teams,
    zalo_connect,
)

BENCHMARKS_FORWARDED = set(bench.BENCHMARKS)  # run by ``python -m bench`` with the same words
Registrar = Callable[["argparse._SubParsersAction[argparse.ArgumentParser]"], None]

REGISTRARS: list[Registrar] = [flows.register, serve.register, db.register, bench.register,
                               nlu.register, sharing.register, zalo_connect.register,
                               accounts.register, accounts.register_audit, residents.register,
                               teams.register,
                               followups.register]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="digiguide")
    commands = parser.add_subparsers(dest="command", required=True)
    for register in REGISTRARS:
        register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args, forwarded = parser.parse_known_args(argv)
    if forwarded and not getattr(args, "forwards", False):
        parser.error(f"unrecognized arguments: {' '.join(forwarded)}")
    args.forwarded = forwarded
    try:
        code: int = args.handler(args)
    except KeyboardInterrupt:
        return 130
    sys.stdout.flush()
    return code
