"""Accounts on a migrated database (SQLite, and PostgreSQL when TEST_DATABASE_URL is set)."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from bot.accounts import AccountService
from bot.accounts.passwords import Passwords
from bot.clock import ManualClock
from bot.storage.accounts import AccountStore
from bot.storage.audit import AuditStore
from bot.storage.database import Database
from bot.storage.migrate import upgrade_async
from bot.storage.teams import units
from tests.conftest import sqlite_url

UNITS = [("lao_cai", None, "province", "Tỉnh Lào Cai"),
         ("yen_binh", "lao_cai", "commune", "Xã Yên Bình"),
         ("thon_dong", "yen_binh", "village", "Thôn Đông")]
# Fast argon2id for tests; production uses argon2-cffi's defaults.
CHEAP = Passwords(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    if request.param == "sqlite":
        url = sqlite_url(tmp_path)
    else:
        url = request.getfixturevalue("postgres_url")
    await upgrade_async(url)
    db = Database(url)
    async with db.engine.begin() as conn:  # the registry an editor's commune is checked in
        await conn.execute(units.insert(), [
            {"id": uid, "parent_id": parent, "level": level, "name": name, "name_key": uid,
             "source": "csv", "updated_at": dt.datetime.now(dt.UTC)}
            for uid, parent, level, name in UNITS])
    yield db
    await db.dispose()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def accounts(database: Database, clock: ManualClock) -> AccountService:
    return AccountService(AccountStore(database.engine), AuditStore(database.engine),
                          clock=clock, passwords=CHEAP)
