"""Rasa when it answers, flow keywords when it does not, and back to Rasa by itself.

A resident must always get an answer: if Rasa is down, slow, or still starting, messages go
to the keyword recognizer and ``healthy()`` reports ``False`` ("degraded" on /healthz). While
degraded, a background probe with exponential backoff watches ``/status``; the first
success switches back, with no restart and no traffic needed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from bot.intents.base import IntentRecognizer, IntentResult
from bot.intents.rasa import RasaRecognizer, RasaUnavailable

log = logging.getLogger(__name__)


class ResilientRecognizer:
    """Implements :class:`~bot.intents.base.IntentRecognizer` over Rasa plus a fallback."""

    def __init__(
        self,
        primary: RasaRecognizer,
        fallback: IntentRecognizer,
        *,
        first_probe_delay: float = 0.5,
        max_probe_delay: float = 10.0,
    ) -> None:
        self._primary = primary
        self._fallback = fallback
        self._first_delay = first_probe_delay
        self._max_delay = max_probe_delay
        self._up = False
        self._probe_task: asyncio.Task[None] | None = None
        self._woken = asyncio.Event()

    @property
    def rasa_url(self) -> str:
        return self._primary.base_url

    def start(self) -> None:
        """Begin in degraded mode and probe until Rasa answers (call inside the event loop)."""
        self._ensure_probing()

    def wake(self) -> None:
        """Probe now instead of at the next backoff step (e.g. right after Rasa started)."""
        self._woken.set()

    async def recognize(self, text: str) -> IntentResult:
        if self._up:
            try:
                return await self._primary.recognize(text)
            except RasaUnavailable as error:
                log.warning("NLU degraded, using keywords: %s", error)
                self._up = False
                self._ensure_probing()
        return await self._fallback.recognize(text)

    async def healthy(self) -> bool:
        return self._up

    def _ensure_probing(self) -> None:
        if self._probe_task is None or self._probe_task.done():
            self._probe_task = asyncio.create_task(self._probe_until_up(), name="nlu-probe")

    async def _probe_until_up(self) -> None:
        delay = self._first_delay
        while True:
            self._woken.clear()  # before probing, so a wake() during the probe is not lost
            if await self._primary.healthy():
                break
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._woken.wait(), delay)
            delay = min(delay * 2, self._max_delay)
        self._up = True
        log.info("NLU ok: Rasa answers at %s", self._primary.base_url)

    async def aclose(self) -> None:
        """Stop probing and close the HTTP client."""
        if self._probe_task is not None:
            self._probe_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._probe_task
        await self._primary.aclose()
