"""Residents' messages, and the inbox as an editor sees it."""

from __future__ import annotations

from bot.turn_contract import Incoming
from tests.admin.conftest import Site


async def say(site: Site, user: str, text: str) -> None:
    await site.runtime.service.handle(Incoming("web", user, text=text))


async def inbox(site: Site, sort: str = "newest") -> list[dict[str, object]]:
    async with site.client("editor") as (client, _):
        response = await client.get(f"/admin/api/unanswered?sort={sort}")
    assert response.status_code == 200, response.text
    groups: list[dict[str, object]] = response.json()
    return groups
