"""The registry service: units and teams (CSV import/export, the seed files), one-time codes,
Telegram groups and members. The CLI, the Telegram channel and the console call the same
functions.

It also keeps the :class:`~bot.teams.directory.Directory` snapshot that turns read: replaced at
once after a change made here, and within ``refresh_every`` after a change made by another
process (the CLI, another worker).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import logging
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from bot.clock import Clock
from bot.communes import Commune
from bot.storage import teams as db
from bot.storage.audit import AuditEntry, append_sync
from bot.storage.runner import Transactions
from bot.storage.teams import ImportCounts, MemberRow, UnitRow
from bot.teams import csvfile
from bot.teams.directory import LEVELS, Directory, name_key
from bot.teams.hours import Hours

log = logging.getLogger(__name__)

CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read aloud, typed by hand
CODE_LENGTH = 10
CODE_TTL = dt.timedelta(days=7)
LINK, JOIN = "link", "join"
_CODE = re.compile(r"^[a-z0-9]{6,20}$")


def code_hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def normalize_code(text: str) -> str | None:
    """What people type or paste ("ABCD-EFGH-JK", " abcdefghjk ") as a stored code."""
    code = re.sub(r"[\s\-_.]", "", text).lower()
    return code if _CODE.match(code) else None


class RegistryError(ValueError):
    """Why a change is refused (Vietnamese, shown to the person)."""


@dataclass(frozen=True)
class Imported:
    """A whole file imported, or not at all (``problems``)."""

    counts: ImportCounts | None
    problems: list[str]
    levels: dict[str, int]


class Registry:
    def __init__(self, transactions: Transactions, clock: Clock,
                 defaults: Mapping[str, str] | None = None, *,
                 refresh_every: float = 1.0) -> None:
        self.transactions = transactions
        self.clock = clock
        self.defaults = dict(defaults or {})
        self.refresh_every = refresh_every
        self.directory = Directory([], self.defaults)
        self._version: db.Version | None = None
        self._stopping = asyncio.Event()

    # ------------------------------------------------------------- the snapshot
    async def load(self) -> None:
        def read(conn: db.Tx) -> tuple[list[UnitRow], frozenset[str], db.Version]:
            return db.all_units(conn), db.console_units(conn), db.version(conn)

        rows, console, self._version = await self.transactions.run(read)
        self.directory = Directory(rows, self.defaults, console)

    async def refresh(self) -> bool:
        """Reload when another process changed the units; True when it did."""
        current = await self.transactions.run(db.version)
        if current == self._version:
            return False
        await self.load()
        return True

    async def run(self) -> None:
        """Refresh every ``refresh_every`` seconds until :meth:`stop`."""
        while not self._stopping.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self.refresh_every)
            if self._stopping.is_set():
                return
            try:
                await self.refresh()
            except Exception:  # the database went away for a moment: keep the last snapshot
                log.exception("teams registry refresh failed")

    def stop(self) -> None:
        self._stopping.set()

    # what the conversation service asks (the guides' {commune}, {team_name}, {team_phone})
    def knows(self, unit_id: str) -> bool:
        return self.directory.knows(unit_id)

    def places(self, unit_id: str | None) -> dict[str, str]:
        return self.directory.places(unit_id)

    # ------------------------------------------------------------- import / export
    async def import_csv(self, name: str, data: bytes, source: str = "csv",
                         audit: AuditEntry | None = None) -> Imported:
        parsed = csvfile.parse(name, data)
        levels: dict[str, int] = {}
        for row in parsed.rows:
            levels[row["level"]] = levels.get(row["level"], 0) + 1
        if parsed.problems:
            return Imported(None, csvfile.limited(parsed.problems), levels)
        now = self.clock.now()

        def run(conn: db.Tx) -> ImportCounts | list[str]:
            result = db.import_units(conn, parsed.rows,
                                     lambda stored: csvfile.check_against(parsed, name, stored),
                                     now, source)
            if audit is not None and isinstance(result, ImportCounts):
                append_sync(conn, AuditEntry(audit.actor_id, audit.actor, audit.action,
                                             audit.target, {**audit.details,
                                                            "new": result.new,
                                                            "updated": result.updated}), now)
            return result

        result = await self.transactions.run(run)
        if isinstance(result, list):
            return Imported(None, csvfile.limited(result), levels)
        await self.load()
        return Imported(result, [], levels)

    async def export_csv(self) -> str:
        return csvfile.write(await self.transactions.run(db.all_units))

    async def seed(self, communes: Mapping[str, Commune]) -> int:
        """``flows/communes/<id>.yml`` files as commune units (see :func:`db.seed_units`)."""
        rows = [{"id": uid, "level": "commune", "name": c.commune,
                 "name_key": name_key(c.commune)[:100], "team_name": c.team_name,
                 "team_phone": c.team_phone}
                for uid, c in communes.items() if csvfile.UNIT_ID.match(uid)]
        now = self.clock.now()
        written = await self.transactions.run(lambda conn: db.seed_units(conn, rows, now))
        await self.load()
        return written

    # ------------------------------------------------------------- one unit, by a person
    async def save_unit(self, unit_id: str, fields: dict[str, str], audit: AuditEntry, *,
                        create: bool = False, level: str = "commune",
                        parent: str | None = None) -> UnitRow:
        """A unit's name and team, changed (or created) from the console: ``fields`` as typed
        (``name``, ``team_name``, ``team_phone``, ``hours``, ``escalate_after``); raises
        :class:`RegistryError` with the reason."""
        await self.refresh()
        values = self._checked(unit_id, fields)
        if create:
            if not csvfile.UNIT_ID.match(unit_id):
                raise RegistryError("Mã đơn vị gồm chữ thường không dấu, số và _ (ví dụ: "
                                    "yen_binh).")
            if level not in LEVELS or (parent is not None and not self.directory.knows(parent)):
                raise RegistryError("Cấp hoặc đơn vị cấp trên không hợp lệ.")
            values.update(level=level, parent_id=parent)
        now = self.clock.now()

        def run(conn: db.Tx) -> bool:
            done = db.save_unit(conn, unit_id, values, now, audit.actor, create=create)
            if done:
                append_sync(conn, audit, now)
            return done

        if not await self.transactions.run(run):
            raise RegistryError("Mã đơn vị này đã có." if create else "Không có đơn vị này.")
        await self.load()
        unit = self.directory.get(unit_id)
        assert unit is not None
        return unit

    def _checked(self, unit_id: str, fields: dict[str, str]) -> dict[str, object]:
        text = {k: " ".join((v or "").split()) for k, v in fields.items()}
        values: dict[str, object] = {}
        if "name" in text:
            if not text["name"] or len(text["name"]) > 100:
                raise RegistryError("Hãy điền tên đơn vị (tối đa 100 ký tự).")
            values.update(name=text["name"], name_key=name_key(text["name"])[:100])
        for key, limit in (("team_name", 100), ("team_phone", 60)):
            if key in text:
                if len(text[key]) > limit:
                    raise RegistryError(f"Tên tổ hoặc số điện thoại quá dài (tối đa {limit}).")
                values[key] = text[key] or None
        if "hours" in text:
            if text["hours"]:
                try:
                    Hours.parse(text["hours"])
                except ValueError as error:
                    raise RegistryError(f"Giờ làm việc: {error}.") from None
            values["hours"] = text["hours"] or None
        if "escalate_after" in text:
            minutes = text["escalate_after"]
            if minutes and (not minutes.isdigit() or not 1 <= int(minutes) <= 7 * 24 * 60):
                raise RegistryError("Số phút chờ trước khi chuyển lên phải từ 1 đến 10080.")
            values["escalate_minutes"] = int(minutes) if minutes else None
        if "escalate_to" in text:
            target = text["escalate_to"]
            if target and (target == unit_id or not self.directory.knows(target)):
                raise RegistryError("Đơn vị nhận khi chuyển lên không có.")
            values["escalate_to"] = target or None
        return values

    # ------------------------------------------------------------- codes, groups, members
    async def new_code(self, kind: str, unit_id: str, created_by: str = "cli", *,
                       member_id: int | None = None, audit: AuditEntry | None = None) -> str:
        """A one-time code for ``/lienket`` (``link``) or ``start=join-`` (``join``; with
        ``member_id``, for that console member to add their Telegram), valid for a week.
        Only its hash is stored."""
        if kind not in (LINK, JOIN):
            raise ValueError(f"unknown code kind: {kind}")
        await self.refresh()
        if not self.directory.knows(unit_id):
            raise LookupError(f"unknown unit: {unit_id}")
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        now = self.clock.now()

        def run(conn: db.Tx) -> None:
            db.add_code(conn, code_hash(code), kind, unit_id, created_by, now, now + CODE_TTL,
                        member_id)
            if audit is not None:
                append_sync(conn, audit, now)

        await self.transactions.run(run)
        return code

    async def link_group(self, code_text: str, chat: int, title: str | None,
                         linked_by: str) -> UnitRow | None:
        """Link a Telegram group to the unit of a ``link`` code; None for a bad code."""
        code = normalize_code(code_text)
        if code is None:
            return None
        now = self.clock.now()

        def run(conn: db.Tx) -> str | None:
            spent = db.use_code(conn, code_hash(code), LINK, linked_by, now)
            if spent is None:
                return None
            db.set_group(conn, spent[0], chat, title, now)
            return spent[0]

        unit_id = await self.transactions.run(run)
        if unit_id is None:
            return None
        await self.load()
        log.info("Telegram group linked to unit %s", unit_id)
        return self.directory.get(unit_id)

    async def join(self, code_text: str, telegram_user: int, name: str
                   ) -> tuple[MemberRow, UnitRow] | None:
        """Make a Telegram user a member of the unit of a ``join`` code."""
        code = normalize_code(code_text)
        if code is None:
            return None
        now = self.clock.now()

        def run(conn: db.Tx) -> MemberRow | None:
            spent = db.use_code(conn, code_hash(code), JOIN, f"tg:{telegram_user}", now)
            if spent is None:
                return None
            unit_id, member_id = spent
            return db.add_member(conn, unit_id, telegram_user, name or "Thành viên tổ", now,
                                 member_id)

        member = await self.transactions.run(run)
        if member is None:
            return None
        await self.refresh()
        unit = self.directory.get(member.unit_id)
        return (member, unit) if unit is not None else None

    async def group_gone(self, chat: int) -> list[str]:
        """The bot was removed from a group: unlink it everywhere."""
        now = self.clock.now()
        ids = await self.transactions.run(lambda conn: db.forget_group(conn, chat, now))
        if ids:
            log.warning("Telegram group removed the bot; unlinked from %s", ", ".join(ids))
            await self.load()
        return ids

    async def members(self, unit_id: str) -> list[MemberRow]:
        return await self.transactions.run(lambda conn: db.unit_members(conn, unit_id))
