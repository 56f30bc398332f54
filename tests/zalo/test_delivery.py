"""The webhook's guarantees and the sender's: signatures, redeliveries, restarts, tokens,
Zalo failures, the reply quota, long steps and step images."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from bot.channels.zalo import texts
from bot.channels.zalo.api import ZaloAPI
from bot.channels.zalo.tokens import TokenManager
from bot.clock import ManualClock
from bot.storage.database import Database
from bot.storage.inbox import inbox
from bot.storage.outbox import outbox
from bot.storage.runner import Transactions
from bot.storage.tables import events, residents
from bot.storage.zalo import ZaloStore
from tests.zalo.conftest import Bot, open_bot, payload
from tests.zalo.fake_zalo import APP_ID, APP_SECRET, FakeZalo, Sent


async def test_bad_signature_stale_time_or_wrong_app_is_refused(bot: Bot) -> None:
    event = bot.webhook.event("user_send_text", "u1", text="cài vneid")
    assert (await bot.webhook.post(event, secret="not-the-oa-secret")).status_code == 401
    other_app = {**event, "app_id": "999"}
    assert (await bot.webhook.post(other_app)).status_code == 401
    stale = {**event, "timestamp": str(int(
        (bot.clock.now() - dt.timedelta(hours=4)).timestamp() * 1000))}
    assert (await bot.webhook.post(stale)).status_code == 401
    async with httpx.AsyncClient() as client:
        response = await client.post(bot.webhook.url, content=b"{not json",
                                     headers={"X-ZEvent-Signature": "mac=00"})
    assert response.status_code == 400
    await bot.settle()
    assert bot.fake.sent == []
    assert await bot.runtime.inbox.store.statuses("zalo") == {}


async def test_the_oa_echo_and_receipts_are_ignored(bot: Bot) -> None:
    for name in ("oa_send_text", "user_received_message", "user_seen_message"):
        response = await bot.webhook.post(bot.webhook.event(name, "u1", text="hi"))
        assert response.status_code == 200
    await bot.settle()
    assert await bot.runtime.inbox.store.statuses("zalo") == {}
    assert bot.fake.sent == []


async def test_a_redelivered_event_is_handled_once(bot: Bot) -> None:
    first = await bot.say("u1", "/start vneid_install")
    press = bot.webhook.event("user_send_text", "u1", text=payload(first, "✅"))
    for retry in range(3):  # Zalo retries the very same event
        assert (await bot.webhook.post(press, retry=retry)).status_code == 200
        await bot.settle()
    sent = bot.fake.sent_to("u1")[len(first):]
    assert len(sent) == 1
    assert "Bước 2/" in sent[0].text


async def test_an_event_acknowledged_before_a_crash_is_processed_after_restart(
        database_url: str, flows_dir: Path, fake: FakeZalo, clock: ManualClock) -> None:
    async with open_bot(database_url, flows_dir, fake, clock) as bot:
        response = await bot.webhook.text("u1", "cài vneid")
        assert response.status_code == 200
        # The process dies here: acknowledged, stored, never processed.
    assert fake.sent == []
    async with open_bot(database_url, flows_dir, fake, clock, workers=True) as bot:
        for _ in range(400):
            if fake.sent_to("u1"):
                break
            await asyncio.sleep(0.025)
        statuses = await bot.runtime.inbox.store.statuses("zalo")
    assert "Bước 1/" in fake.sent_to("u1")[-1].text
    assert list(statuses.values()) == ["done"]


async def test_an_expired_token_is_refreshed_once_and_the_message_resent(bot: Bot) -> None:
    await bot.say("u1", "xin chào")
    refreshes = bot.fake.refreshes
    bot.fake.expire_access_tokens()  # Zalo now answers -216 to the token in hand
    sent = await bot.say("u1", "cài vneid")
    assert bot.fake.refreshes == refreshes + 1
    assert "Bước 1/" in sent[-1].text
    assert bot.fake.violations == []


async def test_the_token_is_refreshed_before_it_expires(bot: Bot) -> None:
    await bot.say("u1", "xin chào")
    refreshes = bot.fake.refreshes
    bot.clock.advance(dt.timedelta(seconds=bot.fake.expires_in) - dt.timedelta(minutes=5))
    sent = await bot.say("u1", "menu")
    assert sent and bot.fake.refreshes == refreshes + 1


async def test_two_workers_refreshing_at_once_refresh_once(
        database_url: str, fake: FakeZalo, clock: ManualClock, tmp_path: Path) -> None:
    from bot.storage.migrate import upgrade_async

    await upgrade_async(database_url)
    fake.token_delay = 0.3  # both workers ask while the first refresh is under way
    workers = []
    for _ in range(2):  # two processes: their own engines, pools and token managers
        database = Database(database_url)
        transactions = Transactions(database.engine)
        api = ZaloAPI(APP_ID, APP_SECRET, api_url=fake.base_url, oauth_url=fake.base_url)
        store = ZaloStore(database.engine, transactions)
        workers.append((database, transactions, api, TokenManager(
            api, store, clock, seed="rt-initial")))
    try:
        for *_, tokens in workers:
            await tokens.seed_store()
        got = await asyncio.gather(*(tokens.access_token() for *_, tokens in workers))
        assert fake.refreshes == 1
        assert got[0] == got[1]
        fake.expire_access_tokens()  # both see -216 with the same token at once
        again = await asyncio.gather(*(tokens.refresh(failed=got[0])
                                       for *_, tokens in workers))
        assert fake.refreshes == 2
        assert again[0] == again[1] != got[0]
        assert fake.violations == []
    finally:
        for database, transactions, api, _ in workers:
            await api.close()
            transactions.close()
            await database.dispose()


async def test_zalo_5xx_is_retried_with_backoff_in_order(bot: Bot) -> None:
    await bot.say("u1", "/start vneid_install")
    bot.fake.fail_next = [500, 502, 503]
    await bot.webhook.text("u1", "menu")
    await bot.webhook.text("u1", "/start vssid_install")
    await bot.settle()
    outbox = await bot.runtime.outbox.store.messages("zalo", "u1")
    assert [m["status"] for m in outbox[-2:]] == ["pending", "pending"]
    for _ in range(6):  # the outbox waits 2 s, 4 s, 8 s… between tries
        bot.clock.advance(dt.timedelta(seconds=30))
        await bot.settle()
    sent = bot.fake.sent_to("u1")
    assert "Bước" not in sent[-2].text  # the menu first, as written
    assert payload(sent[-1:], "✅").startswith("n:vssid_install.")
    assert bot.fake.fail_next == []


async def test_a_resident_who_left_stops_only_their_own_messages(bot: Bot) -> None:
    await bot.say("u1", "xin chào")
    await bot.say("u2", "xin chào")
    bot.fake.user_errors["u1"] = -213  # u1 unfollowed the OA meanwhile
    await bot.webhook.text("u1", "menu")
    await bot.webhook.text("u2", "menu")
    await bot.settle()
    statuses = [m["status"] for m in await bot.runtime.outbox.store.messages("zalo", "u1")]
    assert statuses[-1] == "cancelled"
    assert len(bot.fake.sent_to("u2")) == 2
    active = await bot.runtime.transactions.run(lambda conn: conn.execute(
        residents.select().where(residents.c.external_id == "u1")).one().active)
    assert active is False


async def test_the_reply_quota_is_respected_on_a_long_guide(bot: Bot) -> None:
    """Walk a whole guide pressing forward (✅, else the first choice): every turn fits in
    3 messages and Zalo never sees a reply beyond the quota."""
    sent = await bot.say("u1", "/start vneid_install")
    turns = 0
    while (forward := _forward(sent)) is not None and turns < 60:
        sent = await bot.say("u1", forward)
        assert 1 <= len(sent) <= 3
        turns += 1
    assert turns >= 5
    assert any("🎉" in s.text for s in sent)
    assert bot.fake.violations == []


def _forward(sent: list[Sent]) -> str | None:
    payloads = [str(b["payload"]) for s in sent for b in s.buttons]
    done = [p for p in payloads if p.startswith("n:")]
    choices = [p for p in payloads if p.startswith("s:")]
    return (done or choices or [None])[0]


async def test_when_the_quota_runs_out_the_last_reply_says_so_and_the_rest_waits(
        bot: Bot) -> None:
    await bot.say("u1", "xin chào")  # one reply used of 8
    for number in range(10):  # e.g. a team member's relays, queued outside any turn
        await bot.runtime.outbox.send("zalo", "u1", {"replies": [
            {"text": f"Tin số {number}", "buttons": [], "image": None}]})
    await bot.settle()
    sent = bot.fake.sent_to("u1")
    assert len(sent) == 8
    assert texts.QUOTA_NOTE in sent[-1].text
    assert all(texts.QUOTA_NOTE not in s.text for s in sent[:-1])
    assert bot.fake.violations == []
    waiting = [m["status"] for m in await bot.runtime.outbox.store.messages("zalo", "u1")]
    assert waiting[-3:] == ["held", "pending", "pending"]  # the rest queue behind, in order
    after = await bot.say("u1", "tiếp")  # writing again opens a new window
    assert [s.text for s in after[:3]] == ["Tin số 7", "Tin số 8", "Tin số 9"]
    assert bot.fake.violations == []


async def test_a_3000_character_step_is_split_with_the_buttons_last(bot: Bot) -> None:
    first = await bot.say("u1", "/start zalo_test")
    sent = await bot.say("u1", payload(first, "✅"))
    assert len(sent) == 2
    assert all(len(s.text) <= 2000 for s in sent)
    assert sent[0].buttons == [] and sent[1].buttons
    joined = sent[0].text + "\n" + sent[1].text
    assert "Dòng 0:" in joined and "Dòng 17:" in joined
    assert bot.fake.violations == []


async def test_a_step_image_is_uploaded_once_across_a_restart(
        database_url: str, flows_dir: Path, fake: FakeZalo, clock: ManualClock) -> None:
    async with open_bot(database_url, flows_dir, fake, clock) as bot:
        for user in ("u1", "u2"):
            sent = await bot.say(user, "/start zalo_test")
            assert sent[0].image is not None and sent[0].image["attachment_id"]
            assert "ảnh" in sent[1].text
    async with open_bot(database_url, flows_dir, fake, clock) as bot:
        sent = await bot.say("u3", "/start zalo_test")
        assert sent[0].image == fake.sent_to("u1")[0].image
    assert fake.uploads == 1


async def test_no_secret_and_no_token_reaches_the_logs_or_stays_in_the_database(
        bot: Bot, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    secrets = ["482913", "001203004567", "Abc@12345"]
    for text in ("mã otp là 482913", "cccd của tôi 001203004567", "mật khẩu là Abc@12345"):
        sent = await bot.say("u1", text)
        assert "🔒" in sent[0].text
    bot.fake.expire_access_tokens()
    await bot.say("u1", "menu")  # a refresh happens while the logs are captured
    rows: list[str] = []
    async with bot.runtime.database.engine.connect() as conn:
        for table in (inbox, outbox, events, residents):
            rows += [str(row) for row in (await conn.execute(select(table))).all()]
    stored = " ".join(rows)
    assert "[mã số]" in stored
    tokens = [t for t in bot.fake.access_tokens | bot.fake.refresh_tokens] + ["rt-initial"]
    for secret in secrets + tokens:
        assert secret not in caplog.text, secret
    for secret in secrets:
        assert secret not in stored, secret
