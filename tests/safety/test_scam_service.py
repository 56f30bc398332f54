"""Every message of the fresh scam set, through the whole conversation service with the keyword
recognizer (the degraded mode while Rasa trains or is down): the first reply is the scam
warning and the resident is in the scam guide, or, inside another guide, is offered it with
the way back to their step. Never cut off: every answer ends with buttons."""

from __future__ import annotations

import pytest

from bot.app import Runtime
from bot.engine import texts
from bot.intents.keywords import KeywordRecognizer
from bot.turn_contract import Incoming, TurnResult
from tests.safety.messages import SCAM_MESSAGES

WARNINGS = set(texts.SCAM_WARNINGS.values())


def reached_scam_guide(result: TurnResult) -> bool:
    """The first reply warns, and the turn opened the scam guide (or offers it in-guide)."""
    if result.replies[0].text not in WARNINGS:
        return False
    opened = any(e.kind == "flow_started" and e.flow_id == "scam_report" for e in result.events)
    offered = any(b.payload == "f:scam_report" for b in result.replies[0].buttons)
    return (opened or offered) and bool(result.replies[-1].buttons)


async def test_scam_messages_outside_a_guide(runtime: Runtime) -> None:
    assert isinstance(runtime.recognizer, KeywordRecognizer)
    missed = []
    for number, text in enumerate(SCAM_MESSAGES):
        result = await runtime.service.handle_turn(Incoming("web", f"out-{number}", text=text))
        assert result is not None
        if not reached_scam_guide(result):
            missed.append(text)
    assert not missed


@pytest.mark.parametrize("guide", ["vneid_install", "payment_qr"])
async def test_scam_messages_inside_a_guide(runtime: Runtime, guide: str) -> None:
    missed = []
    for number, text in enumerate(SCAM_MESSAGES):
        user = f"in-{guide}-{number}"
        await runtime.service.handle(Incoming("web", user, text=f"/start {guide}"))
        result = await runtime.service.handle_turn(Incoming("web", user, text=text))
        assert result is not None
        if not reached_scam_guide(result):
            missed.append(text)
            continue
        # The way back to the guide the resident was in is always there.
        if result.guide is None or result.guide[0] != guide:
            back = await runtime.service.handle_turn(Incoming("web", user, payload="c:return"))
            assert back is not None and back.guide is not None and back.guide[0] == guide
    assert not missed


@pytest.mark.parametrize(("text", "intent"), [
    ("lỡ đọc mã otp cho thằng nó gọi xưng ngân hàng rồi", "scam_report"),
    ("có người xưng công an gọi bảo kích hoạt định danh", "scam_report"),
    ("cho tôi gặp người thật", "human_help"),
    ("giúp bác với, làm hoài không được", "human_help"),
    ("ko hieu gi het cho gap can bo xa", "human_help"),
])
def test_keyword_fallback_names_scams_and_help(runtime: Runtime, text: str,
                                               intent: str) -> None:
    assert isinstance(runtime.recognizer, KeywordRecognizer)
    top = runtime.recognizer.recognize_now(text).top
    assert top is not None and top.name == intent


async def test_help_request_in_degraded_mode_reaches_the_team(runtime: Runtime) -> None:
    result = await runtime.service.handle_turn(Incoming("web", "h", text="cho tôi gặp người thật"))
    assert result is not None
    assert any(e.kind == "handoff_requested" for e in result.events)
