"""Attributed links: a team member's own link to a guide, so what residents do through it is
counted for that member and their unit.

Web: ``<PUBLIC_URL>/?start=<flow>-<unit>-<member code>``. Telegram: ``t.me/<bot>?start=…``
with the same argument when it fits Telegram's 64 characters (``[A-Za-z0-9_-]``), else the
link's short code (``VN12``), which the conversation expands before the turn. Member codes are
``m`` + the member's number in base 36 (``m1f``): short, stable, and never the member's name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.communes import MEMBER_CODE
from bot.engine.catalog import Catalog
from bot.sharing import ShareCodes

TELEGRAM_START_MAX = 64
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"
_SHORT = re.compile(r"^/start\s+([A-Z]{2}\d{1,4})\s*$")


def member_code(member_id: int) -> str:
    number, digits = member_id, ""
    while True:
        number, digit = divmod(number, 36)
        digits = _DIGITS[digit] + digits
        if number == 0:
            return f"m{digits}"


def member_id(code: str | None) -> int | None:
    """The member a code names (None for anything that is not a member code)."""
    if code is None or not MEMBER_CODE.match(code):
        return None
    return int(code[1:], 36)


@dataclass(frozen=True)
class GuideLink:
    flow_id: str
    title: str
    web: str
    telegram: str | None  # None when no Telegram bot is configured
    code: str  # the short code (for Zalo, or to type)


class Links:
    def __init__(self, base_url: str, codes: ShareCodes) -> None:
        self.base_url = base_url.rstrip("/")
        self.codes = codes
        self.bot_username: str | None = None  # learnt when the Telegram channel starts

    async def link(self, catalog: Catalog, flow_id: str, unit_id: str,
                   member: int | None = None) -> GuideLink:
        """The links of one guide for a unit's team, or for one member of it. Raises
        ValueError for an unknown guide or a malformed unit id."""
        code_of_member = member_code(member) if member is not None else None
        code = await self.codes.code_for(catalog, flow_id, unit_id, code_of_member)
        argument = "-".join(p for p in (flow_id, unit_id, code_of_member) if p)
        telegram = None
        if self.bot_username:
            start = argument if len(argument) <= TELEGRAM_START_MAX else code
            telegram = f"https://t.me/{self.bot_username}?start={start}"
        return GuideLink(flow_id, catalog.flows[flow_id].flow.title,
                         f"{self.base_url}/?start={argument}", telegram, code)

    async def expand(self, text: str) -> str:
        """``/start VN12`` -> ``/start vneid_install-yen_binh-m1f`` (what the code stands
        for); any other text as it is."""
        match = _SHORT.match(text)
        if match is None:
            return text
        found = await self.codes.resolve(match[1])
        return found.start if found is not None else text
