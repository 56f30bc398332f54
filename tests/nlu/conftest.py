"""A real Rasa model (trained once, cached by content hash in models/) and a real server."""

from __future__ import annotations

import asyncio
import fcntl
import secrets
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from bot.intents.rasa_server import (
    NluPaths,
    RasaServer,
    TrainedModel,
    ensure_model,
    free_port,
)


@pytest.fixture(scope="session")
def nlu_paths() -> NluPaths:
    paths = NluPaths()
    if not paths.rasa.exists():
        pytest.fail(f"{paths.rasa} is missing: run `make nlu-env`")
    return paths


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def rasa_model(nlu_paths: NluPaths) -> TrainedModel:
    """The project's own pipeline and data (LogisticRegression trains in well under a minute).
    Under a file lock: two test processes (xdist workers, or two checkouts sharing models/)
    train a missing model once, the second finds it made."""
    nlu_paths.models.mkdir(parents=True, exist_ok=True)
    with (nlu_paths.models / ".train.lock").open("w") as lock:
        await asyncio.to_thread(fcntl.flock, lock, fcntl.LOCK_EX)
        try:
            return await ensure_model(nlu_paths)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def rasa_server(rasa_model: TrainedModel, nlu_paths: NluPaths) -> AsyncIterator[RasaServer]:
    server = RasaServer(rasa_model.path, free_port(), secrets.token_urlsafe(16), nlu_paths)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()
