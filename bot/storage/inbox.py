"""The inbox table: platform events stored before they are acknowledged, processed after.

A webhook stores the event and answers at once; a worker processes it later (see
``bot/outbox/inbox.py``). An event the platform delivers again has the same key and is stored
once."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, Connection, String, UniqueConstraint, delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from bot.storage import queue
from bot.storage.runner import Transactions

DONE, FAILED = "done", "failed"

inbox = queue.queue_table(
    "inbox",
    Column("event_key", String(96), nullable=False),
    UniqueConstraint("channel", "event_key"),
)


@dataclass(frozen=True)
class InboxEvent:
    id: int
    channel: str
    sender: str
    key: str
    body: dict[str, Any]
    attempts: int


class InboxStore:
    def __init__(self, transactions: Transactions) -> None:
        self.transactions = transactions

    async def accept(self, channel: str, key: str, sender: str, body: dict[str, Any],
                     now: dt.datetime) -> bool:
        """Store an event durably; False when an event with this key was stored before."""
        def run(conn: Connection) -> bool:
            insert = sqlite_insert if conn.dialect.name == "sqlite" else pg_insert
            stmt = insert(inbox).values(
                channel=channel, party=sender[:64], event_key=key[:96], body=body,
                status=queue.PENDING, attempts=0, created_at=now)
            return bool(conn.execute(stmt.on_conflict_do_nothing()).rowcount)

        return await self.transactions.run(run)

    async def claim(self, channel: str, worker: str, now: dt.datetime, lease: dt.timedelta,
                    limit: int) -> list[InboxEvent]:
        def run(conn: Connection) -> list[queue.Claimed]:
            return queue.claim(conn, inbox, channel, worker, now, lease, limit,
                               (queue.PENDING,))

        return [InboxEvent(id=c.id, channel=c.channel, sender=c.party,
                           key=c.row["event_key"], body=c.body, attempts=c.attempts)
                for c in await self.transactions.run(run)]

    async def finish(self, event_id: int, worker: str, status: str, now: dt.datetime,
                     error: str | None = None, body: dict[str, Any] | None = None) -> bool:
        """Close an event; ``body`` replaces the stored one (the masked copy)."""
        return await self.transactions.run(
            lambda conn: queue.finish(conn, inbox, event_id, worker, status, now, error, body))

    async def retry(self, event_id: int, worker: str, at: dt.datetime, error: str) -> bool:
        return await self.transactions.run(
            lambda conn: queue.retry_later(conn, inbox, event_id, worker, at, error))

    async def statuses(self, channel: str) -> dict[str, str]:
        """Each stored event's key and status (tests, admins)."""
        def run(conn: Connection) -> dict[str, str]:
            rows = conn.execute(select(inbox.c.event_key, inbox.c.status).where(
                inbox.c.channel == channel))
            return {key: status for key, status in rows}

        return await self.transactions.run(run)

    async def prune(self, before: dt.datetime) -> int:
        """Forget processed events older than any platform redelivers them."""
        def run(conn: Connection) -> int:
            return conn.execute(delete(inbox).where(
                inbox.c.status == DONE, inbox.c.finished_at < before)).rowcount

        return await self.transactions.run(run)
