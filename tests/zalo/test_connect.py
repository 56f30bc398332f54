"""``zalo-connect``: the OA admin's permission code becomes stored tokens, and the channel
then runs without ``ZALO_REFRESH_TOKEN``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from bot.channels.zalo.channel import ZaloConfig
from bot.clock import ManualClock
from bot.commands.zalo_connect import permission_link, store_first_tokens
from tests.conftest import settings_for, sqlite_url
from tests.zalo.conftest import open_bot
from tests.zalo.fake_zalo import APP_ID, APP_SECRET, OA_SECRET, FakeZalo


async def test_the_first_tokens_come_from_the_admins_permission(
        tmp_path: Path, flows_dir: Path, fake: FakeZalo, clock: ManualClock) -> None:
    fake.refresh_tokens.clear()  # no ZALO_REFRESH_TOKEN anywhere
    database_url = sqlite_url(tmp_path)
    settings = settings_for(database_url, zalo_app_id=APP_ID, zalo_app_secret=APP_SECRET,
                            zalo_oa_secret=OA_SECRET, zalo_api_url=fake.base_url,
                            zalo_oauth_url=fake.base_url)
    config = ZaloConfig.from_settings(settings)
    assert config is not None
    link, verifier = permission_link(config, "https://bot.example.org/zalo/connected")
    query = parse_qs(urlsplit(link).query)
    assert link.startswith(fake.base_url + "/v4/oa/permission?")
    assert query["app_id"] == [APP_ID]
    async with open_bot(database_url, flows_dir, fake, clock, refresh_token=None) as bot:
        assert await bot.say("u1", "xin chào") == []  # kept: the reply waits in the outbox
        assert bot.channel.status == "off"
        fake.codes["code-from-redirect"] = query["code_challenge"][0]  # the admin allowed it
        await store_first_tokens(settings, config, "code-from-redirect", verifier)
        await bot.webhook.text("u1", "cài vneid")
        bot.clock.advance(dt.timedelta(minutes=5))  # the outbox tries again in order
        await bot.settle()
        sent = fake.sent_to("u1")
        assert "Chào" in sent[0].text or "chào" in sent[0].text  # the waiting reply first
        assert "Bước 1/" in sent[-1].text
        assert bot.channel.status == "ok"
    assert fake.refreshes == 0 and fake.violations == []
