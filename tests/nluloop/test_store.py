"""The learning loop's rows on both databases: review with its example and audit entry in one
transaction, one intent per sentence, one active model, one running job, the served model."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from bot.storage.audit import AuditEntry, audit_log
from bot.storage.database import Database
from bot.storage.migrate import upgrade_async
from bot.storage.nlu import Duplicate, NluStore
from bot.storage.runner import Transactions
from bot.storage.tables import residents, unanswered
from tests.conftest import sqlite_url

NOW = dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.UTC)
ENTRY = AuditEntry(1, "editor", "nlu.assigned", "greet")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def db(request: pytest.FixtureRequest, tmp_path: Path
             ) -> AsyncIterator[tuple[Database, NluStore]]:
    if request.param == "sqlite":
        url = sqlite_url(tmp_path)
    else:
        url = request.getfixturevalue("postgres_url")
    await upgrade_async(url)
    database = Database(url)
    transactions = Transactions(database.engine)
    yield database, NluStore(transactions)
    transactions.close()
    await database.dispose()


def example(text: str, intent: str = "greet") -> dict[str, object]:
    return {"intent": intent, "text": text, "text_key": text, "test": False,
            "source": "inbox", "author": "editor"}


async def test_rows(db: tuple[Database, NluStore]) -> None:
    database, store = db
    async with database.engine.begin() as conn:
        rid = (await conn.execute(insert(residents).values(
            channel="web", external_id="r", state={}, version=0, commune="yen_binh",
            active=True, created_at=NOW, updated_at=NOW).returning(residents.c.id))).scalar_one()
        for minute, text in enumerate(["chao ad", "chao ad a", ""]):
            await conn.execute(insert(unanswered).values(
                resident_id=rid, text=text, reason="clarify", intent="greet", confidence=0.4,
                reviewed=False, created_at=NOW + dt.timedelta(minutes=minute)))
    rows = await store.unanswered()
    assert [(r.text, r.commune) for r in rows] == [("chao ad a", "yen_binh"),
                                                   ("chao ad", "yen_binh")]
    assert await store.review([r.id for r in rows], [ENTRY], NOW, example("chao ad")) == 2
    assert await store.unanswered() == []
    with pytest.raises(Duplicate):
        await store.review([], [ENTRY], NOW, example("chao ad", "thanks_bye"))
    [row] = await store.examples()
    assert (row.intent, row.text, row.source) == ("greet", "chao ad", "inbox")
    second = await store.add_example(example("hi ad"), ENTRY, NOW)
    with pytest.raises(Duplicate):
        await store.change_example(second, example("chao ad"), ENTRY, NOW)
    assert await store.change_example(second, None, ENTRY, NOW)
    assert not await store.change_example(second, None, ENTRY, NOW)
    async with database.engine.connect() as conn:
        actions = (await conn.execute(select(audit_log.c.action))).scalars().all()
    assert actions == ["nlu.assigned"] * 3  # the review, the example, the deletion


async def test_models_jobs_and_serving(db: tuple[Database, NluStore]) -> None:
    _, store = db
    values = {"source": "repo", "base_hash": "h", "examples": 0, "train_seconds": 1.0,
              "created_by": "repo"}
    first = await store.register_model({"file": "a.tar.gz", **values}, NOW)
    assert (await store.register_model({"file": "a.tar.gz", **values}, NOW)).id == first.id
    second = await store.register_model({"file": "b.tar.gz", **values}, NOW)
    await store.activate(first.id, None, NOW)
    await store.activate(second.id, ENTRY, NOW)
    assert [m.file for m in await store.models() if m.active] == ["b.tar.gz"]
    assert await store.start_job("j1", "editor", None, ENTRY, NOW, NOW) is not None
    assert await store.start_job("j2", "editor", None, ENTRY, NOW, NOW) is None
    later = NOW + dt.timedelta(hours=3)
    assert await store.start_job("j2", "editor", None, ENTRY, later, NOW + dt.timedelta(
        hours=1)) is not None  # j1 was stale
    assert (await store.job("j1")).state == "failed"  # type: ignore[union-attr]
    assert await store.serving() is None
    await store.announce("http://127.0.0.1:1", "", NOW)
    await store.announce("http://127.0.0.1:2", "b.tar.gz", NOW)
    assert await store.serving() == ("http://127.0.0.1:2", "b.tar.gz")
