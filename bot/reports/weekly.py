"""The weekly summary each linked team group gets (Monday, for the week before), unless the
team turned it off. Figures of the team's own unit and below, exact: the group is that team.
A week with nothing to say (no guide started, no hand-off) sends nothing."""

from __future__ import annotations

import datetime as dt
import logging

from bot.engine.messages import Reply
from bot.jobs import JobContext, PeriodicJob
from bot.outbox import Outbox
from bot.outbox.replies import replies_body
from bot.reports import texts
from bot.reports.access import Viewer
from bot.reports.results import Period, Report
from bot.reports.service import Reports
from bot.teams.hours import VIETNAM

log = logging.getLogger(__name__)
WEEKLY_EVERY = dt.timedelta(hours=1)


def last_week(now: dt.datetime) -> Period:
    today = now.astimezone(VIETNAM).date()
    monday = today - dt.timedelta(days=today.weekday())
    return Period(monday - dt.timedelta(days=7), monday - dt.timedelta(days=1))


def summary_text(report: Report, reports: Reports) -> str:
    reached, started, finished, confirmed = report.counts("totals")
    lines = [texts.WEEKLY_TITLE.format(first=report.period.first.strftime("%d/%m"),
                                       last=report.period.last.strftime("%d/%m"),
                                       unit=report.unit_name),
             texts.WEEKLY_LINE.format(
                 reached=reached, started=started, finished=finished, confirmed=confirmed,
                 opened=report.shown("tickets.opened"), claimed=report.shown("tickets.claimed"),
                 resolved=report.shown("tickets.resolved"))]
    weakest = max(((flow_id, step) for flow_id, steps in report.funnels.items()
                   for step in steps if step.biggest), key=lambda p: p[1].lost, default=None)
    if weakest is not None:
        compiled = reports.catalog().get(weakest[0])
        title = compiled.label if compiled else weakest[0]
        lines.append(texts.WEEKLY_WEAK.format(title=title, step=weakest[1].label))
    lines.append(texts.WEEKLY_OFF_HINT)
    return "\n\n".join(lines)


class WeeklySummary:
    def __init__(self, reports: Reports, outbox: Outbox) -> None:
        self.reports = reports
        self.outbox = outbox

    def job(self) -> PeriodicJob:
        """Checks every hour whether last week's summaries went out; the cursor names the
        week."""
        async def run(context: JobContext) -> str | None:
            return await self.run(context.now, context.cursor)

        return PeriodicJob("reports-weekly-summary", WEEKLY_EVERY, run)

    async def run(self, now: dt.datetime, cursor: str | None) -> str | None:
        """Send last week's summaries unless ``cursor`` says they went out; the new cursor."""
        period = last_week(now)
        week = period.first.isoformat()
        if cursor == week:
            return None
        directory = self.reports.registry.directory
        groups = [u for u in directory.units.values() if u.telegram_chat is not None]
        off = await self.reports.optouts.chosen([f"unit:{u.id}" for u in groups])
        sent = 0
        for unit in sorted(groups, key=lambda u: u.id):
            if f"unit:{unit.id}" in off or unit.telegram_chat is None:
                continue
            report = await self.reports.results.report(unit.id, period,
                                                       Viewer(frozenset({unit.id})))
            if report.totals.started == 0 and report.handoffs.opened == 0:
                continue
            await self.outbox.send("telegram", str(unit.telegram_chat),
                                   replies_body([Reply(summary_text(report, self.reports))]))
            sent += 1
        log.info("weekly summaries for the week of %s: %d sent", week, sent)
        return week
