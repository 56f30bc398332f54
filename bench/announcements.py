"""``python -m bot bench announcements``: an announcement to 10,000 residents, in process,
as JSON (with the machine and the date).

Seeds a fresh database (a temporary SQLite file, or ``--postgres-url`` to a database named
*bench*, wiped first) with a commune, ten villages and ``--residents`` residents who agreed
to the team's news (40 % web, 40 % Telegram, 20 % Zalo, a quarter of Zalo's outside the 7-day
window), then measures:

- **enqueue**: the announcements job expanding the audience (batches of 500, each one
  transaction with its delivery and outbox rows), from the confirmed send to every row
  written (then, on PostgreSQL, ``ANALYZE`` of the two tables: autovacuum's job);
- **throughput per channel under the limits**: the proactive senders with the real rules
  (quiet hours, the delivery rows' marks, Telegram's shared pace of 20 a second, Zalo's 10 a
  second) around a platform stub answering in ``--latency`` ms, for ``--sample`` messages a
  channel; and the same pipeline with the pace off, to show where the limit is the platform's
  and not the bot's. Web messages are delivered by the residents' pages, so their figure is
  the enqueue's.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import outreach_seed
from bot.accounts import Principal, Role
from bot.announcements.service import Announcements
from bot.channels.zalo.sender import Pace
from bot.clock import ManualClock
from bot.engine.catalog import Catalog
from bot.outbox import Delivered, Outbox, Outcome, Progress
from bot.outreach.delivery import ProactiveSender, SharedPace, proactive
from bot.outreach.rules import Rules
from bot.reports.access import Viewer
from bot.storage.database import Database
from bot.storage.migrate import upgrade_async
from bot.storage.outbox import OutboxMessage, OutboxStore
from bot.storage.rate_counters import RateCounterStore
from bot.storage.runner import Transactions
from bot.teams.hours import VIETNAM
from bot.teams.registry import Registry

VILLAGES = 10
REGISTRY = "unit_id,parent_id,level,name\nbench_xa,,commune,Xã Thử Nghiệm\n" + "".join(
    f"bench_thon_{n},bench_xa,village,Thôn {n}\n" for n in range(VILLAGES))
ADMIN = Principal(0, "bench", Role.admin, None, "", "")


class PlatformStub:
    """A platform that takes every message after ``latency`` seconds (optionally paced as
    the real channel's sender paces itself)."""

    def __init__(self, channel: str, latency: float, pace: Pace | None = None) -> None:
        self.channel, self.latency, self.pace = channel, latency, pace

    async def deliver(self, message: OutboxMessage, progress: Progress) -> Outcome:
        if self.pace is not None:
            await self.pace.wait()
        await asyncio.sleep(self.latency)
        return Delivered()


async def _viewer(principal: Principal) -> Viewer:
    return Viewer(None)


async def _throughput(outbox: Outbox, channel: str, sample: int) -> dict[str, Any]:
    sent, started = 0, time.perf_counter()
    while sent < sample:
        done = await outbox.drain(channel)
        if not done:
            break
        sent += done
    elapsed = time.perf_counter() - started
    return {"messages": sent, "seconds": round(elapsed, 2),
            "per_second": round(sent / elapsed, 1) if elapsed else None}


async def _run(args: argparse.Namespace, url: str) -> dict[str, Any]:
    await upgrade_async(url)
    database = Database(url)
    transactions = Transactions(database.engine)
    # 09:00 in Vietnam: inside the hours, so nothing waits for the morning.
    clock = ManualClock(dt.datetime.now(VIETNAM).replace(hour=9, minute=0).astimezone(dt.UTC))
    try:
        registry = Registry(transactions, clock, {})
        await registry.load()
        await registry.import_csv("bench.csv", REGISTRY.encode())
        units = [f"bench_thon_{n}" for n in range(VILLAGES)]
        now = clock.now()
        started = time.perf_counter()
        seeded = await transactions.run(
            lambda conn: outreach_seed.seed(conn, units, args.residents, now))
        seed_seconds = time.perf_counter() - started
        rules = Rules(per_day=1, per_week=4)
        service = Announcements(transactions, registry, clock, lambda: Catalog({}), _viewer,
                                rules=rules)
        row = await service.create(ADMIN, {"unit_id": "bench_xa", "text": (
            "Thứ Bảy này công an xã làm định danh mức 2 tại nhà văn hóa thôn. "
            "Hỏi {team_contact}.")})
        preview_started = time.perf_counter()
        preview = await service.preview(ADMIN, row.id)
        preview_seconds = time.perf_counter() - preview_started
        await service.send(ADMIN, row.id, preview["count"])
        started = time.perf_counter()
        targeted = await service.dispatch()
        enqueue_seconds = time.perf_counter() - started
        await transactions.run(outreach_seed.analyze)
        outbox = Outbox(OutboxStore(transactions), clock, worker_id="bench")
        pace = SharedPace(RateCounterStore(transactions), "bench-pace", rules.telegram_per_second)
        latency = args.latency / 1000
        outbox.register(ProactiveSender(PlatformStub("telegram", latency), transactions, clock,
                                        rules, pace))
        outbox.register(ProactiveSender(PlatformStub("zalo", latency, Pace(10.0)),
                                        transactions, clock, rules))
        channels = {
            "telegram": {"limit_per_second": rules.telegram_per_second,
                         **await _throughput(outbox, proactive("telegram"), args.sample)},
            "zalo": {"limit_per_second": 10,
                     **await _throughput(outbox, proactive("zalo"), args.sample)},
        }
        unpaced = Outbox(OutboxStore(transactions), clock, worker_id="bench-unpaced")
        unpaced.register(ProactiveSender(PlatformStub("telegram", latency), transactions,
                                         clock, rules))
        channels["telegram_without_pace"] = await _throughput(
            unpaced, proactive("telegram"), args.sample * 4)
        status = await service.status(ADMIN, row.id)
        return {
            "database": url.split(":", 1)[0], "residents": dict(seeded),
            "seed_seconds": round(seed_seconds, 2),
            "preview": {"count": preview["count"], "by_channel": preview["by_channel"],
                        "skipped": preview["skipped"], "seconds": round(preview_seconds, 2)},
            "enqueue": {"targeted": targeted, "seconds": round(enqueue_seconds, 2),
                        "per_second": round(targeted / enqueue_seconds, 1)},
            "channels": channels, "platform_latency_ms": args.latency,
            "after": {k: status[k] for k in ("targeted", "sent", "waiting", "skipped",
                                             "skipped_by_reason")},
        }
    finally:
        transactions.close()
        await database.dispose()


async def _main(args: argparse.Namespace) -> dict[str, Any]:
    report: dict[str, Any] = {
        "benchmark": "announcements", "date": dt.datetime.now(dt.UTC).isoformat(
            timespec="seconds"), "machine": {"host": platform.node(), "cpus": os.cpu_count(),
                                             "python": platform.python_version()},
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()]}
    if args.postgres_url:
        if "bench" not in args.postgres_url.rsplit("/", 1)[-1]:
            raise SystemExit("bench announcements: --postgres-url must name a database "
                             "containing 'bench' (it is wiped)")
        from bench.reports import _wipe

        await _wipe(args.postgres_url)
        report["run"] = await _run(args, args.postgres_url)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            report["run"] = await _run(args, f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}")
    report["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    return report


def _bench(args: argparse.Namespace) -> int:
    report = asyncio.run(_main(args))
    print(json.dumps(report, ensure_ascii=False, indent=None if args.json else 2))
    return 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``bench announcements`` under the existing ``bench`` command."""
    parser = commands.add_parser("announcements", help="an announcement to 10,000 residents")
    parser.add_argument("--json", action="store_true", help="one line of JSON")
    parser.add_argument("--residents", type=int, default=10_000)
    parser.add_argument("--sample", type=int, default=400,
                        help="messages sent per channel to measure its throughput")
    parser.add_argument("--latency", type=float, default=30.0,
                        help="the platform stub's answer time, ms")
    parser.add_argument("--postgres-url", default=None)
    parser.set_defaults(handler=_bench)
