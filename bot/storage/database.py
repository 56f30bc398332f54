"""Creating the async engine with the settings each backend needs."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event, text
from sqlalchemy import create_engine as create_sync_engine_
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

log = logging.getLogger(__name__)
# aiosqlite logs every statement with its parameters at DEBUG (stored tokens among them):
# never let those lines out, whatever level the application logs at.
logging.getLogger("aiosqlite").setLevel(logging.INFO)


def normalize_url(url: str) -> str:
    """Accept the URLs people paste (``postgres://``, ``postgresql://``, ``sqlite:///``) and
    pick the async driver."""
    for prefix, driver in (("postgres://", "postgresql+asyncpg://"),
                           ("postgresql://", "postgresql+asyncpg://"),
                           ("sqlite://", "sqlite+aiosqlite://")):
        if url.startswith(prefix):
            return driver + url[len(prefix):]
    return url


def is_sqlite(url: str) -> bool:
    return make_url(normalize_url(url)).get_backend_name() == "sqlite"


def _setup_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take over transaction control from pysqlite, so BEGIN IMMEDIATE below is ours.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        # WAL + NORMAL: a commit survives a crash of the process (not of the machine's
        # power), and readers never block the writer.
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON",
                       "busy_timeout=10000"):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Take the write lock up front: two processes never interleave one resident's turn.
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def create_engine(url: str) -> AsyncEngine:
    url = normalize_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, pool_size=4, max_overflow=0)
        _setup_sqlite(engine.sync_engine)
        return engine
    return create_async_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)


def create_sync_engine(url: URL) -> Engine:
    """A synchronous engine on the same SQLite file (pysqlite), for the writer thread."""
    engine = create_sync_engine_(url.set(drivername="sqlite"), pool_size=1, max_overflow=0)
    _setup_sqlite(engine)
    return engine


class Database:
    """The async engine plus what the rest of the bot asks of a database, so that only this
    package imports SQLAlchemy."""

    def __init__(self, url: str) -> None:
        self.engine = create_engine(url)

    async def ping(self) -> bool:
        try:
            async with self.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        except Exception as exc:  # a health check reports, it never raises
            log.warning("database health check failed: %s", exc)
            return False
        return True

    async def dispose(self) -> None:
        await self.engine.dispose()
