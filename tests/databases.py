"""Test databases made from templates: a SQLite file copy, a PostgreSQL ``CREATE DATABASE …
TEMPLATE``, one database per xdist worker so workers never share one."""

from __future__ import annotations

import asyncio
import re
import shutil
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
from sqlalchemy.engine import make_url

from bot.storage.database import normalize_url
from bot.storage.migrate import upgrade

T = TypeVar("T")
TEMPLATE_SUFFIX = "_template"


def in_thread(function: Callable[..., T], *args: Any) -> T:
    """Call ``function`` in another thread and wait: a synchronous fixture can then run
    something with an event loop of its own (Alembic, ``asyncio.run``) even while a test's
    loop runs in this thread."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(function, *args).result()


def blocking(coroutine: Coroutine[Any, Any, T]) -> T:
    return in_thread(asyncio.run, coroutine)


def copy_sqlite(template: Path, target: Path) -> None:
    """Copy a closed SQLite database (its WAL is checkpointed when the last connection
    closes; a leftover one is copied along)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template, target)
    for suffix in ("-wal", "-shm"):
        sidecar = template.with_name(template.name + suffix)
        if sidecar.exists():
            shutil.copyfile(sidecar, target.with_name(target.name + suffix))


def _dsn(url: str, database: str) -> str:
    """An asyncpg DSN for ``database`` on the server of ``url``."""
    parsed = make_url(normalize_url(url)).set(drivername="postgresql", database=database)
    return parsed.render_as_string(hide_password=False)


def _quoted(name: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9_]+", name):
        raise ValueError(f"unexpected database name {name!r}")
    return f'"{name}"'


class PostgresDatabases:
    """``<base>_<worker>`` for the tests and ``<base>_<worker>_template`` migrated once, on the
    server of ``TEST_DATABASE_URL``; created and dropped from the maintenance database
    ``postgres``, as ``createdb`` does."""

    def __init__(self, url: str, worker: str) -> None:
        base = make_url(normalize_url(url)).database or "postgres"
        self.name = f"{base}_{worker}"
        self.url = make_url(normalize_url(url)).set(database=self.name).render_as_string(
            hide_password=False)

    async def make_template(self) -> None:
        """Drop what a killed run left, then migrate a new template from empty."""
        template = self.name + TEMPLATE_SUFFIX
        await _admin(self.url, f"DROP DATABASE IF EXISTS {_quoted(self.name)} WITH (FORCE)",
                     f"DROP DATABASE IF EXISTS {_quoted(template)} WITH (FORCE)",
                     f"CREATE DATABASE {_quoted(template)} TEMPLATE template0")
        template_url = make_url(self.url).set(database=template).render_as_string(
            hide_password=False)
        await asyncio.to_thread(upgrade, template_url)

    async def fresh(self) -> None:
        """Recreate the test database as a copy of the template (which no one is connected
        to: it was migrated, then closed)."""
        await _admin(self.url, f"DROP DATABASE IF EXISTS {_quoted(self.name)} WITH (FORCE)",
                     f"CREATE DATABASE {_quoted(self.name)} "
                     f"TEMPLATE {_quoted(self.name + TEMPLATE_SUFFIX)}")

    async def drop(self) -> None:
        await _admin(self.url, f"DROP DATABASE IF EXISTS {_quoted(self.name)} WITH (FORCE)",
                     f"DROP DATABASE IF EXISTS {_quoted(self.name + TEMPLATE_SUFFIX)} "
                     "WITH (FORCE)")


async def _admin(url: str, *statements: str) -> None:
    """Run statements outside any database being created or dropped (in ``postgres``)."""
    connection = await asyncpg.connect(_dsn(url, "postgres"))
    try:
        for statement in statements:
            await connection.execute(statement)
    finally:
        await connection.close()
