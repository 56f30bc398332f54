"""Getting replies out: Telegram's flood limits, blocked residents, long texts, step photos."""

from __future__ import annotations

import html
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.app import Runtime, build_runtime
from bot.channels.telegram import TelegramChannel
from bot.channels.telegram.markup import units
from bot.channels.telegram.photos import PhotoCache
from bot.channels.telegram.render import Renderer
from bot.engine.messages import Button, Reply
from bot.storage.tables import residents
from tests.conftest import FLOWS, settings_for, sqlite_url
from tests.telegram.conftest import config_for, feed
from tests.telegram.fake_api import FakeBotAPI
from tests.telegram.updates import NEIGHBOUR, RESIDENT, Updates


async def test_a_429_is_waited_out_and_the_message_still_arrives(
    channel: TelegramChannel, fake_api: FakeBotAPI, updates: Updates
) -> None:
    fake_api.fail("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    await feed(channel, updates.text("/start"))
    attempts = fake_api.made("sendMessage", ok_only=False)
    assert [a.failed for a in attempts] == [True, False]
    assert "Cháu chào bác" in attempts[1].params["text"]


async def active(runtime: Runtime) -> list[bool]:
    async with runtime.database.engine.connect() as conn:
        rows = await conn.execute(
            select(residents.c.active).where(
                residents.c.channel == "telegram",
                residents.c.external_id == str(RESIDENT["id"]),
            )
        )
        return [bool(row.active) for row in rows]


async def test_a_resident_who_blocked_the_bot_is_marked_inactive(
    channel: TelegramChannel, fake_api: FakeBotAPI, updates: Updates, runtime: Runtime
) -> None:
    await feed(channel, updates.text("/start"))
    assert await active(runtime) == [True]
    fake_api.fail("sendMessage", 403, "Forbidden: bot was blocked by the user")
    await feed(channel, updates.text("menu"))
    assert await active(runtime) == [False]
    assert len(fake_api.made("sendMessage", ok_only=False)) == 2  # no apology to nobody
    await feed(channel, updates.text("menu"))  # unblocked and wrote again
    assert await active(runtime) == [True]


async def test_telegrams_block_notice_marks_the_resident_before_any_send_fails(
    channel: TelegramChannel, fake_api: FakeBotAPI, updates: Updates, runtime: Runtime
) -> None:
    await feed(channel, updates.text("/start"))
    await feed(channel, updates.membership("kicked"))
    assert await active(runtime) == [False]
    await feed(channel, updates.membership("member"))
    assert await active(runtime) == [True]
    assert len(fake_api.sent()) == 1  # membership changes get no reply


async def test_a_long_text_is_split_and_the_buttons_stay_under_the_last_piece(
    channel: TelegramChannel, fake_api: FakeBotAPI
) -> None:
    paragraph = "Bác đọc kỹ từng dòng **quan trọng** nhé <ok> & 📱 " * 9
    text = "\n".join([paragraph] * 20)
    assert units(text) > 2 * 4096
    reply = Reply(text, buttons=(Button("✅ Xong", "n:vneid_install.prepare"),))
    renderer = Renderer(PhotoCache(FLOWS / "images"))
    await renderer.send(channel.application.bot, RESIDENT["id"], [reply])
    pieces = fake_api.sent()
    assert len(pieces) == 3
    assert [("reply_markup" in p.params) for p in pieces] == [False, False, True]
    shown = "\n".join(p.result["text"] for p in pieces)
    assert shown == html.unescape(text.replace("**", ""))


@pytest.fixture
async def runtime_with_photo(tmp_path: Path) -> AsyncIterator[Runtime]:
    """The real VNeID guide, with a photo on its Android step."""
    flows = tmp_path / "flows"
    (flows / "images" / "vneid").mkdir(parents=True)
    (flows / "images" / "vneid" / "chplay.png").write_bytes(b"\x89PNG\r\n\x1a\nfake image")
    for other in FLOWS.glob("*.yml"):  # a flow whose related guides are missing is not served
        (flows / other.name).write_text(other.read_text(encoding="utf-8"), encoding="utf-8")
    guide = (FLOWS / "vneid_install.yml").read_text(encoding="utf-8")
    marker = "  - id: android_store\n"
    assert marker in guide
    guide = guide.replace(marker, marker + "    image: vneid/chplay.png\n")
    (flows / "vneid_install.yml").write_text(guide, encoding="utf-8")
    async with build_runtime(settings_for(sqlite_url(tmp_path), flows_dir=flows)) as rt:
        yield rt


async def walk_to_photo(
    channel: TelegramChannel, fake_api: FakeBotAPI, updates: Updates, user: dict[str, Any]
) -> None:
    """Open the guide and press "Android", else "Xong", until the step photo comes."""
    await feed(channel, updates.text("/start vneid_install", user=user))
    for _ in range(20):
        last = fake_api.sent()[-1]
        if last.method == "sendPhoto":
            return
        buttons = {
            b["text"]: b["callback_data"]
            for row in last.params["reply_markup"]["inline_keyboard"]
            for b in row
        }
        label = next((b for b in buttons if b.startswith("Android")), "✅ Xong")
        await feed(channel, updates.button(buttons[label], last.result, user=user))
    raise AssertionError("never reached the Android step")


async def test_a_step_photo_is_uploaded_once_then_sent_by_file_id(
    fake_api: FakeBotAPI, runtime_with_photo: Runtime, updates: Updates, tmp_path: Path
) -> None:
    config = config_for(fake_api, images_dir=tmp_path / "flows" / "images")
    channel = TelegramChannel(config, runtime_with_photo.service)
    async with channel.application:
        await walk_to_photo(channel, fake_api, updates, RESIDENT)
        await walk_to_photo(channel, fake_api, updates, NEIGHBOUR)
    first, second = fake_api.made("sendPhoto")
    assert first.params["chat_id"] == str(RESIDENT["id"])
    assert second.params["chat_id"] == str(NEIGHBOUR["id"])
    assert first.files["photo"].startswith(b"\x89PNG")
    assert "photo" not in second.files
    assert second.params["photo"] == first.result["photo"][-1]["file_id"]
    assert "CH Play" in first.params["caption"]
    assert "reply_markup" in first.params
