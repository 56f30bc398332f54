"""Phone numbers and web addresses reach Telegram tappable.

A bot cannot send a ``tel:`` link (Telegram refuses the message) nor a ``phone_number`` entity
(Telegram ignores it), so phone numbers go as ``code``, which the apps copy with one tap; web
addresses are left for Telegram to find itself. The fake Bot API answers with the entities
Telegram would store, so these tests read what the resident's app gets.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from bot.app import Runtime
from bot.channels.links import find_links
from bot.channels.telegram import TelegramChannel
from bot.channels.telegram.markup import split_text, to_html
from bot.channels.telegram.photos import PhotoCache
from bot.channels.telegram.render import Renderer
from bot.communes import CommuneDirectory
from bot.engine.messages import Reply
from bot.engine.render import fill
from tests.conftest import FLOWS, ROOT
from tests.telegram.fake_api import FakeBotAPI
from tests.telegram.fake_entities import BadRequest, covered, parse
from tests.telegram.updates import RESIDENT

CASES = json.loads((ROOT / "tests" / "fixtures" / "links.json").read_text(encoding="utf-8"))
_BOLD = re.compile(r"\*\*(.+?)\*\*")


def plain(text: str) -> str:
    return _BOLD.sub(r"\1", text)


def check_tappable(text: str, shown: str, entities: list[dict[str, Any]]) -> list[str]:
    """Every link of ``text`` as Telegram shows it: phones as code, addresses as url."""
    problems = []
    for link in find_links(plain(text)):
        span = plain(text)[link.start:link.end]
        kind = "code" if link.kind == "tel" else "url"
        if not covered(shown, entities, span, kind):
            problems.append(f"{span!r} is not one {kind} entity in {shown[:60]!r}…")
    return problems


@pytest.mark.parametrize("case", CASES, ids=[c["text"][:30] for c in CASES])
def test_phones_become_code_and_addresses_stay_for_telegram(case: dict[str, Any]) -> None:
    shown, entities = parse(to_html(case["text"]), "HTML")
    assert shown == plain(case["text"])
    assert check_tappable(case["text"], shown, entities) == []
    phones = [span for span, href in case["links"] if href.startswith("tel:")]
    assert [e for e in entities if e["type"] == "code"] == [
        e for e in entities if e["type"] == "code" and shown[e["offset"]:][:e["length"]] in phones]
    assert len([e for e in entities if e["type"] == "code"]) == len(phones)
    nested = [(a, b) for a in entities for b in entities if a is not b and b["type"] == "code"
              and a["offset"] <= b["offset"] < a["offset"] + a["length"]]
    assert nested == []  # Telegram does not nest code inside bold


def test_telegram_refuses_tel_links_which_is_why_phones_are_code() -> None:
    with pytest.raises(BadRequest, match="Unsupported URL protocol"):
        parse('<a href="tel:19009068">1900 9068</a>', "HTML")
    _, entities = parse("gọi 1900 9068", None,
                        [{"type": "phone_number", "offset": 4, "length": 9}])
    assert entities == []  # a bot's phone_number entity is ignored


async def test_every_guide_step_reaches_telegram_with_tappable_details(
    channel: TelegramChannel, fake_api: FakeBotAPI, runtime: Runtime
) -> None:
    communes = CommuneDirectory.load(FLOWS.parent / "docs" / "examples" / "communes", {})
    places = communes.places("yen_binh")
    assert places["team_phone"][0].isdigit(), "the example commune has a real-looking number"
    texts = [fill(step.text, places)
             for compiled in runtime.catalog.flows.values()
             for step in compiled.flow.steps]
    renderer = Renderer(PhotoCache(FLOWS / "images"))
    await renderer.send(channel.application.bot, RESIDENT["id"], [Reply(t) for t in texts])
    sent = fake_api.sent()
    assert len(sent) == sum(len(split_text(t)) for t in texts)
    problems = []
    pieces = iter(sent)
    for text in texts:
        for piece in split_text(text):
            message = next(pieces).result
            problems += check_tappable(piece, message["text"], message.get("entities", []))
    assert problems == []
    found = [link for text in texts for link in find_links(plain(text))]
    assert sum(link.kind == "tel" for link in found) >= 8
    assert sum(link.kind == "web" for link in found) >= 2
