"""What the Zalo channel must remember across restarts and workers: the OA's tokens, each
resident's reply quota and numbered choices, and the attachment ids of uploaded step images."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Connection,
    DateTime,
    Integer,
    String,
    Table,
    Text,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage.runner import Transactions
from bot.storage.tables import metadata

zalo_tokens = Table(
    "zalo_tokens", metadata,
    Column("app_id", String(32), primary_key=True),
    Column("access_token", Text, nullable=True),
    Column("access_expires_at", DateTime(timezone=True), nullable=True),
    Column("refresh_token", Text, nullable=True),
    Column("seed_hash", String(64), nullable=True),  # which ZALO_REFRESH_TOKEN seeded it
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

zalo_recipients = Table(
    "zalo_recipients", metadata,
    Column("user_id", String(64), primary_key=True),
    Column("last_inbound_at", DateTime(timezone=True), nullable=True),
    Column("replies_used", Integer, nullable=False, default=0),
    Column("options", JSON, nullable=False, default=dict),  # "1" -> payload
)

zalo_attachments = Table(
    "zalo_attachments", metadata,
    Column("image", String(300), primary_key=True),
    Column("content_hash", String(64), nullable=False),
    Column("attachment_id", String(300), nullable=False),
    Column("uploaded_at", DateTime(timezone=True), nullable=False),
)


def _aware(moment: dt.datetime | None) -> dt.datetime | None:
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment


def _insert(conn: Connection, table: Table) -> Any:
    return (sqlite_insert if conn.dialect.name == "sqlite" else pg_insert)(table)


@dataclass(frozen=True)
class Tokens:
    access_token: str | None
    access_expires_at: dt.datetime | None
    refresh_token: str | None


@dataclass(frozen=True)
class Quota:
    last_inbound_at: dt.datetime | None
    replies_used: int


class TokenLock:
    """The token row, locked for the duration of ``async with``: ``SELECT ... FOR UPDATE`` on
    PostgreSQL, SQLite's write lock otherwise. Whoever holds it may refresh; the others wait
    and then read what it stored."""

    def __init__(self, engine: AsyncEngine, app_id: str) -> None:
        self.engine = engine
        self.app_id = app_id

    async def run(self, fn: Callable[[Tokens], Awaitable[Tokens | None]], now: dt.datetime
                  ) -> Tokens:
        async with self.engine.begin() as conn:
            row = (await conn.execute(
                select(zalo_tokens).where(zalo_tokens.c.app_id == self.app_id)
                .with_for_update())).one()
            current = Tokens(row.access_token, _aware(row.access_expires_at), row.refresh_token)
            new = await fn(current)
            if new is None:
                return current
            await conn.execute(update(zalo_tokens).where(
                zalo_tokens.c.app_id == self.app_id).values(
                access_token=new.access_token, access_expires_at=new.access_expires_at,
                refresh_token=new.refresh_token, updated_at=now))
            return new


class ZaloStore:
    def __init__(self, engine: AsyncEngine, transactions: Transactions) -> None:
        self.engine = engine
        self.transactions = transactions

    # ---------------------------------------------------------------- tokens
    async def seed_tokens(self, app_id: str, refresh_token: str | None, seed_hash: str | None,
                          now: dt.datetime) -> None:
        """Make sure the token row exists. A new ``ZALO_REFRESH_TOKEN`` (another seed than the
        one stored) replaces the stored chain; the same one is ignored, because it was used up
        by the first refresh."""
        def run(conn: Connection) -> None:
            row = conn.execute(select(zalo_tokens.c.seed_hash).where(
                zalo_tokens.c.app_id == app_id)).first()
            if row is None:
                conn.execute(_insert(conn, zalo_tokens).values(
                    app_id=app_id, refresh_token=refresh_token, seed_hash=seed_hash,
                    updated_at=now).on_conflict_do_nothing())
            elif seed_hash is not None and row.seed_hash != seed_hash:
                conn.execute(update(zalo_tokens).where(zalo_tokens.c.app_id == app_id).values(
                    refresh_token=refresh_token, seed_hash=seed_hash, access_token=None,
                    access_expires_at=None, updated_at=now))

        await self.transactions.run(run)

    async def replace_tokens(self, app_id: str, tokens: Tokens, seed_hash: str | None,
                             now: dt.datetime) -> None:
        """Store tokens obtained outside the refresh chain (the OA admin's first permission).
        ``seed_hash`` is the ``ZALO_REFRESH_TOKEN`` set now, so that it does not replace
        these tokens at the next start."""
        def run(conn: Connection) -> None:
            values = {"access_token": tokens.access_token,
                      "access_expires_at": tokens.access_expires_at,
                      "refresh_token": tokens.refresh_token, "seed_hash": seed_hash,
                      "updated_at": now}
            conn.execute(_insert(conn, zalo_tokens).values(app_id=app_id, **values)
                         .on_conflict_do_update(index_elements=["app_id"], set_=values))

        await self.transactions.run(run)

    async def tokens(self, app_id: str) -> Tokens | None:
        def run(conn: Connection) -> Tokens | None:
            row = conn.execute(select(zalo_tokens).where(zalo_tokens.c.app_id == app_id)).first()
            if row is None:
                return None
            return Tokens(row.access_token, _aware(row.access_expires_at), row.refresh_token)

        return await self.transactions.run(run)

    def token_lock(self, app_id: str) -> TokenLock:
        return TokenLock(self.engine, app_id)

    # ---------------------------------------------------------------- reply quota
    async def resident_wrote(self, user_id: str, at: dt.datetime) -> None:
        """The resident wrote (or pressed a button) at ``at``: a new quota window opens."""
        def run(conn: Connection) -> None:
            row = conn.execute(select(zalo_recipients.c.last_inbound_at).where(
                zalo_recipients.c.user_id == user_id).with_for_update()).first()
            if row is None:
                conn.execute(_insert(conn, zalo_recipients).values(
                    user_id=user_id, last_inbound_at=at, replies_used=0, options={}
                ).on_conflict_do_nothing())
                return
            last = _aware(row.last_inbound_at)
            if last is None or at >= last:
                conn.execute(update(zalo_recipients).where(
                    zalo_recipients.c.user_id == user_id).values(
                    last_inbound_at=at, replies_used=0))

        await self.transactions.run(run)

    async def quota(self, user_id: str) -> Quota:
        def run(conn: Connection) -> Quota:
            row = conn.execute(select(zalo_recipients).where(
                zalo_recipients.c.user_id == user_id)).first()
            if row is None:
                return Quota(None, 0)
            return Quota(_aware(row.last_inbound_at), row.replies_used)

        return await self.transactions.run(run)

    async def count_reply(self, user_id: str) -> None:
        def run(conn: Connection) -> None:
            conn.execute(update(zalo_recipients).where(
                zalo_recipients.c.user_id == user_id).values(
                replies_used=zalo_recipients.c.replies_used + 1))

        await self.transactions.run(run)

    # ---------------------------------------------------------------- numbered choices
    async def set_options(self, user_id: str, options: dict[str, str]) -> None:
        def run(conn: Connection) -> None:
            stmt = _insert(conn, zalo_recipients).values(
                user_id=user_id, replies_used=0, options=options)
            conn.execute(stmt.on_conflict_do_update(
                index_elements=["user_id"], set_={"options": options}))

        await self.transactions.run(run)

    async def options(self, user_id: str) -> dict[str, str]:
        def run(conn: Connection) -> dict[str, str]:
            value = conn.execute(select(zalo_recipients.c.options).where(
                zalo_recipients.c.user_id == user_id)).scalar_one_or_none()
            return dict(value or {})

        return await self.transactions.run(run)

    # ---------------------------------------------------------------- uploaded images
    async def attachment(self, image: str, content_hash: str) -> str | None:
        def run(conn: Connection) -> str | None:
            row = conn.execute(select(zalo_attachments).where(
                zalo_attachments.c.image == image)).first()
            return row.attachment_id if row and row.content_hash == content_hash else None

        return await self.transactions.run(run)

    async def save_attachment(self, image: str, content_hash: str, attachment_id: str,
                              now: dt.datetime) -> None:
        def run(conn: Connection) -> None:
            values = {"content_hash": content_hash, "attachment_id": attachment_id,
                      "uploaded_at": now}
            conn.execute(_insert(conn, zalo_attachments).values(image=image, **values)
                         .on_conflict_do_update(index_elements=["image"], set_=values))

        await self.transactions.run(run)

    async def forget_attachment(self, image: str) -> None:
        def run(conn: Connection) -> None:
            conn.execute(zalo_attachments.delete().where(zalo_attachments.c.image == image))

        await self.transactions.run(run)
