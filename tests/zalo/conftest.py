"""Fixtures: the fake Zalo API on loopback, and the bot (runtime + web server + Zalo channel)
on a real database, restartable on the same database and the same fake."""

from __future__ import annotations

import datetime as dt
import shutil
import struct
import zlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.app import Runtime, build_runtime, zalo_channel
from bot.channels.web.app import create_app
from bot.channels.zalo import ZaloChannel
from bot.clock import ManualClock
from tests.conftest import FLOWS, settings_for
from tests.server import serving
from tests.zalo.fake_zalo import (
    APP_ID,
    APP_SECRET,
    FIRST_REFRESH,
    OA_SECRET,
    FakeZalo,
    Sent,
    ZaloWebhookClient,
)

LONG_TEXT = "\n".join(f"Dòng {n}: " + "bác làm theo từng bước nhỏ nhé. " * 5 for n in range(18))
TEST_FLOW = f"""
id: zalo_test
title: Hướng dẫn thử cho Zalo
summary: Một hướng dẫn để thử kênh Zalo.
menu_group: other
keywords: [thu zalo]
steps:
  - id: picture
    text: Bác nhìn ảnh này nhé.
    image: test/step.png
  - id: long
    text: |
{chr(10).join("      " + line for line in LONG_TEXT.splitlines())}
  - id: done
    text: Xong rồi ạ.
    end: completed
"""


def png(width: int = 4, height: int = 4) -> bytes:
    raw = b"".join(b"\x00" + b"\x80\x20\x20" * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw))
            + chunk(b"IEND", b""))


@pytest.fixture
def flows_dir(tmp_path: Path) -> Path:
    """The real guides plus one with a step image and a 3,000-character step."""
    folder = tmp_path / "flows"
    folder.mkdir()
    for path in FLOWS.glob("*.yml"):
        shutil.copy(path, folder / path.name)
    (folder / "zalo_test.yml").write_text(TEST_FLOW, encoding="utf-8")
    (folder / "communes").mkdir()
    (folder / "communes" / "yen_binh.yml").write_text(
        "commune: xã Yên Bình\nteam_name: Tổ công nghệ số xã Yên Bình\nteam_phone: 0900 000 000\n",
        encoding="utf-8")
    (folder / "images" / "test").mkdir(parents=True)
    (folder / "images" / "test" / "step.png").write_bytes(png())
    return folder



@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(dt.datetime.now(dt.UTC).replace(microsecond=0))


@pytest.fixture
async def fake(clock: ManualClock) -> AsyncIterator[FakeZalo]:
    zalo = FakeZalo(clock)
    async with serving(zalo.app) as base:
        zalo.base_url = base
        yield zalo


@dataclass
class Bot:
    runtime: Runtime
    channel: ZaloChannel
    fake: FakeZalo
    clock: ManualClock
    webhook: ZaloWebhookClient

    async def settle(self) -> None:
        """Process every stored event and send every sendable message (no workers needed)."""
        while (await self.runtime.inbox.drain("zalo")
               + await self.runtime.outbox.drain("zalo")):
            pass

    async def say(self, user: str, text: str) -> list[Sent]:
        """The resident writes (or presses a button: the payload arrives as text)."""
        before = len(self.fake.sent_to(user))
        response = await self.webhook.text(user, text)
        assert response.status_code == 200, response.text
        await self.settle()
        return self.fake.sent_to(user)[before:]

    async def event(self, event: dict[str, Any]) -> list[Sent]:
        user = (event.get("sender") or event.get("follower"))["id"]
        before = len(self.fake.sent_to(user))
        response = await self.webhook.post(event)
        assert response.status_code == 200, response.text
        await self.settle()
        return self.fake.sent_to(user)[before:]


@asynccontextmanager
async def open_bot(database_url: str, flows: Path, fake: FakeZalo, clock: ManualClock, *,
                   workers: bool = False, refresh_token: str | None = FIRST_REFRESH
                   ) -> AsyncIterator[Bot]:
    settings = settings_for(database_url, flows_dir=flows, communes_dir=flows / "communes",
                            zalo_app_id=APP_ID,
                            zalo_app_secret=APP_SECRET, zalo_oa_secret=OA_SECRET,
                            zalo_refresh_token=refresh_token, zalo_api_url=fake.base_url,
                            zalo_oauth_url=fake.base_url)
    async with build_runtime(settings, clock=clock, poll=0.05) as runtime:
        channel = zalo_channel(runtime, per_second=1000.0)
        assert channel is not None

        async def health() -> dict[str, Any]:
            return {**await runtime.health(), "zalo": channel.status}

        app = create_app(runtime.service, health, extra_routes=channel.routes)
        async with serving(app) as base:
            await channel.start()
            try:
                async with runtime.workers() if workers else nullcontext():
                    yield Bot(runtime, channel, fake, clock,
                              ZaloWebhookClient(base + "/zalo/webhook", fake, clock))
            finally:
                await channel.stop()


@pytest.fixture
async def bot(database_url: str, flows_dir: Path, fake: FakeZalo,
              clock: ManualClock) -> AsyncIterator[Bot]:
    async with open_bot(database_url, flows_dir, fake, clock) as opened:
        yield opened


def payload(sent: list[Sent], label_start: str) -> str:
    for message in sent:
        for button in message.buttons:
            if button["title"].startswith(label_start):
                return str(button["payload"])
    raise AssertionError(f"no button {label_start!r} in {[m.message for m in sent]}")
