"""Seeding the announcements benchmark (``python -m bot bench announcements``): residents who
agreed to hear from their team, spread over a commune's villages and the three channels."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence

from sqlalchemy import Connection, select

from bot.storage import outreach as db
from bot.storage.tables import residents
from bot.storage.zalo import zalo_recipients

CHANNELS = ("web", "telegram", "telegram", "web", "zalo")  # 40 % web, 40 % Telegram, 20 % Zalo


def seed(conn: Connection, units: Sequence[str], count: int, now: dt.datetime,
         batch: int = 2000) -> Counter[str]:
    """``count`` subscribed residents; every fourth Zalo resident last wrote 10 days ago."""
    made: Counter[str] = Counter()
    for start in range(0, count, batch):
        numbers = range(start, min(start + batch, count))
        rows = [{"channel": CHANNELS[n % len(CHANNELS)], "external_id": f"bench-{n}",
                 "state": {}, "version": 0, "commune": units[n % len(units)], "active": True,
                 "created_at": now, "updated_at": now} for n in numbers]
        conn.execute(residents.insert(), rows)
        found = conn.execute(select(residents.c.id, residents.c.channel,
                                    residents.c.external_id).where(
            residents.c.external_id.in_([r["external_id"] for r in rows])))
        subscribed, zalo = [], []
        for row in found:
            made[row.channel] += 1
            subscribed.append({"resident_id": row.id, "unit_id": None, "channel": row.channel,
                               "opted_in_at": now - dt.timedelta(days=30)})
            if row.channel == "zalo":
                days = 10 if made["zalo"] % 4 == 0 else 1
                zalo.append({"user_id": row.external_id, "replies_used": 0, "options": {},
                             "last_inbound_at": now - dt.timedelta(days=days)})
        conn.execute(db.subscriptions.insert(), subscribed)
        if zalo:
            conn.execute(zalo_recipients.insert(), zalo)
    return made


def analyze(conn: Connection) -> None:
    """PostgreSQL: fresh statistics after the bulk insert (autovacuum's job in production,
    a minute or so later); without them the outbox claim picks a slow plan."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("ANALYZE outbox")
        conn.exec_driver_sql("ANALYZE outreach_deliveries")
