"""The OA access token: read from the database, refreshed before it expires and when Zalo
says it is invalid (-216), by exactly one worker at a time.

Zalo's refresh tokens are single-use: two workers refreshing with the same one would leave
one of them (and then everyone) with a dead token. So a refresh happens only while holding the
token row's database lock (``SELECT … FOR UPDATE``; SQLite's write lock), and the new pair is
stored in that same transaction. A worker that waited for the lock first looks at what the
other one stored, and uses it instead of refreshing again. Tokens are never logged.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import logging

from bot.channels.zalo.api import TokenRefused, ZaloAPI
from bot.clock import Clock
from bot.storage.zalo import Tokens, ZaloStore

log = logging.getLogger(__name__)
MARGIN = dt.timedelta(minutes=10)  # refresh this long before the token expires


class NoRefreshToken(Exception):
    """Neither ``ZALO_REFRESH_TOKEN`` nor the database holds a refresh token."""


class TokenManager:
    def __init__(self, api: ZaloAPI, store: ZaloStore, clock: Clock, *,
                 seed: str | None = None, margin: dt.timedelta = MARGIN) -> None:
        self.api = api
        self.store = store
        self.clock = clock
        self.seed = seed
        self.margin = margin
        self.refreshes = 0  # done by this process (health, tests)
        # "ok" once there is a token, "error" when Zalo refused the refresh token, "off" when
        # there is none at all (never connected)
        self.state = "starting"
        self._cached: Tokens | None = None
        self._local = asyncio.Lock()  # one refresher per process; the database lock across
        self._in_flight: asyncio.Task[Tokens] | None = None

    async def seed_store(self) -> None:
        seed_hash = hashlib.sha256(self.seed.encode()).hexdigest() if self.seed else None
        await self.store.seed_tokens(self.api.app_id, self.seed, seed_hash, self.clock.now())

    async def settle(self) -> None:
        """Wait for a refresh under way to be stored (before the database closes)."""
        task = self._in_flight
        if task is not None:
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await task

    def _fresh(self, tokens: Tokens | None) -> bool:
        return (tokens is not None and bool(tokens.access_token)
                and tokens.access_expires_at is not None
                and tokens.access_expires_at - self.margin > self.clock.now())

    async def access_token(self) -> str:
        """A token valid for at least ``margin``; refreshes when needed."""
        if not self._fresh(self._cached):
            self._cached = await self.store.tokens(self.api.app_id)
        if self._fresh(self._cached) and self._cached and self._cached.access_token:
            self.state = "ok"  # a token stored by an earlier run, another worker, zalo-connect
            return self._cached.access_token
        return await self.refresh(failed=None)

    async def refresh(self, failed: str | None) -> str:
        """Refresh, unless another worker already did: ``failed`` is the token Zalo refused
        (None: the stored one is expiring). Raises :class:`TokenRefused`,
        :class:`NoRefreshToken` or ``Unavailable``."""
        async with self._local:
            # Shielded: once Zalo has used up the old refresh token, the new one must reach
            # the database even if the caller is cancelled (shutdown) meanwhile.
            self._in_flight = asyncio.create_task(self.store.token_lock(self.api.app_id).run(
                lambda current: self._refresh_locked(current, failed), self.clock.now()))
            try:
                tokens = await asyncio.shield(self._in_flight)
            finally:
                if self._in_flight.done():
                    self._in_flight = None
        self._cached = tokens
        self.state = "ok"
        return tokens.access_token or ""

    async def _refresh_locked(self, current: Tokens, failed: str | None) -> Tokens | None:
        if self._fresh(current) and current.access_token != failed:
            return None  # someone refreshed while we waited for the lock: use theirs
        if not current.refresh_token:
            self.state = "off"  # not connected yet: `python -m bot zalo-connect`
            raise NoRefreshToken("set ZALO_REFRESH_TOKEN (see the README's Zalo section)")
        try:
            grant = await self.api.refresh(current.refresh_token)
        except TokenRefused:
            self.state = "error"
            log.error("Zalo refused the refresh token: obtain a new one and set "
                      "ZALO_REFRESH_TOKEN (see the README's Zalo section)")
            raise
        self.refreshes += 1
        log.info("Zalo access token refreshed (valid %d h)", grant.expires_in.total_seconds()
                 // 3600)
        return Tokens(grant.access_token, self.clock.now() + grant.expires_in,
                      grant.refresh_token)
