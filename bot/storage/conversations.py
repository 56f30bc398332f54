"""Residents' state and the event log, written one turn per transaction.

A turn locks the resident's row (``SELECT ... FOR UPDATE`` on PostgreSQL; on SQLite the
database-wide write lock of ``BEGIN IMMEDIATE``, taken in-process through one asyncio lock so
coroutines queue instead of polling), runs the caller's pure ``decide`` function on the state it
read, and writes the new state and events before the lock is released. Two requests for the
same resident therefore run one after the other, each on the other's result.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager, nullcontext
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.storage.tables import events, handoffs, residents, seen_messages, unanswered, utcnow

T = TypeVar("T")


@dataclass(frozen=True)
class StoredResident:
    id: int
    state: dict[str, Any]
    process_id: str | None
    updated_at: dt.datetime | None
    commune: str | None
    is_new: bool


@dataclass
class TurnWrite:
    """What one turn changes. Texts in here must already be masked."""

    state: dict[str, Any]
    events: list[dict[str, Any]] = field(default_factory=list)
    unanswered: list[dict[str, Any]] = field(default_factory=list)
    handoffs: list[dict[str, Any]] = field(default_factory=list)


class ConversationStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._sqlite = engine.dialect.name == "sqlite"
        self._insert = sqlite_insert if self._sqlite else pg_insert
        self._write_lock = asyncio.Lock()

    def _serialized(self) -> AbstractAsyncContextManager[Any]:
        return self._write_lock if self._sqlite else nullcontext()

    async def peek_state(self, channel: str, external_id: str) -> dict[str, Any] | None:
        """The saved state without locking: enough to decide whether to ask the NLU."""
        async with self.engine.connect() as conn:
            row = await conn.execute(
                select(residents.c.state).where(residents.c.channel == channel,
                                                residents.c.external_id == external_id))
            state = row.scalar_one_or_none()
            await conn.rollback()
        return state

    async def run_turn(
        self,
        channel: str,
        external_id: str,
        decide: Callable[[StoredResident], Awaitable[tuple[T, TurnWrite]]],
        *,
        process_id: str,
        dedup_key: str | None = None,
    ) -> T | None:
        """Run ``decide`` on the locked resident and store what it returns.

        Returns None, writing nothing, when ``dedup_key`` was seen before."""
        async with self._serialized(), self.engine.begin() as conn:
            if dedup_key is not None and not await self._first_sighting(conn, channel, dedup_key):
                return None
            resident = await self._lock_resident(conn, channel, external_id)
            result, write = await decide(resident)
            await self._write(conn, resident.id, write, process_id)
            return result

    async def _first_sighting(self, conn: AsyncConnection, channel: str, key: str) -> bool:
        stmt = self._insert(seen_messages).values(channel=channel, message_key=key[:64],
                                                  created_at=utcnow())
        result = await conn.execute(stmt.on_conflict_do_nothing())
        return bool(result.rowcount)

    async def _lock_resident(self, conn: AsyncConnection, channel: str,
                             external_id: str) -> StoredResident:
        query = (select(residents.c.id, residents.c.state, residents.c.process_id,
                        residents.c.updated_at, residents.c.commune)
                 .where(residents.c.channel == channel, residents.c.external_id == external_id)
                 .with_for_update())
        row = (await conn.execute(query)).first()
        is_new = row is None
        if row is None:
            now = utcnow()
            await conn.execute(self._insert(residents).values(
                channel=channel, external_id=external_id, state={}, version=0,
                active=True, created_at=now, updated_at=now).on_conflict_do_nothing())
            row = (await conn.execute(query)).one()
        return StoredResident(id=row.id, state=row.state or {}, process_id=row.process_id,
                              updated_at=None if is_new else row.updated_at,
                              commune=row.commune, is_new=is_new)

    async def _write(self, conn: AsyncConnection, resident_id: int, write: TurnWrite,
                     process_id: str) -> None:
        now = utcnow()
        await conn.execute(
            update(residents).where(residents.c.id == resident_id).values(
                state=write.state, version=residents.c.version + 1, process_id=process_id,
                updated_at=now, active=True))
        for table, rows in ((events, write.events), (unanswered, write.unanswered),
                            (handoffs, write.handoffs)):
            if rows:
                await conn.execute(table.insert(),
                                   [{**row, "resident_id": resident_id, "created_at": now}
                                    for row in rows])

    async def set_active(self, channel: str, external_id: str, active: bool) -> None:
        """Mark a resident who blocked the bot (or came back)."""
        async with self._serialized(), self.engine.begin() as conn:
            await conn.execute(update(residents).where(
                residents.c.channel == channel, residents.c.external_id == external_id,
            ).values(active=active))

    async def event_counts(self) -> dict[str, int]:
        async with self.engine.connect() as conn:
            rows = await conn.execute(select(events.c.kind, func.count()).group_by(events.c.kind))
            return {kind: count for kind, count in rows}
