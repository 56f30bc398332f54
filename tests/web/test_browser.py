"""The chat page in headless Chromium (Debian's), at a phone's screen size."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Page, async_playwright, expect

from bot.app import Runtime
from bot.channels.web.app import create_app
from bot.screenshots.ocr import tesseract_ready
from tests.screenshots.pictures import activation_screen, not_an_image
from tests.server import serving

pytestmark = pytest.mark.browser
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
HAVE_CHROMIUM = Path(CHROMIUM).exists()
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture
async def page(runtime: Runtime) -> AsyncIterator[tuple[Page, str]]:
    if not HAVE_CHROMIUM:
        pytest.fail("Chromium is missing: `make browser` installs Debian's chromium")
    async with serving(create_app(runtime.service, runtime.health)) as base, \
            async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        context = await browser.new_context(viewport={"width": 390, "height": 844},
                                            device_scale_factor=2, is_mobile=True,
                                            has_touch=True, locale="vi-VN")
        yield await context.new_page(), base
        await browser.close()


async def test_resident_walks_a_guide_by_tapping(page: tuple[Page, str], tmp_path: Path) -> None:
    tab, base = page
    await tab.goto(base + "/")
    await expect(tab.locator(".msg.bot").first).to_contain_text("Cháu chào bác")
    await tab.get_by_role("button", name="🪪 VNeID (định danh điện tử)").click()
    await tab.get_by_role("button", name="Cài VNeID, đăng ký mức 1").last.click()
    await expect(tab.locator(".msg.bot").last).to_contain_text("Bước 1/")
    await tab.get_by_role("button", name="✅ Xong").last.click()
    await expect(tab.locator(".msg.bot").last).to_contain_text("Bước 2/")
    # Old buttons are disabled, so a second tap cannot skip a step.
    assert await tab.locator(".buttons button:disabled").count() > 0
    await tab.screenshot(path=str(tmp_path / "chat.png"))
    # Buttons fit the phone's width and are big enough to tap.
    box = await tab.get_by_role("button", name="⬅️ Quay lại").last.bounding_box()
    assert box is not None and box["height"] >= 44 and box["x"] + box["width"] <= 390


async def test_typed_text_and_html_are_shown_as_text(page: tuple[Page, str]) -> None:
    tab, base = page
    await tab.goto(base + "/")
    await expect(tab.locator(".msg.bot").first).to_be_visible()
    await tab.fill("#text", "<img src=x onerror=alert(1)> cài vneid thế nào")
    await tab.press("#text", "Enter")
    await expect(tab.locator(".msg.me").last).to_contain_text("<img src=x")
    assert await tab.locator(".msg img").count() == 0
    await expect(tab.locator(".msg.bot").last).to_contain_text("Bước 1/")


async def test_deep_link_opens_the_guide(page: tuple[Page, str]) -> None:
    tab, base = page
    await tab.goto(base + "/?start=vneid_install")
    await expect(tab.locator(".msg.bot").last).to_contain_text("Bước 1/")


async def test_a_screenshot_sent_with_the_attach_button_is_answered(
        page: tuple[Page, str], tmp_path: Path) -> None:
    if not tesseract_ready():
        pytest.skip("tesseract-ocr-vie is not installed (make ocr)")
    tab, base = page
    await tab.goto(base + "/")
    await expect(tab.locator(".msg.bot").first).to_contain_text("Cháu chào bác")
    picture = tmp_path / "man-hinh.jpg"
    picture.write_bytes(activation_screen())
    await tab.set_input_files("#picture", str(picture))
    await expect(tab.locator(".msg.me").last).to_contain_text("Ảnh màn hình")
    await expect(tab.locator(".msg.bot").filter(has_text="Cháu thấy trong ảnh")).to_contain_text(
        "Kích hoạt tài khoản định danh điện tử", timeout=30000)
    notes = tmp_path / "ghi-chu.txt"
    notes.write_bytes(not_an_image())
    await tab.set_input_files("#picture", str(notes))
    await expect(tab.locator(".msg.bot").last).to_contain_text("JPEG, PNG hoặc WebP")
