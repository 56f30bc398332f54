"""``db backup FILE`` and ``db restore FILE``, with each database's own tools.

SQLite: the online backup API copies a consistent snapshot while the bot keeps serving, and
copies a backup back the same way. PostgreSQL: ``pg_dump --format=custom`` (consistent while
the bot serves) and ``pg_restore`` into an emptied schema, in one transaction. After a restore
the schema is migrated to this version's head, so a backup from an older version works.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from bot.storage.database import normalize_url
from bot.storage.migrate import upgrade


class BackupError(RuntimeError):
    """A backup or restore that did not happen; the message says why."""


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(url.database)


def _pg_env(url: URL) -> dict[str, str]:
    """libpq settings from the URL; the password goes in the environment, never in argv."""
    env = dict(os.environ)
    for key, value in (("PGHOST", url.host), ("PGPORT", url.port), ("PGUSER", url.username),
                       ("PGPASSWORD", url.password), ("PGDATABASE", url.database)):
        if value is not None:
            env[key] = str(value)
    return env


def _run(args: list[str], env: dict[str, str]) -> None:
    try:
        done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError as error:
        raise BackupError(f"{args[0]} not found: install the PostgreSQL client tools") from error
    if done.returncode != 0:
        raise BackupError(f"{args[0]} failed: {done.stderr.strip()[-1500:]}")


def backup(database_url: str, target: Path) -> None:
    url = make_url(normalize_url(database_url))
    target.parent.mkdir(parents=True, exist_ok=True)
    if url.get_backend_name() == "sqlite":
        source = _sqlite_path(url)
        if not source.exists():
            raise BackupError(f"{source} does not exist")
        partial = target.with_name(target.name + ".partial")
        with sqlite3.connect(source) as src, sqlite3.connect(partial) as dst:
            src.backup(dst)
        src.close()
        dst.close()
        partial.replace(target)
        return
    _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges",
          f"--file={target}"], _pg_env(url))


def _check_sqlite_backup(path: Path) -> None:
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            conn.execute("SELECT version_num FROM alembic_version").fetchone()
        conn.close()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is not a digiguide SQLite backup ({error})") from error


def restore(database_url: str, source: Path) -> None:
    """Replace the database's content with the backup's. Stop the bot first on PostgreSQL
    (the schema is dropped and recreated); SQLite is copied under its write lock."""
    if not source.is_file():
        raise BackupError(f"{source} does not exist")
    url = make_url(normalize_url(database_url))
    if url.get_backend_name() == "sqlite":
        _check_sqlite_backup(source)
        target = _sqlite_path(url)
        target.parent.mkdir(parents=True, exist_ok=True)
        with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
            src.backup(dst)
        src.close()
        dst.close()
    else:
        env = _pg_env(url)
        _run(["pg_restore", "--list", str(source)], env)  # a readable dump, before dropping
        _run(["psql", "--quiet", "--no-psqlrc", "-v", "ON_ERROR_STOP=1", "--single-transaction",
              "-c", "DROP SCHEMA public CASCADE", "-c", "CREATE SCHEMA public"], env)
        _run(["pg_restore", "--no-owner", "--no-privileges", "--single-transaction",
              "--exit-on-error", f"--dbname={url.database}", str(source)], env)
    upgrade(database_url)
