"""Ticket work outside residents' turns: a member's claim (the group's "🙋 Tôi nhận" or the
console), the group posts' delivery reports from the Telegram sender, and escalation.

Escalation is a worker (:meth:`TicketDesk.run`) that, about once a second, takes the open
tickets whose time has come in one transaction, locked with ``FOR UPDATE SKIP LOCKED`` on
PostgreSQL (SQLite's single write lock otherwise): with several workers each ticket escalates
once, and the group post it causes is written in that same transaction. The times live in the
tickets table, so a restart loses none. (The ops issue's lease/periodic-job primitive had not
landed when this was written; this needs no lease, as each pass is one transaction.)
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.clock import Clock
from bot.outbox.pump import Pump
from bot.storage import teams as team_db
from bot.storage import tickets as tk
from bot.storage.runner import Transactions
from bot.storage.tickets import Tx
from bot.teams import lifecycle, messages
from bot.teams.handoff import Wake
from bot.teams.registry import Registry

log = logging.getLogger(__name__)
WON, TAKEN, CLOSED, NOT_MEMBER, BUSY = "won", "taken", "closed", "not_member", "busy"


@dataclass(frozen=True)
class ClaimOutcome:
    kind: str
    ticket_id: int
    name: str | None = None  # who has it (won: the claimer; taken: the other member)


class TicketDesk:
    def __init__(self, transactions: Transactions, registry: Registry, clock: Clock,
                 wake: Wake, *, poll: float = 1.0, batch: int = 20) -> None:
        self.transactions = transactions
        self.registry = registry
        self.clock = clock
        self.wake = wake
        self.batch = batch
        self.pump = Pump("teams[escalation]", self.escalate_due, poll)

    def _woken(self, woken: lifecycle.Wake) -> None:
        for channel, recipient in dict.fromkeys(woken):
            self.wake(channel, recipient)

    # ------------------------------------------------------------- claims
    async def claim_telegram(self, ticket_id: int, telegram_user: int) -> ClaimOutcome:
        """A press of "🙋 Tôi nhận": exactly one of simultaneous presses wins."""
        now, directory = self.clock.now(), self.registry.directory

        def run(conn: Tx) -> tuple[ClaimOutcome, lifecycle.Wake]:
            ticket = tk.ticket(conn, ticket_id, lock=True)
            if ticket is None or ticket.status not in (tk.OPEN, tk.CLAIMED):
                return ClaimOutcome(CLOSED, ticket_id), []
            if ticket.status == tk.CLAIMED:
                return ClaimOutcome(TAKEN, ticket_id, ticket.claimed_name), []
            posted = {p.unit_id for p in tk.posts(conn, ticket_id)}
            member = next((m for m in team_db.members_by_telegram(conn, telegram_user)
                           if m.unit_id in posted), None)
            if member is None:
                return ClaimOutcome(NOT_MEMBER, ticket_id), []
            own = tk.party(conn, messages.GROUP_CHANNEL, str(telegram_user))
            if own is not None and own.role == "resident":
                return ClaimOutcome(BUSY, ticket_id), []
            woken = lifecycle.claim(conn, directory, ticket, member, now)
            if woken is None:  # another claim committed between our read and update
                again = tk.ticket(conn, ticket_id)
                return ClaimOutcome(TAKEN, ticket_id, again.claimed_name if again else None), []
            return ClaimOutcome(WON, ticket_id, member.name), woken

        outcome, woken = await self.transactions.run(run)
        self._woken(woken)
        if outcome.kind == WON:
            log.info("ticket %d claimed", ticket_id)
        return outcome

    # ------------------------------------------------------------- group posts' delivery
    async def posted(self, post_id: int, message_id: int | None) -> None:
        now, directory = self.clock.now(), self.registry.directory
        self._woken(await self.transactions.run(
            lambda conn: lifecycle.posted(conn, directory, post_id, message_id, now)))

    async def failed(self, post_id: int, *, group_gone: bool = False) -> None:
        """A post Telegram refused for good; ``group_gone``: the bot is no longer in the
        group, which is unlinked before the ticket escalates."""
        post = await self.transactions.run(lambda conn: tk.post(conn, post_id))
        if post is None:
            return
        if group_gone:
            await self.registry.group_gone(post.chat)
        now, directory = self.clock.now(), self.registry.directory
        self._woken(await self.transactions.run(
            lambda conn: lifecycle.failed(conn, directory, post_id, now)))
        await self.escalate_due()

    async def message_of(self, post_id: int) -> int | None:
        """The Telegram message id of a delivered post, for editing it."""
        post = await self.transactions.run(lambda conn: tk.post(conn, post_id))
        return post.message_id if post is not None else None

    # ------------------------------------------------------------- escalation
    async def escalate_due(self) -> int:
        """One pass: escalate the tickets whose time has come. Returns how many."""
        now, directory = self.clock.now(), self.registry.directory

        def run(conn: Tx) -> tuple[int, lifecycle.Wake]:
            woken: lifecycle.Wake = []
            due = tk.due(conn, now, self.batch)
            for ticket in due:
                woken += lifecycle.escalate(conn, directory, ticket, now)
            return len(due), woken

        count, woken = await self.transactions.run(run)
        self._woken(woken)
        if count:
            log.info("escalated %d unclaimed ticket(s)", count)
        return count

    async def run(self) -> None:
        await self.pump.run()

    def stop(self) -> None:
        self.pump.stop()
