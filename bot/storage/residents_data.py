"""Residents' data rights: everything stored about one resident, its erasure, and retention.

Erasure deletes the resident's row and every row linked to it (state, messages, events,
unanswered texts, hand-offs) in one transaction, after adding what reports count to
``anonymous_counts`` (per day, kind and guide, with nothing that identifies anyone). Tables
that later capabilities add (tickets, outbox, inbound events) join in through
:data:`ERASERS` and :data:`EXPORTERS`, so one erasure covers them too.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    Date,
    Integer,
    String,
    Table,
    bindparam,
    delete,
    func,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from bot.storage.inbox import inbox
from bot.storage.outbox import NewMessage, insert_messages, outbox
from bot.storage.runner import Transactions
from bot.storage.tables import events, handoffs, metadata, residents, unanswered
from bot.storage.zalo import zalo_recipients

anonymous_counts = Table(
    "anonymous_counts", metadata,
    Column("day", Date, primary_key=True),
    Column("kind", String(32), primary_key=True),
    Column("flow_id", String(32), primary_key=True),  # "" when the row is about no guide
    Column("n", Integer, nullable=False),
)

# (connection, resident id, channel, external id) -> None: delete or anonymise that
# capability's rows about the resident (called inside the erasure's transaction).
Eraser = Callable[[Connection, int, str, str], None]
# Same arguments -> {section name: JSON-able data} for the resident's export.
Exporter = Callable[[Connection, int, str, str], dict[str, Any]]
ERASERS: list[Eraser] = []
EXPORTERS: list[Exporter] = []

_BATCH = 500


@dataclass(frozen=True)
class Erasure:
    """What an erasure removed (counts only)."""

    messages: int
    events: int
    unanswered: int
    handoffs: int


def _iso(moment: Any) -> str | None:
    return moment.isoformat() if moment is not None else None


def _day(moment: dt.datetime | dt.date | str) -> dt.date:
    if isinstance(moment, str):  # SQLite without type information
        return dt.date.fromisoformat(moment[:10])
    return moment.date() if isinstance(moment, dt.datetime) else moment


def _add_counts(conn: Connection, counts: Counter[tuple[dt.date, str, str]]) -> None:
    if not counts:
        return
    insert = sqlite_insert if conn.dialect.name == "sqlite" else pg_insert
    stmt = insert(anonymous_counts)
    stmt = stmt.on_conflict_do_update(
        index_elements=[anonymous_counts.c.day, anonymous_counts.c.kind,
                        anonymous_counts.c.flow_id],
        set_={"n": anonymous_counts.c.n + stmt.excluded.n})
    conn.execute(stmt, [{"day": day, "kind": kind, "flow_id": flow, "n": n}
                        for (day, kind, flow), n in counts.items()])


def _find(conn: Connection, channel: str, external_id: str, *, lock: bool) -> Any:
    query = select(residents).where(residents.c.channel == channel,
                                    residents.c.external_id == external_id)
    return conn.execute(query.with_for_update() if lock else query).first()


def _export(conn: Connection, channel: str, external_id: str) -> dict[str, Any] | None:
    row = _find(conn, channel, external_id, lock=False)
    if row is None:
        return None
    rid = row.id
    logged = conn.execute(select(events).where(events.c.resident_id == rid)
                          .order_by(events.c.id)).all()
    data: dict[str, Any] = {
        "resident": {"channel": row.channel, "external_id": row.external_id,
                     "commune": row.commune, "active": row.active, "state": row.state,
                     "created_at": _iso(row.created_at), "updated_at": _iso(row.updated_at)},
        "messages": [{"at": _iso(e.created_at), **e.data} for e in logged
                     if e.kind == "message_in"],
        "events": [{"at": _iso(e.created_at), "kind": e.kind, "flow_id": e.flow_id,
                    "step_id": e.step_id, "data": e.data} for e in logged
                   if e.kind not in ("message_in", "reply_out")],
        "unanswered": [{"at": _iso(u.created_at), "text": u.text, "reason": u.reason}
                       for u in conn.execute(select(unanswered)
                                             .where(unanswered.c.resident_id == rid))],
        "handoffs": [{"at": _iso(h.created_at), "flow_id": h.flow_id, "step_id": h.step_id,
                      "status": h.status}
                     for h in conn.execute(select(handoffs).where(handoffs.c.resident_id == rid))],
    }
    data.update(_channel_rows(conn, channel, external_id))
    for exporter in EXPORTERS:
        data.update(exporter(conn, rid, channel, external_id))
    return data


def _channel_rows(conn: Connection, channel: str, external_id: str) -> dict[str, Any]:
    """What the queues and the Zalo channel keep about the resident (export)."""
    found: dict[str, Any] = {}
    for table in (outbox, inbox):
        rows = conn.execute(select(table.c.status, table.c.created_at).where(
            table.c.channel == channel, table.c.party == external_id)).all()
        found[table.name] = [{"status": r.status, "at": _iso(r.created_at)} for r in rows]
    if channel == "zalo":
        row = conn.execute(select(zalo_recipients).where(
            zalo_recipients.c.user_id == external_id)).first()
        found["zalo"] = None if row is None else {
            "last_message_at": _iso(row.last_inbound_at), "replies_used": row.replies_used}
    return found


def _erase_channel_rows(conn: Connection, channel: str, external_id: str) -> None:
    """Queued messages to and from the resident, and the Zalo channel's note of them."""
    for table in (outbox, inbox):
        conn.execute(delete(table).where(table.c.channel == channel,
                                         table.c.party == external_id))
    if channel == "zalo":
        conn.execute(delete(zalo_recipients).where(zalo_recipients.c.user_id == external_id))


def _erase(conn: Connection, channel: str, external_id: str, today: dt.date
           ) -> Erasure | None:
    row = _find(conn, channel, external_id, lock=True)
    if row is None:
        return None
    rid = row.id
    counts: Counter[tuple[dt.date, str, str]] = Counter()
    logged = conn.execute(select(events.c.kind, events.c.flow_id, events.c.created_at)
                          .where(events.c.resident_id == rid)).all()
    for kind, flow_id, at in logged:
        counts[(_day(at), kind, flow_id or "")] += 1
    for flow_id, at in conn.execute(select(handoffs.c.flow_id, handoffs.c.created_at)
                                    .where(handoffs.c.resident_id == rid)):
        counts[(_day(at), "handoff", flow_id or "")] += 1
    for (at,) in conn.execute(select(unanswered.c.created_at)
                              .where(unanswered.c.resident_id == rid)):
        counts[(_day(at), "unanswered", "")] += 1
    counts[(today, "resident_erased", "")] += 1
    _add_counts(conn, counts)
    _erase_channel_rows(conn, channel, external_id)
    for eraser in ERASERS:
        eraser(conn, rid, channel, external_id)
    removed = {t.name: conn.execute(delete(t).where(t.c.resident_id == rid)).rowcount
               for t in (unanswered, handoffs)}
    messages = sum(1 for kind, _, _ in logged if kind == "message_in")
    conn.execute(delete(events).where(events.c.resident_id == rid))
    conn.execute(delete(residents).where(residents.c.id == rid))
    return Erasure(messages=messages, events=len(logged) - messages,
                   unanswered=removed["unanswered"], handoffs=removed["handoffs"])


def _erase_texts(conn: Connection, since: dt.datetime | None, cutoff: dt.datetime) -> int:
    """Blank message texts written in [since, cutoff); the rows (and so the figures) stay."""
    erased = 0
    window = [events.c.kind == "message_in", events.c.created_at < cutoff]
    if since is not None:
        window.append(events.c.created_at >= since)
    last_id = 0
    while True:
        rows = conn.execute(select(events.c.id, events.c.data)
                            .where(*window, events.c.id > last_id)
                            .order_by(events.c.id).limit(_BATCH)).all()
        if not rows:
            break
        last_id = rows[-1].id
        changed = [{"rid": r.id, "new": {**{k: v for k, v in r.data.items() if k != "text"},
                                         "text_erased": True}}
                   for r in rows if isinstance(r.data, dict) and "text" in r.data]
        if changed:
            conn.execute(update(events).where(events.c.id == bindparam("rid"))
                         .values(data=bindparam("new")), changed)
            erased += len(changed)
    window_u = [unanswered.c.created_at < cutoff, unanswered.c.text != ""]
    if since is not None:
        window_u.append(unanswered.c.created_at >= since)
    erased += conn.execute(update(unanswered).where(*window_u).values(text="")).rowcount
    return erased


class ResidentDataStore:
    def __init__(self, transactions: Transactions) -> None:
        self.transactions = transactions

    async def export(self, channel: str, external_id: str) -> dict[str, Any] | None:
        return await self.transactions.run(lambda c: _export(c, channel, external_id))

    async def erase(self, channel: str, external_id: str, today: dt.date) -> Erasure | None:
        """Erase everything about the resident; None when nothing was stored."""
        return await self.transactions.run(lambda c: _erase(c, channel, external_id, today))

    async def erase_texts(self, since: dt.datetime | None, cutoff: dt.datetime) -> int:
        return await self.transactions.run(lambda c: _erase_texts(c, since, cutoff))

    async def enqueue(self, messages: list[NewMessage], now: dt.datetime) -> None:
        """Queue answers about the resident's data for channels that send from the outbox."""
        await self.transactions.run(lambda c: insert_messages(c, messages, now))

    async def open_handoffs(self) -> int:
        def count(conn: Connection) -> int:
            return int(conn.execute(select(func.count()).select_from(handoffs)
                                    .where(handoffs.c.status == "open")).scalar() or 0)

        return await self.transactions.run(count)

    async def anonymous_counts(self) -> dict[tuple[str, str], int]:
        """Totals per (kind, guide) over all days (reports and tests)."""
        def totals(conn: Connection) -> dict[tuple[str, str], int]:
            rows = conn.execute(select(anonymous_counts.c.kind, anonymous_counts.c.flow_id,
                                       func.sum(anonymous_counts.c.n))
                                .group_by(anonymous_counts.c.kind, anonymous_counts.c.flow_id))
            return {(kind, flow): int(n) for kind, flow, n in rows}

        return await self.transactions.run(totals)
