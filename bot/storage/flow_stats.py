"""How many residents started and finished each guide: read from the events table."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import distinct, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage.tables import events


async def started_and_finished(engine: AsyncEngine, since: dt.datetime
                               ) -> dict[str, tuple[int, int]]:
    """``{flow_id: (residents who started it, residents who completed it)}`` since ``since``."""
    query = (select(events.c.flow_id, events.c.kind,
                    func.count(distinct(events.c.resident_id)).label("n"))
             .where(events.c.kind.in_(("flow_started", "flow_completed")),
                    events.c.created_at >= since, events.c.flow_id.is_not(None))
             .group_by(events.c.flow_id, events.c.kind))
    result: dict[str, tuple[int, int]] = {}
    async with engine.connect() as conn:
        for row in await conn.execute(query):
            started, finished = result.get(row.flow_id, (0, 0))
            if row.kind == "flow_started":
                started = row.n
            else:
                finished = row.n
            result[row.flow_id] = (started, finished)
    return result
