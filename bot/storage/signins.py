"""Sign-in throttles (failures per login, per address and per pair) and each account's usual
addresses (where it signed in before). Addresses are stored only as SHA-256 hashes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Column, DateTime, ForeignKey, Integer, String, Table, delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.storage.accounts import aware
from bot.storage.tables import BigId, metadata

signin_throttle = Table(
    "signin_throttle", metadata,
    Column("key", String(140), primary_key=True),  # login:… | address:… | pair:…
    Column("failures", Integer, nullable=False, default=0),
    Column("last_failed_at", DateTime(timezone=True), nullable=True),
    Column("blocked_until", DateTime(timezone=True), nullable=True),
)

signin_addresses = Table(
    "signin_addresses", metadata,
    Column("account_id", BigId, ForeignKey("accounts.id", ondelete="CASCADE"),
           primary_key=True),
    Column("address_hash", String(64), primary_key=True),
    Column("last_ok_at", DateTime(timezone=True), nullable=False),
)


@dataclass(frozen=True)
class Throttle:
    failures: int
    blocked_until: dt.datetime | None


def _insert(conn: AsyncConnection):  # type: ignore[no-untyped-def]
    return sqlite_insert if conn.dialect.name == "sqlite" else pg_insert


class SigninStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def throttles(self, keys: list[str]) -> dict[str, Throttle]:
        async with self.engine.connect() as conn:
            rows = (await conn.execute(select(signin_throttle).where(
                signin_throttle.c.key.in_(keys)))).all()
        return {row.key: Throttle(row.failures, aware(row.blocked_until)
                                  if row.blocked_until else None) for row in rows}

    async def record_failure(self, keys: list[str], now: dt.datetime, *, forget: dt.timedelta,
                             block: Callable[[str, int], dt.timedelta | None]
                             ) -> dict[str, Throttle]:
        """One more failure on each key (counted anew after ``forget`` without any);
        ``block(key, failures)`` says for how long the key is then refused. Serialised per
        key by the row lock."""
        found: dict[str, Throttle] = {}
        async with self.engine.begin() as conn:
            for key in sorted(keys):  # one order: no deadlock between two sign-ins
                await conn.execute(_insert(conn)(signin_throttle).values(key=key, failures=0)
                                   .on_conflict_do_nothing())
                row = (await conn.execute(select(signin_throttle).where(
                    signin_throttle.c.key == key).with_for_update())).one()
                recent = (row.last_failed_at is not None
                          and now - aware(row.last_failed_at) < forget)
                count = (row.failures if recent else 0) + 1
                wait = block(key, count)
                until = now + wait if wait else None
                await conn.execute(update(signin_throttle).where(signin_throttle.c.key == key)
                                   .values(failures=count, last_failed_at=now,
                                           blocked_until=until))
                found[key] = Throttle(count, until)
        return found

    async def clear(self, keys: list[str]) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(delete(signin_throttle).where(signin_throttle.c.key.in_(keys)))

    async def usual(self, account_id: int, address_hash: str, since: dt.datetime) -> bool:
        async with self.engine.connect() as conn:
            row = (await conn.execute(select(signin_addresses.c.last_ok_at).where(
                signin_addresses.c.account_id == account_id,
                signin_addresses.c.address_hash == address_hash))).first()
        return row is not None and aware(row.last_ok_at) >= since

    async def remember(self, account_id: int, address_hash: str, now: dt.datetime) -> None:
        async with self.engine.begin() as conn:
            statement = _insert(conn)(signin_addresses).values(
                account_id=account_id, address_hash=address_hash, last_ok_at=now)
            await conn.execute(statement.on_conflict_do_update(
                index_elements=["account_id", "address_hash"], set_={"last_ok_at": now}))
