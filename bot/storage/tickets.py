"""Hand-off tickets: a resident's request for a person, its posts in team groups, the messages
relayed both ways, and who is talking to whom right now (``ticket_parties``).

Primitives only, each run inside a caller's transaction (a resident's turn, a claim, an
escalation pass). Claims are one conditional ``UPDATE`` (``WHERE status = 'open'``): of two
members pressing at once, exactly one changes the row. Escalation passes read due tickets with
``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so workers never escalate one ticket twice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
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
    bindparam,
    delete,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from bot.storage import residents_data
from bot.storage.outbox import outbox
from bot.storage.tables import BigId, events, handoffs, metadata
from bot.storage.teams import team_members

Tx = Connection  # what services hold while composing primitives in one transaction

ASKING, OPEN, CLAIMED, CLOSED, NO_TEAM = "asking", "open", "claimed", "closed", "no_team"
ACTIVE = (ASKING, OPEN, CLAIMED)

tickets = Table(
    "tickets", metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("resident_id", BigId, ForeignKey("residents.id", ondelete="CASCADE"),
           nullable=False),
    Column("channel", String(16), nullable=False),
    Column("recipient", String(64), nullable=False),
    Column("unit_id", String(30), nullable=True),  # the resident's unit
    Column("team_unit", String(30), nullable=True),  # whose team has it now
    Column("flow_id", String(32), nullable=True),
    Column("step_id", String(24), nullable=True),
    Column("context", JSON, nullable=False, default=dict),  # masked
    Column("status", String(12), nullable=False),
    Column("opened_at", DateTime(timezone=True), nullable=False),
    Column("posted_at", DateTime(timezone=True), nullable=True),
    Column("claimed_at", DateTime(timezone=True), nullable=True),
    Column("claimed_by", BigInteger, nullable=True),  # team_members.id
    Column("claimed_name", String(64), nullable=True),
    Column("closed_at", DateTime(timezone=True), nullable=True),
    Column("close_reason", String(16), nullable=True),
    Column("solved", Boolean, nullable=True),
    Column("phone_shared_at", DateTime(timezone=True), nullable=True),
    Column("escalations", Integer, nullable=False, default=0),
    Column("due_at", DateTime(timezone=True), nullable=True),
    Index("ix_tickets_status_due_at", "status", "due_at"),
    Index("ix_tickets_resident_id", "resident_id"),
    Index("ix_tickets_team_unit_status", "team_unit", "status"),
)

ticket_posts = Table(
    "ticket_posts", metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("ticket_id", BigId, ForeignKey("tickets.id", ondelete="CASCADE"), nullable=False),
    Column("unit_id", String(30), nullable=False),
    Column("chat", BigInteger, nullable=False),
    Column("message_id", BigInteger, nullable=True),
    Column("kind", String(10), nullable=False),  # new | escalated
    Column("text", Text, nullable=False),  # as posted, for the edits that follow
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("posted_at", DateTime(timezone=True), nullable=True),
    Column("failed_at", DateTime(timezone=True), nullable=True),
    Index("ix_ticket_posts_ticket_id", "ticket_id"),
)

ticket_messages = Table(
    "ticket_messages", metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("ticket_id", BigId, ForeignKey("tickets.id", ondelete="CASCADE"), nullable=False),
    Column("sender", String(8), nullable=False),  # resident | member | system
    Column("member_id", BigInteger, nullable=True),
    Column("text", Text, nullable=False),  # masked
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_ticket_messages_ticket_id", "ticket_id"),
)

# Who is in a hand-off right now, on each side: a resident asked for their commune, waiting
# for a member, or talking to one; a member talking to a resident (their current ticket).
ticket_parties = Table(
    "ticket_parties", metadata,
    Column("channel", String(16), primary_key=True),
    Column("party", String(64), primary_key=True),
    Column("role", String(8), nullable=False),  # resident | member
    Column("mode", String(8), nullable=False),  # asking | waiting | relay | member
    Column("ticket_id", BigInteger, nullable=True),
    Column("phone_consent", Boolean, nullable=False, default=False),
    Column("since", DateTime(timezone=True), nullable=False),  # last change or message
)


def aware(moment: dt.datetime | None) -> dt.datetime | None:
    """SQLite hands back naive datetimes; everything here is UTC."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment


@dataclass(frozen=True)
class Party:
    channel: str
    party: str
    role: str
    mode: str
    ticket_id: int | None
    phone_consent: bool
    since: dt.datetime


@dataclass(frozen=True)
class Ticket:
    id: int
    resident_id: int
    channel: str
    recipient: str
    unit_id: str | None
    team_unit: str | None
    flow_id: str | None
    step_id: str | None
    context: dict[str, Any]
    status: str
    opened_at: dt.datetime
    posted_at: dt.datetime | None
    claimed_at: dt.datetime | None
    claimed_by: int | None
    claimed_name: str | None
    closed_at: dt.datetime | None
    close_reason: str | None
    solved: bool | None
    phone_shared_at: dt.datetime | None
    escalations: int
    due_at: dt.datetime | None


@dataclass(frozen=True)
class Post:
    id: int
    ticket_id: int
    unit_id: str
    chat: int
    message_id: int | None
    kind: str
    text: str
    posted_at: dt.datetime | None
    failed_at: dt.datetime | None


@dataclass(frozen=True)
class Said:
    sender: str
    text: str
    member_id: int | None
    created_at: dt.datetime


_MOMENTS = ("opened_at", "posted_at", "claimed_at", "closed_at", "phone_shared_at", "due_at")


def _ticket(row: Any) -> Ticket:
    values = {name: getattr(row, name) for name in Ticket.__dataclass_fields__}
    for name in _MOMENTS:
        values[name] = aware(values[name])
    values["context"] = values["context"] or {}
    return Ticket(**values)


def _post(row: Any) -> Post:
    return Post(id=row.id, ticket_id=row.ticket_id, unit_id=row.unit_id, chat=row.chat,
                message_id=row.message_id, kind=row.kind, text=row.text,
                posted_at=aware(row.posted_at),
                failed_at=aware(row.failed_at))


def _insert(conn: Connection, table: Table) -> Any:
    return (sqlite_insert if conn.dialect.name == "sqlite" else pg_insert)(table)


# ------------------------------------------------------------------ parties
# Every turn asks whether its sender is in a hand-off: built once, not per turn.
_PARTY = select(ticket_parties).where(ticket_parties.c.channel == bindparam("channel"),
                                      ticket_parties.c.party == bindparam("party"))


def party(conn: Connection, channel: str, who: str) -> Party | None:
    row = conn.execute(_PARTY, {"channel": channel, "party": who}).first()
    if row is None:
        return None
    return Party(channel=row.channel, party=row.party, role=row.role, mode=row.mode,
                 ticket_id=row.ticket_id, phone_consent=bool(row.phone_consent),
                 since=aware(row.since) or row.since)


def set_party(conn: Connection, channel: str, who: str, role: str, mode: str,
              ticket_id: int | None, now: dt.datetime) -> None:
    values = {"role": role, "mode": mode, "ticket_id": ticket_id, "phone_consent": False,
              "since": now}
    conn.execute(_insert(conn, ticket_parties).values(channel=channel, party=who, **values)
                 .on_conflict_do_update(index_elements=["channel", "party"], set_=values))


def drop_party(conn: Connection, channel: str, who: str, ticket_id: int | None = None) -> None:
    """Forget a party's hand-off (only if it is still about ``ticket_id``, when given)."""
    query = delete(ticket_parties).where(ticket_parties.c.channel == channel,
                                         ticket_parties.c.party == who)
    if ticket_id is not None:
        query = query.where(ticket_parties.c.ticket_id == ticket_id)
    conn.execute(query)


def touch_party(conn: Connection, channel: str, who: str, ticket_id: int, now: dt.datetime
                ) -> None:
    """Something was said: ``since`` is the time of the last message (for idle relays)."""
    conn.execute(update(ticket_parties).where(
        ticket_parties.c.channel == channel, ticket_parties.c.party == who,
        ticket_parties.c.ticket_id == ticket_id).values(since=now))


def set_consent(conn: Connection, channel: str, who: str, consent: bool) -> None:
    conn.execute(update(ticket_parties).where(
        ticket_parties.c.channel == channel, ticket_parties.c.party == who).values(
        phone_consent=consent))


def parties_of(conn: Connection, ticket_id: int) -> list[Party]:
    return [Party(channel=r.channel, party=r.party, role=r.role, mode=r.mode,
                  ticket_id=r.ticket_id, phone_consent=bool(r.phone_consent),
                  since=aware(r.since) or r.since)
            for r in conn.execute(select(ticket_parties).where(
                ticket_parties.c.ticket_id == ticket_id))]


# ------------------------------------------------------------------ tickets
def open_ticket(conn: Connection, now: dt.datetime, **values: Any) -> int:
    result = conn.execute(tickets.insert().values(opened_at=now, escalations=0, **values))
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def ticket(conn: Connection, ticket_id: int, *, lock: bool = False) -> Ticket | None:
    query = select(tickets).where(tickets.c.id == ticket_id)
    if lock:
        query = query.with_for_update()
    row = conn.execute(query).first()
    return _ticket(row) if row is not None else None


def change(conn: Connection, ticket_id: int, **values: Any) -> None:
    conn.execute(update(tickets).where(tickets.c.id == ticket_id).values(**values))


def settle_requests(conn: Connection, resident_id: int) -> None:
    """The resident's hand-off requests (one ``handoffs`` row per request, written by the
    turn) are no longer open once their ticket is closed or found no team."""
    conn.execute(update(handoffs).where(handoffs.c.resident_id == resident_id,
                                        handoffs.c.status == "open").values(status="closed"))


def claim(conn: Connection, ticket_id: int, member_id: int, name: str, now: dt.datetime
          ) -> bool:
    """Exactly one of any number of simultaneous claims returns True."""
    return bool(conn.execute(update(tickets).where(
        tickets.c.id == ticket_id, tickets.c.status == OPEN).values(
        status=CLAIMED, claimed_by=member_id, claimed_name=name[:64], claimed_at=now,
        due_at=None)).rowcount)


def claimed_by(conn: Connection, member_id: int) -> list[int]:
    """The member's claimed tickets, the most recently claimed first."""
    return [r.id for r in conn.execute(select(tickets.c.id).where(
        tickets.c.claimed_by == member_id, tickets.c.status == CLAIMED).order_by(
        tickets.c.claimed_at.desc(), tickets.c.id.desc()))]


def due(conn: Connection, now: dt.datetime, limit: int) -> list[Ticket]:
    """Open tickets whose escalation time has come, locked for this transaction (workers
    running the same pass skip each other's rows on PostgreSQL)."""
    query = (select(tickets).where(tickets.c.status == OPEN, tickets.c.due_at <= now)
             .order_by(tickets.c.due_at).limit(limit))
    if conn.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return [_ticket(r) for r in conn.execute(query)]


def active_of_resident(conn: Connection, resident_id: int) -> Ticket | None:
    row = conn.execute(select(tickets).where(
        tickets.c.resident_id == resident_id, tickets.c.status.in_(ACTIVE)).order_by(
        tickets.c.id.desc()).limit(1)).first()
    return _ticket(row) if row is not None else None


def listing(conn: Connection, units: list[str] | None, statuses: tuple[str, ...],
            limit: int) -> list[Ticket]:
    """Tickets for an inbox, newest first: those posted to ``units``' teams or held by them
    now (None: all)."""
    query = select(tickets).where(tickets.c.status.in_(statuses)).order_by(
        tickets.c.id.desc()).limit(limit)
    if units is not None:
        posted = select(ticket_posts.c.ticket_id).where(ticket_posts.c.unit_id.in_(units))
        query = query.where(or_(tickets.c.team_unit.in_(units), tickets.c.id.in_(posted)))
    return [_ticket(r) for r in conn.execute(query)]


# ------------------------------------------------------------------ posts in groups
def add_post(conn: Connection, ticket_id: int, unit_id: str, chat: int, kind: str, text: str,
             now: dt.datetime) -> int:
    result = conn.execute(ticket_posts.insert().values(
        ticket_id=ticket_id, unit_id=unit_id, chat=chat, kind=kind, text=text,
        created_at=now))
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def posts(conn: Connection, ticket_id: int) -> list[Post]:
    return [_post(r) for r in conn.execute(select(ticket_posts).where(
        ticket_posts.c.ticket_id == ticket_id).order_by(ticket_posts.c.id))]


def post(conn: Connection, post_id: int) -> Post | None:
    row = conn.execute(select(ticket_posts).where(ticket_posts.c.id == post_id)).first()
    return _post(row) if row is not None else None


def mark_posted(conn: Connection, post_id: int, message_id: int | None, now: dt.datetime
                ) -> bool:
    """Record a post's delivery; False when it was recorded before (a redelivery)."""
    return bool(conn.execute(update(ticket_posts).where(
        ticket_posts.c.id == post_id, ticket_posts.c.posted_at.is_(None)).values(
        posted_at=now, message_id=message_id)).rowcount)


def mark_failed(conn: Connection, post_id: int, now: dt.datetime) -> bool:
    return bool(conn.execute(update(ticket_posts).where(
        ticket_posts.c.id == post_id, ticket_posts.c.posted_at.is_(None),
        ticket_posts.c.failed_at.is_(None)).values(failed_at=now)).rowcount)


# ------------------------------------------------------------------ messages
def add_message(conn: Connection, ticket_id: int, sender: str, text: str, now: dt.datetime,
                member_id: int | None = None) -> None:
    conn.execute(ticket_messages.insert().values(ticket_id=ticket_id, sender=sender,
                                                 member_id=member_id, text=text,
                                                 created_at=now))


def messages(conn: Connection, ticket_id: int) -> list[Said]:
    return [Said(sender=r.sender, text=r.text, member_id=r.member_id,
                 created_at=aware(r.created_at) or r.created_at)
            for r in conn.execute(select(ticket_messages).where(
                ticket_messages.c.ticket_id == ticket_id).order_by(ticket_messages.c.id))]


def recent_texts(conn: Connection, resident_id: int, limit: int) -> list[str]:
    """What the resident typed last (already masked when it was stored), oldest first."""
    rows = conn.execute(select(events.c.data).where(
        events.c.resident_id == resident_id, events.c.kind == "message_in").order_by(
        events.c.id.desc()).limit(limit * 3))
    texts = [r.data.get("text") for r in rows if isinstance(r.data, dict)]
    return [t for t in texts if isinstance(t, str) and t.strip()][:limit][::-1]


# ------------------------------------------------------------------ residents' data rights
def _resident_tickets(conn: Connection, resident_id: int) -> list[Ticket]:
    return [_ticket(r) for r in conn.execute(select(tickets).where(
        tickets.c.resident_id == resident_id).order_by(tickets.c.id))]


def export_resident(conn: Connection, resident_id: int, channel: str, who: str
                    ) -> dict[str, Any]:
    """The resident's tickets and what was said in them (masked as stored)."""
    def iso(moment: dt.datetime | None) -> str | None:
        return moment.isoformat() if moment else None

    return {"tickets": [
        {"opened_at": iso(t.opened_at), "status": t.status, "flow_id": t.flow_id,
         "step_id": t.step_id, "team_unit": t.team_unit, "claimed_by": t.claimed_name,
         "closed_at": iso(t.closed_at), "solved": t.solved,
         "phone_shared_at": iso(t.phone_shared_at),
         "messages": [{"at": iso(m.created_at), "from": m.sender, "text": m.text}
                      for m in messages(conn, t.id) if m.sender != "system"]}
        for t in _resident_tickets(conn, resident_id)]}


def erase_resident(conn: Connection, resident_id: int, channel: str, who: str) -> None:
    """Everything the hand-off kept about the resident; members relaying with them are
    released (a message already in a team's Telegram group cannot be taken back)."""
    found = _resident_tickets(conn, resident_id)
    ids = [t.id for t in found]
    conn.execute(delete(ticket_parties).where(
        (ticket_parties.c.channel == channel) & (ticket_parties.c.party == who)))
    if not ids:
        return
    conn.execute(delete(ticket_parties).where(ticket_parties.c.ticket_id.in_(ids)))
    # What the outbox holds for teams about these tickets (group posts, their edits, relays
    # to members): in the groups' and the members' queues, each naming its ticket.
    parties = {str(p.chat) for t in ids for p in posts(conn, t)}
    claimers = [t.claimed_by for t in found if t.claimed_by is not None]
    if claimers:
        parties |= {str(r.telegram_user) for r in conn.execute(
            select(team_members.c.telegram_user).where(team_members.c.id.in_(claimers)))
            if r.telegram_user is not None}
    if parties:
        rows = conn.execute(select(outbox.c.id, outbox.c.body).where(
            outbox.c.channel == "telegram", outbox.c.party.in_(sorted(parties))))
        doomed = [r.id for r in rows if isinstance(r.body, dict) and r.body.get("ticket") in ids]
        if doomed:
            conn.execute(delete(outbox).where(outbox.c.id.in_(doomed)))
    for table in (ticket_messages, ticket_posts):
        conn.execute(delete(table).where(table.c.ticket_id.in_(ids)))
    conn.execute(delete(tickets).where(tickets.c.id.in_(ids)))


residents_data.ERASERS.append(erase_resident)
residents_data.EXPORTERS.append(export_resident)
