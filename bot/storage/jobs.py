"""Coordination tables for work that must happen once across workers (and machines).

Three shapes, all plain compare-and-set statements that SQLite and PostgreSQL both run, with
the time passed in by the caller (an injected clock) rather than read from the database:

- ``leases``: one holder at a time for continuous work (the Telegram poller). A holder renews
  before ``expires_at``; anyone may take an expired lease. ``token`` grows by one on every
  change of holder (a fencing token).
- ``periodic_jobs``: named jobs due every so often (retention, escalation scans). Claiming a run
  moves ``next_run_at`` forward in the same statement, so one worker runs each due time;
  ``running_until`` keeps a slow run from overlapping the next, and a crashed run is retried
  once it expires. ``cursor`` is the job's own bookmark (e.g. how far it got).
- ``once_runs``: things that must happen once ever, keyed (the summary of week 2026-W48): a
  claim is a lease on the key until ``done_at`` is set.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    DateTime,
    Integer,
    String,
    Table,
    and_,
    case,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from bot.storage.runner import Transactions
from bot.storage.tables import metadata

leases = Table(
    "leases", metadata,
    Column("name", String(64), primary_key=True),
    Column("holder", String(96), nullable=False),
    Column("token", BigInteger, nullable=False),
    Column("acquired_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)

periodic_jobs = Table(
    "periodic_jobs", metadata,
    Column("name", String(64), primary_key=True),
    Column("next_run_at", DateTime(timezone=True), nullable=False),
    Column("holder", String(96), nullable=True),
    Column("running_until", DateTime(timezone=True), nullable=True),
    Column("last_started_at", DateTime(timezone=True), nullable=True),
    Column("last_finished_at", DateTime(timezone=True), nullable=True),
    Column("last_status", String(16), nullable=True),
    Column("last_error", String(500), nullable=True),
    Column("runs", Integer, nullable=False, default=0),
    Column("cursor", String(200), nullable=True),
)

once_runs = Table(
    "once_runs", metadata,
    Column("name", String(64), primary_key=True),
    Column("key", String(128), primary_key=True),
    Column("holder", String(96), nullable=False),
    Column("lease_until", DateTime(timezone=True), nullable=False),
    Column("done_at", DateTime(timezone=True), nullable=True),
)


def _insert(conn: Connection, table: Table) -> Any:
    return (sqlite_insert if conn.dialect.name == "sqlite" else pg_insert)(table)


@dataclass(frozen=True)
class JobClaim:
    """A claimed run of a periodic job: run it, then report with :meth:`JobStore.finish`."""

    name: str
    cursor: str | None
    runs: int


class JobStore:
    def __init__(self, transactions: Transactions) -> None:
        self.transactions = transactions

    # ----------------------------------------------------------------- leases
    async def acquire(self, name: str, holder: str, now: dt.datetime, ttl: dt.timedelta
                      ) -> int | None:
        """Take or renew lease ``name``; its fencing token when ``holder`` holds it now, else
        None (someone else holds an unexpired lease)."""
        def run(conn: Connection) -> int | None:
            stmt = _insert(conn, leases).values(name=name, holder=holder, token=1,
                                                acquired_at=now, expires_at=now + ttl)
            mine = leases.c.holder == holder
            stmt = stmt.on_conflict_do_update(
                index_elements=[leases.c.name],
                set_={"holder": holder, "expires_at": now + ttl,
                      "token": case((mine, leases.c.token), else_=leases.c.token + 1),
                      "acquired_at": case((mine, leases.c.acquired_at), else_=now)},
                where=or_(mine, leases.c.expires_at <= now),
            ).returning(leases.c.token)
            token = conn.execute(stmt).scalar_one_or_none()
            return None if token is None else int(token)

        return await self.transactions.run(run)

    async def release(self, name: str, holder: str, now: dt.datetime) -> None:
        """Give the lease up at once (a clean shutdown), so another worker need not wait."""
        def run(conn: Connection) -> None:
            conn.execute(update(leases).where(leases.c.name == name, leases.c.holder == holder)
                         .values(expires_at=now))

        await self.transactions.run(run)

    async def holder(self, name: str, now: dt.datetime) -> str | None:
        def run(conn: Connection) -> Any:
            return conn.execute(select(leases.c.holder, leases.c.expires_at)
                                .where(leases.c.name == name)).first()

        row = await self.transactions.run(run)
        if row is None or _aware(row.expires_at) <= now:
            return None
        return str(row.holder)

    # ----------------------------------------------------------------- periodic jobs
    async def claim(self, name: str, holder: str, now: dt.datetime, every: dt.timedelta,
                    run_for: dt.timedelta, first_run: dt.datetime | None = None
                    ) -> JobClaim | None:
        """Claim the due run of job ``name``, or None when it is not due or already running."""
        def run(conn: Connection) -> JobClaim | None:
            conn.execute(_insert(conn, periodic_jobs).values(
                name=name, next_run_at=first_run or now, runs=0).on_conflict_do_nothing())
            stmt = (update(periodic_jobs)
                    .where(periodic_jobs.c.name == name, periodic_jobs.c.next_run_at <= now,
                           or_(periodic_jobs.c.running_until.is_(None),
                               periodic_jobs.c.running_until <= now))
                    .values(next_run_at=now + every, holder=holder, running_until=now + run_for,
                            last_started_at=now, runs=periodic_jobs.c.runs + 1)
                    .returning(periodic_jobs.c.cursor, periodic_jobs.c.runs))
            row = conn.execute(stmt).first()
            return None if row is None else JobClaim(name, row.cursor, int(row.runs))

        return await self.transactions.run(run)

    async def finish(self, name: str, holder: str, now: dt.datetime, *, status: str,
                     error: str | None = None, cursor: str | None = None) -> None:
        values: dict[str, object] = {"running_until": None, "last_finished_at": now,
                                     "last_status": status,
                                     "last_error": error[:500] if error else None}
        if cursor is not None:
            values["cursor"] = cursor

        def run(conn: Connection) -> None:
            conn.execute(update(periodic_jobs).where(periodic_jobs.c.name == name,
                                                     periodic_jobs.c.holder == holder)
                         .values(**values))

        await self.transactions.run(run)

    async def job_runs(self, name: str) -> int:
        def run(conn: Connection) -> int:
            runs = conn.execute(select(periodic_jobs.c.runs)
                                .where(periodic_jobs.c.name == name)).scalar()
            return int(runs or 0)

        return await self.transactions.run(run)

    # ----------------------------------------------------------------- once ever
    async def claim_once(self, name: str, key: str, holder: str, now: dt.datetime,
                         ttl: dt.timedelta) -> bool:
        """Whether ``holder`` may do (name, key) now: never done, and nobody else is on it."""
        def run(conn: Connection) -> bool:
            stmt = _insert(conn, once_runs).values(name=name, key=key, holder=holder,
                                                   lease_until=now + ttl)
            stmt = stmt.on_conflict_do_update(
                index_elements=[once_runs.c.name, once_runs.c.key],
                set_={"holder": holder, "lease_until": now + ttl},
                where=and_(once_runs.c.done_at.is_(None),
                           or_(once_runs.c.holder == holder, once_runs.c.lease_until <= now)),
            ).returning(once_runs.c.holder)
            return bool(conn.execute(stmt).scalar_one_or_none() == holder)

        return await self.transactions.run(run)

    async def finish_once(self, name: str, key: str, holder: str, now: dt.datetime,
                          *, done: bool) -> None:
        """Mark (name, key) done, or give the claim up after a failure so it is retried."""
        values = {"done_at": now} if done else {"lease_until": now}

        def run(conn: Connection) -> None:
            conn.execute(update(once_runs).where(
                once_runs.c.name == name, once_runs.c.key == key, once_runs.c.holder == holder,
            ).values(**values))

        await self.transactions.run(run)


def _aware(moment: dt.datetime) -> dt.datetime:
    """SQLite hands datetimes back without their zone; everything stored is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
