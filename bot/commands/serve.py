"""``python -m bot serve [--workers N]``: the web chat (and, with a token, Telegram).

One worker runs in this process. Several (``--workers N`` or ``WORKERS=N``) run under the
supervisor, which needs PostgreSQL: SQLite takes one writer at a time, so extra processes
would only queue for its lock.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import sys

import uvloop

from bot.config import Settings
from bot.logs import configure_logging
from bot.storage.database import is_sqlite

SQLITE_REFUSES = (
    "serve: --workers {n} needs PostgreSQL. SQLite lets one process write at a time, so more "
    "workers would only queue for its lock. Set DATABASE_URL=postgresql://user:pass@host/db, "
    "or run one worker."
)


async def serve(settings: Settings) -> None:
    """One worker in this process (tests, and ``serve`` without ``--workers``)."""
    from bot.workers.worker import serve_worker

    await serve_worker(settings)


def _serve(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    if args.port is not None:
        settings = dataclasses.replace(settings, port=args.port)
    workers = args.workers if args.workers is not None else settings.workers
    if args.listen_fd is None and workers > 1 and is_sqlite(settings.database_url):
        print(SQLITE_REFUSES.format(n=workers), file=sys.stderr)
        return 2
    if workers < 1:
        print("serve: --workers must be at least 1", file=sys.stderr)
        return 2
    configure_logging(worker=args.worker_name)
    if args.listen_fd is None and workers > 1:
        from bot.workers.supervisor import Supervisor

        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            return runner.run(Supervisor(settings, workers).run())
    from bot.workers.worker import serve_worker

    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(serve_worker(settings, listen_fd=args.listen_fd, ready_fd=args.ready_fd,
                                worker=args.worker_name))
    return 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("serve", help="run the web chat (and Telegram with a token)")
    parser.add_argument("--port", type=int, default=None)
    parser.add_argument("--workers", type=int, default=None,
                        help="server processes on one port (default: WORKERS or 1; "
                             "more than 1 needs PostgreSQL)")
    # Set by the supervisor for its workers.
    parser.add_argument("--listen-fd", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--ready-fd", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--worker-name", default=None, help=argparse.SUPPRESS)
    parser.set_defaults(handler=_serve)
