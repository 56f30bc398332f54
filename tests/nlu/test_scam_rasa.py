"""The fresh scam set through the whole service with the real Rasa model: whatever Rasa says
about a message, the scam warning comes first and the scam guide opens (or is offered inside
another guide)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.app import build_runtime
from bot.turn_contract import Incoming
from bot.intents.rasa import RasaRecognizer
from bot.intents.rasa_server import RasaServer
from tests.conftest import settings_for, sqlite_url
from tests.nlu.helpers import until
from tests.safety.messages import SCAM_MESSAGES
from tests.safety.test_scam_service import reached_scam_guide

pytestmark = [pytest.mark.rasa, pytest.mark.asyncio(loop_scope="session")]


async def test_scam_messages_with_rasa(rasa_server: RasaServer, tmp_path: Path) -> None:
    recognizer = RasaRecognizer(rasa_server.url, rasa_server.token, timeout=5.0)
    missed = []
    async with build_runtime(settings_for(sqlite_url(tmp_path)), recognizer=recognizer) as rt:
        await until(rt.recognizer.healthy, 30)  # the real model answers, not a fallback
        for number, text in enumerate(SCAM_MESSAGES):
            outside = await rt.service.handle_turn(Incoming("web", f"o{number}", text=text))
            await rt.service.handle(Incoming("web", f"i{number}", text="/start vneid_install"))
            inside = await rt.service.handle_turn(Incoming("web", f"i{number}", text=text))
            assert outside is not None and inside is not None
            if not (reached_scam_guide(outside) and reached_scam_guide(inside)):
                missed.append(text)
    await recognizer.aclose()
    assert not missed


async def test_in_guide_acknowledgements_never_reach_rasa_as_help(rasa_server: RasaServer,
                                                                  tmp_path: Path) -> None:
    """"tiep theo" was read as human_help by the model; inside a guide it means "done"."""
    recognizer = RasaRecognizer(rasa_server.url, rasa_server.token, timeout=5.0)
    async with build_runtime(settings_for(sqlite_url(tmp_path)), recognizer=recognizer) as rt:
        await rt.service.handle(Incoming("web", "r", text="/start vneid_install"))
        for text in ("tiep theo", "rồi", "ok", "dc roi", "next", "thấy rồi"):
            result = await rt.service.handle_turn(Incoming("web", "r", text=text))
            assert result is not None
            assert not any(e.kind == "handoff_requested" for e in result.events), text
            assert result.replies[0].text.startswith("**Bước"), (text, result.replies[0].text)
            back = await rt.service.handle_turn(Incoming("web", "r", text="quay lại"))
            assert back is not None
    await recognizer.aclose()
