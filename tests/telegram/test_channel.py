"""The channel as ``bot serve`` runs it: long polling, the webhook route, start-up trouble,
configuration, and ``serve()`` itself with a token."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from bot.app import Runtime
from bot.channels.telegram import TelegramChannel, TelegramConfig
from bot.channels.web.app import create_app
from bot.commands.serve import serve
from tests.conftest import settings_for, sqlite_url
from tests.server import serving
from tests.telegram.conftest import config_for
from tests.telegram.fake_api import TOKEN, FakeBotAPI
from tests.telegram.updates import Updates

ALLOWED = ["message", "callback_query", "inline_query", "my_chat_member"]


async def until(condition: Callable[[], bool], deadline: float = 15.0) -> None:
    """Wait for a condition (the deadline only guards against hanging)."""

    async def poll() -> None:
        while not condition():  # noqa: ASYNC110 (state owned by PTB and logging)
            await asyncio.sleep(0.01)

    await asyncio.wait_for(poll(), deadline)


async def test_long_polling_registers_commands_and_answers(
    fake_api: FakeBotAPI, runtime: Runtime, updates: Updates
) -> None:
    channel = TelegramChannel(config_for(fake_api), runtime.service)
    fake_api.queue_update(updates.text("/start"))
    async with channel.running():
        [greeting] = await fake_api.wait_for("sendMessage")
        assert "Cháu chào bác" in greeting.params["text"]
        menu_button = greeting.params["reply_markup"]["inline_keyboard"][0][0]
        fake_api.queue_update(updates.button(menu_button["callback_data"], greeting.result))
        await fake_api.wait_for("sendMessage", 2)
    assert fake_api.made("answerCallbackQuery")
    vietnamese, english = fake_api.made("setMyCommands")
    assert "language_code" not in vietnamese.params
    assert english.params["language_code"] == "en"
    assert [c["command"] for c in vietnamese.params["commands"]] == [
        "start",
        "menu",
        "tieptuc",
        "help",
        "stop",
    ]
    assert "resume" in [c["command"] for c in english.params["commands"]]
    assert "Xem danh mục hướng dẫn" in [c["description"] for c in vietnamese.params["commands"]]
    assert fake_api.made("deleteWebhook")  # polling and a webhook exclude each other
    assert fake_api.made("getUpdates")[0].params["allowed_updates"] == ALLOWED
    assert not channel.application.running


async def test_webhook_route_checks_the_secret_and_processes_updates(
    fake_api: FakeBotAPI, runtime: Runtime, updates: Updates
) -> None:
    config = config_for(fake_api, webhook_url="https://digiguide.example.org/tg/hook")
    channel = TelegramChannel(config, runtime.service)
    app = create_app(runtime.service, runtime.health, extra_routes=channel.routes)
    first, again = updates.text("/start"), updates.text("menu")
    async with serving(app) as base, httpx.AsyncClient(base_url=base) as http, channel.running():
        [registered] = await fake_api.wait_for("setWebhook")
        assert registered.params["url"] == "https://digiguide.example.org/tg/hook"
        assert registered.params["secret_token"] == "s3cret"
        assert registered.params["allowed_updates"] == ALLOWED
        await until(lambda: channel.application.running)

        assert (await http.post("/tg/hook", json=first)).status_code == 403
        wrong = {"X-Telegram-Bot-Api-Secret-Token": "guess"}
        assert (await http.post("/tg/hook", json=first, headers=wrong)).status_code == 403
        right = {"X-Telegram-Bot-Api-Secret-Token": "s3cret"}
        bad = await http.post("/tg/hook", content=b"{not json", headers=right)
        assert bad.status_code == 200  # dropped, but acknowledged: no redelivery
        for update in (first, first, again):  # Telegram redelivers the first one
            assert (await http.post("/tg/hook", json=update, headers=right)).status_code == 200
        replies = await fake_api.wait_for("sendMessage", 2)
    assert "Cháu chào bác" in replies[0].params["text"]
    assert "chọn một mục" in replies[1].params["text"]
    assert len(fake_api.made("sendMessage")) == 2  # no reply to refused or repeated updates
    assert not fake_api.made("getUpdates")
    assert not fake_api.made("deleteWebhook")  # the webhook stays for the next start


async def test_a_rejected_token_turns_telegram_off_without_stopping_the_process(
    fake_api: FakeBotAPI, runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    channel = TelegramChannel(
        config_for(fake_api, token="123:revoked"), runtime.service
    )
    assert channel.status == "starting"
    async with channel.running():
        await until(lambda: "rejected TELEGRAM_BOT_TOKEN" in caplog.text)
        assert channel.status == "off"
    assert not fake_api.made("getUpdates")


async def test_an_unreachable_telegram_is_retried(
    fake_api: FakeBotAPI, runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    fake_api.fail("getMe", 502, "Bad Gateway")
    channel = TelegramChannel(config_for(fake_api), runtime.service, retry_delay=0)
    async with channel.running():
        await fake_api.wait_for("getUpdates")
        await until(lambda: channel.status == "ok")
    assert len(fake_api.made("getMe", ok_only=False)) == 2
    assert "unreachable" in caplog.text


async def test_serve_runs_telegram_beside_the_web_chat(
    fake_api: FakeBotAPI, updates: Updates, tmp_path: Path
) -> None:
    settings = settings_for(
        sqlite_url(tmp_path), port=0, telegram_token=TOKEN, telegram_api_url=fake_api.base_url + "/"
    )
    fake_api.queue_update(updates.text("cai vneid the nao"))
    server = asyncio.create_task(serve(settings))
    try:
        [step] = await fake_api.wait_for("sendMessage")
        assert "Bước 1/" in step.params["text"]
    finally:
        server.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await server


def test_configuration_from_settings(tmp_path: Path) -> None:
    base = settings_for(sqlite_url(tmp_path))
    assert TelegramConfig.from_settings(base) is None
    with_token = settings_for(sqlite_url(tmp_path), telegram_token=TOKEN)
    polling = TelegramConfig.from_settings(with_token)
    assert polling is not None
    assert polling.api_url == "https://api.telegram.org" and polling.webhook_url is None
    assert len(polling.webhook_secret) == 64 and TOKEN not in polling.webhook_secret
    other = TelegramConfig.from_settings(
        settings_for(sqlite_url(tmp_path), telegram_token="1:other")
    )
    assert other is not None and other.webhook_secret != polling.webhook_secret
    hooked = TelegramConfig.from_settings(
        settings_for(
            sqlite_url(tmp_path),
            telegram_token=TOKEN,
            telegram_webhook_url="https://bot.example.org/",
            telegram_api_url="http://127.0.0.1:8081/",
            telegram_webhook_secret="my_secret-1",
        ),
    )
    assert hooked is not None
    assert hooked.webhook_url == "https://bot.example.org/telegram/webhook"
    assert hooked.webhook_path == "/telegram/webhook"
    assert hooked.webhook_secret == "my_secret-1"
    assert hooked.api_url == "http://127.0.0.1:8081"
    with pytest.raises(ValueError, match="TELEGRAM_WEBHOOK_SECRET"):
        TelegramConfig.from_settings(
            settings_for(sqlite_url(tmp_path), telegram_token=TOKEN, telegram_webhook_secret="a b")
        )
