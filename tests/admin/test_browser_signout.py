"""A shared commune computer: after sign-out, Back in the browser reaches the sign-in page,
never the audit log or a report kept in the browser's cache (headless Chromium)."""

from __future__ import annotations

from playwright.async_api import Browser, expect

from tests.admin.conftest import Site
from tests.admin.test_browser import browser, phone, sign_in  # noqa: F401  (the fixture)

pytestmark = __import__("pytest").mark.browser


async def test_back_after_sign_out_shows_the_sign_in_page(site: Site, browser: Browser  # noqa: F811
                                                          ) -> None:
    page = await phone(browser)
    await sign_in(page, site, "admin", then="/admin/audit")
    await expect(page.get_by_role("heading", name="Nhật ký thay đổi")).to_be_visible()
    await expect(page.locator("table.audit")).to_contain_text("signin.ok")
    await page.goto(site.base + "/admin/accounts")
    await expect(page.locator("body")).to_contain_text("yb_editor")
    await page.get_by_role("button", name="Đăng xuất (admin)").click()
    await expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()
    for _ in range(2):  # back to the accounts page, then to the audit log
        await page.go_back()
        await expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()
        await expect(page.locator("body")).not_to_contain_text("signin.ok")
        await expect(page.locator("body")).not_to_contain_text("yb_editor")
