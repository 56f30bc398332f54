"""Console accounts, their server-side sessions and one-time sign-in links.

Sessions live in the database (the cookie holds a random token; the table holds its SHA-256),
so disabling an account ends its sessions at once on every worker. Every change also appends
an :class:`~bot.storage.audit.AuditEntry` in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    String,
    Table,
    delete,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage import audit
from bot.storage.audit import AuditEntry
from bot.storage.tables import BigId, metadata

accounts = Table(
    "accounts", metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("login", String(64), nullable=False, unique=True),
    Column("password_hash", String(256), nullable=True),  # None until a sign-in link is used
    Column("role", String(16), nullable=False),
    Column("commune", String(64), nullable=True),
    Column("disabled", Boolean, nullable=False, default=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

account_sessions = Table(
    "account_sessions", metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("account_id", BigId, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
    Column("csrf_token", String(64), nullable=False),
    Column("data", JSON, nullable=False, default=dict),  # e.g. preview conversations
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Index("ix_account_sessions_account_id", "account_id"),
)

signin_links = Table(
    "signin_links", metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("account_id", BigId, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("used_at", DateTime(timezone=True), nullable=True),
)

class LoginTaken(Exception):
    pass


@dataclass(frozen=True)
class AccountRow:
    id: int
    login: str
    password_hash: str | None
    role: str
    commune: str | None
    disabled: bool
    created_at: dt.datetime


@dataclass(frozen=True)
class SessionRow:
    account: AccountRow
    csrf_token: str
    expires_at: dt.datetime
    data: dict[str, Any]


def aware(moment: dt.datetime) -> dt.datetime:
    """SQLite returns naive datetimes; everything here is UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def _account(row: Any) -> AccountRow:
    return AccountRow(id=row.id, login=row.login, password_hash=row.password_hash,
                      role=row.role, commune=row.commune, disabled=row.disabled,
                      created_at=aware(row.created_at))


class AccountStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    # ------------------------------------------------------------- accounts
    async def create(self, *, login: str, role: str, commune: str | None,
                     password_hash: str | None, now: dt.datetime, entry: AuditEntry) -> None:
        try:
            async with self.engine.begin() as conn:
                await conn.execute(accounts.insert().values(
                    login=login, role=role, commune=commune, password_hash=password_hash,
                    disabled=False, created_at=now, updated_at=now))
                await audit.append(conn, entry, now)
        except IntegrityError as exc:
            raise LoginTaken(login) from exc

    async def by_login(self, login: str) -> AccountRow | None:
        async with self.engine.connect() as conn:
            row = (await conn.execute(select(accounts).where(accounts.c.login == login))).first()
        return _account(row) if row else None

    async def unit_level(self, unit_id: str) -> str | None:
        """The level of a unit of the registry (``commune``, ``village``…), None if unknown."""
        from bot.storage.teams import units  # the registry's table, read for a check only

        async with self.engine.connect() as conn:
            level = (await conn.execute(select(units.c.level).where(
                units.c.id == unit_id))).scalar()
        return str(level) if level is not None else None

    async def by_id(self, account_id: int) -> AccountRow | None:
        async with self.engine.connect() as conn:
            row = (await conn.execute(
                select(accounts).where(accounts.c.id == account_id))).first()
        return _account(row) if row else None

    async def all(self) -> list[AccountRow]:
        async with self.engine.connect() as conn:
            rows = (await conn.execute(select(accounts).order_by(accounts.c.login))).all()
        return [_account(row) for row in rows]

    async def update(self, account_id: int, values: dict[str, Any], now: dt.datetime,
                     entry: AuditEntry, *, end_sessions: bool = False) -> None:
        """Change an account; ``end_sessions`` signs it out everywhere in the same
        transaction (disabling, a new password, a new role)."""
        async with self.engine.begin() as conn:
            await conn.execute(update(accounts).where(accounts.c.id == account_id)
                               .values(**values, updated_at=now))
            if end_sessions:
                await conn.execute(delete(account_sessions).where(
                    account_sessions.c.account_id == account_id))
            await audit.append(conn, entry, now)

    # ------------------------------------------------------------- sessions
    async def add_session(self, *, token_hash: str, account_id: int, csrf_token: str,
                          now: dt.datetime, expires_at: dt.datetime,
                          entry: AuditEntry | None = None) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(delete(account_sessions).where(
                account_sessions.c.expires_at < now))
            await conn.execute(account_sessions.insert().values(
                token_hash=token_hash, account_id=account_id, csrf_token=csrf_token, data={},
                created_at=now, expires_at=expires_at))
            if entry is not None:
                await audit.append(conn, entry, now)

    async def session(self, token_hash: str) -> SessionRow | None:
        query = (select(account_sessions.c.csrf_token, account_sessions.c.expires_at,
                        account_sessions.c.data, accounts)
                 .join(accounts, accounts.c.id == account_sessions.c.account_id)
                 .where(account_sessions.c.token_hash == token_hash))
        async with self.engine.connect() as conn:
            row = (await conn.execute(query)).first()
        if row is None:
            return None
        return SessionRow(account=_account(row), csrf_token=row.csrf_token,
                          expires_at=aware(row.expires_at), data=row.data or {})

    async def extend_session(self, token_hash: str, expires_at: dt.datetime) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(update(account_sessions).where(
                account_sessions.c.token_hash == token_hash).values(expires_at=expires_at))

    async def set_session_data(self, token_hash: str, data: dict[str, Any]) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(update(account_sessions).where(
                account_sessions.c.token_hash == token_hash).values(data=data))

    async def delete_session(self, token_hash: str) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(delete(account_sessions).where(
                account_sessions.c.token_hash == token_hash))

    # ------------------------------------------------------------- sign-in links
    async def add_link(self, *, token_hash: str, account_id: int, now: dt.datetime,
                       expires_at: dt.datetime, entry: AuditEntry) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(signin_links.insert().values(
                token_hash=token_hash, account_id=account_id, created_at=now,
                expires_at=expires_at))
            await audit.append(conn, entry, now)

    async def link_account(self, token_hash: str, now: dt.datetime) -> AccountRow | None:
        """The account of an unused, unexpired link."""
        query = (select(accounts).join(signin_links,
                                       signin_links.c.account_id == accounts.c.id)
                 .where(signin_links.c.token_hash == token_hash,
                        signin_links.c.used_at.is_(None), signin_links.c.expires_at > now))
        async with self.engine.connect() as conn:
            row = (await conn.execute(query)).first()
        return _account(row) if row else None

    async def use_link(self, token_hash: str, password_hash: str, now: dt.datetime,
                       entry: AuditEntry) -> bool:
        """Mark the link used and set the password, once: False if it was used meanwhile."""
        async with self.engine.begin() as conn:
            row = (await conn.execute(
                select(signin_links.c.account_id).where(
                    signin_links.c.token_hash == token_hash, signin_links.c.used_at.is_(None),
                    signin_links.c.expires_at > now).with_for_update())).first()
            if row is None:
                return False
            used = await conn.execute(update(signin_links).where(
                signin_links.c.token_hash == token_hash, signin_links.c.used_at.is_(None))
                .values(used_at=now))
            if used.rowcount != 1:
                return False
            await conn.execute(update(accounts).where(accounts.c.id == row.account_id)
                               .values(password_hash=password_hash, updated_at=now))
            await audit.append(conn, entry, now)
        return True
