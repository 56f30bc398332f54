"""Masking of what residents write, and the detection behind the safety warning."""

from __future__ import annotations

import re

from bot.privacy.rules import Sensitive, find
from bot.privacy.view import view_of
from bot.text import fold

MASKS = {
    Sensitive.id_number: "[số định danh]",
    Sensitive.phone: "[số điện thoại]",
    Sensitive.card: "[số thẻ]",
    Sensitive.otp: "[mã số]",
    Sensitive.password: "[mật khẩu]",
    Sensitive.bank_account: "[số tài khoản]",
    Sensitive.email: "[email]",
}
# Words that make a short number a code for the warning: "otp: 4821", "mã 482", "PIN 4821".
_OTP_CONTEXT = re.compile(
    r"(?<![a-z])(?:otp|ma|code|passcode|pin|mk|pass|mat\s*khau|mat\s*ma|cvv)(?![a-z])")


def mask(text: str, *, log: bool = False) -> str:
    """The text with every secret-looking value replaced by a label such as ``[mã số]``.
    ``log``: the rules for log lines, which leave ports, process ids and addresses readable."""
    view = view_of(text)
    pieces: list[str] = []
    done = 0
    for found in find(view, log=log):
        start, end = view.span(found.start, found.end)
        if start < done:
            continue
        pieces += [text[done:start], MASKS[found.kind]]
        done = end
    return "".join([*pieces, text[done:]]) if pieces else text


def _mentions_code(folded: str) -> bool:
    return _OTP_CONTEXT.search(folded) is not None


def sensitive_kinds(text: str) -> set[Sensitive]:
    """The kinds of personal secrets the text seems to contain (for the safety warning).

    Short numbers count as an OTP only when the message names a code or is the bare number,
    so "năm 2024" triggers no warning (it is still masked)."""
    found = find(view_of(text))
    code = any(f.kind is Sensitive.otp and not f.bare for f in found) and _mentions_code(
        fold(text))
    return {f.kind for f in found if f.kind is not Sensitive.otp or f.bare or code}
