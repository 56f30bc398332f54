"""Proactive messages' tables: who agreed to hear from their team (``outreach_subscriptions``),
the announcements teams write (``announcements``) and one row per resident and message sent
outside a conversation (``outreach_deliveries``), whose unique key makes each resident get a
given message at most once, whatever crashes or how many workers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
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
    UniqueConstraint,
    and_,
    func,
    or_,
    select,
    update,
)

from bot.storage import residents_data
from bot.storage.outbox import outbox
from bot.storage.reach import guide_runs
from bot.storage.tables import BigId, metadata, residents

subscriptions = Table(
    "outreach_subscriptions", metadata,
    Column("resident_id", BigId, ForeignKey("residents.id", ondelete="CASCADE"),
           primary_key=True),
    Column("unit_id", String(30), nullable=True),  # the resident's unit when they agreed
    Column("channel", String(16), nullable=False),
    Column("opted_in_at", DateTime(timezone=True), nullable=True),
    Column("opted_out_at", DateTime(timezone=True), nullable=True),
    Column("out_reason", String(16), nullable=True),  # words | blocked | unfollowed
)

announcements = Table(
    "announcements", metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("unit_id", String(30), nullable=False),
    Column("include_subunits", Boolean, nullable=False, default=True),
    Column("text", Text, nullable=False),
    Column("flow_id", String(32), nullable=True),  # the guide its button opens
    Column("audience_flow", String(32), nullable=True),  # only residents who used this guide
    Column("unfinished_only", Boolean, nullable=False, default=False),  # … and did not finish
    Column("send_at", DateTime(timezone=True), nullable=True),  # None: as soon as confirmed
    Column("state", String(12), nullable=False),  # proposed draft scheduled sending done
    Column("created_by", String(64), nullable=False),
    Column("approved_by", String(64), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("confirmed_at", DateTime(timezone=True), nullable=True),
    Column("release_at", DateTime(timezone=True), nullable=True),  # sending starts then
    Column("cursor", BigId, nullable=False, default=0),  # residents expanded up to this id
    Column("targeted", Integer, nullable=False, default=0),
    Column("finished_at", DateTime(timezone=True), nullable=True),
    Index("ix_announcements_state_release_at", "state", "release_at"),
    Index("ix_announcements_unit_id_confirmed_at", "unit_id", "confirmed_at"),
)

deliveries = Table(
    "outreach_deliveries", metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("kind", String(16), nullable=False),  # announcement | followup
    Column("source_id", BigId, nullable=False),
    Column("resident_id", BigId, nullable=True),  # NULL once the resident erased their data
    Column("channel", String(16), nullable=False),
    Column("status", String(12), nullable=False),  # see the constants below
    Column("reason", String(24), nullable=True),  # why skipped or failed
    Column("outbox_id", BigId, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("sent_at", DateTime(timezone=True), nullable=True),
    UniqueConstraint("kind", "source_id", "resident_id"),
    Index("ix_outreach_deliveries_resident_id_created_at", "resident_id", "created_at"),
    Index("ix_outreach_deliveries_kind_source_id_status", "kind", "source_id", "status"),
)

# A delivery's life: queued (in the outbox) -> sending (handed to the platform) -> sent, or
# failed, or uncertain (a worker stopped while the platform had it: never sent again);
# skipped rows record who was targeted but not sent, and why.
QUEUED, SENDING, SENT, FAILED, SKIPPED, UNCERTAIN = (
    "queued", "sending", "sent", "failed", "skipped", "uncertain")
COUNTED = (QUEUED, SENDING, SENT, UNCERTAIN)  # what the per-resident limits count


@dataclass(frozen=True)
class Recipient:
    resident_id: int
    channel: str
    external_id: str
    unit_id: str | None
    active: bool


@dataclass(frozen=True)
class NewDelivery:
    resident_id: int
    channel: str
    status: str
    reason: str | None = None
    outbox_id: int | None = None


# ---------------------------------------------------------------- consent
def _is_subscribed(row: Any) -> bool:
    if row is None or row.opted_in_at is None:
        return False
    return row.opted_out_at is None or _aware(row.opted_in_at) > _aware(row.opted_out_at)


def subscribed(conn: Connection, resident_id: int) -> bool:
    row = conn.execute(select(subscriptions).where(
        subscriptions.c.resident_id == resident_id)).first()
    return _is_subscribed(row)


def opt_in(conn: Connection, resident_id: int, unit_id: str | None, channel: str,
           now: dt.datetime) -> None:
    found = conn.execute(select(subscriptions.c.resident_id).where(
        subscriptions.c.resident_id == resident_id)).first()
    values = {"unit_id": unit_id, "channel": channel, "opted_in_at": now}
    if found is None:
        conn.execute(subscriptions.insert().values(resident_id=resident_id, **values))
    else:
        conn.execute(update(subscriptions).where(
            subscriptions.c.resident_id == resident_id).values(**values))


def opt_out(conn: Connection, resident_id: int, now: dt.datetime, reason: str) -> bool:
    """Stop hearing from the team; False when the resident was not subscribed."""
    row = conn.execute(select(subscriptions).where(
        subscriptions.c.resident_id == resident_id)).first()
    if not _is_subscribed(row):
        return False
    conn.execute(update(subscriptions).where(subscriptions.c.resident_id == resident_id)
                 .values(opted_out_at=now, out_reason=reason))
    return True


def opt_out_party(conn: Connection, channel: str, external_id: str, now: dt.datetime,
                  reason: str) -> bool:
    row = conn.execute(select(residents.c.id).where(
        residents.c.channel == channel, residents.c.external_id == external_id)).first()
    return row is not None and opt_out(conn, row.id, now, reason)


def export(conn: Connection, resident_id: int) -> dict[str, Any]:
    row = conn.execute(select(subscriptions).where(
        subscriptions.c.resident_id == resident_id)).first()
    if row is None:
        return {}
    return {"announcements": {
        "unit": row.unit_id, "channel": row.channel, "subscribed": _is_subscribed(row),
        "opted_in_at": _iso(row.opted_in_at), "opted_out_at": _iso(row.opted_out_at)}}


def erase(conn: Connection, resident_id: int) -> None:
    """The consent goes; deliveries keep their counts without the resident."""
    conn.execute(subscriptions.delete().where(subscriptions.c.resident_id == resident_id))
    conn.execute(update(deliveries).where(deliveries.c.resident_id == resident_id)
                 .values(resident_id=None))


# ---------------------------------------------------------------- audience
def audience(conn: Connection, units: Sequence[str], after: int, limit: int, *,
             flow_id: str | None = None, unfinished_only: bool = False) -> list[Recipient]:
    """Subscribed residents of ``units`` with an id above ``after``, in id order (with
    ``flow_id``: only those who started that guide, per the reports' ``guide_runs``)."""
    subscribed_now = and_(subscriptions.c.opted_in_at.is_not(None), or_(
        subscriptions.c.opted_out_at.is_(None),
        subscriptions.c.opted_in_at > subscriptions.c.opted_out_at))
    query = (select(residents.c.id, residents.c.channel, residents.c.external_id,
                    residents.c.commune, residents.c.active)
             .join(subscriptions, subscriptions.c.resident_id == residents.c.id)
             .where(subscribed_now, residents.c.commune.in_(list(units)), residents.c.id > after)
             .order_by(residents.c.id).limit(limit))
    if flow_id is not None:
        runs = select(guide_runs.c.id).where(guide_runs.c.resident_id == residents.c.id,
                                             guide_runs.c.flow_id == flow_id)
        query = query.where(runs.exists())
        if unfinished_only:
            done = runs.where(guide_runs.c.finished_at.is_not(None))
            query = query.where(~done.exists())
    return [Recipient(r.id, r.channel, r.external_id, r.commune, bool(r.active))
            for r in conn.execute(query)]


def recent_counts(conn: Connection, kind: str, resident_ids: Sequence[int], since: dt.datetime
                  ) -> dict[int, int]:
    """Messages of ``kind`` each resident was sent (or is being sent) since ``since``."""
    if not resident_ids:
        return {}
    rows = conn.execute(select(deliveries.c.resident_id, func.count()).where(
        deliveries.c.kind == kind, deliveries.c.resident_id.in_(list(resident_ids)),
        deliveries.c.status.in_(COUNTED), deliveries.c.created_at >= since,
    ).group_by(deliveries.c.resident_id))
    return {int(rid): int(count) for rid, count in rows}


def add_deliveries(conn: Connection, kind: str, source_id: int, rows: Sequence[NewDelivery],
                   now: dt.datetime) -> list[int]:
    """Insert delivery rows; their ids in the order given."""
    if not rows:
        return []
    result = conn.execute(deliveries.insert().returning(deliveries.c.id,
                                                        sort_by_parameter_order=True), [
        {"kind": kind, "source_id": source_id, "resident_id": r.resident_id,
         "channel": r.channel, "status": r.status, "reason": r.reason,
         "outbox_id": r.outbox_id, "created_at": now} for r in rows])
    return [int(row.id) for row in result]


def already_targeted(conn: Connection, kind: str, source_id: int,
                     resident_ids: Sequence[int]) -> set[int]:
    rows = conn.execute(select(deliveries.c.resident_id).where(
        deliveries.c.kind == kind, deliveries.c.source_id == source_id,
        deliveries.c.resident_id.in_(list(resident_ids))))
    return {int(r.resident_id) for r in rows}


def set_outbox_ids(conn: Connection, pairs: Sequence[tuple[int, int]]) -> None:
    for delivery_id, outbox_id in pairs:
        conn.execute(update(deliveries).where(deliveries.c.id == delivery_id)
                     .values(outbox_id=outbox_id))


# ---------------------------------------------------------------- sending
def start_sending(conn: Connection, delivery_id: int) -> str | None:
    """Mark a delivery as handed to the platform; returns the status it had (``sending``
    means an earlier worker stopped mid-send)."""
    row = conn.execute(select(deliveries.c.status).where(
        deliveries.c.id == delivery_id).with_for_update()).first()
    if row is None:
        return None
    if row.status == QUEUED:
        conn.execute(update(deliveries).where(deliveries.c.id == delivery_id)
                     .values(status=SENDING))
    return str(row.status)


def requeue(conn: Connection, delivery_id: int) -> None:
    """The platform refused for now (flood control, down): nothing was sent."""
    conn.execute(update(deliveries).where(deliveries.c.id == delivery_id,
                                          deliveries.c.status == SENDING).values(status=QUEUED))


def finish(conn: Connection, delivery_id: int, status: str, now: dt.datetime,
           reason: str | None = None) -> tuple[str, int | None] | None:
    """Record a delivery's outcome; (kind, resident id) of the delivery."""
    row = conn.execute(select(deliveries.c.kind, deliveries.c.resident_id).where(
        deliveries.c.id == delivery_id)).first()
    if row is None:
        return None
    values: dict[str, Any] = {"status": status, "reason": reason}
    if status == SENT:
        values["sent_at"] = now
    conn.execute(update(deliveries).where(deliveries.c.id == delivery_id).values(**values))
    return str(row.kind), row.resident_id


def give_up(conn: Connection, delivery_id: int, channel: str, external_id: str,
            now: dt.datetime, reason: str) -> None:
    """The platform says the resident is gone (blocked, unfollowed): failed, and opted out."""
    finish(conn, delivery_id, FAILED, now, reason)
    opt_out_party(conn, channel, external_id, now, reason)


# ---------------------------------------------------------------- the turn's part
def consent_of(conn: Connection, resident_id: int) -> str | None:
    """``in``, ``out`` (stopped before) or None (never asked)."""
    row = conn.execute(select(subscriptions).where(
        subscriptions.c.resident_id == resident_id)).first()
    if row is None:
        return None
    return "in" if _is_subscribed(row) else ("out" if row.opted_out_at else None)


def opt_in_effect(unit_id: str | None, channel: str, now: dt.datetime
                  ) -> Callable[[Connection, int], None]:
    return lambda conn, resident_id: opt_in(conn, resident_id, unit_id, channel, now)


def opt_out_effect(now: dt.datetime, reason: str) -> Callable[[Connection, int], None]:
    def effect(conn: Connection, resident_id: int) -> None:
        opt_out(conn, resident_id, now, reason)

    return effect


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def _iso(moment: dt.datetime | None) -> str | None:
    return None if moment is None else _aware(moment).isoformat()


def _erase_resident(conn: Connection, resident_id: int, channel: str, external_id: str) -> None:
    erase(conn, resident_id)  # and the proactive channels' outbox rows ("p:telegram")
    conn.execute(outbox.delete().where(outbox.c.channel == "p:" + channel,
                                       outbox.c.party == external_id))


def _export_resident(conn: Connection, resident_id: int, channel: str, external_id: str
                     ) -> dict[str, Any]:
    return export(conn, resident_id)


residents_data.ERASERS.append(_erase_resident)
residents_data.EXPORTERS.append(_export_resident)
