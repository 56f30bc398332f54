"""The registry and the team inbox in the console: who edits which unit, codes made there
working in Telegram, a console account joining a team (and adding its Telegram), CSV in and
out, and a staff member without Telegram claiming, answering and closing a ticket."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from playwright.async_api import async_playwright, expect

from bot.clock import ManualClock
from tests.accounts.conftest import CHEAP
from tests.teams.conftest import GROUP, MINH, MORNING, Scene, joined, scene, shown
from tests.telegram.fake_api import FakeBotAPI
from tests.web.test_browser import CHROMIUM, FLAGS, HAVE_CHROMIUM

PASSWORD = "mật khẩu thử nghiệm 1"
ACCOUNTS = {"admin": ("admin", None), "yb_editor": ("editor", "yen_binh"),
            "yt_editor": ("editor", "yen_thanh"), "hoa": ("team_member", None),
            "tuan": ("team_member", None)}


async def accounts(s: Scene) -> None:
    s.runtime.console.accounts.passwords = CHEAP
    for login, (role, commune) in ACCOUNTS.items():
        await s.runtime.console.accounts.create_user(login, role, commune=commune,
                                                     password=PASSWORD)


@asynccontextmanager
async def signed_in(s: Scene, login: str) -> AsyncIterator[tuple[httpx.AsyncClient, str]]:
    async with httpx.AsyncClient(base_url=str(s.http.base_url), timeout=30) as client:
        response = await client.post("/admin/api/login",
                                     json={"login": login, "password": PASSWORD})
        assert response.status_code == 200, response.text
        yield client, response.json()["csrf_token"]


async def post(client: httpx.AsyncClient, csrf: str, url: str, **form: Any) -> httpx.Response:
    return await client.post(url, data={**form, "csrf_token": csrf})


async def test_units_are_edited_by_their_communes_editor(
    database_url: str, fake_api: FakeBotAPI
) -> None:
    async with scene(database_url, fake_api, ManualClock(MORNING)) as s:
        await accounts(s)
        async with signed_in(s, "yb_editor") as (client, csrf):
            listing = await client.get("/admin/communes?q=yen binh")
            assert listing.status_code == 200 and "Xã Yên Bình" in listing.text
            saved = await post(client, csrf, "/admin/communes/yen_binh", commune="Xã Yên Bình",
                               team_name="Tổ CNS Yên Bình", team_phone="0912 000 111",
                               hours="06:30-20:00", escalate_after="15")
            assert saved.status_code == 303
            village = await post(client, csrf, "/admin/communes/thon_dong", name="Thôn Đông",
                                 team_name="Tổ thôn Đông", team_phone="", hours="")
            assert village.status_code == 303
            bad = await post(client, csrf, "/admin/communes/yen_binh", commune="Xã Yên Bình",
                             team_name="Tổ", team_phone="0912", hours="7h-21h")
            assert bad.status_code == 400 and "Giờ làm việc" in bad.text
            assert (await post(client, csrf, "/admin/communes/lao_cai", name="Tỉnh X")
                    ).status_code == 403
            assert (await post(client, csrf, "/admin/communes/yen_thanh", name="Xã X")
                    ).status_code == 403
        unit = s.runtime.registry.directory.get("yen_binh")
        assert unit is not None and (unit.hours, unit.escalate_minutes) == ("06:30-20:00", 15)
        assert s.runtime.registry.places("thon_dong")["team_name"] == "Tổ thôn Đông"
        entries = await s.runtime.console.accounts.audit_entries(
            await _admin(s), action="commune.changed")
        assert entries and entries[0][1].actor == "yb_editor"


async def _admin(s: Scene) -> Any:
    signed = await s.runtime.console.accounts.sign_in("admin", PASSWORD)
    return signed.principal


async def test_codes_and_members_from_the_console_work_in_telegram(
    database_url: str, fake_api: FakeBotAPI
) -> None:
    async with scene(database_url, fake_api, ManualClock(MORNING)) as s:
        await accounts(s)
        async with signed_in(s, "yb_editor") as (client, csrf):
            made = await post(client, csrf, "/admin/communes/yen_binh", action="link_code")
            code = made.text.split('<strong class="code">')[1].split("<")[0]
            assert "/lienket " + code in made.text
            invited = await post(client, csrf, "/admin/communes/yen_binh", action="add_member",
                                 login="hoa")
            assert "Đã gửi lời mời" in invited.text
            account = await s.runtime.console.accounts.store.by_login("hoa")
            assert account is not None
            [invitation] = await s.runtime.team_inbox.invitations(account.id)
            await s.runtime.team_inbox.answer(invitation.id, account.id, "hoa", True)
            [hoa] = await s.runtime.team_inbox.members("yen_binh")
            joining = await post(client, csrf, "/admin/communes/yen_binh", action="join_code",
                                 member=str(hoa.id))
            join = joining.text.split('<strong class="code">')[1].split("<")[0]
        assert "đã được liên kết" in shown((await s.say(MINH, f"/lienket {code}", GROUP))[-1])
        assert "Chào Minh" in shown((await s.say(MINH, f"/start join-{join}"))[-1])
        [member] = await s.runtime.team_inbox.members("yen_binh")
        assert member.id == hoa.id and member.telegram_user == MINH["id"]  # one person


async def test_registry_csv_in_and_out_of_the_console(
    database_url: str, fake_api: FakeBotAPI
) -> None:
    async with scene(database_url, fake_api, ManualClock(MORNING)) as s:
        await accounts(s)
        async with signed_in(s, "admin") as (client, csrf):
            exported = await client.get("/admin/units.csv")
            assert exported.status_code == 200 and "yen_binh,lao_cai,commune" in exported.text
            good = "unit_id,parent_id,level,name\nxa_moi,lao_cai,commune,Xã Mới\n"
            done = await client.post("/admin/communes/import", data={"csrf_token": csrf},
                                     files={"file": ("moi.csv", good.encode(), "text/csv")})
            assert done.status_code == 200 and "1 mới" in done.text
            bad = "unit_id,parent_id,level,name\nxa_x,nowhere,commune,Xã X\n"
            refused = await client.post("/admin/communes/import", data={"csrf_token": csrf},
                                        files={"file": ("x.csv", bad.encode(), "text/csv")})
            assert refused.status_code == 400
            assert "x.csv:2: parent_id nowhere is neither in the file nor stored" in refused.text
        async with signed_in(s, "yb_editor") as (client, csrf):
            denied = await client.post("/admin/communes/import", data={"csrf_token": csrf},
                                       files={"file": ("moi.csv", good.encode(), "text/csv")})
            assert denied.status_code == 403
        assert s.runtime.registry.directory.knows("xa_moi")


async def test_a_member_without_telegram_answers_from_the_console(
    database_url: str, fake_api: FakeBotAPI
) -> None:
    async with scene(database_url, fake_api, ManualClock(MORNING)) as s:
        await accounts(s)
        await s.link_group()
        admin = await _admin(s)
        for login, unit in (("hoa", "yen_binh"), ("tuan", "yen_thanh")):
            account = await s.runtime.console.accounts.store.by_login(login)
            assert account is not None
            await s.runtime.team_inbox.add_console_member(unit, account.id, login.title())
        await s.web("w1", text="/start vneid_install-yen_binh")
        await s.web("w1", text="mật khẩu là abc123 mà không vào được")
        await s.web("w1", payload="c:stuck")
        await s.drain()
        await s.web_updates("w1")
        async with signed_in(s, "tuan") as (client, _):
            assert "#1" not in (await client.get("/admin/inbox")).text
            assert (await client.get("/admin/inbox/1")).status_code == 404
        async with signed_in(s, "hoa") as (client, csrf):
            listing = await client.get("/admin/inbox")
            assert 'href="/admin/inbox/1"' in listing.text and "Cài ứng dụng VNeID" in listing.text
            page = await client.get("/admin/inbox/1")
            assert "[mật khẩu]" in page.text and "abc123" not in page.text
            claimed = await post(client, csrf, "/admin/inbox/1", action="claim")
            assert claimed.status_code == 303
            replied = await post(client, csrf, "/admin/inbox/1", action="reply",
                                 text="Bác thử đặt lại mật khẩu nhé")
            assert replied.status_code == 303
            assert joined(await s.web_updates("w1")).endswith(
                "👤 Hoa: Bác thử đặt lại mật khẩu nhé")
            assert await s.web("w1", text="vâng để bác thử") == []
            fragment = await client.get("/admin/inbox/1/messages")
            assert "vâng để bác thử" in fragment.text
            closed = await post(client, csrf, "/admin/inbox/1", action="close")
            assert closed.status_code == 303
        assert "Hoa đã kết thúc cuộc trò chuyện" in joined(await s.web_updates("w1"))
        await s.drain()
        assert "Hoa đã nhận" in fake_api.made("editMessageText")[0].params["text"]
        actions = [e.action for _, e in await s.runtime.console.accounts.audit_entries(admin)]
        assert {"ticket.claimed", "ticket.replied", "ticket.closed"} <= set(actions)
        async with signed_in(s, "admin") as (client, _):
            assert 'href="/admin/inbox/1"' in (await client.get("/admin/inbox?tab=all")).text


@pytest.mark.browser
async def test_the_inbox_on_a_phone(database_url: str, fake_api: FakeBotAPI) -> None:
    """At 360 px in Chromium: a member signs in, claims, answers; the resident's reply shows
    up on the page by itself."""
    if "sqlite" not in database_url:
        pytest.skip("the page is the same on PostgreSQL")
    if not HAVE_CHROMIUM:
        pytest.fail("Chromium is missing: `make browser` installs Debian's chromium")
    async with scene(database_url, fake_api, ManualClock(MORNING)) as s, \
            async_playwright() as pw:
        await accounts(s)
        await s.link_group()
        hoa = await s.runtime.console.accounts.store.by_login("hoa")
        assert hoa is not None
        await s.runtime.team_inbox.add_console_member("yen_binh", hoa.id, "Chị Hoa")
        await s.web("w1", text="/start vneid_install-yen_binh")
        await s.web("w1", payload="c:stuck")
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = await (await browser.new_context(viewport={"width": 360, "height": 780},
                                                is_mobile=True, has_touch=True,
                                                locale="vi-VN")).new_page()
        problems: list[str] = []
        page.on("pageerror", lambda error: problems.append(str(error)))
        base = str(s.http.base_url).rstrip("/")
        await page.goto(base + "/admin/inbox")
        await page.get_by_label("Tên đăng nhập").fill("hoa")
        await page.get_by_label("Mật khẩu").fill(PASSWORD)
        await page.get_by_role("button", name="Đăng nhập").click()
        await page.get_by_role("link", name="Phiếu hỗ trợ").click()
        await page.get_by_role("link", name="#1").click()
        await page.get_by_role("button", name="🙋 Tôi nhận").click()
        await page.get_by_label("Trả lời người dân").fill("Chào bác, cháu là Hoa ạ")
        await page.get_by_role("button", name="Gửi").click()
        assert "👤 Chị Hoa: Chào bác, cháu là Hoa ạ" in joined(await s.web_updates("w1"))
        await s.web("w1", text="cháu ơi bác vẫn chưa được")
        await expect(page.locator("#messages")).to_contain_text("bác vẫn chưa được",
                                                                timeout=15000)
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, "the inbox fits a phone's width"
        await browser.close()
        assert problems == []


async def test_a_communes_editor_invites_and_the_account_accepts(
    database_url: str, fake_api: FakeBotAPI
) -> None:
    """Failed before: a commune editor put any account in the team, and so gave it the
    team's exact reports, without that account knowing."""
    async with scene(database_url, fake_api, ManualClock(MORNING)) as s:
        await accounts(s)
        async with signed_in(s, "yb_editor") as (client, csrf):
            invited = await post(client, csrf, "/admin/communes/yen_binh", action="add_member",
                                 login="tuan")
            assert invited.status_code == 400 and "Đã gửi lời mời cho tuan" in invited.text
        assert await s.runtime.team_inbox.members("yen_binh") == []
        async with signed_in(s, "hoa") as (client, csrf):  # not hers to answer
            page = await client.get("/admin/invitations")
            assert "Không có lời mời nào" in page.text
        async with signed_in(s, "tuan") as (client, csrf):
            page = await client.get("/admin/invitations")
            assert "yb_editor mời anh/chị vào tổ của" in page.text and "Xã Yên Bình" in page.text
            number = page.text.split('action="/admin/invitations/')[1].split('"')[0]
            assert (await client.post(f"/admin/invitations/{number}",
                                      data={"action": "accept"})).status_code == 403  # CSRF
            done = await post(client, csrf, f"/admin/invitations/{number}", action="accept")
            assert done.status_code == 303
        [tuan] = await s.runtime.team_inbox.members("yen_binh")
        assert tuan.name == "tuan"
        async with signed_in(s, "admin") as (client, csrf):  # an admin adds directly
            added = await post(client, csrf, "/admin/communes/yen_binh", action="add_member",
                               login="hoa")
            assert added.status_code == 303
        assert len(await s.runtime.team_inbox.members("yen_binh")) == 2
        actions = [e.action for _, e in await s.runtime.console.accounts.audit_entries(
            await _admin(s), limit=20)]
        assert "team.member_invited" in actions and "team.invitation_accepted" in actions
