"""``python -m bot bench-reports --postgres-url …``: the dashboard's answer time for a
province of 100,000 residents and 10 million events.

Seeds an empty PostgreSQL database whose name contains "bench" (it is wiped first) in SQL
(see ``bench/reach_seed.py``), then times the results the dashboard shows (every
table and every funnel) for the province, a commune and a village, over this month and over
the whole year, each the median of five runs.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from bench import reach_seed
from bot.clock import SystemClock
from bot.engine.catalog import Catalog
from bot.flowspec import load_flows
from bot.reports.access import Viewer
from bot.reports.funnels import main_path
from bot.reports.results import Period, Results
from bot.storage.database import Database
from bot.storage.migrate import upgrade_async
from bot.storage.runner import Transactions
from bot.teams.hours import VIETNAM
from bot.teams.registry import Registry

FLOWS = Path(__file__).resolve().parents[1] / "flows"
REPEATS = 5


def _say(args: argparse.Namespace, text: str) -> None:
    if not args.json:
        print(text, flush=True)


async def _wipe(url: str) -> None:
    from bot.storage.database import create_engine

    engine = create_engine(url)
    async with engine.begin() as conn:
        await conn.exec_driver_sql("DROP SCHEMA public CASCADE")
        await conn.exec_driver_sql("CREATE SCHEMA public")
    await engine.dispose()


async def _run(args: argparse.Namespace) -> dict[str, Any]:
    url = args.postgres_url
    await _wipe(url)
    await upgrade_async(url)
    loaded, _ = load_flows([FLOWS])
    catalog = Catalog(item.flow for item in loaded)
    paths = {flow_id: main_path(compiled) for flow_id, compiled in catalog.flows.items()}
    database = Database(url)
    transactions = Transactions(database.engine)
    today = dt.datetime.now(VIETNAM).date()
    try:
        started = time.perf_counter()
        counts = await transactions.run(lambda conn: reach_seed.seed(
            conn, paths, communes=args.communes, residents=args.residents, runs=args.runs,
            today=today, progress=lambda name, s: _say(args, f"  {name}: {s:.1f} s")))
        await reach_seed.vacuum(database.engine)
        seeded = time.perf_counter() - started
        _say(args, f"seeded in {seeded:.0f} s: {counts}")
        registry = Registry(transactions, SystemClock(), {})
        await registry.load()
        results = Results(transactions, lambda: registry.directory, lambda: catalog)
        month, year = Period(today.replace(day=1), today), Period(today - dt.timedelta(364), today)
        timings = {}
        for label, unit, period in (("province, this month", "p", month),
                                    ("province, one year", "p", year),
                                    ("commune, this month", "c1", month),
                                    ("commune, one year", "c1", year),
                                    ("village, one year", "c1_1", year)):
            seconds = []
            for _ in range(REPEATS):
                begin = time.perf_counter()
                await results.report(unit, period, Viewer(None))
                seconds.append(time.perf_counter() - begin)
            timings[label] = round(statistics.median(seconds), 3)
            _say(args, f"{label}: median {timings[label]:.3f} s "
                       f"(min {min(seconds):.3f}, max {max(seconds):.3f})")
        return {"counts": counts, "seed_seconds": round(seeded, 1), "dashboard_seconds": timings,
                "load": [round(x, 2) for x in os.getloadavg()]}
    finally:
        transactions.close()
        await database.dispose()


def _bench_reports(args: argparse.Namespace) -> int:
    url = args.postgres_url or os.environ.get("TEST_DATABASE_URL")
    if not url or not url.startswith("postgresql") or "bench" not in url.rsplit("/", 1)[-1]:
        print("bench-reports: --postgres-url postgresql://…/<a database named *bench*> "
              "(it is wiped)", file=sys.stderr)
        return 2
    args.postgres_url = url
    result = asyncio.run(_run(args))
    if args.json:
        print(json.dumps(result))
    return 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("bench-reports",
                                 help="the results dashboard on a province-sized database")
    parser.add_argument("--postgres-url", default=None)
    parser.add_argument("--communes", type=int, default=100)
    parser.add_argument("--residents", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=625_000,
                        help="guide runs (about 16 events each: 625,000 -> 10 million)")
    parser.add_argument("--json", action="store_true")
    parser.set_defaults(handler=_bench_reports)
