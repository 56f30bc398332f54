"""Who sees which unit's results, and with which precision.

An admin (and a province editor, who has no commune) sees every unit. Anyone else sees the
unit of their account (its commune) or of their team membership, and the units below it.
Figures about fewer than five residents are shown as "<5" except to the team of those
residents' own unit: a viewer whose unit is the report's unit or above it up to its commune.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.teams.directory import Directory

SMALL = 5
HIDDEN = "<5"
Cell = int | str


class NotAllowed(Exception):
    """The viewer may not see this unit's results."""


@dataclass(frozen=True)
class Viewer:
    """``roots``: the units the viewer's team covers (None: everything)."""

    roots: frozenset[str] | None

    @property
    def sees_all(self) -> bool:
        return self.roots is None

    def may_see(self, directory: Directory, unit_id: str) -> bool:
        if self.roots is None:
            return True
        return any(u.id in self.roots for u in directory.chain(unit_id))

    def exact_for(self, directory: Directory, unit_id: str) -> bool:
        """The viewer is the team of the report's residents: figures are not hidden."""
        if self.roots is None:
            return False
        return any(u.id in self.roots and u.level != "province"
                   for u in directory.chain(unit_id))

    def home(self, directory: Directory) -> str | None:
        """The unit a viewer's dashboard opens on."""
        if self.roots is None:
            roots = [u.id for u in directory.units.values()
                     if u.parent_id is None or u.parent_id not in directory.units]
            return sorted(roots)[0] if len(roots) == 1 else None
        return sorted(self.roots)[0] if self.roots else None


def cell(value: int, exact: bool) -> Cell:
    return value if exact or value == 0 or value >= SMALL else HIDDEN


def subtree(directory: Directory, unit_id: str) -> list[str]:
    """The unit and every unit below it."""
    below: dict[str, list[str]] = {}
    for unit in directory.units.values():
        if unit.parent_id is not None:
            below.setdefault(unit.parent_id, []).append(unit.id)
    found, queue = {unit_id}, [unit_id]
    for current in queue:
        for child in below.get(current, []):
            if child not in found:
                found.add(child)
                queue.append(child)
    return queue
