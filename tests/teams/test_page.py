"""The chat page receives a team member's answers by itself (``/api/chat/updates``), in
headless Chromium, against the real server; a page closed meanwhile gets them when reopened."""

from __future__ import annotations

import pytest
from playwright.async_api import async_playwright, expect

from bot.clock import ManualClock
from tests.teams.conftest import GROUP, MINH, MORNING, scene, shown
from tests.telegram.fake_api import FakeBotAPI
from tests.web.test_browser import CHROMIUM, FLAGS, HAVE_CHROMIUM

pytestmark = pytest.mark.browser


async def test_the_page_shows_the_teams_answers_as_they_come(
    tmp_path: object, fake_api: FakeBotAPI
) -> None:
    if not HAVE_CHROMIUM:
        pytest.fail("Chromium is missing: `make browser` installs Debian's chromium")
    database_url = f"sqlite+aiosqlite:///{tmp_path}/page.db"
    async with scene(database_url, fake_api, ManualClock(MORNING)) as s, \
            async_playwright() as pw:
        await s.link_group()
        await s.join(MINH)
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        context = await browser.new_context(viewport={"width": 360, "height": 740},
                                            is_mobile=True, has_touch=True, locale="vi-VN")
        page = await context.new_page()
        problems: list[str] = []
        page.on("pageerror", lambda error: problems.append(str(error)))
        base = str(s.http.base_url).rstrip("/")
        await page.goto(base + "/?start=vneid_install-yen_binh")
        bot = page.locator(".msg.bot")
        await expect(bot.last).to_contain_text("Bước 1/")
        await page.get_by_role("button", name="🆘 Tôi bị kẹt").last.click()
        await expect(bot.last).to_contain_text("đang chuyển câu hỏi")

        await s.drain()  # the group post is delivered: the page hears of it by itself
        await expect(bot.last).to_contain_text("đã đến Tổ công nghệ số xã Yên Bình")
        await s.press(MINH, s.last_to(GROUP), "🙋")
        await expect(bot.last).to_contain_text("Minh ở Tổ công nghệ số xã Yên Bình đã nhận")
        await s.say(MINH, "Bác bấm nút Cài đặt màu xanh nhé")
        await expect(bot.last).to_contain_text("👤 Minh: Bác bấm nút Cài đặt màu xanh nhé")
        await page.fill("#text", "bác bấm rồi")
        await page.press("#text", "Enter")
        await expect(page.locator(".msg.me").last).to_contain_text("bác bấm rồi")
        for _ in range(100):
            await s.drain()
            if "bác bấm rồi" in shown(s.last_to(MINH)):
                break
            await page.wait_for_timeout(50)
        assert "bác bấm rồi" in shown(s.last_to(MINH))

        await page.goto("about:blank")  # the resident closes the page
        await s.say(MINH, "Bác mở lại trang là thấy tin của cháu")
        await page.goto(base + "/")
        await expect(bot.last).to_contain_text("Bác mở lại trang là thấy tin của cháu")
        await page.reload()
        texts = await page.locator(".msg.bot").all_inner_texts()
        assert sum("Bác mở lại trang" in t for t in texts) == 1  # shown once, kept in history
        await s.drain()
        assert "/start" not in shown(s.last_to(MINH))  # a reloaded page's /start stays here
        await browser.close()
        assert problems == []
