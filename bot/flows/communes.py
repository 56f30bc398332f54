"""Communes' local details ({commune}, {team_name}, {team_phone}) kept in the database and
edited in the console by admins and by editors of that commune; ``flows/communes/`` seeds it."""

from __future__ import annotations

import asyncio
from pathlib import Path

import yaml
from pydantic import ValidationError

from bot.accounts.roles import Permission, Principal, require
from bot.clock import Clock, SystemClock
from bot.communes import COMMUNE_ID, Commune, read_commune_files
from bot.flows.service import write_files
from bot.storage.audit import AuditEntry
from bot.storage.communes import CommuneRow, CommuneStore


class CommuneError(ValueError):
    """Why a change is refused (Vietnamese, shown to the person)."""


class CommuneService:
    def __init__(self, store: CommuneStore, *, clock: Clock | None = None) -> None:
        self.store = store
        self.clock = clock or SystemClock()

    async def all(self) -> dict[str, CommuneRow]:
        return await self.store.all()

    async def served(self) -> dict[str, Commune]:
        """What the conversation service fills placeholders from."""
        return {commune_id: Commune.model_validate(row.details)
                for commune_id, row in (await self.store.all()).items()}

    async def get(self, commune_id: str) -> CommuneRow | None:
        return await self.store.get(commune_id)

    async def import_dir(self, folder: Path) -> list[str]:
        found = await asyncio.to_thread(read_commune_files, folder)
        items = {k: v.model_dump() for k, v in found.items()}
        return await self.store.import_files(items, self.clock.now())

    async def export_dir(self, folder: Path) -> list[Path]:
        """Write every commune as ``<id>.yml``, the format of ``flows/communes/``."""
        files = {folder / f"{commune_id}.yml": yaml.safe_dump(
            row.details, allow_unicode=True, sort_keys=False)
            for commune_id, row in (await self.store.all()).items()}
        await asyncio.to_thread(write_files, files)
        return list(files)

    async def save(self, principal: Principal | None, commune_id: str,
                   details: dict[str, str], *, create: bool = False) -> None:
        if create:
            require(principal, Permission.manage_accounts)
            if not COMMUNE_ID.match(commune_id):
                raise CommuneError("Mã xã gồm chữ thường không dấu, số và _ (ví dụ: yen_binh).")
        else:
            require(principal, Permission.edit_commune, commune_id)
        try:
            commune = Commune.model_validate({k: (v or "").strip() for k, v in details.items()})
        except ValidationError as exc:
            raise CommuneError("Hãy điền đủ tên xã, tên tổ và số điện thoại (tối đa 80 ký tự)."
                               ) from exc
        actor = principal.login if principal else "cli"
        entry = AuditEntry(principal.account_id if principal else None, actor,
                           "commune.created" if create else "commune.changed", commune_id,
                           commune.model_dump())
        if not await self.store.save(commune_id, commune.model_dump(), self.clock.now(), entry,
                                     create=create):
            raise CommuneError("Mã xã này đã có." if create else "Không có xã này.")
