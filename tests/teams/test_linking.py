"""Linking a team's Telegram group and its members with one-time codes, and what a member who
never joined, a reused or expired code, and a group that removed the bot get."""

from __future__ import annotations

import datetime as dt
import time

from bot.clock import ManualClock
from tests.teams.conftest import GROUP, HAI, LAN, MINH, MORNING, PROVINCE_GROUP, scene, shown
from tests.telegram.fake_api import BOT_USER, FakeBotAPI


async def test_group_link_codes(database_url: str, fake_api: FakeBotAPI) -> None:
    clock = ManualClock(MORNING)
    async with scene(database_url, fake_api, clock) as s:
        code = await s.runtime.registry.new_code("link", "yen_binh")
        assert "Cách dùng: /lienket <mã>" in shown((await s.say(MINH, "/lienket", GROUP))[-1])
        assert "dùng trong nhóm" in shown((await s.say(MINH, f"/lienket {code}"))[-1])
        assert await s.say(MINH, f"/lienket@other_bot {code}", GROUP) == []
        assert "không đúng" in shown((await s.say(MINH, "/lienket abcdefghjk", GROUP))[-1])
        linked = shown((await s.say(MINH, f"/lienket@digiguide_test_bot {code}", GROUP))[-1])
        assert "Nhóm này đã được liên kết với Tổ công nghệ số xã Yên Bình (Xã Yên Bình)" in linked
        assert "t.me/digiguide_test_bot?start=join-" in linked
        reused = await s.say(MINH, f"/lienket {code}", PROVINCE_GROUP)
        assert "đã dùng hoặc đã hết hạn" in shown(reused[-1])
        late = await s.runtime.registry.new_code("link", "lao_cai")
        clock.advance(dt.timedelta(days=8))
        assert "hết hạn" in shown((await s.say(MINH, f"/lienket {late}", PROVINCE_GROUP))[-1])
        [row] = await s.sql("SELECT telegram_chat FROM units WHERE id = 'yen_binh'")
        assert row[0] == GROUP["id"]
        assert not await s.sql(f"SELECT * FROM team_codes WHERE code_hash = '{code}'")


async def test_member_join_codes(database_url: str, fake_api: FakeBotAPI) -> None:
    async with scene(database_url, fake_api, ManualClock(MORNING)) as s:
        code = await s.runtime.registry.new_code("join", "yen_binh")
        joined = shown((await s.say(MINH, f"/start join-{code}"))[-1])
        assert "Chào Minh! Bạn đã tham gia Tổ công nghệ số xã Yên Bình (Xã Yên Bình)" in joined
        again = shown((await s.say(LAN, f"/start join-{code}"))[-1])
        assert "Mã tham gia không đúng, đã dùng hoặc đã hết hạn" in again
        assert "Mã tham gia không đúng" in shown((await s.say(LAN, "/start join-???"))[-1])
        members = await s.runtime.registry.members("yen_binh")
        assert [m.name for m in members] == ["Minh"]


async def test_only_members_of_the_team_can_claim(database_url: str,
                                                  fake_api: FakeBotAPI) -> None:
    async with scene(database_url, fake_api, ManualClock(MORNING)) as s:
        await s.link_group()
        await s.join(HAI, "lao_cai")  # a member of another team, not posted to
        await s.web("w1", text="/start vneid_install-yen_binh")
        await s.web("w1", payload="c:stuck")
        await s.drain()
        post = s.last_to(GROUP)
        for outsider in (LAN, HAI):
            before = len(fake_api.calls)
            await s.press(outsider, post, "🙋")
            [alert] = [c for c in fake_api.calls[before:] if c.method == "answerCallbackQuery"]
            assert "Bạn chưa tham gia tổ" in alert.params["text"]
            assert alert.params["show_alert"] in ("true", "True", True)
        [ticket] = await s.sql("SELECT status FROM tickets")
        assert ticket[0] == "open"


async def test_a_group_that_removes_the_bot_is_unlinked(database_url: str,
                                                         fake_api: FakeBotAPI) -> None:
    async with scene(database_url, fake_api, ManualClock(MORNING)) as s:
        await s.link_group()
        removed = {"update_id": 990001, "my_chat_member": {
            "chat": GROUP, "from": MINH, "date": int(time.time()),
            "old_chat_member": {"user": BOT_USER, "status": "member"},
            "new_chat_member": {"user": BOT_USER, "status": "left"}}}
        await s.tg(removed)
        [row] = await s.sql("SELECT telegram_chat FROM units WHERE id = 'yen_binh'")
        assert row[0] is None
        said = await s.web("w1", text="/start vneid_install-yen_binh")
        assert said
        stuck = "\n".join(m["text"] for m in await s.web("w1", payload="c:stuck"))
        assert "chưa kết nối được với tổ hỗ trợ nào" in stuck
