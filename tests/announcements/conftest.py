"""A commune whose team writes announcements: a registry (province, two communes, a village),
the console's accounts, web residents on a real HTTP server, Telegram residents through the
fake Bot API and Zalo residents through the fake Zalo server, on one real database, with a
clock the tests move."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from starlette.requests import Request
from starlette.responses import JSONResponse

from bot.admin.app import console_mount
from bot.app import Runtime, build_runtime, zalo_channel
from bot.channels.telegram import TelegramChannel
from bot.channels.web.app import create_app
from bot.channels.web.followups import followup_routes
from bot.channels.zalo import ZaloChannel
from bot.clock import ManualClock
from bot.teams.hours import VIETNAM
from tests.accounts.conftest import CHEAP
from tests.conftest import FLOWS, settings_for
from tests.server import serving
from tests.teams.conftest import REGISTRY, Updates
from tests.telegram.conftest import config_for
from tests.telegram.fake_api import Call, FakeBotAPI
from tests.zalo.fake_zalo import (
    APP_ID,
    APP_SECRET,
    FIRST_REFRESH,
    OA_SECRET,
    FakeZalo,
    Sent,
    ZaloWebhookClient,
)

PASSWORD = "mật khẩu thử nghiệm 1"
# 09:00 on a Tuesday in Vietnam
MORNING = dt.datetime(2027, 1, 5, 9, 0, tzinfo=VIETNAM).astimezone(dt.UTC)
GRANNY = {"id": 555001, "is_bot": False, "first_name": "Bà Tư", "language_code": "vi"}
UNCLE = {"id": 555002, "is_bot": False, "first_name": "Ông Năm", "language_code": "vi"}


class HangingBotAPI(FakeBotAPI):
    """The fake Bot API that can stop answering: a message is taken (Telegram has it) but the
    answer never comes back, as when the worker sending it is killed."""

    def __init__(self) -> None:
        super().__init__()
        self.hang_after: int | None = None
        self.hung: list[str] = []
        self.release = asyncio.Event()

    async def _endpoint(self, request: Request) -> JSONResponse:
        answer = await super()._endpoint(request)
        taken = len(self.made("sendMessage"))
        if request.path_params["method"] == "sendMessage" and self.hang_after is not None \
                and taken > self.hang_after:
            self.hung.append(str(self.made("sendMessage")[-1].params["chat_id"]))
            await self.release.wait()
        return answer


@pytest.fixture
async def fake_api() -> AsyncIterator[HangingBotAPI]:
    fake = HangingBotAPI()
    async with serving(fake.app) as base:
        fake.base_url = base
        yield fake
        fake.release.set()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(MORNING)


@pytest.fixture
async def fake_zalo(clock: ManualClock) -> AsyncIterator[FakeZalo]:
    zalo = FakeZalo(clock)
    async with serving(zalo.app) as base:
        zalo.base_url = base
        yield zalo


@dataclass
class Town:
    runtime: Runtime
    telegram: TelegramChannel
    zalo: ZaloChannel
    fake: HangingBotAPI
    fake_zalo: FakeZalo
    webhook: ZaloWebhookClient
    http: httpx.AsyncClient
    clock: ManualClock
    updates: Updates = field(default_factory=Updates)
    cursors: dict[str, str] = field(default_factory=dict)

    # ------------------------------------------------------------- residents
    async def web(self, user: str, **body: str) -> list[dict[str, Any]]:
        response = await self.http.post("/api/chat", json={"user": user, **body})
        assert response.status_code == 200, response.text
        messages: list[dict[str, Any]] = response.json()["messages"]
        return messages

    async def web_updates(self, user: str) -> list[dict[str, Any]]:
        response = await self.http.get("/api/chat/updates", params={
            "user": user, "after": self.cursors.get(user, ""), "wait": "0"})
        assert response.status_code == 200, response.text
        data = response.json()
        self.cursors[user] = data["cursor"]
        messages: list[dict[str, Any]] = data["messages"]
        return messages

    async def tg(self, user: dict[str, Any], text_: str) -> list[Call]:
        from tests.telegram.conftest import feed

        before = len(self.fake.calls)
        await feed(self.telegram, self.updates.text(text_, user))
        await self.drain("telegram")
        return self.fake.calls[before:]

    async def za(self, user: str, text_: str) -> list[Sent]:
        before = len(self.fake_zalo.sent_to(user))
        response = await self.webhook.text(user, text_)
        assert response.status_code == 200, response.text
        while await self.runtime.inbox.drain("zalo") + await self.runtime.outbox.drain("zalo"):
            pass
        return self.fake_zalo.sent_to(user)[before:]

    def telegram_texts(self, user: dict[str, Any]) -> list[str]:
        return [str(c.params["text"]) for c in self.fake.sent()
                if c.params["chat_id"] == str(user["id"])]

    async def drain(self, *channels: str) -> None:
        for channel in channels:
            while await self.runtime.outbox.drain(channel):
                pass

    async def deliver(self) -> int:
        """What the announcements job and the outbox workers do, at the clock's time."""
        assert self.runtime.announcements is not None
        targeted = await self.runtime.announcements.dispatch()
        await self.drain("p:telegram", "p:zalo")
        return targeted

    # ------------------------------------------------------------- the console's API
    async def api(self, method: str, path: str, login: str = "yb_editor",
                  **body: Any) -> httpx.Response:
        """A console API call as ``login`` (signed in for it, with its CSRF token)."""
        signed = await self.http.post("/admin/api/login",
                                      json={"login": login, "password": PASSWORD})
        assert signed.status_code == 200, signed.text
        return await self.http.request(method, "/admin/api" + path,
                                       json=body if method != "GET" else None,
                                       headers={"X-CSRF-Token": signed.json()["csrf_token"]})

    async def sql(self, query: str) -> list[Any]:
        async with self.runtime.database.engine.connect() as conn:
            return list((await conn.execute(text(query))).all())


ACCOUNTS = {"admin": ("admin", None), "yb_editor": ("editor", "yen_binh"),
            "yt_editor": ("editor", "yen_thanh")}


@asynccontextmanager
async def town(database_url: str, fake: HangingBotAPI, fake_zalo: FakeZalo,
               clock: ManualClock, *, fresh: bool = True) -> AsyncIterator[Town]:
    settings = settings_for(database_url, flows_dir=FLOWS, communes_dir=Path("/nonexistent"),
                            zalo_app_id=APP_ID, zalo_app_secret=APP_SECRET,
                            zalo_oa_secret=OA_SECRET, zalo_refresh_token=FIRST_REFRESH,
                            zalo_api_url=fake_zalo.base_url, zalo_oauth_url=fake_zalo.base_url)
    async with build_runtime(settings, clock=clock, poll=0.05) as runtime:
        if fresh:
            imported = await runtime.registry.import_csv("registry.csv", REGISTRY.encode())
            assert imported.counts is not None, imported.problems
            runtime.console.accounts.passwords = CHEAP
            for login, (role, commune) in ACCOUNTS.items():
                await runtime.console.accounts.create_user(login, role, commune=commune,
                                                           password=PASSWORD)
        telegram = TelegramChannel(config_for(fake), runtime.service, queue=runtime.outbox,
                                   teams=(runtime.registry, runtime.desk))
        zalo = zalo_channel(runtime, per_second=1000.0)
        assert zalo is not None and runtime.followups is not None
        app = create_app(runtime.service, runtime.health, mailbox=runtime.mailbox,
                         extra_routes=[*zalo.routes, *followup_routes(runtime.followups),
                                       console_mount(runtime.console, runtime.served)])
        async with telegram.application, serving(app) as base, \
                httpx.AsyncClient(base_url=base, timeout=30) as http:
            await zalo.start()
            try:
                yield Town(runtime, telegram, zalo, fake, fake_zalo,
                           ZaloWebhookClient(base + "/zalo/webhook", fake_zalo, clock), http,
                           clock)
            finally:
                await zalo.stop()
