"""Inline mode: a team member types ``@bot vneid`` in a resident's chat and shares a guide."""

from __future__ import annotations

from typing import Any

import pytest

from bot.app import Runtime
from bot.channels.telegram import TelegramChannel, inline
from bot.engine.catalog import Catalog
from tests.telegram.conftest import feed
from tests.telegram.fake_api import FakeBotAPI
from tests.telegram.updates import Updates


async def results_for(
    channel: TelegramChannel, fake_api: FakeBotAPI, updates: Updates, query: str
) -> list[dict[str, Any]]:
    update = updates.inline(query)
    await feed(channel, update)
    [answer] = fake_api.made("answerInlineQuery")
    assert answer.params["inline_query_id"] == update["inline_query"]["id"]
    results: list[dict[str, Any]] = answer.params["results"]
    return results


async def test_a_query_lists_the_guide_with_a_deep_link_card(
    channel: TelegramChannel, fake_api: FakeBotAPI, updates: Updates
) -> None:
    results = await results_for(channel, fake_api, updates, "vneid")
    by_id = {r["id"]: r for r in results}
    card = by_id["vneid_install"]
    assert card["type"] == "article"
    assert "VNeID" in card["title"]
    [[button]] = card["reply_markup"]["inline_keyboard"]
    assert button["url"] == "https://t.me/digiguide_test_bot?start=vneid_install"
    assert card["title"] in card["input_message_content"]["message_text"]
    assert all("vneid" in r["id"] or "VNeID" in r["title"] for r in results)


@pytest.mark.parametrize("query", ["ĐỊNH DANH", "dinh danh", "  cài   VNEID "])
async def test_search_ignores_case_diacritics_and_spacing(
    channel: TelegramChannel, fake_api: FakeBotAPI, updates: Updates, query: str
) -> None:
    results = await results_for(channel, fake_api, updates, query)
    assert "vneid_install" in [r["id"] for r in results]


async def test_an_empty_query_lists_every_guide_and_nonsense_lists_none(
    channel: TelegramChannel, fake_api: FakeBotAPI, updates: Updates, runtime: Runtime
) -> None:
    everything = await results_for(channel, fake_api, updates, "")
    assert sorted(r["id"] for r in everything) == sorted(runtime.catalog.flows)[:50]
    fake_api.calls.clear()
    assert await results_for(channel, fake_api, updates, "xyzzy qwerty") == []


def test_results_come_in_pages_of_fifty(runtime: Runtime) -> None:
    flows = [c.flow for c in runtime.catalog.flows.values()] * 60
    first, offset = inline.page(flows, "")
    second, next_offset = inline.page(flows, offset)
    assert (len(first), offset) == (50, "50")
    assert len(second) == 50 and second[0] is flows[50] and next_offset == "100"
    tail, none_left = inline.page(flows, str(len(flows) - 3))
    assert len(tail) == 3 and none_left == ""
    assert inline.page(flows, "not a number")[0] == first


async def test_a_guide_published_meanwhile_is_found_with_its_new_title(
    channel: TelegramChannel, fake_api: FakeBotAPI, updates: Updates, runtime: Runtime
) -> None:
    flows = [compiled.flow for compiled in runtime.catalog.flows.values()]
    renamed = [flow.model_copy(update={"title": "Cài ứng dụng Căn cước số"})
               if flow.id == "vneid_install" else flow for flow in flows]
    runtime.reload(Catalog(renamed), {})
    results = await results_for(channel, fake_api, updates, "can cuoc so")
    assert [r["title"] for r in results if r["id"] == "vneid_install"] == [
        "Cài ứng dụng Căn cước số"]
