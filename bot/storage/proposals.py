"""Team members' proposals for a step of a guide, and the editors' decisions on them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BigInteger, Column, DateTime, Index, Integer, String, Table, Text, select
from sqlalchemy import update as sql_update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage import audit
from bot.storage.accounts import aware
from bot.storage.audit import AuditEntry
from bot.storage.flow_store import NewVersion, add_version
from bot.storage.tables import BigId, metadata

flow_proposals = Table(
    "flow_proposals", metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("flow_id", String(32), nullable=False),
    Column("step_id", String(24), nullable=False),
    Column("base_version", Integer, nullable=False),
    Column("reason", String(32), nullable=False),
    Column("text", Text, nullable=True),  # the proposed new text of the step
    Column("note", Text, nullable=False, default=""),
    Column("screenshot", String(200), nullable=True),  # an uploaded image's name
    Column("proposer_id", BigInteger, nullable=False),
    Column("proposer", String(64), nullable=False),
    Column("status", String(16), nullable=False),  # open | accepted | rejected
    Column("reply", Text, nullable=False, default=""),
    Column("reviewer", String(64), nullable=True),
    Column("applied_version", Integer, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("decided_at", DateTime(timezone=True), nullable=True),
    Index("ix_flow_proposals_status", "status"),
)


@dataclass(frozen=True)
class Proposal:
    id: int
    flow_id: str
    step_id: str
    base_version: int
    reason: str
    text: str | None
    note: str
    screenshot: str | None
    proposer_id: int
    proposer: str
    status: str
    reply: str
    reviewer: str | None
    applied_version: int | None
    created_at: dt.datetime
    decided_at: dt.datetime | None


def _proposal(row: Any) -> Proposal:
    return Proposal(
        id=row.id, flow_id=row.flow_id, step_id=row.step_id, base_version=row.base_version,
        reason=row.reason, text=row.text, note=row.note or "", screenshot=row.screenshot,
        proposer_id=row.proposer_id, proposer=row.proposer, status=row.status,
        reply=row.reply or "", reviewer=row.reviewer, applied_version=row.applied_version,
        created_at=aware(row.created_at),
        decided_at=aware(row.decided_at) if row.decided_at else None)


class ProposalStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def add(self, values: dict[str, Any], now: dt.datetime, entry: AuditEntry) -> int:
        async with self.engine.begin() as conn:
            result = await conn.execute(flow_proposals.insert().values(
                **values, status="open", reply="", created_at=now))
            await audit.append(conn, entry, now)
        return int(result.inserted_primary_key[0])  # type: ignore[index]

    async def get(self, proposal_id: int) -> Proposal | None:
        async with self.engine.connect() as conn:
            row = (await conn.execute(select(flow_proposals).where(
                flow_proposals.c.id == proposal_id))).first()
        return _proposal(row) if row else None

    async def find(self, *, status: str | None = None, flow_id: str | None = None,
                   proposer_id: int | None = None, limit: int = 200) -> list[Proposal]:
        query = select(flow_proposals).order_by(flow_proposals.c.id.desc()).limit(limit)
        if status is not None:
            query = query.where(flow_proposals.c.status == status)
        if flow_id is not None:
            query = query.where(flow_proposals.c.flow_id == flow_id)
        if proposer_id is not None:
            query = query.where(flow_proposals.c.proposer_id == proposer_id)
        async with self.engine.connect() as conn:
            return [_proposal(row) for row in (await conn.execute(query)).all()]

    async def open_counts(self) -> dict[str, int]:
        async with self.engine.connect() as conn:
            rows = (await conn.execute(select(flow_proposals.c.flow_id).where(
                flow_proposals.c.status == "open"))).all()
        counts: dict[str, int] = {}
        for row in rows:
            counts[row.flow_id] = counts.get(row.flow_id, 0) + 1
        return counts

    async def decide(self, proposal_id: int, *, accepted: bool, reply: str, reviewer: str,
                     now: dt.datetime, entry: AuditEntry, draft: NewVersion | None = None
                     ) -> int | None:
        """Close an open proposal; when ``draft`` is given, write it as a new version in the
        same transaction. Returns that version. :class:`ProposalClosed` when it was not open
        (nothing written)."""
        async with self.engine.begin() as conn:
            version = await add_version(conn, draft, now, None) if draft else None
            result = await conn.execute(sql_update(flow_proposals).where(
                flow_proposals.c.id == proposal_id, flow_proposals.c.status == "open").values(
                status="accepted" if accepted else "rejected", reply=reply, reviewer=reviewer,
                applied_version=version, decided_at=now))
            if result.rowcount != 1:
                raise ProposalClosed(proposal_id)
            await audit.append(conn, entry, now)
        return version


class ProposalClosed(Exception):
    """The proposal was already accepted or rejected (or does not exist)."""
