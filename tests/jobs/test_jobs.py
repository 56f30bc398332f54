"""Once across workers: leases, periodic jobs and once-only runs, on SQLite and PostgreSQL,
with several "workers" (store users with different names) and a manual clock."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.jobs import JobContext, Leader, Once, PeriodicJob, Scheduler
from bot.storage.database import Database
from bot.storage.jobs import JobStore
from bot.storage.migrate import upgrade_async
from bot.storage.runner import Transactions
from tests.conftest import sqlite_url

SECONDS = dt.timedelta(seconds=1)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[JobStore]:
    if request.param == "sqlite":
        url = sqlite_url(tmp_path)
    else:
        url = request.getfixturevalue("postgres_url")
    await upgrade_async(url)
    database = Database(url)
    transactions = Transactions(database.engine)
    yield JobStore(transactions)
    transactions.close()
    await database.dispose()


class Work:
    """A piece of continuous work that records whether it is running."""

    def __init__(self) -> None:
        self.running = False
        self.starts = 0

    async def __call__(self) -> None:
        self.running, self.starts = True, self.starts + 1
        try:
            await asyncio.Event().wait()
        finally:
            self.running = False


async def test_one_leader_and_takeover_after_the_holder_dies(store: JobStore) -> None:
    clock = ManualClock()
    works = [Work(), Work()]
    leaders = [Leader(store, "telegram-polling", works[i], holder=f"w{i}", clock=clock,
                      ttl=20 * SECONDS, renew_every=5 * SECONDS) for i in range(2)]
    for _ in range(3):  # both tick repeatedly: only the first ever leads
        for leader in leaders:
            await leader.tick()
        await asyncio.sleep(0)
        clock.advance(5 * SECONDS)
    assert [w.running for w in works] == [True, False]
    assert leaders[0].leading and not leaders[1].leading
    first_token = leaders[0].token

    # w0 dies without releasing (SIGKILL): no renewals any more. Before the lease expires w1
    # keeps waiting; once it has, w1's next tick takes over.
    died_at = clock.now()
    leaders[0]._task.cancel()  # type: ignore[union-attr]  # the process is gone
    while not leaders[1].leading:
        clock.advance(5 * SECONDS)
        await leaders[1].tick()
        assert clock.now() - died_at <= 25 * SECONDS
    await asyncio.sleep(0)
    assert works[1].running and works[1].starts == 1
    assert leaders[1].token == (first_token or 0) + 1  # a new fencing token

    # w0 comes back (a paused process): its tick learns it lost the lease and stops.
    await leaders[0].tick()
    assert not leaders[0].leading
    assert await store.holder("telegram-polling", clock.now()) == "w1"
    for leader in leaders:
        await leader.stop()
    assert not works[1].running


async def test_a_clean_stop_hands_the_lease_over_at_once(store: JobStore) -> None:
    clock = ManualClock()
    first = Leader(store, "lease", Work(), holder="a", clock=clock)
    second_work = Work()
    second = Leader(store, "lease", second_work, holder="b", clock=clock)
    await first.tick()
    await second.tick()
    assert first.leading and not second.leading
    await first.stop()  # SIGTERM: releases
    await second.tick()  # same instant: no waiting for expiry
    await asyncio.sleep(0)
    assert second.leading and second_work.running
    await second.stop()


async def test_a_periodic_job_runs_once_per_due_time_across_workers(store: JobStore) -> None:
    clock = ManualClock()
    runs: list[tuple[str, dt.datetime, str | None]] = []

    def job_for(worker: str) -> PeriodicJob:
        async def run(context: JobContext) -> str:
            runs.append((worker, context.now, context.cursor))
            return f"cursor-{len(runs)}"

        return PeriodicJob("retention", dt.timedelta(hours=6), run)

    schedulers = [Scheduler(store, [job_for(f"w{i}")], holder=f"w{i}", clock=clock)
                  for i in range(3)]
    for _ in range(2):  # every worker ticks twice within the same period
        await asyncio.gather(*(s.tick() for s in schedulers))
        clock.advance(dt.timedelta(minutes=1))
    assert len(runs) == 1
    clock.advance(dt.timedelta(hours=6))
    await asyncio.gather(*(s.tick() for s in schedulers))
    await asyncio.gather(*(s.tick() for s in schedulers))
    assert len(runs) == 2
    assert runs[1][2] == "cursor-1"  # the cursor saved by the first run, whoever ran it
    assert await store.job_runs("retention") == 2


async def test_a_running_job_is_not_started_twice_and_a_crash_is_retried(
        store: JobStore) -> None:
    clock = ManualClock()
    now = clock.now()
    every, timeout = dt.timedelta(minutes=1), dt.timedelta(minutes=10)
    assert await store.claim("scan", "w0", now, every, timeout) is not None
    # w0 is still running (or died mid-run) when the next period is due: nobody else starts.
    clock.advance(dt.timedelta(minutes=2))
    assert await store.claim("scan", "w1", clock.now(), every, timeout) is None
    # ... until the run's time is up: then the job is retried by another worker.
    clock.advance(dt.timedelta(minutes=9))
    assert await store.claim("scan", "w1", clock.now(), every, timeout) is not None


async def test_a_failing_job_is_recorded_and_runs_again_next_period(store: JobStore) -> None:
    clock = ManualClock()
    calls = 0

    async def flaky(_: JobContext) -> None:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("database hiccup")

    scheduler = Scheduler(store, [PeriodicJob("flaky", dt.timedelta(minutes=5), flaky)],
                          holder="w0", clock=clock)
    assert await scheduler.tick() == ["flaky"]
    assert await scheduler.tick() == []
    clock.advance(dt.timedelta(minutes=5))
    assert await scheduler.tick() == ["flaky"]
    assert calls == 2


async def test_once_runs_once_ever_even_when_all_workers_try(store: JobStore) -> None:
    clock = ManualClock()
    sent: list[str] = []

    def once_for(worker: str) -> Once:
        return Once(store, holder=worker, clock=clock)

    async def send_from(worker: str) -> bool:
        async def send() -> str:
            await asyncio.sleep(0.01)
            sent.append(worker)
            return worker

        did, _ = await once_for(worker).run("weekly_summary", "2026-W48", send)
        return did

    results = await asyncio.gather(*(send_from(f"w{i}") for i in range(4)))
    assert sum(results) == 1 and len(sent) == 1
    assert not await send_from("w9")  # done: later tries do nothing
    assert len(sent) == 1


async def test_once_is_retried_when_the_claimer_fails_or_dies(store: JobStore) -> None:
    clock = ManualClock()

    async def boom() -> None:
        raise RuntimeError("mail server down")

    with pytest.raises(RuntimeError):
        await Once(store, holder="w0", clock=clock).run("summary", "W48", boom)

    async def ok() -> str:
        return "sent"

    assert await Once(store, holder="w1", clock=clock).run("summary", "W48", ok) == (True, "sent")
    # A claimer that dies keeps the key until its claim expires.
    assert await store.claim_once("summary", "W49", "w2", clock.now(), dt.timedelta(minutes=10))
    assert not await store.claim_once("summary", "W49", "w3", clock.now(),
                                      dt.timedelta(minutes=10))
    clock.advance(dt.timedelta(minutes=11))
    assert await store.claim_once("summary", "W49", "w3", clock.now(), dt.timedelta(minutes=10))
