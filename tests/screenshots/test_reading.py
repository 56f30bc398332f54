"""The reader on its own: what each broken file is called, and real text out of a real
screenshot (Tesseract ``vie`` from Debian)."""

from __future__ import annotations

import pytest

from bot.screenshots import Problem, ScreenReader
from bot.screenshots.reader import READING
from bot.text import fold
from tests.screenshots.pictures import (
    ID_NUMBER,
    activation_screen,
    blank_screen,
    corrupt_jpeg,
    id_number_screen,
    needs_tesseract,
    not_an_image,
    six_megabytes,
)


async def test_files_that_are_not_readable_pictures_are_named() -> None:
    reader = ScreenReader()
    assert (await reader.read(six_megabytes())).problem is Problem.too_big
    assert (await reader.read(not_an_image())).problem is Problem.not_image
    if reader.ready():
        assert (await reader.read(corrupt_jpeg())).problem is Problem.corrupt
    assert (await ScreenReader(enabled=False).read(activation_screen())).problem is Problem.off


@needs_tesseract
async def test_a_dark_mode_screenshot_is_read_including_its_button() -> None:
    read = await ScreenReader().read(activation_screen())
    assert read.problem is None
    assert "kich hoat tai khoan dinh danh dien tu" in fold(read.text)


@needs_tesseract
async def test_digits_are_read_as_they_are_shown() -> None:
    """The privacy tests mean something only if the number is really read."""
    read = await ScreenReader().read(id_number_screen())
    assert ID_NUMBER in read.text.replace(" ", "")


@needs_tesseract
async def test_an_empty_picture_gives_no_text() -> None:
    read = await ScreenReader().read(blank_screen())
    assert read.problem is None and read.text == ""


@needs_tesseract
async def test_a_slow_reading_tells_the_resident_once() -> None:
    told: list[str] = []

    async def slow() -> None:
        told.append(READING)

    reader = ScreenReader(slow_after=0.0)
    await reader.read(activation_screen(), on_slow=slow)
    assert told == [READING]


@needs_tesseract
async def test_a_picture_over_the_time_limit_is_answered() -> None:
    read = await ScreenReader(timeout=0.01).read(id_number_screen())
    assert read.problem is Problem.timeout


async def test_a_server_without_tesseract_says_so_but_still_names_broken_files(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("bot.screenshots.reader.tesseract_ready", lambda: False)
    reader = ScreenReader()
    missing = await reader.read(activation_screen())
    assert missing.problem is Problem.unavailable
    assert missing.answer is not None and "chưa cài phần đọc ảnh" in missing.answer
    assert (await reader.read(not_an_image())).problem is Problem.not_image
