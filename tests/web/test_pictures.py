"""``POST /api/chat/image`` end to end: a real server, real SQLite, the real flows, real
Tesseract."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from bot.app import Runtime
from bot.channels.web.app import create_app
from tests.screenshots.pictures import (
    ID_NUMBER,
    LONG_DIGITS,
    activation_screen,
    corrupt_jpeg,
    everything_stored,
    id_number_screen,
    needs_tesseract,
    not_an_image,
    scam_sms,
    six_megabytes,
)


@pytest.fixture
async def client(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    from tests.server import serving

    app = create_app(runtime.service, runtime.health, screens=runtime.screens)
    async with serving(app) as base, httpx.AsyncClient(base_url=base, timeout=30) as http:
        yield http


async def send(client: httpx.AsyncClient, data: bytes, name: str = "man-hinh.jpg",
               user: str = "r1", kind: str = "image/jpeg") -> httpx.Response:
    return await client.post("/api/chat/image", data={"user": user},
                             files={"file": (name, data, kind)})


def texts(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    messages: list[dict[str, Any]] = response.json()["messages"]
    return [m["text"] for m in messages]


@needs_tesseract
async def test_a_scam_sms_screenshot_gets_the_warning_first(client: httpx.AsyncClient) -> None:
    said = texts(await send(client, scam_sms()))
    assert said[0].startswith("⚠️") and "vneid-gov.com" in said[0]
    assert "Cháu thấy trong ảnh có dòng «" in said[0]


@needs_tesseract
async def test_the_activation_screen_opens_the_guide_at_that_step(
        client: httpx.AsyncClient) -> None:
    response = await send(client, activation_screen(), name="a.png", kind="image/png")
    assert response.json()["guide"] == {"id": "vneid_activate", "step": "open_activate"}
    assert "Kích hoạt tài khoản định danh điện tử" in texts(response)[0]


@needs_tesseract
async def test_an_id_number_on_a_picture_is_nowhere_raw(client: httpx.AsyncClient,
                                                        runtime: Runtime,
                                                        caplog: pytest.LogCaptureFixture
                                                        ) -> None:
    caplog.set_level(logging.DEBUG)
    picture = id_number_screen()
    assert ID_NUMBER in (await runtime.screens.read(picture)).text  # it is on the picture
    said = texts(await send(client, picture))
    assert said and not LONG_DIGITS.search(" ".join(said))
    everything = await everything_stored(runtime.database.engine)
    assert "'picture': True" in everything  # the turn was stored: that a picture was read
    assert ID_NUMBER[3:] not in everything and ID_NUMBER[3:] not in caplog.text


async def test_files_that_are_not_pictures_get_a_clear_answer(client: httpx.AsyncClient
                                                              ) -> None:
    big = await send(client, six_megabytes())
    assert big.status_code == 413 and "5 MB" in big.json()["error"]
    text = await send(client, not_an_image(), name="ghi-chu.txt", kind="text/plain")
    assert text.status_code == 415 and "JPEG, PNG hoặc WebP" in text.json()["error"]
    missing = await client.post("/api/chat/image", files={"user": (None, "r1")})
    assert missing.status_code == 400 and "chưa nhận được ảnh" in missing.json()["error"]
    no_user = await client.post("/api/chat/image",
                                files={"file": ("a.jpg", activation_screen(), "image/jpeg")})
    assert no_user.status_code == 400
    as_json = await client.post("/api/chat/image", json={"user": "r1"})
    assert as_json.status_code == 415
    # Nothing else broke: the same resident's text turn is answered.
    answer = await client.post("/api/chat", json={"user": "r1", "text": "/start"})
    assert answer.status_code == 200 and answer.json()["messages"]


@needs_tesseract
async def test_a_corrupt_jpeg_gets_a_clear_answer(client: httpx.AsyncClient) -> None:
    broken = await send(client, corrupt_jpeg())
    assert broken.status_code == 422 and "bị hỏng" in broken.json()["error"]
