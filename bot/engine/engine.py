"""One turn of the conversation: ``Engine.step(state, inbound) -> Turn``. Pure, no I/O.

Typed text goes, in this order: the safety warning on numbers that look like secrets, the
answer to a question the last turn asked (:mod:`bot.engine.asking`), global commands
("tiếp tục" typed mid-guide goes on), scam signals (:mod:`bot.safety`, independent of the NLU),
what the text means at the current step (:mod:`bot.engine.understand`: a button, the 🆘
hand-off, "which one?", "what does the screen show?"), and only then the intent recognizer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from bot import safety
from bot.engine import payloads, texts
from bot.engine.asking import Asking, erase_answer, feedback_answer
from bot.engine.catalog import Catalog, CompiledFlow
from bot.engine.commands import Command, parse_command
from bot.engine.messages import Button, Inbound
from bot.engine.polarity import is_negative, polar_words
from bot.engine.render import (
    CONTINUE_BUTTON,
    MENU_BUTTON,
    STUCK_BUTTON,
    group_reply,
    places_with_contact,
    progress_label,
)
from bot.engine.repair import repaired
from bot.engine.routing import Route, route_intent
from bot.engine.state import SessionState
from bot.engine.turn import Scratch, Turn
from bot.engine.understand import NOTHING, Reading, read_reply
from bot.privacy import Sensitive, mask, sensitive_kinds
from bot.text import fold_words

__all__ = ["Engine", "Turn"]

_WARN_ON = {Sensitive.otp, Sensitive.id_number, Sensitive.card, Sensitive.password}
SWITCH_CONFIDENCE = 0.7  # inside a guide, only a clear request opens the offer to switch
SCAM_FLOW = "scam_report"
# Where each urgent signal enters the scam guide; the guide's first step for the others.
SCAM_ENTRIES = {
    safety.Signal.money_lost: "lost_bank",
    safety.Signal.secret_given: "otp_given",
    safety.Signal.app_installed: "link_urgent",
    safety.Signal.wrong_transfer: "wrong_dont",
}
# A mistaken transfer of the resident's own is no scam: the transfer guide's own urgent step
# (call the bank to trace it) takes it, when that guide is published.
OWN_MISTAKE_ENTRY = ("payment_transfer", "wrong_bank")


class Engine(Asking):
    """Runs guides for any number of residents; holds only the catalog (immutable)."""

    def __init__(self, catalog: Catalog, places: Mapping[str, str] | None = None,
                 *, scam_flow: str = SCAM_FLOW) -> None:
        super().__init__(catalog)
        self.places = {**texts.DEFAULT_PLACES, **(places or {})}
        self.scam_flow = scam_flow

    # ----------------------------------------------------------------- public API
    def needs_intent(self, state: SessionState, inbound: Inbound) -> bool:
        """Whether this input is free text the engine cannot place without NLU."""
        text = inbound.text
        if inbound.payload is not None or not text or not fold_words(text):
            return False
        if parse_command(text) is not None or safety.check(text).found:
            return False
        if state.asked == "forget" and erase_answer(text) is not None:
            return False
        if state.asked and state.asked.startswith("feedback:") and feedback_answer(text):
            return False
        fixed, notice = repaired(self.catalog, state)
        if fixed.in_flow and sensitive_kinds(text) & _WARN_ON:
            return False
        if fixed.in_flow:
            return (notice is None and not inbound.resumed
                    and self._read(fixed, text).kind == "none")
        return True

    def step(self, state: SessionState, inbound: Inbound,
             places: Mapping[str, str] | None = None) -> Turn:
        # The question the last turn asked waits this one turn for its answer.
        turn = Scratch(replace(state, asked=None),
                       places_with_contact({**self.places, **(places or {})}))
        if self._on_repair(turn, inbound):
            return turn.done()
        if inbound.payload is not None:
            self._on_payload(turn, inbound.payload)
        elif inbound.unsupported is not None:
            turn.say(texts.NON_TEXT, self._current_buttons(turn))
        elif not inbound.text or not fold_words(inbound.text):
            turn.say(texts.EMPTY, self._current_buttons(turn))
        else:
            self._on_text(turn, inbound, state.asked)
        return turn.done()

    # ----------------------------------------------------------------- inputs
    def _on_repair(self, turn: Scratch, inbound: Inbound) -> bool:
        """Names in the saved state that a new version of a guide removed: when the input is
        about that guide, say so once and carry on from the nearest step that still exists.
        True when the turn is complete."""
        turn.state, notice = repaired(self.catalog, turn.state)
        if notice is None:
            return False
        payload = payloads.parse(inbound.payload) if inbound.payload is not None else None
        command = parse_command(inbound.text or "") if inbound.payload is None else None
        if payload is not None and payload.kind == "c" and payload.value:
            command = Command(payload.value)
        typed = inbound.payload is None and command is None and bool(inbound.text)
        about_guide = ((payload is not None and payload.kind in ("s", "n"))
                       or (command is not None and command.name in ("resume", "back")))
        if notice == "gone":
            turn.event("guide_gone")
            if about_guide:
                self._show_menu(turn, texts.GUIDE_GONE_MENU)
                return True
            if typed:  # said once; the message itself is still answered
                turn.say(texts.GUIDE_GONE)
            return False
        if not (about_guide or (typed and not turn.state.paused)):
            return False  # about something else; "tiếp tục" finds the repaired step later
        compiled = self.catalog.flows[turn.state.flow_id or ""]
        turn.event("guide_updated", turn.state.flow_id, turn.state.step_id)
        turn.say(texts.GUIDE_UPDATED.format(title=compiled.flow.title))
        turn.state = replace(turn.state, paused=False)
        self._show_step(turn)
        return True

    def _on_text(self, turn: Scratch, inbound: Inbound, asked: str | None) -> None:
        text = inbound.text or ""
        secret = bool(sensitive_kinds(text) & _WARN_ON)
        if secret:
            turn.say(texts.SAFETY_WARNING)
            turn.event("sensitive_warning")
        answer = self._on_answer(turn, asked, text) if asked else False
        if answer is True:
            return
        command = answer or parse_command(text)
        state = turn.state
        typed_on = (command is not None and command.name == "resume" and state.in_flow
                    and not inbound.resumed and not text.startswith("/"))
        if command is not None and not typed_on:
            self._on_command(turn, command)
        else:
            self._on_reply(turn, inbound, secret, typed_on)
        if asked == "forget" and not any(e.kind.startswith("data_") for e in turn.events):
            turn.say(texts.FORGET_NOT_DONE)

    def _on_reply(self, turn: Scratch, inbound: Inbound, secret: bool, typed_on: bool) -> None:
        """Typed text that is no command: the step's own answer, a scam, another topic."""
        text = inbound.text or ""
        state = turn.state
        reading = self._read(state, text) if state.in_flow and not inbound.resumed else NOTHING
        if typed_on:  # "tiếp tục" typed mid-guide: go on, as "Xong" does
            reading = self._read(state, "xong")
        scam = safety.check(text)
        # A button's own words typed (the transfer guide's "Tôi lỡ chuyển nhầm rồi"), or the
        # scam guide's own question answered: the guide already handles it.
        in_scam_guide = state.flow_id == self.scam_flow and reading.kind != "none"
        answering = (reading.kind == "press" and reading.exact) or (in_scam_guide and (
            scam.urgent is None or is_negative(polar_words(text))))
        if scam.found and not answering:
            self._on_scam(turn, scam)
        elif state.in_flow and inbound.resumed:
            self._offer_resume(turn)
        elif reading.kind == "press" and reading.payload:
            self._on_payload(turn, reading.payload)
        elif reading.kind == "handoff":
            self._handoff(turn)
        elif reading.kind == "ask":
            self._ask_which(turn, reading)
        elif reading.kind == "trouble":
            self._trouble(turn, reading, text)
        elif reading.kind == "choose":
            turn.say(texts.CHOOSE)
            self._show_step(turn)
        elif secret and state.in_flow:  # a secret typed here is no request for another guide
            self._show_step(turn)
        else:
            self._on_free_text(turn, inbound, text, scam_found=scam.found)

    def _on_free_text(self, turn: Scratch, inbound: Inbound, text: str, *,
                      scam_found: bool = False) -> None:
        # Without a scam sign, the model's "scam_report" alone is no reason to alarm: ask.
        route = route_intent(inbound.intent, self.catalog,
                             ask_first=() if scam_found else self._scam_intents())
        top = inbound.intent.top if inbound.intent is not None else None
        if top is not None and inbound.intent is not None:
            turn.event("intent", name=top.name, confidence=round(top.confidence, 3),
                       source=inbound.intent.source)
        if turn.state.in_flow:
            confidence = top.confidence if top is not None else 0.0
            self._text_inside_flow(turn, route, text, confidence)
        else:
            self._follow_route(turn, route, inbound, text)

    def _on_payload(self, turn: Scratch, raw: str) -> None:
        payload = payloads.parse(raw)
        state = turn.state
        if payload is None:
            turn.say(texts.UNKNOWN_BUTTON, self._current_buttons(turn))
        elif payload.kind == "c" and payload.value:
            self._on_command(turn, Command(payload.value))
        elif payload.kind == "f" and payload.flow_id in self.catalog.flows:
            self._start_flow(turn, payload.flow_id or "", jump=True)
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
        elif payload.kind in ("s", "n") and state.has_guide and (
                payload.flow_id, payload.step_id) == (state.flow_id, state.step_id):
            turn.state = replace(state, paused=False)
            self._press(turn, payload.index)
        elif payload.kind in ("s", "n") and state.has_guide:
            turn.say(texts.STALE_BUTTON)
            self._resume(turn)
        else:
            self._show_menu(turn, texts.UNKNOWN_BUTTON)

    def _on_command(self, turn: Scratch, command: Command) -> None:
        state = turn.state
        name = command.name
        if name == "start":
            self._on_start(turn, command.argument)
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
        elif name in ("resume", "return"):
            self._resume(turn) if name == "resume" else self._return(turn)
        elif name == "restart" and state.has_guide:
            self._start_flow(turn, state.flow_id or "", jump=False)
        elif name in ("mydata", "forget_yes"):
            # The conversation service answers these after reading or erasing the data.
            kind = "data_export_requested" if name == "mydata" else "data_erasure_requested"
            turn.event(kind)
            if name == "forget_yes":
                turn.state = SessionState()
        elif name == "forget":
            self._confirm_forget(turn)
        elif name == "forget_no":
            self._show_menu(turn, texts.FORGET_KEPT)
        elif name == "stop" and state.in_flow:
            turn.event("flow_paused", state.flow_id, state.step_id)
            turn.state = state.pause()
            turn.say(texts.STOPPED, (CONTINUE_BUTTON, MENU_BUTTON))
        else:
            self._show_menu(turn, texts.MENU_PROMPT)

    def _on_start(self, turn: Scratch, argument: str | None) -> None:
        """``/start`` (a returning resident) or ``/start <flow_id>`` (a shared link)."""
        if argument and argument in self.catalog.flows:
            self._start_flow(turn, argument, jump=False)
            return
        turn.state = turn.state.pause()
        if argument:
            turn.event("unknown_link", value=mask(argument)[:64])
            self._show_menu(turn, texts.UNKNOWN_LINK)
            return
        unfinished = self._unfinished(turn.state)
        greeting = texts.GREETING
        if unfinished is not None:
            place = turn.state.place or turn.state.trail[-1]
            progress = progress_label(unfinished, place.step_id, place.history)
            greeting += "\n\n" + texts.UNFINISHED.format(title=unfinished.flow.title,
                                                         progress=progress)
        self._show_menu(turn, greeting)

    # ----------------------------------------------------------------- safety and free text
    def _on_scam(self, turn: Scratch, scam: safety.ScamCheck) -> None:
        """Warn first, whatever the NLU would say; then the scam guide at the part that fits
        (or, inside another guide and with no harm done yet, the choice to look at it)."""
        state = turn.state
        signal = scam.main or safety.Signal.scam_named
        turn.event("scam_signal", state.flow_id, state.step_id,
                   signals=sorted(s.value for s in scam.signals))
        warning = texts.SCAM_WARNINGS[signal.value]
        target, entry = self._harm_entry(scam.urgent)
        if target is None:  # the scam guide is unpublished: the warning and the team
            turn.say(warning, (STUCK_BUTTON, MENU_BUTTON))
            return
        if state.in_flow and state.flow_id == target.flow.id:
            turn.say(warning)
            if entry not in (target.first_step, state.step_id):
                self._enter(turn, target, entry, target.way_to(entry), auto=False)
            else:
                self._show_step(turn)
            return
        if state.in_flow and scam.urgent is None:
            turn.say(warning, (Button(texts.SCAM_HELP, payloads.open_flow(target.flow.id)),
                               Button(texts.KEEP_GOING, payloads.command("resume"))))
            return
        turn.say(warning)
        # Whatever other guide was open, active or paused, stays one tap away ("↩️ Về «…»").
        if state.has_guide and state.flow_id != target.flow.id:
            state = state.push_trail()
        elif not state.has_guide:
            state = replace(state, trail=())
        turn.state = state
        reason = "scam" if target.flow.id == self.scam_flow else "harm"
        turn.event("flow_started", target.flow.id, reason=reason)
        self._enter(turn, target, entry, target.way_to(entry), auto=False)

    def _harm_entry(self, urgent: safety.Signal | None) -> tuple[CompiledFlow | None, str]:
        """The guide and step for this harm (the scam guide's first step when none)."""
        if urgent is safety.Signal.sent_by_mistake:
            flow_id, step_id = OWN_MISTAKE_ENTRY
            own = self.catalog.get(flow_id)
            if own is not None and step_id in own.steps:
                return own, step_id
        target = self.catalog.get(self.scam_flow)
        if target is None:
            return None, ""
        entry = SCAM_ENTRIES.get(urgent) if urgent else None
        return target, entry if entry in target.steps else target.first_step

    def _follow_route(self, turn: Scratch, route: Route, inbound: Inbound, text: str) -> None:
        entities = inbound.intent.entities if inbound.intent else {}
        if route.flow_id is not None:
            turn.state = turn.state.with_slots(entities)
            self._start_flow(turn, route.flow_id, jump=False)
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
            return Button(compiled.label, payloads.open_flow(compiled.flow.id))
        return STUCK_BUTTON if name == "human_help" else MENU_BUTTON

    def _text_inside_flow(self, turn: Scratch, route: Route, text: str,
                          confidence: float) -> None:
        current = self.catalog.flows[turn.state.flow_id or ""]
        if route.builtin == "human_help":  # asked, not done: a misread must not hand off
            turn.say(texts.HANDOFF_OFFER,
                     (STUCK_BUTTON, Button(texts.KEEP_GOING, payloads.command("resume"))))
        elif (route.flow_id is not None and route.flow_id != current.flow.id
              and confidence >= SWITCH_CONFIDENCE
              and self._other_topic(current, turn.state.step_id or "", text)):
            other = self.catalog.flows[route.flow_id]
            turn.say(texts.SWITCH_OFFER.format(title=other.flow.title),
                     (Button(other.label, payloads.open_flow(other.flow.id)), CONTINUE_BUTTON))
        else:
            if route.flow_id is None and route.builtin not in ("greet", "thanks_bye"):
                turn.event("unanswered", turn.state.flow_id, turn.state.step_id,
                           reason="inside_flow", text=mask(text))
            turn.say(texts.IN_FLOW_HINT.format(title=current.flow.title))
            self._show_step(turn)

    @staticmethod
    def _other_topic(current: CompiledFlow, step_id: str, text: str) -> bool:
        """The text is mostly about something the current step does not mention."""
        step = current.steps[step_id]
        around = set(fold_words(" ".join([step.text, *(b.label for b in step.buttons)])))
        words = {w for w in fold_words(text) if len(w) > 1}
        return len(words) >= 2 and len(words & around) * 2 < len(words)

    # ----------------------------------------------------------------- helpers
    def _scam_intents(self) -> tuple[str, ...]:
        scam = self.catalog.get(self.scam_flow)
        return tuple(scam.flow.intents) if scam is not None else ()

    def _read(self, state: SessionState, text: str) -> Reading:
        compiled = self.catalog.get(state.flow_id)
        if compiled is None or state.step_id not in compiled.steps:
            return NOTHING
        return read_reply(compiled, state.step_id or "", text)
