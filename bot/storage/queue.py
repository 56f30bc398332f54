"""Durable queues in the database, shared by the outbox and the inbox.

A row belongs to a channel and a *party* (the resident it is for or from). Rows of one party
are handed out strictly in id order, one at a time: a row is claimable only when no earlier row
of the same party is still open. Different parties are handed out side by side.

Claiming takes a short lease (``claimed_by``, ``claimed_until``) in its own transaction, so no
transaction stays open while a message is sent. On PostgreSQL the claim reads with
``SELECT ... FOR UPDATE SKIP LOCKED``: workers claiming at the same moment skip each other's
rows instead of waiting, and never claim the same row. On SQLite the claim runs under the
database's single write lock (``BEGIN IMMEDIATE``). A worker that dies leaves its lease to run
out; the row is then claimed again, so delivery is at least once, and a finished row is only
marked by the worker that holds its lease.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Connection,
    Constraint,
    DateTime,
    Index,
    Integer,
    String,
    Table,
    and_,
    exists,
    or_,
    select,
    update,
)

from bot.storage.tables import BigId, metadata

PENDING = "pending"


def queue_table(name: str, *extra: Column[Any] | Constraint) -> Table:
    """A queue table: the common columns plus ``extra``."""
    return Table(
        name, metadata,
        Column("id", BigId, primary_key=True, autoincrement=True),
        Column("channel", String(16), nullable=False),
        Column("party", String(64), nullable=False),
        Column("body", JSON, nullable=False),
        Column("status", String(16), nullable=False, default=PENDING),
        Column("attempts", Integer, nullable=False, default=0),
        Column("available_at", DateTime(timezone=True), nullable=True),  # NULL: at once
        Column("claimed_by", String(32), nullable=True),
        Column("claimed_until", DateTime(timezone=True), nullable=True),
        Column("last_error", String(200), nullable=True),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("finished_at", DateTime(timezone=True), nullable=True),
        *extra,
        Index(f"ix_{name}_channel_status", "channel", "status"),
        Index(f"ix_{name}_channel_party_id", "channel", "party", "id"),
    )


@dataclass(frozen=True)
class Claimed:
    id: int
    channel: str
    party: str
    body: dict[str, Any]
    attempts: int  # including this one
    row: dict[str, Any]  # every column, for the table's own extras


def claim(conn: Connection, table: Table, channel: str, worker: str, now: dt.datetime,
          lease: dt.timedelta, limit: int, open_statuses: tuple[str, ...]) -> list[Claimed]:
    """Lease up to ``limit`` claimable rows of ``channel``, at most one per party."""
    earlier = table.alias("earlier")
    blocked = exists().where(
        earlier.c.channel == table.c.channel, earlier.c.party == table.c.party,
        earlier.c.id < table.c.id, earlier.c.status.in_(open_statuses))
    query = (
        select(table)
        .where(table.c.channel == channel, table.c.status == PENDING,
               or_(table.c.available_at.is_(None), table.c.available_at <= now),
               or_(table.c.claimed_until.is_(None), table.c.claimed_until < now),
               ~blocked)
        .order_by(table.c.id)
        .limit(limit)
    )
    if conn.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True, of=table)
    rows = [dict(r._mapping) for r in conn.execute(query)]
    if not rows:
        return []
    ids = [r["id"] for r in rows]
    conn.execute(update(table).where(table.c.id.in_(ids)).values(
        claimed_by=worker, claimed_until=now + lease, attempts=table.c.attempts + 1))
    return [Claimed(id=r["id"], channel=r["channel"], party=r["party"], body=r["body"],
                    attempts=r["attempts"] + 1, row=r) for r in rows]


def owned(table: Table, row_id: int, worker: str) -> Any:
    """The condition for a worker to change a row: it still holds the lease."""
    return and_(table.c.id == row_id, table.c.claimed_by == worker,
                table.c.status == PENDING)


def finish(conn: Connection, table: Table, row_id: int, worker: str, status: str,
           now: dt.datetime, error: str | None = None,
           body: dict[str, Any] | None = None) -> bool:
    """Close a claimed row (done, sent, failed...), replacing its body when given. False when
    the lease was lost."""
    values: dict[str, Any] = {"status": status, "finished_at": now, "claimed_by": None,
                              "claimed_until": None, "last_error": error[:200] if error else None}
    if body is not None:
        values["body"] = body
    result = conn.execute(update(table).where(owned(table, row_id, worker)).values(**values))
    return bool(result.rowcount)


def retry_later(conn: Connection, table: Table, row_id: int, worker: str,
                at: dt.datetime | None, error: str, status: str = PENDING) -> bool:
    """Give a claimed row back, to be claimed again from ``at`` (or parked as ``status``)."""
    result = conn.execute(update(table).where(owned(table, row_id, worker)).values(
        status=status, available_at=at, claimed_by=None, claimed_until=None,
        last_error=error[:200]))
    return bool(result.rowcount)
