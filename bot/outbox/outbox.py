"""The durable outbox: one way to send anything outside a request, on any channel.

A service decides to send and writes the message in the same transaction as that decision
(a turn puts :meth:`Outbox.message` rows in its ``TurnWrite``; other code calls
:meth:`Outbox.send`). Each channel registers a :class:`Sender`; a worker claims the oldest
open message of each recipient, hands it to the sender and records the outcome:

``Delivered``    done.
``Retry``        a passing failure (platform down, 5xx, rate limit): tried again later with
                 exponential backoff, still before the recipient's later messages.
``Failed``       this message can never be sent (refused as malformed): the next one goes.
``Unreachable``  the recipient blocked or left us: their open messages are cancelled, nobody
                 else's.
``Hold``         not now, but it will be (a quota that waits for the resident to write):
                 parked until :meth:`release`.

Messages of one recipient go out strictly in order; recipients are served side by side, and
several workers (processes) can drain the same channel without sending anything twice (see
``bot/storage/queue.py``). A sender that delivers in several parts reports each delivered
part through ``progress``, so a retry resumes after the last part delivered.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from bot.clock import Clock
from bot.metrics import OUTBOX_RETRIES, SEND_ERRORS
from bot.outbox.pump import Pumps
from bot.storage.outbox import (
    CANCELLED,
    EXPIRED,
    FAILED,
    SENT,
    NewMessage,
    OutboxMessage,
    OutboxStore,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Delivered:
    pass


@dataclass(frozen=True)
class Retry:
    error: str
    after: dt.timedelta | None = None  # None: the outbox's backoff decides


@dataclass(frozen=True)
class Failed:
    error: str


@dataclass(frozen=True)
class Unreachable:
    error: str


@dataclass(frozen=True)
class Hold:
    error: str


Outcome = Delivered | Retry | Failed | Unreachable | Hold
Progress = Callable[[int], Awaitable[bool]]


class Sender(Protocol):
    """A channel's way out. ``deliver`` must not raise for expected platform errors; an
    exception is treated as a :class:`Retry`."""

    channel: str

    async def deliver(self, message: OutboxMessage, progress: Progress) -> Outcome: ...


@dataclass(frozen=True)
class Backoff:
    first: dt.timedelta = dt.timedelta(seconds=2)
    longest: dt.timedelta = dt.timedelta(minutes=15)
    max_attempts: int = 25  # about four hours of trying, then the message is marked failed

    def delay(self, attempts: int) -> dt.timedelta:
        delay: dt.timedelta = min(self.first * (2 ** max(attempts - 1, 0)), self.longest)
        return delay


class Outbox:
    def __init__(self, store: OutboxStore, clock: Clock, *, backoff: Backoff | None = None,
                 lease: dt.timedelta = dt.timedelta(minutes=2), batch: int = 20,
                 poll: float = 1.0, worker_id: str | None = None) -> None:
        self.store = store
        self.clock = clock
        self.backoff = backoff or Backoff()
        self.lease = lease
        self.batch = batch
        self.worker_id = worker_id or uuid.uuid4().hex
        self._senders: dict[str, Sender] = {}
        # Called with each sender registered (the proactive channels wrap the platforms').
        self.on_register: list[Callable[[Sender], None]] = []
        self._pumps = Pumps("outbox", poll)

    # ---------------------------------------------------------------- writing
    @staticmethod
    def message(channel: str, recipient: str, body: dict[str, Any], *,
                expires_at: dt.datetime | None = None) -> NewMessage:
        """A message to put in a transaction of your own (a turn's ``TurnWrite.outbox``)."""
        return NewMessage(channel, recipient, body, expires_at=expires_at)

    async def send(self, channel: str, recipient: str, body: dict[str, Any], *,
                   expires_at: dt.datetime | None = None) -> None:
        """Queue one message in its own transaction, and wake the channel's worker."""
        await self.store.enqueue([self.message(channel, recipient, body,
                                               expires_at=expires_at)], self.clock.now())
        self.wake(channel)

    async def release(self, channel: str, recipient: str) -> int:
        released = await self.store.release(channel, recipient)
        if released:
            self.wake(channel)
        return released

    async def cancel(self, channel: str, recipient: str, reason: str) -> int:
        return await self.store.cancel(channel, recipient, self.clock.now(), reason)

    # ---------------------------------------------------------------- sending
    def register(self, sender: Sender) -> None:
        self._senders[sender.channel] = sender
        self._pumps.add(sender.channel, lambda: self.drain(sender.channel))
        for listener in self.on_register:
            listener(sender)

    @property
    def channels(self) -> list[str]:
        """The channels with a registered sender."""
        return list(self._senders)

    def wake(self, channel: str) -> None:
        self._pumps.wake(channel)

    def stop(self) -> None:
        self._pumps.stop()

    async def run(self) -> None:
        """Drain every registered channel until cancelled."""
        await self._pumps.run()

    async def drain(self, channel: str) -> int:
        """One pass: claim a batch (one message per recipient) and deliver it. Returns how
        many messages were handled."""
        sender = self._senders[channel]
        claimed = await self.store.claim(channel, self.worker_id, self.clock.now(), self.lease,
                                         self.batch)
        await asyncio.gather(*(self._deliver(sender, message) for message in claimed))
        return len(claimed)

    async def _deliver(self, sender: Sender, message: OutboxMessage) -> None:
        now = self.clock.now()
        if message.expires_at is not None and message.expires_at <= now:
            await self.store.finish(message.id, self.worker_id, EXPIRED, now, "expired unsent")
            return

        async def progress(done: int) -> bool:
            return await self.store.set_progress(message.id, self.worker_id, done)

        try:
            outcome = await sender.deliver(message, progress)
        except Exception as error:  # a sender bug or an unexpected platform answer
            log.exception("outbox %s message %d: sender failed", sender.channel, message.id)
            outcome = Retry(f"{type(error).__name__}")
        await self._record(sender.channel, message, outcome)

    async def _record(self, channel: str, message: OutboxMessage, outcome: Outcome) -> None:
        now, worker = self.clock.now(), self.worker_id
        if isinstance(outcome, Delivered):
            await self.store.finish(message.id, worker, SENT, now)
        elif isinstance(outcome, Failed):
            SEND_ERRORS.labels(channel, "failed").inc()
            log.warning("outbox %s message %d failed: %s", channel, message.id, outcome.error)
            await self.store.finish(message.id, worker, FAILED, now, outcome.error)
        elif isinstance(outcome, Unreachable):
            SEND_ERRORS.labels(channel, "unreachable").inc()
            log.info("outbox %s: recipient unreachable (%s); their messages are cancelled",
                     channel, outcome.error)
            await self.store.finish(message.id, worker, CANCELLED, now, outcome.error)
            await self.store.cancel(channel, message.recipient, now, outcome.error)
        elif isinstance(outcome, Hold):
            await self.store.hold(message.id, worker, outcome.error)
        elif message.attempts >= self.backoff.max_attempts:
            SEND_ERRORS.labels(channel, "gave_up").inc()
            log.error("outbox %s message %d failed after %d attempts: %s", channel, message.id,
                      message.attempts, outcome.error)
            await self.store.finish(message.id, worker, FAILED, now, outcome.error)
        else:
            delay = outcome.after if outcome.after is not None else self.backoff.delay(
                message.attempts)
            SEND_ERRORS.labels(channel, "retry").inc()
            OUTBOX_RETRIES.labels(channel).inc()
            log.info("outbox %s message %d: %s; retry in %.0f s", channel, message.id,
                     outcome.error, delay.total_seconds())
            await self.store.retry(message.id, worker, now + delay, outcome.error)
