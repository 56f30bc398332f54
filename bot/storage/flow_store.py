"""Flow versions in the database: ``flows/`` is the seed; console edits become new versions.

Versions of a flow form one line (1, 2, 3 ...), each immutable. ``flow_heads`` says which is
the newest and which is served. A save names the version it started from and is refused when
another version was written since (:class:`StaleBase`); the head row is locked while a version
is added, so two saves on the same base cannot both win. Every publish, rollback and change of
communes bumps ``catalog_revision``, the one-row counter every worker polls to reload.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BigInteger, Column, DateTime, Integer, String, Table, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.storage import audit
from bot.storage.accounts import aware
from bot.storage.audit import AuditEntry
from bot.storage.tables import flow_versions, metadata

flow_heads = Table(
    "flow_heads", metadata,
    Column("flow_id", String(32), primary_key=True),
    Column("latest_version", Integer, nullable=False),
    Column("published_version", Integer, nullable=True),
    # The content of flows/<id>.yml when it was last imported: a file is imported again only
    # when it changed, so a restart never undoes what editors published in the console.
    Column("file_hash", String(64), nullable=True),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

catalog_revision = Table(
    "catalog_revision", metadata,
    Column("id", Integer, primary_key=True),
    Column("revision", BigInteger, nullable=False),
)


def content_hash(document: dict[str, Any]) -> str:
    canonical = json.dumps(document, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


class StaleBase(Exception):
    """Another version was written since the one the caller started from."""

    def __init__(self, latest: int) -> None:
        super().__init__(f"the newest version is {latest}")
        self.latest = latest


class NoSuchVersion(Exception):
    pass


@dataclass(frozen=True)
class Head:
    flow_id: str
    latest_version: int
    published_version: int | None
    updated_at: dt.datetime

    @property
    def draft_version(self) -> int | None:
        """The newest version when it is not the served one."""
        if self.published_version is None or self.latest_version > self.published_version:
            return self.latest_version
        return None


@dataclass(frozen=True)
class Version:
    flow_id: str
    version: int
    author: str | None
    note: str
    source: str
    created_at: dt.datetime
    published: bool  # served at some time
    published_at: dt.datetime | None
    base_version: int | None
    document: dict[str, Any]


@dataclass(frozen=True)
class NewVersion:
    """What a save, an import, an accepted proposal or a rollback writes."""

    flow_id: str
    document: dict[str, Any]
    author: str | None
    source: str  # file | console | proposal | rollback
    note: str = ""
    base_version: int | None = None  # None: no stale-base check (imports, rollbacks)
    publish: bool = False
    file_hash: str | None = None


def _head(row: Any) -> Head:
    return Head(row.flow_id, row.latest_version, row.published_version, aware(row.updated_at))


def _version(row: Any) -> Version:
    return Version(flow_id=row.flow_id, version=row.version, author=row.author,
                   note=row.note or "", source=row.source, created_at=aware(row.created_at),
                   published=row.published,
                   published_at=aware(row.published_at) if row.published_at else None,
                   base_version=row.base_version, document=row.document)


async def bump_revision(conn: AsyncConnection) -> None:
    """Tell every worker to reload the catalog (they poll :meth:`FlowStore.revision`)."""
    result = await conn.execute(update(catalog_revision).where(catalog_revision.c.id == 1)
                                .values(revision=catalog_revision.c.revision + 1))
    if result.rowcount == 0:
        await conn.execute(catalog_revision.insert().values(id=1, revision=1))


async def serialise_imports(conn: AsyncConnection) -> None:
    """Workers starting together import the seed one after the other (PostgreSQL; SQLite's
    ``BEGIN IMMEDIATE`` already does)."""
    if conn.dialect.name == "postgresql":
        await conn.execute(text("SELECT pg_advisory_xact_lock(7301)"))


async def _locked_head(conn: AsyncConnection, flow_id: str) -> Any:
    return (await conn.execute(select(flow_heads).where(flow_heads.c.flow_id == flow_id)
                               .with_for_update())).first()


async def add_version(conn: AsyncConnection, new: NewVersion, now: dt.datetime,
                      entry: AuditEntry | None) -> int:
    """Append a version inside the caller's transaction; returns its number."""
    head = await _locked_head(conn, new.flow_id)
    latest = head.latest_version if head is not None else 0
    if new.base_version is not None and new.base_version != latest:
        raise StaleBase(latest)
    version = latest + 1
    await conn.execute(flow_versions.insert().values(
        flow_id=new.flow_id, version=version, document=new.document,
        content_hash=content_hash(new.document), published=new.publish, source=new.source,
        created_at=now, author=new.author, note=new.note[:500], base_version=new.base_version,
        published_at=now if new.publish else None))
    values: dict[str, Any] = {"latest_version": version, "updated_at": now}
    if new.publish:
        values["published_version"] = version
    if new.file_hash is not None:
        values["file_hash"] = new.file_hash
    if head is None:
        insert = sqlite_insert if conn.dialect.name == "sqlite" else pg_insert
        await conn.execute(insert(flow_heads).values(flow_id=new.flow_id, **values))
    else:
        await conn.execute(update(flow_heads).where(flow_heads.c.flow_id == new.flow_id)
                           .values(**values))
    if new.publish:
        await bump_revision(conn)
    if entry is not None:
        await audit.append(conn, entry, now)
    return version


class FlowStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def revision(self) -> int:
        async with self.engine.connect() as conn:
            value = (await conn.execute(select(catalog_revision.c.revision).where(
                catalog_revision.c.id == 1))).scalar_one_or_none()
        return int(value or 0)

    async def heads(self) -> dict[str, Head]:
        async with self.engine.connect() as conn:
            rows = (await conn.execute(select(flow_heads))).all()
        return {row.flow_id: _head(row) for row in rows}

    async def head(self, flow_id: str) -> Head | None:
        async with self.engine.connect() as conn:
            row = (await conn.execute(
                select(flow_heads).where(flow_heads.c.flow_id == flow_id))).first()
        return _head(row) if row else None

    async def version(self, flow_id: str, version: int) -> Version | None:
        async with self.engine.connect() as conn:
            row = (await conn.execute(select(flow_versions).where(
                flow_versions.c.flow_id == flow_id, flow_versions.c.version == version))).first()
        return _version(row) if row else None

    async def versions(self, flow_id: str) -> list[Version]:
        """Newest first."""
        async with self.engine.connect() as conn:
            rows = (await conn.execute(select(flow_versions).where(
                flow_versions.c.flow_id == flow_id).order_by(flow_versions.c.version.desc())
            )).all()
        return [_version(row) for row in rows]

    async def latest_documents(self) -> dict[str, Version]:
        """The newest version of every flow (drafts included): what editors work on."""
        query = select(flow_versions).join(flow_heads, (
            flow_heads.c.flow_id == flow_versions.c.flow_id)
            & (flow_heads.c.latest_version == flow_versions.c.version))
        async with self.engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return {row.flow_id: _version(row) for row in rows}

    async def served_candidates(self) -> dict[str, list[dict[str, Any]]]:
        """Per flow, the documents of the served version and of every version published
        before it, newest first: the catalog serves the first one that passes every check."""
        query = (select(flow_versions.c.flow_id, flow_versions.c.document)
                 .join(flow_heads, flow_heads.c.flow_id == flow_versions.c.flow_id)
                 .where(flow_versions.c.published.is_(True),
                        flow_versions.c.version <= flow_heads.c.published_version)
                 .order_by(flow_versions.c.flow_id, flow_versions.c.version.desc()))
        result: dict[str, list[dict[str, Any]]] = {}
        async with self.engine.connect() as conn:
            for row in await conn.execute(query):
                result.setdefault(row.flow_id, []).append(row.document)
        return result

    async def add(self, new: NewVersion, now: dt.datetime, entry: AuditEntry | None) -> int:
        async with self.engine.begin() as conn:
            return await add_version(conn, new, now, entry)

    async def publish(self, flow_id: str, version: int, now: dt.datetime,
                      entry: AuditEntry) -> None:
        """Serve ``version``, which must be the newest (else :class:`StaleBase`)."""
        async with self.engine.begin() as conn:
            head = await _locked_head(conn, flow_id)
            if head is None:
                raise NoSuchVersion(flow_id)
            if version != head.latest_version:
                raise StaleBase(head.latest_version)
            await conn.execute(update(flow_versions).where(
                flow_versions.c.flow_id == flow_id, flow_versions.c.version == version)
                .values(published=True, published_at=now))
            await conn.execute(update(flow_heads).where(flow_heads.c.flow_id == flow_id)
                               .values(published_version=version, updated_at=now))
            await bump_revision(conn)
            await audit.append(conn, entry, now)

    async def import_documents(self, documents: list[tuple[dict[str, Any], bool]],
                               now: dt.datetime, author: str = "flows/") -> list[Version]:
        """Import ``(document, passes_checks)`` pairs read from ``flows/``.

        A file is skipped when it is unchanged since its last import or equal to the newest
        version (so importing an export changes nothing). Otherwise it becomes a new version,
        published only when it passes every check and no one has edited the flow in the
        console since the last import; else it waits as a draft for the editors."""
        stored: list[Version] = []
        async with self.engine.begin() as conn:
            await serialise_imports(conn)
            heads = {row.flow_id: row for row in (await conn.execute(select(flow_heads))).all()}
            for document, valid in documents:
                flow_id, digest = document["id"], content_hash(document)
                head = heads.get(flow_id)
                if head is not None and head.file_hash == digest:
                    continue
                newest = None if head is None else (await conn.execute(
                    select(flow_versions.c.content_hash, flow_versions.c.source).where(
                        flow_versions.c.flow_id == flow_id,
                        flow_versions.c.version == head.latest_version))).first()
                if newest is not None and newest.content_hash == digest:
                    await conn.execute(update(flow_heads).where(flow_heads.c.flow_id == flow_id)
                                       .values(file_hash=digest))
                    continue
                untouched = newest is None or newest.source == "file"
                new = NewVersion(flow_id, document, author, "file", note="flows/" + flow_id,
                                 publish=valid and untouched, file_hash=digest)
                version = await add_version(conn, new, now, AuditEntry(
                    None, "system", "flow.imported", flow_id,
                    {"published": new.publish, "valid": valid}))
                stored.append(Version(flow_id, version, author, new.note, "file", now,
                                      new.publish, now if new.publish else None, None,
                                      document))
        return stored
