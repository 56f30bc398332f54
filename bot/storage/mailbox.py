"""The web chat's side of the outbox: messages for a web resident wait in the ``outbox`` table
(channel ``web``, never claimed by a worker) until the page fetches them with a cursor, the
id of the last row it has; a fetch acknowledges everything up to the cursor it sends."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, or_, select, update

from bot.storage import queue
from bot.storage.outbox import EXPIRED, SENT, outbox


def waiting(conn: Connection, channel: str, party: str, after: int, now: dt.datetime,
            limit: int) -> list[tuple[int, dict[str, Any]]]:
    rows = conn.execute(select(outbox.c.id, outbox.c.body).where(
        outbox.c.channel == channel, outbox.c.party == party, outbox.c.id > after,
        outbox.c.status == queue.PENDING,
        or_(outbox.c.expires_at.is_(None), outbox.c.expires_at > now),
    ).order_by(outbox.c.id).limit(limit))
    return [(row.id, row.body) for row in rows]


def acknowledge(conn: Connection, channel: str, party: str, through: int, now: dt.datetime
                ) -> int:
    return conn.execute(update(outbox).where(
        outbox.c.channel == channel, outbox.c.party == party, outbox.c.id <= through,
        outbox.c.status == queue.PENDING).values(status=SENT, finished_at=now)).rowcount


def expire(conn: Connection, channel: str, now: dt.datetime) -> int:
    """Messages nobody fetched in time are marked expired (then pruned like sent ones)."""
    return conn.execute(update(outbox).where(
        outbox.c.channel == channel, outbox.c.status == queue.PENDING,
        outbox.c.expires_at <= now).values(status=EXPIRED, finished_at=now)).rowcount
