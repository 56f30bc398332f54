"""Attributed links: a team member's own link to a guide, so what residents do through it is
counted for that member and their unit.

Web: ``<PUBLIC_URL>/?start=<flow>-<unit>-<member code>``. Telegram: ``t.me/<bot>?start=…``
with the same argument when it fits Telegram's 64 characters (``[A-Za-z0-9_-]``), else the
link's short code (``VN12``), which the conversation expands before the turn. Member codes are
``m`` + the member's number in base 36 (``m1f``): short, stable, and never the member's name.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

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


NO_PUBLIC_URL = (
    "Chưa in được đường link hay mã QR: máy chủ chưa có địa chỉ công khai. Người quản trị hãy "
    "đặt biến PUBLIC_URL (ví dụ https://troly.xa-yenbinh.gov.vn) là địa chỉ người dân mở được "
    "từ điện thoại, rồi khởi động lại. {seen}"
)
_LOCAL_NAMES = ("localhost", ".localhost", ".local", ".internal", ".lan", ".home.arpa")


class NoPublicUrl(Exception):
    """No link can be printed: ``PUBLIC_URL`` is unset, or names this machine or a private
    network (a QR code with ``http://127.0.0.1:8080`` opens nothing on a resident's phone)."""

    def __init__(self, configured: str | None) -> None:
        seen = (f"Địa chỉ đang đặt «{configured}» chỉ mở được trong máy chủ hoặc mạng nội bộ."
                if configured else "Biến PUBLIC_URL đang để trống.")
        super().__init__(NO_PUBLIC_URL.format(seen=seen))
        self.message = str(self)


def public_base(url: str | None) -> str | None:
    """``url`` when residents can open it (http(s), a host that is neither loopback, private,
    link-local nor a local-only name); else None."""
    if not url:
        return None
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host:
        return None
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        local = host == "localhost" or host.endswith(_LOCAL_NAMES) or "." not in host
        return None if local else url.strip().rstrip("/")
    if not address.is_global:
        return None
    return url.strip().rstrip("/")


@dataclass(frozen=True)
class GuideLink:
    flow_id: str
    title: str
    web: str
    telegram: str | None  # None when no Telegram bot is configured
    code: str  # the short code (for Zalo, or to type)


class Links:
    """``public_url``: the configured ``PUBLIC_URL``; links are made only when it is an
    address residents can open (:func:`public_base`), else :class:`NoPublicUrl`."""

    def __init__(self, public_url: str | None, codes: ShareCodes) -> None:
        self.public_url = public_url
        self.base_url = public_base(public_url)
        self.codes = codes
        self.bot_username: str | None = None  # learnt when the Telegram channel starts

    async def link(self, catalog: Catalog, flow_id: str, unit_id: str,
                   member: int | None = None) -> GuideLink:
        """The links of one guide for a unit's team, or for one member of it. Raises
        ValueError for an unknown guide or a malformed unit id, :class:`NoPublicUrl`
        without an address residents can open."""
        if self.base_url is None:
            raise NoPublicUrl(self.public_url)
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
