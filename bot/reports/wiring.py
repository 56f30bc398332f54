"""Reach and results in the runtime: the turn's recorder, short codes in start links, the
console's service and the weekly summary job."""

from __future__ import annotations

import datetime as dt

from bot.admin.context import ConsoleServices
from bot.clock import Clock
from bot.config import Settings
from bot.conversation import ConversationService
from bot.jobs import JobContext, PeriodicJob
from bot.outbox import Outbox
from bot.reports.links import Links
from bot.reports.service import Reports
from bot.reports.weekly import WeeklySummary
from bot.sharing import ShareCodes
from bot.storage.runner import Transactions
from bot.teams.registry import Registry

WEEKLY_EVERY = dt.timedelta(hours=1)


def build_reports(settings: Settings, transactions: Transactions, registry: Registry,
                  service: ConversationService, codes: ShareCodes, console: ConsoleServices,
                  clock: Clock) -> Reports:
    links = Links(settings.public_url, codes)
    reports = Reports(transactions, registry, lambda: service.engine.catalog, links, clock)
    service.reach = reports.recorder
    service.start_codes = links
    console.reports = reports
    return reports


def weekly_job(reports: Reports, outbox: Outbox) -> PeriodicJob:
    """Checks every hour whether last week's summaries went out; the cursor names the week."""
    summary = WeeklySummary(reports, outbox)

    async def run(context: JobContext) -> str | None:
        return await summary.run(context.now, context.cursor)

    return PeriodicJob("reports-weekly-summary", WEEKLY_EVERY, run)
