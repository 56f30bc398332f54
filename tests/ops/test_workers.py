"""Several workers on PostgreSQL as real processes: one resident served alternately by both,
Telegram polling moving when its worker is killed, rolling restarts and SIGTERM under load
without a failed or repeated turn, and SQLite refusing several workers."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.storage.database import create_engine
from bot.storage.tables import events, residents
from tests.ops.cluster import Connection, cluster, connection_to_each_worker
from tests.server import serving
from tests.telegram.fake_api import TOKEN, FakeBotAPI
from tests.telegram.updates import Updates

pytestmark = pytest.mark.postgres
STEP = re.compile(r"Bước (\d+)/")


@pytest.fixture
def pg(postgres_url: str) -> str:
    """This worker's PostgreSQL database, a fresh copy of the migrated template."""
    return postgres_url


def step_number(messages: list[dict[str, Any]]) -> int | None:
    for message in messages:
        found = STEP.search(message["text"])
        if found:
            return int(found.group(1))
    return None


def forward_label(messages: list[dict[str, Any]]) -> str:
    """The words of the button a resident walking straight through would press."""
    for message in reversed(messages):
        for button in message["buttons"]:
            if button["payload"].startswith(("s:", "n:")):
                return str(button["label"])
    raise AssertionError(f"no way forward: {messages[-1]['text'][:200]}")


async def step_events(url: str, user: str) -> int:
    engine = create_engine(url)
    async with engine.connect() as conn:
        count = (await conn.execute(select(func.count()).select_from(events).join(
            residents, residents.c.id == events.c.resident_id).where(
            residents.c.external_id == user, events.c.kind == "step_reached"))).scalar()
    await engine.dispose()
    return int(count or 0)


class Walker:
    """A resident walking the VNeID guide by typing the forward button's words ("Xong",
    "Android": free text, so a wrongly offered "resume" would show), checking that every
    answer is exactly one step further."""

    def __init__(self, user: str) -> None:
        self.user, self.expected, self.steps, self.turns = user, None, 0, 0
        self.words = ""

    async def turn(self, conn: Connection) -> None:
        if self.expected is None:
            messages = await conn.chat(self.user, text="/start vneid_install")
        else:
            messages = await conn.chat(self.user, text=self.words)
        self.turns += 1
        number = step_number(messages)
        if self.expected is not None and number is None:  # the guide ended
            self.steps += 1
            self.expected = None
            return
        assert number is not None, messages[0]["text"][:200]
        if self.expected is not None:
            # A branch already known (the phone, remembered from the last walk) is skipped.
            skipped = "Cháu hướng dẫn theo lựa chọn" in messages[0]["text"]
            assert number == self.expected + skipped, (
                f"{self.user}: expected step {self.expected}, got {number}: "
                f"{messages[0]['text'][:120]}")
        self.steps += 1
        self.expected = number + 1
        self.words = forward_label(messages)


async def test_two_workers_serve_one_resident_alternately(pg: str, tmp_path: Path) -> None:
    async with cluster(tmp_path, pg) as running:
        assert len(running.workers()) == 2
        by_worker = await connection_to_each_worker(running.port, 2)
        walker = Walker("alternating")
        conns = list(by_worker.values())
        for turn in range(24):  # worker 1, worker 2, worker 1, ... through two walks
            await walker.turn(conns[turn % 2])
        served = [name for conn in conns for name in conn.workers[1:]]  # minus /healthz
        assert sorted(set(served)) == sorted(by_worker) and len(served) == 24
        assert await step_events(pg, "alternating") == walker.steps
        # /metrics on either worker adds up both workers' counts (multiprocess mode).
        for conn in conns:
            status, _, body = await conn.request("GET", "/metrics")
            assert status == 200
            sample = 'digiguide_turns_total{channel="web",kind="text",outcome="ok"} 24.0'
            assert sample in body.decode()
        for conn in conns:
            await conn.close()


class PollCounter(FakeBotAPI):
    """The fake Bot API, also counting getUpdates calls in flight (Telegram answers a second
    concurrent poller with 409 Conflict)."""

    def __init__(self) -> None:
        super().__init__()
        self.in_flight = self.most_in_flight = 0

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            return await super()._get_updates(params)
        finally:
            self.in_flight -= 1


def _poller(record: dict[str, Any]) -> bool:
    return "now runs telegram-polling" in record.get("message", "")


async def test_killing_the_telegram_poller_moves_polling(pg: str, tmp_path: Path) -> None:
    fake = PollCounter()
    updates = Updates()
    async with serving(fake.app) as api:
        fake.base_url = api
        async with cluster(tmp_path, pg, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_URL=api,
                           LEADER_TTL_SECONDS="6") as running:
            first = await running.wait_log(_poller)
            fake.queue_update(updates.text("/start vneid_install"))
            await fake.wait_for("sendMessage", 1, deadline=60)
            assert fake.most_in_flight == 1  # one poller while both workers live
            assert first["pid"] in running.workers()
            os.kill(first["pid"], signal.SIGKILL)

            second = await running.wait_log(lambda r: _poller(r) and r["pid"] != first["pid"])
            assert second["pid"] != first["pid"]
            fake.queue_update(updates.text("xong"))
            await fake.wait_for("sendMessage", 2, deadline=60)
            assert "Bước 2/" in fake.sent()[-1].params["text"]
            assert [r["pid"] for r in running.records() if _poller(r)] == [first["pid"],
                                                                           second["pid"]]


async def _load(port: int, users: int, stop: asyncio.Event,
                errors: list[tuple[float, BaseException]] | None = None) -> list[Walker]:
    """Residents walking guides until ``stop``. Without ``errors`` any failure fails the
    test; with it, each resident stops at its first failure, kept there with the time its
    turn was sent."""
    walkers = [Walker(f"load-{i}") for i in range(users)]

    async def walk(walker: Walker) -> None:
        conn = Connection(port)
        sent = time.monotonic()
        try:
            for _ in range(5000):  # bounded; normally ended by ``stop``
                if stop.is_set():
                    return
                sent = time.monotonic()
                await walker.turn(conn)
        except Exception as error:
            if errors is None:
                raise
            errors.append((sent, error))
        finally:
            await conn.close()

    await asyncio.gather(*(walk(w) for w in walkers))
    return walkers


async def test_rolling_restart_and_sigterm_under_load_fail_no_turn(pg: str,
                                                                   tmp_path: Path) -> None:
    async with cluster(tmp_path, pg) as running:
        stop = asyncio.Event()
        load = asyncio.create_task(_load(running.port, 12, stop))
        try:
            await asyncio.sleep(1)
            before = set(running.workers())
            running.process.send_signal(signal.SIGHUP)  # rolling restart
            await running.wait_log(lambda r: r.get("message") == "rolling restart done")
            after = set(running.workers())
            assert len(after) == 2 and not before & after
            victim = sorted(after)[0]
            os.kill(victim, signal.SIGTERM)  # one worker stopped alone (a deploy tool)
            await running.wait_log(lambda r: f"(pid {victim}) exited with 0" in
                                   r.get("message", ""))
            await running.wait_log(lambda r: "accepts connections" in r.get("message", "")
                                   and str(victim) not in r["message"]
                                   and all(str(p) not in r["message"] for p in before | after))
            await asyncio.sleep(1)
        finally:
            stop.set()
        walkers = await load  # any failed turn raised here
        assert all(w.turns > 5 for w in walkers)
        for walker in walkers:
            assert await step_events(pg, walker.user) == walker.steps, walker.user


async def test_sigterm_finishes_turns_in_flight(pg: str, tmp_path: Path) -> None:
    async with cluster(tmp_path, pg) as running:
        stop = asyncio.Event()
        errors: list[tuple[float, BaseException]] = []
        load = asyncio.create_task(_load(running.port, 8, stop, errors))
        await asyncio.sleep(1.5)
        assert not errors
        stopped_at = time.monotonic()
        running.process.send_signal(signal.SIGTERM)  # the whole service stops
        await asyncio.to_thread(running.process.wait, 90)
        stop.set()
        walkers = await load
        # Every turn sent before the stop was answered in full and in order (a cut turn
        # would be a reset or a short read, a wrong one an AssertionError); only turns sent
        # after it fail, on a server that no longer accepts.
        assert errors and all(sent >= stopped_at for sent, _ in errors), errors
        assert not any(isinstance(e, AssertionError) for _, e in errors), errors
        assert running.process.returncode == 0
        assert sum(r.get("message") == "stopped cleanly" for r in running.records()) == 2
        for walker in walkers:
            assert await step_events(pg, walker.user) == walker.steps, walker.user


def test_sqlite_refuses_several_workers(tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/x.db", "NLU": "keywords"}
    done = subprocess.run([sys.executable, "-m", "bot", "serve", "--workers", "2"], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "needs PostgreSQL" in done.stderr and "SQLite" in done.stderr
