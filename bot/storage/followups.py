"""Follow-ups a resident agreed to (issue 26): one row from the offer's "yes" to the answer.
``scheduled`` -> ``sent`` -> ``answered`` (done / not_yet / problem) or ``no_answer``;
``cancelled`` by the resident, ``skipped`` when the rules did not let it go (Zalo's window);
``declined`` records a "no" (nothing is scheduled)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    func,
    select,
    update,
)

from bot.storage import outreach, residents_data
from bot.storage.tables import BigId, metadata, residents

followups = Table(
    "followups", metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("resident_id", BigId, ForeignKey("residents.id", ondelete="CASCADE"),
           nullable=False),
    Column("flow_id", String(32), nullable=False),
    Column("step_id", String(24), nullable=False),
    Column("unit_id", String(30), nullable=True),
    Column("ask", Text, nullable=False),
    Column("after_days", Integer, nullable=False),
    Column("due_at", DateTime(timezone=True), nullable=False),
    Column("status", String(12), nullable=False),
    Column("answer", String(8), nullable=True),
    Column("asked_again", Boolean, nullable=False, default=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("sent_at", DateTime(timezone=True), nullable=True),
    Column("closed_at", DateTime(timezone=True), nullable=True),
    Index("ix_followups_status_due_at", "status", "due_at"),
    Index("ix_followups_resident_id_status", "resident_id", "status"),
)

SCHEDULED, SENT, ANSWERED, NO_ANSWER, CANCELLED, SKIPPED, DECLINED = (
    "scheduled", "sent", "answered", "no_answer", "cancelled", "skipped", "declined")
KIND = "followup"
Effect = Callable[[Connection, int], None]


@dataclass(frozen=True)
class FollowUpRow:
    id: int
    resident_id: int
    flow_id: str
    step_id: str
    unit_id: str | None
    ask: str
    after_days: int
    due_at: dt.datetime
    status: str
    answer: str | None
    asked_again: bool
    created_at: dt.datetime
    sent_at: dt.datetime | None
    closed_at: dt.datetime | None


def _aware(value: Any) -> Any:
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value


def _row(row: Any) -> FollowUpRow:
    return FollowUpRow(**{k: _aware(v) for k, v in row._mapping.items()})


@dataclass(frozen=True)
class FollowUpView:
    """What a turn needs to know: what is scheduled, and a question sent and not answered."""

    scheduled: tuple[FollowUpRow, ...]
    open: FollowUpRow | None


def view(conn: Connection, resident_id: int) -> FollowUpView:
    rows = [_row(r) for r in conn.execute(select(followups).where(
        followups.c.resident_id == resident_id,
        followups.c.status.in_((SCHEDULED, SENT))).order_by(followups.c.id))]
    sent = [r for r in rows if r.status == SENT]
    return FollowUpView(tuple(r for r in rows if r.status == SCHEDULED),
                        sent[-1] if sent else None)


def schedule_effect(flow_id: str, step_id: str, unit_id: str | None, ask: str,
                    after_days: int, due_at: dt.datetime, now: dt.datetime,
                    status: str = SCHEDULED) -> Effect:
    def effect(conn: Connection, resident_id: int) -> None:
        conn.execute(followups.insert().values(
            resident_id=resident_id, flow_id=flow_id, step_id=step_id, unit_id=unit_id,
            ask=ask, after_days=after_days, due_at=due_at, status=status,
            asked_again=False, created_at=now, closed_at=None if status == SCHEDULED else now))

    return effect


def cancel_effect(now: dt.datetime) -> Effect:
    def effect(conn: Connection, resident_id: int) -> None:
        conn.execute(update(followups).where(
            followups.c.resident_id == resident_id, followups.c.status == SCHEDULED
        ).values(status=CANCELLED, closed_at=now))

    return effect


def answer_effect(followup_id: int, answer: str, now: dt.datetime,
                  again_at: dt.datetime | None = None) -> Effect:
    """Record the answer; ``again_at``: "not yet", asked once more then."""
    def effect(conn: Connection, resident_id: int) -> None:
        mine = (followups.c.id == followup_id, followups.c.resident_id == resident_id)
        conn.execute(update(followups).where(*mine).values(
            status=ANSWERED, answer=answer, closed_at=now))
        if again_at is not None:
            row = conn.execute(select(followups).where(*mine)).one()
            conn.execute(followups.insert().values(
                resident_id=resident_id, flow_id=row.flow_id, step_id=row.step_id,
                unit_id=row.unit_id, ask=row.ask, after_days=row.after_days, due_at=again_at,
                status=SCHEDULED, asked_again=True, created_at=now))

    return effect


def due(conn: Connection, now: dt.datetime, limit: int) -> list[tuple[FollowUpRow,
                                                                       outreach.Recipient]]:
    """Scheduled follow-ups whose time has come, with their resident, locked (other workers
    skip them on PostgreSQL)."""
    query = (select(followups).where(followups.c.status == SCHEDULED,
                                     followups.c.due_at <= now)
             .order_by(followups.c.due_at, followups.c.id).limit(limit))
    if conn.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    rows = [_row(r) for r in conn.execute(query)]
    if not rows:
        return []
    people = {r.id: r for r in conn.execute(select(
        residents.c.id, residents.c.channel, residents.c.external_id, residents.c.commune,
        residents.c.active).where(residents.c.id.in_([r.resident_id for r in rows])))}
    return [(row, outreach.Recipient(row.resident_id, people[row.resident_id].channel,
                                     people[row.resident_id].external_id,
                                     people[row.resident_id].commune,
                                     bool(people[row.resident_id].active)))
            for row in rows if row.resident_id in people]


def close(conn: Connection, followup_id: int, status: str, now: dt.datetime) -> None:
    values: dict[str, Any] = {"status": status}
    if status == SENT:
        values["sent_at"] = now
    else:
        values["closed_at"] = now
    conn.execute(update(followups).where(followups.c.id == followup_id).values(**values))


def expire(conn: Connection, before: dt.datetime, now: dt.datetime) -> int:
    """Questions sent before ``before`` and never answered are closed as ``no_answer``."""
    return conn.execute(update(followups).where(
        followups.c.status == SENT, followups.c.sent_at < before
    ).values(status=NO_ANSWER, closed_at=now)).rowcount


def of_party(conn: Connection, channel: str, external_id: str) -> list[FollowUpRow]:
    return [_row(r) for r in conn.execute(
        select(followups).join(residents, residents.c.id == followups.c.resident_id).where(
            residents.c.channel == channel, residents.c.external_id == external_id,
            followups.c.status == SCHEDULED).order_by(followups.c.due_at))]


def outcomes(conn: Connection, units: list[str] | None) -> dict[tuple[str, str, str], int]:
    """(guide, status, answer) -> count for residents of ``units`` (None: everyone)."""
    query = select(followups.c.flow_id, followups.c.status, followups.c.answer, func.count())
    if units is not None:
        query = query.where(followups.c.unit_id.in_(units))
    rows = conn.execute(query.group_by(followups.c.flow_id, followups.c.status,
                                       followups.c.answer))
    return {(flow, status, answer or ""): int(n) for flow, status, answer, n in rows}


def consent_reader(inner: Callable[[Connection, Any], Any] | None
                   ) -> Callable[[Connection, Any], tuple[str | None, Any, Any]]:
    """A turn's read: the resident's consent, their follow-ups, and what ``inner`` (the
    hand-off) reads."""
    def read(conn: Connection, resident: Any) -> tuple[str | None, Any, Any]:
        return (outreach.consent_of(conn, resident.id), view(conn, resident.id),
                inner(conn, resident) if inner else None)

    return read


def _erase(conn: Connection, resident_id: int, channel: str, external_id: str) -> None:
    conn.execute(followups.delete().where(followups.c.resident_id == resident_id))


def _export(conn: Connection, resident_id: int, channel: str, external_id: str
            ) -> dict[str, Any]:
    rows = [_row(r) for r in conn.execute(select(followups).where(
        followups.c.resident_id == resident_id).order_by(followups.c.id))]
    if not rows:
        return {}
    return {"followups": [{"flow_id": r.flow_id, "step_id": r.step_id, "ask": r.ask,
                           "due_at": r.due_at.isoformat(), "status": r.status,
                           "answer": r.answer} for r in rows]}


residents_data.ERASERS.append(_erase)
residents_data.EXPORTERS.append(_export)
