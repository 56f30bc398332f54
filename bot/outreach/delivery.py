"""From "send this to these residents" to messages on their way, within the rules.

:func:`bot.storage.outreach_plan.plan` runs inside the caller's transaction (an
announcement's batch, due follow-ups): for each resident not yet targeted by that message it
writes one ``outreach_deliveries`` row (skipped, with the reason, or queued) and, when
queued, one outbox row, together. The unique
key (kind, message, resident) makes a second plan of the same residents a no-op, so a batch
cut off by a crash is simply planned again.

Queued messages go through the one outbox: web chat rows wait in the resident's mailbox
(``/api/chat/updates``) for ``web_keep``; Telegram and Zalo rows are queued on the proactive
channels ``p:telegram`` and ``p:zalo``, whose :class:`ProactiveSender` checks the quiet hours
again, paces Telegram across workers, marks the delivery ``sending`` just before the platform
gets it and only then calls the channel's own sender. A claim that finds its delivery already
``sending`` knows a worker stopped while the platform had it: it records ``uncertain`` and
never sends again (Telegram offers no way to ask whether it arrived; a repeat is what gets a
bot blocked).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from bot.clock import Clock
from bot.engine.messages import Reply
from bot.outbox import Delivered, Failed, Hold, Outcome, Progress, Retry, Sender, Unreachable
from bot.outbox.replies import replies_body
from bot.outreach.rules import NOT_ACTIVE, ZALO_WINDOW, Rules
from bot.storage import outreach as db
from bot.storage import outreach_plan
from bot.storage.outbox import OutboxMessage
from bot.storage.rate_counters import RateCounterStore
from bot.storage.runner import Transactions

PREFIX = "p:"
WEB = "web"
SENT_CHANNELS = ("telegram", "zalo")  # the channels with a proactive sender
STALE_AFTER = dt.timedelta(days=3)  # a Telegram/Zalo message not sent by then is dropped
Render = Callable[[db.Recipient], tuple[Reply, ...]]


def proactive(channel: str) -> str:
    return PREFIX + channel


def planner(rules: Rules, render: Render, now: dt.datetime
            ) -> tuple[outreach_plan.SkipReason, outreach_plan.Message]:
    """The rules and the rendering :func:`bot.storage.outreach_plan.plan` applies."""
    def skip_reason(r: db.Recipient, zalo_last: dt.datetime | None, day: int, week: int
                    ) -> str | None:
        if r.channel != WEB and r.channel not in SENT_CHANNELS:
            return NOT_ACTIVE
        return rules.skip_reason(r.channel, r.active, zalo_last, day, week, now)

    def message(r: db.Recipient) -> tuple[str, dict[str, Any], dt.datetime]:
        body = replies_body(render(r))
        if r.channel == WEB:
            return WEB, body, now + rules.web_keep
        return proactive(r.channel), body, now + STALE_AFTER

    return skip_reason, message


class SharedPace:
    """At most ``per_second`` sends a second across every worker: a counter per second in
    the shared ``rate_counters`` table; a send over the count waits for the next second."""

    def __init__(self, store: RateCounterStore, key: str, per_second: int) -> None:
        self.store, self.key, self.per_second = store, key[:40], per_second

    async def wait(self) -> None:
        while True:
            second = int(time.time())
            totals = await self.store.add({(self.key, second + 1): 1})
            if totals[(self.key, second + 1)] <= self.per_second:
                return
            await asyncio.sleep(max(second + 1 - time.time(), 0.0) + 0.001)


class ProactiveSender:
    """The rules at sending time, around a channel's own sender (see the module's text)."""

    def __init__(self, inner: Sender, transactions: Transactions, clock: Clock, rules: Rules,
                 pace: SharedPace | None = None) -> None:
        self.inner = inner
        self.channel = proactive(inner.channel)
        self.transactions = transactions
        self.clock = clock
        self.rules = rules
        self.pace = pace

    async def deliver(self, message: OutboxMessage, progress: Progress) -> Outcome:
        marker = message.body.get("proactive")
        delivery = marker.get("delivery") if isinstance(marker, dict) else None
        if not isinstance(delivery, int):
            return Failed("not a proactive message")
        now = self.clock.now()
        if not self.rules.sending_allowed(now):
            return Retry("quiet hours", after=self.rules.release_time(now) - now)
        if self.pace is not None:
            await self.pace.wait()
        before = await self.transactions.run(lambda conn: db.start_sending(conn, delivery))
        if before == db.SENDING:
            await self._finish(delivery, db.UNCERTAIN, "worker stopped mid-send")
            return Failed("a worker stopped while sending it: not sent again")
        if before != db.QUEUED:
            return Failed(f"delivery {before or 'gone'}")
        outcome = await self.inner.deliver(replace(message, channel=self.inner.channel),
                                           progress)
        if isinstance(outcome, Delivered):
            await self._finish(delivery, db.SENT)
        elif isinstance(outcome, Retry):
            await self.transactions.run(lambda conn: db.requeue(conn, delivery))
        elif isinstance(outcome, Hold):  # Zalo: the resident's window closed meanwhile
            await self._finish(delivery, db.SKIPPED, ZALO_WINDOW)
            return Failed(outcome.error)
        elif isinstance(outcome, Unreachable):
            await self._gone(delivery, message.recipient)
        else:
            await self._finish(delivery, db.FAILED, outcome.error[:24])
        return outcome

    async def _finish(self, delivery: int, status: str, reason: str | None = None) -> None:
        now = self.clock.now()
        await self.transactions.run(lambda conn: db.finish(conn, delivery, status, now, reason))

    async def _gone(self, delivery: int, recipient: str) -> None:
        """Blocked (Telegram 403) or unfollowed (Zalo): that is a resident saying stop."""
        now, channel = self.clock.now(), self.inner.channel
        reason = "blocked" if channel == "telegram" else "unfollowed"

        await self.transactions.run(
            lambda conn: db.give_up(conn, delivery, channel, recipient, now, reason))


def rules_of(per_day: int, per_week: int) -> Rules:
    return Rules(per_day=per_day, per_week=per_week)


def wrap_platforms(register: Callable[[Sender], None], transactions: Transactions,
                   clock: Clock, rules: Rules, pace: SharedPace) -> Callable[[Sender], None]:
    """An ``Outbox.on_register`` listener: each platform's sender gets its proactive twin
    (``p:telegram`` paced across workers, ``p:zalo`` paced by the Zalo sender itself)."""
    def listen(sender: Sender) -> None:
        if sender.channel in SENT_CHANNELS:
            register(ProactiveSender(sender, transactions, clock, rules,
                                     pace if sender.channel == "telegram" else None))

    return listen
