"""The units tree in memory: what a turn needs synchronously (place names for the guides, the
team a hand-off goes to, matching a commune name the resident typed).

A :class:`Directory` is an immutable snapshot of the ``units`` table; the registry replaces it
when the table changes (in this process at once, from other processes within seconds). A
province (hundreds of communes, thousands of villages) is a few megabytes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from bot.storage.teams import UnitRow
from bot.teams.hours import Hours
from bot.text import fold

LEVELS = ("province", "commune", "village")
DEFAULT_ESCALATE_MINUTES = 30
# Words people put before a place's name, or leave out: "xã Yên Bình" is "Yên Bình".
_PREFIXES = sorted((
    "xa", "phuong", "thi tran", "dac khu", "thon", "ban", "lang", "ap", "xom", "buon", "soc",
    "khu pho", "to dan pho", "tdp", "khom", "khu", "to", "tinh", "thanh pho", "tp", "p", "x",
    "tt",
), key=len, reverse=True)
_PREFIX = re.compile(r"^(?:" + "|".join(re.escape(p) for p in _PREFIXES) + r")\s+")


def name_key(name: str) -> str:
    """``"Xã Yên Bình"`` -> ``"yen binh"``: folded, without the level word in front."""
    key = fold(name)
    stripped = _PREFIX.sub("", key, count=1)
    return stripped or key


@dataclass(frozen=True)
class Team:
    """The team of one unit, with the values its unit inherits when it sets none."""

    unit: UnitRow
    hours: Hours
    escalate_minutes: int
    console: bool = False  # members with console accounts answer its tickets in the inbox

    @property
    def name(self) -> str:
        return self.unit.team_name or f"Tổ công nghệ số cộng đồng {self.unit.name}"

    @property
    def chat(self) -> int | None:
        return self.unit.telegram_chat


class Directory:
    def __init__(self, rows: Iterable[UnitRow], defaults: Mapping[str, str],
                 console: Iterable[str] = ()) -> None:
        self.units = {u.id: u for u in rows}
        self.defaults = dict(defaults)
        self.console = frozenset(console)  # units with console members (no group needed)
        self._provinces = [u for u in self.units.values() if u.level == "province"]
        self._by_key: dict[str, list[UnitRow]] = {}
        for unit in self.units.values():
            self._by_key.setdefault(unit.name_key, []).append(unit)

    # ------------------------------------------------------------- tree
    def knows(self, unit_id: str) -> bool:
        return unit_id in self.units

    def get(self, unit_id: str | None) -> UnitRow | None:
        return self.units.get(unit_id) if unit_id else None

    def chain(self, unit_id: str | None) -> list[UnitRow]:
        """The unit and its ancestors, nearest first (a broken parent link ends the chain)."""
        found: list[UnitRow] = []
        unit = self.get(unit_id)
        while unit is not None and unit not in found:
            found.append(unit)
            unit = self.get(unit.parent_id)
        return found

    def children(self, unit_id: str) -> list[UnitRow]:
        return sorted((u for u in self.units.values() if u.parent_id == unit_id),
                      key=lambda u: (u.name_key, u.id))

    def commune_of(self, unit_id: str | None) -> UnitRow | None:
        return next((u for u in self.chain(unit_id) if u.level != "village"), None)

    def label(self, unit_id: str | None) -> str:
        """``"Thôn Đông, Xã Yên Bình"``: the unit and its commune, for members."""
        chain = self.chain(unit_id)
        if not chain:
            return "chưa rõ xã/phường"
        names = [u.name for u in chain if u.level != "province"][:2] or [chain[0].name]
        return ", ".join(names)

    # ------------------------------------------------------------- guides' place names
    def places(self, unit_id: str | None) -> dict[str, str]:
        chain = self.chain(unit_id)
        places = dict(self.defaults)
        commune = self.commune_of(unit_id)
        if commune is not None:
            places["commune"] = commune.name
        name = next((u.team_name for u in chain if u.team_name), None)
        phone = next((u.team_phone for u in chain if u.team_phone), None)
        if name:
            places["team_name"] = name
        if phone:
            places["team_phone"] = phone
        if self.route(unit_id) is not None:
            places["team_reachable"] = "yes"  # {team_help} offers the hand-off
        return places

    # ------------------------------------------------------------- teams and routing
    def team(self, unit: UnitRow) -> Team:
        hours = next((u.hours for u in self.chain(unit.id) if u.hours), None)
        minutes = unit.escalate_minutes or DEFAULT_ESCALATE_MINUTES
        return Team(unit, Hours.of(hours), minutes, unit.id in self.console)

    def reachable(self, unit: UnitRow) -> bool:
        """A person can get a ticket of this unit: a linked group, or console members."""
        return unit.telegram_chat is not None or unit.id in self.console

    def route(self, unit_id: str | None) -> Team | None:
        """The team a resident of ``unit_id`` reaches: the nearest with a linked group or
        console members. A resident of no known unit reaches the province's team, when the
        registry holds exactly one province."""
        chain = self.chain(unit_id)
        if not chain:
            chain = self._provinces if len(self._provinces) == 1 else []
        unit = next((u for u in chain if self.reachable(u)), None)
        return self.team(unit) if unit is not None else None

    def escalation(self, unit_id: str, skip: Iterable[str] = ()) -> Team | None:
        """Where an unclaimed ticket of ``unit_id``'s team goes next: the unit's escalation
        target (its parent by default), or the nearest unit above it that a person can be
        reached at (a linked group or console members) and that has not had the ticket yet."""
        unit = self.get(unit_id)
        if unit is None:
            return None
        skipped = {unit_id, *skip}
        start = unit.escalate_to if unit.escalate_to in self.units else unit.parent_id
        target = next((u for u in self.chain(start)
                       if self.reachable(u) and u.id not in skipped), None)
        return self.team(target) if target is not None else None

    def phones(self, unit_id: str | None) -> list[tuple[str, str]]:
        """``(team name, phone)`` up the tree, for a resident no group can be reached for."""
        found: list[tuple[str, str]] = []
        for unit in self.chain(unit_id):
            if unit.team_phone and unit.team_phone not in (p for _, p in found):
                found.append((self.team(unit).name, unit.team_phone))
        return found

    # ------------------------------------------------------------- matching typed names
    @property
    def has_communes(self) -> bool:
        return any(u.level == "commune" for u in self.units.values())

    def match(self, text: str, limit: int = 8) -> list[UnitRow]:
        """Communes (and wards) whose name matches what a resident typed, ignoring case,
        diacritics and "xã"/"phường": exact names first, then names that start with or
        contain every typed word."""
        key = name_key(text)
        if not key:
            return []
        communes = [u for u in self._by_key.get(key, []) if u.level == "commune"]
        if not communes:
            words = key.split()
            communes = [u for u in self.units.values() if u.level == "commune" and (
                u.name_key.startswith(key) or all(w in u.name_key.split() for w in words))]
        return sorted(communes, key=lambda u: (u.name_key != key, u.name, u.id))[:limit]
