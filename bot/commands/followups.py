"""``python -m bot followups run-due [--now ISO-8601]``: send the follow-ups due at that time
(what the server's own job does every minute, once across workers), printing JSON
``{"sent": N, "skipped": {...}}``."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import datetime as dt
import json
import logging

from bot.app import build_runtime
from bot.clock import ManualClock, SystemClock
from bot.config import Settings


async def _run_due(now: dt.datetime | None) -> dict[str, object]:
    settings = dataclasses.replace(Settings.from_env(), nlu_mode="keywords")
    clock = ManualClock(now) if now is not None else SystemClock()
    async with build_runtime(settings, clock=clock) as runtime:
        return await runtime.followups.run_due(clock.now())


def _followups(args: argparse.Namespace) -> int:
    now = None
    if args.now:
        try:
            now = dt.datetime.fromisoformat(args.now)
        except ValueError:
            print(json.dumps({"error": "--now must be ISO-8601, e.g. 2027-01-05T09:00:00+07:00"}))
            return 2
        if now.tzinfo is None:
            print(json.dumps({"error": "--now needs a time zone, e.g. +07:00"}))
            return 2
        now = now.astimezone(dt.UTC)
    logging.getLogger().setLevel(logging.WARNING)  # stdout is the JSON answer
    print(json.dumps(asyncio.run(_run_due(now)), ensure_ascii=False))
    return 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("followups", help="follow-ups residents agreed to")
    sub = parser.add_subparsers(dest="followups_command", required=True)
    run = sub.add_parser("run-due", help="send the follow-ups due now (or at --now)")
    run.add_argument("--now", default=None, help="ISO-8601 with a time zone")
    run.set_defaults(handler=_followups)
