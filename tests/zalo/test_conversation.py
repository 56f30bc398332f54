"""Residents on Zalo get what they get on Telegram: the real adapter, the real conversation
service and database, and the fake Zalo API on loopback."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import select

from bot.channels.zalo.render import MAX_BUTTONS
from bot.clock import ManualClock
from bot.storage.inbox import inbox
from bot.storage.tables import handoffs, residents
from tests.zalo.conftest import Bot, open_bot, payload
from tests.zalo.fake_zalo import FakeZalo


async def test_follow_gets_the_welcome_and_the_menu_from_the_background_workers(
        database_url: str, flows_dir: Path, fake: FakeZalo, clock: ManualClock) -> None:
    async with open_bot(database_url, flows_dir, fake, clock, workers=True) as bot:
        response = await bot.webhook.post(bot.webhook.event("follow", "u1"))
        assert response.status_code == 200
        for _ in range(400):  # the workers run on their own: wait for them, no timing claim
            if fake.sent_to("u1"):
                break
            await asyncio.sleep(0.025)
        sent = fake.sent_to("u1")
    assert len(sent) == 1
    assert "Chào" in sent[0].text or "chào" in sent[0].text
    titles = [b["title"] for b in sent[0].buttons]
    assert any(t.startswith("🪪") for t in titles)
    assert fake.violations == []


async def test_free_text_opens_the_right_guide(bot: Bot) -> None:
    sent = await bot.say("u1", "cài vneid")
    assert "Bước 1/" in sent[-1].text
    assert payload(sent, "✅").startswith("n:vneid_install.")


async def test_pressed_button_payload_moves_to_the_next_step(bot: Bot) -> None:
    first = await bot.say("u1", "/start vneid_install")
    second = await bot.say("u1", payload(first, "✅"))
    assert "Bước 2/" in second[0].text
    back = await bot.say("u1", payload(second, "⬅️"))
    assert "Bước 1/" in back[0].text


async def test_stuck_menu_and_resume_work_as_on_telegram(bot: Bot) -> None:
    first = await bot.say("u1", "/start vneid_install")
    stuck = await bot.say("u1", payload(first, "🆘"))
    assert "tổ" in stuck[0].text.lower()
    menu = await bot.say("u1", "menu")
    resumed = await bot.say("u1", payload(menu, "▶️"))
    assert "Bước 1/" in resumed[0].text
    stored = await bot.runtime.transactions.run(
        lambda conn: conn.execute(select(handoffs.c.flow_id)).scalars().all())
    assert stored == ["vneid_install"]


async def test_more_buttons_than_zalo_shows_are_numbered_and_answerable(bot: Bot) -> None:
    await bot.say("u1", "/start vneid_install")
    menu = await bot.say("u1", "menu")  # continue + 5 sections + team: 7 choices
    assert len(menu[0].buttons) == MAX_BUTTONS
    assert "1. " in menu[0].text
    numbered = menu[0].text.split("\n1. ", 1)[1].split("\n")[0]
    chosen = await bot.say("u1", "1")
    assert chosen, f"the number for {numbered!r} was not understood"
    assert chosen[0].text != menu[0].text


async def test_stickers_photos_and_locations_get_the_friendly_answer(bot: Bot) -> None:
    """A picture is read (tests/zalo/test_pictures.py); one that cannot be fetched says so,
    and the kept event no longer holds its address."""
    missing = bot.fake.base_url + "/files/photo.jpg"
    image = bot.webhook.event("user_send_image", "u1", text="", attachments=[
        {"type": "image", "payload": {"url": missing, "thumbnail": missing}}])
    sent = await bot.event(image)
    assert "chưa tải được ảnh" in sent[0].text
    for name in ("user_send_sticker", "user_send_audio", "user_send_location",
                 "user_send_file"):
        again = await bot.event(bot.webhook.event(name, "u1"))
        assert "chữ" in again[0].text
    stored = await bot.runtime.inbox.store.statuses("zalo")
    assert set(stored.values()) == {"done"}
    bodies = await bot.runtime.transactions.run(
        lambda conn: conn.execute(select(inbox.c.body)).scalars().all())
    assert any("user_send_image" in str(body) for body in bodies)
    assert not any("/files/photo.jpg" in str(body) for body in bodies)


async def test_a_share_code_opens_its_guide_and_codes_survive_a_restart(
        database_url: str, flows_dir: Path, fake: FakeZalo, clock: ManualClock) -> None:
    async with open_bot(database_url, flows_dir, fake, clock) as bot:
        codes = {c.flow_id: c.code for c in await bot.runtime.codes.all() if c.unit is None}
        team = await bot.runtime.codes.code_for(bot.runtime.catalog, "vneid_install",
                                                "yen_binh")
        sent = await bot.say("u1", codes["vssid_install"].lower())
        assert "Bước 1/" in sent[-1].text
        assert payload(sent, "✅").startswith("n:vssid_install.")
    async with open_bot(database_url, flows_dir, fake, clock) as bot:
        again = {c.flow_id: c.code for c in await bot.runtime.codes.all() if c.unit is None}
        assert again == codes
        assert await bot.runtime.codes.code_for(bot.runtime.catalog, "vneid_install",
                                                "yen_binh") == team
        sent = await bot.say("u2", team)
        assert payload(sent, "✅").startswith("n:vneid_install.")
        commune = await bot.runtime.transactions.run(lambda conn: conn.execute(
            residents.select().where(residents.c.external_id == "u2")).one().commune)
        assert commune == "yen_binh"


async def test_unfollow_marks_the_resident_inactive(bot: Bot) -> None:
    await bot.say("u1", "/start vneid_install")
    response = await bot.webhook.post(bot.webhook.event("unfollow", "u1"))
    assert response.status_code == 200
    await bot.settle()
    active = await bot.runtime.transactions.run(lambda conn: conn.execute(
        residents.select().where(residents.c.external_id == "u1")).one().active)
    assert active is False


async def test_health_says_ok_with_a_token_and_error_when_zalo_refuses_it(
        database_url: str, flows_dir: Path, fake: FakeZalo, clock: ManualClock) -> None:
    async with open_bot(database_url, flows_dir, fake, clock) as bot:
        await bot.say("u1", "xin chào")
        assert bot.channel.status == "ok"
    fake.refresh_tokens.clear()  # the stored chain is broken (e.g. revoked by the OA admin)
    fake.expire_access_tokens()
    async with open_bot(database_url, flows_dir, fake, clock) as bot:
        response = await bot.webhook.text("u1", "menu")
        assert response.status_code == 200  # events are still kept for later
        await bot.settle()
        assert bot.channel.status == "error"
        queued = await bot.runtime.outbox.store.messages("zalo", "u1")
        assert queued[-1]["status"] == "pending"  # waiting for a new token, not lost
