"""Phone numbers and web addresses in the assistant's text, as spans a channel can make tappable.

The web chat finds them with the same rules in ``static/links.js``; ``tests/fixtures/links.json``
holds the cases both implementations must agree on. Only the assistant's own text (guides and
fixed replies) is scanned, never what a resident typed.

- Web addresses: ``http(s)://…`` and bare domains ending in ``.vn``, ``.com``, ``.net`` or
  ``.org`` (``vneid.gov.vn``), without trailing punctuation.
- Phone numbers: ``1900``/``1800`` numbers (8 or 10 digits), numbers starting with ``0`` (10 or
  11 digits), ``+84…``, USSD codes (``*998#``), and short numbers (``113``, ``156``) only right
  after "gọi", "tổng đài", "hotline" or "đường dây nóng", so amounts, years, versions, SMS
  numbers and 12-digit ID numbers are never linked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

_NUMBER = re.compile(r"(?<![\w+*#.,/-])\+?[0-9]+(?:[ .-][0-9]+)*")
_USSD = re.compile(r"(?<![\w*#])\*[0-9]{2,4}(?:\*[0-9]{1,4})*#")
_WEB = re.compile(
    r"(?<![\w@./-])(?:https?://[^\s<>\"'`]+|"
    r"(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:vn|com|net|org)(?![\w-])(?:/[^\s<>\"'`]*)?)",
    re.IGNORECASE,
)
_CALL_BEFORE = re.compile(
    r"(?:^|\W)(?:gọi|hotline|tổng đài|đường dây nóng)(?:\s+[^\s\d.,;:!?()]+){0,3}\s+$",
    re.IGNORECASE,
)
_TRAILING = re.compile(r"[.,;:!?…)\]}'\"]+$")
_SEPARATOR = re.compile(r"(?=[ .-])")


@dataclass(frozen=True)
class Link:
    start: int
    end: int
    href: str
    kind: Literal["tel", "web"]


def _is_phone(raw: str, digits: str, before: str) -> bool:
    if raw.startswith("+"):
        return re.fullmatch(r"84[0-9]{9,10}", digits) is not None
    if re.fullmatch(r"1[89]00(?:[0-9]{4}|[0-9]{6})", digits):
        return True
    if re.fullmatch(r"0[0-9]{9,10}", digits):
        return True
    return re.fullmatch(r"[0-9]{3,5}", raw) is not None and _CALL_BEFORE.search(before) is not None


def _phone_at(text: str, match: re.Match[str]) -> Link | None:
    """The longest prefix of the digit groups that is a phone ("1900 9068 7 ngày")."""
    parts = _SEPARATOR.split(match.group())
    for count in range(len(parts), 0, -1):
        raw = "".join(parts[:count])
        end = match.start() + len(raw)
        following = text[end:end + 1]
        if following and (following.isalnum() or following == "_"):
            continue
        digits = re.sub(r"[^0-9]", "", raw)
        if _is_phone(raw, digits, text[max(0, match.start() - 40):match.start()]):
            plus = "+" if raw.startswith("+") else ""
            return Link(match.start(), end, f"tel:{plus}{digits}", "tel")
    return None


def find_links(text: str) -> list[Link]:
    """Tappable spans of ``text``, in order, never overlapping."""
    links: list[Link] = []
    for match in _WEB.finditer(text):
        raw = _TRAILING.sub("", match.group())
        if "." not in raw:
            continue
        href = raw if re.match(r"https?://", raw, re.IGNORECASE) else f"https://{raw}"
        links.append(Link(match.start(), match.start() + len(raw), href, "web"))

    def free(start: int, end: int) -> bool:
        return all(end <= link.start or start >= link.end for link in links)

    for match in _USSD.finditer(text):
        if free(match.start(), match.end()):
            href = "tel:" + match.group().replace("#", "%23")
            links.append(Link(match.start(), match.end(), href, "tel"))
    for match in _NUMBER.finditer(text):
        phone = _phone_at(text, match)
        if phone is not None and free(phone.start, phone.end):
            links.append(phone)
    return sorted(links, key=lambda link: link.start)
