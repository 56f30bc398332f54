"""The console in headless Chromium at a phone's size: the newcomer's path from the CLI to a
resident seeing the new text, proposals, a stale save, rollback, and a resident mid-guide when
a step is removed."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, async_playwright, expect

from tests.admin.conftest import PASSWORD, Site
from tests.conftest import ROOT
from tests.flows.helpers import EDITOR, step
from tests.web.test_browser import CHROMIUM, FLAGS, HAVE_CHROMIUM

pytestmark = pytest.mark.browser
PHONE = {"width": 360, "height": 780}
SCREENSHOT = ROOT / "docs" / "console-editor.png"
FLOW = "vneid_install"


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


async def sign_in(page: Page, site: Site, login: str, password: str = PASSWORD,
                  then: str = "/admin") -> None:
    await page.goto(site.base + then)
    await expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()
    await page.get_by_label("Tên đăng nhập").fill(login)
    await page.get_by_label("Mật khẩu").fill(password)
    await page.get_by_role("button", name="Đăng nhập").click()
    await expect(page.get_by_role("button", name=re.compile("Đăng xuất"))).to_be_visible()


async def resident_chat(browser: Browser, site: Site) -> Page:
    page = await phone(browser)
    await page.goto(site.base + f"/?start={FLOW}")
    await expect(page.locator(".msg.bot").last).to_contain_text("Bước 1/")
    return page


def fits(box: dict[str, float] | None) -> bool:
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]


async def test_newcomer_edits_previews_publishes_and_residents_see_it(
        site: Site, browser: Browser, tmp_path: Path) -> None:
    command = [sys.executable, "-m", "bot", "admin", "create-user", "newcomer", "--role",
               "admin", "--password-stdin"]
    created = await asyncio.to_thread(
        subprocess.run, command, input="một mật khẩu dài thật đấy\n", text=True,
        capture_output=True,
        cwd=ROOT, env={**os.environ, "DATABASE_URL": site.runtime.settings.database_url},
        check=True)
    assert "created newcomer (admin)" in created.stdout
    page = await phone(browser)
    await sign_in(page, site, "newcomer", "một mật khẩu dài thật đấy", then="/admin/flows")
    await page.get_by_role("link", name="Cài ứng dụng VNeID").first.click()
    new_text = "Bác mở kho ứng dụng CH Play (hình tam giác nhiều màu) trên màn hình chính ạ."
    await page.locator("details.step-fold > summary").first.click()  # one step at a time
    text = page.locator("textarea[name='steps-0-text']")
    await text.fill(new_text)
    assert fits(await text.bounding_box())
    # A dangling target: the error appears next to the field, with `flows validate`'s words.
    await page.locator("input[name='steps-0-next']").fill("buoc_khong_co")
    error = page.locator("#err-steps-0-next")
    await expect(error).to_contain_text("Bước 1 (")
    await expect(error).to_contain_text("không có bước `buoc_khong_co` trong hướng dẫn này")
    await expect(page.locator("#errors-summary")).to_contain_text("1 lỗi")
    if os.environ.get("UPDATE_SCREENSHOTS"):  # the README's picture of the editor
        SCREENSHOT.parent.mkdir(exist_ok=True)
        await page.locator("#step-prepare").screenshot(path=str(SCREENSHOT))
    await page.locator("input[name='steps-0-next']").fill("choose_phone")
    await expect(error).to_be_empty()
    await expect(page.locator("#errors-summary")).to_contain_text("Hợp lệ")
    await page.get_by_label("Ghi chú cho lần sửa này").fill("CH Play nằm ở màn hình chính")
    await page.screenshot(path=str(tmp_path / "editor.png"))
    await page.get_by_role("button", name="Lưu bản nháp", exact=True).click()
    await expect(page.locator(".flash")).to_contain_text("Đã lưu bản nháp v2")
    draft = (await site.runtime.console.flows.detail(FLOW)).latest.document
    published = (await site.runtime.console.flows.version(FLOW, 1)).document
    assert draft["steps"][1:] == published["steps"][1:]  # the form changed nothing else
    resident = await resident_chat(browser, site)  # a draft is not served
    await expect(resident.locator(".msg.bot").last).not_to_contain_text(new_text)
    # Preview: the real engine, on the draft.
    await page.get_by_role("button", name="Bắt đầu lại").click()
    await expect(page.locator("#chat .msg.bot").first).to_contain_text(new_text)
    await page.locator("#chat").get_by_role("button", name="✅ Xong").click()
    await expect(page.locator("#chat .msg.bot").last).to_contain_text("Bước 2/")
    await page.get_by_role("button", name="Xuất bản v2").click()
    await expect(page.locator(".flash")).to_contain_text("Đã xuất bản v2")
    await site.runtime.live.refresh()  # what the reload task does within a second
    await resident.goto(site.base + f"/?start={FLOW}")
    await expect(resident.locator(".msg.bot").last).to_contain_text(new_text)


async def test_a_team_members_proposal_is_accepted_by_an_editor(site: Site,
                                                                browser: Browser) -> None:
    member = await phone(browser)
    await sign_in(member, site, "member", then=f"/admin/flows/{FLOW}")
    assert await member.locator("form#editor").count() == 0  # read-only for team members
    await member.get_by_role("link", name="Đề xuất sửa bước này").first.click()
    await member.get_by_label("Lý do").select_option("screen_changed")
    proposed = "Bác tìm biểu tượng CH Play mới (màu xanh) ạ."
    await member.get_by_label("Nội dung mới đề xuất").fill(proposed)
    await member.get_by_role("button", name="Gửi đề xuất").click()
    await expect(member.locator(".flash")).to_contain_text("Đã gửi đề xuất")
    await expect(member.get_by_text("đang chờ")).to_be_visible()

    editor = await phone(browser)
    await sign_in(editor, site, "editor", then="/admin/proposals")
    card = editor.locator(".proposal").first
    await expect(card).to_contain_text("Màn hình đã khác")
    await card.get_by_label("Trả lời người đề xuất").fill("Cảm ơn anh/chị, đã sửa!")
    await card.get_by_role("button", name="Nhận vào bản nháp").click()
    await expect(editor.locator(".flash")).to_contain_text("Đã lưu bản nháp v2")
    await expect(editor.locator("textarea[name='steps-0-text']")).to_have_value(proposed)

    await member.goto(site.base + "/admin/proposals")
    await expect(member.get_by_text("đã nhận (v2)")).to_be_visible()
    await expect(member.get_by_text("Cảm ơn anh/chị, đã sửa!")).to_be_visible()


async def test_a_stale_save_shows_the_conflict_and_is_merged_by_hand(
        site: Site, browser: Browser) -> None:
    page = await phone(browser)
    await sign_in(page, site, "editor", then=f"/admin/flows/{FLOW}")
    # Someone else saves while this page is open.
    flows = site.runtime.console.flows
    detail = await flows.detail(FLOW)
    theirs = dict(detail.latest.document)
    theirs["title"] = "Cài VNeID (bản của người khác)"
    await flows.save_draft(EDITOR, FLOW, detail.head.latest_version, theirs, "đổi tiêu đề")
    await page.locator("details.step-fold > summary").first.click()
    await page.locator("textarea[name='steps-0-text']").fill("Bản của tôi cho bước một.")
    await page.get_by_role("button", name="Lưu bản nháp", exact=True).click()
    await expect(page.get_by_role("heading", name="Có người đã lưu trước bạn")).to_be_visible()
    await expect(page.locator(".two ins").first).to_have_text("(bản của người khác)")
    assert (await flows.detail(FLOW)).head.latest_version == 2  # nothing overwritten
    merged = page.get_by_label("Bản gộp")
    text = (await merged.input_value()).replace(
        "title: Cài ứng dụng VNeID và đăng ký tài khoản mức 1",
        "title: Cài VNeID (bản của người khác)")
    await merged.fill(text)
    await page.get_by_role("button", name="Lưu bản đã gộp").click()
    await expect(page.locator(".flash")).to_contain_text("Đã lưu bản nháp v3")
    latest = (await flows.detail(FLOW)).latest.document
    assert latest["title"] == "Cài VNeID (bản của người khác)"
    assert latest["steps"][0]["text"] == "Bản của tôi cho bước một."


async def test_rollback_from_the_history(site: Site, browser: Browser) -> None:
    flows = site.runtime.console.flows
    detail = await flows.detail(FLOW)
    original = detail.latest.document["steps"][0]["text"]
    changed = dict(detail.latest.document)
    changed["steps"] = [{**changed["steps"][0], "text": "Văn bản sai cần khôi phục."},
                        *changed["steps"][1:]]
    await flows.publish(EDITOR, FLOW, await flows.save_draft(EDITOR, FLOW, 1, changed))
    page = await phone(browser)
    await sign_in(page, site, "editor", then=f"/admin/flows/{FLOW}/history")
    page.on("dialog", lambda dialog: dialog.accept())
    await page.get_by_role("button", name="Khôi phục v1").click()
    await expect(page.locator(".flash")).to_contain_text("phiên bản mới v3 đang được dùng")
    await expect(page.locator("#v3")).to_contain_text("đang dùng")
    await page.locator("#v3").get_by_role("link", name="thay đổi").click()
    await expect(page.locator("del").first).to_contain_text("sai")
    await site.runtime.live.refresh()
    resident = await resident_chat(browser, site)
    await expect(resident.locator(".msg.bot").last).to_contain_text(original.split("\n")[0])


async def test_a_resident_mid_guide_when_their_step_is_removed(site: Site,
                                                               browser: Browser) -> None:
    resident = await resident_chat(browser, site)
    for number, label in enumerate(("✅ Xong", "Android", "✅ Xong", "✅ Xong"), start=2):
        await resident.locator(".buttons button:enabled",
                               has_text=re.compile("^" + re.escape(label))).last.click()
        await expect(resident.locator(".msg.bot").last).to_contain_text(f"Bước {number}")
    page = await phone(browser)
    await sign_in(page, site, "editor", then=f"/admin/flows/{FLOW}")
    document = (await site.runtime.console.flows.detail(FLOW)).latest.document
    index = [s["id"] for s in document["steps"]].index("understood")
    assert step(document, "open_register").get("next") is None
    await page.locator("details.step-fold > summary").nth(index).click()  # one step at a time
    await page.locator(f"input[name='steps-{index}-delete']").check()
    await page.get_by_role("button", name="Lưu bản nháp", exact=True).click()
    await page.get_by_role("button", name="Xuất bản v2").click()
    await expect(page.locator(".flash")).to_contain_text("Đã xuất bản v2")
    await site.runtime.live.refresh()
    await resident.locator(".buttons button:enabled", has_text="✅ Xong").last.click()
    # One friendly sentence, then the previous step that still exists (open_register).
    await expect(resident.locator(".msg.bot").last).to_contain_text("Bước 4")
    replies = await resident.locator(".msg.bot").all_inner_texts()
    assert any("cập nhật" in text for text in replies[-2:])
    assert not any("lỗi" in text.lower() for text in replies)
