"""Password hashing with argon2id (argon2-cffi), off the event loop, and the strength check
of a new password (the kept estimator ``zxcvbn``, fed Vietnamese names and words)."""

from __future__ import annotations

import asyncio
import functools
import re
from collections.abc import Mapping, Sequence

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

from bot.accounts.common_passwords import COMMON
from bot.text import fold

MIN_PASSWORD = 10
MAX_PASSWORD = 200
# About 10^10 guesses, estimated without spaces and dashes: "nguyen van 1990" is read as
# "nguyenvan1990" (10^8, refused); four unrelated words pass.
GOOD_GUESSES = 1e10
_ESTIMATED = 72  # zxcvbn refuses longer input (and slows down); beyond it a password is long
_PHONE = re.compile(r"(?:\+?84|0)\d{9}")
_ADVICE = ("Hãy ghép ba, bốn từ không liên quan với nhau mà chỉ anh/chị nhớ, "
           "hoặc thêm vài từ cho dài hơn.")
_REASONS = {
    "repeat": "Mật khẩu lặp lại một ký tự hay một cụm (như «aaaa», «abcabc»): rất dễ đoán.",
    "sequence": "Mật khẩu là một dãy liên tiếp (như «123456», «abcd»): rất dễ đoán.",
    "spatial": "Mật khẩu là các phím liền nhau trên bàn phím (như «qwerty»): rất dễ đoán.",
    "date": "Mật khẩu có ngày sinh: người quen đoán được.",
    "regex": "Mật khẩu có năm sinh hay một năm gần đây: người quen đoán được.",
    "user_inputs": "Mật khẩu có tên người, tên đăng nhập hay một từ hay dùng "
                   "(như «anhyeuem», «nguyen»): dễ đoán.",
    "dictionary": "Mật khẩu nằm trong danh sách mật khẩu hay bị lộ: dễ đoán.",
}


class Passwords:
    """``PasswordHasher`` defaults are argon2id with RFC 9106's low-memory profile; tests pass a
    cheaper hasher so a suite of sign-ins stays fast."""

    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self.hasher = hasher or PasswordHasher()

    @functools.cached_property
    def _dummy(self) -> str:
        """Verified when the login is unknown, so a wrong login costs as long as a wrong
        password. Hashed on first use (in the verifying thread), not at start-up: every start
        of the bot and of each test's runtime would otherwise pay one full argon2 hash."""
        return self.hasher.hash("not a password of anyone")

    async def hash(self, password: str) -> str:
        return await asyncio.to_thread(self.hasher.hash, password)

    async def verify(self, stored: str | None, password: str) -> bool:
        def check() -> bool:
            try:
                return self.hasher.verify(stored or self._dummy, password) and stored is not None
            except (VerificationError, InvalidHashError):
                return False

        return await asyncio.to_thread(check)


def password_problem(password: str, *, login: str = "") -> str | None:
    """Why a new password is refused (Vietnamese, shown to the person), or None.

    Estimated on the folded text (no diacritics, lower case, no spaces or dashes), so
    "Nguyễn Văn 1990" is as weak as "nguyenvan1990"; the login counts as a known word."""
    if len(password) < MIN_PASSWORD:
        return f"Mật khẩu cần ít nhất {MIN_PASSWORD} ký tự."
    if len(password) > MAX_PASSWORD:
        return f"Mật khẩu dài tối đa {MAX_PASSWORD} ký tự."
    folded = re.sub(r"[\s.\-_]+", "", fold(password))[:_ESTIMATED]
    if _PHONE.search(folded):
        return f"Mật khẩu giống một số điện thoại: người quen đoán được. {_ADVICE}"
    words = [*COMMON, *(w for w in re.split(r"[^a-z0-9]+", fold(login)) if len(w) > 2)]
    if _names_and_numbers(folded, frozenset(words)):
        return ("Mật khẩu chỉ gồm tên người hay từ hay dùng, với năm sinh, ngày sinh hay vài "
                f"chữ số: người quen đoán được. {_ADVICE}")
    result = zxcvbn(folded, user_inputs=words)
    if float(result["guesses"]) >= GOOD_GUESSES:
        return None
    return f"{_weakness(result['sequence'])} {_ADVICE}"


def _names_and_numbers(folded: str, known: frozenset[str]) -> bool:
    """Only names and common words, with a year, a date or a few digits: "tranthihoa1985",
    "lethilan@75" (zxcvbn counts each extra piece as much harder; a guesser does not)."""
    letters = re.findall(r"[a-z]+", folded)
    digits = re.findall(r"\d+", folded)
    return bool(letters) and all(len(d) <= 8 for d in digits) and all(
        _segments(run, known) for run in letters)


def _segments(run: str, known: frozenset[str]) -> bool:
    """``run`` splits into known words (word break, by dynamic programming)."""
    ends = [True] + [False] * len(run)
    for end in range(1, len(run) + 1):
        ends[end] = any(ends[start] and run[start:end] in known
                        for start in range(max(0, end - 12), end))
    return ends[-1]


def _weakness(sequence: Sequence[Mapping[str, object]]) -> str:
    """The reason behind the longest guessable piece zxcvbn found."""
    pieces = [m for m in sequence if m["pattern"] != "bruteforce"]
    if not pieces:
        return "Mật khẩu quá dễ đoán."
    worst = max(pieces, key=lambda m: len(str(m["token"])))
    pattern = str(worst["pattern"])
    if pattern == "dictionary" and worst.get("dictionary_name") == "user_inputs":
        pattern = "user_inputs"
    return _REASONS.get(pattern, "Mật khẩu quá dễ đoán.")
