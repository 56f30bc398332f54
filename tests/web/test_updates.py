"""``GET /api/chat/updates``: messages sent outside a request wait until the page fetches them
(long poll), in ``/api/chat``'s shape, acknowledged by the cursor the page sends back."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator

import httpx
import pytest

from bot.app import Runtime
from bot.channels.web.app import create_app
from bot.engine.messages import Button, Reply
from bot.outbox import replies_body
from bot.workers.background import TelegramSlot
from bot.workers.worker import build_app
from tests.server import serving


@pytest.fixture
async def client(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(runtime.service, runtime.health, mailbox=runtime.mailbox)
    async with serving(app) as base, httpx.AsyncClient(base_url=base, timeout=40) as http:
        yield http


async def send(runtime: Runtime, user: str, *texts: str, keep: dt.timedelta | None = None
               ) -> None:
    expires = runtime.clock.now() + keep if keep else None
    await runtime.outbox.send("web", user, replies_body(
        [Reply(t, (Button("↩️ Quay lại trợ lý", "t:leave"),)) for t in texts]),
        expires_at=expires)
    runtime.wake("web", user)


async def fetch(client: httpx.AsyncClient, user: str, after: str = "", wait: str = "0"
                ) -> dict[str, object]:
    response = await client.get("/api/chat/updates",
                                params={"user": user, "after": after, "wait": wait})
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    data: dict[str, object] = response.json()
    return data


async def test_messages_wait_until_the_page_acknowledges_them(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    assert await fetch(client, "w1") == {"messages": [], "cursor": "0"}
    await send(runtime, "w1", "👤 Minh: chào bác", "👤 Minh: bác còn đó không?")
    await send(runtime, "w2", "for someone else")
    first = await fetch(client, "w1")
    assert first["messages"] == [
        {"text": "👤 Minh: chào bác", "buttons": [{"label": "↩️ Quay lại trợ lý",
                                                 "payload": "t:leave"}], "image": None},
        {"text": "👤 Minh: bác còn đó không?", "buttons": [
            {"label": "↩️ Quay lại trợ lý", "payload": "t:leave"}], "image": None}]
    again = await fetch(client, "w1")  # the page was closed before it kept the cursor
    assert again == first
    cursor = str(first["cursor"])
    assert await fetch(client, "w1", after=cursor) == {"messages": [], "cursor": cursor}
    assert (await fetch(client, "w1"))["messages"] == []  # acknowledged: not again
    assert len((await fetch(client, "w2"))["messages"]) == 1  # per resident


async def test_a_waiting_page_gets_a_message_as_it_is_sent(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    waiting = asyncio.create_task(fetch(client, "w1", wait="20"))
    await asyncio.sleep(0.3)
    assert not waiting.done()
    await send(runtime, "w1", "✅ Tin báo của cháu đã đến tổ")
    messages = (await waiting)["messages"]
    assert isinstance(messages, list)
    assert [m["text"] for m in messages] == ["✅ Tin báo của cháu đã đến tổ"]


async def test_messages_nobody_fetched_in_time_are_dropped(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    await send(runtime, "w1", "old news", keep=dt.timedelta(seconds=-1))
    assert (await fetch(client, "w1"))["messages"] == []
    assert await runtime.mailbox.expire() == 1


@pytest.mark.parametrize(("query", "problem"), [
    ({}, "`user` is required"),
    ({"user": "x" * 65}, "at most 64"),
    ({"user": "w1", "after": "abc"}, "`after` must be a cursor"),
    ({"user": "w1", "after": "-1"}, "`after` must be a cursor"),
    ({"user": "w1", "wait": "99"}, "`wait` must be 0 to 25"),
    ({"user": "w1", "wait": "soon"}, "`wait` must be 0 to 25"),
])
async def test_bad_requests_get_a_clear_400(client: httpx.AsyncClient,
                                            query: dict[str, str], problem: str) -> None:
    response = await client.get("/api/chat/updates", params=query)
    assert response.status_code == 400
    assert problem in response.json()["error"]


async def test_the_server_a_worker_runs_answers_updates(runtime: Runtime) -> None:
    async with serving(build_app(runtime, TelegramSlot(runtime))) as base, \
            httpx.AsyncClient(base_url=base, timeout=10) as http:
        await send(runtime, "w1", "👤 Minh: chào bác")
        response = await http.get("/api/chat/updates", params={"user": "w1", "wait": "0"})
    assert response.status_code == 200
    assert response.json()["messages"][0]["text"] == "👤 Minh: chào bác"
