"""The teams registry: administrative units (province, commune/ward, village) as a tree, each
with an optional community digital-technology team, its Telegram group, its members, and the
one-time codes that link groups and members.

Only primitives live here (each runs inside a caller's transaction, or one of its own); the
rules (validation, routing, texts) are ``bot/teams``'s.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    UniqueConstraint,
    bindparam,
    func,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from bot.storage.runner import Transactions
from bot.storage.tables import BigId, metadata

Tx = Connection  # what services hold while composing primitives in one transaction

# The columns a CSV import may set (``telegram_chat`` is set only by /lienket).
UNIT_FIELDS = ("parent_id", "level", "name", "name_key", "team_name", "team_phone", "hours",
               "escalate_minutes", "escalate_to")

units = Table(
    "units", metadata,
    Column("id", String(30), primary_key=True),
    Column("parent_id", String(30), nullable=True),
    Column("level", String(10), nullable=False),  # province | commune | village
    Column("name", String(100), nullable=False),
    Column("name_key", String(100), nullable=False),  # folded, without "xã"/"thôn"...
    Column("team_name", String(100), nullable=True),
    Column("team_phone", String(60), nullable=True),
    Column("hours", String(11), nullable=True),  # "07:00-21:00"; None: the default
    Column("escalate_minutes", Integer, nullable=True),  # None: the default (30)
    Column("escalate_to", String(30), nullable=True),  # None: up the tree
    Column("telegram_chat", BigInteger, nullable=True),
    Column("telegram_title", String(128), nullable=True),
    Column("source", String(8), nullable=False),  # csv | seed | console
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("updated_by", String(64), nullable=True),
    Index("ix_units_parent_id", "parent_id"),
    Index("ix_units_name_key", "name_key"),
)

team_codes = Table(
    "team_codes", metadata,
    Column("code_hash", String(64), primary_key=True),  # sha256 of the code; never the code
    Column("kind", String(8), nullable=False),  # link (a group) | join (a member)
    Column("unit_id", String(30), nullable=False),
    Column("member_id", BigInteger, nullable=True),  # join: the console member it completes
    Column("created_by", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("used_at", DateTime(timezone=True), nullable=True),
    Column("used_by", String(64), nullable=True),
)

# A commune editor's invitation to the team: the account joins only when it accepts.
team_invitations = Table(
    "team_invitations", metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("unit_id", String(30), nullable=False),
    Column("account_id", BigId, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
    Column("invited_by", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("answered_at", DateTime(timezone=True), nullable=True),
    Column("accepted", Boolean, nullable=True),
    Index("ix_team_invitations_account_id", "account_id"),
)

team_members = Table(
    "team_members", metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("unit_id", String(30), nullable=False),
    Column("telegram_user", BigInteger, nullable=True),
    Column("account_id", BigInteger, nullable=True),  # a console account, when there is one
    Column("name", String(64), nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("unit_id", "telegram_user", name="uq_team_members_unit_id_telegram_user"),
    Index("ix_team_members_telegram_user", "telegram_user"),
)


@dataclass(frozen=True)
class UnitRow:
    id: str
    parent_id: str | None
    level: str
    name: str
    name_key: str
    team_name: str | None
    team_phone: str | None
    hours: str | None
    escalate_minutes: int | None
    escalate_to: str | None
    telegram_chat: int | None
    telegram_title: str | None
    source: str
    updated_at: dt.datetime | None = None
    updated_by: str | None = None


@dataclass(frozen=True)
class MemberRow:
    id: int
    unit_id: str
    telegram_user: int | None
    account_id: int | None
    name: str


@dataclass(frozen=True)
class ImportCounts:
    new: int
    updated: int
    unchanged: int


def _insert(conn: Connection, table: Table) -> Any:
    return (sqlite_insert if conn.dialect.name == "sqlite" else pg_insert)(table)


def _unit(row: Any) -> UnitRow:
    values = {name: getattr(row, name) for name in UnitRow.__dataclass_fields__}
    moment = values["updated_at"]
    if moment is not None and moment.tzinfo is None:
        values["updated_at"] = moment.replace(tzinfo=dt.UTC)
    return UnitRow(**values)


def _member(row: Any) -> MemberRow:
    return MemberRow(id=row.id, unit_id=row.unit_id, telegram_user=row.telegram_user,
                     account_id=row.account_id, name=row.name)


# ------------------------------------------------------------------ units
def all_units(conn: Connection) -> list[UnitRow]:
    return [_unit(r) for r in conn.execute(select(units).order_by(units.c.id))]


Version = tuple[int, dt.datetime | None, int, int]


def version(conn: Connection) -> Version:
    """Changes whenever a unit is added, changed or removed, or a console member joins or
    leaves a team: (units, newest change, console members, newest member id)."""
    row = conn.execute(select(func.count(), func.max(units.c.updated_at))).one()
    members = conn.execute(select(func.count(), func.coalesce(func.max(team_members.c.id), 0))
                           .where(team_members.c.account_id.is_not(None),
                                  team_members.c.active.is_(True))).one()
    return int(row[0]), row[1], int(members[0]), int(members[1])


def console_units(conn: Connection) -> frozenset[str]:
    """The units whose team has at least one active member with a console account: tickets
    can reach them in the console's inbox without a Telegram group."""
    rows = conn.execute(select(team_members.c.unit_id).where(
        team_members.c.account_id.is_not(None), team_members.c.active.is_(True)).distinct())
    return frozenset(r.unit_id for r in rows)


Shape = dict[str, tuple[str | None, str]]  # unit id -> (parent id, level)
Validate = Callable[[Shape], list[str]]


def import_units(conn: Connection, rows: Sequence[dict[str, Any]], validate: Validate,
                 now: dt.datetime, source: str) -> ImportCounts | list[str]:
    """Insert or update ``rows`` (dicts with ``id`` and some of :data:`UNIT_FIELDS`) in one
    go, after ``validate`` accepted them against the units already stored. Returns the
    problems instead, having written nothing, when there are any."""
    existing = {r.id: r for r in conn.execute(select(units))}
    problems = validate({uid: (r.parent_id, r.level) for uid, r in existing.items()})
    if problems:
        return problems
    new = [r for r in rows if r["id"] not in existing]
    changed = [r for r in rows if r["id"] in existing
               and any(getattr(existing[r["id"]], k) != v for k, v in r.items() if k != "id")]
    if new:
        conn.execute(units.insert(), [{**{k: None for k in UNIT_FIELDS}, **r, "source": source,
                                       "updated_at": now} for r in new])
    if changed:  # one statement, many parameter sets: rows of one file share their columns
        columns = [k for k in changed[0] if k != "id"]
        conn.execute(
            update(units).where(units.c.id == bindparam("unit_id")).values(
                {**{k: bindparam(f"v_{k}") for k in columns}, "source": source,
                 "updated_at": now}),
            [{"unit_id": r["id"], **{f"v_{k}": r.get(k) for k in columns}} for r in changed])
    return ImportCounts(new=len(new), updated=len(changed),
                        unchanged=len(rows) - len(new) - len(changed))


def seed_units(conn: Connection, rows: Sequence[dict[str, Any]], now: dt.datetime) -> int:
    """Units from the seed files: added when missing, refreshed when they still come from the
    seed; a unit imported or edited since is left alone. Returns how many were written."""
    existing = {r.id: r for r in conn.execute(select(units.c.id, units.c.source, units.c.name,
                                                     units.c.team_name, units.c.team_phone))}
    written = 0
    for row in rows:
        old = existing.get(row["id"])
        if old is None:
            conn.execute(units.insert().values(**{**{k: None for k in UNIT_FIELDS}, **row},
                                               source="seed", updated_at=now))
            written += 1
        elif old.source == "seed" and (old.name, old.team_name, old.team_phone) != (
                row.get("name"), row.get("team_name"), row.get("team_phone")):
            conn.execute(update(units).where(units.c.id == row["id"]).values(
                **{k: v for k, v in row.items() if k != "id"}, updated_at=now))
            written += 1
    return written


def save_unit(conn: Connection, unit_id: str, values: dict[str, Any], now: dt.datetime,
              by: str, *, create: bool = False) -> bool:
    """One unit changed (or created) by a person: False when ``create`` finds it exists or a
    change finds it missing."""
    exists = conn.execute(select(units.c.id).where(units.c.id == unit_id)
                          .with_for_update()).first() is not None
    if exists == create:
        return False
    stamp = {"source": "console", "updated_at": now, "updated_by": by[:64]}
    if create:
        conn.execute(units.insert().values(**{**{k: None for k in UNIT_FIELDS}, **values},
                                           id=unit_id, **stamp))
    else:
        conn.execute(update(units).where(units.c.id == unit_id).values(**values, **stamp))
    return True


def set_group(conn: Connection, unit_id: str, chat: int | None, title: str | None,
              now: dt.datetime) -> bool:
    return bool(conn.execute(update(units).where(units.c.id == unit_id).values(
        telegram_chat=chat, telegram_title=title[:128] if title else None,
        updated_at=now)).rowcount)


def forget_group(conn: Connection, chat: int, now: dt.datetime) -> list[str]:
    """Unlink a group from every unit (the bot was removed from it): the unit ids."""
    ids = [r.id for r in conn.execute(select(units.c.id).where(units.c.telegram_chat == chat))]
    if ids:
        conn.execute(update(units).where(units.c.id.in_(ids)).values(
            telegram_chat=None, telegram_title=None, updated_at=now))
    return ids


# ------------------------------------------------------------------ one-time codes
def add_code(conn: Connection, code_hash: str, kind: str, unit_id: str, created_by: str,
             now: dt.datetime, expires_at: dt.datetime, member_id: int | None = None) -> None:
    conn.execute(team_codes.insert().values(code_hash=code_hash, kind=kind, unit_id=unit_id,
                                            member_id=member_id, created_by=created_by[:64],
                                            created_at=now, expires_at=expires_at))


def use_code(conn: Connection, code_hash: str, kind: str, used_by: str, now: dt.datetime
             ) -> tuple[str, int | None] | None:
    """Spend a code: its unit id (and the console member it was made for), or None when it
    is unknown, used or expired. Two people using one code at once: exactly one gets it."""
    spent = conn.execute(update(team_codes).where(
        team_codes.c.code_hash == code_hash, team_codes.c.kind == kind,
        team_codes.c.used_at.is_(None), team_codes.c.expires_at > now,
    ).values(used_at=now, used_by=used_by[:64])).rowcount
    if not spent:
        return None
    row = conn.execute(select(team_codes.c.unit_id, team_codes.c.member_id).where(
        team_codes.c.code_hash == code_hash)).one()
    return row.unit_id, row.member_id


# ------------------------------------------------------------------ members
def add_member(conn: Connection, unit_id: str, telegram_user: int, name: str,
               now: dt.datetime, member_id: int | None = None) -> MemberRow:
    """Make a Telegram user a member of a unit's team (again, if they had left); with
    ``member_id``, the console member (an account) of that team is this Telegram user."""
    if member_id is not None:
        conn.execute(update(team_members).where(
            team_members.c.telegram_user == telegram_user, team_members.c.unit_id == unit_id,
            team_members.c.id != member_id).values(telegram_user=None, active=False))
        conn.execute(update(team_members).where(team_members.c.id == member_id).values(
            telegram_user=telegram_user, name=name[:64], active=True))
        found = member(conn, member_id)
        assert found is not None
        return found
    conn.execute(_insert(conn, team_members).values(
        unit_id=unit_id, telegram_user=telegram_user, name=name[:64], active=True,
        created_at=now).on_conflict_do_update(
        index_elements=["unit_id", "telegram_user"], set_={"name": name[:64], "active": True}))
    row = conn.execute(select(team_members).where(
        team_members.c.unit_id == unit_id,
        team_members.c.telegram_user == telegram_user)).one()
    return _member(row)


def add_account_member(conn: Connection, unit_id: str, account_id: int, name: str,
                       now: dt.datetime) -> MemberRow:
    """A team member who works from the console (no Telegram), tied to their account."""
    row = conn.execute(select(team_members).where(
        team_members.c.unit_id == unit_id, team_members.c.account_id == account_id)).first()
    if row is None:
        conn.execute(team_members.insert().values(unit_id=unit_id, account_id=account_id,
                                                  name=name[:64], active=True, created_at=now))
    else:
        conn.execute(update(team_members).where(team_members.c.id == row.id).values(
            name=name[:64], active=True))
    return _member(conn.execute(select(team_members).where(
        team_members.c.unit_id == unit_id, team_members.c.account_id == account_id)).one())


def members_by_account(conn: Connection, account_id: int) -> list[MemberRow]:
    return [_member(r) for r in conn.execute(select(team_members).where(
        team_members.c.account_id == account_id, team_members.c.active.is_(True)))]


def link_account(conn: Connection, telegram_user: int, account_id: int) -> int:
    """Tie a console account to the member rows of a Telegram user."""
    return conn.execute(update(team_members).where(
        team_members.c.telegram_user == telegram_user).values(account_id=account_id)).rowcount


def members_by_telegram(conn: Connection, telegram_user: int) -> list[MemberRow]:
    return [_member(r) for r in conn.execute(select(team_members).where(
        team_members.c.telegram_user == telegram_user, team_members.c.active.is_(True)))]


def member_counts(conn: Connection) -> dict[str, int]:
    rows = conn.execute(select(team_members.c.unit_id, func.count()).where(
        team_members.c.active.is_(True)).group_by(team_members.c.unit_id))
    return {unit_id: count for unit_id, count in rows}


def member(conn: Connection, member_id: int) -> MemberRow | None:
    row = conn.execute(select(team_members).where(team_members.c.id == member_id)).first()
    return _member(row) if row is not None else None


def unit_members(conn: Connection, unit_id: str) -> list[MemberRow]:
    return [_member(r) for r in conn.execute(select(team_members).where(
        team_members.c.unit_id == unit_id, team_members.c.active.is_(True)).order_by(
        team_members.c.id))]


class TeamStore:
    """The async face of the primitives above, for code outside a turn."""

    def __init__(self, transactions: Transactions) -> None:
        self.transactions = transactions

    async def all_units(self) -> list[UnitRow]:
        return await self.transactions.run(all_units)

    async def version(self) -> Version:
        return await self.transactions.run(version)


@dataclass(frozen=True)
class Invitation:
    id: int
    unit_id: str
    invited_by: str


def add_invitation(conn: Connection, unit_id: str, account_id: int, invited_by: str,
                   now: dt.datetime) -> None:
    conn.execute(team_invitations.insert().values(unit_id=unit_id, account_id=account_id,
                                                  invited_by=invited_by[:64], created_at=now))


def pending_invitations(conn: Connection, account_id: int) -> list[Invitation]:
    rows = conn.execute(select(team_invitations).where(
        team_invitations.c.account_id == account_id, team_invitations.c.answered_at.is_(None))
        .order_by(team_invitations.c.id)).all()
    return [Invitation(r.id, r.unit_id, r.invited_by) for r in rows]


def answer_invitation(conn: Connection, invitation_id: int, account_id: int, accepted: bool,
                      now: dt.datetime) -> str | None:
    """The invitation's unit, once answered by its own account; None: not theirs or done."""
    done = conn.execute(update(team_invitations).where(
        team_invitations.c.id == invitation_id, team_invitations.c.account_id == account_id,
        team_invitations.c.answered_at.is_(None)).values(answered_at=now, accepted=accepted)
        .returning(team_invitations.c.unit_id)).first()
    return str(done.unit_id) if done else None
