"""The one place that runs a turn, for every channel.

Channels translate their platform's data into :class:`~bot.turn_contract.Incoming` (the turn's
contract types live in :mod:`bot.turn_contract`) and send back the :class:`Reply` list; this
service recognises the intent when the engine asks for it, locks and loads the resident, steps
the engine, and stores the new state, the events and the masked text, all in one transaction.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import re
import time
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from bot.clock import Clock, SystemClock
from bot.communes import CommuneDirectory, split_link
from bot.engine.engine import Engine, Turn
from bot.engine.messages import Event, Inbound, Reply
from bot.engine.state import SessionState
from bot.intents.base import IntentRecognizer, IntentResult
from bot.metrics import TURN_SECONDS, TURNS
from bot.outbox.outbox import Outbox
from bot.outbox.replies import replies_body
from bot.privacy import mask
from bot.residents.service import DataRights
from bot.storage.conversations import ConversationStore, StoredResident, TurnWrite
from bot.storage.outbox import NewMessage
from bot.turn_contract import (
    Admission,
    HookTurn,
    Incoming,
    PlaceBook,
    ReachRecorder,
    StartCodes,
    TurnHook,
    TurnResult,
)

log = logging.getLogger(__name__)

MAX_TEXT = 2000  # longer messages are cut: no guide question needs more
STORED_TEXT = 500
RESUME_AFTER = dt.timedelta(hours=6)


def _log_events(events: tuple[Event, ...]) -> None:
    """Operators should see what residents cannot fix: links to guides that do not exist,
    and states a new guide version had to repair."""
    for event in events:
        if event.kind == "unknown_link":
            log.warning("unknown guide id in a /start link: %r", event.data.get("value"))
        elif event.kind in ("guide_updated", "guide_gone"):
            log.info("%s: a saved state named a removed step or guide (now %s.%s)",
                     event.kind, event.flow_id, event.step_id)


def _guide(state: SessionState) -> tuple[str, str] | None:
    if state.in_flow and state.flow_id and state.step_id:
        return state.flow_id, state.step_id
    return None


_SURROGATE = re.compile("[\ud800-\udfff]")


def _clean(text: str | None) -> str | None:
    """NFC, no NUL (PostgreSQL refuses it), lone surrogates (no encoding takes them) as "�"."""
    if text is None:
        return None
    text = _SURROGATE.sub("\ufffd", text.replace("\x00", ""))
    return unicodedata.normalize("NFC", text).strip()[:MAX_TEXT]


def _event_row(event: Event) -> dict[str, Any]:
    return {"kind": event.kind, "flow_id": event.flow_id, "step_id": event.step_id,
            "data": event.data}


@dataclass(frozen=True)
class _Asked:
    """A message as the engine reads it, prepared outside the resident's lock."""

    message: Incoming
    inbound: Inbound
    commune: str | None  # from a team link, when the registry knows it
    member: str | None
    limits: Admission | None  # only for messages with a client address
    intent: IntentResult | None = None
    recognized: bool = False  # asked the recognizer (which may have failed: intent None)


@dataclass(frozen=True)
class _Decision:
    """What a turn decided under the lock: the result and the hook's turns to confirm once
    committed; or, rolled back, a rate limit's refusal or the need to recognise the text."""

    result: TurnResult | None = None
    hooked: tuple[HookTurn, ...] = ()
    refusal: str | None = None
    needs_intent: bool = False


class ConversationService:
    def __init__(self, engine: Engine, store: ConversationStore, recognizer: IntentRecognizer,
                 *, process_id: str, communes: PlaceBook | None = None,
                 resume_after: dt.timedelta = RESUME_AFTER, clock: Clock | None = None,
                 outbox_channels: Mapping[str, dt.timedelta | None] | None = None,
                 data_rights: DataRights | None = None,
                 hook: TurnHook | None = None, limits: Admission | None = None,
                 reach: ReachRecorder | None = None, start_codes: StartCodes | None = None
                 ) -> None:
        self.engine = engine
        self.clock = clock or SystemClock()
        # Channels whose replies are queued in the outbox in the turn's own transaction (and
        # sent by the channel's sender), with how long a queued reply stays worth sending.
        self.outbox_channels = dict(outbox_channels or {})
        self.communes: PlaceBook = communes or CommuneDirectory({}, engine.places)
        self.hook = hook
        self.store = store
        self.recognizer = recognizer
        self.process_id = process_id
        self.resume_after = resume_after
        self.data_rights = data_rights
        self.reach = reach
        self.start_codes = start_codes
        self.limits = limits

    async def set_active(self, channel: str, user_id: str, active: bool) -> None:
        """A resident blocked the bot (or came back): nothing is sent to them meanwhile."""
        await self.store.set_active(channel, user_id, active)

    async def handle(self, message: Incoming) -> list[Reply] | None:
        """The replies to one message, or None when the message was already handled."""
        result = await self.handle_turn(message)
        return None if result is None else result.replies

    async def handle_turn(self, message: Incoming) -> TurnResult | None:
        """:meth:`handle`, plus where the resident is after the turn (for clients that show
        it, such as the web chat). None when the message was already handled."""
        started = time.perf_counter()
        kind = "button" if message.payload is not None else (
            "text" if message.text else "other")
        outcome = "error"
        try:
            result = await self._handle_turn(message)
            outcome = "ok" if result is not None else "duplicate"
            return result
        finally:
            TURNS.labels(message.channel, kind, outcome).inc()
            TURN_SECONDS.labels(message.channel).observe(time.perf_counter() - started)

    async def _handle_turn(self, message: Incoming) -> TurnResult | None:
        limits = self.limits if message.client is not None else None
        refusal = limits.resident(message.channel, message.user_id) if limits else None
        if refusal is not None:
            return TurnResult([Reply(refusal)], None)
        asked = await self._ask(message, limits)
        read = self.hook.read(message) if self.hook else None
        while True:  # at most twice: the second time the intent is known
            decision = await self.store.run_turn(
                message.channel, message.user_id, functools.partial(self._decide, asked),
                process_id=self.process_id, dedup_key=message.message_key, read=read,
                now=self.clock.now())
            if decision is None or not decision.needs_intent:
                break
            # A concurrent turn changed the state since the peek, and the text now needs the
            # NLU: rolled back, recognised outside the lock, and run again.
            asked = replace(asked, intent=await self._recognize(asked.inbound.text or ""),
                            recognized=True)
        if decision is None:
            return None
        if decision.result is None:  # rolled back: a rate limit answers instead
            return TurnResult([Reply(decision.refusal or "")], None)
        result = decision.result
        _log_events(result.events)
        if self.hook is not None:
            for done in decision.hooked:
                self.hook.committed(done)
        if self.data_rights is not None and {e.kind for e in result.events} & \
                DataRights.REQUESTS:
            return await self._data_rights(message, result)
        return result

    async def _ask(self, message: Incoming, limits: Admission | None) -> _Asked:
        """The message as the engine reads it, with its intent when the saved state already
        shows the engine will ask for one (recognised here, outside the resident's lock)."""
        cleaned = _clean(message.text)
        if self.start_codes is not None and cleaned and cleaned.startswith("/start "):
            cleaned = await self.start_codes.expand(cleaned)
        text, commune, member = split_link(cleaned)
        if commune is not None and not self.communes.knows(commune):
            log.warning("unknown commune id %r in a team link: the defaults are used",
                        mask(commune))
            commune = None
        inbound = Inbound(text=text, payload=_clean(message.payload),
                          unsupported=message.unsupported)
        asked = _Asked(message, inbound, commune, member, limits)
        if inbound.payload is None and inbound.text:
            saved = await self.store.peek_state(message.channel, message.user_id)
            if self.engine.needs_intent(SessionState.from_json(saved), inbound):
                asked = replace(asked, intent=await self._recognize(inbound.text),
                                recognized=True)
        return asked

    def _decide(self, asked: _Asked, resident: StoredResident
                ) -> tuple[_Decision, TurnWrite | None]:
        """The turn under the resident's lock; no write (None) rolls the transaction back."""
        message, limits = asked.message, asked.limits
        if limits is not None and message.client is not None and resident.is_new:
            refusal = limits.new_resident(message.client)
            if refusal is not None:  # the resident is not created
                return _Decision(refusal=refusal), None
        state = SessionState.from_json(resident.state)
        current = replace(asked.inbound, intent=asked.intent, resumed=self._is_stale(resident))
        catalog = self.engine.catalog
        early = self.hook.before(message, current, resident, catalog) if self.hook else None
        if early is not None and not early.engine:
            result, write = self._hooked(message, resident, early)
            return _Decision(result, (early,)), write
        if not asked.recognized and current.text and self.engine.needs_intent(state, current):
            return _Decision(needs_intent=True), None
        unit = asked.commune or resident.commune
        turn = self.engine.step(state, current, self.communes.places(unit))
        replies = list(turn.replies)
        write = self._write_for(message, current, turn.state, turn.events, turn.replies)
        write.commune = asked.commune
        if self.reach is not None:
            write.effects += self.reach.effects(turn.events, unit, asked.member)
        extras = self._handoff(message, resident, turn, unit)
        if extras and limits is not None and message.client is not None:
            refusal = limits.handoff(message.client)
            if refusal is not None:  # no ticket: the limit's words instead
                extras, write.handoffs = [HookTurn(replies=[Reply(refusal)])], []
        if extras:  # the hook's words replace the engine's hand-off notice
            replies = extras[0].replies
        if early is not None:
            replies = early.replies + replies + early.after
            extras.append(early)
        for extra in extras:
            write.effects += extra.effects
            write.events += extra.events
            write.commune = extra.commune or write.commune
        if message.channel in self.outbox_channels and replies:
            write.outbox.append(self._queued(message, tuple(replies)))
        return _Decision(TurnResult(replies, _guide(turn.state), turn.events),
                         tuple(extras)), write

    async def _data_rights(self, message: Incoming, result: TurnResult) -> TurnResult:
        """The engine asked to show or erase the resident's data: do it, then answer (through
        the outbox too on channels that send from there)."""
        assert self.data_rights is not None
        if any(e.kind == "data_erasure_requested" for e in result.events):
            extra = await self.data_rights.erase_reply(message.channel, message.user_id)
        else:
            extra = await self.data_rights.summary(message.channel, message.user_id,
                                                   self.engine.catalog)
        if message.channel in self.outbox_channels:
            await self.data_rights.store.enqueue([self._queued(message, tuple(extra))],
                                                 self.clock.now())
        return replace(result, replies=[*result.replies, *extra])

    def _handoff(self, message: Incoming, resident: StoredResident, turn: Turn,
                 unit: str | None) -> list[HookTurn]:
        """A turn that asked for a person: the hook decides what is true to say."""
        if self.hook is None or not any(e.kind == "handoff_requested" for e in turn.events):
            return []
        return [self.hook.after(message, resident, turn, unit, self.engine.catalog)]

    def _hooked(self, message: Incoming, resident: StoredResident, done: HookTurn
                ) -> tuple[TurnResult, TurnWrite]:
        """A message the hook handled instead of the engine: the state stays as it was."""
        write = TurnWrite(state=resident.state, events=list(done.events),
                          effects=list(done.effects), commune=done.commune)
        if message.channel in self.outbox_channels and done.replies:
            write.outbox.append(self._queued(message, tuple(done.replies)))
        guide = _guide(SessionState.from_json(resident.state))
        return TurnResult(list(done.replies), guide), write

    def queue_replies_for(self, channel: str, keep: dt.timedelta | None = None) -> None:
        """Queue this channel's replies in the outbox, in the turn's own transaction, instead
        of only returning them; a queued reply not sent within ``keep`` expires."""
        self.outbox_channels[channel] = keep

    def _queued(self, message: Incoming, replies: tuple[Reply, ...]) -> NewMessage:
        keep = self.outbox_channels[message.channel]
        return Outbox.message(message.channel, message.user_id,
                              replies_body(replies, reply_to=message.message_key),
                              expires_at=self.clock.now() + keep if keep else None)

    def _is_stale(self, resident: StoredResident) -> bool:
        """Saved by an earlier server process, or long ago: the resident may have lost the
        thread, so the engine offers to continue rather than assume."""
        if resident.is_new or resident.updated_at is None:
            return False
        if resident.process_id not in (None, self.process_id):
            return True
        updated = resident.updated_at
        if updated.tzinfo is None:
            updated = updated.replace(tzinfo=dt.UTC)
        return self.clock.now() - updated > self.resume_after

    async def _recognize(self, text: str) -> IntentResult | None:
        try:
            return await self.recognizer.recognize(mask(text))
        except Exception:  # the recognizer is an edge; a turn must still get an answer
            log.exception("intent recognition failed")
            return None

    def _write_for(self, message: Incoming, inbound: Inbound, state: SessionState,
                   events: tuple[Event, ...], replies: tuple[Reply, ...]) -> TurnWrite:
        received: dict[str, Any] = {"channel": message.channel}
        if inbound.text is not None:
            received["text"] = mask(inbound.text)[:STORED_TEXT]
        if inbound.payload is not None:
            received["payload"] = mask(inbound.payload)[:64]
        if inbound.unsupported is not None:
            received["unsupported"] = inbound.unsupported
        rows = [{"kind": "message_in", "flow_id": None, "step_id": None, "data": received}]
        rows += [_event_row(e) for e in events]
        rows.append({"kind": "reply_out", "flow_id": state.flow_id, "step_id": state.step_id,
                     "data": {"count": len(replies)}})
        top = inbound.intent.top if inbound.intent else None
        unanswered = [
            {"text": e.data.get("text", ""), "reason": e.data.get("reason", "unknown"),
             "intent": top.name if top else None, "confidence": top.confidence if top else None}
            for e in events if e.kind == "unanswered"
        ]
        handoffs = [{"flow_id": e.flow_id, "step_id": e.step_id, "status": "open"}
                    for e in events if e.kind == "handoff_requested"]
        return TurnWrite(state=state.to_json(), events=rows, unanswered=unanswered,
                         handoffs=handoffs)
