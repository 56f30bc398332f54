"""Issue 24's "done when", against the fake Bot API and the fake Zalo server with a clock the
test moves: exactly one copy to each resident who agreed (web, Telegram, Zalo), none to the
others; a send at 22:30 waits for 07:00; the figures say what happened."""

from __future__ import annotations

import datetime as dt
from typing import Any

from bot.clock import ManualClock
from bot.teams.hours import VIETNAM
from tests.announcements.conftest import GRANNY, UNCLE, HangingBotAPI, Town, town
from tests.zalo.fake_zalo import FakeZalo

TEXT = "Thứ Bảy này công an xã làm định danh mức 2 tại nhà văn hóa thôn. Hỏi {team_contact}."


def texts(messages: list[dict[str, Any]]) -> str:
    return "\n".join(m["text"] for m in messages)


async def agree_on_web(t: Town, user: str, unit: str = "yen_binh") -> str:
    await t.web(user, text=f"/start vneid_install-{unit}")
    return texts(await t.web(user, text="nhận tin của tổ"))


async def residents(t: Town, clock: ManualClock) -> None:
    """Who lives in the town, and what each of them said."""
    # A Zalo resident who agreed eight days ago and has not written since.
    clock.set(clock.now() - dt.timedelta(days=8))
    await t.za("z-old", "/start vneid_install-yen_binh")
    await t.za("z-old", "nhận tin của tổ")
    clock.set(clock.now() + dt.timedelta(days=8))
    agreed = await agree_on_web(t, "w-in")
    assert "Tổ công nghệ số xã Yên Bình sẽ nhắn bác" in agreed
    assert "nhiều nhất 1 tin một ngày và 4 tin một tuần" in agreed
    assert "dừng nhận tin" in agreed
    await agree_on_web(t, "w-out")
    stopped = texts(await t.web("w-out", text="Dừng nhận tin"))
    assert "không nhận tin của tổ nữa" in stopped
    await t.web("w-never", text="/start vneid_install-yen_binh")
    await agree_on_web(t, "w-other", unit="yen_thanh")
    await t.tg(GRANNY, "/start vneid_install-thon_dong")  # a village below the commune
    said = await t.tg(GRANNY, "cho bác nhận thông báo")
    assert any("sẽ nhắn bác" in str(c.params.get("text")) for c in said)
    await t.tg(UNCLE, "/start vneid_install-yen_binh")  # never agreed
    await t.za("z-in", "/start vneid_install-yen_binh")
    zalo = await t.za("z-in", "nhan tin cua to")
    assert "7 ngày gần nhất" in zalo[-1].text


async def test_each_resident_who_agreed_gets_exactly_one_copy(
    database_url: str, fake_api: HangingBotAPI, fake_zalo: FakeZalo, clock: ManualClock
) -> None:
    async with town(database_url, fake_api, fake_zalo, clock) as t:
        await residents(t, clock)
        created = await t.api("POST", "/announcements", unit_id="yen_binh", text=TEXT,
                              flow_id="vneid_level2")
        assert created.status_code == 201, created.text
        assert created.json()["state"] == "draft"
        number = created.json()["id"]

        preview = (await t.api("GET", f"/announcements/{number}/preview")).json()
        assert preview["by_channel"] == {"web": 1, "telegram": 1, "zalo": 1}
        assert preview["count"] == 3
        assert preview["skipped"] == {"zalo_window": 1}
        shown = preview["messages"]["telegram"]
        assert "Tin của Tổ công nghệ số xã Yên Bình" in shown["text"]
        assert "0912 000 111" in shown["text"]  # {team_contact} filled for the unit
        assert shown["buttons"] == ["📖 Xem hướng dẫn", "🔕 Dừng nhận tin"]

        wrong = await t.api("POST", f"/announcements/{number}/send", confirm_count=4)
        assert wrong.status_code == 409 and "3" in wrong.json()["error"]
        sent = await t.api("POST", f"/announcements/{number}/send", confirm_count=3)
        assert sent.status_code == 202, sent.text
        again = await t.api("POST", f"/announcements/{number}/send", confirm_count=3)
        assert again.status_code == 409

        assert await t.deliver() == 4  # three queued, one skipped
        assert await t.deliver() == 0  # a second pass targets nobody again
        granny = [x for x in t.telegram_texts(GRANNY) if "Tin của Tổ" in x]
        assert len(granny) == 1 and "nhà văn hóa thôn" in granny[0]
        assert not [x for x in t.telegram_texts(UNCLE) if "Tin của Tổ" in x]
        zalo_in = [s for s in fake_zalo.sent_to("z-in") if "Tin của Tổ" in s.text]
        assert len(zalo_in) == 1
        assert not [s for s in fake_zalo.sent_to("z-old") if "Tin của Tổ" in s.text]
        assert not fake_zalo.violations
        web = await t.web_updates("w-in")
        assert len(web) == 1 and "nhà văn hóa thôn" in web[0]["text"]
        assert [b["payload"] for b in web[0]["buttons"]] == ["f:vneid_level2", "a:out"]
        for other in ("w-out", "w-never", "w-other"):
            assert await t.web_updates(other) == []
        await t.web_updates("w-in")  # the page acknowledges what it showed

        status = (await t.api("GET", f"/announcements/{number}")).json()
        assert {k: status[k] for k in ("state", "targeted", "sent", "skipped", "failed",
                                       "opted_out_after")} == {
            "state": "sent", "targeted": 4, "sent": 3, "skipped": 1, "failed": 0,
            "opted_out_after": 0}
        assert status["delivered"] == 3 and status["skipped_by_reason"] == {"zalo_window": 1}

        opened = await t.web("w-in", payload="f:vneid_level2")
        assert "Bước 1/" in opened[0]["text"]
        await t.web("w-in", payload="a:out")
        status = (await t.api("GET", f"/announcements/{number}")).json()
        assert status["opened_guide"] == 1 and status["opted_out_after"] == 1
        audit = await t.sql("SELECT action FROM audit_log WHERE target LIKE 'announcement:%'")
        assert [a[0] for a in audit] == ["announcement_created", "announcement_sent"]


async def test_a_send_at_half_past_ten_at_night_waits_for_seven(
    database_url: str, fake_api: HangingBotAPI, fake_zalo: FakeZalo, clock: ManualClock
) -> None:
    async with town(database_url, fake_api, fake_zalo, clock) as t:
        await agree_on_web(t, "w-in")
        night = dt.datetime(2027, 1, 5, 22, 30, tzinfo=VIETNAM)
        clock.set(night.astimezone(dt.UTC))
        created = await t.api("POST", "/announcements", unit_id="yen_binh",
                              text="Tuần sau Viettel đổi SIM 4G miễn phí ở chợ.")
        number = created.json()["id"]
        preview = (await t.api("GET", f"/announcements/{number}/preview")).json()
        assert preview["held"] is True
        assert preview["release_at"] == dt.datetime(2027, 1, 6, 0, 0, tzinfo=dt.UTC).isoformat()
        sent = await t.api("POST", f"/announcements/{number}/send", confirm_count=1)
        assert sent.json()["release_at"] == preview["release_at"]
        assert await t.deliver() == 0
        clock.set(dt.datetime(2027, 1, 6, 6, 59, tzinfo=VIETNAM).astimezone(dt.UTC))
        assert await t.deliver() == 0
        assert await t.web_updates("w-in") == []
        clock.set(dt.datetime(2027, 1, 6, 7, 0, tzinfo=VIETNAM).astimezone(dt.UTC))
        assert await t.deliver() == 1
        assert "đổi SIM 4G" in (await t.web_updates("w-in"))[0]["text"]


async def test_one_a_day_per_resident_and_the_units_limit(
    database_url: str, fake_api: HangingBotAPI, fake_zalo: FakeZalo, clock: ManualClock
) -> None:
    async with town(database_url, fake_api, fake_zalo, clock) as t:
        await agree_on_web(t, "w-in")
        numbers = []
        for n in range(3):
            created = await t.api("POST", "/announcements", unit_id="yen_binh",
                                  text=f"Tin số {n + 1} của tổ.")
            numbers.append(created.json()["id"])
        first = await t.api("POST", f"/announcements/{numbers[0]}/send", confirm_count=1)
        assert first.status_code == 202
        await t.deliver()
        preview = (await t.api("GET", f"/announcements/{numbers[1]}/preview")).json()
        assert preview["count"] == 0 and preview["skipped"] == {"limit": 1}
        second = await t.api("POST", f"/announcements/{numbers[1]}/send", confirm_count=0)
        assert second.status_code == 202
        third = await t.api("POST", f"/announcements/{numbers[2]}/send", confirm_count=0)
        assert third.status_code == 409 and "tối đa 2 trong một ngày" in third.json()["error"]
        await t.deliver()
        assert len(await t.web_updates("w-in")) == 1
        clock.advance(dt.timedelta(days=1, minutes=1))
        status = (await t.api("GET", f"/announcements/{numbers[1]}")).json()
        assert status["skipped_by_reason"] == {"limit": 1}
