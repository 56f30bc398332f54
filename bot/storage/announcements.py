"""Announcements' rows and the figures of what happened to each (see ``bot/announcements``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, func, select, update

from bot.storage import outreach as db
from bot.storage.outbox import outbox
from bot.storage.reach import guide_runs

KIND = "announcement"
PROPOSED, DRAFT, SCHEDULED, SENDING, SENT = "proposed", "draft", "scheduled", "sending", "sent"
table = db.announcements


@dataclass(frozen=True)
class AnnouncementRow:
    id: int
    unit_id: str
    include_subunits: bool
    text: str
    flow_id: str | None
    audience_flow: str | None
    unfinished_only: bool
    send_at: dt.datetime | None
    state: str
    created_by: str
    approved_by: str | None
    created_at: dt.datetime
    confirmed_at: dt.datetime | None
    release_at: dt.datetime | None
    cursor: int
    targeted: int
    finished_at: dt.datetime | None


def _aware(moment: Any) -> Any:
    if isinstance(moment, dt.datetime) and moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment


def _row(row: Any) -> AnnouncementRow:
    values = {key: _aware(value) for key, value in row._mapping.items()}
    return AnnouncementRow(**values)


def insert(conn: Connection, **values: Any) -> int:
    result = conn.execute(table.insert().values(cursor=0, targeted=0, **values)
                          .returning(table.c.id))
    return int(result.scalar_one())


def get(conn: Connection, announcement_id: int, *, lock: bool = False) -> AnnouncementRow | None:
    query = select(table).where(table.c.id == announcement_id)
    if lock:
        query = query.with_for_update()
    row = conn.execute(query).first()
    return None if row is None else _row(row)


def listing(conn: Connection, units: list[str] | None, limit: int = 50) -> list[AnnouncementRow]:
    query = select(table).order_by(table.c.id.desc()).limit(limit)
    if units is not None:
        query = query.where(table.c.unit_id.in_(units))
    return [_row(r) for r in conn.execute(query)]


def change(conn: Connection, announcement_id: int, **values: Any) -> None:
    conn.execute(update(table).where(table.c.id == announcement_id).values(**values))


def due(conn: Connection, now: dt.datetime) -> AnnouncementRow | None:
    """One announcement whose sending may go on now, locked (skipped by other workers)."""
    query = (select(table).where(table.c.state.in_((SCHEDULED, SENDING)),
                                 table.c.release_at <= now)
             .order_by(table.c.release_at, table.c.id).limit(1))
    if conn.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    row = conn.execute(query).first()
    return None if row is None else _row(row)


def confirmed_since(conn: Connection, unit_id: str, since: dt.datetime) -> int:
    """Announcements of a unit confirmed since ``since`` (the per-unit limit)."""
    return int(conn.execute(select(func.count()).select_from(table).where(
        table.c.unit_id == unit_id, table.c.confirmed_at >= since)).scalar_one())


def figures(conn: Connection, row: AnnouncementRow) -> dict[str, Any]:
    """What happened: per status and reason, web rows by what their page did, guides opened
    and opt-outs after it."""
    d = db.deliveries
    mine = and_(d.c.kind == KIND, d.c.source_id == row.id)
    counts: dict[tuple[str, str, str | None], int] = {
        (r.channel, r.status, r.reason): int(r.n) for r in conn.execute(
            select(d.c.channel, d.c.status, d.c.reason, func.count().label("n"))
            .where(mine).group_by(d.c.channel, d.c.status, d.c.reason))}
    web = {r.status: int(r.n) for r in conn.execute(
        select(outbox.c.status, func.count().label("n")).select_from(
            d.join(outbox, outbox.c.id == d.c.outbox_id))
        .where(mine, d.c.channel == "web", d.c.status == db.QUEUED).group_by(outbox.c.status))}
    reached = and_(mine, d.c.status.in_((db.SENT, db.QUEUED)), d.c.resident_id.is_not(None))
    opened = 0
    if row.flow_id is not None:
        opened = int(conn.execute(select(func.count(func.distinct(d.c.resident_id)))
                                  .select_from(d.join(guide_runs, and_(
                                      guide_runs.c.resident_id == d.c.resident_id,
                                      guide_runs.c.flow_id == row.flow_id,
                                      guide_runs.c.started_at >= d.c.created_at)))
                                  .where(reached)).scalar_one())
    s = db.subscriptions
    opted_out = int(conn.execute(select(func.count()).select_from(
        d.join(s, s.c.resident_id == d.c.resident_id))
        .where(reached, s.c.opted_out_at >= d.c.created_at)).scalar_one())
    return {"counts": counts, "web": web, "opened": opened, "opted_out_after": opted_out}
