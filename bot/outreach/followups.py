"""Follow-ups (issue 26): a guide's waiting step offers to come back after some days; the
resident agrees or not; the question goes out through the same delivery as announcements
(one outbox, quiet hours, a limit per resident, once per resident whatever crashes); the
answer continues where the flow says.

The turn's part is pure (:mod:`bot.outreach.followup_turns`); this module runs what is due,
for the server's job (once across workers) and ``python -m bot followups run-due``.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from typing import Any

from bot.clock import Clock
from bot.engine.messages import Button, Reply
from bot.jobs import JobContext, PeriodicJob
from bot.outreach import delivery, texts
from bot.outreach.rules import Rules
from bot.storage import followups as db
from bot.storage.outreach_plan import plan
from bot.storage.runner import Transactions

Wake = Callable[[str, str], None]
NO_ANSWER_AFTER = dt.timedelta(days=7)  # a question nobody answered is closed then
RUN_EVERY = dt.timedelta(minutes=1)
RULES = Rules(per_day=2, per_week=5)  # follow-ups a resident asked for: their own limits


OUTCOMES = ("accepted", "cancelled", "sent", "done", "not_yet", "problem", "no_answer")
ANSWER_KEYS = ("done", "not_yet", "problem")


def answer_payload(followup_id: int, answer: str) -> str:
    return f"fu:a:{followup_id}:{answer}"


def question(row: db.FollowUpRow) -> tuple[Reply, ...]:
    return (Reply(row.ask, (Button(texts.ANSWER_DONE, answer_payload(row.id, "done")),
                            Button(texts.ANSWER_NOT_YET, answer_payload(row.id, "not_yet")),
                            Button(texts.ANSWER_PROBLEM, answer_payload(row.id, "problem")))),)


def _asking(row: db.FollowUpRow) -> Callable[[Any], tuple[Reply, ...]]:
    return lambda recipient: question(row)


class FollowUps:
    def __init__(self, transactions: Transactions, clock: Clock, *,
                 rules: Rules | None = None, wake: Wake | None = None, batch: int = 200
                 ) -> None:
        self.transactions = transactions
        self.clock = clock
        self.rules = rules or RULES
        self.wake = wake or (lambda channel, recipient: None)
        self.batch = batch

    async def run_due(self, now: dt.datetime | None = None) -> dict[str, Any]:
        """Send what is due at ``now``: ``{"sent": N, "skipped": {reason: n}}``."""
        moment = now or self.clock.now()
        skipped: Counter[str] = Counter()
        sent = 0
        closed = await self.transactions.run(
            lambda conn: db.expire(conn, moment - NO_ANSWER_AFTER, moment))
        if not self.rules.sending_allowed(moment):
            waiting = await self.transactions.run(lambda conn: len(db.due(conn, moment, 10**6)))
            return {"sent": 0, "skipped": {"quiet_hours": waiting} if waiting else {},
                    "closed_no_answer": closed}
        while True:
            done = await self.transactions.run(lambda conn: self._batch(conn, moment))
            if done is None:
                break
            sent += done[0]
            skipped.update(done[1])
        return {"sent": sent, "skipped": dict(skipped), "closed_no_answer": closed}

    def _batch(self, conn: Any, now: dt.datetime) -> tuple[int, Counter[str]] | None:
        rows = db.due(conn, now, self.batch)
        if not rows:
            return None
        sent, skipped = 0, Counter[str]()
        for row, recipient in rows:
            skip, message = delivery.planner(self.rules, _asking(row), now)
            outcome = plan(conn, db.KIND, row.id, [recipient], skip, message, now)
            if outcome.get("queued"):
                db.close(conn, row.id, db.SENT, now)
                sent += 1
                channel = recipient.channel
                self.wake(channel if channel == delivery.WEB else delivery.proactive(channel),
                          recipient.external_id)
            else:
                db.close(conn, row.id, db.SKIPPED, now)
                skipped.update(outcome)
        return sent, skipped

    async def of_resident(self, channel: str, external_id: str) -> list[db.FollowUpRow]:
        return await self.transactions.run(lambda conn: db.of_party(conn, channel, external_id))

    async def outcomes(self, units: list[str] | None) -> dict[str, dict[str, int]]:
        """Per guide: accepted, cancelled, sent, answered done / not yet / problem, no answer
        (residents of ``units``; None: everyone)."""
        found = await self.transactions.run(lambda conn: db.outcomes(conn, units))
        table: dict[str, dict[str, int]] = {}
        for (flow, status, answer), n in found.items():
            row = table.setdefault(flow, dict.fromkeys(OUTCOMES, 0))
            row["accepted"] += n
            if status == db.CANCELLED:
                row["cancelled"] += n
            if status in (db.SENT, db.ANSWERED, db.NO_ANSWER):
                row["sent"] += n
            if status == db.ANSWERED and answer in ANSWER_KEYS:
                row[answer] += n
            if status == db.NO_ANSWER:
                row["no_answer"] += n
        return table

    def job(self) -> PeriodicJob:
        async def run(context: JobContext) -> None:
            await self.run_due(context.now)

        return PeriodicJob("followups", RUN_EVERY, run)
