"""The hand-off as a new deployment lives it: a web resident stuck mid-guide reaches the commune
team's Telegram group, a member claims the ticket and they talk (the web resident through
``/api/chat/updates``, a second resident on Telegram), an OTP never crosses, the member closes
and the resident goes back to the very step they were on."""

from __future__ import annotations

from sqlalchemy import text

from bot.clock import ManualClock
from tests.teams.conftest import (
    GRANNY,
    GROUP,
    LAN,
    MINH,
    MORNING,
    Scene,
    button,
    joined,
    payload,
    scene,
    shown,
)
from tests.telegram.fake_api import FakeBotAPI


async def _team_ready(s: Scene) -> None:
    linked = await s.link_group()
    assert "đã được liên kết với Tổ công nghệ số xã Yên Bình" in linked
    assert "Minh" in await s.join(MINH)
    assert "Lan" in await s.join(LAN)


async def _stuck_on_step_2(s: Scene, user: str) -> str:
    """A web resident arrives by the team's link, does step 1, gets stuck on step 2."""
    first = await s.web(user, text="/start vneid_install-thon_dong")
    assert "Bước 1/" in first[0]["text"]
    second = await s.web(user, payload=payload(first, "✅"))
    step_2 = second[-1]["text"]
    assert "Bước 2/" in step_2
    await s.web(user, text="không thấy nút cài đặt")
    return step_2


async def test_web_resident_to_member_and_back_to_the_same_step(
    database_url: str, fake_api: FakeBotAPI
) -> None:
    clock = ManualClock(MORNING)
    async with scene(database_url, fake_api, clock) as s:
        await _team_ready(s)
        step_2 = await _stuck_on_step_2(s, "w1")

        stuck = joined(await s.web("w1", payload="c:stuck"))
        assert "đang chuyển câu hỏi của bác đến **Tổ công nghệ số xã Yên Bình**" in stuck
        assert "đã báo" not in stuck  # nothing promised before the group has it

        await s.drain()  # the group post goes out
        post = s.last_to(GROUP)
        assert "Phiếu #1" in shown(post)
        assert "Thôn Đông, Xã Yên Bình · Web" in shown(post)
        assert "Cài ứng dụng VNeID" in shown(post)
        assert "không thấy nút cài đặt" in shown(post)
        assert button(post, "🙋").startswith("tk:c:")
        told = joined(await s.web_updates("w1"))
        assert "đã đến Tổ công nghệ số xã Yên Bình" in told  # now, and only now

        before = len(fake_api.calls)
        await s.press(MINH, post, "🙋")
        [answer] = [c for c in fake_api.calls[before:] if c.method == "answerCallbackQuery"]
        assert "Bạn đã nhận phiếu #1" in answer.params["text"]
        [edit] = fake_api.made("editMessageText")
        assert "Minh đã nhận" in shown(edit) and "reply_markup" not in edit.params
        private = s.last_to(MINH)
        assert "Bạn đã nhận phiếu #1" in shown(private)
        assert "Cài ứng dụng VNeID" in shown(private)
        claimed = joined(await s.web_updates("w1"))
        assert "Minh ở Tổ công nghệ số xã Yên Bình đã nhận câu hỏi của bác" in claimed

        before = len(fake_api.calls)
        await s.press(LAN, post, "🙋")  # too late
        [late] = [c for c in fake_api.calls[before:] if c.method == "answerCallbackQuery"]
        assert "Minh đã nhận phiếu này rồi" in late.params["text"]

        assert await s.web("w1", text="cháu bấm mãi không được") == []
        await s.drain()
        assert "cháu bấm mãi không được" in shown(s.last_to(MINH))
        await s.say(MINH, "Bác vào CH Play, gõ VNeID rồi bấm Cài đặt nhé")
        from_minh = await s.web_updates("w1")
        assert from_minh[0]["text"] == "👤 Minh: Bác vào CH Play, gõ VNeID rồi bấm Cài đặt nhé"
        assert payload(from_minh, "↩️") == "t:leave"

        warned = joined(await s.web("w1", text="mã OTP của bác là 482913"))
        assert "Cháu đã che mã số" in warned
        await s.drain()
        relayed = shown(s.last_to(MINH))
        assert "[mã số]" in relayed and "482913" not in relayed
        assert not [c for c in fake_api.calls if "482913" in str(c.params)]

        closing = await s.say(MINH, "/xong")
        assert any("Đã đóng phiếu #1" in shown(c) for c in closing)
        assert "Đã xong" in shown(fake_api.made("editMessageText")[-1])
        asked = await s.web_updates("w1")
        assert "Minh đã kết thúc cuộc trò chuyện" in asked[0]["text"]
        offer = await s.web("w1", payload=payload(asked, "👍"))
        assert "Cảm ơn bác" in offer[0]["text"]
        assert "Bác làm tiếp hướng dẫn «Cài ứng dụng VNeID" in offer[1]["text"]
        back = await s.web("w1", payload=payload(offer, "▶️"))
        assert back[-1]["text"] == step_2  # the very step they were stuck on

        assert await s.sql("SELECT status FROM handoffs WHERE status = 'open'") == []
        [ticket] = await s.sql("SELECT status, solved, claimed_at, closed_at, claimed_name "
                               "FROM tickets")
        assert ticket[0] == "closed" and ticket[1] in (True, 1) and ticket[4] == "Minh"
        assert ticket[2] is not None and ticket[3] is not None
        stored = await s.sql("SELECT text FROM ticket_messages")
        assert not [r for r in stored if "482913" in r[0]]
        outbox = await s.sql("SELECT body FROM outbox")
        assert not [r for r in outbox if "482913" in str(r[0])]


async def test_a_telegram_resident_talks_with_a_member_and_leaves(
    database_url: str, fake_api: FakeBotAPI
) -> None:
    async with scene(database_url, fake_api, ManualClock(MORNING)) as s:
        await _team_ready(s)
        await s.say(GRANNY, "/start vneid_install-yen_binh")
        step = s.last_to(GRANNY)
        stuck = await s.press(GRANNY, step, "🆘")
        assert any("đang chuyển câu hỏi" in shown(c) for c in stuck)
        assert "đã đến Tổ công nghệ số xã Yên Bình" in shown(s.last_to(GRANNY))
        post = s.last_to(GROUP)
        await s.press(LAN, post, "🙋")
        assert "Lan ở Tổ công nghệ số xã Yên Bình đã nhận" in shown(s.last_to(GRANNY))

        reminded = await s.say(LAN, "/menu")  # commands are not words for the resident
        assert any("Bạn đang tiếp phiếu #1" in shown(c) for c in reminded)
        assert "/menu" not in shown(s.last_to(GRANNY))
        await s.say(LAN, "Chào bác, bác gọi cho cháu số 0912 000 111 nhé")
        heard = shown(s.last_to(GRANNY))
        assert heard == "👤 Lan: Chào bác, bác gọi cho cháu số 0912 000 111 nhé"
        await s.say(GRANNY, "cảm ơn cháu")
        assert "cảm ơn cháu" in shown(s.last_to(LAN))

        consent = await s.press(GRANNY, s.last_to(GRANNY), "📞")
        assert any("gõ số điện thoại" in shown(c) for c in consent)
        await s.say(GRANNY, "số của bà là 0987 654 321")
        to_lan = shown(s.last_to(LAN))
        assert "0987 654 321" in to_lan and "đồng ý cho bạn số điện thoại" in to_lan
        await s.say(GRANNY, "0987 654 321")  # consent was for one message only
        assert "0987 654 321" not in shown(s.last_to(LAN))
        [shared] = await s.sql("SELECT phone_shared_at FROM tickets")
        assert shared[0] is not None
        assert not await s.sql("SELECT text FROM ticket_messages WHERE text LIKE '%0987%'")

        left = await s.press(GRANNY, s.last_to(GRANNY), "↩️")
        assert any("bác đã quay lại trợ lý" in shown(c) for c in left)
        assert "Người dân đã quay lại trợ lý. Phiếu #1 đã đóng." in shown(s.last_to(LAN))
        await s.say(LAN, "bác ơi?")  # Lan is no longer relaying: her own conversation answers
        assert "👤 Lan" not in shown(s.last_to(GRANNY))
        async with s.runtime.database.engine.connect() as conn:
            status = (await conn.execute(text("SELECT status, close_reason FROM tickets"))).one()
        assert tuple(status) == ("closed", "resident")
