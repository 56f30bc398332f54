"""The audit log: one row per change, written in the same transaction as the change.

Append-only: the migration adds triggers that refuse UPDATE and DELETE on both SQLite and
PostgreSQL, and this module offers no way to change a row. The table's owner can still drop
the trigger; so each row also carries ``row_hash``, the SHA-256 of the previous row's hash and
its own content (a hash chain). Rows are appended one at a time (PostgreSQL: a transaction
advisory lock; SQLite: ``BEGIN IMMEDIATE``), so the chain never forks. :func:`verify` walks
it: an altered, deleted or inserted row, or one dated before its predecessor, breaks it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import JSON as Json
from sqlalchemy import BigInteger, Column, Connection, DateTime, Index, String, Table, select, text
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
    Column("row_hash", String(64), nullable=True),  # None: written before the chain began
    Index("ix_audit_log_at", "at"),
)
GENESIS = "0" * 64  # the "previous hash" of the first chained row
CLOCK_SKEW = dt.timedelta(minutes=5)  # workers' clocks may differ a little
_LOCK = text("SELECT pg_advisory_xact_lock(727401)")  # any constant: the audit chain's lock
# SQLite drops the offset of a stored datetime: every moment is written and hashed in UTC.


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def row_hash(previous: str, values: dict[str, Any]) -> str:
    """The chain link of one row: its content and the hash of the row before it."""
    content = json.dumps([previous, _utc(values["at"]).isoformat(), values["actor_id"],
                          values["actor"], values["action"], values["target"],
                          values["details"]], ensure_ascii=False, sort_keys=True,
                         separators=(",", ":"), default=str)
    return hashlib.sha256(content.encode()).hexdigest()


def _values(entry: AuditEntry, now: dt.datetime, previous: str | None) -> dict[str, Any]:
    values: dict[str, Any] = {
        "at": _utc(entry.at or now), "actor_id": entry.actor_id, "actor": entry.actor[:64],
        "action": entry.action, "target": entry.target[:128], "details": entry.details}
    values["row_hash"] = row_hash(previous or GENESIS, values)
    return values


_LAST_HASH = select(audit_log.c.row_hash).order_by(audit_log.c.id.desc()).limit(1)


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
    """Write ``entry`` inside the caller's transaction, chained to the row before it."""
    if conn.dialect.name == "postgresql":
        await conn.execute(_LOCK)
    previous = (await conn.execute(_LAST_HASH)).scalar()
    await conn.execute(audit_log.insert().values(**_values(entry, now, previous)))


def append_sync(conn: Connection, entry: AuditEntry, now: dt.datetime) -> None:
    """:func:`append` for work composed in synchronous SQLAlchemy Core (the teams registry
    and inbox run on the shared transaction runner)."""
    if conn.dialect.name == "postgresql":
        conn.execute(_LOCK)
    previous = conn.execute(_LAST_HASH).scalar()
    conn.execute(audit_log.insert().values(**_values(entry, now, previous)))


@dataclass(frozen=True)
class Verified:
    """What :func:`verify` found: ``broken_at`` is the id of the first row that does not
    follow from the one before it (None: the chain holds)."""

    rows: int
    unchained: int  # rows written before the chain began (migration 0010)
    broken_at: int | None
    reason: str
    head: str  # the last row's hash: noted elsewhere, it also shows a rewritten tail

    @property
    def intact(self) -> bool:
        return self.broken_at is None

    def summary(self) -> str:
        older = f", {self.unchained} written before the chain began" if self.unchained else ""
        if self.intact:
            return f"audit chain intact: {self.rows} rows{older}; head {self.head}"
        return (f"audit chain BROKEN at row {self.broken_at}: {self.reason} "
                f"({self.rows} rows read)")


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

    async def verify(self) -> Verified:
        """Walk the whole chain, oldest first (streamed: a year of changes is small)."""
        async with self.engine.connect() as conn:
            result = await conn.stream(select(audit_log).order_by(audit_log.c.id))
            rows = unchained = 0
            previous: str | None = None
            last_at: dt.datetime | None = None
            async for row in result:
                rows += 1
                if row.row_hash is None:
                    if previous is not None:
                        return Verified(rows, unchained, row.id, "a row without a hash after "
                                        "the chain began", previous)
                    unchained += 1
                    continue
                values = {"at": row.at, "actor_id": row.actor_id, "actor": row.actor,
                          "action": row.action, "target": row.target,
                          "details": row.details or {}}
                if row_hash(previous or GENESIS, values) != row.row_hash:
                    return Verified(rows, unchained, row.id, "the row was changed, or a row "
                                    "before it was changed, removed or inserted",
                                    previous or GENESIS)
                at = _utc(row.at)
                if last_at is not None and at < last_at - CLOCK_SKEW:
                    return Verified(rows, unchained, row.id, "dated before the row before it",
                                    previous or GENESIS)
                previous, last_at = row.row_hash, max(at, last_at or at)
        return Verified(rows, unchained, None, "", previous or GENESIS)
