"""A real Rasa model (trained once, cached by content hash in models/) and a real server."""

from __future__ import annotations

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
    """The project's own pipeline and data (LogisticRegression trains in well under a minute)."""
    return await ensure_model(nlu_paths)


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def rasa_server(rasa_model: TrainedModel, nlu_paths: NluPaths) -> AsyncIterator[RasaServer]:
    server = RasaServer(rasa_model.path, free_port(), secrets.token_urlsafe(16), nlu_paths)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()
