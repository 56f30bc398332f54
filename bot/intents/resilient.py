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
import time

from bot.intents.base import IntentRecognizer, IntentResult
from bot.intents.rasa import RasaRecognizer, RasaUnavailable
from bot.metrics import NLU_DEGRADED, NLU_SECONDS

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
        watch_every: float = 30.0,
    ) -> None:
        self._primary = primary
        self._fallback = fallback
        self._first_delay = first_probe_delay
        self._max_delay = max_probe_delay
        self._watch_every = watch_every
        self._up = False
        NLU_DEGRADED.set(1)
        self._probe_task: asyncio.Task[None] | None = None
        self._woken = asyncio.Event()

    @property
    def rasa_url(self) -> str:
        return self._primary.base_url

    def retarget(self, url: str) -> None:
        """Parse on the server at ``url`` from now on (after a model switch)."""
        if self._primary.retarget(url):
            log.info("NLU now parses at %s", url)
            self.wake()

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
                self._degrade()
        started = time.perf_counter()
        result = await self._fallback.recognize(text)
        NLU_SECONDS.labels("keywords").observe(time.perf_counter() - started)
        return result

    def _degrade(self) -> None:
        self._up = False
        NLU_DEGRADED.set(1)
        self._ensure_probing()
        self._woken.set()  # the watcher switches to probing with backoff now

    async def healthy(self) -> bool:
        return self._up

    def _ensure_probing(self) -> None:
        if self._probe_task is None or self._probe_task.done():
            self._probe_task = asyncio.create_task(self._supervise(), name="nlu-probe")

    async def _supervise(self) -> None:
        """Probe with backoff until Rasa answers; then keep watching it, so a stopped server
        or a newly loaded model is noticed within ``watch_every`` even without traffic."""
        delay = self._first_delay
        while True:
            self._woken.clear()  # before probing, so a wake() during the probe is not lost
            if not self._up:
                if await self._primary.healthy():
                    self._up, delay = True, self._first_delay
                    NLU_DEGRADED.set(0)
                    log.info("NLU ok: Rasa answers at %s", self._primary.base_url)
                    continue
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._woken.wait(), delay)
                delay = min(delay * 2, self._max_delay)
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._woken.wait(), self._watch_every)
            if self._up and not await self._primary.healthy():
                log.warning("NLU degraded, using keywords: Rasa stopped answering /status")
                self._up = False
                NLU_DEGRADED.set(1)

    async def aclose(self) -> None:
        """Stop probing and close the HTTP client."""
        if self._probe_task is not None:
            self._probe_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._probe_task
        await self._primary.aclose()
