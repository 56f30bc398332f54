"""Password hashing with argon2id (argon2-cffi), off the event loop."""

from __future__ import annotations

import asyncio
import functools

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_PASSWORD = 10
MAX_PASSWORD = 200


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


def password_problem(password: str) -> str | None:
    """Why a new password is refused (Vietnamese, shown to the person), or None."""
    if len(password) < MIN_PASSWORD:
        return f"Mật khẩu cần ít nhất {MIN_PASSWORD} ký tự."
    if len(password) > MAX_PASSWORD:
        return f"Mật khẩu dài tối đa {MAX_PASSWORD} ký tự."
    return None
