"""What residents type inside the shipped guides gets the expected move.

Run through the engine with the keyword recognizer standing in for the NLU (degraded mode),
as the conversation service would: the engine asks for an intent only for text it cannot
place at the step.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from bot.engine import texts
from bot.engine.catalog import Catalog
from bot.engine.engine import Engine, Turn
from bot.engine.messages import Inbound
from bot.engine.state import SessionState
from bot.flowspec import load_flows
from bot.intents.keywords import KeywordRecognizer

HERE = Path(__file__).parent
ROOT = HERE.parents[1]


def _rows() -> list[dict[str, str]]:
    lines = [line for line in (HERE / "in_guide_replies.tsv").read_text(encoding="utf-8")
             .splitlines() if line and not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t"))


ROWS = _rows()
LOADED, _ = load_flows([ROOT / "flows"])
FLOWS = [item.flow for item in LOADED]
ENGINE = Engine(Catalog(FLOWS))
KEYWORDS = KeywordRecognizer(FLOWS)


def _move(turn: Turn, before: SessionState) -> str:
    reached = [e for e in turn.events if e.kind == "step_reached"]
    if reached:
        return f"step:{reached[-1].flow_id}.{reached[-1].step_id}"
    first = turn.replies[0].text
    if first in (texts.TROUBLE_ASK, texts.TROUBLE_ASK_PLAIN) or first.startswith(
            texts.TROUBLE_TEAM[:20]):
        return "trouble"
    if first == texts.CHOOSE:
        return "choose"
    if first.startswith(texts.HANDOFF_OFFER[:17]):
        return "handoff_offer"
    if first.startswith(texts.SWITCH_OFFER[:20]):
        flow = next(b.payload[2:] for b in turn.replies[0].buttons if b.payload.startswith("f:"))
        return f"switch:{flow}"
    if first.startswith(texts.IN_FLOW_HINT[:20]) and turn.state == before:
        return "hint"
    return f"other: {first[:60]}"


def test_the_set_is_big_enough() -> None:
    assert len(ROWS) >= 40


@pytest.mark.parametrize("row", ROWS, ids=[f"{r['step']}:{r['text']}" for r in ROWS])
def test_in_guide_reply(row: dict[str, str]) -> None:
    compiled = ENGINE.catalog.flows[row["flow"]]
    state = SessionState().at(row["flow"], row["step"], compiled.way_to(row["step"]))
    inbound = Inbound(text=row["text"])
    if ENGINE.needs_intent(state, inbound):
        inbound = Inbound(text=row["text"], intent=KEYWORDS.recognize_now(row["text"]))
    turn = ENGINE.step(state, inbound)
    assert _move(turn, state) == row["expected"]
    assert not any(e.kind == "handoff_requested" for e in turn.events), "never a hand-off"
