"""The learning loop's rows: console training examples, trained models (which one is active),
training jobs, and the model the shared Rasa server serves now (and at which URL).

Only primitives live here; the rules (grouping, masking, the gate) are ``bot/nluloop``'s.
Every change a person makes is written with its audit entry in one transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Connection,
    DateTime,
    Float,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    delete,
    select,
    update,
)

from bot.storage.audit import AuditEntry, append_sync
from bot.storage.runner import Transactions
from bot.storage.tables import BigId, metadata, residents, unanswered

nlu_examples = Table(
    "nlu_examples", metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("intent", String(64), nullable=False),
    Column("text", Text, nullable=False),  # masked
    Column("text_key", String(300), nullable=False),  # folded: one intent per sentence
    Column("test", Boolean, nullable=False),  # held out: measured on, never trained on
    Column("source", String(16), nullable=False),  # inbox | console
    Column("author", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("text_key"),
)

nlu_models = Table(
    "nlu_models", metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("file", String(120), nullable=False),  # a file name in models/
    Column("source", String(16), nullable=False),  # repo | console
    Column("base_hash", String(32), nullable=False),  # the repository's NLU inputs
    Column("examples", Integer, nullable=False),  # console examples trained on
    Column("train_seconds", Float, nullable=True),
    Column("created_by", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("activated_at", DateTime(timezone=True), nullable=True),
    Column("evaluation", JSON, nullable=True),  # the latest held-out measurement
    UniqueConstraint("file"),
)

nlu_jobs = Table(
    "nlu_jobs", metadata,
    Column("id", String(32), primary_key=True),
    Column("state", String(16), nullable=False),  # running | done | failed
    Column("stage", String(32), nullable=False),
    Column("progress", Integer, nullable=False),  # 0..100
    Column("created_by", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True), nullable=True),
    Column("old_model_id", BigId, nullable=True),
    Column("new_model_id", BigId, nullable=True),
    Column("result", JSON, nullable=True),
    Column("error", Text, nullable=True),
    Index("ix_nlu_jobs_created_at", "created_at"),
)

# One row (id 1): the model the deployment's Rasa server serves, and where; written by the
# process that owns that server, read by every worker (README, "Learning loop").
nlu_serving = Table(
    "nlu_serving", metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("url", String(200), nullable=False),
    Column("model", String(120), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

RUNNING, DONE, FAILED = "running", "done", "failed"


class Duplicate(Exception):
    """The sentence is already a training example (of this or another intent)."""


@dataclass(frozen=True)
class UnansweredRow:
    id: int
    text: str
    reason: str
    intent: str | None
    confidence: float | None
    created_at: dt.datetime
    commune: str | None


@dataclass(frozen=True)
class ExampleRow:
    id: int
    intent: str
    text: str
    test: bool
    source: str
    author: str
    created_at: dt.datetime


@dataclass(frozen=True)
class ModelRow:
    id: int
    file: str
    source: str
    base_hash: str
    examples: int
    train_seconds: float | None
    created_by: str
    created_at: dt.datetime
    active: bool
    activated_at: dt.datetime | None
    evaluation: dict[str, Any] | None


@dataclass(frozen=True)
class JobRow:
    id: str
    state: str
    stage: str
    progress: int
    created_by: str
    created_at: dt.datetime
    finished_at: dt.datetime | None
    old_model_id: int | None
    new_model_id: int | None
    result: dict[str, Any] | None
    error: str | None


def _model(row: Any) -> ModelRow:
    return ModelRow(row.id, row.file, row.source, row.base_hash, row.examples, row.train_seconds,
                    row.created_by, row.created_at, row.active, row.activated_at, row.evaluation)


def _job(row: Any) -> JobRow:
    return JobRow(row.id, row.state, row.stage, row.progress, row.created_by, row.created_at,
                  row.finished_at, row.old_model_id, row.new_model_id, row.result, row.error)


def _example(row: Any) -> ExampleRow:
    return ExampleRow(row.id, row.intent, row.text, row.test, row.source, row.author,
                      row.created_at)


class NluStore:
    def __init__(self, transactions: Transactions) -> None:
        self.tx = transactions

    # ------------------------------------------------------------ the inbox
    async def unanswered(self, limit: int = 5000) -> list[UnansweredRow]:
        """Messages nobody has dealt with yet (text not erased), newest first."""
        query = (select(unanswered.c.id, unanswered.c.text, unanswered.c.reason,
                        unanswered.c.intent, unanswered.c.confidence, unanswered.c.created_at,
                        residents.c.commune)
                 .join(residents, residents.c.id == unanswered.c.resident_id)
                 .where(unanswered.c.reviewed.is_(False), unanswered.c.text != "")
                 .order_by(unanswered.c.created_at.desc(), unanswered.c.id.desc()).limit(limit))

        def run(conn: Connection) -> list[UnansweredRow]:
            return [UnansweredRow(*row) for row in conn.execute(query)]

        return await self.tx.run(run)

    async def review(self, ids: Sequence[int], entries: Sequence[AuditEntry], now: dt.datetime,
                     example: dict[str, Any] | None = None) -> int:
        """Mark messages dealt with (and store the example they became), with the audit
        entries, in one transaction. Raises :class:`Duplicate` (nothing changed)."""
        def run(conn: Connection) -> int:
            if example is not None:
                _insert_example(conn, example, now)
            done = conn.execute(update(unanswered).where(unanswered.c.id.in_(list(ids)))
                                .values(reviewed=True)).rowcount
            for entry in entries:
                append_sync(conn, entry, now)
            return int(done)

        return await self.tx.run(run)

    # ------------------------------------------------------------ examples
    async def examples(self, intent: str | None = None) -> list[ExampleRow]:
        query = select(nlu_examples).order_by(nlu_examples.c.intent, nlu_examples.c.id)
        if intent is not None:
            query = query.where(nlu_examples.c.intent == intent)

        def run(conn: Connection) -> list[ExampleRow]:
            return [_example(row) for row in conn.execute(query)]

        return await self.tx.run(run)

    async def example(self, example_id: int) -> ExampleRow | None:
        def run(conn: Connection) -> ExampleRow | None:
            row = conn.execute(select(nlu_examples)
                               .where(nlu_examples.c.id == example_id)).first()
            return _example(row) if row else None

        return await self.tx.run(run)

    async def add_example(self, values: dict[str, Any], entry: AuditEntry, now: dt.datetime
                          ) -> int:
        def run(conn: Connection) -> int:
            new_id = _insert_example(conn, values, now)
            append_sync(conn, entry, now)
            return new_id

        return await self.tx.run(run)

    async def change_example(self, example_id: int, values: dict[str, Any] | None,
                             entry: AuditEntry, now: dt.datetime) -> bool:
        """Update (``values``) or delete (``None``) one example; False if it is gone."""
        def run(conn: Connection) -> bool:
            where = nlu_examples.c.id == example_id
            if values is None:
                done = conn.execute(delete(nlu_examples).where(where)).rowcount
            else:
                clash = conn.execute(select(nlu_examples.c.id).where(
                    nlu_examples.c.text_key == values["text_key"],
                    nlu_examples.c.id != example_id)).first()
                if clash is not None:
                    raise Duplicate(values["text"])
                done = conn.execute(update(nlu_examples).where(where)
                                    .values(**values, updated_at=now)).rowcount
            if done:
                append_sync(conn, entry, now)
            return bool(done)

        return await self.tx.run(run)

    # ------------------------------------------------------------ models
    async def register_model(self, values: dict[str, Any], now: dt.datetime) -> ModelRow:
        """The row of a model file, created on first sight."""
        def run(conn: Connection) -> ModelRow:
            row = conn.execute(select(nlu_models)
                               .where(nlu_models.c.file == values["file"])).first()
            if row is None:
                conn.execute(nlu_models.insert().values(**values, created_at=now, active=False))
                row = conn.execute(select(nlu_models)
                                   .where(nlu_models.c.file == values["file"])).one()
            return _model(row)

        return await self.tx.run(run)

    async def models(self) -> list[ModelRow]:
        def run(conn: Connection) -> list[ModelRow]:
            return [_model(r) for r in conn.execute(select(nlu_models)
                                                     .order_by(nlu_models.c.id.desc()))]

        return await self.tx.run(run)

    async def model(self, model_id: int) -> ModelRow | None:
        def run(conn: Connection) -> ModelRow | None:
            row = conn.execute(select(nlu_models).where(nlu_models.c.id == model_id)).first()
            return _model(row) if row else None

        return await self.tx.run(run)

    async def active_model(self) -> ModelRow | None:
        def run(conn: Connection) -> ModelRow | None:
            row = conn.execute(select(nlu_models).where(nlu_models.c.active.is_(True))).first()
            return _model(row) if row else None

        return await self.tx.run(run)

    async def activate(self, model_id: int, entry: AuditEntry | None, now: dt.datetime) -> None:
        def run(conn: Connection) -> None:
            conn.execute(update(nlu_models).where(nlu_models.c.active.is_(True),
                                                  nlu_models.c.id != model_id)
                         .values(active=False))
            conn.execute(update(nlu_models).where(nlu_models.c.id == model_id)
                         .values(active=True, activated_at=now))
            if entry is not None:
                append_sync(conn, entry, now)

        await self.tx.run(run)

    async def set_evaluation(self, model_id: int, evaluation: dict[str, Any]) -> None:
        def run(conn: Connection) -> None:
            conn.execute(update(nlu_models).where(nlu_models.c.id == model_id)
                         .values(evaluation=evaluation))

        await self.tx.run(run)

    # ------------------------------------------------------------ jobs
    async def start_job(self, job_id: str, created_by: str, old_model_id: int | None,
                        entry: AuditEntry, now: dt.datetime, stale_before: dt.datetime
                        ) -> JobRow | None:
        """A new running job, or None while another one runs (one training at a time). A job
        still "running" since before ``stale_before`` lost its process: it is failed."""
        def run(conn: Connection) -> JobRow | None:
            conn.execute(update(nlu_jobs).where(nlu_jobs.c.state == RUNNING,
                                                nlu_jobs.c.created_at < stale_before)
                         .values(state=FAILED, error="lost (server restarted)", finished_at=now))
            if conn.execute(select(nlu_jobs.c.id).where(nlu_jobs.c.state == RUNNING)).first():
                return None
            conn.execute(nlu_jobs.insert().values(
                id=job_id, state=RUNNING, stage="queued", progress=0, created_by=created_by,
                created_at=now, old_model_id=old_model_id))
            append_sync(conn, entry, now)
            return _job(conn.execute(select(nlu_jobs).where(nlu_jobs.c.id == job_id)).one())

        return await self.tx.run(run)

    async def update_job(self, job_id: str, **values: Any) -> None:
        def run(conn: Connection) -> None:
            conn.execute(update(nlu_jobs).where(nlu_jobs.c.id == job_id).values(**values))

        await self.tx.run(run)

    async def job(self, job_id: str) -> JobRow | None:
        def run(conn: Connection) -> JobRow | None:
            row = conn.execute(select(nlu_jobs).where(nlu_jobs.c.id == job_id)).first()
            return _job(row) if row else None

        return await self.tx.run(run)

    async def jobs(self, limit: int = 20) -> list[JobRow]:
        def run(conn: Connection) -> list[JobRow]:
            return [_job(r) for r in conn.execute(
                select(nlu_jobs).order_by(nlu_jobs.c.created_at.desc()).limit(limit))]

        return await self.tx.run(run)

    # ------------------------------------------------------------ serving
    async def announce(self, url: str, model: str, now: dt.datetime) -> None:
        def run(conn: Connection) -> None:
            if conn.execute(update(nlu_serving).where(nlu_serving.c.id == 1)
                            .values(url=url, model=model, updated_at=now)).rowcount == 0:
                conn.execute(nlu_serving.insert().values(id=1, url=url, model=model,
                                                         updated_at=now))

        await self.tx.run(run)

    async def serving(self) -> tuple[str, str] | None:
        """(url, model file) of the shared Rasa server, if a process owns one."""
        def run(conn: Connection) -> tuple[str, str] | None:
            row = conn.execute(select(nlu_serving.c.url, nlu_serving.c.model)
                               .where(nlu_serving.c.id == 1)).first()
            return (row.url, row.model) if row else None

        return await self.tx.run(run)


def _insert_example(conn: Connection, values: dict[str, Any], now: dt.datetime) -> int:
    if conn.execute(select(nlu_examples.c.id)
                    .where(nlu_examples.c.text_key == values["text_key"])).first():
        raise Duplicate(values["text"])
    result = conn.execute(nlu_examples.insert().values(**values, created_at=now, updated_at=now))
    return int(result.inserted_primary_key[0])  # type: ignore[index]
