"""Writing one message's deliveries and outbox rows for a batch of residents, in the caller's
transaction (see ``bot/outreach/delivery.py``). The unique key (kind, message, resident)
makes planning the same residents twice a no-op."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Connection, bindparam, select, update

from bot.storage import outreach as db
from bot.storage import queue
from bot.storage.outbox import outbox
from bot.storage.zalo import zalo_recipients

# (recipient, Zalo's last interaction, sent in the last day, in the last week) -> why not
SkipReason = Callable[[db.Recipient, dt.datetime | None, int, int], str | None]
# recipient -> (outbox channel, body without the delivery marker, expires at)
Message = Callable[[db.Recipient], tuple[str, dict[str, Any], dt.datetime]]


def plan(conn: Connection, kind: str, source_id: int, recipients: Sequence[db.Recipient],
         skip_reason: SkipReason, message: Message, now: dt.datetime) -> Counter[str]:
    """Target ``recipients`` once each: ``queued`` and each skip reason, counted."""
    done = db.already_targeted(conn, kind, source_id, [r.resident_id for r in recipients])
    fresh = [r for r in recipients if r.resident_id not in done]
    ids = [r.resident_id for r in fresh]
    day = db.recent_counts(conn, kind, ids, now - dt.timedelta(days=1))
    week = db.recent_counts(conn, kind, ids, now - dt.timedelta(days=7))
    zalo = _zalo_last(conn, [r.external_id for r in fresh if r.channel == "zalo"])
    rows: list[db.NewDelivery] = []
    queued: list[db.Recipient] = []
    outcome: Counter[str] = Counter()
    for r in fresh:
        reason = skip_reason(r, zalo.get(r.external_id), day.get(r.resident_id, 0),
                             week.get(r.resident_id, 0))
        outcome[reason or db.QUEUED] += 1
        rows.append(db.NewDelivery(r.resident_id, r.channel,
                                   db.SKIPPED if reason else db.QUEUED, reason))
        if reason is None:
            queued.append(r)
    delivery_ids = db.add_deliveries(conn, kind, source_id, rows, now)
    by_resident = {row.resident_id: did for row, did in zip(rows, delivery_ids, strict=True)}
    messages = []
    for r in queued:
        channel, body, expires = message(r)
        body = {**body, "proactive": {"kind": kind, "delivery": by_resident[r.resident_id]}}
        messages.append({"channel": channel, "party": r.external_id[:64], "body": body,
                         "status": queue.PENDING, "attempts": 0, "progress": 0,
                         "available_at": None, "created_at": now, "expires_at": expires})
    if messages:
        result = conn.execute(outbox.insert().returning(outbox.c.id,
                                                        sort_by_parameter_order=True), messages)
        pairs = [{"did": by_resident[r.resident_id], "oid": row.id}
                 for r, row in zip(queued, result, strict=True)]
        conn.execute(update(db.deliveries).where(db.deliveries.c.id == bindparam("did"))
                     .values(outbox_id=bindparam("oid")), pairs)
    return outcome


def _zalo_last(conn: Connection, users: Sequence[str]) -> dict[str, dt.datetime]:
    if not users:
        return {}
    rows = conn.execute(select(zalo_recipients.c.user_id, zalo_recipients.c.last_inbound_at)
                        .where(zalo_recipients.c.user_id.in_(list(users))))
    return {r.user_id: _aware(r.last_inbound_at) for r in rows if r.last_inbound_at}


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def reach(conn: Connection, kind: str, units: Sequence[str], skip_reason: SkipReason,
          now: dt.datetime, *, flow_id: str | None = None, unfinished_only: bool = False,
          batch: int = 2000) -> tuple[Counter[str], Counter[str]]:
    """What :func:`plan` would do now, without writing: residents reached per channel, and
    those skipped by reason (the preview)."""
    reached: Counter[str] = Counter()
    skipped: Counter[str] = Counter()
    after = 0
    while recipients := db.audience(conn, units, after, batch, flow_id=flow_id,
                                    unfinished_only=unfinished_only):
        ids = [r.resident_id for r in recipients]
        day = db.recent_counts(conn, kind, ids, now - dt.timedelta(days=1))
        week = db.recent_counts(conn, kind, ids, now - dt.timedelta(days=7))
        zalo = _zalo_last(conn, [r.external_id for r in recipients if r.channel == "zalo"])
        for r in recipients:
            reason = skip_reason(r, zalo.get(r.external_id), day.get(r.resident_id, 0),
                                 week.get(r.resident_id, 0))
            if reason is None:
                reached[r.channel] += 1
            else:
                skipped[reason] += 1
        after = recipients[-1].resident_id
    return reached, skipped
