"""The team inbox the console shows: a member's units' tickets with their masked context,
and claim, reply and close from the console for staff without Telegram."""

from __future__ import annotations

from bot.clock import ManualClock
from bot.teams.desk import TAKEN, WON
from tests.teams.conftest import GROUP, MINH, MORNING, joined, scene
from tests.telegram.fake_api import FakeBotAPI


async def test_a_console_member_claims_answers_and_closes(
    database_url: str, fake_api: FakeBotAPI
) -> None:
    async with scene(database_url, fake_api, ManualClock(MORNING)) as s:
        inbox = s.runtime.team_inbox
        await s.link_group()
        await s.join(MINH)
        clerk = await inbox.add_console_member("yen_binh", 42, "Chị Hoa")
        other = await inbox.add_console_member("yen_thanh", 43, "Anh Tú")
        assert [m.id for m in await inbox.members_of(42)] == [clerk.id]
        await s.web("w1", text="/start vneid_install-yen_binh")
        await s.web("w1", text="mã otp 123456 không nhận được")
        await s.web("w1", payload="c:stuck")
        await s.drain()

        [listed] = await inbox.tickets(["yen_binh"])
        assert listed.status == "open" and listed.flow_id == "vneid_install"
        assert await inbox.tickets(["yen_thanh"]) == []
        assert len(await inbox.tickets(None)) == 1  # admins see everything
        assert await inbox.ticket(listed.id, ["yen_thanh"]) is None
        view = await inbox.ticket(listed.id, ["yen_binh"])
        assert view is not None and view.place == "Xã Yên Bình"
        assert view.team == "Tổ công nghệ số xã Yên Bình"
        assert any("[mã số]" in said for said in view.ticket.context["said"])
        assert "123456" not in str(view.ticket.context)

        assert (await inbox.claim(listed.id, clerk)).kind == WON
        assert (await inbox.claim(listed.id, other)).kind == TAKEN
        await s.drain()
        edit = fake_api.made("editMessageText")[-1]
        assert edit.params["chat_id"] == str(GROUP["id"]) and "Chị Hoa đã nhận" in \
            edit.params["text"]
        assert "Chị Hoa ở Tổ công nghệ số xã Yên Bình đã nhận" in joined(
            await s.web_updates("w1"))
        assert not await inbox.reply(listed.id, other, "not theirs")
        assert await inbox.reply(listed.id, clerk, "Bác chờ cháu gọi số 0912 000 111 nhé")
        assert joined(await s.web_updates("w1")) == (
            "👤 Chị Hoa: Bác chờ cháu gọi số 0912 000 111 nhé")
        assert await s.web("w1", text="vâng cảm ơn") == []
        view = await inbox.ticket(listed.id, ["yen_binh"])
        assert view is not None
        assert [(m.sender, m.text) for m in view.said if m.sender != "system"] == [
            ("member", "Bác chờ cháu gọi số [số điện thoại] nhé"), ("resident", "vâng cảm ơn")]
        assert not await inbox.close(listed.id, other)
        assert await inbox.close(listed.id, clerk)
        assert "Chị Hoa đã kết thúc" in joined(await s.web_updates("w1"))


async def test_an_admin_closing_an_unclaimed_ticket_tells_the_resident(
    database_url: str, fake_api: FakeBotAPI
) -> None:
    async with scene(database_url, fake_api, ManualClock(MORNING)) as s:
        await s.link_group()
        await s.web("w1", text="/start vneid_install-yen_binh")
        await s.web("w1", payload="c:stuck")
        await s.drain()
        await s.web_updates("w1")
        [ticket] = await s.runtime.team_inbox.tickets(None)
        assert await s.runtime.team_inbox.close(ticket.id, None)
        assert "tổ đã khép lại yêu cầu" in joined(await s.web_updates("w1"))
        await s.drain()
        assert "Đã xong" in fake_api.made("editMessageText")[-1].params["text"]
