"""Every path of every shipped guide, walked through the engine by pressing its buttons.

What residents read along each path is checked the way they read it: the step counter ("Bước
n/m") never goes backwards on a forward press and its total never grows; an ending's wording
matches the path that led to it; no reply is a dead end or repeats a button; a turn carries at
most one Menu button and one set of team details; fill-ins read naturally with and without a
configured commune; and advice that cuts the phone off only comes last, in an ending.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.engine import texts
from bot.engine.catalog import Catalog
from bot.engine.engine import Engine, Turn
from bot.engine.messages import Inbound, Reply
from bot.engine.render import MENU_BUTTON
from bot.engine.state import SessionState
from bot.flowspec import load_flows
from bot.flowspec.model import EndKind, Flow

ROOT = Path(__file__).resolve().parents[2]
COUNTER = re.compile(r"^\*\*Bước (\d+)/(\d+)\*\*")
CONFIGURED = {"commune": "xã Yên Bình", "team_name": "Tổ công nghệ số xã Yên Bình",
              "team_phone": "0912 345 678"}
# Advice that cuts this phone off from the chat: it may only come last, in an ending.
CUT_OFF = ("chế độ máy bay", "khởi động lại", "tắt nguồn", "tắt máy", "ngắt mạng", "tắt mạng",
           "tắt wifi", "tắt wi-fi", "tắt 4g", "tắt dữ liệu", "tháo sim", "tắt điện thoại",
           "khôi phục cài đặt gốc")
HANDOFF_MARK = "Cháu đã báo cho"


def _flows() -> list[Flow]:
    loaded, problems = load_flows([ROOT / "flows"])
    assert not problems, problems
    return [item.flow for item in loaded]


FLOWS = _flows()
FLOW_IDS = [f.id for f in FLOWS]


def _engine(places: dict[str, str]) -> Engine:
    return Engine(Catalog(FLOWS), places)


@dataclass(frozen=True)
class Walked:
    """One press along a path and the turn it produced."""

    payload: str
    turn: Turn


def _walk(engine: Engine, flow_id: str, limit: int = 5000) -> Iterator[list[Walked]]:
    """Every path from the guide's first step: each press of "Xong" or an authored button,
    until an ending, a button that leaves the guide, or a step already on the path."""
    first = engine.step(SessionState(), Inbound(payload=f"f:{flow_id}"))
    count = 0

    def visit(turn: Turn, path: list[Walked], seen: tuple[str, ...]) -> Iterator[list[Walked]]:
        nonlocal count
        state = turn.state
        if not state.in_flow or state.flow_id != flow_id:
            count += 1
            assert count < limit
            yield path
            return
        presses = [b.payload for b in turn.replies[-1].buttons
                   if b.payload.startswith((f"s:{flow_id}.", f"n:{flow_id}."))]
        assert presses, f"{flow_id}.{state.step_id}: no way on"
        for payload in presses:
            after = engine.step(state, Inbound(payload=payload))
            step = after.state.step_id
            if after.state.in_flow and after.state.flow_id == flow_id and step in seen:
                yield [*path, Walked(payload, after)]
                continue
            yield from visit(after, [*path, Walked(payload, after)], (*seen, step or ""))

    yield from visit(first, [Walked(f"f:{flow_id}", first)], (first.state.step_id or "",))


def _counter(reply: Reply) -> tuple[int, int] | None:
    match = COUNTER.match(reply.text)
    return (int(match[1]), int(match[2])) if match else None


@pytest.fixture(scope="module")
def paths() -> dict[str, list[list[Walked]]]:
    engine = _engine(CONFIGURED)
    return {flow_id: list(_walk(engine, flow_id)) for flow_id in FLOW_IDS}


def test_every_guide_is_walked(paths: dict[str, list[list[Walked]]]) -> None:
    assert len(FLOW_IDS) >= 15
    for flow in FLOWS:
        steps = {e.step_id for path in paths[flow.id] for w in path for e in w.turn.events
                 if e.kind == "step_reached" and e.flow_id == flow.id}
        assert steps == {s.id for s in flow.steps}, flow.id


@pytest.mark.parametrize("flow_id", FLOW_IDS)
def test_counter_never_goes_back_and_its_total_never_grows(
        paths: dict[str, list[list[Walked]]], flow_id: str) -> None:
    for path in paths[flow_id]:
        last: tuple[int, int] | None = None
        numbered: set[str] = set()
        for walked in path:
            state = walked.turn.state
            shown = [c for c in map(_counter, walked.turn.replies) if c]
            if not shown or state.flow_id != flow_id:
                continue
            number, total = shown[-1]
            where = f"{flow_id}: {' > '.join(w.payload for w in path)}"
            assert 1 <= number <= total, where
            if last is not None:
                if state.step_id in numbered:  # a loop back to a step already walked
                    assert number <= last[0], where
                else:
                    assert number == last[0] + 1, where
                assert total <= last[1], where
            numbered.add(state.step_id or "")
            last = (number, total)


@pytest.mark.parametrize("flow_id", FLOW_IDS)
def test_endings_match_their_paths(paths: dict[str, list[list[Walked]]], flow_id: str) -> None:
    flow = next(f for f in FLOWS if f.id == flow_id)
    steps = {s.id: s for s in flow.steps}
    for path in paths[flow_id]:
        reached = [e.step_id for w in path for e in w.turn.events
                   if e.kind == "step_reached" and e.flow_id == flow_id]
        end = steps[reached[-1] or ""]
        if end.end is None:
            continue
        waited = [s for s in reached if steps[s or ""].waits]
        final = path[-1].turn.replies
        if end.end is EndKind.completed:
            assert not waited, f"{flow_id}: 🎉 after {waited} (the rest happens later)"
            assert "🎉" in final[0].text
        else:
            assert "🎉" not in final[0].text, f"{flow_id}.{end.id}: {end.end.value} says 🎉"
        if end.end in (EndKind.completed, EndKind.pending):
            assert final[-1].text == texts.FEEDBACK_ASK  # feedback and what to learn next
        if end.end is EndKind.handoff:
            assert len(final) == 1 and final[0].text.count(HANDOFF_MARK) == 1


@pytest.mark.parametrize("flow_id", FLOW_IDS)
def test_no_dead_ends_and_no_repeated_buttons(paths: dict[str, list[list[Walked]]],
                                              flow_id: str) -> None:
    standard = {MENU_BUTTON.payload, "c:stuck", "c:back"}
    for path in paths[flow_id]:
        for walked in path:
            replies = walked.turn.replies
            buttons = [b for r in replies for b in r.buttons]
            assert sum(b.payload == MENU_BUTTON.payload for b in buttons) <= 1
            assert sum(r.text.count(HANDOFF_MARK) for r in replies) <= 1
            for reply in replies:
                labels = [b.label for b in reply.buttons]
                payloads = [b.payload for b in reply.buttons]
                assert len(set(labels)) == len(labels), labels
                assert len(set(payloads)) == len(payloads), payloads
            last = replies[-1]
            assert last.buttons, f"{flow_id}: a reply without any button"
            if walked.turn.state.in_flow:
                assert [b for b in last.buttons if b.payload not in standard], (
                    f"{flow_id}.{walked.turn.state.step_id}: only Menu/Back/Stuck")


@pytest.mark.parametrize("places", [CONFIGURED, {}], ids=["configured", "default"])
def test_fill_ins_read_naturally(places: dict[str, str]) -> None:
    engine = _engine(places)
    for flow_id in FLOW_IDS:
        for path in _walk(engine, flow_id):
            for walked in path:
                for reply in walked.turn.replies:
                    text = reply.text
                    assert "{" not in text and "}" not in text, text
                    depth = 0
                    for char in text:
                        depth += {"(": 1, ")": -1}.get(char, 0)
                        assert depth <= 1, f"{flow_id}: nested brackets in {text!r}"
                    assert "số của tổ (" not in text and "theo số của" not in text, text
    stuck = engine.step(SessionState(), Inbound(payload="c:stuck")).replies[0].text
    assert ("0912 345 678" in stuck) == bool(places)


@pytest.mark.parametrize("flow", FLOWS, ids=FLOW_IDS)
def test_advice_that_cuts_the_phone_off_comes_last(flow: Flow) -> None:
    for step in flow.steps:
        lowered = step.text.lower()
        found = [p for p in CUT_OFF if p in lowered]
        if not found:
            continue
        assert step.end is not None, f"{step.id}: steps after `{found[0]}` would never be read"
        last_line = lowered.strip().splitlines()[-1]
        assert all(p in last_line for p in found), f"{step.id}: `{found[0]}` must come last"
        assert "đọc hết" in lowered, f"{step.id}: say to read the whole message first"


@pytest.mark.parametrize("flow", FLOWS, ids=FLOW_IDS)
def test_typing_a_buttons_words_presses_it(flow: Flow) -> None:
    """What a resident sees on a button, typed (with or without diacritics), presses it."""
    from bot.engine.understand import read_reply
    from bot.text import fold

    engine = _engine(CONFIGURED)
    compiled = engine.catalog.flows[flow.id]
    for step in flow.steps:
        if step.end is not None:
            continue
        for i, button in enumerate(step.buttons):
            for typed in (button.label, fold(button.label)):
                reading = read_reply(compiled, step.id, typed)
                assert reading.payload == f"s:{flow.id}.{step.id}.{i}", (step.id, typed, reading)
            # Through the whole engine too (the safety layer runs first): the same place.
            here = SessionState().at(flow.id, step.id, ())
            pressed = engine.step(here, Inbound(payload=f"s:{flow.id}.{step.id}.{i}")).state
            typed_turn = engine.step(here, Inbound(text=button.label)).state
            assert (typed_turn.flow_id, typed_turn.step_id) == (pressed.flow_id, pressed.step_id), (
                step.id, button.label)
