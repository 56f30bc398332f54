"""A unit whose team has console members and no Telegram group: a resident's 🆘 reaches the
console's inbox (the page shows it without a reload), is claimed, answered both ways and
closed there, through the contract's JSON API; the resident continues the guide at the step
they were on, and the results count the ticket."""

from __future__ import annotations

import datetime as dt
import time

import httpx
import pytest
from playwright.async_api import async_playwright, expect

from bot.clock import ManualClock
from bot.storage.reach_queries import ticket_figures
from tests.teams.conftest import MORNING, Scene, joined, payload, scene
from tests.teams.test_console import PASSWORD, accounts, signed_in
from tests.telegram.fake_api import FakeBotAPI
from tests.web.test_browser import CHROMIUM, FLAGS, HAVE_CHROMIUM


async def _console_team(s: Scene, *logins: str) -> None:
    await accounts(s)
    for login in logins:
        account = await s.runtime.console.accounts.store.by_login(login)
        assert account is not None
        await s.runtime.team_inbox.add_console_member("yen_binh", account.id, login.title())


async def _stuck_on_step_2(s: Scene, user: str) -> str:
    first = await s.web(user, text="/start vneid_install-thon_dong")
    second = await s.web(user, payload=payload(first, "✅"))
    assert "Bước 2/" in second[-1]["text"]
    await s.web(user, text="không thấy nút cài đặt, mật khẩu abc123")
    return str(second[-1]["text"])


def _api(csrf: str) -> dict[str, str]:
    return {"X-CSRF-Token": csrf}


async def test_a_console_only_team_gets_claims_answers_and_closes_tickets(
    database_url: str, fake_api: FakeBotAPI
) -> None:
    async with scene(database_url, fake_api, ManualClock(MORNING)) as s:
        await _console_team(s, "hoa", "tuan")
        step_2 = await _stuck_on_step_2(s, "w1")
        stuck = joined(await s.web("w1", payload="c:stuck"))
        assert "đã chuyển câu hỏi của bác đến **Tổ công nghệ số xã Yên Bình**" in stuck
        assert "chưa kết nối được" not in stuck
        assert fake_api.sent() == []  # no group anywhere: nothing went to Telegram

        async with signed_in(s, "yt_editor") as (other, _):
            assert (await other.get("/admin/api/tickets")).json() == []  # another commune
            assert (await other.post("/admin/api/tickets/1/claim")).status_code == 403  # CSRF
        async with signed_in(s, "hoa") as (hoa, csrf), signed_in(s, "tuan") as (tuan, tcsrf):
            [ticket] = (await hoa.get("/admin/api/tickets")).json()
            assert ticket["id"] == 1 and ticket["unit_id"] == "thon_dong"
            assert (ticket["state"], ticket["channel"]) == ("open", "web")
            assert ticket["waiting_since"].startswith("2026-11-30T03:0")
            summary = ticket["summary"]
            assert summary["flow_id"] == "vneid_install" and summary["step_id"]
            assert any("không thấy nút cài đặt" in m for m in summary["last_messages"])
            assert not any("abc123" in m for m in summary["last_messages"])  # masked
            assert (await hoa.post("/admin/api/tickets/1/claim")).status_code == 403  # no CSRF

            claimed = await hoa.post("/admin/api/tickets/1/claim", headers=_api(csrf))
            assert claimed.status_code == 200, claimed.text
            assert claimed.json()["state"] == "claimed" and claimed.json()["claimed_by"] == "Hoa"
            late = await tuan.post("/admin/api/tickets/1/claim", headers=_api(tcsrf))
            assert late.status_code == 409 and "Hoa đã nhận" in late.json()["error"]
            refused = await tuan.post("/admin/api/tickets/1/reply", headers=_api(tcsrf),
                                      json={"text": "chen ngang"})
            assert refused.status_code == 409
            assert "Hoa ở Tổ công nghệ số xã Yên Bình đã nhận" in joined(
                await s.web_updates("w1"))

            empty = await hoa.post("/admin/api/tickets/1/reply", headers=_api(csrf),
                                   json={"text": "  "})
            assert empty.status_code == 400 and "không được để trống" in empty.json()["error"]
            replied = await hoa.post("/admin/api/tickets/1/reply", headers=_api(csrf),
                                     json={"text": "Bác mở CH Play, gõ VNeID nhé"})
            assert replied.status_code == 200
            assert joined(await s.web_updates("w1")).endswith(
                "👤 Hoa: Bác mở CH Play, gõ VNeID nhé")
            assert await s.web("w1", text="cháu thấy rồi") == []
            said = (await hoa.get("/admin/inbox/1/messages")).text
            assert "cháu thấy rồi" in said

            assert (await tuan.post("/admin/api/tickets/1/close", headers=_api(tcsrf))
                    ).status_code == 409
            closed = await hoa.post("/admin/api/tickets/1/close", headers=_api(csrf))
            assert closed.status_code == 200 and closed.json()["state"] == "closed"
        asked = await s.web_updates("w1")
        assert "Hoa đã kết thúc cuộc trò chuyện" in asked[0]["text"]
        offer = await s.web("w1", payload=payload(asked, "👍"))
        back = await s.web("w1", payload=payload(offer, "▶️"))
        assert back[-1]["text"] == step_2  # the very step they were stuck on

        figures = await s.sql("SELECT status, close_reason, posted_at FROM tickets")
        assert figures[0][:2] == ("closed", "console") and figures[0][2] is not None
        counted = await s.runtime.transactions.run(lambda conn: ticket_figures(
            conn, ["thon_dong"], MORNING - dt.timedelta(hours=1), MORNING + dt.timedelta(hours=1)))
        assert (counted.opened, counted.claimed, counted.resolved) == (1, 1, 1)  # the dashboard


async def test_a_console_team_without_members_left_is_no_team_again(
    database_url: str, fake_api: FakeBotAPI
) -> None:
    """No group and no console member up the tree: the honest no-team answer, as before."""
    async with scene(database_url, fake_api, ManualClock(MORNING)) as s:
        await accounts(s)
        await s.web("w1", text="/start vneid_install-yen_binh")
        answer = await s.web("w1", payload="c:stuck")
        assert "chưa kết nối được với tổ hỗ trợ nào ở Xã Yên Bình" in joined(answer)
        back = await s.web("w1", payload=payload(answer, "▶️"))  # the way back to the step
        assert "Bước 1/" in back[-1]["text"]
        async with signed_in(s, "admin") as (admin, _):
            [ticket] = (await admin.get("/admin/api/tickets")).json()
            assert ticket["state"] == "no_team"
            bad = await admin.get("/admin/api/tickets?state=lost")
            assert bad.status_code == 400 and "Trạng thái" in bad.json()["error"]


@pytest.mark.browser
async def test_a_new_ticket_appears_in_the_open_inbox(
    database_url: str, fake_api: FakeBotAPI
) -> None:
    """Chromium keeps the inbox open; the resident's 🆘 shows up without a reload (the rows
    are polled every second); the delay seen is printed."""
    if "sqlite" not in database_url:
        pytest.skip("the page is the same on PostgreSQL")
    if not HAVE_CHROMIUM:
        pytest.fail("Chromium is missing: `make browser` installs Debian's chromium")
    async with scene(database_url, fake_api, ManualClock(MORNING)) as s, \
            async_playwright() as pw:
        await _console_team(s, "hoa")
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = await (await browser.new_context(viewport={"width": 360, "height": 780},
                                                locale="vi-VN")).new_page()
        base = str(s.http.base_url).rstrip("/")
        await page.goto(base + "/admin/inbox")
        await page.get_by_label("Tên đăng nhập").fill("hoa")
        await page.get_by_label("Mật khẩu").fill(PASSWORD)
        await page.get_by_role("button", name="Đăng nhập").click()
        await expect(page.get_by_text("Không có phiếu nào.")).to_be_visible()
        await s.web("w1", text="/start vneid_install-yen_binh")
        started = time.monotonic()
        await s.web("w1", payload="c:stuck")
        await expect(page.get_by_role("link", name="#1")).to_be_visible(timeout=10_000)
        print(f'{{"inbox_new_ticket_seconds": {time.monotonic() - started:.2f}}}')
        await page.get_by_role("link", name="#1").click()
        await page.get_by_role("button", name="🙋 Tôi nhận").click()
        await page.get_by_label("Trả lời người dân").fill("Cháu chào bác")
        await page.get_by_role("button", name="Gửi").click()
        assert "👤 Hoa: Cháu chào bác" in joined(await s.web_updates("w1"))
        await browser.close()
        assert isinstance(s.http, httpx.AsyncClient)
