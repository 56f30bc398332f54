"""Privacy guard: residents type ID numbers, phone numbers, OTPs, card numbers and passwords.

Everything a resident writes is masked with :func:`mask` before it is stored or logged, and
:func:`sensitive_kinds` tells the engine when to answer first with a safety warning. Masking is
deliberately greedy: any run of four or more digits (with spaces, dots or dashes between) is
replaced, so a year or an amount may be masked too. Losing "2024" from an analytics row costs
nothing; storing an OTP would break the residents' trust.
"""

from __future__ import annotations

import logging
import re
from enum import StrEnum

from bot.text import fold


class Sensitive(StrEnum):
    id_number = "id_number"
    phone = "phone"
    card = "card"
    otp = "otp"
    password = "password"


# Runs of digits, allowing single separators inside: "0912 345 678", "1234-5678-9012-3456".
_DIGIT_RUN = re.compile(r"(?<![\w])\+?\d(?:[ .\-]?\d){3,}(?![\w])")
# The log filter is a safety net (resident text is never logged on purpose): it masks long
# numbers but leaves ports, process ids, versions and IP addresses readable.
_LOG_NUMBER = re.compile(r"(?<![\w.])(?:\+?\d(?:[ \-]?\d){5,}|\d{3,4}(?:\.\d{3,4}){2,})(?![\w.])")
_SECRET_VALUE = re.compile(
    r"(?P<key>m[aậ]t\s*kh[aẩ]u|\bmk|\bpass(?:word|code)?|\bm[aã]\s*pin|\bpin)"
    r"(?P<sep>\s*(?:l[aà]|:|=)\s*)(?P<value>\S+)",
    re.IGNORECASE,
)
_OTP_CONTEXT = ("otp", "ma", "code", "passcode", "ma xac thuc", "ma xac nhan", "pin")

MASKS = {
    Sensitive.id_number: "[số định danh]",
    Sensitive.phone: "[số điện thoại]",
    Sensitive.card: "[số thẻ]",
    Sensitive.otp: "[mã số]",
    Sensitive.password: "[mật khẩu]",
}


def _classify(run: str) -> Sensitive:
    digits = re.sub(r"\D", "", run)
    if run.startswith("+84") or (len(digits) in (10, 11) and digits.startswith(("0", "84"))):
        return Sensitive.phone
    if len(digits) in (9, 12):
        return Sensitive.id_number
    if len(digits) >= 13:
        return Sensitive.card
    return Sensitive.otp


def _mentions_code(folded: str) -> bool:
    words = f" {folded} "
    return any(f" {phrase} " in words for phrase in _OTP_CONTEXT)


def sensitive_kinds(text: str) -> set[Sensitive]:
    """The kinds of personal secrets the text seems to contain (for the safety warning).

    Short numbers count as an OTP only when the message names a code or is the bare number, so
    "năm 2024" triggers no warning (it is still masked)."""
    folded = fold(text)
    kinds: set[Sensitive] = set()
    for match in _DIGIT_RUN.finditer(text):
        kind = _classify(match.group())
        bare = folded == re.sub(r"\D", "", match.group())
        if kind is not Sensitive.otp or bare or _mentions_code(folded):
            kinds.add(kind)
    if _SECRET_VALUE.search(text):
        kinds.add(Sensitive.password)
    return kinds


def mask(text: str) -> str:
    """The text with every secret-looking value replaced by a label such as ``[mã số]``."""
    text = _SECRET_VALUE.sub(lambda m: m["key"] + m["sep"] + MASKS[Sensitive.password], text)
    return _DIGIT_RUN.sub(lambda m: MASKS[_classify(m.group())], text)


class MaskingFilter(logging.Filter):
    """Masks secrets in every log record's message, whatever logger produced it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = _SECRET_VALUE.sub(lambda m: m["key"] + m["sep"] + MASKS[Sensitive.password],
                                   message)
        masked = _LOG_NUMBER.sub(lambda m: MASKS[_classify(m.group())], masked)
        if masked != message:
            record.msg, record.args = masked, None
        return True


def install_log_masking() -> None:
    """Put :class:`MaskingFilter` on every root handler (call after logging is configured)."""
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(level=logging.INFO,
                            format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for handler in root.handlers:
        if not any(isinstance(f, MaskingFilter) for f in handler.filters):
            handler.addFilter(MaskingFilter())
