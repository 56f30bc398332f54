"""Communes' local details ({commune}, {team_name}, {team_phone}) as the guides see them: the
communes of the teams registry (``bot/teams``), edited in the console by admins and by editors
of that commune; ``flows/communes/`` seeds them and ``flows export`` writes them back there."""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import ValidationError

from bot.accounts.roles import Permission, Principal, cli_actor, require
from bot.communes import COMMUNE_ID, Commune, read_commune_files
from bot.flows.service import write_files
from bot.storage.audit import AuditEntry
from bot.storage.teams import UnitRow
from bot.teams.registry import Registry, RegistryError


class CommuneError(ValueError):
    """Why a change is refused (Vietnamese, shown to the person)."""


@dataclass(frozen=True)
class CommuneRow:
    id: str
    details: dict[str, str]  # commune, team_name, team_phone
    source: str
    updated_at: dt.datetime | None
    updated_by: str | None


def _row(unit: UnitRow, places: dict[str, str]) -> CommuneRow:
    details = {"commune": unit.name, "team_name": unit.team_name or places["team_name"],
               "team_phone": unit.team_phone or places["team_phone"]}
    return CommuneRow(unit.id, details, unit.source, unit.updated_at, unit.updated_by)


class CommuneService:
    def __init__(self, registry: Registry) -> None:
        self.registry = registry

    async def all(self) -> dict[str, CommuneRow]:
        await self.registry.refresh()
        directory = self.registry.directory
        return {u.id: _row(u, directory.places(u.id))
                for u in sorted(directory.units.values(), key=lambda u: u.id)
                if u.level == "commune"}

    async def served(self) -> dict[str, Commune]:
        """The communes as the seed files write them (for previews and exports)."""
        return {commune_id: Commune.model_validate({k: v[:80] if k != "team_phone" else v[:40]
                                                    for k, v in row.details.items()})
                for commune_id, row in (await self.all()).items()}

    async def get(self, commune_id: str) -> CommuneRow | None:
        await self.registry.refresh()
        unit = self.registry.directory.get(commune_id)
        return _row(unit, self.registry.directory.places(unit.id)) if unit else None

    async def import_dir(self, folder: Path) -> list[str]:
        found = await asyncio.to_thread(read_commune_files, folder)
        before = {u.id: u for u in self.registry.directory.units.values()}
        await self.registry.seed(found)
        after = self.registry.directory.units
        return sorted(uid for uid in found if uid in after and after[uid] != before.get(uid))

    async def export_dir(self, folder: Path) -> list[Path]:
        """Write every commune as ``<id>.yml``, the format of ``flows/communes/``."""
        files = {folder / f"{commune_id}.yml": yaml.safe_dump(
            commune.model_dump(), allow_unicode=True, sort_keys=False)
            for commune_id, commune in (await self.served()).items()}
        await asyncio.to_thread(write_files, files)
        return list(files)

    async def save(self, principal: Principal | None, commune_id: str,
                   details: dict[str, str], *, create: bool = False,
                   more: dict[str, str] | None = None) -> None:
        """``details``: the three the guides use; ``more``: the team's ``hours`` and
        ``escalate_after`` (see the registry)."""
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
        actor = principal.login if principal else cli_actor()
        entry = AuditEntry(principal.account_id if principal else None, actor,
                           "commune.created" if create else "commune.changed", commune_id,
                           commune.model_dump())
        try:
            await self.registry.save_unit(commune_id, {
                **(more or {}), "name": commune.commune, "team_name": commune.team_name,
                "team_phone": commune.team_phone}, entry, create=create)
        except RegistryError as exc:
            raise CommuneError(str(exc)) from exc
