"""The editor on a 360 px phone: one step open at a time (the others folded to their first
line), save / preview / publish always on screen, a warning before leaving unsaved work.
Editing one step of vneid_login and publishing takes at most 3 screen heights of scrolling
(the distance scrolled is measured in the page and printed)."""

from __future__ import annotations

import json
import os

import pytest
from playwright.async_api import Browser, Page, expect

from tests.admin.conftest import Site
from tests.admin.test_browser import PHONE, browser, phone, sign_in  # noqa: F401
from tests.conftest import ROOT

pytestmark = pytest.mark.browser
SCREENSHOT = ROOT / "docs" / "console-phone-editor.png"
FLOW = "vneid_login"
COUNT_SCROLLING = """() => {
  window.scrolled = 0; let last = window.scrollY;
  addEventListener("scroll", () => { window.scrolled += Math.abs(window.scrollY - last);
                                     last = window.scrollY; });
}"""


async def _scrolled(page: Page) -> float:
    return float(await page.evaluate("window.scrolled || 0"))


async def test_one_step_edited_and_published_on_a_phone(browser: Browser, site: Site  # noqa: F811
                                                        ) -> None:
    page = await phone(browser)
    await sign_in(page, site, "editor", then=f"/admin/flows/{FLOW}")
    await page.evaluate(COUNT_SCROLLING)
    folds = page.locator("details.step-fold")
    assert await folds.count() > 10
    assert await page.locator("details.step-fold[open]").count() == 0  # all folded
    height = await page.evaluate("document.documentElement.scrollHeight")
    bar = page.locator(".actionbar")
    await expect(bar.get_by_role("button", name="Lưu bản nháp")).to_be_in_viewport()
    await expect(bar.get_by_role("link", name="Xem trước")).to_be_in_viewport()

    await folds.nth(2).locator("summary").click()  # Bước 3: the others fold
    assert await page.locator("details.step-fold[open]").count() == 1
    text = folds.nth(2).locator("textarea[name='steps-2-text']")
    await text.fill((await text.input_value()) + " Bác làm chậm thôi nhé.")
    await expect(bar.locator(".unsaved")).to_be_visible()
    dialogs: list[str] = []

    async def stay(dialog) -> None:  # type: ignore[no-untyped-def]
        dialogs.append(dialog.type)
        await dialog.dismiss()

    page.on("dialog", stay)
    await page.get_by_role("link", name="← Hướng dẫn").click()
    await expect(text).to_be_visible()  # still here, with the edit
    assert dialogs == ["beforeunload"]
    page.remove_listener("dialog", stay)
    if os.environ.get("UPDATE_SCREENSHOTS"):  # docs/console.md's picture of the phone editor
        # the layout viewport (mobile emulation keeps room for the browser's own bar)
        top, tall = await page.evaluate("[scrollY, innerHeight]")
        await page.screenshot(path=str(SCREENSHOT), full_page=True,
                              clip={"x": 0, "y": top, "width": PHONE["width"], "height": tall})

    await expect(bar.get_by_role("button", name="Lưu bản nháp")).to_be_in_viewport(ratio=1)
    first = await _scrolled(page)
    await bar.get_by_role("button", name="Lưu bản nháp").click()
    await expect(page.locator(".flash")).to_contain_text("Đã lưu bản nháp")
    await page.evaluate(COUNT_SCROLLING)
    publish = page.locator(".actionbar").get_by_role("button", name="Xuất bản")
    await expect(publish).to_be_in_viewport()
    await publish.click()
    await expect(page.locator(".flash")).to_contain_text("Đã xuất bản")
    total = first + await _scrolled(page)
    print(json.dumps({"phone_editor_scrolled_px": total, "screen_px": PHONE["height"],
                      "page_px": height}))
    assert total <= 3 * PHONE["height"]
    served = (await site.runtime.console.flows.detail(FLOW)).latest.document
    assert served["steps"][2]["text"].endswith("Bác làm chậm thôi nhé.")
