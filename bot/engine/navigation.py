"""Moving through guides: opening, entering steps, pressing buttons, going back and returning.

The engine's input handling (:mod:`bot.engine.engine`) decides what a resident meant; this
class does it, on the turn's scratch space. Pure, like the rest of the engine.
"""

from __future__ import annotations

from dataclasses import replace

from bot.engine import texts
from bot.engine.catalog import Catalog, CompiledFlow
from bot.engine.messages import Button, Reply
from bot.engine.render import (
    CONTINUE_BUTTON,
    MENU_BUTTON,
    fill,
    finish_reply,
    menu_reply,
    progress_label,
    return_button,
    step_reply,
)
from bot.engine.state import SessionState
from bot.engine.turn import Scratch
from bot.flowspec.model import Action, EndKind

_MAX_AUTO_STEPS = 20


class Navigator:
    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog

    def _start_flow(self, turn: Scratch, flow_id: str, *, jump: bool) -> None:
        """Open a guide at its first step. ``jump``: from a button inside another guide, which
        the resident can then come back to."""
        compiled = self.catalog.flows[flow_id]
        state = turn.state
        if jump and state.in_flow and state.flow_id != flow_id:
            state = state.push_trail()
        elif not (jump and state.in_flow):
            state = replace(state, trail=())
        turn.state = state.at(flow_id, compiled.first_step, ())
        turn.event("flow_started", flow_id)
        self._enter(turn, compiled, compiled.first_step, (), auto=True)

    def _enter(self, turn: Scratch, compiled: CompiledFlow, step_id: str,
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
        reply = step_reply(compiled, step_id, history, turn.places,
                           can_go_back=bool(history or turn.state.trail))
        if chosen_labels:
            note = texts.AUTO_BRANCH.format(choice=", ".join(chosen_labels))
            reply = replace(reply, text=f"{reply.text}\n\n{note}")
        if step.end is None:
            turn.replies.append(reply)
            return
        kind = "flow_completed" if step.end is EndKind.completed else "flow_ended"
        turn.event(kind, compiled.flow.id, step_id, end=step.end.value)
        origin = self.catalog.get(turn.state.trail[-1].flow_id) if turn.state.trail else None
        back = (return_button(origin),) if origin is not None else ()
        if step.end is EndKind.handoff:  # one message: the step, then the team's details
            notice = fill(texts.HANDOFF, turn.places)
            turn.event("handoff_requested", compiled.flow.id, step_id, notice=notice)
            reply = replace(reply, text=f"{reply.text}\n\n{notice}",
                            buttons=(*back, *reply.buttons))
            turn.replies.append(reply)
        elif step.end is EndKind.aborted:
            turn.replies.append(replace(reply, buttons=(*back, *reply.buttons)))
        else:
            turn.replies.append(reply)
            turn.replies.append(finish_reply(compiled, self.catalog, origin))
        turn.state = turn.state.idle()
        if step.end in (EndKind.completed, EndKind.pending):
            turn.state = replace(turn.state, asked=f"feedback:{compiled.flow.id}")

    def _press(self, turn: Scratch, index: int | None) -> None:
        state = turn.state
        compiled = self.catalog.flows[state.flow_id or ""]
        step = compiled.steps[state.step_id or ""]
        history = (*state.history, step.id)
        if index is None:
            target = compiled.default_next(step.id)
            if target is not None:
                self._enter(turn, compiled, target, history, auto=True)
            else:
                self._show_step(turn)
            return
        if index >= len(step.buttons):
            turn.say(texts.STALE_BUTTON)
            self._show_step(turn)
            return
        button = step.buttons[index]
        if step.slot and button.value:
            turn.state = state.with_slots({step.slot: button.value})
        if button.next is not None:
            self._enter(turn, compiled, button.next, history, auto=True)
        elif button.flow is not None and button.flow in self.catalog.flows:
            self._start_flow(turn, button.flow, jump=True)
        elif button.flow is not None:  # the target guide was unpublished since
            self._show_menu(turn, texts.UNKNOWN_BUTTON)
        elif button.action is Action.restart:
            self._start_flow(turn, compiled.flow.id, jump=False)
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

    def _back(self, turn: Scratch) -> None:
        state = turn.state
        compiled = self.catalog.get(state.flow_id)
        if compiled is None or not state.has_guide or not state.history:
            if state.trail:
                self._return(turn)
            elif compiled is None or not state.has_guide:
                self._show_menu(turn, texts.MENU_PROMPT)
            else:
                turn.say(texts.NO_STEP_BACK)
                self._show_step(turn)
        else:
            self._enter(turn, compiled, state.history[-1], state.history[:-1], auto=False)

    def _return(self, turn: Scratch) -> None:
        """Back to the guide the resident jumped out of, at the step they left."""
        state = turn.state
        if not state.trail:
            self._resume(turn)
            return
        place = state.trail[-1]
        compiled = self.catalog.flows[place.flow_id]  # the trail is repaired on every turn
        turn.state = replace(state, trail=state.trail[:-1]).at(place.flow_id, place.step_id,
                                                               place.history)
        turn.event("flow_returned", place.flow_id, place.step_id)
        turn.say(texts.RETURNED.format(title=compiled.flow.title))
        self._show_step(turn)

    def _resume(self, turn: Scratch) -> None:
        state = turn.state
        if state.has_guide:
            turn.state = replace(state, paused=False)
            self._show_step(turn)
        elif state.trail:
            self._return(turn)
        else:
            self._show_menu(turn, texts.NOTHING_TO_RESUME)

    def _show_step(self, turn: Scratch) -> None:
        state = turn.state
        compiled = self.catalog.flows[state.flow_id or ""]
        turn.replies.append(step_reply(compiled, state.step_id or "", state.history,
                                       turn.places, can_go_back=bool(state.history
                                                                     or state.trail)))

    def _offer_resume(self, turn: Scratch) -> None:
        state = turn.state
        compiled = self.catalog.flows[state.flow_id or ""]
        progress = progress_label(compiled, state.step_id or "", state.history)
        turn.event("resume_offered", state.flow_id, state.step_id)
        turn.say(texts.RESUME_OFFER.format(title=compiled.flow.title, progress=progress),
                 (CONTINUE_BUTTON, MENU_BUTTON))

    def _handoff(self, turn: Scratch) -> None:
        state = turn.state
        # The notice is named in the event, so a service that knows what really happened
        # (was the team told?) can put its own words in its place.
        notice = fill(texts.HANDOFF, turn.places)
        turn.event("handoff_requested", state.flow_id, state.step_id, notice=notice)
        buttons = (CONTINUE_BUTTON, MENU_BUTTON) if state.in_flow else (MENU_BUTTON,)
        turn.replies.append(Reply(notice, buttons))

    def _show_menu(self, turn: Scratch, text: str) -> None:
        turn.replies.append(menu_reply(self.catalog, fill(text, turn.places),
                                       self._unfinished(turn.state)))

    # ----------------------------------------------------------------- helpers
    def _unfinished(self, state: SessionState) -> CompiledFlow | None:
        """The guide "▶️ Tiếp tục" goes back to: the open one, else the one jumped out of."""
        if state.has_guide:
            return self.catalog.get(state.flow_id)
        return self.catalog.get(state.trail[-1].flow_id) if state.trail else None

    def _current_buttons(self, turn: Scratch) -> tuple[Button, ...]:
        state = turn.state
        compiled = self.catalog.get(state.flow_id)
        if state.in_flow and compiled is not None:
            return step_reply(compiled, state.step_id or "", state.history, turn.places,
                              can_go_back=bool(state.history or state.trail)).buttons
        return (CONTINUE_BUTTON, MENU_BUTTON) if state.has_guide else (MENU_BUTTON,)

