"""``python -m bot teams …``: the registry's CSV import and export, and the one-time codes that
link a team's Telegram group (``/lienket <code>``) and its members (``start=join-<code>``)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

from bot.app import open_services
from bot.teams.registry import JOIN, LINK, Registry

T = TypeVar("T")
LEVELS = ("province", "commune", "village")


def _run(work: Callable[[Registry], Awaitable[T]]) -> T:
    """``work`` on the registry, on the configured database (migrated first)."""
    async def run() -> T:
        async with open_services() as services:
            return await work(await services.registry())

    return asyncio.run(run())


def _import(args: argparse.Namespace) -> int:
    path = Path(args.file)
    try:
        data = path.read_bytes()
    except OSError as error:
        print(f"{path}:1: cannot read the file: {error.strerror}", file=sys.stderr)
        return 1
    result = _run(lambda registry: registry.import_csv(str(path), data))
    if result.counts is None:
        for problem in result.problems:
            print(problem)
        print(f"{path}: nothing imported", file=sys.stderr)
        return 1
    levels = ", ".join(f"{result.levels[k]} {k}{'' if result.levels[k] == 1 else 's'}"
                       for k in LEVELS if result.levels.get(k))
    counts = result.counts
    print(f"{path}: {counts.new + counts.updated + counts.unchanged} units ({levels}): "
          f"{counts.new} new, {counts.updated} updated, {counts.unchanged} unchanged")
    return 0


def _export(args: argparse.Namespace) -> int:
    text = _run(lambda registry: registry.export_csv())
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def _code(kind: str) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        try:
            code = _run(lambda registry: registry.new_code(kind, args.unit_id))
        except LookupError:
            print(f"unknown unit: {args.unit_id} (see `python -m bot teams export`)",
                  file=sys.stderr)
            return 1
        print(code)
        hint = (f"in the team's Telegram group (the bot added to it): /lienket {code}"
                if kind == LINK else f"the member opens https://t.me/<bot>?start=join-{code}")
        print(f"one use, valid 7 days: {hint}", file=sys.stderr)
        return 0

    return run


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    teams = commands.add_parser("teams", help="community teams: registry and codes")
    sub = teams.add_subparsers(dest="teams_command", required=True)
    imports = sub.add_parser("import", help="import units and teams from a UTF-8 CSV file")
    imports.add_argument("file")
    imports.set_defaults(handler=_quiet(_import))
    exports = sub.add_parser("export", help="all units and teams as CSV")
    exports.add_argument("--output", "-o", default=None)
    exports.set_defaults(handler=_quiet(_export))
    for kind, name, text in ((LINK, "link-code", "a one-time code for /lienket in a group"),
                             (JOIN, "join-code", "a one-time code for a member to join")):
        parser = sub.add_parser(name, help=text)
        parser.add_argument("unit_id")
        parser.set_defaults(handler=_quiet(_code(kind)))


def _quiet(handler: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
        logging.getLogger("alembic").setLevel(logging.WARNING)
        return handler(args)

    return run
