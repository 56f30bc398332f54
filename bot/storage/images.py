"""Images uploaded in the console (step pictures, proposal screenshots), kept in the database
so every worker can serve them; the name is the content's hash, so an upload is never lost or
overwritten by another."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Column, DateTime, LargeBinary, String, Table, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage.tables import metadata

uploaded_images = Table(
    "uploaded_images", metadata,
    Column("name", String(80), primary_key=True),  # <sha256 prefix>.<png|jpg|webp>
    Column("content_type", String(32), nullable=False),
    Column("data", LargeBinary, nullable=False),
    Column("uploader", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)


@dataclass(frozen=True)
class StoredImage:
    name: str
    content_type: str
    data: bytes


class ImageStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def save(self, image: StoredImage, uploader: str, now: dt.datetime) -> None:
        async with self.engine.begin() as conn:
            exists = (await conn.execute(select(uploaded_images.c.name).where(
                uploaded_images.c.name == image.name))).first()
            if exists is None:
                await conn.execute(uploaded_images.insert().values(
                    name=image.name, content_type=image.content_type, data=image.data,
                    uploader=uploader, created_at=now))

    async def get(self, name: str) -> StoredImage | None:
        async with self.engine.connect() as conn:
            row = (await conn.execute(select(uploaded_images).where(
                uploaded_images.c.name == name))).first()
        return StoredImage(row.name, row.content_type, row.data) if row else None

    async def names(self) -> list[str]:
        async with self.engine.connect() as conn:
            return list((await conn.execute(select(uploaded_images.c.name))).scalars())
