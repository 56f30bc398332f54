"""What a turn of the hand-off sees: read under the resident's lock, then decided on purely.

:class:`View` is what :func:`reader` reads (the sender's party row, its ticket and the ticket a
button names, both locked until the turn commits). :class:`Ctx` is everything else a decision
needs; its :meth:`Ctx.effect` wraps storage work for the turn's transaction and records whom
to wake once it has committed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.engine.catalog import Catalog
from bot.engine.messages import Reply
from bot.storage import teams as team_db
from bot.storage import tickets as tk
from bot.storage.conversations import Effect, Read, StoredResident
from bot.storage.teams import MemberRow
from bot.storage.tickets import Party, Ticket, Tx
from bot.teams.directory import Directory
from bot.teams.lifecycle import Wake
from bot.turn_contract import HookTurn, Incoming

_NAMES_TICKET = ("t:ok:", "t:no:", "tk:x:")


@dataclass(frozen=True)
class View:
    party: Party | None = None
    ticket: Ticket | None = None  # the party's ticket
    pressed: Ticket | None = None  # the ticket a button names
    claimer: MemberRow | None = None  # who claimed ``ticket``
    memberships: tuple[MemberRow, ...] = ()  # the sender's, when they may be a member

    @property
    def member_ids(self) -> set[int]:
        return {m.id for m in self.memberships}


def named_ticket(payload: str | None) -> int | None:
    if payload is None or not payload.startswith(_NAMES_TICKET):
        return None
    number = payload.rsplit(":", 1)[1]
    return int(number) if number.isdigit() and len(number) < 19 else None


def reader(message: Incoming) -> Read:
    pressed_id = named_ticket(message.payload)
    telegram_user = (int(message.user_id) if message.channel == "telegram"
                     and message.user_id.isdigit() and len(message.user_id) < 19 else None)

    def read(conn: Tx, _: StoredResident) -> View:
        party = tk.party(conn, message.channel, message.user_id)
        ticket = (tk.ticket(conn, party.ticket_id, lock=True)
                  if party is not None and party.ticket_id is not None else None)
        pressed = None
        if pressed_id is not None:
            pressed = (ticket if ticket is not None and ticket.id == pressed_id
                       else tk.ticket(conn, pressed_id, lock=True))
        claimer = (team_db.member(conn, ticket.claimed_by)
                   if ticket is not None and ticket.claimed_by is not None else None)
        members: tuple[MemberRow, ...] = ()
        if telegram_user is not None and ((party is not None and party.role == "member")
                                          or (message.payload or "").startswith("tk:")):
            members = tuple(team_db.members_by_telegram(conn, telegram_user))
        return View(party, ticket, pressed, claimer, members)

    return read


@dataclass
class Ctx:
    message: Incoming
    resident: StoredResident
    view: View
    directory: Directory
    catalog: Catalog
    now: dt.datetime
    woken: Wake = field(default_factory=list)

    def effect(self, work: Callable[[Tx, int], Wake | None]) -> Effect:
        def run(conn: Tx, resident_id: int) -> None:
            self.woken.extend(work(conn, resident_id) or [])
        return run

    def turn(self, replies: list[Reply], *effects: Callable[[Tx, int], Wake | None],
             commune: str | None = None, engine: bool = False, event: str | None = None,
             after: list[Reply] | None = None, **data: object) -> HookTurn:
        events = [{"kind": event, "flow_id": None, "step_id": None, "data": dict(data)}
                  ] if event else []
        return HookTurn(replies=replies, effects=[self.effect(e) for e in effects],
                        events=events, commune=commune, engine=engine, woken=self.woken,
                        after=after or [])
