"""Headless Chromium at a phone's size (360 px): an editor writes an announcement, previews
it, confirms the count and sends it; the resident's open chat page shows it; the editor's page
shows the figures."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, async_playwright, expect

from bot.admin.app import console_mount
from bot.app import Runtime, build_runtime
from bot.channels.web.app import create_app
from bot.clock import ManualClock
from tests.accounts.conftest import CHEAP
from tests.announcements.conftest import MORNING, PASSWORD
from tests.conftest import EXAMPLE_COMMUNES, settings_for, sqlite_url
from tests.server import serving
from tests.web.test_browser import CHROMIUM, FLAGS, HAVE_CHROMIUM

pytestmark = pytest.mark.browser
PHONE = {"width": 360, "height": 780}
NEWS = "Thứ Bảy này công an xã làm định danh mức 2 tại nhà văn hóa thôn Đông."


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[tuple[Runtime, str]]:
    settings = settings_for(sqlite_url(tmp_path), communes_dir=EXAMPLE_COMMUNES)
    async with build_runtime(settings, clock=ManualClock(MORNING), poll=0.05) as runtime:
        runtime.console.accounts.passwords = CHEAP
        await runtime.console.accounts.create_user("yb_editor", "editor", commune="yen_binh",
                                                   password=PASSWORD)
        app = create_app(runtime.service, runtime.health, mailbox=runtime.mailbox,
                         extra_routes=[console_mount(runtime.console, runtime.served)])
        async with serving(app) as base:
            yield runtime, base


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    if not HAVE_CHROMIUM:
        pytest.fail("Chromium is missing: `make browser` installs Debian's chromium")
    async with async_playwright() as pw:
        chromium = await pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chromium
        await chromium.close()


async def phone(browser: Browser) -> Page:
    context = await browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True,
                                        has_touch=True, locale="vi-VN")
    return await context.new_page()


async def fits(page: Page) -> bool:
    width: int = await page.evaluate("document.documentElement.scrollWidth")
    return width <= PHONE["width"]


async def test_an_editor_sends_and_the_residents_page_shows_it(
        served: tuple[Runtime, str], browser: Browser, tmp_path: Path) -> None:
    runtime, base = served
    resident = await phone(browser)
    await resident.goto(base + "/?start=vneid_install-yen_binh")
    await expect(resident.locator(".msg.bot").last).to_contain_text("Bước 1/")
    await resident.fill("#text", "nhận tin của tổ")
    await resident.press("#text", "Enter")
    await expect(resident.locator(".msg.bot").last).to_contain_text("dừng nhận tin")

    editor = await phone(browser)
    await editor.goto(base + "/admin/announcements")
    await editor.get_by_label("Tên đăng nhập").fill("yb_editor")
    await editor.get_by_label("Mật khẩu").fill(PASSWORD)
    await editor.get_by_role("button", name="Đăng nhập").click()
    await expect(editor.get_by_role("heading", name="Thông báo cho người dân")).to_be_visible()
    await editor.locator("textarea[name='text']").fill(NEWS + " Hỏi thêm: {team_contact}.")
    await editor.locator("select[name='flow_id']").select_option("vneid_level2")
    await editor.get_by_role("button", name="Lưu và xem trước").click()
    await expect(editor.locator("#reach")).to_contain_text("Sẽ đến 1 người dân")
    await expect(editor.locator("#preview .bubble")).to_contain_text(NEWS)
    assert await fits(editor)
    await editor.screenshot(path=str(tmp_path / "preview.png"), full_page=True)
    await editor.get_by_role("button", name="Gửi…").click()
    await expect(editor.locator("#confirm")).to_contain_text("cho 1 người dân?")
    await editor.get_by_role("button", name="Xác nhận gửi cho 1 người").click()
    await expect(editor.locator("h1")).to_contain_text(re.compile("đã hẹn giờ|đang gửi|đã gửi"))

    assert runtime.announcements is not None
    assert await runtime.announcements.dispatch() == 1  # the job's work, at the clock's time
    news = resident.locator(".msg.bot", has_text=NEWS)
    await expect(news).to_be_visible(timeout=30_000)
    await expect(resident.get_by_role("button", name="📖 Xem hướng dẫn").last).to_be_visible()
    assert await fits(resident)

    await editor.reload()
    figures = editor.locator("#figures")
    await expect(figures).to_contain_text("Đã gửi")
    await expect(figures.locator("tr", has_text="Đã gửi")).to_contain_text("1")
    await expect(figures.locator("tr", has_text="Nhắm tới")).to_contain_text("1")
    assert await fits(editor)
