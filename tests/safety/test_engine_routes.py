"""Where the engine takes a message once the safety layer has read it (pure, the real guides):
the model's "scam_report" without a scam sign asks instead of alarming; a mistaken transfer of
the resident's own goes to the transfer guide's own step, or to the scam guide when that guide
is not published."""

from __future__ import annotations

from pathlib import Path

from bot.engine import texts
from bot.engine.catalog import Catalog
from bot.engine.engine import Engine
from bot.engine.messages import Inbound
from bot.engine.state import SessionState
from bot.flowspec import load_flows
from bot.intents.base import IntentGuess, IntentResult

FLOWS = Path(__file__).resolve().parents[2] / "flows"


def engine(without: str | None = None) -> Engine:
    loaded, _ = load_flows([FLOWS])
    return Engine(Catalog(item.flow for item in loaded if item.flow.id != without))


def scam_intent(confidence: float = 0.95) -> IntentResult:
    return IntentResult(ranking=(IntentGuess("scam_report", confidence),
                                 IntentGuess("payment_qr", 0.03)), source="test")


def test_the_model_alone_does_not_alarm() -> None:
    turn = engine().step(SessionState(), Inbound(text="con tôi gửi link zoom họp phụ huynh",
                                                 intent=scam_intent()))
    kinds = [e.kind for e in turn.events]
    assert "scam_signal" not in kinds and "flow_started" not in kinds
    assert turn.replies[0].text == texts.CLARIFY
    assert "f:scam_report" in [b.payload for b in turn.replies[0].buttons]  # one tap away


def test_a_sign_with_the_model_opens_the_scam_guide() -> None:
    turn = engine().step(SessionState(), Inbound(text="co nguoi goi doi ma otp",
                                                 intent=scam_intent()))
    assert turn.replies[0].text in texts.SCAM_WARNINGS.values()
    assert turn.state.flow_id == "scam_report"


def test_an_own_mistaken_transfer_goes_to_the_transfer_guide() -> None:
    text = "bác bấm nhầm một số, tiền đi sang người khác mất rồi"
    turn = engine().step(SessionState(), Inbound(text=text))
    assert turn.replies[0].text == texts.SCAM_WARNINGS["sent_by_mistake"]
    assert (turn.state.flow_id, turn.state.step_id) == ("payment_transfer", "wrong_bank")
    fallback = engine(without="payment_transfer").step(SessionState(), Inbound(text=text))
    assert fallback.state.flow_id == "scam_report"
