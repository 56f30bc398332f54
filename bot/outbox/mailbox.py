"""``GET /api/chat/updates`` behind the scenes: messages a service sent a web resident outside
a request (a team member's answer, "the team has your question") wait in the outbox until the
chat page fetches them. Nothing is lost when the page is closed: they wait (30 days).

The page long-polls: :meth:`Mailbox.fetch` answers at once when messages wait, else waits up
to ``wait`` seconds. A message written in this process wakes the waiting fetch at once; one
written by another worker is seen at the next look at the table (every ``poll`` seconds).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import defaultdict
from typing import Any

from bot.clock import Clock
from bot.outbox.replies import replies_from_body
from bot.storage import mailbox as db
from bot.storage.runner import Transactions

CHANNEL = "web"
MAX_WAIT = 25.0


class Mailbox:
    def __init__(self, transactions: Transactions, clock: Clock, *, poll: float = 2.0,
                 limit: int = 50) -> None:
        self.transactions = transactions
        self.clock = clock
        self.poll = poll
        self.limit = limit
        self._waiting: defaultdict[str, set[asyncio.Event]] = defaultdict(set)

    def notify(self, recipient: str) -> None:
        for event in self._waiting.get(recipient, ()):
            event.set()

    async def fetch(self, recipient: str, after: int, wait: float
                    ) -> tuple[list[dict[str, Any]], int]:
        """Acknowledge everything up to ``after``; return what came after it (the replies'
        JSON, as ``/api/chat`` answers) and the new cursor, waiting up to ``wait`` seconds
        for something to arrive."""
        if after > 0:
            now = self.clock.now()
            await self.transactions.run(
                lambda conn: db.acknowledge(conn, CHANNEL, recipient, after, now))
        deadline = time.monotonic() + min(max(wait, 0.0), MAX_WAIT)
        event = asyncio.Event()
        self._waiting[recipient].add(event)
        try:
            while True:
                event.clear()
                rows = await self._waiting_rows(recipient, after)
                left = deadline - time.monotonic()
                if rows or left <= 0:
                    break
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(event.wait(), min(left, self.poll))
        finally:
            self._waiting[recipient].discard(event)
            if not self._waiting[recipient]:
                del self._waiting[recipient]
        messages = [reply.to_json() for _, body in rows for reply in replies_from_body(body)]
        return messages, (rows[-1][0] if rows else after)

    async def _waiting_rows(self, recipient: str, after: int
                            ) -> list[tuple[int, dict[str, Any]]]:
        now = self.clock.now()
        return await self.transactions.run(
            lambda conn: db.waiting(conn, CHANNEL, recipient, after, now, self.limit))

    async def expire(self) -> int:
        now = self.clock.now()
        return await self.transactions.run(lambda conn: db.expire(conn, CHANNEL, now))
