"""Agreeing to and stopping proactive messages, in every state of a conversation: inside a
guide, at a question, while talking to a team member (a :class:`~bot.conversation.TurnHook`
around the team hand-off's own). The words are handled before anything else reads them; the
resident's state is left as it was, so "▶️ Tiếp tục" returns to the step they were on.

It also offers the team's news, once, where it helps: after a finished guide and after a
hand-off the resident marked solved; never to someone who stopped it before.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from bot.clock import Clock
from bot.engine.catalog import Catalog
from bot.engine.engine import Turn
from bot.engine.messages import Button, Inbound, Reply
from bot.engine.render import CONTINUE_BUTTON, MENU_BUTTON
from bot.engine.state import SessionState
from bot.outreach import followup_turns, texts
from bot.outreach.consent import consent_word
from bot.outreach.followups import RULES as FOLLOWUP_RULES
from bot.outreach.rules import Rules
from bot.storage import outreach as db
from bot.storage.conversations import Read, StoredResident
from bot.storage.followups import FollowUpView, consent_reader
from bot.turn_contract import HookTurn, Incoming, TurnHook

OFFER, YES, NO, STOP = "a:offer", "a:in", "a:no", "a:out"
PAYLOADS = (OFFER, YES, NO, STOP)
FINISHED = frozenset({"flow_completed", "flow_ended"})
Places = Callable[[str | None], dict[str, str]]


class OutreachHook:
    """A :class:`~bot.conversation.TurnHook` wrapping ``inner`` (the hand-off's)."""

    def __init__(self, inner: TurnHook | None, places: Places, clock: Clock,
                 rules: Rules | None = None) -> None:
        self.inner = inner
        self.places = places
        self.clock = clock
        self.rules = rules or Rules()

    # ------------------------------------------------------------- TurnHook
    def read(self, message: Incoming) -> Read:
        inner = self.inner.read(message) if self.inner is not None else None

        return consent_reader(inner)

    def before(self, message: Incoming, inbound: Inbound, resident: StoredResident,
               catalog: Catalog) -> HookTurn | None:
        consent, view, inner_extra = _split(resident.extra)
        if view is not None:
            done = followup_turns.before(inbound.payload, inbound.text, view, catalog,
                                         resident.commune, _answers(resident, view),
                                         FOLLOWUP_RULES, self.clock.now(), _buttons(resident))
            if done is not None:
                return done
        wanted = inbound.payload if inbound.payload in PAYLOADS else None
        word = consent_word(inbound.text) if inbound.payload is None else None
        if wanted in (YES, OFFER) or word == "in":
            return self._opt_in(message, resident, consent, offer_only=wanted == OFFER)
        if wanted == STOP or word == "out":
            return self._opt_out(resident, consent)
        if wanted == NO:
            return HookTurn(replies=[Reply(texts.DECLINED, _buttons(resident))])
        if self.inner is None:
            return None
        done = self.inner.before(message, inbound, replace(resident, extra=inner_extra),
                                 catalog)
        if done is not None and (inbound.payload or "").startswith("t:ok:"):
            offer = self._offer(message, resident, consent)
            done.replies.extend(offer)
        return done

    def after(self, message: Incoming, resident: StoredResident, turn: Turn,
              unit: str | None, catalog: Catalog) -> HookTurn:
        assert self.inner is not None, "only the hand-off asks for a person"
        _, _, inner_extra = _split(resident.extra)
        return self.inner.after(message, replace(resident, extra=inner_extra), turn, unit,
                                catalog)

    def committed(self, done: HookTurn) -> None:
        if self.inner is not None:
            self.inner.committed(done)

    # ------------------------------------------------------------- after the engine
    def extra_replies(self, message: Incoming, resident: StoredResident, turn: Turn,
                      catalog: Catalog) -> list[Reply]:
        """After the engine (``ConversationService.extensions``): a waiting step's follow-up
        offer, and the team's news offered after a finished guide."""
        consent, view, _ = _split(resident.extra)
        replies: list[Reply] = []
        for event in turn.events:
            if event.kind == "step_reached":
                replies += followup_turns.offer(catalog, event.flow_id, event.step_id,
                                                message.channel, view)
        if FINISHED & {e.kind for e in turn.events}:
            replies += self._offer(message, resident, consent)
        return replies

    # ------------------------------------------------------------- the turns
    def _fill(self, template: str, message: Incoming, resident: StoredResident) -> str:
        text = template.format(per_day=self.rules.per_day, per_week=self.rules.per_week,
                               **self.places(resident.commune))
        return text + (texts.ZALO_NOTE if message.channel == "zalo" else "")

    def _offer(self, message: Incoming, resident: StoredResident, consent: str | None
               ) -> list[Reply]:
        if consent is not None or resident.commune is None:
            return []
        return [Reply(self._fill(texts.OFFER, message, resident), (
            Button(texts.OPT_IN_BUTTON, YES), Button(texts.NO_THANKS_BUTTON, NO)))]

    def _opt_in(self, message: Incoming, resident: StoredResident, consent: str | None, *,
                offer_only: bool) -> HookTurn:
        buttons = _buttons(resident)
        if resident.commune is None:
            return HookTurn(replies=[Reply(texts.NEED_UNIT, buttons)])
        if consent == "in":
            return HookTurn(replies=[Reply(
                texts.ALREADY_IN.format(**self.places(resident.commune)), buttons)])
        if offer_only:
            return HookTurn(replies=self._offer(message, resident, None))
        unit = resident.commune
        agree = db.opt_in_effect(unit, message.channel, self.clock.now())
        return HookTurn(replies=[Reply(self._fill(texts.OPTED_IN, message, resident), buttons)],
                        effects=[agree], events=[_event("outreach_opt_in", unit=unit)])

    def _opt_out(self, resident: StoredResident, consent: str | None) -> HookTurn:
        buttons = _buttons(resident)
        if consent != "in":
            return HookTurn(replies=[Reply(texts.NOT_SUBSCRIBED, buttons)])
        stop = db.opt_out_effect(self.clock.now(), "words")
        return HookTurn(replies=[Reply(texts.OPTED_OUT, buttons)], effects=[stop],
                        events=[_event("outreach_opt_out", reason="words")])


def _split(extra: Any) -> tuple[str | None, FollowUpView | None, Any]:
    if isinstance(extra, tuple) and len(extra) == 3:
        return extra[0], extra[1], extra[2]
    return None, None, extra


def _answers(resident: StoredResident, view: FollowUpView) -> bool:
    """Typed "rồi"/"chưa" answers the follow-up question: outside a guide, or when the
    question came after the resident's last message."""
    if view.open is None:
        return False
    state = SessionState.from_json(resident.state)
    last, asked = resident.updated_at, view.open.sent_at
    if last is not None and last.tzinfo is None:
        last = last.replace(tzinfo=dt.UTC)
    return not state.in_flow or last is None or (asked is not None and asked > last)


def _buttons(resident: StoredResident) -> tuple[Button, ...]:
    """Back to where the resident was: the guide's step, else the menu."""
    state = SessionState.from_json(resident.state)
    return (CONTINUE_BUTTON, MENU_BUTTON) if state.has_guide else (MENU_BUTTON,)


def _event(kind: str, **data: Any) -> dict[str, Any]:
    return {"kind": kind, "flow_id": None, "step_id": None, "data": data}

