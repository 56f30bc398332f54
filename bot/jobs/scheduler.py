"""Named periodic jobs and once-only runs, coordinated through the database.

Every worker runs a :class:`Scheduler` over the same job list. On each tick a worker claims
the jobs that are due (one compare-and-set statement per job), so each due time runs in one
worker only, whichever gets there first; a job that is still running is not started again, and
a worker that dies mid-run leaves the job to be retried when its ``timeout`` expires. Jobs must
therefore be idempotent (erase texts older than X; send the summary of week W unless sent).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from bot import metrics
from bot.clock import Clock, SystemClock
from bot.storage.jobs import JobStore

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class JobContext:
    """What a job run gets: the time it was claimed and the cursor its last run saved."""

    now: dt.datetime
    cursor: str | None


@dataclass(frozen=True)
class PeriodicJob:
    """``run`` returns the cursor to save for the next run (None keeps the old one)."""

    name: str
    every: dt.timedelta
    run: Callable[[JobContext], Awaitable[str | None]]
    timeout: dt.timedelta = dt.timedelta(minutes=10)
    first_delay: dt.timedelta = dt.timedelta(0)


class Scheduler:
    def __init__(self, store: JobStore, jobs: Sequence[PeriodicJob], *, holder: str,
                 clock: Clock | None = None, poll: dt.timedelta = dt.timedelta(seconds=15)
                 ) -> None:
        self.store, self.jobs, self.holder = store, list(jobs), holder
        self.clock = clock or SystemClock()
        self.poll = poll

    async def tick(self) -> list[str]:
        """Run every job that is due and not claimed by another worker; their names."""
        ran = []
        for job in self.jobs:
            now = self.clock.now()
            try:
                claim = await self.store.claim(job.name, self.holder, now, job.every,
                                               job.timeout, first_run=now + job.first_delay)
            except Exception as error:
                log.warning("job %s: could not claim (%s)", job.name, type(error).__name__)
                continue
            if claim is None:
                continue
            ran.append(job.name)
            await self._run(job, JobContext(now, claim.cursor))
        return ran

    async def _run(self, job: PeriodicJob, context: JobContext) -> None:
        try:
            cursor = await asyncio.wait_for(job.run(context), job.timeout.total_seconds())
        except Exception as error:
            log.exception("job %s failed", job.name)
            metrics.JOB_RUNS.labels(job.name, "error").inc()
            await self.store.finish(job.name, self.holder, self.clock.now(), status="error",
                                    error=f"{type(error).__name__}: {error}")
            return
        metrics.JOB_RUNS.labels(job.name, "ok").inc()
        await self.store.finish(job.name, self.holder, self.clock.now(), status="ok",
                                cursor=cursor)

    async def run(self) -> None:
        """Tick until cancelled. A cancelled tick lets the job's timeout free the claim."""
        while True:
            await self.tick()
            await asyncio.sleep(self.poll.total_seconds())


class Once:
    """``await once.run("weekly_summary", "2026-W48", send)``: ``send()`` runs in one worker,
    once ever; if that worker dies before finishing, another claims it after ``ttl``."""

    def __init__(self, store: JobStore, *, holder: str, clock: Clock | None = None) -> None:
        self.store, self.holder = store, holder
        self.clock = clock or SystemClock()

    async def run(self, name: str, key: str, work: Callable[[], Awaitable[T]],
                  ttl: dt.timedelta = dt.timedelta(minutes=10)) -> tuple[bool, T | None]:
        """(True, result) when this call did the work; (False, None) when it was done or
        is being done elsewhere. A failure releases the claim and propagates."""
        if not await self.store.claim_once(name, key, self.holder, self.clock.now(), ttl):
            return False, None
        try:
            result = await work()
        except BaseException:
            await asyncio.shield(self.store.finish_once(name, key, self.holder,
                                                        self.clock.now(), done=False))
            raise
        await self.store.finish_once(name, key, self.holder, self.clock.now(), done=True)
        return True, result
