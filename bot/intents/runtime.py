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
from pathlib import Path
from typing import Protocol

import httpx

from bot.config import NluPaths
from bot.intents.base import IntentRecognizer
from bot.intents.rasa import RasaRecognizer
from bot.intents.rasa_server import NluError, RasaServer, ensure_model, free_port
from bot.intents.resilient import ResilientRecognizer

log = logging.getLogger(__name__)

RESTART_DELAYS = (1.0, 5.0, 30.0)  # after a crash; then keep trying every 30 s
WATCH_EVERY = 2.0  # seconds between two looks at the active model (a poke is at once)
SHARED_ENV = "RASA_SHARED"  # "1": RASA_URL is the supervisor's server, which may switch
FOLLOW_EVERY = 1.0  # seconds between two looks at where Rasa answers, in every worker
RETIRE_AFTER = 10.0  # the old server's grace after a switch: every worker has moved by then


class ModelSource(Protocol):
    """Which model the deployment's Rasa should serve (the learning loop keeps it in the
    database, see :mod:`bot.nluloop.serving`), and where the served one is announced."""

    async def startup_model(self, repo_model: Path) -> Path:
        """The model to start with, given the one trained from the repository's files."""
        ...

    async def desired(self) -> Path | None:
        """The model that should be served now (None: keep what is served)."""
        ...

    async def wait_change(self, seconds: float) -> None:
        """Return when poked (an activation in this process), or after ``seconds``."""
        ...

    async def announce(self, url: str, model: Path | None) -> None:
        """Tell every worker where Rasa answers now, and with which model."""
        ...

    async def served_url(self) -> str | None:
        """The URL announced last, if any."""
        ...


class LocalRasa:
    """Trains if needed, runs the server, restarts it if it dies, until cancelled.

    With a :class:`ModelSource`, it also switches models without a failed or slow turn:
    Rasa's own ``PUT /model`` loads the new model synchronously, so its event loop (and every
    parse) stalls for the whole load (RasaHQ/rasa#3910; ``rasa/server.py`` in 3.6 awaits
    ``agent.load_model`` in the request). Instead a second server starts with the new model
    on another port, answers a warm-up parse, and is announced; parses move to it (each
    worker's recognizer follows the announcement) while the old server keeps answering the
    ones under way, and the old server stops ``retire_after`` seconds later.
    """

    def __init__(self, paths: NluPaths, port: int, token: str,
                 on_ready: ResilientRecognizer | None = None, *,
                 source: ModelSource | None = None, retire_after: float = RETIRE_AFTER):
        self._paths = paths
        self._port = port
        self._token = token
        self._on_ready = on_ready
        self._source = source
        self._retire_after = retire_after
        self._retiring: set[asyncio.Task[None]] = set()
        self._refused: Path | None = None
        self.server: RasaServer | None = None

    async def run(self) -> None:
        if self._source is not None:
            await self._source.announce(f"http://127.0.0.1:{self._port}", None)
        try:
            model = (await ensure_model(self._paths)).path
            if self._source is not None:
                model = await self._source.startup_model(model)
        except (NluError, OSError) as error:
            log.error("NLU stays on keywords: %s", error)
            return
        self.server = RasaServer(model, self._port, self._token, self._paths)
        crashes = 0
        while True:
            try:
                await self.server.start()
            except NluError as error:
                log.error("%s", error)
            else:
                log.info("Rasa started at %s with %s", self.server.url, self.server.model.name)
                await self._ready(self.server)
                code = await self._serve()
                log.error("Rasa exited unexpectedly (code %s); restarting", code)
            await asyncio.sleep(RESTART_DELAYS[min(crashes, len(RESTART_DELAYS) - 1)])
            crashes += 1

    async def _ready(self, server: RasaServer) -> None:
        if self._source is not None:
            await self._source.announce(server.url, server.model)
        if self._on_ready is not None:
            self._on_ready.retarget(server.url)
            self._on_ready.wake()

    async def _serve(self) -> int | None:
        """Watch the server (switching models when asked) until the one serving dies."""
        while True:
            server = self.server
            assert server is not None
            exited = asyncio.create_task(server.wait())
            while not exited.done():
                if self._source is None:
                    await asyncio.wait([exited])
                    break
                changed = asyncio.create_task(self._source.wait_change(WATCH_EVERY))
                await asyncio.wait([exited, changed], return_when=asyncio.FIRST_COMPLETED)
                changed.cancel()
                if not exited.done() and await self._switch_if_asked(server):
                    break
            if server is self.server and exited.done():
                return exited.result()
            exited.cancel()

    async def _switch_if_asked(self, server: RasaServer) -> bool:
        assert self._source is not None
        try:
            wanted = await self._source.desired()
        except Exception:  # a database hiccup: ask again at the next tick
            log.exception("could not read the active NLU model")
            return False
        if wanted is None or wanted == server.model or wanted == self._refused:
            return False
        return await self.switch(wanted)

    async def switch(self, model: Path) -> bool:
        """Serve ``model`` from a new server; the old one retires once parses moved."""
        old = self.server
        new = RasaServer(model, free_port(), self._token, self._paths)
        try:
            await new.start()
            await warm_up(new)
        except (NluError, OSError) as error:
            log.error("model switch to %s failed, %s keeps serving: %s", model.name,
                      old.model.name if old else "nothing", error)
            await new.stop()
            self._refused = model
            return False
        self._refused = None
        self.server = new
        await self._ready(new)
        log.info("Rasa serves %s at %s now", model.name, new.url)
        if old is not None:
            task = asyncio.create_task(self._retire(old), name="rasa-retire")
            self._retiring.add(task)
            task.add_done_callback(self._retiring.discard)
        return True

    async def _retire(self, server: RasaServer) -> None:
        await asyncio.sleep(self._retire_after)
        await server.stop()

    async def stop(self) -> None:
        for task in list(self._retiring):
            task.cancel()
        await asyncio.gather(*self._retiring, return_exceptions=True)
        if self.server is not None:
            await self.server.stop()


async def warm_up(server: RasaServer) -> None:
    """One parse, so the first resident after a switch does not pay for TensorFlow's first
    call."""
    async with httpx.AsyncClient(timeout=30.0) as client:
        reply = await client.post(f"{server.url}/model/parse", json={"text": "xin chào"},
                                  params={"token": server.token})
    if reply.status_code != 200:
        raise NluError(f"the new model did not parse (HTTP {reply.status_code})")


async def follow(recognizer: ResilientRecognizer, source: ModelSource,
                 every: float = FOLLOW_EVERY) -> None:
    """In every worker: parse where the announcement says Rasa answers (after a switch)."""
    while True:
        try:
            url = await source.served_url()
        except Exception:
            log.exception("could not read where Rasa answers")
            url = None
        if url:
            recognizer.retarget(url)
        await asyncio.sleep(every)


@contextlib.asynccontextmanager
async def nlu_runtime(
    fallback: IntentRecognizer, *, rasa_url: str | None = None, ready_within: float = 0.0,
    cache_size: int = 0, paths: NluPaths | None = None, source: ModelSource | None = None,
) -> AsyncIterator[IntentRecognizer]:
    """If rasa_url (env RASA_URL) is given, use that server; else train-if-changed and start a
    local Rasa server on loopback with a random auth token; yield the resilient recognizer;
    stop the server on exit. By default it yields at once (degraded until Rasa answers);
    ``ready_within`` waits up to that many seconds for Rasa first (CLI tools, tests).

    With ``source`` (the learning loop's active model), the local server serves the active
    model and switches when another is activated; a worker of ``serve --workers N``
    (``RASA_SHARED=1``, set by the supervisor) follows the switches of the supervisor's server.
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
        local = LocalRasa(paths or NluPaths(), port, token, recognizer, source=source)
    recognizer.start()
    tasks = [asyncio.create_task(local.run(), name="local-rasa")] if local else []
    if source is not None and url and os.environ.get(SHARED_ENV) == "1":
        tasks.append(asyncio.create_task(follow(recognizer, source), name="rasa-follow"))
    try:
        if ready_within > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(_until_ready(recognizer, tasks[0] if local else None),
                                       ready_within)
        yield recognizer
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if local is not None:
            await local.stop()
        await recognizer.aclose()


@contextlib.asynccontextmanager
async def local_rasa_server(source: ModelSource | None = None,
                            paths: NluPaths | None = None) -> AsyncIterator[tuple[str, str]]:
    """A local Rasa for several workers to share: trained if needed and started in the
    background (restarted if it crashes, switched when ``source`` asks); yields its URL and
    token at once."""
    port, token = free_port(), secrets.token_urlsafe(24)
    local = LocalRasa(paths or NluPaths(), port, token, source=source)
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
