"""What one engine turn produces, and the scratch space it is built in."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.engine.messages import Button, Event, Reply
from bot.engine.render import fill
from bot.engine.state import SessionState


@dataclass(frozen=True)
class Turn:
    state: SessionState
    replies: tuple[Reply, ...]
    events: tuple[Event, ...]


@dataclass
class Scratch:
    """Mutable scratch space for building one :class:`Turn`."""

    state: SessionState
    places: Mapping[str, str]
    replies: list[Reply] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)

    def say(self, text: str, buttons: tuple[Button, ...] = ()) -> None:
        self.replies.append(Reply(text=fill(text, self.places), buttons=buttons))

    def event(self, kind: str, flow_id: str | None = None, step_id: str | None = None,
              **data: Any) -> None:
        self.events.append(Event(kind, flow_id, step_id, data))

    def done(self) -> Turn:
        return Turn(self.state, tuple(self.replies), tuple(self.events))
