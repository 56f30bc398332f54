"""Rate-limit counters shared by the workers: one row per hashed key and time window, holding
nothing but the count; a row is deleted once its window has passed."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import BigInteger, Column, Connection, Integer, String, Table, delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from bot.storage.runner import Transactions
from bot.storage.tables import metadata

rate_counters = Table(
    "rate_counters", metadata,
    Column("key", String(40), primary_key=True),  # a hash: no user id or address is kept
    Column("window", BigInteger, primary_key=True),  # the window's end, in epoch seconds
    Column("count", Integer, nullable=False),
)

Slot = tuple[str, int]  # (hashed key, window end)


class RateCounterStore:
    def __init__(self, transactions: Transactions) -> None:
        self.transactions = transactions

    async def add(self, deltas: Mapping[Slot, int]) -> dict[Slot, int]:
        """Add to the counters; returns their totals across every worker."""
        def run(conn: Connection) -> dict[Slot, int]:
            insert = sqlite_insert if conn.dialect.name == "sqlite" else pg_insert
            totals: dict[Slot, int] = {}
            for (key, window), delta in sorted(deltas.items()):  # one lock order: no deadlock
                values = insert(rate_counters).values(key=key, window=window, count=delta)
                upsert = values.on_conflict_do_update(
                    index_elements=["key", "window"],
                    set_={"count": rate_counters.c.count + values.excluded.count},
                ).returning(rate_counters.c.count)
                totals[(key, window)] = int(conn.execute(upsert).scalar_one())
            return totals

        return await self.transactions.run(run)

    async def prune(self, now: float) -> int:
        def run(conn: Connection) -> int:
            return int(conn.execute(delete(rate_counters).where(
                rate_counters.c.window <= int(now))).rowcount)

        return await self.transactions.run(run)
