"""The team hand-off's part in every turn (a :class:`~bot.conversation.TurnHook`).

Before the engine: a resident talking to a member, or asked for their commune, and a member
answering a resident, are handled here; so are the hand-off's own buttons (``t:…``, ``tk:x:…``).
After the engine: a turn that asked for a person gets a ticket and honest words instead of the
engine's notice. Decisions are pure; what they change is written by effects in the turn's own
transaction, and the senders are woken once it has committed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from bot.clock import Clock
from bot.engine.catalog import Catalog
from bot.engine.commands import parse_command
from bot.engine.engine import Turn
from bot.engine.messages import Inbound
from bot.engine.state import SessionState
from bot.storage.conversations import Read, StoredResident
from bot.teams import opening, relay
from bot.teams.registry import Registry
from bot.teams.view import Ctx, View, reader
from bot.turn_contract import HookTurn, Incoming

Wake = Callable[[str, str], None]
ASK_FOR = dt.timedelta(minutes=30)  # the commune question stands this long
RELAY_IDLE = dt.timedelta(hours=24)  # a conversation nobody spoke in for this long ends


class Handoffs:
    def __init__(self, registry: Registry, clock: Clock, wake: Wake | None = None) -> None:
        self.registry = registry
        self.clock = clock
        self.wake = wake or (lambda channel, recipient: None)

    def _ctx(self, message: Incoming, resident: StoredResident, catalog: Catalog) -> Ctx:
        view = resident.extra if isinstance(resident.extra, View) else View()
        return Ctx(message, resident, view, self.registry.directory, catalog, self.clock.now())

    # ------------------------------------------------------------- TurnHook
    def read(self, message: Incoming) -> Read:
        return reader(message)

    def before(self, message: Incoming, inbound: Inbound, resident: StoredResident,
               catalog: Catalog) -> HookTurn | None:
        ctx = self._ctx(message, resident, catalog)
        payload, text = inbound.payload, inbound.text
        if payload is not None and payload.startswith("tk:x:"):
            return relay.close(ctx)
        if payload is not None and payload.startswith("t:"):
            return self._button(ctx, payload)
        party = ctx.view.party
        if party is None:
            if opening.wants_unit_change(text) and ctx.directory.has_communes:
                return opening.ask_change(ctx)
            return None
        if party.role == "member":
            return relay.from_member(ctx, text) if text else None
        quiet = ctx.now - party.since
        if party.mode == "asking" and quiet > ASK_FOR:
            return opening.abandon(ctx)  # a day later, "cài vneid" is not a commune's name
        if party.mode == "relay" and quiet > RELAY_IDLE and (text or inbound.unsupported):
            return relay.expire(ctx)
        if party.mode == "relay":
            if text or inbound.unsupported:
                return relay.from_resident(ctx, text, inbound.unsupported)
            return None
        if party.mode == "asking":
            if payload is not None or (text and parse_command(text) is not None):
                return opening.abandon(ctx)
            return opening.answer(ctx, text) if text else None
        return None

    def after(self, message: Incoming, resident: StoredResident, turn: Turn,
              unit: str | None, catalog: Catalog) -> HookTurn:
        ctx = self._ctx(message, resident, catalog)
        asked = next(e for e in turn.events if e.kind == "handoff_requested")
        notice = asked.data.get("notice")
        # The way walked to the step (the engine keeps it while the guide is open; a guide
        # that ended in a hand-off has just been closed, so the saved state still has it).
        state = SessionState.from_json(resident.state)
        history = turn.state.history if turn.state.has_guide else state.history
        return opening.handoff(ctx, list(turn.replies), notice if isinstance(notice, str) else None,
                               unit, asked.flow_id, asked.step_id, history)

    def committed(self, done: HookTurn) -> None:
        for channel, recipient in dict.fromkeys(done.woken):
            self.wake(channel, recipient)

    # ------------------------------------------------------------- the hand-off's buttons
    def _button(self, ctx: Ctx, payload: str) -> HookTurn:
        if payload == "t:leave":
            return relay.leave(ctx)
        if payload == "t:phone":
            return relay.consent(ctx)
        if payload.startswith(("t:ok:", "t:no:")):
            return relay.solved(ctx, payload.startswith("t:ok:"))
        party = ctx.view.party
        asking = party is not None and party.mode == "asking"
        if payload.startswith("t:u:") and asking:
            return opening.chosen(ctx, payload[4:])
        if payload == "t:skip" and asking:
            return opening.skip(ctx)
        return relay.old_button(ctx)
