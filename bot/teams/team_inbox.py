"""The team's inbox, for the console (and for reports): tickets of a member's units (admins:
all) with their masked context and the messages exchanged, and the same claim, reply and
close a member has on Telegram, for staff who work from the console.

A console member is a ``team_members`` row tied to an account (``account_id``); the relay to a
resident is the same as from Telegram, and the resident sees the member's name either way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.clock import Clock
from bot.storage import teams as team_db
from bot.storage import tickets as tk
from bot.storage.audit import AuditEntry, append_sync
from bot.storage.runner import Transactions
from bot.storage.teams import MemberRow
from bot.storage.tickets import Post, Said, Ticket, Tx
from bot.teams import lifecycle
from bot.teams.desk import CLOSED, TAKEN, WON, ClaimOutcome
from bot.teams.handoff import Wake
from bot.teams.registry import Registry

EVERY_STATUS = (tk.ASKING, tk.OPEN, tk.CLAIMED, tk.CLOSED, tk.NO_TEAM)


@dataclass(frozen=True)
class TicketView:
    ticket: Ticket
    posts: list[Post]
    said: list[Said]  # masked, oldest first
    place: str
    team: str | None


class TeamInbox:
    def __init__(self, transactions: Transactions, registry: Registry, clock: Clock,
                 wake: Wake) -> None:
        self.transactions = transactions
        self.registry = registry
        self.clock = clock
        self.wake = wake

    def _woken(self, woken: lifecycle.Wake) -> None:
        for channel, recipient in dict.fromkeys(woken):
            self.wake(channel, recipient)

    # ------------------------------------------------------------- members
    async def members_of(self, account_id: int) -> list[MemberRow]:
        return await self.transactions.run(
            lambda conn: team_db.members_by_account(conn, account_id))

    async def add_console_member(self, unit_id: str, account_id: int, name: str,
                                 audit: AuditEntry | None = None) -> MemberRow:
        if not self.registry.directory.knows(unit_id):
            raise LookupError(unit_id)
        now = self.clock.now()

        def run(conn: Tx) -> MemberRow:
            member = team_db.add_account_member(conn, unit_id, account_id, name, now)
            if audit is not None:
                append_sync(conn, audit, now)
            return member

        member = await self.transactions.run(run)
        await self.registry.load()  # the unit's tickets come to the console from now on
        return member

    async def invite(self, unit_id: str, account_id: int, audit: AuditEntry) -> None:
        """A commune editor's invitation: the account joins the team only once it accepts
        (an admin adds members directly, :meth:`add_console_member`)."""
        if not self.registry.directory.knows(unit_id):
            raise LookupError(unit_id)
        now = self.clock.now()

        def run(conn: Tx) -> None:
            team_db.add_invitation(conn, unit_id, account_id, audit.actor, now)
            append_sync(conn, audit, now)

        await self.transactions.run(run)

    async def invitations(self, account_id: int) -> list[team_db.Invitation]:
        return await self.transactions.run(
            lambda conn: team_db.pending_invitations(conn, account_id))

    async def answer(self, invitation_id: int, account_id: int, login: str, accept: bool
                     ) -> str | None:
        """Accept (join the team) or decline; the unit, or None when it is not theirs."""
        now = self.clock.now()

        def run(conn: Tx) -> str | None:
            unit_id = team_db.answer_invitation(conn, invitation_id, account_id, accept, now)
            if unit_id is None:
                return None
            if accept:
                team_db.add_account_member(conn, unit_id, account_id, login, now)
            append_sync(conn, AuditEntry(account_id, login, "team.invitation_accepted" if accept
                                         else "team.invitation_declined", unit_id), now)
            return unit_id

        return await self.transactions.run(run)

    async def members(self, unit_id: str) -> list[MemberRow]:
        return await self.transactions.run(lambda conn: team_db.unit_members(conn, unit_id))

    async def member_counts(self) -> dict[str, int]:
        return await self.transactions.run(team_db.member_counts)

    # ------------------------------------------------------------- reading
    async def tickets(self, units: Sequence[str] | None,
                      statuses: tuple[str, ...] = EVERY_STATUS, limit: int = 100
                      ) -> list[Ticket]:
        """Newest first; ``units``: a member's units (None: everything, for admins)."""
        chosen = list(units) if units is not None else None
        return await self.transactions.run(
            lambda conn: tk.listing(conn, chosen, statuses, limit))

    async def ticket(self, ticket_id: int, units: Sequence[str] | None) -> TicketView | None:
        """One ticket with its posts and messages; None when it is not ``units``' to see."""
        def run(conn: Tx) -> tuple[Ticket, list[Post], list[Said]] | None:
            ticket = tk.ticket(conn, ticket_id)
            if ticket is None:
                return None
            posts = tk.posts(conn, ticket_id)
            seen = {ticket.team_unit, *(p.unit_id for p in posts)}
            if units is not None and not seen & set(units):
                return None
            return ticket, posts, tk.messages(conn, ticket_id)

        found = await self.transactions.run(run)
        if found is None:
            return None
        ticket, posts, said = found
        directory = self.registry.directory
        unit = directory.get(ticket.team_unit)
        return TicketView(ticket, posts, said, directory.label(ticket.unit_id),
                          directory.team(unit).name if unit is not None else None)

    # ------------------------------------------------------------- acting
    async def claim(self, ticket_id: int, member: MemberRow, audit: AuditEntry | None = None
                    ) -> ClaimOutcome:
        now, directory = self.clock.now(), self.registry.directory

        def run(conn: Tx) -> tuple[ClaimOutcome, lifecycle.Wake]:
            ticket = tk.ticket(conn, ticket_id, lock=True)
            if ticket is None or ticket.status not in (tk.OPEN, tk.CLAIMED):
                return ClaimOutcome(CLOSED, ticket_id), []
            woken = lifecycle.claim(conn, directory, ticket, member, now)
            if woken is None:
                again = tk.ticket(conn, ticket_id)
                return ClaimOutcome(TAKEN, ticket_id, again.claimed_name if again else None), []
            if audit is not None:
                append_sync(conn, audit, now)
            return ClaimOutcome(WON, ticket_id, member.name), woken

        outcome, woken = await self.transactions.run(run)
        self._woken(woken)
        return outcome

    async def reply(self, ticket_id: int, member: MemberRow, text: str,
                    audit: AuditEntry | None = None) -> bool:
        """The member's words to the resident; False unless they hold the ticket."""
        words = " ".join(text.split())[:2000] if text.strip() else ""
        now = self.clock.now()

        def run(conn: Tx) -> lifecycle.Wake | None:
            ticket = tk.ticket(conn, ticket_id, lock=True)
            if not words or ticket is None or ticket.status != tk.CLAIMED \
                    or ticket.claimed_by != member.id:
                return None
            if audit is not None:
                append_sync(conn, audit, now)
            return lifecycle.to_resident(conn, ticket, member.id, words, now)

        woken = await self.transactions.run(run)
        self._woken(woken or [])
        return woken is not None

    async def close(self, ticket_id: int, member: MemberRow | None,
                    audit: AuditEntry | None = None) -> bool:
        """Close a ticket: its claimer, or (``member`` None) an admin, whatever its state."""
        now = self.clock.now()

        def run(conn: Tx) -> lifecycle.Wake | None:
            ticket = tk.ticket(conn, ticket_id, lock=True)
            if ticket is None or ticket.status not in tk.ACTIVE:
                return None
            if member is not None and ticket.claimed_by != member.id:
                return None
            if audit is not None:
                append_sync(conn, audit, now)
            return lifecycle.close(conn, ticket, "console", now)

        woken = await self.transactions.run(run)
        self._woken(woken or [])
        return woken is not None
