"""Running a synchronous SQLAlchemy Core function in one transaction, on each backend's
fastest path.

On PostgreSQL the function runs through the async engine (asyncpg) with ``run_sync``. On SQLite,
whose writers queue for one lock anyway, it runs on a single writer thread with the synchronous
driver: one thread hop per transaction instead of one per statement through aiosqlite. Every
store built on one :class:`Transactions` shares that writer, so SQLite keeps one writer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from sqlalchemy import Connection, Engine
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage.database import create_sync_engine

T = TypeVar("T")


class Transactions:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name
        self._sync: Engine | None = None
        self._writer: ThreadPoolExecutor | None = None
        if self.dialect == "sqlite":
            self._sync = create_sync_engine(engine.url)
            self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite-writer")

    async def run(self, fn: Callable[[Connection], T]) -> T:
        """Run ``fn`` in one transaction; it commits when ``fn`` returns, rolls back if it
        raises."""
        if self._sync is not None and self._writer is not None:
            sync_engine = self._sync

            def in_thread() -> T:
                with sync_engine.begin() as conn:
                    return fn(conn)

            return await asyncio.get_running_loop().run_in_executor(self._writer, in_thread)
        async with self.engine.begin() as conn:
            return await conn.run_sync(fn)

    def close(self) -> None:
        if self._writer is not None:
            self._writer.shutdown(wait=True)
            self._writer = None
        if self._sync is not None:
            self._sync.dispose()
            self._sync = None
