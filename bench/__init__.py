"""``python -m bot bench --json``: simulated residents over the HTTP API, as JSON.

Sub-commands measure other capabilities: ``bench replies`` (:mod:`bench.replies`: typed
replies inside guides) and ``bench safety`` (:mod:`bench.safety`: false alarms and missed
scams).

The bot runs in its own processes, as in production (one process, or ``--workers 2`` on
PostgreSQL), with every turn persisted; one Rasa server is shared by every run. Residents are
coroutines in this process: "button" residents press a guide's forward button, "text"
residents type the held-out questions of ``nlu/tests/heldout.tsv`` (every one goes through the
NLU). For each setup, kind and concurrency it reports turns per second, latency percentiles,
and the server CPU milliseconds per turn, bot and Rasa separately (from /proc), each setup run
with the rate limiter off and on (``rate_limiter``: the change in button-turn throughput), and
the cost of masking one message (``masking``). The machine's load average is recorded, since
the figures mean little on a busy machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import tempfile
import time
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

from bench import replies, safety
from bench.client import Connection, Tally, press_buttons, type_questions
from bench.inprocess import limiter_cost, masking_cost
from bench.servers import Server, bot_server, cpu_seconds, peak_rss_mb, rasa_server, tree

QUESTIONS = Path(__file__).resolve().parents[1] / "nlu" / "tests" / "heldout.tsv"
SETUPS = {"sqlite": ("sqlite", 1), "postgres": ("postgres", 1), "postgres-2w": ("postgres", 2)}


def _questions() -> list[str]:
    lines = QUESTIONS.read_text(encoding="utf-8").splitlines()[1:]
    return [line.split("\t", 1)[1] for line in lines if "\t" in line]


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


async def _scenario(server: Server, rasa_pids: list[int], kind: str, residents: int,
                    turns: int, args: argparse.Namespace, tag: str) -> dict[str, Any]:
    texts = _questions()

    async def one(i: int, tally: Tally, count: int) -> None:
        connection = Connection("127.0.0.1", server.port, tally)
        try:
            if kind == "button":
                await press_buttons(connection, f"{tag}-{i}", args.flow, count)
            else:
                await type_questions(connection, f"{tag}-{i}", texts, count, i * 37)
        finally:
            await connection.close()

    await asyncio.gather(*(one(-1 - i, Tally(), 3) for i in range(min(residents, 4))))  # warm
    tally = Tally()
    bot_before, rasa_before = cpu_seconds(server.pids()), cpu_seconds(rasa_pids)
    started = time.perf_counter()
    await asyncio.gather(*(one(i, tally, turns) for i in range(residents)))
    elapsed = time.perf_counter() - started
    bot_cpu = cpu_seconds(server.pids()) - bot_before
    rasa_cpu = cpu_seconds(rasa_pids) - rasa_before
    done = len(tally.latencies)
    cuts = statistics.quantiles(tally.latencies, n=100)
    row: dict[str, Any] = {
        "kind": kind, "residents": residents, "turns": done,
        "turns_per_second": round(done / elapsed, 1),
        "latency_ms_p50": round(cuts[49], 2), "latency_ms_p95": round(cuts[94], 2),
        "latency_ms_p99": round(cuts[98], 2),
        "bot_cpu_ms_per_turn": round(bot_cpu * 1000 / done, 2),
        "load_average": _load(),
    }
    if rasa_pids:
        row["rasa_cpu_ms_per_turn"] = round(rasa_cpu * 1000 / done, 2)
    if len(tally.workers) > 1:
        row["turns_by_worker"] = dict(sorted(tally.workers.items()))
    return row


def _turns_for(args: argparse.Namespace, residents: int) -> int:
    return max(5, min(int(args.turns), int(args.total) // residents))


# Rate limits on: every turn is counted and the counters synced, with limits high enough
# that the simulated residents (all from 127.0.0.1) are never refused; off: not counted.
RATE_LIMITS = {
    "on": {"RATE_RESIDENT_PER_MINUTE": "1000000", "RATE_NEW_RESIDENTS_PER_HOUR": "1000000",
           "RATE_HANDOFFS_PER_HOUR": "1000000"},
    "off": {"RATE_RESIDENT_PER_MINUTE": "0", "RATE_NEW_RESIDENTS_PER_HOUR": "0",
            "RATE_HANDOFFS_PER_HOUR": "0"},
}


def _limiter_cost(setups: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Button-turn throughput with the rate limiter on against off, per setup and load."""
    rates: dict[tuple[str, int, str], list[float]] = {}
    for setup in setups:
        for row in setup["scenarios"]:
            if row["kind"] == "button":
                key = (setup["setup"], row["residents"], setup["rate_limits"])
                rates.setdefault(key, []).append(row["turns_per_second"])
    found = []
    for (name, residents, mode), on in sorted(rates.items()):
        off = rates.get((name, residents, "off"))
        if mode == "on" and off:
            change = statistics.mean(on) / statistics.mean(off) - 1
            found.append({"setup": name, "residents": residents,
                          "turns_per_second_off": round(statistics.mean(off), 1),
                          "turns_per_second_on": round(statistics.mean(on), 1),
                          "change_percent": round(change * 100, 1)})
    return found


async def _bench_setup(setup: str, url: str, workers: int, env: dict[str, str],
                       rasa_pids: list[int], args: argparse.Namespace, run: int
                       ) -> dict[str, Any]:
    rows = []
    mode = args.rate_limits[run]
    env = {**env, **RATE_LIMITS[mode]}
    async with bot_server(url, setup, workers, env) as server:
        try:
            for kind in args.kinds:
                for n in args.residents:
                    rows.append(await _scenario(server, rasa_pids, kind, n,
                                                _turns_for(args, n), args,
                                                f"{setup}{kind}{n}r{run}"))
        except (OSError, asyncio.IncompleteReadError, RuntimeError) as error:
            raise server.failure(setup, error) from error
        rss = peak_rss_mb(server.pids())
    return {"setup": setup, "workers": workers, "scenarios": rows, "server_peak_rss_mb": rss,
            "rate_limits": mode}


async def _run(args: argparse.Namespace) -> dict[str, Any]:
    report: dict[str, Any] = {"flow": args.flow, "cpus": os.cpu_count(),
                              "load_average_at_start": _load(), "nlu": args.nlu,
                              "nlu_cache_size": args.nlu_cache, "setups": []}
    postgres = args.postgres_url or os.environ.get("TEST_DATABASE_URL")
    async with AsyncExitStack() as stack:
        env = {"NLU": "keywords", "NLU_CACHE_SIZE": str(args.nlu_cache)}
        rasa_pids: list[int] = []
        if args.nlu == "rasa" and "text" in args.kinds:
            rasa_env, rasa = await stack.enter_async_context(rasa_server())
            env.update(rasa_env)
            rasa_pids = tree(rasa.pid) if rasa.pid else []
        tmp = stack.enter_context(tempfile.TemporaryDirectory())
        for setup in args.setups:
            database, workers = SETUPS[setup]
            if database == "postgres" and not postgres:
                report.setdefault("skipped", []).append(
                    f"{setup}: set TEST_DATABASE_URL or --postgres-url")
                continue
            for run in range(len(args.rate_limits)):
                url = (postgres if database == "postgres"
                       else f"sqlite:///{tmp}/{setup}-{run}.db")
                assert url is not None
                report["setups"].append(await _bench_setup(setup, url, workers, env,
                                                           rasa_pids, args, run))
        report["rate_limiter"] = {"checks_in_process": limiter_cost(Path(tmp)),
                                  "button_throughput": _limiter_cost(report["setups"])}
    report["masking"] = masking_cost(_questions())
    report["load_average_at_end"] = _load()
    return report


def _bench(args: argparse.Namespace) -> int:
    unknown = set(args.setups) - set(SETUPS)
    if unknown:
        print(f"bench: unknown setup(s) {sorted(unknown)}; choose from {sorted(SETUPS)}")
        return 2
    if not set(args.rate_limits) <= set(RATE_LIMITS):
        print("bench: --rate-limits takes on and off, e.g. off,on,off,on")
        return 2
    report = asyncio.run(_run(args))
    print(json.dumps(report, ensure_ascii=False, indent=None if args.json else 2))
    return 0


def _numbers(text: str) -> list[int]:
    return [int(x) for x in text.split(",")]


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("bench", help="turns/second, latency and CPU per turn")
    parser.add_argument("--json", action="store_true", help="one line of JSON")
    parser.add_argument("--residents", type=_numbers, default=[1, 10, 50, 200],
                        help="concurrency levels (default 1,10,50,200)")
    parser.add_argument("--turns", type=int, default=200, help="turns per resident, at most")
    parser.add_argument("--total", type=int, default=4000,
                        help="turns per scenario, at most (200 residents x 20 turns)")
    parser.add_argument("--kinds", type=lambda s: s.split(","), default=["button", "text"])
    parser.add_argument("--setups", type=lambda s: s.split(","),
                        default=["sqlite", "postgres", "postgres-2w"])
    parser.add_argument("--nlu", choices=["rasa", "keywords"], default="rasa",
                        help="what recognises free text (rasa: one shared server)")
    parser.add_argument("--nlu-cache", type=int, default=10_000,
                        help="NLU cache entries per worker (0: every text goes to Rasa)")
    parser.add_argument("--flow", default="vneid_install")
    parser.add_argument("--postgres-url", default=None)
    parser.add_argument("--rate-limits", type=lambda s: s.split(","), default=["off", "on"],
                        help="runs of each setup with the rate limiter off or on, in this "
                             "order (default off,on; off,on,off,on evens out a busy machine)")
    parser.set_defaults(handler=_bench)
    kinds = parser.add_subparsers(dest="bench", required=False,
                                  help="other benchmarks (default: the HTTP load benchmark)")
    replies.register(kinds)
    safety.register(kinds)
