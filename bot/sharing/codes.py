"""Short codes for guides: a resident sends "VN1" and the guide opens, exactly as
``/start vneid_install`` does.

Zalo has no start parameter like Telegram's deep links, so every guide gets a code, and so
does every team link (a guide plus a commune or unit id: ``/start <flow>-<unit>``). Codes are
stored, never reused and never renumbered, so a code printed on a handout keeps working after
restarts and after new guides arrive. The letters name the menu section (VN = VNeID, BH =
VssID/bảo hiểm, TT = thanh toán, AT = an toàn, DV = other services); the number counts up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.clock import Clock
from bot.communes import COMMUNE_ID, MEMBER_CODE
from bot.engine.catalog import Catalog
from bot.storage.share_codes import ShareCodeStore

PREFIXES = {"vneid": "VN", "vssid": "BH", "payment": "TT", "safety": "AT", "other": "DV"}
_CODE = re.compile(r"^\s*([A-Za-z]{2})\s*[-.]?\s*(\d{1,4})\s*[.!]?\s*$")


@dataclass(frozen=True)
class ShareCode:
    code: str
    flow_id: str
    unit: str | None  # the commune/unit of a team link
    member: str | None = None  # the team member's code of an attributed link

    @property
    def target(self) -> str:
        return "-".join(p for p in (self.flow_id, self.unit, self.member) if p)

    @property
    def start(self) -> str:
        """What the code stands for: the engine's one way of opening a guide."""
        return f"/start {self.target}"


def normalize(text: str) -> str | None:
    """``"vn 1"``, ``"VN-1"``, ``"Vn1."`` -> ``"VN1"``; None for anything else."""
    match = _CODE.match(text)
    return f"{match[1].upper()}{int(match[2])}" if match else None


class ShareCodes:
    def __init__(self, store: ShareCodeStore, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    async def ensure_guides(self, catalog: Catalog) -> dict[str, str]:
        """Give every guide of the catalog a code (existing codes stay): flow id -> code."""
        flows = sorted((c.flow for c in catalog.flows.values()),
                       key=lambda f: (f.menu_group.value, f.menu_order, f.id))
        return await self.store.assign(
            [(f.id, PREFIXES.get(f.menu_group.value, "DV")) for f in flows], self.clock.now())

    async def code_for(self, catalog: Catalog, flow_id: str, unit: str | None = None,
                       member: str | None = None) -> str:
        """The code of a guide, or of a team's (or one member's) link to it; made on first
        request."""
        compiled = catalog.get(flow_id)
        if compiled is None:
            raise ValueError(f"unknown guide: {flow_id}")
        if unit is not None and not COMMUNE_ID.match(unit):
            raise ValueError(f"a unit id is 1-30 of a-z 0-9 _: {unit!r}")
        if member is not None and (unit is None or not MEMBER_CODE.match(member)):
            raise ValueError(f"a member code needs a unit: {member!r}")
        target = ShareCode("", flow_id, unit, member).target
        prefix = PREFIXES.get(compiled.flow.menu_group.value, "DV")
        codes = await self.store.assign([(target, prefix)], self.clock.now())
        return codes[target]

    async def resolve(self, text: str) -> ShareCode | None:
        """The guide a message names by its code, or None when it is not a known code."""
        code = normalize(text)
        if code is None:
            return None
        target = await self.store.target(code)
        return _parse(code, target) if target else None

    async def all(self) -> list[ShareCode]:
        """Every code, for the console and printable handouts."""
        codes = [_parse(code, target) for code, target in (await self.store.all()).items()]
        return sorted(codes, key=lambda c: (c.code.rstrip("0123456789"),
                                            int(c.code.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))))


def _parse(code: str, target: str) -> ShareCode:
    flow_id, _, rest = target.partition("-")
    unit, _, member = rest.partition("-")
    return ShareCode(code, flow_id, unit or None, member or None)
