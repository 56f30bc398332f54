"""The outbox contract, on SQLite and PostgreSQL: order per recipient across several workers,
nothing sent twice, retries with backoff, one recipient's permanent error stopping only theirs,
held messages, leases of dead workers, expiry, partial deliveries, and restarts."""

from __future__ import annotations

import asyncio
import datetime as dt
import random
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.outbox import (
    Backoff,
    Delivered,
    Failed,
    Hold,
    Outbox,
    Outcome,
    Progress,
    Retry,
    Unreachable,
)
from bot.storage.database import Database
from bot.storage.migrate import upgrade_async
from bot.storage.outbox import OutboxMessage, OutboxStore
from bot.storage.runner import Transactions
from bot.turn_contract import Incoming
from tests.conftest import settings_for, sqlite_url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    url = sqlite_url(tmp_path)
    if request.param == "postgres":
        url = request.getfixturevalue("postgres_url")
    await upgrade_async(url)
    yield url


@dataclass
class Recorder:
    """A sender that records what it delivers; ``script`` decides outcomes per message."""

    channel: str = "test"
    delivered: list[tuple[str, str]] = field(default_factory=list)
    script: Callable[[OutboxMessage], Outcome | None] = lambda _: None
    jitter: float = 0.0

    async def deliver(self, message: OutboxMessage, progress: Progress) -> Outcome:
        if self.jitter:
            await asyncio.sleep(random.uniform(0, self.jitter))
        outcome = self.script(message)
        if outcome is not None:
            return outcome
        self.delivered.append((message.recipient, str(message.body["n"])))
        return Delivered()


@asynccontextmanager
async def worker(url: str, clock: ManualClock, sender: Recorder, **options: object
                 ) -> AsyncIterator[Outbox]:
    """One worker process: its own engine, connection pool and worker id."""
    database = Database(url)
    transactions = Transactions(database.engine)
    outbox = Outbox(OutboxStore(transactions), clock, **options)  # type: ignore[arg-type]
    outbox.register(sender)
    try:
        yield outbox
    finally:
        transactions.close()
        await database.dispose()


async def drain(outbox: Outbox) -> None:
    while await outbox.drain("test"):
        pass


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(dt.datetime.now(dt.UTC))


async def test_three_workers_keep_each_recipients_order_and_never_send_twice(
        database_url: str, clock: ManualClock) -> None:
    sender = Recorder(jitter=0.01)
    async with (worker(database_url, clock, sender, batch=3) as a,
                worker(database_url, clock, sender, batch=3) as b,
                worker(database_url, clock, sender, batch=3) as c):
        for n in range(10):
            for recipient in ("r1", "r2", "r3", "r4", "r5"):
                await a.send("test", recipient, {"n": n})
        await asyncio.gather(drain(a), drain(b), drain(c))
    assert len(sender.delivered) == 50
    for recipient in ("r1", "r2", "r3", "r4", "r5"):
        got = [n for r, n in sender.delivered if r == recipient]
        assert got == [str(n) for n in range(10)]


async def test_a_passing_failure_is_retried_with_backoff_before_later_messages(
        database_url: str, clock: ManualClock) -> None:
    failures = {("r1", 0): 2}

    def flaky(message: OutboxMessage) -> Outcome | None:
        key = (message.recipient, message.body["n"])
        if failures.get(key):
            failures[key] -= 1
            return Retry("HTTP 503")
        return None

    sender = Recorder(script=flaky)
    async with worker(database_url, clock, sender,
                      backoff=Backoff(first=dt.timedelta(seconds=10))) as outbox:
        for n in range(3):
            await outbox.send("test", "r1", {"n": n})
        await outbox.send("test", "r2", {"n": 0})
        await drain(outbox)
        assert sender.delivered == [("r2", "0")]  # r1 waits for its first message
        clock.advance(dt.timedelta(seconds=9))
        await drain(outbox)
        assert sender.delivered == [("r2", "0")]
        clock.advance(dt.timedelta(seconds=1))
        await drain(outbox)  # second failure: now 20 s
        clock.advance(dt.timedelta(seconds=20))
        await drain(outbox)
    assert sender.delivered == [("r2", "0"), ("r1", "0"), ("r1", "1"), ("r1", "2")]


async def test_an_unreachable_recipient_stops_only_their_own_messages(
        database_url: str, clock: ManualClock) -> None:
    sender = Recorder(script=lambda m: Unreachable("blocked") if m.recipient == "gone" else None)
    async with worker(database_url, clock, sender) as outbox:
        for n in range(3):
            await outbox.send("test", "gone", {"n": n})
            await outbox.send("test", "here", {"n": n})
        await drain(outbox)
        statuses = [m["status"] for m in await outbox.store.messages("test", "gone")]
    assert statuses == ["cancelled", "cancelled", "cancelled"]
    assert sender.delivered == [("here", "0"), ("here", "1"), ("here", "2")]


async def test_a_message_that_can_never_be_sent_fails_alone(
        database_url: str, clock: ManualClock) -> None:
    sender = Recorder(script=lambda m: Failed("malformed") if m.body["n"] == 0 else None)
    async with worker(database_url, clock, sender) as outbox:
        await outbox.send("test", "r1", {"n": 0})
        await outbox.send("test", "r1", {"n": 1})
        await drain(outbox)
    assert sender.delivered == [("r1", "1")]


async def test_held_messages_wait_for_release_in_order(
        database_url: str, clock: ManualClock) -> None:
    open_ = {"r1": False}
    sender = Recorder(script=lambda m: None if open_[m.recipient] else Hold("quota"))
    async with worker(database_url, clock, sender) as outbox:
        await outbox.send("test", "r1", {"n": 0})
        await outbox.send("test", "r1", {"n": 1})
        await drain(outbox)
        clock.advance(dt.timedelta(hours=1))
        await drain(outbox)
        assert sender.delivered == []
        open_["r1"] = True
        assert await outbox.release("test", "r1") == 1
        await drain(outbox)
    assert sender.delivered == [("r1", "0"), ("r1", "1")]


async def test_a_dead_workers_message_is_claimed_again_after_its_lease(
        database_url: str, clock: ManualClock) -> None:
    sender = Recorder()
    lease = dt.timedelta(minutes=2)
    async with (worker(database_url, clock, sender, lease=lease) as dead,
                worker(database_url, clock, sender, lease=lease) as alive):
        await dead.send("test", "r1", {"n": 0})
        claimed = await dead.store.claim("test", dead.worker_id, clock.now(), lease, 10)
        assert len(claimed) == 1  # ... and the worker dies before sending it
        await drain(alive)
        assert sender.delivered == []
        clock.advance(lease + dt.timedelta(seconds=1))
        await drain(alive)
        assert not await dead.store.finish(claimed[0].id, dead.worker_id, "sent", clock.now())
    assert sender.delivered == [("r1", "0")]


async def test_an_expired_message_is_not_sent(database_url: str, clock: ManualClock) -> None:
    sender = Recorder()
    async with worker(database_url, clock, sender) as outbox:
        await outbox.send("test", "r1", {"n": 0},
                          expires_at=clock.now() + dt.timedelta(hours=48))
        clock.advance(dt.timedelta(hours=49))
        await drain(outbox)
        statuses = [m["status"] for m in await outbox.store.messages("test")]
    assert sender.delivered == [] and statuses == ["expired"]


async def test_a_partial_delivery_resumes_after_the_last_part_sent(
        database_url: str, clock: ManualClock) -> None:
    parts: list[int] = []

    @dataclass
    class TwoParts:
        channel: str = "test"
        fail_once: bool = True

        async def deliver(self, message: OutboxMessage, progress: Progress) -> Outcome:
            for index in range(message.progress, 2):
                if index == 1 and self.fail_once:
                    self.fail_once = False
                    return Retry("HTTP 500")
                parts.append(index)
                await progress(index + 1)
            return Delivered()

    database = Database(database_url)
    transactions = Transactions(database.engine)
    outbox = Outbox(OutboxStore(transactions), clock)
    outbox.register(TwoParts())
    try:
        await outbox.send("test", "r1", {"n": 0})
        await drain(outbox)
        clock.advance(dt.timedelta(minutes=1))
        await drain(outbox)
    finally:
        transactions.close()
        await database.dispose()
    assert parts == [0, 1]


async def test_old_finished_messages_are_pruned_but_failed_ones_stay(
        database_url: str, clock: ManualClock) -> None:
    sender = Recorder(script=lambda m: Failed("malformed") if m.body["n"] == 1 else None)
    async with worker(database_url, clock, sender) as outbox:
        for n in range(3):
            await outbox.send("test", "r1", {"n": n})
        await drain(outbox)
        assert await outbox.store.prune(before=clock.now() - dt.timedelta(days=30)) == 0
        assert await outbox.store.prune(before=clock.now() + dt.timedelta(seconds=1)) == 2
        assert [m["status"] for m in await outbox.store.messages("test")] == ["failed"]


async def test_queued_messages_survive_a_restart(database_url: str, clock: ManualClock) -> None:
    first = Recorder()
    async with worker(database_url, clock, first) as outbox:
        await outbox.send("test", "r1", {"n": 0})
    second = Recorder()
    async with worker(database_url, clock, second) as outbox:
        await drain(outbox)
    assert first.delivered == [] and second.delivered == [("r1", "0")]


async def test_a_turns_replies_are_queued_in_the_turns_transaction(
        database_url: str, tmp_path: Path) -> None:
    from bot.app import build_runtime

    async with build_runtime(settings_for(database_url), migrate=False) as runtime:
        runtime.service.queue_replies_for("web")
        message = Incoming("web", "r1", text="/start vneid_install", message_key="k1")
        replies = await runtime.service.handle(message)
        assert replies
        assert await runtime.service.handle(message) is None  # a redelivery queues nothing
        queued = await runtime.outbox.store.messages("web", "r1")
    assert len(queued) == 1
    assert queued[0]["body"]["replies"][0]["text"] == replies[0].text
    assert queued[0]["body"]["reply_to"] == "k1"


def test_backoff_grows_and_is_capped() -> None:
    backoff = Backoff(first=dt.timedelta(seconds=2), longest=dt.timedelta(minutes=1))
    assert [backoff.delay(n).total_seconds() for n in (1, 2, 3, 6, 20)] == [2, 4, 8, 60, 60]
