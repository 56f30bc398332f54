"""One turn of the conversation: ``Engine.step(state, inbound) -> Turn``. Pure, no I/O."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from bot.engine import payloads, texts
from bot.engine.catalog import Catalog, CompiledFlow
from bot.engine.commands import Command, parse_command
from bot.engine.messages import Button, Event, Inbound, Reply
from bot.engine.render import (
    CONTINUE_BUTTON,
    MENU_BUTTON,
    STUCK_BUTTON,
    fill,
    finish_reply,
    group_reply,
    menu_reply,
    progress_label,
    short_label,
    step_reply,
)
from bot.engine.routing import Route, route_intent
from bot.engine.state import SessionState
from bot.flowspec.model import Action, EndKind
from bot.privacy import Sensitive, mask, sensitive_kinds
from bot.text import fold_words

_WARN_ON = {Sensitive.otp, Sensitive.id_number, Sensitive.card, Sensitive.password}
# Words residents add to a button's words without changing the choice ("xong rồi ạ").
_FILLER = {"roi", "a", "nhe", "nha", "da", "ok", "oke", "okay", "vang", "u", "di", "r", "ak"}
_MAX_AUTO_STEPS = 20


@dataclass(frozen=True)
class Turn:
    state: SessionState
    replies: tuple[Reply, ...]
    events: tuple[Event, ...]


@dataclass
class _Turn:
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


class Engine:
    """Runs guides for any number of residents; holds only the catalog (immutable)."""

    def __init__(self, catalog: Catalog, places: Mapping[str, str] | None = None) -> None:
        self.catalog = catalog
        self.places = {**texts.DEFAULT_PLACES, **(places or {})}

    # ----------------------------------------------------------------- public API
    def needs_intent(self, state: SessionState, inbound: Inbound) -> bool:
        """Whether this input is free text the engine cannot place without NLU."""
        if inbound.payload is not None or not inbound.text or not fold_words(inbound.text):
            return False
        if parse_command(inbound.text) is not None:
            return False
        if state.in_flow:
            return not inbound.resumed and self._match_button(state, inbound.text) is None
        return True

    def step(self, state: SessionState, inbound: Inbound,
             places: Mapping[str, str] | None = None) -> Turn:
        turn = _Turn(state, {**self.places, **(places or {})})
        if inbound.payload is not None:
            self._on_payload(turn, inbound.payload)
        elif inbound.unsupported is not None:
            turn.say(texts.NON_TEXT, self._current_buttons(turn))
        elif not inbound.text or not fold_words(inbound.text):
            turn.say(texts.EMPTY, self._current_buttons(turn))
        else:
            self._on_text(turn, inbound)
        return Turn(turn.state, tuple(turn.replies), tuple(turn.events))

    # ----------------------------------------------------------------- inputs
    def _on_text(self, turn: _Turn, inbound: Inbound) -> None:
        text = inbound.text or ""
        if sensitive_kinds(text) & _WARN_ON:
            turn.say(texts.SAFETY_WARNING)
            turn.event("sensitive_warning")
        command = parse_command(text)
        if command is not None:
            self._on_command(turn, command)
            return
        state = turn.state
        if state.in_flow and inbound.resumed:
            self._offer_resume(turn)
            return
        if state.in_flow:
            match = self._match_button(state, text)
            if match is not None:
                self._on_payload(turn, match)
                return
        route = route_intent(inbound.intent, self.catalog)
        if inbound.intent is not None and inbound.intent.top is not None:
            top = inbound.intent.top
            turn.event("intent", name=top.name, confidence=round(top.confidence, 3),
                       source=inbound.intent.source)
        if state.in_flow:
            self._text_inside_flow(turn, route, text)
        else:
            self._follow_route(turn, route, inbound, text)

    def _on_payload(self, turn: _Turn, raw: str) -> None:
        payload = payloads.parse(raw)
        state = turn.state
        if payload is None:
            turn.say(texts.UNKNOWN_BUTTON, self._current_buttons(turn))
        elif payload.kind == "c" and payload.value:
            self._on_command(turn, Command(payload.value))
        elif payload.kind == "f" and payload.flow_id in self.catalog.flows:
            self._start_flow(turn, payload.flow_id or "")
        elif payload.kind == "g":
            reply = group_reply(self.catalog, payload.value or "")
            if reply is None:
                self._show_menu(turn, texts.UNKNOWN_BUTTON)
            else:
                turn.replies.append(reply)
        elif payload.kind == "fb" and payload.flow_id in self.catalog.flows:
            verdict = "unclear" if payload.value == "unclear" else "useful"
            turn.event("feedback", payload.flow_id, verdict=verdict)
            thanks = texts.FEEDBACK_UNCLEAR if verdict == "unclear" else texts.FEEDBACK_THANKS
            self._show_menu(turn, thanks)
        elif payload.kind in ("s", "n") and state.in_flow and (
            payload.flow_id, payload.step_id) == (state.flow_id, state.step_id):
            self._press(turn, payload.index)
        elif payload.kind in ("s", "n") and state.has_guide:
            turn.say(texts.STALE_BUTTON)
            self._resume(turn)
        else:
            self._show_menu(turn, texts.UNKNOWN_BUTTON)

    def _on_command(self, turn: _Turn, command: Command) -> None:
        state = turn.state
        name = command.name
        if name == "start":
            if command.argument and command.argument in self.catalog.flows:
                self._start_flow(turn, command.argument)
            else:
                turn.state = state.pause()
                self._show_menu(turn, texts.GREETING)
        elif name == "menu":
            if state.in_flow:
                turn.event("flow_paused", state.flow_id, state.step_id)
            turn.state = state.pause()
            self._show_menu(turn, texts.MENU_PROMPT)
        elif name == "help":
            turn.say(texts.HELP)
            self._show_menu(turn, texts.MENU_PROMPT)
        elif name == "back":
            self._back(turn)
        elif name == "stuck":
            self._handoff(turn)
        elif name == "resume":
            self._resume(turn)
        elif name == "restart" and state.has_guide:
            self._start_flow(turn, state.flow_id or "")
        elif name == "stop" and state.in_flow:
            turn.event("flow_paused", state.flow_id, state.step_id)
            turn.state = state.pause()
            turn.say(texts.STOPPED, (CONTINUE_BUTTON, MENU_BUTTON))
        else:
            self._show_menu(turn, texts.MENU_PROMPT)

    # ----------------------------------------------------------------- routing free text
    def _follow_route(self, turn: _Turn, route: Route, inbound: Inbound, text: str) -> None:
        entities = inbound.intent.entities if inbound.intent else {}
        if route.flow_id is not None:
            turn.state = turn.state.with_slots(entities)
            self._start_flow(turn, route.flow_id)
        elif route.builtin == "greet":
            self._show_menu(turn, texts.GREETING)
        elif route.builtin == "thanks_bye":
            turn.say(texts.THANKS, (MENU_BUTTON,))
        elif route.builtin == "help_menu":
            self._show_menu(turn, texts.MENU_PROMPT)
        elif route.builtin == "human_help":
            self._handoff(turn)
        elif route.candidates:
            turn.event("unanswered", reason="clarify", text=mask(text),
                       candidates=list(route.candidates))
            buttons = tuple(self._candidate_button(c) for c in route.candidates)
            turn.say(texts.CLARIFY, (*buttons, MENU_BUTTON))
        else:
            reason = "out_of_scope" if route.builtin == "out_of_scope" else "not_understood"
            turn.event("unanswered", reason=reason, text=mask(text))
            message = texts.OUT_OF_SCOPE if reason == "out_of_scope" else texts.NOT_UNDERSTOOD
            self._show_menu(turn, message)

    def _candidate_button(self, name: str) -> Button:
        compiled = self.catalog.get(self.catalog.by_intent.get(name))
        if compiled is not None:
            return Button(short_label(compiled.flow.title), payloads.open_flow(compiled.flow.id))
        return STUCK_BUTTON if name == "human_help" else MENU_BUTTON

    def _text_inside_flow(self, turn: _Turn, route: Route, text: str) -> None:
        current = self.catalog.get(turn.state.flow_id)
        if route.builtin == "human_help":
            self._handoff(turn)
        elif route.flow_id is not None and current and route.flow_id != current.flow.id:
            other = self.catalog.flows[route.flow_id]
            turn.say(texts.SWITCH_OFFER.format(title=other.flow.title),
                     (Button(short_label(other.flow.title), payloads.open_flow(other.flow.id)),
                      CONTINUE_BUTTON))
        else:
            if route.flow_id is None and route.builtin not in ("greet", "thanks_bye"):
                turn.event("unanswered", turn.state.flow_id, turn.state.step_id,
                           reason="inside_flow", text=mask(text))
            title = current.flow.title if current else ""
            turn.say(texts.IN_FLOW_HINT.format(title=title))
            self._resume(turn)

    # ----------------------------------------------------------------- guide navigation
    def _start_flow(self, turn: _Turn, flow_id: str) -> None:
        compiled = self.catalog.flows[flow_id]
        turn.state = turn.state.at(flow_id, compiled.first_step, ())
        turn.event("flow_started", flow_id)
        self._enter(turn, compiled, compiled.first_step, (), auto=True)

    def _enter(self, turn: _Turn, compiled: CompiledFlow, step_id: str,
               history: tuple[str, ...], *, auto: bool) -> None:
        """Show ``step_id``, first taking any branch whose slot is already known."""
        chosen_labels: list[str] = []
        for _ in range(_MAX_AUTO_STEPS):
            step = compiled.steps[step_id]
            known = turn.state.slots.get(step.slot) if (auto and step.slot) else None
            chosen = next((b for b in step.buttons if known and b.value == known and b.next),
                          None)
            if chosen is None or chosen.next is None:
                break
            turn.event("step_skipped", compiled.flow.id, step_id, slot=step.slot, value=known)
            chosen_labels.append(chosen.label)
            history, step_id = (*history, step_id), chosen.next
        step = compiled.steps[step_id]
        turn.state = turn.state.at(compiled.flow.id, step_id, history)
        turn.event("step_reached", compiled.flow.id, step_id)
        reply = step_reply(compiled, step_id, bool(history), turn.places)
        if chosen_labels:
            note = texts.AUTO_BRANCH.format(choice=", ".join(chosen_labels))
            reply = replace(reply, text=f"{reply.text}\n\n{note}")
        turn.replies.append(reply)
        if step.end is not None:
            kind = "flow_completed" if step.end is EndKind.completed else "flow_ended"
            turn.event(kind, compiled.flow.id, step_id, end=step.end.value)
            if step.end is EndKind.handoff:
                self._handoff(turn, announce=False)
            if step.end is EndKind.completed:
                turn.replies.append(finish_reply(compiled, self.catalog))
            turn.state = turn.state.idle()

    def _press(self, turn: _Turn, index: int | None) -> None:
        state = turn.state
        compiled = self.catalog.flows[state.flow_id or ""]
        step = compiled.steps[state.step_id or ""]
        history = (*state.history, step.id)
        if index is None:
            target = compiled.default_next(step.id)
            if target is not None:
                self._enter(turn, compiled, target, history, auto=True)
            else:
                self._resume(turn)
            return
        if index >= len(step.buttons):
            turn.say(texts.STALE_BUTTON)
            self._resume(turn)
            return
        button = step.buttons[index]
        if step.slot and button.value:
            turn.state = state.with_slots({step.slot: button.value})
        if button.next is not None:
            self._enter(turn, compiled, button.next, history, auto=True)
        elif button.flow is not None and button.flow in self.catalog.flows:
            self._start_flow(turn, button.flow)
        elif button.flow is not None:  # the target guide was unpublished since
            self._show_menu(turn, texts.UNKNOWN_BUTTON)
        elif button.action is Action.restart:
            self._start_flow(turn, compiled.flow.id)
        elif button.action is Action.handoff:
            self._handoff(turn)
        elif button.action is Action.end:
            turn.event("flow_ended", compiled.flow.id, step.id, end="button")
            turn.state = turn.state.idle()
            self._show_menu(turn, texts.MENU_PROMPT)
        else:  # Action.menu
            turn.event("flow_paused", compiled.flow.id, step.id)
            turn.state = turn.state.pause()
            self._show_menu(turn, texts.MENU_PROMPT)

    def _back(self, turn: _Turn) -> None:
        state = turn.state
        compiled = self.catalog.get(state.flow_id)
        if compiled is None or not state.has_guide:
            self._show_menu(turn, texts.MENU_PROMPT)
        elif not state.history:
            turn.say(texts.NO_STEP_BACK)
            self._resume(turn)
        else:
            self._enter(turn, compiled, state.history[-1], state.history[:-1], auto=False)

    def _resume(self, turn: _Turn) -> None:
        state = turn.state
        compiled = self.catalog.get(state.flow_id)
        if compiled is None or state.step_id not in (compiled.steps if compiled else {}):
            turn.state = state.idle()
            self._show_menu(turn, texts.NOTHING_TO_RESUME if state.has_guide or
                            state.flow_id is None else texts.MENU_PROMPT)
            return
        turn.state = replace(state, paused=False)
        turn.replies.append(step_reply(compiled, state.step_id or "", bool(state.history),
                                       turn.places))

    def _offer_resume(self, turn: _Turn) -> None:
        state = turn.state
        compiled = self.catalog.get(state.flow_id)
        if compiled is None:
            self._resume(turn)
            return
        text = texts.RESUME_OFFER.format(title=compiled.flow.title,
                                         progress=progress_label(compiled, state.step_id or ""))
        turn.event("resume_offered", state.flow_id, state.step_id)
        turn.say(text, (CONTINUE_BUTTON, MENU_BUTTON))

    def _handoff(self, turn: _Turn, *, announce: bool = True) -> None:
        state = turn.state
        turn.event("handoff_requested", state.flow_id, state.step_id)
        buttons = (CONTINUE_BUTTON, MENU_BUTTON) if state.in_flow else (MENU_BUTTON,)
        turn.say(texts.HANDOFF, buttons if announce else (MENU_BUTTON,))

    def _show_menu(self, turn: _Turn, text: str) -> None:
        reply = menu_reply(self.catalog, fill(text, turn.places), turn.state.has_guide)
        turn.replies.append(reply)

    # ----------------------------------------------------------------- helpers
    def _current_buttons(self, turn: _Turn) -> tuple[Button, ...]:
        state = turn.state
        compiled = self.catalog.get(state.flow_id)
        if state.in_flow and compiled is not None and state.step_id in compiled.steps:
            return step_reply(compiled, state.step_id or "", bool(state.history),
                              turn.places).buttons
        return (CONTINUE_BUTTON, MENU_BUTTON) if state.has_guide else (MENU_BUTTON,)

    def _match_button(self, state: SessionState, text: str) -> str | None:
        """The payload of the one button whose words match the text, ignoring case,
        diacritics and filler words ("xong rồi ạ" presses "Xong, tiếp theo")."""
        compiled = self.catalog.get(state.flow_id)
        if compiled is None or state.step_id not in compiled.steps:
            return None
        words = set(fold_words(text)) - _FILLER
        if not words:
            return None
        reply = step_reply(compiled, state.step_id or "", bool(state.history), self.places)
        matches = []
        for button in reply.buttons:
            label = set(fold_words(button.label))
            if label and (words <= label or label <= words):
                matches.append(button.payload)
        return matches[0] if len(matches) == 1 else None
