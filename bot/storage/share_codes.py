"""Short codes that open a guide (or a team's link to one) when a resident sends them."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from sqlalchemy import Column, Connection, DateTime, String, Table, select, text

from bot.storage.runner import Transactions
from bot.storage.tables import metadata

share_codes = Table(
    "share_codes", metadata,
    Column("code", String(16), primary_key=True),
    Column("target", String(100), nullable=False, unique=True),  # "<flow>" or "<flow>-<unit>"
    Column("created_at", DateTime(timezone=True), nullable=False),
)
_NUMBERED = re.compile(r"^([A-Z]+)(\d+)$")


class ShareCodeStore:
    def __init__(self, transactions: Transactions) -> None:
        self.transactions = transactions

    async def assign(self, wanted: Sequence[tuple[str, str]], now: dt.datetime
                     ) -> dict[str, str]:
        """Codes for ``(target, prefix)`` pairs: existing ones as they are, new ones numbered
        after the highest code of their prefix. Returns target -> code for all of them."""
        def run(conn: Connection) -> dict[str, str]:
            if conn.dialect.name == "postgresql":  # two workers starting together: one at a time
                conn.execute(text("LOCK TABLE share_codes IN SHARE ROW EXCLUSIVE MODE"))
            known = {row.target: row.code for row in conn.execute(select(share_codes))}
            highest: dict[str, int] = {}
            for code in known.values():
                match = _NUMBERED.match(code)
                if match:
                    highest[match[1]] = max(highest.get(match[1], 0), int(match[2]))
            for target, prefix in wanted:
                if target in known:
                    continue
                number = highest.get(prefix, 0) + 1
                highest[prefix] = number
                known[target] = f"{prefix}{number}"
                conn.execute(share_codes.insert().values(code=known[target], target=target,
                                                         created_at=now))
            return {target: known[target] for target, _ in wanted}

        return await self.transactions.run(run)

    async def target(self, code: str) -> str | None:
        def run(conn: Connection) -> str | None:
            return conn.execute(select(share_codes.c.target).where(
                share_codes.c.code == code)).scalar_one_or_none()

        return await self.transactions.run(run)

    async def all(self) -> dict[str, str]:
        """code -> target, every code ever given (codes are never reused)."""
        def run(conn: Connection) -> dict[str, str]:
            return {row.code: row.target for row in conn.execute(
                select(share_codes).order_by(share_codes.c.code))}

        return await self.transactions.run(run)
