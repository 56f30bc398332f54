"""Honest promises: escalation after the team's timeout (injected clock), the words outside
working hours, no team anywhere up the tree, a post Telegram refuses, and a resident whose
commune nobody knows yet."""

from __future__ import annotations

import datetime as dt

from bot.clock import ManualClock
from bot.teams.hours import VIETNAM
from tests.teams.conftest import (
    GROUP,
    HAI,
    MINH,
    MORNING,
    PROVINCE_GROUP,
    REGISTRY,
    joined,
    payload,
    scene,
    shown,
)
from tests.telegram.fake_api import FakeBotAPI


async def test_unclaimed_tickets_escalate_after_the_teams_timeout(
    database_url: str, fake_api: FakeBotAPI
) -> None:
    clock = ManualClock(MORNING)
    async with scene(database_url, fake_api, clock) as s:
        await s.link_group()
        await s.link_group("lao_cai", PROVINCE_GROUP, HAI)
        await s.join(MINH)
        await s.join(HAI, "lao_cai")
        await s.web("w1", text="/start vneid_install-yen_binh")
        await s.web("w1", payload="c:stuck")
        await s.drain()
        assert "đã đến" in joined(await s.web_updates("w1"))

        clock.advance(dt.timedelta(minutes=29))
        assert await s.runtime.desk.escalate_due() == 0
        clock.advance(dt.timedelta(minutes=2))
        assert await s.runtime.desk.escalate_due() == 1
        assert await s.runtime.desk.escalate_due() == 0  # once
        await s.drain()
        up = s.last_to(PROVINCE_GROUP)
        assert "chuyển lên từ Tổ công nghệ số xã Yên Bình: chưa ai nhận sau 30 phút" in shown(up)
        told = joined(await s.web_updates("w1"))
        assert "Chưa có anh chị nào ở Tổ công nghệ số xã Yên Bình nhận được" in told
        assert "lên **Tổ công nghệ số tỉnh Lào Cai**" in told

        await s.press(HAI, up, "🙋")  # the province's member claims it
        edits = fake_api.made("editMessageText")
        assert {e.params["chat_id"] for e in edits} == {str(GROUP["id"]),
                                                       str(PROVINCE_GROUP["id"])}
        assert "Hải ở Tổ công nghệ số tỉnh Lào Cai đã nhận" in joined(await s.web_updates("w1"))
        clock.advance(dt.timedelta(hours=5))
        assert await s.runtime.desk.escalate_due() == 0  # claimed: no timer any more


async def test_with_nobody_left_to_escalate_to_the_resident_gets_the_numbers(
    database_url: str, fake_api: FakeBotAPI
) -> None:
    clock = ManualClock(MORNING)
    async with scene(database_url, fake_api, clock) as s:
        await s.link_group()
        await s.web("w1", text="/start vneid_install-yen_binh")
        await s.web("w1", payload="c:stuck")
        await s.drain()
        await s.web_updates("w1")
        clock.advance(dt.timedelta(minutes=31))
        assert await s.runtime.desk.escalate_due() == 1
        told = joined(await s.web_updates("w1"))
        assert "vẫn chưa nhận được câu hỏi của bác" in told
        assert "0912 000 111" in told and "0214 3840 000" in told
        [due] = await s.sql("SELECT due_at, status FROM tickets")
        assert due[0] is None and due[1] == "open"  # still claimable in the group
        clock.advance(dt.timedelta(hours=3))
        assert await s.runtime.desk.escalate_due() == 0


async def test_outside_hours_the_resident_is_told_when_someone_will_see_it(
    database_url: str, fake_api: FakeBotAPI
) -> None:
    night = dt.datetime(2026, 11, 30, 22, 30, tzinfo=VIETNAM).astimezone(dt.UTC)
    clock = ManualClock(night)
    async with scene(database_url, fake_api, clock) as s:
        await s.link_group()
        await s.web("w1", text="/start vneid_install-yen_binh")
        said = joined(await s.web("w1", payload="c:stuck"))
        assert "ngoài giờ làm việc của tổ (07:00–21:00)" in said
        assert "sớm nhất 7 giờ sáng mai mới có người xem" in said
        await s.drain()
        post = s.last_to(GROUP)
        assert post.params.get("disable_notification") in ("true", "True", True)  # no ring
        told = joined(await s.web_updates("w1"))
        assert "Tổ làm việc 07:00–21:00, nên sớm nhất 7 giờ sáng mai" in told
        clock.advance(dt.timedelta(hours=2))  # past the 30 minutes, still night
        assert await s.runtime.desk.escalate_due() == 0
        clock.set(dt.datetime(2026, 12, 1, 7, 31, tzinfo=VIETNAM).astimezone(dt.UTC))
        assert await s.runtime.desk.escalate_due() == 1  # 30 minutes after the team began


async def test_with_no_team_linked_anywhere_the_resident_gets_an_honest_sentence(
    database_url: str, fake_api: FakeBotAPI
) -> None:
    async with scene(database_url, fake_api, ManualClock(MORNING)) as s:
        await s.web("w1", text="/start vneid_install-thon_dong")
        said = joined(await s.web("w1", payload="c:stuck"))
        assert "chưa kết nối được với tổ hỗ trợ nào ở Xã Yên Bình" in said
        assert "Tổ công nghệ số xã Yên Bình: 0912 000 111" in said
        assert "0214 3840 000" in said
        assert "đã báo" not in said and "đang chuyển" not in said
        await s.drain()
        assert fake_api.sent() == []
        [ticket] = await s.sql("SELECT status FROM tickets")
        assert ticket[0] == "no_team"


async def test_an_empty_registry_gives_the_generic_advice(
    database_url: str, fake_api: FakeBotAPI
) -> None:
    async with scene(database_url, fake_api, ManualClock(MORNING), registry=None) as s:
        said = joined(await s.web("w1", payload="c:stuck"))
        assert "chưa kết nối được với tổ hỗ trợ nào" in said
        assert "nhờ trưởng thôn" in said


async def test_a_group_that_removed_the_bot_is_unlinked_and_the_ticket_goes_up(
    database_url: str, fake_api: FakeBotAPI
) -> None:
    async with scene(database_url, fake_api, ManualClock(MORNING)) as s:
        await s.link_group()
        await s.link_group("lao_cai", PROVINCE_GROUP, HAI)
        await s.web("w1", text="/start vneid_install-yen_binh")
        fake_api.fail("sendMessage", 403, "Forbidden: bot was kicked from the supergroup chat")
        await s.web("w1", payload="c:stuck")
        await s.drain()
        told = joined(await s.web_updates("w1"))
        assert "chưa gửi được câu hỏi của bác đến Tổ công nghệ số xã Yên Bình" in told
        assert "0912 000 111" in told
        assert "Phiếu #1" in shown(s.last_to(PROVINCE_GROUP))
        [group] = await s.sql("SELECT telegram_chat FROM units WHERE id = 'yen_binh'")
        assert group[0] is None


async def test_a_resident_of_no_known_commune_is_asked_once(
    database_url: str, fake_api: FakeBotAPI
) -> None:
    registry = REGISTRY + "yen_binh_2,lao_cai_2,commune,Phường Yên Bình,,,,\n" \
                          "lao_cai_2,,province,Tỉnh Khác,,,,\n"
    async with scene(database_url, fake_api, ManualClock(MORNING), registry=registry) as s:
        await s.link_group()
        await s.web("w1", text="/start vneid_install")
        asked = await s.web("w1", payload="c:stuck")
        assert "bác ở **xã/phường nào** ạ?" in joined(asked)
        choices = await s.web("w1", text="yen binh")
        assert "Có mấy nơi tên như vậy" in joined(choices)
        pick = payload(choices, "Xã Yên Bình")
        routed = joined(await s.web("w1", payload=pick))
        assert "cháu ghi nhận bác ở **Xã Yên Bình**" in routed
        assert "đang chuyển câu hỏi của bác đến **Tổ công nghệ số xã Yên Bình**" in routed
        await s.drain()
        assert "Phiếu #1" in shown(s.last_to(GROUP))
        [unit] = await s.sql("SELECT commune FROM residents WHERE external_id = 'w1'")
        assert unit[0] == "yen_binh"
        again = joined(await s.web("w1", payload="c:stuck"))
        assert "đã chuyển câu hỏi của bác đến Tổ công nghệ số xã Yên Bình rồi" in again

        await s.web("w2", text="/start vneid_install")
        await s.web("w2", payload="c:stuck")
        not_found = joined(await s.web("w2", text="Hà Nội"))
        assert "chưa tìm thấy xã/phường «Hà Nội»" in not_found
        exact = joined(await s.web("w2", text="xa yen thanh"))
        assert "ghi nhận bác ở **Xã Yên Thành**" in exact
        assert "chưa kết nối được với tổ hỗ trợ nào ở Xã Yên Thành" in exact  # no group

        changed = await s.web("w2", text="đổi xã")
        assert "xã/phường nào" in joined(changed)
        assert "ghi nhận bác ở **Xã Yên Bình**" in joined(
            await s.web("w2", payload=payload(await s.web("w2", text="Yen Binh"),
                                              "Xã Yên Bình")))
        [unit] = await s.sql("SELECT commune FROM residents WHERE external_id = 'w2'")
        assert unit[0] == "yen_binh"


async def test_a_resident_who_moves_on_is_not_kept_answering_the_question(
    database_url: str, fake_api: FakeBotAPI
) -> None:
    async with scene(database_url, fake_api, ManualClock(MORNING)) as s:
        await s.link_group()
        await s.web("w1", payload="c:stuck")
        menu = await s.web("w1", text="menu")
        assert "Bác muốn cháu hướng dẫn việc gì" in joined(menu)
        [ticket] = await s.sql("SELECT status, close_reason FROM tickets")
        assert tuple(ticket) == ("closed", "abandoned")
        assert await s.sql("SELECT * FROM ticket_parties") == []


async def test_the_human_help_intent_and_a_guide_ending_in_a_hand_off_open_tickets(
    database_url: str, fake_api: FakeBotAPI
) -> None:
    async with scene(database_url, fake_api, ManualClock(MORNING)) as s:
        await s.link_group()
        await s.web("w1", text="/start -yen_binh")  # the team's link to no guide in particular
        asked = joined(await s.web("w1", text="cho tôi gặp người thật"))
        assert "đang chuyển câu hỏi của bác đến" in asked and "đã báo" not in asked

        await s.web("w2", text="/start vneid_activate-yen_binh")
        has_app = await s.web("w2", payload="s:vneid_activate.check_sms.0")
        end = await s.web("w2", payload=payload(has_app, "Tôi không có điện thoại"))
        said = joined(end)
        assert "máy tính" in said  # the step's own words stay
        assert "đang chuyển câu hỏi của bác đến **Tổ công nghệ số xã Yên Bình**" in said
        assert "đã báo" not in said
        await s.drain()
        posts = [shown(c) for c in s.to(GROUP) if "Phiếu #" in shown(c)]
        assert len(posts) == 2 and "vneid" in posts[1].lower()


async def test_an_old_question_or_conversation_does_not_swallow_new_messages(
    database_url: str, fake_api: FakeBotAPI
) -> None:
    clock = ManualClock(MORNING)
    async with scene(database_url, fake_api, clock) as s:
        await s.link_group()
        await s.join(MINH)
        await s.web("w1", payload="c:stuck")  # asked for the commune, never answers
        clock.advance(dt.timedelta(hours=2))
        opened = joined(await s.web("w1", text="cai vneid"))
        assert "Bước 1/" in opened and "chưa tìm thấy" not in opened

        await s.web("w2", text="/start vneid_install-yen_binh")
        await s.web("w2", payload="c:stuck")
        await s.drain()
        await s.press(MINH, s.last_to(GROUP), "🙋")
        clock.advance(dt.timedelta(hours=20))
        await s.say(MINH, "Bác làm được chưa ạ?")
        clock.advance(dt.timedelta(hours=20))  # 20 hours after the last word: still talking
        assert await s.web("w2", text="được rồi") == []
        clock.advance(dt.timedelta(hours=25))
        later = await s.web("w2", text="cai vssid")
        assert "Cuộc trò chuyện với Minh đã kết thúc vì lâu không có tin nhắn" in later[0]["text"]
        assert len(later) >= 2  # and the assistant answers what they wrote
        await s.drain()
        assert "Phiếu #2 đã tự đóng" in shown(s.last_to(MINH))
        statuses = await s.sql("SELECT close_reason FROM tickets ORDER BY id")
        assert [r[0] for r in statuses] == ["abandoned", "idle"]
