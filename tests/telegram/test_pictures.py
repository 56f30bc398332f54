"""Residents' pictures on Telegram: photos and images sent as files, downloaded through
PTB's real getFile and file download against the fake Bot API, read by real Tesseract."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from bot.app import Runtime
from bot.channels.telegram import TelegramChannel
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
from tests.telegram.conftest import feed
from tests.telegram.fake_api import FakeBotAPI
from tests.telegram.updates import Updates


def said(fake_api: FakeBotAPI) -> list[str]:
    return [str(c.params.get("text", "")) for c in fake_api.sent()]


@needs_tesseract
async def test_a_scam_sms_photo_gets_the_warning_first(
        channel: TelegramChannel, fake_api: FakeBotAPI, updates: Updates) -> None:
    fake_api.offer_file("scam", scam_sms())
    await feed(channel, updates.photo("scam", 60_000))
    answers = [t for t in said(fake_api) if not t.startswith("Cháu đang đọc ảnh")]
    assert answers[0].startswith("⚠️") and "vneid-gov.com" in answers[0]


@needs_tesseract
async def test_an_activation_screen_sent_as_a_file_opens_the_guide_at_that_step(
        channel: TelegramChannel, fake_api: FakeBotAPI, updates: Updates,
        runtime: Runtime) -> None:
    fake_api.offer_file("doc1", activation_screen())
    await feed(channel, updates.document("doc1", 40_000, "image/jpeg"))
    text = "\n".join(said(fake_api))
    assert "«Kích hoạt tài khoản định danh điện tử»" in text
    async with runtime.database.engine.connect() as conn:
        state = (await conn.execute(select(tables.residents.c.state))).scalar_one()
    assert (state["flow"], state["step"]) == ("vneid_activate", "open_activate")


@needs_tesseract
async def test_an_id_number_photo_leaves_no_raw_digits(
        channel: TelegramChannel, fake_api: FakeBotAPI, updates: Updates, runtime: Runtime,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    fake_api.offer_file("id", id_number_screen())
    await feed(channel, updates.photo("id", 80_000))
    assert said(fake_api) and ID_NUMBER not in "\n".join(said(fake_api))
    rows = await everything_stored(runtime.database.engine)
    assert "'picture': True" in rows
    assert ID_NUMBER[3:] not in rows and ID_NUMBER[3:] not in caplog.text


async def test_big_broken_and_non_image_files_get_a_clear_answer(
        channel: TelegramChannel, fake_api: FakeBotAPI, updates: Updates) -> None:
    await feed(channel, updates.photo("big", 6 * 1024 * 1024))  # never downloaded
    assert "quá 5 MB" in said(fake_api)[-1]
    assert not fake_api.made("getFile")
    fake_api.offer_file("big2", six_megabytes())  # a size Telegram did not announce
    await feed(channel, updates.document("big2", 0, "image/jpeg"))
    assert "quá 5 MB" in said(fake_api)[-1]
    fake_api.offer_file("text", not_an_image())
    await feed(channel, updates.document("text", 800, "image/png"))
    assert "JPEG, PNG hoặc WebP" in said(fake_api)[-1]
    await feed(channel, updates.document("pdf", 800, "application/pdf"))
    assert "chỉ đọc được chữ" in said(fake_api)[-1]  # not a picture: the engine's answer
    await feed(channel, updates.text("/start"))
    assert "Cháu chào bác" in said(fake_api)[-1]


@needs_tesseract
async def test_a_corrupt_jpeg_gets_a_clear_answer(
        channel: TelegramChannel, fake_api: FakeBotAPI, updates: Updates) -> None:
    fake_api.offer_file("broken", corrupt_jpeg())
    await feed(channel, updates.photo("broken", 20_000))
    assert "bị hỏng" in said(fake_api)[-1]
