"""The durable inbox: platform events stored before they are acknowledged, processed after.

A webhook calls :meth:`Inbox.accept` and answers the platform at once; a worker hands each
stored event to the channel's :class:`InboxHandler`. Events of one sender are processed in the
order they arrived, senders side by side, across any number of workers. An event still pending
when the process dies (acknowledged, never processed) is processed after the restart; a handler
that raises is retried with backoff and, after ``max_attempts``, told to give up.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import uuid
from typing import Any, Protocol

from bot.clock import Clock
from bot.outbox.pump import Pumps
from bot.storage.inbox import DONE, FAILED, InboxEvent, InboxStore

log = logging.getLogger(__name__)


class InboxHandler(Protocol):
    async def handle(self, event: InboxEvent) -> None: ...

    def scrub(self, body: dict[str, Any]) -> dict[str, Any]:
        """The body to keep once the event is finished: what the resident wrote is stored
        raw only while it waits to be processed, then masked like everything else."""
        ...

    async def gave_up(self, event: InboxEvent) -> None:
        """The event failed ``max_attempts`` times (apologise, alert...)."""
        ...


class Inbox:
    def __init__(self, store: InboxStore, clock: Clock, *,
                 lease: dt.timedelta = dt.timedelta(minutes=5), batch: int = 20,
                 poll: float = 1.0, max_attempts: int = 5,
                 retry_after: dt.timedelta = dt.timedelta(seconds=5),
                 worker_id: str | None = None) -> None:
        self.store = store
        self.clock = clock
        self.lease = lease
        self.batch = batch
        self.max_attempts = max_attempts
        self.retry_after = retry_after
        self.worker_id = worker_id or uuid.uuid4().hex
        self._handlers: dict[str, InboxHandler] = {}
        self._pumps = Pumps("inbox", poll)

    def register(self, channel: str, handler: InboxHandler) -> None:
        self._handlers[channel] = handler
        self._pumps.add(channel, lambda: self.drain(channel))

    async def accept(self, channel: str, key: str, sender: str, body: dict[str, Any]) -> bool:
        """Store an event; False when it was stored before (a redelivery)."""
        new = await self.store.accept(channel, key, sender, body, self.clock.now())
        if new:
            self._pumps.wake(channel)
        return new

    def stop(self) -> None:
        self._pumps.stop()

    async def run(self) -> None:
        await self._pumps.run()

    async def drain(self, channel: str) -> int:
        handler = self._handlers[channel]
        events = await self.store.claim(channel, self.worker_id, self.clock.now(), self.lease,
                                        self.batch)
        await asyncio.gather(*(self._process(handler, event) for event in events))
        return len(events)

    async def _process(self, handler: InboxHandler, event: InboxEvent) -> None:
        try:
            await handler.handle(event)
        except Exception as error:
            log.exception("inbox %s event %d failed (attempt %d)", event.channel, event.id,
                          event.attempts)
            if event.attempts < self.max_attempts:
                delay = self.retry_after * (2 ** (event.attempts - 1))
                await self.store.retry(event.id, self.worker_id, self.clock.now() + delay,
                                       type(error).__name__)
                return
            await self.store.finish(event.id, self.worker_id, FAILED, self.clock.now(),
                                    type(error).__name__, body=handler.scrub(event.body))
            try:
                await handler.gave_up(event)
            except Exception:
                log.exception("inbox %s event %d: giving up failed too", event.channel,
                              event.id)
            return
        await self.store.finish(event.id, self.worker_id, DONE, self.clock.now(),
                                body=handler.scrub(event.body))
