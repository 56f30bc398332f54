"""Flow versions in the database: ``flows/`` is the seed; admins' edits become new versions."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage.tables import flow_versions, utcnow


def content_hash(document: dict[str, Any]) -> str:
    canonical = json.dumps(document, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


class FlowStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def import_documents(self, documents: list[dict[str, Any]], source: str = "file"
                               ) -> list[str]:
        """Store each document as a new published version when its content changed.

        Returns the ids of the flows that got a new version."""
        changed: list[str] = []
        async with self.engine.begin() as conn:
            latest: dict[str, tuple[int, str]] = {}
            rows = await conn.execute(
                select(flow_versions.c.flow_id, flow_versions.c.version,
                       flow_versions.c.content_hash).order_by(flow_versions.c.version))
            for row in rows:  # ascending, so the newest version of each flow wins
                latest[row.flow_id] = (row.version, row.content_hash)
            for document in documents:
                digest = content_hash(document)
                version, known = latest.get(document["id"], (0, None))
                if known == digest:
                    continue
                await conn.execute(flow_versions.insert().values(
                    flow_id=document["id"], version=version + 1, document=document,
                    content_hash=digest, published=True, source=source, created_at=utcnow()))
                changed.append(document["id"])
        return changed

    async def published_documents(self) -> list[dict[str, Any]]:
        """The newest published version of every flow."""
        newest = (select(flow_versions.c.flow_id, func.max(flow_versions.c.version).label("v"))
                  .where(flow_versions.c.published.is_(True))
                  .group_by(flow_versions.c.flow_id).subquery())
        query = select(flow_versions.c.document).join(
            newest, (flow_versions.c.flow_id == newest.c.flow_id)
            & (flow_versions.c.version == newest.c.v))
        async with self.engine.connect() as conn:
            return [row.document for row in await conn.execute(query)]
