"""The engine never raises, whatever the saved state names and whatever arrives.

States are drawn from real guides with names a newer version may have removed (steps, whole
guides, trail entries), stored shapes that are not what the engine writes, and inputs of
every kind, including payloads such as "s:flow.step.²" that pass ``str.isdigit``. A fixed
seed keeps the run reproducible."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from bot.engine.catalog import Catalog
from bot.engine.engine import Engine
from bot.engine.messages import Inbound
from bot.engine.state import SessionState
from bot.flowspec import load_flows

ROOT = Path(__file__).resolve().parents[2]
LOADED, _ = load_flows([ROOT / "flows"])
ENGINE = Engine(Catalog(item.flow for item in LOADED))
FLOWS = {item.flow.id: [s.id for s in item.flow.steps] for item in LOADED}
GONE_FLOWS = ["removed_guide", "", "vneid"]
GONE_STEPS = ["old_step", "", "done", "x" * 40]
TEXTS = ["rồi", "ok", "chưa được", "quay lại", "tiếp tục", "menu", "dừng", "/start",
         "/start vneid_install", "/start khong_co", "lỡ đọc mã otp cho nó rồi", "cài vneid",
         "", "🙂", "may ko co nfc", "ko hiểu", "bắt đầu lại", "/help", "123456"]
PAYLOAD_KINDS = ["s:{f}.{s}.{i}", "n:{f}.{s}", "f:{f}", "g:vneid", "g:nope", "fb:{f}:useful",
                 "c:return", "c:resume", "c:back", "c:stuck", "c:menu", "c:restart", "c:stop",
                 "c:nope", "s:{f}.{s}.²", "s:{f}.{s}.٣", "s:{f}..", "x", "s:", ":::", ""]


def random_state(rng: random.Random) -> Any:
    flow = rng.choice([*FLOWS, *GONE_FLOWS])
    steps = FLOWS.get(flow, []) + GONE_STEPS
    place = {"flow": flow, "step": rng.choice(steps),
             "history": rng.sample(steps, k=min(len(steps), rng.randint(0, 4)))}
    state: dict[str, Any] = {**place, "slots": rng.choice([{}, {"platform": "iphone"}]),
                             "paused": rng.random() < 0.3}
    if rng.random() < 0.4:
        other = rng.choice([*FLOWS, *GONE_FLOWS])
        state["trail"] = [{"flow": other, "step": rng.choice(FLOWS.get(other, []) + GONE_STEPS),
                           "history": []}]
    if rng.random() < 0.1:
        state = rng.choice([None, [], {"flow": 3, "history": "abc"}, {"trail": [1, None]}])
    return state


def random_inbound(rng: random.Random, state: Any) -> Inbound:
    flow = state.get("flow") if isinstance(state, dict) else None
    step = state.get("step") if isinstance(state, dict) else None
    if rng.random() < 0.5:
        raw = rng.choice(PAYLOAD_KINDS).format(f=flow or "x", s=step or "y",
                                               i=rng.randint(0, 9))
        return Inbound(payload=raw, resumed=rng.random() < 0.1)
    return Inbound(text=rng.choice(TEXTS), resumed=rng.random() < 0.1,
                   unsupported="sticker" if rng.random() < 0.05 else None)


def test_no_state_or_input_makes_the_engine_raise() -> None:
    rng = random.Random(8)
    for _ in range(3000):
        raw = random_state(rng)
        state = SessionState.from_json(raw)
        inbound = random_inbound(rng, raw)
        ENGINE.needs_intent(state, inbound)
        turn = ENGINE.step(state, inbound)
        assert turn.replies, (raw, inbound)
        after = turn.state
        if after.flow_id is not None:
            assert after.step_id in FLOWS[after.flow_id], (raw, inbound, after)
        for place in after.trail:
            assert place.step_id in FLOWS[place.flow_id]
        assert SessionState.from_json(after.to_json()) == after
