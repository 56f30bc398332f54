"""One worker at a time runs a piece of continuous work: the holder of a database lease.

``Leader.tick()`` takes or renews the lease and starts or stops the work accordingly;
``run()`` ticks every ``renew_every`` seconds until cancelled. A leader that cannot renew
stops its work before the lease can have expired, so two workers never run it knowingly at
once; if it dies, another worker's tick takes the lease once it expires. With ``ttl`` 20 s and
``renew_every`` 5 s, polling moves to a surviving worker within 25 s.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from bot import metrics
from bot.clock import Clock, SystemClock
from bot.storage.jobs import JobStore

log = logging.getLogger(__name__)

DEFAULT_TTL = dt.timedelta(seconds=20)
DEFAULT_RENEW = dt.timedelta(seconds=5)


class Leader:
    """Runs ``work()`` (a coroutine that runs until cancelled) while holding lease ``name``."""

    def __init__(self, store: JobStore, name: str, work: Callable[[], Coroutine[Any, Any, None]], *,
                 holder: str, clock: Clock | None = None, ttl: dt.timedelta = DEFAULT_TTL,
                 renew_every: dt.timedelta = DEFAULT_RENEW) -> None:
        if renew_every * 2 > ttl:
            raise ValueError("renew at least twice per lease period")
        self.store, self.name, self.holder = store, name, holder
        self._work = work
        self.clock = clock or SystemClock()
        self.ttl, self.renew_every = ttl, renew_every
        self._held_until: dt.datetime | None = None
        self._task: asyncio.Task[None] | None = None
        self.token: int | None = None

    @property
    def leading(self) -> bool:
        return self._task is not None and not self._task.done()

    async def tick(self) -> None:
        """Take or renew the lease, then start or stop the work to match."""
        now = self.clock.now()
        try:
            token = await self.store.acquire(self.name, self.holder, now, self.ttl)
        except Exception as error:  # the database is down: keep leading only while safe
            log.warning("lease %s: renewal failed (%s)", self.name, type(error).__name__)
            token = None
            if self._held_until is not None and now + self.renew_every < self._held_until:
                return
        if token is None:
            self._held_until = None
            await self._stop_work()
            return
        self._held_until = now + self.ttl
        if self._task is not None and self._task.done():
            self._report_exit(self._task)
            self._task = None
        if self._task is None:
            self.token = token
            log.info("this worker now runs %s (lease token %d)", self.name, token)
            metrics.LEASES_HELD.labels(self.name).set(1)
            self._task = asyncio.create_task(self._work(), name=f"lease-{self.name}")

    async def run(self) -> None:
        """Tick until cancelled; on the way out stop the work and release the lease."""
        try:
            while True:
                await self.tick()
                await asyncio.sleep(self.renew_every.total_seconds())
        finally:
            await self.stop()

    async def stop(self) -> None:
        """Stop the work (letting it finish what it holds) and hand the lease over at once."""
        was_leading = self._task is not None
        await self._stop_work()
        if was_leading or self._held_until is not None:
            with contextlib.suppress(Exception):
                await self.store.release(self.name, self.holder, self.clock.now())
        self._held_until = None

    async def _stop_work(self) -> None:
        task, self._task = self._task, None
        if task is None:
            return
        log.info("this worker stops running %s", self.name)
        metrics.LEASES_HELD.labels(self.name).set(0)
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            pass
        except Exception:
            log.exception("%s failed", self.name)

    def _report_exit(self, task: asyncio.Task[None]) -> None:
        if not task.cancelled() and task.exception() is not None:
            log.error("%s stopped with an error; restarting it", self.name,
                      exc_info=task.exception())
