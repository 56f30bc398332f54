"""A resident on Zalo reaches the commune team like any other: the same tickets and relay,
the member's answers sent by the Zalo sender (within the OA's reply quota)."""

from __future__ import annotations

from bot.channels.telegram import TelegramChannel
from tests.server import serving
from tests.teams.conftest import GROUP, MINH, Updates, button, shown
from tests.telegram.conftest import config_for, feed
from tests.telegram.fake_api import FakeBotAPI
from tests.zalo.conftest import Bot, payload


async def test_a_zalo_resident_talks_with_a_member_on_telegram(bot: Bot) -> None:
    runtime, updates, api = bot.runtime, Updates(), FakeBotAPI()
    async with serving(api.app) as base:
        api.base_url = base
        telegram = TelegramChannel(config_for(api), runtime.service,
                                   queue=runtime.outbox, teams=(runtime.registry, runtime.desk))
        async with telegram.application:
            async def drain() -> None:
                while await runtime.outbox.drain("telegram"):
                    pass

            async def tg(update: dict[str, object]) -> None:
                await feed(telegram, update)
                await drain()

            link = await runtime.registry.new_code("link", "yen_binh")
            await tg(updates.text(f"/lienket {link}", MINH, GROUP))
            join = await runtime.registry.new_code("join", "yen_binh")
            await tg(updates.text(f"/start join-{join}", MINH))

            code = await runtime.codes.code_for(runtime.catalog, "vneid_install", "yen_binh")
            step = await bot.say("z1", code)
            stuck = await bot.say("z1", payload(step, "🆘"))
            assert any("đang chuyển câu hỏi" in s.text for s in stuck)
            await drain()  # the group post goes out
            await bot.settle()
            assert any("đã đến Tổ công nghệ số xã Yên Bình" in s.text
                       for s in bot.fake.sent_to("z1"))
            post = [c for c in api.sent() if c.params["chat_id"] == str(GROUP["id"])][-1]
            await tg(updates.press(button(post, "🙋"), post.result, MINH))
            await tg(updates.text("Bác bấm Cài đặt nhé", MINH))
            await bot.settle()
            assert bot.fake.sent_to("z1")[-1].text.startswith("👤 Minh: Bác bấm Cài đặt nhé")
            await bot.say("z1", "được rồi cháu ơi")
            await tg(updates.text("/xong", MINH))
            relayed = [shown(c) for c in api.sent() if c.params["chat_id"] == str(MINH["id"])]
            assert any("được rồi cháu ơi" in t for t in relayed)
            await bot.settle()
            assert "Minh đã kết thúc" in bot.fake.sent_to("z1")[-1].text
    assert bot.fake.violations == []
