"""Fixtures: the fake Bot API on loopback, and the Telegram channel wired to a real runtime."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from telegram import Update

from bot.app import Runtime
from bot.channels.telegram import TelegramChannel, TelegramConfig
from tests.conftest import FLOWS
from tests.server import serving
from tests.telegram.fake_api import TOKEN, FakeBotAPI
from tests.telegram.updates import Updates


@pytest.fixture
async def fake_api() -> AsyncIterator[FakeBotAPI]:
    fake = FakeBotAPI()
    async with serving(fake.app) as base:
        fake.base_url = base
        yield fake


def config_for(fake: FakeBotAPI, **overrides: Any) -> TelegramConfig:
    values: dict[str, Any] = {
        "token": TOKEN,
        "images_dir": FLOWS / "images",
        "api_url": fake.base_url,
        "webhook_secret": "s3cret",
    }
    values.update(overrides)
    return TelegramConfig(**values)


@pytest.fixture
def updates() -> Updates:
    return Updates()


@pytest.fixture
async def channel(fake_api: FakeBotAPI, runtime: Runtime) -> AsyncIterator[TelegramChannel]:
    """An initialised channel (getMe done) that is fed updates with :func:`feed`."""
    telegram = TelegramChannel(config_for(fake_api), runtime.service)
    async with telegram.application:
        yield telegram


async def feed(channel: TelegramChannel, update: dict[str, Any]) -> None:
    """Process one update as the webhook route or the poller would hand it over."""
    app = channel.application
    await app.process_update(Update.de_json(update, app.bot))
