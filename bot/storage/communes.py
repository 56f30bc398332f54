"""Communes' local details (team name, phone) in the database, seeded from flows/communes/.

A file is imported again only when it changed since its last import and nobody edited that
commune in the console meanwhile, so a restart never undoes an editor's change.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, DateTime, String, Table, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage import audit
from bot.storage.accounts import aware
from bot.storage.audit import AuditEntry
from bot.storage.flow_store import bump_revision, content_hash, serialise_imports
from bot.storage.tables import metadata

communes = Table(
    "communes", metadata,
    Column("id", String(30), primary_key=True),
    Column("commune", String(80), nullable=False),
    Column("team_name", String(80), nullable=False),
    Column("team_phone", String(40), nullable=False),
    Column("source", String(16), nullable=False),  # file | console
    Column("file_hash", String(64), nullable=True),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("updated_by", String(64), nullable=True),
)

FIELDS = ("commune", "team_name", "team_phone")


@dataclass(frozen=True)
class CommuneRow:
    id: str
    details: dict[str, str]
    source: str
    updated_at: dt.datetime
    updated_by: str | None


def _row(row: Any) -> CommuneRow:
    return CommuneRow(row.id, {name: getattr(row, name) for name in FIELDS}, row.source,
                      aware(row.updated_at), row.updated_by)


class CommuneStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def all(self) -> dict[str, CommuneRow]:
        async with self.engine.connect() as conn:
            rows = (await conn.execute(select(communes).order_by(communes.c.id))).all()
        return {row.id: _row(row) for row in rows}

    async def get(self, commune_id: str) -> CommuneRow | None:
        async with self.engine.connect() as conn:
            row = (await conn.execute(
                select(communes).where(communes.c.id == commune_id))).first()
        return _row(row) if row else None

    async def import_files(self, items: dict[str, dict[str, str]], now: dt.datetime
                           ) -> list[str]:
        """Import ``{commune_id: details}`` read from files; returns the ids written."""
        changed: list[str] = []
        async with self.engine.begin() as conn:
            await serialise_imports(conn)
            known = {row.id: row for row in (await conn.execute(select(communes))).all()}
            for commune_id, details in items.items():
                digest = content_hash(details)
                row = known.get(commune_id)
                if row is not None and (row.file_hash == digest or row.source != "file"):
                    continue
                values = {**details, "source": "file", "file_hash": digest, "updated_at": now,
                          "updated_by": "flows/"}
                if row is None:
                    await conn.execute(communes.insert().values(id=commune_id, **values))
                else:
                    await conn.execute(update(communes).where(communes.c.id == commune_id)
                                       .values(**values))
                changed.append(commune_id)
            if changed:
                await bump_revision(conn)
        return changed

    async def save(self, commune_id: str, details: dict[str, str], now: dt.datetime,
                   entry: AuditEntry, *, create: bool) -> bool:
        """Create or change a commune from the console; False when ``create`` finds it exists
        or a change finds it missing."""
        async with self.engine.begin() as conn:
            exists = (await conn.execute(select(communes.c.id).where(
                communes.c.id == commune_id).with_for_update())).first() is not None
            if exists == create:
                return False
            values = {**details, "source": "console", "updated_at": now,
                      "updated_by": entry.actor}
            if create:
                await conn.execute(communes.insert().values(id=commune_id, **values))
            else:
                await conn.execute(update(communes).where(communes.c.id == commune_id)
                                   .values(**values))
            await bump_revision(conn)
            await audit.append(conn, entry, now)
        return True
