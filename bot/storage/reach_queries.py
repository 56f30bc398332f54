"""The reads behind the results pages: each one indexed pass over a rollup or a small table.

``units`` is the list of unit ids a report covers (a unit and those below it), or None for
everything (the province as a whole, including residents of no known unit).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, case, distinct, func, select

from bot.storage.reach import guide_runs, reach_steps
from bot.storage.tables import residents, unanswered
from bot.storage.teams import team_members
from bot.storage.tickets import tickets

Units = Sequence[str] | None


@dataclass(frozen=True)
class RunGroup:
    """Runs of one guide started in one unit, through one member's link (or none)."""

    unit_id: str
    flow_id: str
    member_id: int | None
    started: int
    finished: int
    confirmed: int  # finished and confirmed with 👍


@dataclass(frozen=True)
class StepCount:
    flow_id: str
    step_id: str
    reached: int
    stuck: int


@dataclass(frozen=True)
class TicketFigures:
    opened: int
    claimed: int
    resolved: int
    claim_seconds: list[float]


def _within(column: Any, units: Units) -> Any:
    return True if units is None else column.in_(list(units))


def run_groups(conn: Connection, units: Units, first: dt.date, last: dt.date
               ) -> list[RunGroup]:
    finished = guide_runs.c.finish.is_not(None)
    query = (select(guide_runs.c.unit_id, guide_runs.c.flow_id, guide_runs.c.member_id,
                    func.count().label("started"),
                    func.count(guide_runs.c.finish).label("finished"),
                    func.count(guide_runs.c.confirmed_at).filter(finished).label("confirmed"))
             .where(guide_runs.c.started_on.between(first, last),
                    _within(guide_runs.c.unit_id, units))
             .group_by(guide_runs.c.unit_id, guide_runs.c.flow_id, guide_runs.c.member_id))
    return [RunGroup(r.unit_id, r.flow_id, r.member_id, r.started, r.finished, r.confirmed)
            for r in conn.execute(query)]


def residents_reached(conn: Connection, units: Units, first: dt.date, last: dt.date) -> int:
    """Residents who started a guide in the period."""
    return int(conn.execute(select(func.count(distinct(guide_runs.c.resident_id))).where(
        guide_runs.c.started_on.between(first, last),
        _within(guide_runs.c.unit_id, units))).scalar_one())


def residents_per_unit(conn: Connection, units: Units, first: dt.date, last: dt.date
                       ) -> dict[str, int]:
    return {r.unit_id: r.n for r in conn.execute(
        select(guide_runs.c.unit_id, func.count(distinct(guide_runs.c.resident_id)).label("n"))
        .where(guide_runs.c.started_on.between(first, last),
               _within(guide_runs.c.unit_id, units))
        .group_by(guide_runs.c.unit_id))}


def step_counts(conn: Connection, units: Units, first: dt.date, last: dt.date
                ) -> list[StepCount]:
    query = (select(reach_steps.c.flow_id, reach_steps.c.step_id,
                    func.sum(reach_steps.c.reached).label("reached"),
                    func.sum(reach_steps.c.stuck).label("stuck"))
             .where(reach_steps.c.day.between(first, last), _within(reach_steps.c.unit_id, units))
             .group_by(reach_steps.c.flow_id, reach_steps.c.step_id))
    return [StepCount(r.flow_id, r.step_id, int(r.reached), int(r.stuck))
            for r in conn.execute(query)]


def ticket_figures(conn: Connection, units: Units, since: dt.datetime, until: dt.datetime
                   ) -> TicketFigures:
    """Hand-offs opened in the period: claimed, resolved (closed by the team), and how long
    each claimed one waited."""
    rows = conn.execute(select(tickets.c.opened_at, tickets.c.claimed_at,
                               tickets.c.close_reason)
                        .where(tickets.c.opened_at >= since, tickets.c.opened_at < until,
                               tickets.c.status != "no_team",
                               _within(tickets.c.unit_id, units)))
    opened = claimed = resolved = 0
    waits: list[float] = []
    for row in rows:
        opened += 1
        if row.close_reason in ("member", "console"):
            resolved += 1
        if row.claimed_at is not None:
            claimed += 1
            waits.append((_aware(row.claimed_at) - _aware(row.opened_at)).total_seconds())
    return TicketFigures(opened, claimed, resolved, waits)


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def top_unanswered(conn: Connection, units: Units, since: dt.datetime, until: dt.datetime,
                   limit: int = 10) -> list[tuple[str, int]]:
    """The texts most residents wrote that no guide answered: (text, residents)."""
    query = (select(unanswered.c.text, func.count(distinct(unanswered.c.resident_id)).label("n"))
             .select_from(unanswered.join(residents, residents.c.id == unanswered.c.resident_id))
             .where(unanswered.c.created_at >= since, unanswered.c.created_at < until,
                    unanswered.c.text != "",
                    _within(func.coalesce(residents.c.commune, ""), units))
             .group_by(unanswered.c.text)
             .order_by(func.count(distinct(unanswered.c.resident_id)).desc(), unanswered.c.text)
             .limit(limit))
    return [(r.text, int(r.n)) for r in conn.execute(query)]


def member_names(conn: Connection, member_ids: Sequence[int]) -> dict[int, tuple[str, str]]:
    """member id -> (name, unit id)."""
    if not member_ids:
        return {}
    rows = conn.execute(select(team_members.c.id, team_members.c.name, team_members.c.unit_id)
                        .where(team_members.c.id.in_(list(member_ids))))
    return {r.id: (r.name, r.unit_id) for r in rows}


def member_runs(conn: Connection, member_id: int, first: dt.date, last: dt.date
                ) -> tuple[int, int]:
    """(started, finished) through one member's links."""
    row = conn.execute(select(func.count(), func.count(guide_runs.c.finish)).where(and_(
        guide_runs.c.member_id == member_id,
        guide_runs.c.started_on.between(first, last)))).one()
    return int(row[0]), int(row[1])


def confirmed_residents(conn: Connection, units: Units, first: dt.date, last: dt.date,
                        groups: Mapping[str, Sequence[str]]) -> dict[str, int]:
    """Residents who finished a guide of each group and confirmed it worked (👍)."""
    flows = [f for members in groups.values() for f in members]
    if not flows:
        return {}
    group = case(*((guide_runs.c.flow_id.in_(list(members)), name)
                   for name, members in groups.items() if members), else_="")
    query = (select(group.label("name"), func.count(distinct(guide_runs.c.resident_id)).label("n"))
             .where(guide_runs.c.started_on.between(first, last),
                    _within(guide_runs.c.unit_id, units), guide_runs.c.flow_id.in_(flows),
                    guide_runs.c.finish.is_not(None), guide_runs.c.confirmed_at.is_not(None))
             .group_by(group))
    return {r.name: int(r.n) for r in conn.execute(query)}
