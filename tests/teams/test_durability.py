"""Claims race between members (exactly one wins, across server processes), and tickets,
claims and relayed messages surviving a restart of the server."""

from __future__ import annotations

import asyncio
import json

from bot.clock import ManualClock
from bot.teams.desk import TAKEN, WON
from tests.teams.conftest import GROUP, LAN, MINH, MORNING, button, joined, scene, shown
from tests.telegram.fake_api import FakeBotAPI


async def test_two_members_pressing_at_once_exactly_one_claims(
    database_url: str, fake_api: FakeBotAPI
) -> None:
    clock = ManualClock(MORNING)
    async with scene(database_url, fake_api, clock) as a, \
            scene(database_url, fake_api, clock, registry=None) as b:  # a second process
        await a.link_group()
        await a.join(MINH)
        await a.join(LAN)
        await b.runtime.registry.refresh()
        for number in range(1, 6):
            await a.web(f"w{number}", text="/start vneid_install-yen_binh")
            await a.web(f"w{number}", payload="c:stuck")
        await a.drain()
        posts = [c for c in a.to(GROUP) if "Phiếu #" in shown(c)]
        assert len(posts) == 5
        before = len(fake_api.calls)
        await asyncio.gather(*(
            scene_.tg(scene_.updates.press(button(post, "🙋"), post.result, member))
            for post in posts for scene_, member in ((a, MINH), (b, LAN))))
        answers = [c.params["text"] for c in fake_api.calls[before:]
                   if c.method == "answerCallbackQuery"]
        assert len(answers) == 10
        assert sum("Bạn đã nhận" in t for t in answers) == 5  # one per ticket
        assert sum("đã nhận phiếu này rồi" in t for t in answers) == 5
        claims = await a.sql("SELECT claimed_name FROM tickets ORDER BY id")
        assert all(row[0] in ("Minh", "Lan") for row in claims)
        for number in range(1, 6):
            said = joined(await a.web_updates(f"w{number}"))
            assert said.count("đã nhận câu hỏi của bác") == 1

        await a.web("w9", text="/start vneid_install-yen_binh")
        await a.web("w9", payload="c:stuck")
        [ticket] = await a.sql("SELECT id FROM tickets WHERE recipient = 'w9'")
        outcomes = await asyncio.gather(
            *(desk.claim_telegram(ticket[0], member["id"])
              for desk, member in ((a.runtime.desk, MINH), (b.runtime.desk, LAN)) * 3))
        assert [o.kind for o in outcomes].count(WON) == 1
        assert {o.kind for o in outcomes} == {WON, TAKEN}


async def test_tickets_claims_and_relayed_messages_survive_a_restart(
    database_url: str, fake_api: FakeBotAPI
) -> None:
    clock = ManualClock(MORNING)
    async with scene(database_url, fake_api, clock) as s:
        await s.link_group()
        await s.join(MINH)
        first = await s.web("w1", text="/start vneid_install-yen_binh")
        step_1 = first[0]["text"]
        await s.web("w1", payload="c:stuck")
        await s.drain()
        await s.press(MINH, s.last_to(GROUP), "🙋")
        await s.web_updates("w1")
        await s.tg(s.updates.text("Cháu đây ạ", MINH))  # waits for the web page
        await s.web("w1", text="bác vẫn đợi cháu")  # queued for Minh, not sent yet
        cursor = s.cursors["w1"]
        sent_to_minh = len(s.to(MINH))
    # the server stops before the outbox delivered to Minh: a restart, same database
    async with scene(database_url, fake_api, clock, registry=None) as s:
        s.cursors["w1"] = cursor
        assert len(s.to(MINH)) == sent_to_minh
        await s.drain()
        assert "bác vẫn đợi cháu" in shown(s.last_to(MINH))
        assert joined(await s.web_updates("w1")).startswith("👤 Minh: Cháu đây ạ")
        assert await s.web("w1", text="cảm ơn cháu") == []  # still talking with Minh
        await s.drain()
        assert "cảm ơn cháu" in shown(s.last_to(MINH))
        await s.say(MINH, "/xong")
        asked = await s.web_updates("w1")
        assert "Minh đã kết thúc cuộc trò chuyện" in joined(asked)
        offer = await s.web("w1", payload="t:no:1")
        assert "nhờ tổ lần nữa" in joined(offer)
        back = await s.web("w1", payload="c:resume")
        assert back[-1]["text"] == step_1


async def test_a_resident_who_erases_their_data_takes_their_tickets_with_them(
    database_url: str, fake_api: FakeBotAPI
) -> None:
    async with scene(database_url, fake_api, ManualClock(MORNING)) as s:
        await s.link_group()
        await s.join(MINH)
        await s.web("w1", text="/start vneid_install-yen_binh")
        await s.web("w1", text="con gái tên Xíu cài giúp mà không được")
        await s.web("w1", payload="c:stuck")
        await s.drain()
        await s.press(MINH, s.last_to(GROUP), "🙋")
        await s.web("w1", text="bác ở xóm Đình Cỏ")
        exported = await s.runtime.data_rights.store.export("web", "w1")
        assert exported is not None
        [ticket] = exported["tickets"]
        assert ticket["claimed_by"] == "Minh"
        assert [m["text"] for m in ticket["messages"]] == ["bác ở xóm Đình Cỏ"]
        assert await s.runtime.data_rights.store.erase("web", "w1", MORNING.date()) is not None
        for table in ("tickets", "ticket_messages", "ticket_posts", "ticket_parties"):
            assert await s.sql(f"SELECT * FROM {table}") == [], table
        await s.say(MINH, "bác ơi")  # Minh's words go nowhere now: his own conversation
        queued = json.dumps([m["body"] for channel in ("telegram", "web")
                             for m in await s.runtime.outbox.store.messages(channel)],
                            ensure_ascii=False)
        assert "Xíu" not in queued and "Đình Cỏ" not in queued
        assert "Phiếu #" not in queued  # the group post and its edits, gone with the ticket
