"""What reports count, kept as it happens so a dashboard never scans the events table.

- ``guide_runs``: one row per guide a resident started (a run), with the resident's unit, the
  team member whose link opened it, and when it finished and was confirmed (👍). A province of
  100,000 residents has about a million runs; every headline figure is one indexed pass here.
- ``reach_steps``: a daily rollup of the funnels: how many runs started that day in a unit
  reached each step (each run counted once per step), and how many pressed "🆘 Tôi bị kẹt"
  there. It holds no resident ids.
- ``report_optouts``: members who turned off completion notices, teams that turned off the
  weekly summary (one row each: ``member:<id>`` / ``unit:<id>``).

A turn writes these through :func:`record` in its own transaction (see
``bot/reports/recorder.py``), so the figures always agree with what residents did.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    bindparam,
    delete,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from bot.storage import residents_data
from bot.storage.tables import BigId, metadata

COVERED = ("resident_id", "flow_id", "member_id", "finish", "confirmed_at")

guide_runs = Table(
    "guide_runs", metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("resident_id", BigId, ForeignKey("residents.id", ondelete="CASCADE"),
           nullable=False),
    Column("flow_id", String(32), nullable=False),
    Column("unit_id", String(30), nullable=False, server_default=""),  # "": no known unit
    Column("member_id", BigInteger, nullable=True),  # the team member whose link opened it
    Column("started_on", Date, nullable=False),  # the day in Vietnam
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True), nullable=True),
    Column("finish", String(10), nullable=True),  # completed | pending
    Column("confirmed_at", DateTime(timezone=True), nullable=True),
    Column("steps", Text, nullable=False, server_default=""),  # " a b !c": reached, stuck
    Index("ix_guide_runs_resident_id_flow_id", "resident_id", "flow_id"),
    # The province as a whole reads a range of days; a unit and those below it read their
    # units' ranges. Both carry what the figures need (index-only scans on PostgreSQL).
    Index("ix_guide_runs_started_on_unit_id", "started_on", "unit_id",
          postgresql_include=list(COVERED)),
    Index("ix_guide_runs_unit_id_started_on", "unit_id", "started_on",
          postgresql_include=list(COVERED)),
    Index("ix_guide_runs_member_id", "member_id"),
)

reach_steps = Table(
    "reach_steps", metadata,
    Column("day", Date, primary_key=True),
    Column("unit_id", String(30), primary_key=True),
    Column("flow_id", String(32), primary_key=True),
    Column("step_id", String(24), primary_key=True),
    Column("reached", Integer, nullable=False),
    Column("stuck", Integer, nullable=False),
    Index("ix_reach_steps_unit_id_day", "unit_id", "day"),
)

report_optouts = Table(
    "report_optouts", metadata,
    Column("subject", String(40), primary_key=True),  # member:<id> | unit:<id>
    Column("created_at", DateTime(timezone=True), nullable=False),
)


@dataclass(frozen=True)
class Run:
    id: int
    flow_id: str
    unit_id: str
    member_id: int | None
    started_on: dt.date
    finish: str | None
    confirmed: bool
    steps: frozenset[str]


def _insert(conn: Connection, table: Table) -> Any:
    return (sqlite_insert if conn.dialect.name == "sqlite" else pg_insert)(table)


# The statements of a turn, built once: a guide step costs a turn three small statements, and
# building them afresh (and compiling the upsert, which SQLAlchemy does not cache) doubled a
# button turn's CPU.
_LATEST_RUN = (select(guide_runs.c.id, guide_runs.c.flow_id, guide_runs.c.unit_id,
                      guide_runs.c.member_id, guide_runs.c.started_on, guide_runs.c.finish,
                      guide_runs.c.confirmed_at, guide_runs.c.steps)
               .where(guide_runs.c.resident_id == bindparam("resident_id"),
                      guide_runs.c.flow_id == bindparam("flow_id"))
               .order_by(guide_runs.c.id.desc()).limit(1))
_SET_STEPS = (update(guide_runs).where(guide_runs.c.id == bindparam("run_id"))
              .values(steps=bindparam("steps")))
# The same upsert in SQLite (3.24+) and PostgreSQL.
_COUNT_STEP = text(
    "INSERT INTO reach_steps (day, unit_id, flow_id, step_id, reached, stuck) "
    "VALUES (:day, :unit_id, :flow_id, :step_id, :reached, :stuck) "
    "ON CONFLICT (day, unit_id, flow_id, step_id) DO UPDATE SET "
    "reached = reach_steps.reached + excluded.reached, "
    "stuck = reach_steps.stuck + excluded.stuck"
).bindparams(bindparam("day", type_=Date))


def latest_run(conn: Connection, resident_id: int, flow_id: str) -> Run | None:
    row = conn.execute(_LATEST_RUN, {"resident_id": resident_id, "flow_id": flow_id}).first()
    if row is None:
        return None
    return Run(row.id, row.flow_id, row.unit_id, row.member_id, row.started_on, row.finish,
               row.confirmed_at is not None, frozenset(row.steps.split()))


def start_run(conn: Connection, resident_id: int, flow_id: str, unit_id: str,
              member_id: int | None, now: dt.datetime, day: dt.date) -> Run:
    run_id = conn.execute(guide_runs.insert().values(
        resident_id=resident_id, flow_id=flow_id, unit_id=unit_id, member_id=member_id,
        started_on=day, started_at=now, steps="").returning(guide_runs.c.id)).scalar_one()
    return Run(run_id, flow_id, unit_id, member_id, day, None, False, frozenset())


def mark_step(conn: Connection, run: Run, step_id: str, *, stuck: bool = False) -> Run:
    """Count the run at ``step_id`` (reached, or stuck there) once; the updated run."""
    mark = f"!{step_id}" if stuck else step_id
    if mark in run.steps:
        return run
    steps = run.steps | {mark}
    conn.execute(_SET_STEPS, {"run_id": run.id, "steps": " ".join(sorted(steps))[:4000]})
    conn.execute(_COUNT_STEP, {"day": run.started_on, "unit_id": run.unit_id,
                               "flow_id": run.flow_id, "step_id": step_id[:24],
                               "reached": 0 if stuck else 1, "stuck": 1 if stuck else 0})
    return Run(run.id, run.flow_id, run.unit_id, run.member_id, run.started_on, run.finish,
               run.confirmed, frozenset(steps))


def finish_run(conn: Connection, run: Run, finish: str, now: dt.datetime) -> bool:
    """Mark the run finished; False when it already was."""
    return bool(conn.execute(update(guide_runs).where(
        guide_runs.c.id == run.id, guide_runs.c.finish.is_(None)).values(
        finish=finish, finished_at=now)).rowcount)


def confirm_run(conn: Connection, run: Run, now: dt.datetime) -> None:
    conn.execute(update(guide_runs).where(
        guide_runs.c.id == run.id, guide_runs.c.confirmed_at.is_(None)).values(
        confirmed_at=now))


# ------------------------------------------------------------------ opt-outs
def opted_out(conn: Connection, subject: str) -> bool:
    return conn.execute(select(report_optouts.c.subject).where(
        report_optouts.c.subject == subject)).first() is not None


def set_optout(conn: Connection, subject: str, out: bool, now: dt.datetime) -> None:
    if out:
        conn.execute(_insert(conn, report_optouts).values(
            subject=subject, created_at=now).on_conflict_do_nothing())
    else:
        conn.execute(delete(report_optouts).where(report_optouts.c.subject == subject))


def optouts(conn: Connection, subjects: Sequence[str]) -> set[str]:
    return {row.subject for row in conn.execute(select(report_optouts.c.subject).where(
        report_optouts.c.subject.in_(list(subjects))))}


# ------------------------------------------------------------------ residents' data rights
def erase_resident(conn: Connection, resident_id: int, _channel: str, _external: str) -> None:
    """The resident's runs go; the daily funnel rollup holds nobody's id and stays."""
    conn.execute(delete(guide_runs).where(guide_runs.c.resident_id == resident_id))


def export_resident(conn: Connection, resident_id: int, _channel: str, _external: str
                    ) -> dict[str, Any]:
    rows = conn.execute(select(guide_runs).where(guide_runs.c.resident_id == resident_id)
                        .order_by(guide_runs.c.id))
    return {"guide_runs": [
        {"flow": r.flow_id, "started_at": r.started_at.isoformat(),
         "finished": r.finish, "confirmed": r.confirmed_at is not None} for r in rows]}


residents_data.ERASERS.append(erase_resident)
residents_data.EXPORTERS.append(export_resident)
