"""Small helpers shared by the NLU tests."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable


async def until(
    condition: Callable[[], Awaitable[bool]], seconds: float, every: float = 0.05
) -> None:
    """Poll ``condition`` until it is true; fail (TimeoutError) after ``seconds``."""
    async with asyncio.timeout(seconds):
        while True:
            if await condition():
                return
            await asyncio.sleep(every)
