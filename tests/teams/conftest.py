"""A commune with its team, as a new deployment would have it: a registry imported from CSV, the
team's Telegram group linked with ``/lienket``, members joined through ``start=join-``; web
residents on a real HTTP server, Telegram residents and members through the fake Bot API."""

from __future__ import annotations

import datetime as dt
import itertools
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from bot.admin.app import console_mount
from bot.app import Runtime, build_runtime
from bot.channels.telegram import TelegramChannel
from bot.channels.web.app import create_app
from bot.clock import ManualClock
from bot.teams.hours import VIETNAM
from tests.conftest import FLOWS, settings_for
from tests.server import serving
from tests.telegram.conftest import config_for, feed
from tests.telegram.fake_api import Call, FakeBotAPI

REGISTRY = """unit_id,parent_id,level,name,team_name,team_phone,hours,escalate_after
lao_cai,,province,Tỉnh Lào Cai,Tổ công nghệ số tỉnh Lào Cai,0214 3840 000,,
yen_binh,lao_cai,commune,Xã Yên Bình,Tổ công nghệ số xã Yên Bình,0912 000 111,07:00-21:00,30
yen_thanh,lao_cai,commune,Xã Yên Thành,Tổ công nghệ số xã Yên Thành,0912 000 222,,
thon_dong,yen_binh,village,Thôn Đông,,,,
"""
GROUP = {"id": -100777, "type": "supergroup", "title": "Tổ CNS xã Yên Bình"}
PROVINCE_GROUP = {"id": -100888, "type": "supergroup", "title": "Tổ CNS tỉnh Lào Cai"}
MINH = {"id": 700101, "is_bot": False, "first_name": "Minh", "language_code": "vi"}
LAN = {"id": 700102, "is_bot": False, "first_name": "Lan", "language_code": "vi"}
HAI = {"id": 700103, "is_bot": False, "first_name": "Hải", "language_code": "vi"}
GRANNY = {"id": 555001, "is_bot": False, "first_name": "Bà Tư", "language_code": "vi"}
# 10:00 in Vietnam, inside the default hours
MORNING = dt.datetime(2026, 11, 30, 10, 0, tzinfo=VIETNAM).astimezone(dt.UTC)



@pytest.fixture
async def fake_api() -> AsyncIterator[FakeBotAPI]:
    fake = FakeBotAPI()
    async with serving(fake.app) as base:
        fake.base_url = base
        yield fake


class Updates:
    """Telegram updates for any user and chat (ids are unique across a test's restarts)."""

    def __init__(self) -> None:
        self._ids = itertools.count(int(os.getpid() % 1000) * 100000 + 1)
        self._numbers = itertools.count(1)

    def text(self, text: str, user: dict[str, Any], chat: dict[str, Any] | None = None
             ) -> dict[str, Any]:
        chat = chat or {"id": user["id"], "type": "private", "first_name": user["first_name"]}
        message: dict[str, Any] = {"message_id": next(self._numbers), "date": 0, "from": user,
                                   "chat": chat, "text": text}
        if text.startswith("/"):
            message["entities"] = [{"type": "bot_command", "offset": 0,
                                    "length": len(text.split()[0])}]
        return {"update_id": next(self._ids), "message": message}

    def press(self, data: str, message: dict[str, Any], user: dict[str, Any]
              ) -> dict[str, Any]:
        return {"update_id": next(self._ids), "callback_query": {
            "id": f"cq{next(self._numbers)}", "from": user, "chat_instance": "ci",
            "data": data, "message": message}}


@dataclass
class Scene:
    runtime: Runtime
    telegram: TelegramChannel
    fake: FakeBotAPI
    http: httpx.AsyncClient
    clock: ManualClock
    updates: Updates = field(default_factory=Updates)
    cursors: dict[str, str] = field(default_factory=dict)

    # ------------------------------------------------------------- Telegram
    async def drain(self) -> None:
        """Send everything the outbox holds for Telegram (no background workers needed)."""
        while await self.runtime.outbox.drain("telegram"):
            pass

    async def tg(self, update: dict[str, Any]) -> None:
        await feed(self.telegram, update)
        await self.drain()

    async def say(self, user: dict[str, Any], text: str,
                  chat: dict[str, Any] | None = None) -> list[Call]:
        before = len(self.fake.calls)
        await self.tg(self.updates.text(text, user, chat))
        return self.fake.calls[before:]

    async def press(self, user: dict[str, Any], call: Call, label_start: str) -> list[Call]:
        before = len(self.fake.calls)
        await self.tg(self.updates.press(button(call, label_start), call.result, user))
        return self.fake.calls[before:]

    def to(self, chat: dict[str, Any] | int) -> list[Call]:
        chat_id = str(chat if isinstance(chat, int) else chat["id"])
        return [c for c in self.fake.sent() if c.params["chat_id"] == chat_id]

    def last_to(self, chat: dict[str, Any] | int) -> Call:
        sent = self.to(chat)
        assert sent, f"nothing sent to {chat}"
        return sent[-1]

    # ------------------------------------------------------------- web
    async def web(self, user: str, **body: str) -> list[dict[str, Any]]:
        response = await self.http.post("/api/chat", json={"user": user, **body})
        assert response.status_code == 200, response.text
        messages: list[dict[str, Any]] = response.json()["messages"]
        return messages

    async def web_updates(self, user: str, wait: float = 0) -> list[dict[str, Any]]:
        response = await self.http.get("/api/chat/updates", params={
            "user": user, "after": self.cursors.get(user, ""), "wait": str(wait)})
        assert response.status_code == 200, response.text
        data = response.json()
        self.cursors[user] = data["cursor"]
        messages: list[dict[str, Any]] = data["messages"]
        return messages

    # ------------------------------------------------------------- the team
    async def link_group(self, unit: str = "yen_binh", group: dict[str, Any] = GROUP,
                         by: dict[str, Any] = MINH) -> str:
        code = await self.runtime.registry.new_code("link", unit)
        sent = await self.say(by, f"/lienket {code}", chat=group)
        return str(sent[-1].params["text"])

    async def join(self, user: dict[str, Any], unit: str = "yen_binh") -> str:
        code = await self.runtime.registry.new_code("join", unit)
        sent = await self.say(user, f"/start join-{code}")
        return str(sent[-1].params["text"])

    async def sql(self, query: str) -> list[Any]:
        async with self.runtime.database.engine.connect() as conn:
            return list((await conn.execute(text(query))).all())


def shown(call: Call) -> str:
    """The text as the user sees it (HTML parsed)."""
    result = call.result if isinstance(call.result, dict) else {}
    return str(result.get("text") or result.get("caption") or call.params.get("text", ""))


def button(call: Call, label_start: str) -> str:
    markup = call.params.get("reply_markup") or {}
    for row in markup.get("inline_keyboard", []):
        for key in row:
            if key["text"].startswith(label_start):
                return str(key["callback_data"])
    raise AssertionError(f"no button {label_start!r} in {markup}")


def payload(messages: list[dict[str, Any]], label_start: str) -> str:
    for message in messages:
        for key in message["buttons"]:
            if key["label"].startswith(label_start):
                return str(key["payload"])
    raise AssertionError(f"no button {label_start!r} in {messages}")


def joined(messages: list[dict[str, Any]]) -> str:
    return "\n".join(m["text"] for m in messages)


@asynccontextmanager
async def scene(database_url: str, fake: FakeBotAPI, clock: ManualClock, *,
                registry: str | None = REGISTRY, **settings: Any) -> AsyncIterator[Scene]:
    """A running bot: runtime, Telegram channel (initialised), web server; the registry
    imported when given (a restart passes None: it is in the database already)."""
    config = settings_for(database_url, flows_dir=FLOWS, communes_dir=Path("/nonexistent"),
                          **settings)
    async with build_runtime(config, clock=clock) as runtime:
        if registry is not None:
            imported = await runtime.registry.import_csv("registry.csv", registry.encode())
            assert imported.counts is not None, imported.problems
        telegram = TelegramChannel(config_for(fake), runtime.service,
                                   queue=runtime.outbox, teams=(runtime.registry, runtime.desk),
                                   reports=runtime.reports)
        app = create_app(runtime.service, runtime.health, mailbox=runtime.mailbox,
                         extra_routes=[console_mount(runtime.console, runtime.served)])
        async with telegram.application, serving(app) as base, \
                httpx.AsyncClient(base_url=base, timeout=30) as http:
            yield Scene(runtime, telegram, fake, http, clock)
