"""``python -m bot flows export DIR`` and ``flows import DIR``: the database's guides as files.

They join the ``flows`` command of :mod:`bot.flowspec.cli` (validate, list, schema) and call
the same services as the console and the start-up import.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import sys
from collections.abc import AsyncIterator
from pathlib import Path

from bot.admin.context import ConsoleServices
from bot.app import build_console, build_registry, import_seeds
from bot.clock import SystemClock
from bot.config import Settings
from bot.storage.database import Database
from bot.storage.migrate import upgrade_async
from bot.storage.runner import Transactions


@contextlib.asynccontextmanager
async def _console() -> AsyncIterator[ConsoleServices]:
    """The console's services on the configured database, migrated and with ``flows/``
    imported first, exactly as the server starts."""
    settings = Settings.from_env()
    await upgrade_async(settings.database_url)
    database = Database(settings.database_url)
    transactions = Transactions(database.engine)
    try:
        registry = build_registry(settings, transactions, SystemClock())
        await registry.load()
        console = build_console(settings, database, registry)
        await import_seeds(settings, console)
        yield console
    finally:
        transactions.close()
        await database.dispose()


async def _export(target: Path) -> int:
    async with _console() as console:
        flows = await console.flows.export_dir(target)
        communes = await console.communes.export_dir(target / "communes")
    print(f"exported {len(flows)} guide(s) and {len(communes)} commune(s) to {target}")
    return 0


async def _import(source: Path) -> int:
    async with _console() as console:
        stored, problems = await console.flows.import_dir(source)
        communes = await console.communes.import_dir(source / "communes")
    for problem in problems:
        print(problem, file=sys.stderr)
    for version in stored:
        state = "published" if version.published else "draft (not served)"
        print(f"{version.flow_id}: version {version.version}, {state}")
    print(f"{len(stored)} guide(s) and {len(communes)} commune(s) changed")
    return 1 if problems else 0


def _export_handler(args: argparse.Namespace) -> int:
    return asyncio.run(_export(args.directory))


def _import_handler(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    return asyncio.run(_import(args.directory))


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    flows = commands.choices["flows"]
    sub = next(action for action in flows._actions
               if isinstance(action, argparse._SubParsersAction))
    export = sub.add_parser("export", help="write every published guide (and the communes) "
                                           "as YAML in the format of flows/")
    export.add_argument("directory", type=Path)
    export.set_defaults(handler=_export_handler)
    load = sub.add_parser("import", help="import guide files as at start-up (changed files "
                                         "become new versions; broken ones are never served)")
    load.add_argument("directory", type=Path)
    load.set_defaults(handler=_import_handler)
