"""The audit log: one row per change, written in the same transaction as the change.

Append-only: the migration adds triggers that refuse UPDATE and DELETE on both SQLite and
PostgreSQL, and this module offers no way to change a row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import JSON as Json
from sqlalchemy import BigInteger, Column, Connection, DateTime, Index, String, Table, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.storage.tables import BigId, metadata

audit_log = Table(
    "audit_log", metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor_id", BigInteger, nullable=True),  # None: the system (start-up import, CLI)
    Column("actor", String(64), nullable=False),
    Column("action", String(32), nullable=False),
    Column("target", String(128), nullable=False, default=""),
    Column("details", Json, nullable=False, default=dict),
    Index("ix_audit_log_at", "at"),
)


@dataclass(frozen=True)
class AuditEntry:
    """Who did what to which thing. ``details`` never holds a password or a token."""

    actor_id: int | None
    actor: str
    action: str
    target: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    at: dt.datetime | None = None


async def append(conn: AsyncConnection, entry: AuditEntry, now: dt.datetime) -> None:
    """Write ``entry`` inside the caller's transaction."""
    await conn.execute(audit_log.insert().values(
        at=entry.at or now, actor_id=entry.actor_id, actor=entry.actor[:64],
        action=entry.action, target=entry.target[:128], details=entry.details))


def append_sync(conn: Connection, entry: AuditEntry, now: dt.datetime) -> None:
    """:func:`append` for work composed in synchronous SQLAlchemy Core (the teams registry
    and inbox run on the shared transaction runner)."""
    conn.execute(audit_log.insert().values(
        at=entry.at or now, actor_id=entry.actor_id, actor=entry.actor[:64],
        action=entry.action, target=entry.target[:128], details=entry.details))


class AuditStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def append(self, entry: AuditEntry, now: dt.datetime) -> None:
        async with self.engine.begin() as conn:
            await append(conn, entry, now)

    async def entries(self, *, limit: int = 100, before_id: int | None = None,
                      action: str | None = None, target: str | None = None
                      ) -> list[tuple[int, AuditEntry]]:
        """Newest first; page with ``before_id``."""
        query = select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
        if before_id is not None:
            query = query.where(audit_log.c.id < before_id)
        if action:
            query = query.where(audit_log.c.action == action)
        if target:
            query = query.where(audit_log.c.target == target)
        async with self.engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return [(row.id, AuditEntry(actor_id=row.actor_id, actor=row.actor, action=row.action,
                                    target=row.target, details=row.details or {}, at=row.at))
                for row in rows]
