"""A per-process cache of NLU answers for identical normalised texts.

Many residents send the same short messages ("cài vneid", "xin chào", "quên mật khẩu"), and a
Rasa parse costs several milliseconds of CPU. Entries are bounded (least recently used goes
first), identical texts already on their way to Rasa share one request, and :meth:`clear`
(called when Rasa reports a different model) bumps a generation so an answer computed by the
old model is never stored after the switch. A plain ``OrderedDict`` does the LRU: a library
(cachetools) would add a dependency for these few lines and still not share in-flight calls.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable

from bot.intents.base import IntentResult
from bot.metrics import NLU_CACHE


def cache_key(text: str) -> str:
    """Texts Rasa cannot tell apart: its tokenizer lowercases and splits on whitespace."""
    return " ".join(text.lower().split())


class NluCache:
    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[str, IntentResult] = OrderedDict()
        self._pending: dict[str, asyncio.Future[IntentResult]] = {}
        self._generation = 0

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        self._entries.clear()
        self._generation += 1

    async def get(self, key: str, compute: Callable[[], Awaitable[IntentResult]]
                  ) -> IntentResult:
        if self.size <= 0:
            return await compute()
        cached = self._entries.get(key)
        if cached is not None:
            self._entries.move_to_end(key)
            NLU_CACHE.labels("hit").inc()
            return cached
        pending = self._pending.get(key)
        if pending is not None:
            NLU_CACHE.labels("shared").inc()
            try:
                return await asyncio.shield(pending)
            except asyncio.CancelledError:
                if not pending.cancelled():
                    raise  # this caller was cancelled
                return await compute()  # the first caller was: ask Rasa ourselves
        NLU_CACHE.labels("miss").inc()
        return await self._compute(key, compute)

    async def _compute(self, key: str, compute: Callable[[], Awaitable[IntentResult]]
                       ) -> IntentResult:
        future: asyncio.Future[IntentResult] = asyncio.get_running_loop().create_future()
        self._pending[key] = future
        generation = self._generation
        try:
            result = await compute()
        except asyncio.CancelledError:
            future.cancel()
            raise
        except Exception as error:
            future.set_exception(error)
            future.exception()  # retrieved: nobody else may be waiting
            raise
        finally:
            self._pending.pop(key, None)
        future.set_result(result)
        if generation == self._generation:
            self._entries[key] = result
            if len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return result
