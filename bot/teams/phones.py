"""Phone numbers in relayed text.

Everything relayed is masked like everything stored (``bot.privacy.mask``), with two
exceptions that keep a phone number readable: a resident who pressed "📞 Gửi số điện thoại"
(consent, recorded on the ticket) sends their number to the member, and a member may give the
resident a number to call. OTPs, passwords, card and ID numbers are masked either way.
"""

from __future__ import annotations

import re

from bot.privacy import mask

# Vietnamese numbers: 0xxxxxxxxx (10 digits), +84/84 followed by 9 digits; spaces, dots and
# dashes between digits as people write them ("0912 345 678", "+84 912.345.678").
_PHONE = re.compile(r"(?<![\w+])(?:\+84|84|0)(?:[ .\-]?\d){9}(?!\w)")
_HOLD = "⟦SDT{}⟧"


def find_phones(text: str) -> list[str]:
    return [m.group().strip() for m in _PHONE.finditer(text)]


def mask_except_phones(text: str) -> str:
    """:func:`mask`, leaving phone numbers as they are."""
    phones: list[str] = []

    def hold(match: re.Match[str]) -> str:
        phones.append(match.group())
        return _HOLD.format(chr(ord("A") + len(phones) - 1))

    held = _PHONE.sub(hold, text) if len(find_phones(text)) <= 26 else text
    masked = mask(held)
    for index, phone in enumerate(phones):
        masked = masked.replace(_HOLD.format(chr(ord("A") + index)), phone)
    return masked
