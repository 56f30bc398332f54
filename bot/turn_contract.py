"""The turn's contract, shared by the conversation service and everyone around it: what a
channel hands in (:class:`Incoming`), what a turn gives back (:class:`TurnResult`), and how
other capabilities take part in a turn (the team hand-off's :class:`TurnHook`, the reports'
:class:`ReachRecorder`, the share codes' :class:`StartCodes`, the rate limits'
:class:`Admission`, the teams registry as :class:`PlaceBook`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from bot.engine.catalog import Catalog
from bot.engine.engine import Turn
from bot.engine.messages import Event, Inbound, Reply
from bot.storage.conversations import Effect, Read, StoredResident


@dataclass(frozen=True)
class Incoming:
    """A message from any channel, already reduced to what the engine understands."""

    channel: str
    user_id: str
    text: str | None = None
    payload: str | None = None
    unsupported: str | None = None
    message_key: str | None = None  # the channel's id for this message, to drop redeliveries
    client: str | None = None  # the sender's address, for messages that came over HTTP


@dataclass(frozen=True)
class TurnResult:
    """What one message produced: the replies, and the guide and step the resident is on
    after it (None outside a guide)."""

    replies: list[Reply]
    guide: tuple[str, str] | None
    events: tuple[Event, ...] = ()

    def guide_json(self) -> dict[str, str] | None:
        return None if self.guide is None else {"id": self.guide[0], "step": self.guide[1]}


class PlaceBook(Protocol):
    """Where the guides' ``{commune}``, ``{team_name}`` and ``{team_phone}`` come from."""

    defaults: dict[str, str]  # for residents of no known commune

    def knows(self, unit_id: str) -> bool: ...

    def places(self, unit_id: str | None) -> dict[str, str]: ...


@dataclass
class HookTurn:
    """What a :class:`TurnHook` makes of a turn: replies, storage effects in the turn's
    transaction, event rows; ``engine``: run the engine too, after these replies."""

    replies: list[Reply] = field(default_factory=list)
    effects: list[Effect] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    commune: str | None = None
    engine: bool = False
    woken: list[tuple[str, str]] = field(default_factory=list)  # filled by the effects
    after: list[Reply] = field(default_factory=list)  # said after the engine's replies


class ReachRecorder(Protocol):
    """Keeps the figures of reports (guides started, steps reached, finished, confirmed,
    through whose link) as storage effects of the turn itself."""

    def effects(self, events: tuple[Event, ...], unit: str | None,
                member: str | None) -> list[Effect]: ...


class StartCodes(Protocol):
    """Expands a short code in a start link (``/start VN12``) to what it stands for."""

    async def expand(self, text: str) -> str: ...


class TurnHook(Protocol):
    """Another capability taking part in turns (the team hand-off): it reads under the
    resident's lock, may handle a message instead of the engine, and rewrites the engine's
    hand-off turns. Its decisions are pure; its I/O is the effects."""

    def read(self, message: Incoming) -> Read: ...

    def before(self, message: Incoming, inbound: Inbound, resident: StoredResident,
               catalog: Catalog) -> HookTurn | None: ...

    def after(self, message: Incoming, resident: StoredResident, turn: Turn,
              unit: str | None, catalog: Catalog) -> HookTurn: ...

    def committed(self, done: HookTurn) -> None: ...


class Admission(Protocol):
    """Rate limits for messages with a client address: None lets the message (the new
    resident, the hand-off) through, else the answer to give instead."""

    def resident(self, channel: str, user: str) -> str | None: ...

    def new_resident(self, client: str) -> str | None: ...

    def handoff(self, client: str) -> str | None: ...
