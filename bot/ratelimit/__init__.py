"""Rate limits for messages that come over HTTP (the web chat and its API): per resident (a
flood), and per client address (new residents, hand-offs). One open hand-off per resident is
the teams hand-off's own rule (``bot.teams.opening``).

Counting is in process, so a turn pays a dictionary update, not a database round trip. Every
``sync_seconds`` each worker adds what it counted to shared counters in the database and reads
back the totals of all workers (:class:`~bot.storage.rate_counters.RateCounterStore`), so a
limit holds across workers within about a second. Keys are hashed; a row holds only a count
and is deleted when its window has passed.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from bot.storage.rate_counters import RateCounterStore, Slot

log = logging.getLogger(__name__)

SYNC_SECONDS = 1.0
PRUNE_SECONDS = 60.0

FLOOD = "Bác gửi nhanh quá ạ. Bác chờ một lát rồi gửi tiếp giúp cháu nhé."
NEW_RESIDENTS = ("Lúc này có rất nhiều người mới trò chuyện từ cùng một mạng, cháu chưa nhận "
                 "thêm được ạ. Anh/chị vui lòng thử lại sau ít phút nhé.")
HANDOFFS = ("Từ mạng này vừa có nhiều yêu cầu gặp tổ hỗ trợ, cháu chưa gửi thêm được ạ. Bác chờ "
            "một lúc rồi nhờ lại giúp cháu nhé; việc gấp thì bác nhờ trưởng thôn hoặc UBND "
            "xã/phường giúp ạ.")


@dataclass(frozen=True)
class Rule:
    limit: int  # at most this many in each window; 0 turns the rule off
    seconds: int


@dataclass(frozen=True)
class RateRules:
    resident: Rule = Rule(60, 60)  # messages of one resident a minute
    new_residents: Rule = Rule(300, 3600)  # new residents from one address an hour
    handoffs: Rule = Rule(30, 3600)  # hand-offs requested from one address an hour


class RateLimits:
    def __init__(self, rules: RateRules, store: RateCounterStore, *,
                 clock: Callable[[], float] = time.time,
                 sync_seconds: float = SYNC_SECONDS) -> None:
        self.rules = rules
        self.store = store
        self.clock = clock
        self.sync_seconds = sync_seconds
        self._counts: dict[Slot, list[int]] = {}  # slot -> [total of all workers, not synced]
        self._pruned = 0.0

    def _hit(self, name: str, rule: Rule, key: str) -> bool:
        if rule.limit <= 0:
            return True
        window = (int(self.clock()) // rule.seconds + 1) * rule.seconds
        hashed = hashlib.sha256(f"digiguide-rate\n{name}\n{key}".encode()).hexdigest()[:40]
        entry = self._counts.setdefault((hashed, window), [0, 0])
        entry[1] += 1
        return entry[0] + entry[1] <= rule.limit

    def resident(self, channel: str, user: str) -> str | None:
        """None when the message may go on, else the answer to give instead."""
        allowed = self._hit("resident", self.rules.resident, f"{channel}\n{user}")
        return None if allowed else FLOOD

    def new_resident(self, client: str) -> str | None:
        return None if self._hit("new", self.rules.new_residents, client) else NEW_RESIDENTS

    def handoff(self, client: str) -> str | None:
        return None if self._hit("handoff", self.rules.handoffs, client) else HANDOFFS

    async def sync(self) -> None:
        """Share this worker's counts and learn the others'; forget windows that passed."""
        pending = {slot: entry[1] for slot, entry in self._counts.items() if entry[1]}
        if pending:
            totals = await self.store.add(pending)
            for slot, total in totals.items():
                entry = self._counts[slot]
                entry[0], entry[1] = total, entry[1] - pending[slot]
        now = self.clock()
        self._counts = {slot: entry for slot, entry in self._counts.items() if slot[1] > now}
        if now - self._pruned >= PRUNE_SECONDS:
            self._pruned = now
            await self.store.prune(now)

    async def run(self) -> None:
        while True:
            await asyncio.sleep(self.sync_seconds)
            try:
                await self.sync()
            except Exception:  # a database hiccup: the counts wait for the next round
                log.exception("rate counters not synced; retrying")
