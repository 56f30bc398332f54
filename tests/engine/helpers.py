"""Build an engine over the test flows and run scripted turns through it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.engine.catalog import Catalog
from bot.engine.engine import Engine, Turn
from bot.engine.messages import Inbound
from bot.engine.state import SessionState
from bot.flowspec import load_flows
from bot.intents.base import IntentGuess, IntentResult

FLOWS = Path(__file__).parent / "flows"


YEN_BINH = {"team_name": "Tổ CNS xã Yên Bình", "team_phone": "0900 000 000"}


def demo_engine(places: dict[str, str] | None = None) -> Engine:
    """The engine over the test flows, for a commune with a team phone (``places={}``: the
    deployment's defaults, no commune configured)."""
    loaded, problems = load_flows([FLOWS])
    assert not problems, problems
    return Engine(Catalog(item.flow for item in loaded), YEN_BINH if places is None else places)


def intent(*ranking: tuple[str, float], **entities: str) -> IntentResult:
    return IntentResult(ranking=tuple(IntentGuess(n, c) for n, c in ranking),
                        entities=dict(entities), source="test")


def inbound_from(send: dict[str, Any]) -> Inbound:
    """A turn's input from its golden-file form: text/payload, optional intent ranking."""
    ranking = send.get("intent")
    result = None
    if ranking is not None:
        result = intent(*((name, float(conf)) for name, conf in ranking.items()),
                        **send.get("entities", {}))
    return Inbound(text=send.get("text"), payload=send.get("payload"), intent=result,
                   resumed=bool(send.get("resumed", False)), unsupported=send.get("unsupported"))


def describe(turn: Turn) -> dict[str, Any]:
    """A turn as plain data, for golden files."""
    return {
        "replies": [
            {"text": r.text, "buttons": [f"{b.label} -> {b.payload}" for b in r.buttons],
             **({"image": r.image} if r.image else {})}
            for r in turn.replies
        ],
        "events": [e.kind + (f":{e.step_id}" if e.step_id else "") for e in turn.events],
        "state": turn.state.to_json(),
    }


def run(engine: Engine, sends: list[dict[str, Any]],
        state: SessionState | None = None) -> list[dict[str, Any]]:
    current = state or SessionState()
    results = []
    for send in sends:
        turn = engine.step(current, inbound_from(send))
        current = turn.state
        results.append({"send": send, **describe(turn)})
    return results
