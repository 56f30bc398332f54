"""The resident's side as a person lives it: the QR of a member's printed handout, opened in
headless Chromium at a phone's size, walked to the end by tapping; the member's notice is
queued for Telegram and the figures count the run for the member and the unit."""

from __future__ import annotations

import io
import itertools
from pathlib import Path

import pypdf
import zxingcpp
from playwright.async_api import async_playwright, expect
from sqlalchemy import select

from bot.app import Runtime
from bot.channels.web.app import create_app
from bot.engine import texts
from bot.reports.access import Viewer
from bot.reports.funnels import main_path
from bot.reports.links import Links
from bot.reports.results import Period
from bot.storage.outbox import outbox
from bot.teams.hours import VIETNAM
from tests.server import serving
from tests.web.test_browser import CHROMIUM, FLAGS, HAVE_CHROMIUM, pytestmark  # noqa: F401

GUIDE = "vneid_install"


async def test_a_resident_scans_a_handout_and_finishes(runtime: Runtime, tmp_path: Path) -> None:
    assert HAVE_CHROMIUM, "Chromium is missing: `make browser` installs Debian's chromium"
    await runtime.registry.import_csv("u.csv", "unit_id,parent_id,level,name,team_phone\n"
                                      "yen_binh,,commune,Xã Yên Bình,0912 000 111\n".encode())
    code = await runtime.registry.new_code("join", "yen_binh")
    joined = await runtime.registry.join(code, 700101, "Minh")
    assert joined is not None
    member = joined[0]
    public = "https://troly.yenbinh.vn"
    runtime.reports.links = Links(public, runtime.reports.links.codes)
    pdf = await runtime.reports.handout_pdf([GUIDE], "yen_binh", member=member.id)
    images = pypdf.PdfReader(io.BytesIO(pdf)).pages[0].images
    scanned = [c.text for i in images for c in zxingcpp.read_barcodes(i.image)]
    assert len(scanned) == 1 and scanned[0].startswith(public)
    compiled = runtime.catalog.flows[GUIDE]
    taps = [texts.DONE if compiled.default_next(here) == there else
            next(b.label for b in compiled.steps[here].buttons if b.next == there)
            for here, there in itertools.pairwise(main_path(compiled))]
    async with serving(create_app(runtime.service, runtime.health)) as base, \
            async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        context = await browser.new_context(viewport={"width": 390, "height": 844},
                                            device_scale_factor=2, is_mobile=True,
                                            has_touch=True, locale="vi-VN")
        tab = await context.new_page()
        await tab.goto(scanned[0].replace(public, base))
        await expect(tab.locator(".msg.bot").last).to_contain_text("Bước 1/")
        for label in taps:
            await tab.get_by_role("button", name=label, exact=True, disabled=False).last.click()
        await expect(tab.locator(".msg.bot", has_text="🎉")).to_have_count(1)
        await tab.get_by_role("button", name=texts.USEFUL, disabled=False).last.click()
        await expect(tab.locator(".msg.bot").last).to_contain_text("Cảm ơn")
        await tab.screenshot(path=str(tmp_path / "finished.png"))
        await browser.close()
    async with runtime.database.engine.connect() as conn:
        queued = [r.body["replies"][0]["text"] for r in await conn.execute(
            select(outbox.c.body).where(outbox.c.party == "700101"))]
    assert queued and queued[0].startswith("Một người dân anh/chị gửi hướng dẫn")
    day = runtime.clock.now().astimezone(VIETNAM).date()
    report = await runtime.reports.results.report("yen_binh", Period(day, day),
                                                  Viewer(frozenset({"yen_binh"})))
    assert (report.totals.started, report.totals.finished, report.totals.confirmed) == (1, 1, 1)
    assert report.members == [("Minh", "Xã Yên Bình", 1, 1)]
