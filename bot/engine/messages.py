"""What goes into the engine and what comes out of it: plain, channel-neutral data."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.intents.base import IntentResult


@dataclass(frozen=True)
class Inbound:
    """One thing a resident did: typed ``text``, pressed a button (``payload``), or sent a
    picture whose recognised text is ``text`` (``picture``).

    ``intent`` is filled by the conversation service when :meth:`Engine.needs_intent` asks for
    it; ``resumed`` is set when the resident's saved state predates this server process (or a
    long pause), so the engine offers to continue instead of assuming context.
    """

    text: str | None = None
    payload: str | None = None
    intent: IntentResult | None = None
    resumed: bool = False
    unsupported: str | None = None  # "sticker", "voice", "photo"...: what the channel got
    picture: bool = False  # ``text`` was read from a picture of the resident's screen


@dataclass(frozen=True)
class Button:
    label: str
    payload: str


@dataclass(frozen=True)
class Reply:
    text: str
    buttons: tuple[Button, ...] = ()
    image: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "buttons": [{"label": b.label, "payload": b.payload} for b in self.buttons],
            "image": self.image,
        }


@dataclass(frozen=True)
class Event:
    """Something analytics will want: ``step_reached``, ``flow_completed``, ``fallback``..."""

    kind: str
    flow_id: str | None = None
    step_id: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
