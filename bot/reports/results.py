"""Results per unit and period: the figures of the dashboard, ``/thongke``, the weekly summary
and ``GET /admin/api/reports/units/{unit_id}``.

A period is a range of days in Vietnam's time, both ends included. Guides are counted by the
day they were started (a run started on the 31st and finished on the 1st belongs to the 31st),
so "started", "finished" and each funnel step describe the same runs. Hand-offs and
unanswered questions are counted by the day they were opened or written.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.engine.catalog import Catalog
from bot.reports.access import Cell, Viewer, cell, subtree
from bot.reports.funnels import FunnelStep, funnel
from bot.storage import reach_queries as q
from bot.storage.runner import Transactions
from bot.teams.directory import Directory
from bot.teams.hours import VIETNAM

MAX_DAYS = 3700
# The province's own indicators, each reached through these guides.
INDICATORS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Tài khoản định danh VNeID", ("vneid_install", "vneid_activate", "vneid_level2")),
    ("Bảo hiểm xã hội số VssID", ("vssid_install", "vssid_login")),
    ("Chuyển sang SIM 4G", ("sim_4g",)),
    ("Thanh toán không dùng tiền mặt", ("payment_bank_app", "payment_ewallet", "payment_qr",
                                        "payment_transfer")),
)


class BadPeriod(ValueError):
    pass


@dataclass(frozen=True)
class Period:
    first: dt.date
    last: dt.date

    @classmethod
    def parse(cls, first: str | None, last: str | None, today: dt.date) -> Period:
        """``YYYY-MM-DD`` both ends; a missing end: this month so far."""
        try:
            start = dt.date.fromisoformat(first) if first else today.replace(day=1)
            end = dt.date.fromisoformat(last) if last else today
        except ValueError:
            raise BadPeriod("dates must be YYYY-MM-DD") from None
        if start > end:
            raise BadPeriod("`from` is after `to`")
        if (end - start).days > MAX_DAYS:
            raise BadPeriod("the period is longer than ten years")
        return cls(start, end)

    @classmethod
    def month_of(cls, day: dt.date) -> Period:
        nxt = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        return cls(day.replace(day=1), nxt - dt.timedelta(days=1))

    def moments(self) -> tuple[dt.datetime, dt.datetime]:
        start = dt.datetime.combine(self.first, dt.time(), VIETNAM)
        return start, dt.datetime.combine(self.last + dt.timedelta(days=1), dt.time(), VIETNAM)


@dataclass(frozen=True)
class Counts:
    reached: int
    started: int
    finished: int
    confirmed: int


@dataclass
class Report:
    unit_id: str | None
    unit_name: str
    period: Period
    exact: bool
    totals: Counts
    handoffs: q.TicketFigures
    guides: list[tuple[str, str, Counts]] = field(default_factory=list)  # id, title, counts
    indicators: list[tuple[str, int]] = field(default_factory=list)
    units: list[tuple[str, str, Counts]] = field(default_factory=list)  # below this unit
    members: list[tuple[str, str, int, int]] = field(default_factory=list)
    funnels: dict[str, list[FunnelStep]] = field(default_factory=dict)
    unanswered: list[tuple[str, int]] = field(default_factory=list)

    def cell(self, value: int) -> Cell:
        return cell(value, self.exact)

    def rate(self, counts: Counts) -> float | None:
        """Finished / started, None when the runs are too few to show."""
        if counts.started == 0 or self.cell(counts.started) != counts.started:
            return None
        return round(counts.finished / counts.started, 3)

    @property
    def median_claim_minutes(self) -> float | None:
        waits = self.handoffs.claim_seconds
        if not waits or self.cell(len(waits)) != len(waits):
            return None
        return round(statistics.median(waits) / 60, 1)


def _sum(groups: list[q.RunGroup], reached: int) -> Counts:
    return Counts(reached, sum(g.started for g in groups), sum(g.finished for g in groups),
                  sum(g.confirmed for g in groups))


class Results:
    def __init__(self, transactions: Transactions, directory: Callable[[], Directory],
                 catalog: Callable[[], Catalog]) -> None:
        self.transactions = transactions
        self.directory = directory
        self.catalog = catalog

    def covered(self, unit_id: str | None) -> list[str] | None:
        """The units a report covers; None: everything (no unit, or the only province)."""
        directory = self.directory()
        if unit_id is None:
            return None
        unit = directory.get(unit_id)
        roots = [u for u in directory.units.values() if u.parent_id not in directory.units]
        if unit is not None and unit.level == "province" and roots == [unit]:
            return None
        return subtree(directory, unit_id)

    async def report(self, unit_id: str | None, period: Period, viewer: Viewer) -> Report:
        """Raises KeyError for an unknown unit."""
        directory, catalog = self.directory(), self.catalog()
        if unit_id is not None and not directory.knows(unit_id):
            raise KeyError(unit_id)
        units = self.covered(unit_id)
        since, until = period.moments()
        first, last = period.first, period.last
        groups = {name: [f for f in flows if f in catalog.flows] for name, flows in INDICATORS}

        run = self.transactions.run
        # Independent reads, side by side (separate connections on PostgreSQL).
        async with asyncio.TaskGroup() as tasks:
            runs_ = tasks.create_task(run(lambda conn: q.run_groups(conn, units, first, last)))
            reached_ = tasks.create_task(run(
                lambda conn: q.residents_reached(conn, units, first, last)))
            per_unit_ = tasks.create_task(run(
                lambda conn: q.residents_per_unit(conn, units, first, last)))
            steps_ = tasks.create_task(run(lambda conn: q.step_counts(conn, units, first, last)))
            tickets_ = tasks.create_task(run(
                lambda conn: q.ticket_figures(conn, units, since, until)))
            questions_ = tasks.create_task(run(
                lambda conn: q.top_unanswered(conn, units, since, until)))
            confirmed_ = tasks.create_task(run(
                lambda conn: q.confirmed_residents(conn, units, first, last, groups)))
        runs, reached, per_unit = runs_.result(), reached_.result(), per_unit_.result()
        steps, tickets, questions = steps_.result(), tickets_.result(), questions_.result()
        confirmed = confirmed_.result()
        members = sorted({g.member_id for g in runs if g.member_id is not None})
        names = await run(lambda conn: q.member_names(conn, members))
        unit = directory.get(unit_id)
        exact = unit_id is not None and viewer.exact_for(directory, unit_id)
        report = Report(unit_id, unit.name if unit else "Toàn tỉnh", period, exact,
                        _sum(runs, reached), tickets)
        self._guides(report, runs, catalog)
        report.indicators = [(name, confirmed.get(name, 0)) for name, flows in groups.items()
                             if flows]
        self._units(report, runs, per_unit, directory)
        self._members(report, runs, names, directory)
        by_flow: dict[str, dict[str, tuple[int, int]]] = {}
        for step in steps:
            by_flow.setdefault(step.flow_id, {})[step.step_id] = (step.reached, step.stuck)
        report.funnels = {flow_id: funnel(catalog.flows[flow_id], by_flow.get(flow_id, {}))
                          for flow_id, _, _ in report.guides if flow_id in catalog.flows}
        report.unanswered = [(text, n) for text, n in questions
                             if exact or n >= 5]
        return report

    @staticmethod
    def _guides(report: Report, runs: list[q.RunGroup], catalog: Catalog) -> None:
        per_flow: dict[str, list[q.RunGroup]] = {}
        for group in runs:
            per_flow.setdefault(group.flow_id, []).append(group)
        rows = []
        for flow_id, groups in per_flow.items():
            compiled = catalog.get(flow_id)
            rows.append((flow_id, compiled.label if compiled else flow_id, _sum(groups, 0)))
        report.guides = sorted(rows, key=lambda r: (-r[2].started, r[0]))

    def _units(self, report: Report, runs: list[q.RunGroup], per_unit: dict[str, int],
               directory: Directory) -> None:
        if report.unit_id is None:
            children = [u for u in directory.units.values() if u.parent_id not in directory.units]
        else:
            children = directory.children(report.unit_id)
        children = sorted(children, key=lambda u: (u.name_key, u.id))
        child_of = {unit_id: child.id for child in children
                    for unit_id in subtree(directory, child.id)}
        groups: dict[str, list[q.RunGroup]] = {child.id: [] for child in children}
        reached: dict[str, int] = dict.fromkeys(groups, 0)
        for group in runs:  # one pass: a province has a million runs a year
            if group.unit_id in child_of:
                groups[child_of[group.unit_id]].append(group)
        for unit_id, n in per_unit.items():
            if unit_id in child_of:
                reached[child_of[unit_id]] += n
        report.units = [(child.id, child.name, _sum(groups[child.id], reached[child.id]))
                        for child in children]

    @staticmethod
    def _members(report: Report, runs: list[q.RunGroup], names: dict[int, tuple[str, str]],
                 directory: Directory) -> None:
        per_member: dict[int, list[q.RunGroup]] = {}
        for group in runs:
            if group.member_id is not None:
                per_member.setdefault(group.member_id, []).append(group)
        rows = []
        for member_id, groups in per_member.items():
            name, unit_id = names.get(member_id, ("(đã rời tổ)", ""))
            counts = _sum(groups, 0)
            rows.append((name, directory.label(unit_id), counts.started, counts.finished))
        report.members = sorted(rows, key=lambda r: (-r[2], r[0]))

    async def member_figures(self, member_id: int, period: Period) -> tuple[int, int]:
        return await self.transactions.run(
            lambda conn: q.member_runs(conn, member_id, period.first, period.last))
