"""A worker killed mid-send, and another worker (after a restart) taking over: each resident
gets the announcement once. The messages the platform had taken when the worker died are
never sent again (``uncertain``); those not yet handed over are sent by the next worker."""

from __future__ import annotations

import asyncio
import datetime as dt

from bot.app import proactive_delivery
from bot.channels.telegram import TelegramChannel
from bot.clock import ManualClock
from bot.outbox import Outbox
from tests.announcements.conftest import HangingBotAPI, town
from tests.telegram.conftest import config_for
from tests.zalo.fake_zalo import FakeZalo

PEOPLE = [{"id": 610000 + n, "is_bot": False, "first_name": f"Người {n}",
           "language_code": "vi"} for n in range(12)]


async def _until(condition: object, what: str) -> None:
    """Wait for the worker to get there (a deadline only against hanging forever)."""
    for _ in range(600):
        if await condition():  # type: ignore[operator]
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"never happened: {what}")


def copies(fake: HangingBotAPI, person: dict[str, object]) -> int:
    return sum(1 for c in fake.made("sendMessage")
               if c.params["chat_id"] == str(person["id"]) and "Tin của Tổ" in c.params["text"])


async def test_killing_the_worker_mid_send_and_restarting_sends_each_resident_once(
    database_url: str, fake_api: HangingBotAPI, fake_zalo: FakeZalo, clock: ManualClock
) -> None:
    async with town(database_url, fake_api, fake_zalo, clock) as t:
        for person in PEOPLE:
            await t.tg(person, "/start vneid_install-yen_binh")
            await t.tg(person, "nhận tin của tổ")
        number = (await t.api("POST", "/announcements", unit_id="yen_binh",
                              text="Có lừa đảo mới: gọi điện xưng công an đòi cài ứng dụng."
                              )).json()["id"]
        sent = await t.api("POST", f"/announcements/{number}/send", confirm_count=12)
        assert sent.status_code == 202
        assert t.runtime.announcements is not None
        assert await t.runtime.announcements.dispatch() == 12

        # Worker A: its own outbox worker and Telegram bot, four messages a claim.
        doomed = Outbox(t.runtime.outbox.store, clock, worker_id="worker-a", batch=4)
        proactive_delivery(doomed, t.runtime.transactions, clock,
                                  t.runtime.announcements.rules)
        other = TelegramChannel(config_for(fake_api), t.runtime.service, queue=doomed)
        fake_api.hang_after = len(fake_api.made("sendMessage")) + 5
        async with other.application:
            async def work() -> None:
                while await doomed.drain("p:telegram"):
                    pass

            worker = asyncio.create_task(work())

            async def stuck() -> bool:
                sending = await t.sql("SELECT count(*) FROM outreach_deliveries "
                                      "WHERE status = 'sending'")
                return len(fake_api.hung) == 3 and sending[0][0] == 3

            await _until(stuck, "three messages taken by Telegram, unanswered")
            worker.cancel()  # killed: nothing more is recorded
            await asyncio.gather(worker, return_exceptions=True)
        assert sum(copies(fake_api, p) for p in PEOPLE) == 8

    fake_api.hang_after = None  # Telegram answers again
    clock.advance(dt.timedelta(minutes=3))  # worker A's leases run out
    async with town(database_url, fake_api, fake_zalo, clock, fresh=False) as t2:
        await t2.drain("p:telegram")
        assert [copies(fake_api, p) for p in PEOPLE] == [1] * 12
        status = (await t2.api("GET", f"/announcements/{number}")).json()
        assert status["sent"] == 9 and status["uncertain"] == 3 and status["waiting"] == 0
        await t2.drain("p:telegram")
        assert [copies(fake_api, p) for p in PEOPLE] == [1] * 12


