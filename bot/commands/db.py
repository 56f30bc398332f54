"""``python -m bot db upgrade|backup|restore``."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from bot.config import Settings


def _upgrade(args: argparse.Namespace) -> int:
    from bot.storage.migrate import upgrade

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    upgrade(Settings.from_env().database_url)
    return 0


def _backup(args: argparse.Namespace) -> int:
    from bot.storage.backup import BackupError, backup

    try:
        backup(Settings.from_env().database_url, args.file)
    except (BackupError, OSError) as error:
        print(f"backup failed: {error}", file=sys.stderr)
        return 1
    print(f"backup written to {args.file}")
    return 0


def _restore(args: argparse.Namespace) -> int:
    from bot.storage.backup import BackupError, restore

    try:
        restore(Settings.from_env().database_url, args.file)
    except (BackupError, OSError) as error:
        print(f"restore failed: {error}", file=sys.stderr)
        return 1
    print(f"restored from {args.file}")
    return 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    db = commands.add_parser("db", help="database schema, backups")
    sub = db.add_subparsers(dest="db_command", required=True)
    sub.add_parser("upgrade", help="apply Alembic migrations (upgrade head)").set_defaults(
        handler=_upgrade)
    backup = sub.add_parser("backup", help="write a consistent backup (bot may keep running)")
    backup.add_argument("file", type=Path)
    backup.set_defaults(handler=_backup)
    restore = sub.add_parser("restore", help="replace the database with a backup "
                             "(PostgreSQL: stop the bot first)")
    restore.add_argument("file", type=Path)
    restore.set_defaults(handler=_restore)
