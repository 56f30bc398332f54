"""Keeps the reports' figures as part of each turn (see ``bot/storage/reach.py``).

The engine's events say what happened: ``flow_started``, ``step_reached`` (or
``step_skipped``: a branch taken for the resident, who passed that step), ``flow_completed``
or ``flow_ended`` (``end: pending``: the resident did their part), ``feedback`` (👍) and
``handoff_requested`` ("🆘 Tôi bị kẹt"). They become one guide run per start, counted once
per step, in the turn's own transaction. A run opened through a team member's link remembers
the member; when it finishes, the member gets a notice through the outbox (unless they turned
it off) that names the guide and nothing about the resident.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from bot.clock import Clock
from bot.engine.messages import Event, Reply
from bot.outbox.replies import replies_body
from bot.reports import texts
from bot.reports.links import member_id
from bot.storage import reach
from bot.storage import teams as team_db
from bot.storage.conversations import Effect
from bot.storage.outbox import NewMessage, insert_messages
from bot.storage.runner import Transactions
from bot.teams.hours import VIETNAM

KINDS = frozenset({"flow_started", "step_reached", "step_skipped", "flow_completed",
                   "flow_ended", "feedback", "handoff_requested"})
Tx = team_db.Tx


def _finish(event: Event) -> str | None:
    if event.kind == "flow_completed":
        return "completed"
    if event.kind == "flow_ended" and event.data.get("end") == "pending":
        return "pending"
    return None


class Recorder:
    def __init__(self, clock: Clock, title: Callable[[str], str]) -> None:
        self.clock = clock
        self.title = title  # a guide's short name, for the member's notice

    def effects(self, events: tuple[Event, ...], unit: str | None,
                member: str | None) -> list[Effect]:
        relevant = [e for e in events if e.kind in KINDS and e.flow_id]
        if not relevant:
            return []
        now = self.clock.now()
        day = now.astimezone(VIETNAM).date()
        linked = member_id(member)

        def effect(conn: Tx, resident_id: int) -> None:
            runs: dict[str, reach.Run | None] = {}
            attributed = _member(conn, linked)
            for event in relevant:
                flow_id = event.flow_id or ""
                if event.kind == "flow_started":
                    runs[flow_id] = reach.start_run(conn, resident_id, flow_id, unit or "",
                                                    attributed, now, day)
                    attributed = None  # the link opened one guide; later ones are the resident's
                    continue
                if flow_id not in runs:
                    runs[flow_id] = reach.latest_run(conn, resident_id, flow_id)
                run = runs[flow_id]
                if run is None:
                    continue
                runs[flow_id] = self._apply(conn, run, event, now)

        return [effect]

    def _apply(self, conn: Tx, run: reach.Run, event: Event, now: dt.datetime
               ) -> reach.Run:
        if event.kind in ("step_reached", "step_skipped") and event.step_id:
            return reach.mark_step(conn, run, event.step_id)
        if event.kind == "handoff_requested" and event.step_id and run.finish is None:
            return reach.mark_step(conn, run, event.step_id, stuck=True)
        if event.kind == "feedback" and event.data.get("verdict") == "useful" and run.finish:
            reach.confirm_run(conn, run, now)
            return run
        finish = _finish(event)
        if finish is not None and reach.finish_run(conn, run, finish, now):
            self._notify(conn, run, finish, now)
        return run

    def _notify(self, conn: Tx, run: reach.Run, finish: str, now: dt.datetime) -> None:
        if run.member_id is None:
            return
        found = team_db.member(conn, run.member_id)
        if found is None or found.telegram_user is None or reach.opted_out(
                conn, f"member:{run.member_id}"):
            return
        line = texts.NOTICE_COMPLETED if finish == "completed" else texts.NOTICE_PENDING
        text = f"{line.format(title=self.title(run.flow_id))}\n\n{texts.NOTICE_OFF_HINT}"
        insert_messages(conn, [NewMessage("telegram", str(found.telegram_user),
                                          replies_body([Reply(text)]))], now)


def _member(conn: Tx, wanted: int | None) -> int | None:
    """The member a link names, when that member exists and is active."""
    if wanted is None:
        return None
    found = team_db.member(conn, wanted)
    return found.id if found is not None else None


class OptOuts:
    """Members' and teams' choices about notices and summaries."""

    def __init__(self, transactions: Transactions, clock: Clock) -> None:
        self.transactions = transactions
        self.clock = clock

    async def choose(self, subject: str, out: bool) -> None:
        now = self.clock.now()
        await self.transactions.run(lambda conn: reach.set_optout(conn, subject, out, now))

    async def chosen(self, subjects: list[str]) -> set[str]:
        return await self.transactions.run(lambda conn: reach.optouts(conn, subjects))
