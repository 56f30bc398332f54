"""The NLU the bot runs with: ``async with nlu_runtime(keywords) as recognizer: ...``.

Environment:
- ``NLU=keywords`` skips Rasa entirely (fast tests, machines without ``.venv-nlu``).
- ``RASA_URL`` (and ``RASA_TOKEN`` if that server wants one) uses a Rasa server run elsewhere.
- otherwise a local server is trained if needed and started on loopback with a random token.

The web chat should be up in seconds, and a first training run takes tens of seconds, so
the recognizer is yielded at once in degraded mode (keyword answers) while a background task
trains and starts Rasa; it turns healthy when Rasa answers. A crashed Rasa is restarted.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
from collections.abc import AsyncIterator

from bot.intents.base import IntentRecognizer
from bot.intents.rasa import RasaRecognizer
from bot.intents.rasa_server import NluError, NluPaths, RasaServer, ensure_model, free_port
from bot.intents.resilient import ResilientRecognizer

log = logging.getLogger(__name__)

RESTART_DELAYS = (1.0, 5.0, 30.0)  # after a crash; then keep trying every 30 s


class LocalRasa:
    """Trains if needed, runs the server, restarts it if it dies, until cancelled."""

    def __init__(self, paths: NluPaths, port: int, token: str,
                 on_ready: ResilientRecognizer | None = None):
        self._paths = paths
        self._port = port
        self._token = token
        self._on_ready = on_ready
        self.server: RasaServer | None = None

    async def run(self) -> None:
        try:
            model = await ensure_model(self._paths)
        except (NluError, OSError) as error:
            log.error("NLU stays on keywords: %s", error)
            return
        self.server = RasaServer(model.path, self._port, self._token, self._paths)
        crashes = 0
        while True:
            try:
                await self.server.start()
            except NluError as error:
                log.error("%s", error)
            else:
                log.info("Rasa started at %s with %s", self.server.url, model.path.name)
                if self._on_ready is not None:
                    self._on_ready.wake()
                code = await self.server.wait()
                log.error("Rasa exited unexpectedly (code %s); restarting", code)
            await asyncio.sleep(RESTART_DELAYS[min(crashes, len(RESTART_DELAYS) - 1)])
            crashes += 1

    async def stop(self) -> None:
        if self.server is not None:
            await self.server.stop()


@contextlib.asynccontextmanager
async def nlu_runtime(
    fallback: IntentRecognizer, *, rasa_url: str | None = None, ready_within: float = 0.0,
    cache_size: int = 0,
) -> AsyncIterator[IntentRecognizer]:
    """If rasa_url (env RASA_URL) is given, use that server; else train-if-changed and start a
    local Rasa server on loopback with a random auth token; yield the resilient recognizer;
    stop the server on exit. By default it yields at once (degraded until Rasa answers);
    ``ready_within`` waits up to that many seconds for Rasa first (CLI tools, tests).
    """
    if os.environ.get("NLU", "rasa").strip().lower() == "keywords":
        log.info("NLU=keywords: Rasa is not used")
        yield fallback
        return
    url = rasa_url or os.environ.get("RASA_URL")
    local: LocalRasa | None = None
    if url:
        recognizer = ResilientRecognizer(
            RasaRecognizer(url, os.environ.get("RASA_TOKEN"), cache_size=cache_size), fallback
        )
    else:
        port, token = free_port(), secrets.token_urlsafe(24)
        recognizer = ResilientRecognizer(
            RasaRecognizer(f"http://127.0.0.1:{port}", token, cache_size=cache_size), fallback
        )
        local = LocalRasa(NluPaths(), port, token, recognizer)
    recognizer.start()
    task = asyncio.create_task(local.run(), name="local-rasa") if local else None
    try:
        if ready_within > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(_until_ready(recognizer, task), ready_within)
        yield recognizer
    finally:
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if local is not None:
            await local.stop()
        await recognizer.aclose()


@contextlib.asynccontextmanager
async def local_rasa_server() -> AsyncIterator[tuple[str, str]]:
    """A local Rasa for several workers to share: trained if needed and started in the
    background (restarted if it crashes); yields its URL and token at once."""
    port, token = free_port(), secrets.token_urlsafe(24)
    local = LocalRasa(NluPaths(), port, token)
    task = asyncio.create_task(local.run(), name="local-rasa")
    try:
        yield f"http://127.0.0.1:{port}", token
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await local.stop()


async def _until_ready(recognizer: ResilientRecognizer, task: asyncio.Task[None] | None) -> None:
    while not await recognizer.healthy():
        if task is not None and task.done():
            return  # training failed: stay on keywords rather than wait forever
        await asyncio.sleep(0.2)
