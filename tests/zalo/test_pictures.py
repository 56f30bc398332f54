"""Residents' pictures on Zalo (``user_send_image``): the picture downloaded from the URL in
the event (served by the fake Zalo), read by real Tesseract, answered through the outbox."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from sqlalchemy import select

from bot.storage import tables
from tests.screenshots.pictures import (
    ID_NUMBER,
    activation_screen,
    corrupt_jpeg,
    everything_stored,
    id_number_screen,
    needs_tesseract,
    not_an_image,
    scam_sms,
    six_megabytes,
)
from tests.zalo.conftest import Bot
from tests.zalo.fake_zalo import Sent

USER = "8000111"


def image_event(bot: Bot, name: str, data: bytes) -> dict[str, Any]:
    url = bot.fake.picture_url(name, data)
    return bot.webhook.event("user_send_image", USER, text="", attachments=[
        {"type": "image", "payload": {"thumbnail": url, "url": url}}])


def words(sent: list[Sent]) -> list[str]:
    return [str(s.message) for s in sent if "Cháu đang đọc ảnh" not in str(s.message)]


@needs_tesseract
async def test_a_scam_sms_picture_gets_the_warning_first(bot: Bot) -> None:
    sent = words(await bot.event(image_event(bot, "scam.jpg", scam_sms())))
    assert "⚠️" in sent[0] and "vneid-gov.com" in sent[0]


@needs_tesseract
async def test_an_activation_screen_opens_the_guide_at_that_step(bot: Bot) -> None:
    sent = words(await bot.event(image_event(bot, "a.jpg", activation_screen())))
    assert "«Kích hoạt tài khoản định danh điện tử»" in sent[0]
    async with bot.runtime.database.engine.connect() as conn:
        state = (await conn.execute(select(tables.residents.c.state))).scalar_one()
    assert (state["flow"], state["step"]) == ("vneid_activate", "open_activate")


@needs_tesseract
async def test_an_id_number_picture_leaves_no_raw_digits_and_no_picture_address(
        bot: Bot, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    sent = words(await bot.event(image_event(bot, "id.jpg", id_number_screen())))
    assert sent and ID_NUMBER not in " ".join(sent)
    rows = await everything_stored(bot.runtime.database.engine)
    assert "'picture': True" in rows
    assert ID_NUMBER[3:] not in rows and ID_NUMBER[3:] not in caplog.text
    assert "/files/id.jpg" not in rows  # the kept event has no way to fetch it again


async def test_big_broken_missing_and_non_image_pictures_get_a_clear_answer(bot: Bot
                                                                            ) -> None:
    assert "quá 5 MB" in words(await bot.event(image_event(bot, "big.jpg",
                                                           six_megabytes())))[0]
    assert "JPEG, PNG hoặc WebP" in words(await bot.event(
        image_event(bot, "t.jpg", not_an_image())))[0]
    gone = bot.webhook.event("user_send_image", USER, text="", attachments=[
        {"type": "image", "payload": {"url": bot.fake.base_url + "/files/none.jpg"}}])
    assert "chưa tải được ảnh" in words(await bot.event(gone))[0]
    assert "Cháu chào bác" in " ".join(words(await bot.say(USER, "/start")))


@needs_tesseract
async def test_a_corrupt_jpeg_gets_a_clear_answer(bot: Bot) -> None:
    assert "bị hỏng" in words(await bot.event(image_event(bot, "c.jpg", corrupt_jpeg())))[0]
