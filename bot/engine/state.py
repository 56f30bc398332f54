"""A resident's place in the conversation, stored as JSON between turns."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any


@dataclass(frozen=True)
class SessionState:
    """Where the resident is.

    No guide open when ``flow_id`` is None. A guide left for the menu or by "dừng" stays here
    with ``paused`` set, so "tiếp tục" returns to the exact step. ``slots`` (e.g. the phone
    platform) outlive a guide: the next guide need not ask again.
    """

    flow_id: str | None = None
    step_id: str | None = None
    history: tuple[str, ...] = ()
    slots: dict[str, str] = field(default_factory=dict)
    paused: bool = False

    @property
    def in_flow(self) -> bool:
        return self.flow_id is not None and self.step_id is not None and not self.paused

    @property
    def has_guide(self) -> bool:
        """A guide is open, active or paused."""
        return self.flow_id is not None and self.step_id is not None

    def at(self, flow_id: str, step_id: str, history: tuple[str, ...]) -> SessionState:
        return replace(self, flow_id=flow_id, step_id=step_id, history=history, paused=False)

    def idle(self) -> SessionState:
        return replace(self, flow_id=None, step_id=None, history=(), paused=False)

    def pause(self) -> SessionState:
        return replace(self, paused=True) if self.has_guide else self

    def with_slots(self, values: dict[str, str]) -> SessionState:
        return replace(self, slots={**self.slots, **values}) if values else self

    def to_json(self) -> dict[str, Any]:
        return {"flow": self.flow_id, "step": self.step_id, "history": list(self.history),
                "slots": dict(self.slots), "paused": self.paused}

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> SessionState:
        if not data:
            return cls()
        return cls(flow_id=data.get("flow"), step_id=data.get("step"),
                   history=tuple(data.get("history", ())), slots=dict(data.get("slots", {})),
                   paused=bool(data.get("paused", False)))
