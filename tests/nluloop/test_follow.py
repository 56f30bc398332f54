"""Every worker parses where the owner of the Rasa server announces it (after a switch), and
forgets the old model's cached answers."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

import httpx

from bot.intents.base import IntentResult
from bot.intents.keywords import KeywordRecognizer
from bot.intents.rasa import RasaRecognizer
from bot.intents.resilient import ResilientRecognizer
from bot.intents.runtime import follow
from tests.nlu.helpers import until


class Announced:
    """The part of :class:`bot.nluloop.serving.ServingRecord` a worker reads."""

    def __init__(self, url: str) -> None:
        self.url = url

    async def startup_model(self, repo_model: Path) -> Path:
        return repo_model

    async def desired(self) -> Path | None:
        return None

    async def wait_change(self, seconds: float) -> None:
        await asyncio.sleep(seconds)

    async def announce(self, url: str, model: Path | None) -> None:
        self.url = url

    async def served_url(self) -> str | None:
        return self.url


async def moved(primary: RasaRecognizer) -> bool:
    return primary.base_url == "http://127.0.0.1:5002"


async def test_a_worker_follows_the_announced_server_and_drops_cached_answers() -> None:
    seen: list[int | None] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.port)
        name = "greet" if request.url.port == 5001 else "thanks_bye"
        if request.url.path == "/status":
            return httpx.Response(200, json={"model_file": "m.tar.gz"})
        return httpx.Response(200, json={"intent": {"name": name, "confidence": 0.9}})

    primary = RasaRecognizer("http://127.0.0.1:5001", "t", cache_size=10,
                             transport=httpx.MockTransport(handle))
    recognizer = ResilientRecognizer(primary, KeywordRecognizer([]))
    recognizer.start()
    source = Announced("http://127.0.0.1:5001")
    task = asyncio.create_task(follow(recognizer, source, every=0.02))
    try:
        await until(recognizer.healthy, 5)
        first: IntentResult = await recognizer.recognize("xin chào")
        assert first.top is not None and first.top.name == "greet"
        await source.announce("http://127.0.0.1:5002", None)
        await until(lambda: moved(primary), 5)
        again = await recognizer.recognize("xin chào")  # same text: not from the cache
        assert again.top is not None and again.top.name == "thanks_bye"
        assert seen[-1] == 5002
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await recognizer.aclose()
