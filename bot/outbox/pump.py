"""The loop behind every queue worker: drain until there is nothing to do, then sleep until
woken (a new row was written in this process) or until the poll interval has passed (a row
written by another worker, a retry whose time has come, a lease that ran out)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)
ERROR_PAUSE = 5.0  # seconds to wait after the database itself failed


class Pump:
    def __init__(self, name: str, drain: Callable[[], Awaitable[int]], poll: float) -> None:
        self.name = name
        self.drain = drain
        self.poll = poll
        self._wake = asyncio.Event()
        self._stopping = False

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        """Finish the batch in hand, then return from :meth:`run`."""
        self._stopping = True
        self._wake.set()

    async def run(self) -> None:
        while not self._stopping:
            try:
                done = await self.drain()
            except asyncio.CancelledError:
                raise
            except Exception:  # the database went away: keep the worker alive, try again
                log.exception("%s worker failed; trying again in %.0f s", self.name, ERROR_PAUSE)
                await asyncio.sleep(ERROR_PAUSE)
                continue
            if done or self._stopping:
                continue
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.poll)


class Pumps:
    """One pump per channel, woken, stopped and run together (the outbox and the inbox)."""

    def __init__(self, kind: str, poll: float) -> None:
        self.kind = kind
        self.poll = poll
        self._by_channel: dict[str, Pump] = {}

    def add(self, channel: str, drain: Callable[[], Awaitable[int]]) -> None:
        self._by_channel[channel] = Pump(f"{self.kind}[{channel}]", drain, self.poll)

    @property
    def channels(self) -> list[str]:
        return list(self._by_channel)

    def wake(self, channel: str) -> None:
        pump = self._by_channel.get(channel)
        if pump is not None:
            pump.wake()

    def stop(self) -> None:
        for pump in self._by_channel.values():
            pump.stop()

    async def run(self) -> None:
        """Drain every channel until stopped or cancelled."""
        async with asyncio.TaskGroup() as group:
            for pump in self._by_channel.values():
                group.create_task(pump.run())
