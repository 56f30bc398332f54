"""What a server process runs beside HTTP: Telegram (polling in one worker only), the periodic
jobs, and the final drain on shutdown."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import AsyncIterator

from bot.app import Runtime
from bot.channels.telegram import TelegramChannel
from bot.jobs import Leader, Scheduler

log = logging.getLogger(__name__)

TELEGRAM_LEASE = "telegram-polling"
DRAIN_TIMEOUT = 20.0


class TelegramSlot:
    """The Telegram channel of this worker. In webhook mode every worker serves it; in polling
    mode only the holder of the ``telegram-polling`` lease does (Telegram allows one poller)."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        # This first channel also sends what the outbox holds for Telegram (team groups and
        # members, relayed answers), in every worker: sending needs no polling lease.
        self.channel = TelegramChannel.from_settings(runtime.settings, runtime.service,
                                                     queue=runtime.outbox,
                                                     teams=(runtime.registry, runtime.desk),
                                                     reports=runtime.reports,
                                                     screens=runtime.screens)
        self.sending = self.channel
        self.leader: Leader | None = None
        if self.channel is not None and not self.channel.config.webhook_url:
            ttl = dt.timedelta(seconds=runtime.settings.leader_ttl_seconds)
            self.leader = Leader(runtime.jobs, TELEGRAM_LEASE, self._poll,
                                 holder=runtime.worker, clock=runtime.clock, ttl=ttl,
                                 renew_every=ttl / 4)

    @property
    def status(self) -> str | None:
        if self.channel is None:
            return None
        if self.leader is not None and not self.leader.leading:
            return "standby"  # another worker polls
        return self.channel.status

    async def _poll(self) -> None:
        # A fresh application each time this worker becomes the poller.
        runtime = self.runtime
        channel = TelegramChannel.from_settings(runtime.settings, runtime.service,
                                                teams=(runtime.registry, runtime.desk),
                                                reports=runtime.reports, screens=runtime.screens)
        assert channel is not None
        self.channel = channel
        async with channel.running():
            await asyncio.Event().wait()

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        if self.channel is None:
            yield
        elif self.leader is None:
            async with self.channel.running():
                yield
        else:
            task = asyncio.create_task(self.leader.run(), name="telegram-leader")
            try:
                yield
            finally:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
                if self.sending is not None and self.sending is not self.channel:
                    await self.sending.stop()  # initialised by the outbox sender, if at all


@contextlib.asynccontextmanager
async def background(runtime: Runtime, telegram: TelegramSlot) -> AsyncIterator[None]:
    """Telegram, the outbox and inbox workers and the periodic jobs for the duration of the
    block; on the way out, after HTTP has finished its requests: stop Telegram (it finishes
    the updates in hand), stop the jobs and the queue workers, then send what the outbox still
    holds (the replies of the last turns)."""
    scheduler = Scheduler(runtime.jobs, runtime.periodic_jobs, holder=runtime.worker,
                          clock=runtime.clock)
    jobs = asyncio.create_task(scheduler.run(), name="periodic-jobs")
    try:
        async with runtime.workers(), telegram.running():
            yield
    finally:
        jobs.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await jobs
        try:
            await runtime.drain(DRAIN_TIMEOUT)
        except Exception:
            log.exception("outbox drain on shutdown failed")
