"""Agreeing and stopping, as residents say it: typed in any state (inside a guide, at a
question, while talking to a team member), offered after a finished guide and after a solved
hand-off, never by default; shown in "xem dữ liệu của tôi" and gone with the erasure."""

from __future__ import annotations

from typing import Any

import pytest

from bot.clock import ManualClock
from bot.outreach.consent import consent_word
from tests.announcements.conftest import HangingBotAPI, town
from tests.teams.conftest import LAN, MINH, MORNING, joined, payload, scene
from tests.zalo.fake_zalo import FakeZalo


def texts(messages: list[dict[str, Any]]) -> str:
    return "\n".join(m["text"] for m in messages)


@pytest.mark.parametrize(("said", "meant"), [
    ("dừng nhận tin", "out"), ("Hủy nhận tin ạ", "out"), ("không nhận nữa", "out"),
    ("ko nhan nua", "out"), ("dung nhan tin nhe", "out"), ("tắt thông báo", "out"),
    ("Hủy đăng ký", "out"), ("nhận tin của tổ", "in"), ("cho bác nhận thông báo", "in"),
    ("đăng ký nhận tin", "in"), ("Nhan tin cua to", "in"),
    ("chưa nhận được tin nhắn", None), ("nhận tin", None), ("dừng", None), ("không", None),
    ("ko nhan dc tin", None), ("bác không nhận được mã", None),
])
def test_the_words(said: str, meant: str | None) -> None:
    assert consent_word(said) == meant


async def test_inside_a_guide_and_at_a_question_the_words_leave_the_step_as_it_was(
    database_url: str, fake_api: HangingBotAPI, fake_zalo: FakeZalo, clock: ManualClock
) -> None:
    async with town(database_url, fake_api, fake_zalo, clock) as t:
        first = await t.web("w1", text="/start vneid_install-yen_binh")
        assert "Bước 1/" in first[0]["text"]
        assert await t.sql("SELECT * FROM outreach_subscriptions") == []  # not by default
        agreed = await t.web("w1", text="nhận tin của tổ")
        assert "Tổ công nghệ số xã Yên Bình sẽ nhắn bác" in texts(agreed)
        back = await t.web("w1", payload=payload(agreed, "▶️"))
        assert back[-1]["text"] == first[0]["text"]  # the same step
        question = await t.web("w1", payload=payload(back, "✅"))
        assert "điện thoại loại nào" in question[-1]["text"]
        stopped = await t.web("w1", text="không nhận nữa")  # not the answer "không"
        assert "không nhận tin của tổ nữa" in texts(stopped)
        again = await t.web("w1", payload=payload(stopped, "▶️"))
        assert again[-1]["text"] == question[-1]["text"]
        [row] = await t.sql("SELECT channel, unit_id, opted_in_at, opted_out_at, out_reason "
                            "FROM outreach_subscriptions")
        assert row[0] == "web" and row[1] == "yen_binh" and row[2] and row[3]
        assert row[4] == "words"
        twice = await t.web("w1", text="dừng nhận tin")
        assert "chưa đăng ký" in texts(twice)


async def test_an_offer_after_a_guide_and_the_residents_data(
    database_url: str, fake_api: HangingBotAPI, fake_zalo: FakeZalo, clock: ManualClock
) -> None:
    async with town(database_url, fake_api, fake_zalo, clock) as t:
        first = await t.web("w2", text="/start vneid_install-yen_binh")
        no_chip = await t.web("w2", payload=payload(first, "Tôi chưa có thẻ"))
        ended = await t.web("w2", payload=payload(no_chip, "Tôi đã hiểu"))
        offer = ended[-1]
        assert offer["text"].startswith("🔔 Bác có muốn nhận tin của tổ không ạ?")
        assert [b["label"] for b in offer["buttons"]] == ["✅ Đồng ý nhận tin", "Không, cảm ơn"]
        assert await t.sql("SELECT * FROM outreach_subscriptions") == []
        declined = await t.web("w2", payload=payload([offer], "Không"))
        assert "sẽ không gửi tin" in texts(declined)
        agreed = await t.web("w2", payload="a:in")
        assert "sẽ nhắn bác" in texts(agreed)

        mine = texts(await t.web("w2", text="xem dữ liệu của tôi"))
        assert "Nhận tin của tổ: đồng ý từ" in mine
        await t.web("w2", text="dừng nhận tin")
        assert "Nhận tin của tổ: đã dừng từ" in texts(await t.web("w2", text="/mydata"))
        again = await t.web("w3", text="/start vneid_install-yen_binh")
        assert again and not any("🔔" in m["text"] for m in again)

        await t.web("w2", text="xóa dữ liệu của tôi")
        await t.web("w2", payload="c:forget_yes")
        assert await t.sql("SELECT * FROM outreach_subscriptions") == []


async def test_during_a_hand_off_the_words_reach_the_assistant_not_the_member(
    database_url: str, fake_api: Any
) -> None:
    async with scene(database_url, fake_api, ManualClock(MORNING)) as s:
        await s.link_group()
        await s.join(MINH)
        await s.join(LAN)
        await s.web("w1", text="/start vneid_install-thon_dong")
        await s.web("w1", text="nhận tin của tổ")
        await s.web("w1", payload="c:stuck")
        await s.drain()
        post = s.last_to(-100777)
        await s.press(MINH, post, "🙋")
        await s.web_updates("w1")
        before = len(s.to(MINH))
        stopped = joined(await s.web("w1", text="dừng nhận tin"))
        assert "không nhận tin của tổ nữa" in stopped
        await s.drain()
        assert not [c for c in s.to(MINH)[before:] if "dừng nhận tin" in str(c.params)]
        relayed = await s.web("w1", text="cháu vẫn chưa cài được")
        assert relayed == []  # still talking to Minh
        await s.say(MINH, "/xong")
        asked = await s.web_updates("w1")
        solved = await s.web("w1", payload=payload(asked, "👍"))
        assert not any("🔔" in m["text"] for m in solved)  # they stopped: never offered again


async def test_a_solved_hand_off_offers_the_news_to_who_was_never_asked(
    database_url: str, fake_api: Any
) -> None:
    async with scene(database_url, fake_api, ManualClock(MORNING)) as s:
        await s.link_group()
        await s.join(MINH)
        await s.web("w2", text="/start vneid_install-thon_dong")
        await s.web("w2", payload="c:stuck")
        await s.drain()
        await s.press(MINH, s.last_to(-100777), "🙋")
        await s.web_updates("w2")
        await s.say(MINH, "/xong")
        asked = await s.web_updates("w2")
        solved = await s.web("w2", payload=payload(asked, "👍"))
        offer = solved[-1]
        assert offer["text"].startswith("🔔 Bác có muốn nhận tin của tổ không ạ?")
        assert "Tổ công nghệ số xã Yên Bình" in offer["text"]
        assert await s.sql("SELECT * FROM outreach_subscriptions") == []
        agreed = await s.web("w2", payload=payload([offer], "✅ Đồng ý"))
        assert "sẽ nhắn bác" in joined(agreed)
        assert len(await s.sql("SELECT * FROM outreach_subscriptions")) == 1
