"""Rate limits over the HTTP API: a flood, invented residents, hand-offs from one address;
one open hand-off per resident; counters shared across workers (issue #9)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select

from bot.app import Runtime, build_runtime
from bot.channels.web.app import create_app
from bot.ratelimit import FLOOD, HANDOFFS, NEW_RESIDENTS, RateLimits, RateRules, Rule
from bot.storage.rate_counters import RateCounterStore, rate_counters
from bot.storage.tables import residents
from bot.storage.tickets import tickets
from bot.turn_contract import Incoming
from tests.conftest import EXAMPLE_COMMUNES, settings_for, sqlite_url
from tests.server import serving

HELP = "cho tôi gặp người thật"


@asynccontextmanager
async def served(tmp_path: Path, **limits: int) -> AsyncIterator[tuple[Runtime, httpx.AsyncClient]]:
    settings = settings_for(sqlite_url(tmp_path), communes_dir=EXAMPLE_COMMUNES, **limits)
    async with build_runtime(settings) as rt:
        app = create_app(rt.service, rt.health)
        async with serving(app) as base, httpx.AsyncClient(base_url=base, timeout=10) as http:
            yield rt, http


async def say(http: httpx.AsyncClient, user: str, **body: Any) -> str:
    response = await http.post("/api/chat", json={"user": user, **body})
    assert response.status_code == 200, response.text
    return "\n".join(m["text"] for m in response.json()["messages"])


async def count(rt: Runtime, table: Any) -> int:
    async with rt.database.engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(table))).scalar_one())


async def test_a_flood_gets_a_friendly_answer_and_touches_nothing(tmp_path: Path) -> None:
    async with served(tmp_path, rate_resident_per_minute=5) as (rt, http):
        for _ in range(5):
            assert FLOOD not in await say(http, "r1", text="/start")
        stored = await count(rt, residents)
        assert await say(http, "r1", text="/start") == FLOOD
        assert await count(rt, residents) == stored
        assert FLOOD not in await say(http, "r2", text="/start")  # others are not slowed
        # Telegram and Zalo messages carry no address: the HTTP limits do not apply.
        replies = await rt.service.handle(Incoming("telegram", "r1", text="/start"))
        assert replies and replies[0].text != FLOOD


async def test_invented_residents_are_refused_per_address(tmp_path: Path) -> None:
    async with served(tmp_path, rate_new_residents_per_hour=3) as (rt, http):
        for user in ("a", "b", "c"):
            assert NEW_RESIDENTS not in await say(http, user, text="/start")
        assert await say(http, "d", text="/start") == NEW_RESIDENTS
        assert await count(rt, residents) == 3  # "d" was rolled back, never created
        assert NEW_RESIDENTS not in await say(http, "a", text="menu")  # known ones go on


async def test_hand_offs_are_limited_per_address_and_one_per_resident(tmp_path: Path) -> None:
    async with served(tmp_path, rate_handoffs_per_hour=2) as (rt, http):
        for _ in range(4):  # one resident asking again and again: one ticket
            await say(http, "h1", text=HELP)
        assert await count(rt, tickets) == 1
        await say(http, "h2", text=HELP)  # the second hand-off from this address
        assert await say(http, "h3", text=HELP) == HANDOFFS
        assert await count(rt, tickets) == 2



async def test_counters_are_shared_across_workers(database_url: str) -> None:
    now = [1_000_000.0]
    async with build_runtime(settings_for(database_url)) as rt:
        store = RateCounterStore(rt.transactions)
        rules = RateRules(resident=Rule(3, 60))
        one, two = (RateLimits(rules, store, clock=lambda: now[0]) for _ in range(2))
        assert [one.resident("web", "x"), one.resident("web", "x")] == [None, None]
        assert two.resident("web", "x") is None
        await one.sync()
        await two.sync()  # learns that the two workers counted three together
        assert two.resident("web", "x") == FLOOD  # its second message only, but the fourth
        async with rt.database.engine.connect() as conn:
            keys = [row.key for row in await conn.execute(select(rate_counters))]
        assert keys and all("x" not in key and "web" not in key for key in keys)
        now[0] += 61  # the next window starts afresh, the old rows go
        assert one.resident("web", "x") is None
        await one.sync()
        assert await count(rt, rate_counters) == 1
