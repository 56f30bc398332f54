"""Work that must happen once across workers and machines, coordinated through the database.

- :class:`~bot.jobs.leader.Leader`: one holder at a time runs continuous work (Telegram long
  polling); the others take over within ``ttl + renew_every`` when it dies.
- :class:`~bot.jobs.scheduler.Scheduler` with :class:`~bot.jobs.scheduler.PeriodicJob`: named
  jobs run once per due time across all workers (retention; later escalation scans, weekly
  summaries).
- :class:`~bot.jobs.scheduler.Once`: something keyed that must happen once ever (the summary of
  one week), retried if the worker doing it dies.

All take an injected :class:`~bot.clock.Clock`, so tests move time instead of sleeping.
"""

from bot.jobs.leader import Leader
from bot.jobs.scheduler import JobContext, Once, PeriodicJob, Scheduler

__all__ = ["JobContext", "Leader", "Once", "PeriodicJob", "Scheduler", "worker_name"]


def worker_name() -> str:
    """A name for this worker process, unique across machines and restarts."""
    import os
    import secrets
    import socket

    return f"{socket.gethostname()[:48]}:{os.getpid()}:{secrets.token_hex(4)}"
