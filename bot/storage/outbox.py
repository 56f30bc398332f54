"""The outbox table: messages a service decided to send, kept until a channel's sender has
delivered them (see ``bot/outbox``). Rows are written in the same transaction as the decision
(a turn writes its replies through :func:`insert_messages`), so a crash never loses one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Column, Connection, DateTime, Integer, delete, func, select, update

from bot.storage import queue
from bot.storage.runner import Transactions

SENT, HELD, FAILED, EXPIRED, CANCELLED = "sent", "held", "failed", "expired", "cancelled"
OPEN = (queue.PENDING, HELD)

outbox = queue.queue_table(
    "outbox",
    Column("progress", Integer, nullable=False, default=0),  # parts already delivered
    Column("expires_at", DateTime(timezone=True), nullable=True),
)


@dataclass(frozen=True)
class NewMessage:
    """A message to queue: ``body`` is channel-neutral JSON the channel's sender renders."""

    channel: str
    recipient: str
    body: dict[str, Any]
    expires_at: dt.datetime | None = None
    available_at: dt.datetime | None = None


@dataclass(frozen=True)
class OutboxMessage:
    id: int
    channel: str
    recipient: str
    body: dict[str, Any]
    attempts: int
    progress: int
    expires_at: dt.datetime | None
    created_at: dt.datetime
    extra: dict[str, Any] = field(default_factory=dict)


def _aware(moment: dt.datetime | None) -> dt.datetime | None:
    """SQLite hands back naive datetimes; everything here is UTC."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment


def insert_messages(conn: Connection, messages: Sequence[NewMessage], now: dt.datetime) -> None:
    conn.execute(outbox.insert(), [
        {"channel": m.channel, "party": m.recipient[:64], "body": m.body,
         "status": queue.PENDING, "attempts": 0, "progress": 0, "available_at": m.available_at,
         "expires_at": m.expires_at, "created_at": now}
        for m in messages
    ])


class OutboxStore:
    def __init__(self, transactions: Transactions) -> None:
        self.transactions = transactions

    async def enqueue(self, messages: Sequence[NewMessage], now: dt.datetime) -> None:
        await self.transactions.run(lambda conn: insert_messages(conn, messages, now))

    async def claim(self, channel: str, worker: str, now: dt.datetime, lease: dt.timedelta,
                    limit: int) -> list[OutboxMessage]:
        def run(conn: Connection) -> list[queue.Claimed]:
            return queue.claim(conn, outbox, channel, worker, now, lease, limit, OPEN)

        return [OutboxMessage(id=c.id, channel=c.channel, recipient=c.party, body=c.body,
                              attempts=c.attempts, progress=c.row["progress"],
                              expires_at=_aware(c.row["expires_at"]),
                              created_at=_aware(c.row["created_at"]) or now)
                for c in await self.transactions.run(run)]

    async def set_progress(self, message_id: int, worker: str, progress: int) -> bool:
        def run(conn: Connection) -> bool:
            return bool(conn.execute(update(outbox).where(
                queue.owned(outbox, message_id, worker)).values(progress=progress)).rowcount)

        return await self.transactions.run(run)

    async def finish(self, message_id: int, worker: str, status: str, now: dt.datetime,
                     error: str | None = None) -> bool:
        return await self.transactions.run(
            lambda conn: queue.finish(conn, outbox, message_id, worker, status, now, error))

    async def retry(self, message_id: int, worker: str, at: dt.datetime, error: str) -> bool:
        return await self.transactions.run(
            lambda conn: queue.retry_later(conn, outbox, message_id, worker, at, error))

    async def hold(self, message_id: int, worker: str, error: str) -> bool:
        """Park a message until :meth:`release` (e.g. a quota waits for the resident)."""
        return await self.transactions.run(
            lambda conn: queue.retry_later(conn, outbox, message_id, worker, None, error,
                                           status=HELD))

    async def release(self, channel: str, recipient: str) -> int:
        """Held messages of one recipient become sendable again, at once."""
        def run(conn: Connection) -> int:
            return conn.execute(update(outbox).where(
                outbox.c.channel == channel, outbox.c.party == recipient,
                outbox.c.status == HELD).values(status=queue.PENDING, available_at=None)).rowcount

        return await self.transactions.run(run)

    async def cancel(self, channel: str, recipient: str, now: dt.datetime, reason: str) -> int:
        """Stop every open message of one recipient (blocked, unfollowed): no more retries
        for them, none lost for anyone else."""
        def run(conn: Connection) -> int:
            return conn.execute(update(outbox).where(
                outbox.c.channel == channel, outbox.c.party == recipient,
                outbox.c.status.in_(OPEN)).values(
                status=CANCELLED, finished_at=now, claimed_by=None, claimed_until=None,
                last_error=reason[:200])).rowcount

        return await self.transactions.run(run)

    async def prune(self, before: dt.datetime) -> int:
        """Forget messages delivered, expired or cancelled before ``before``; failed ones stay
        for someone to look at."""
        def run(conn: Connection) -> int:
            return conn.execute(delete(outbox).where(
                outbox.c.status.in_((SENT, EXPIRED, CANCELLED)),
                outbox.c.finished_at < before)).rowcount

        return await self.transactions.run(run)

    async def counts(self, channel: str) -> dict[str, int]:
        def run(conn: Connection) -> dict[str, int]:
            rows = conn.execute(select(outbox.c.status, func.count()).where(
                outbox.c.channel == channel).group_by(outbox.c.status))
            return {status: count for status, count in rows}

        return await self.transactions.run(run)

    async def messages(self, channel: str, recipient: str | None = None
                       ) -> list[dict[str, Any]]:
        """Every row of a channel (or one recipient), oldest first: for tests and admins."""
        def run(conn: Connection) -> list[dict[str, Any]]:
            query = select(outbox).where(outbox.c.channel == channel).order_by(outbox.c.id)
            if recipient is not None:
                query = query.where(outbox.c.party == recipient)
            return [dict(r._mapping) for r in conn.execute(query)]

        return await self.transactions.run(run)
