"""A resident's place in the conversation, stored as JSON between turns."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

TRAIL_MAX = 3  # guides a resident can come back to after jumping into another one


@dataclass(frozen=True)
class Place:
    """A step of a guide and the steps walked to reach it (for "quay lại" and progress)."""

    flow_id: str
    step_id: str
    history: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"flow": self.flow_id, "step": self.step_id, "history": list(self.history)}

    @classmethod
    def from_json(cls, data: Any) -> Place | None:
        if not isinstance(data, dict):
            return None
        flow, step = data.get("flow"), data.get("step")
        if not isinstance(flow, str) or not isinstance(step, str):
            return None
        return cls(flow, step, _strings(data.get("history")))


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(v for v in value if isinstance(v, str)) if isinstance(value, list) else ()


@dataclass(frozen=True)
class SessionState:
    """Where the resident is.

    No guide open when ``flow_id`` is None. A guide left for the menu or by "dừng" stays here
    with ``paused`` set, so "tiếp tục" returns to the exact step. ``slots`` (e.g. the phone
    platform) outlive a guide: the next guide need not ask again. ``trail`` holds the guides
    the resident jumped out of (a button into another guide, the scam guide), most recent
    last, so "quay lại" at the first step, or "↩️ Về …" at the end, takes them back.
    ``trouble`` counts the times in a row the resident said the current step did not work.
    ``asked`` names the question the last turn asked and waits a typed answer for
    (``forget``: erase everything?; ``feedback:<flow>``: was the guide useful?); it lasts
    one turn.
    """

    flow_id: str | None = None
    step_id: str | None = None
    history: tuple[str, ...] = ()
    slots: dict[str, str] = field(default_factory=dict)
    paused: bool = False
    trail: tuple[Place, ...] = ()
    trouble: int = 0
    asked: str | None = None

    @property
    def in_flow(self) -> bool:
        return self.flow_id is not None and self.step_id is not None and not self.paused

    @property
    def has_guide(self) -> bool:
        """A guide is open, active or paused."""
        return self.flow_id is not None and self.step_id is not None

    @property
    def place(self) -> Place | None:
        if self.flow_id is None or self.step_id is None:
            return None
        return Place(self.flow_id, self.step_id, self.history)

    def at(self, flow_id: str, step_id: str, history: tuple[str, ...]) -> SessionState:
        trouble = self.trouble if (flow_id, step_id) == (self.flow_id, self.step_id) else 0
        return replace(self, flow_id=flow_id, step_id=step_id, history=history, paused=False,
                       trouble=trouble)

    def idle(self) -> SessionState:
        return replace(self, flow_id=None, step_id=None, history=(), paused=False, trouble=0)

    def pause(self) -> SessionState:
        return replace(self, paused=True) if self.has_guide else self

    def with_slots(self, values: dict[str, str]) -> SessionState:
        return replace(self, slots={**self.slots, **values}) if values else self

    def push_trail(self) -> SessionState:
        """Remember the current step before jumping into another guide."""
        place = self.place
        if place is None:
            return self
        return replace(self, trail=(*self.trail, place)[-TRAIL_MAX:])

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"flow": self.flow_id, "step": self.step_id,
                                "history": list(self.history), "slots": dict(self.slots),
                                "paused": self.paused}
        if self.trail:
            data["trail"] = [p.to_json() for p in self.trail]
        if self.trouble:
            data["trouble"] = self.trouble
        if self.asked:
            data["asked"] = self.asked
        return data

    @classmethod
    def from_json(cls, data: Any) -> SessionState:
        """Tolerant of anything stored: an unexpected shape gives a fresh state, never an
        exception (the engine repairs names of steps or guides that no longer exist)."""
        if not isinstance(data, dict):
            return cls()
        flow, step = data.get("flow"), data.get("step")
        slots = data.get("slots")
        trail = data.get("trail")
        trouble = data.get("trouble")
        asked = data.get("asked")
        return cls(
            flow_id=flow if isinstance(flow, str) else None,
            step_id=step if isinstance(step, str) else None,
            history=_strings(data.get("history")),
            slots={k: v for k, v in slots.items() if isinstance(k, str) and isinstance(v, str)}
            if isinstance(slots, dict) else {},
            paused=bool(data.get("paused", False)),
            trail=tuple(p for p in map(Place.from_json, trail) if p is not None)[-TRAIL_MAX:]
            if isinstance(trail, list) else (),
            trouble=trouble if isinstance(trouble, int) and trouble >= 0 else 0,
            asked=asked if isinstance(asked, str) else None,
        )
