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
from bot.reports.access import Cell, Viewer, subtree
from bot.reports.funnels import FunnelStep, funnel
from bot.reports.suppression import Equation, publish
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

    published: dict[str, Cell] = field(default_factory=dict)  # see :meth:`seal`

    def shown(self, key: str) -> Cell:
        """A cell as every viewer's page, API answer and CSV show it (see
        :mod:`bot.reports.suppression` for the keys)."""
        return self.published[key]

    def counts(self, prefix: str) -> tuple[Cell, Cell, Cell, Cell]:
        """reached, started, finished, confirmed of ``totals``, ``guide.<id>`` or
        ``unit.<id>`` (a guide's "reached" is not counted: 0)."""
        return (self.published.get(f"{prefix}.reached", 0), self.shown(f"{prefix}.started"),
                self.shown(f"{prefix}.finished"), self.shown(f"{prefix}.confirmed"))

    def rate(self, prefix: str) -> float | None:
        """Finished / started, only when both are shown: a rate is never built on a hidden
        cell (it would give it away)."""
        started, finished = self.shown(f"{prefix}.started"), self.shown(f"{prefix}.finished")
        if not isinstance(started, int) or not isinstance(finished, int) or started == 0:
            return None
        return round(finished / started, 3)

    def step(self, flow_id: str, index: int) -> tuple[Cell, Cell, Cell]:
        """reached, lost, stuck of a funnel step."""
        key = f"funnel.{flow_id}.{index}"
        return (self.shown(f"{key}.reached"), self.shown(f"{key}.lost"),
                self.shown(f"{key}.stuck"))

    def stuck_share(self, flow_id: str, index: int) -> float | None:
        reached, _, stuck = self.step(flow_id, index)
        if not isinstance(reached, int) or not isinstance(stuck, int) or reached == 0:
            return None
        return stuck / reached

    @property
    def median_claim_minutes(self) -> float | None:
        waits = self.handoffs.claim_seconds
        if not waits or self.shown("tickets.claimed") != len(waits):
            return None
        return round(statistics.median(waits) / 60, 1)

    def seal(self) -> None:
        """Decide what every cell shows, once, for every way the report goes out."""
        values: dict[str, int] = {}
        sums: list[Equation] = []
        fields = ("started", "finished", "confirmed")

        def put(prefix: str, counts: Counts, reached: bool = True) -> None:
            if reached:
                values[f"{prefix}.reached"] = counts.reached
            for name in fields:
                values[f"{prefix}.{name}"] = getattr(counts, name)

        put("totals", self.totals)
        tickets = self.handoffs
        values.update({"tickets.opened": tickets.opened, "tickets.claimed": tickets.claimed,
                       "tickets.resolved": tickets.resolved})
        for flow_id, _, counts in self.guides:
            put(f"guide.{flow_id}", counts, reached=False)
        for name in fields:
            sums.append(Equation(f"totals.{name}",
                                 tuple(f"guide.{f}.{name}" for f, _, _ in self.guides)))
        own = {name: getattr(self.totals, name) - sum(getattr(c, name) for _, _, c in self.units)
               for name in fields}
        for unit_id, _, counts in self.units:
            put(f"unit.{unit_id}", counts)
        for name in fields:  # what the unit did itself is part of the sum, never shown
            values[f"own.{name}"] = max(0, own[name])
            if own[name] >= 0:
                sums.append(Equation(f"totals.{name}", (
                    *(f"unit.{u}.{name}" for u, _, _ in self.units), f"own.{name}")))
        for n, (_, _, started, finished) in enumerate(self.members):
            values[f"member.{n}.started"], values[f"member.{n}.finished"] = started, finished
        for name, count in self.indicators:
            values[f"indicator.{name}"] = count
        for flow_id, steps in self.funnels.items():
            for i, step in enumerate(steps):
                key = f"funnel.{flow_id}.{i}"
                values.update({f"{key}.reached": step.reached, f"{key}.lost": step.lost,
                               f"{key}.stuck": step.stuck})
                if i + 1 < len(steps) and step.reached == steps[i + 1].reached + step.lost:
                    sums.append(Equation(f"{key}.reached", (f"funnel.{flow_id}.{i + 1}.reached",
                                                            f"{key}.lost")))
            # a guide's runs and its first step's: the same runs, in two tables
            if steps and values.get(f"guide.{flow_id}.started") == steps[0].reached:
                sums.append(Equation(f"guide.{flow_id}.started",
                                     (f"funnel.{flow_id}.0.reached",)))
        self.published = publish(values, sums, exact=self.exact,
                                 unpublished=[f"own.{name}" for name in fields])


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
        report.seal()
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
