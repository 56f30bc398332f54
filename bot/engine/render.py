"""Turning guide steps and menus into channel-neutral replies."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from bot.engine import payloads, texts
from bot.engine.catalog import Catalog, CompiledFlow, short_label
from bot.engine.messages import Button, Reply
from bot.flowspec.model import PLACEHOLDER_RE, Action, EndKind


def places_with_contact(places: Mapping[str, str]) -> dict[str, str]:
    """The commune's details plus ``team_contact``, which reads as natural Vietnamese whether
    or not the commune configured a phone number, and ``team_help`` (the offer of a person:
    the hand-off only when the places say a team is reachable, ``team_reachable``)."""
    full = {**texts.DEFAULT_PLACES, **places}
    if "team_contact" not in places:
        configured = full["team_phone"] not in ("", texts.DEFAULT_PLACES["team_phone"])
        template = texts.TEAM_CONTACT if configured else texts.TEAM_CONTACT_NO_PHONE
        full["team_contact"] = template.format(team_name=full["team_name"],
                                               team_phone=full["team_phone"])
    if "team_help" not in places:
        reachable = places.get("team_reachable") == "yes"
        template = texts.TEAM_HELP_REACHABLE if reachable else texts.TEAM_HELP_UNREACHABLE
        full["team_help"] = template.format(team_name=full["team_name"],
                                            team_contact=full["team_contact"])
    return full


def fill(text: str, places: Mapping[str, str]) -> str:
    """Replace ``{commune}``-style placeholders; unknown names stay as written."""
    values = places if "team_help" in places else places_with_contact(places)
    return PLACEHOLDER_RE.sub(lambda m: values.get(m[1], m[0]), text)


def progress_label(compiled: CompiledFlow, step_id: str, history: tuple[str, ...]) -> str:
    position = compiled.graph.progress(step_id, history)
    if position is None:
        return texts.SIDE_MARK
    number, total = position
    return texts.PROGRESS.format(number=number, total=total)


MENU_BUTTON = Button(texts.MENU, payloads.command("menu"))
STUCK_BUTTON = Button(texts.STUCK, payloads.command("stuck"))
CONTINUE_BUTTON = Button(texts.CONTINUE, payloads.command("resume"))
BACK_BUTTON = Button(texts.BACK, payloads.command("back"))
REVIEW_BUTTON = Button(texts.REVIEW_STEP, payloads.command("resume"))


def return_button(origin: CompiledFlow) -> Button:
    return Button(short_label(texts.RETURN.format(title=origin.label)),
                  payloads.command("return"))


def unique(buttons: Iterable[Button]) -> tuple[Button, ...]:
    """Buttons without repeats: one button per payload and per label."""
    seen: set[str] = set()
    result = []
    for button in buttons:
        if button.payload not in seen and button.label not in seen:
            seen.update((button.payload, button.label))
            result.append(button)
    return tuple(result)


def step_reply(compiled: CompiledFlow, step_id: str, history: tuple[str, ...],
               places: Mapping[str, str], *, can_go_back: bool | None = None) -> Reply:
    """A step with its progress, its authored buttons and the standard ones.

    Endings get what fits them: a finished or pending guide gets its buttons from
    :func:`finish_reply`; an aborted one offers the team and the menu."""
    flow, step = compiled.flow, compiled.steps[step_id]
    body = fill(step.text, places)
    text = body if step.end is not None else f"{progress_label(compiled, step_id, history)}\n{body}"
    buttons = []
    if step.end is None and compiled.default_next(step_id) is not None:
        buttons.append(Button(texts.DONE, payloads.done(flow.id, step.id)))  # the main way first
    buttons += [Button(fill(b.label, places), payloads.button(flow.id, step.id, i))
                for i, b in enumerate(step.buttons)]
    actions = {b.action for b in step.buttons}
    back = bool(history) if can_go_back is None else can_go_back
    if step.end is None:
        if back:
            buttons.append(BACK_BUTTON)
        if Action.handoff not in actions:
            buttons.append(STUCK_BUTTON)
    elif step.end is EndKind.aborted:
        buttons.append(STUCK_BUTTON)
    if step.end not in (EndKind.completed, EndKind.pending) and Action.menu not in actions:
        buttons.append(MENU_BUTTON)
    return Reply(text=text, buttons=unique(buttons), image=step.image)


def finish_reply(compiled: CompiledFlow, catalog: Catalog,
                 origin: CompiledFlow | None = None) -> Reply:
    """After a finished guide: feedback in one tap, the way back to the guide the resident
    came from, and what to learn next."""
    buttons = [
        Button(texts.USEFUL, payloads.feedback(compiled.flow.id, "useful")),
        Button(texts.UNCLEAR, payloads.feedback(compiled.flow.id, "unclear")),
    ]
    if origin is not None:
        buttons.append(return_button(origin))
    for related in compiled.flow.related:
        other = catalog.get(related)
        if other is not None and other is not origin:
            buttons.append(Button(short_label("➡️ " + other.label), payloads.open_flow(related)))
    buttons.append(MENU_BUTTON)
    return Reply(text=texts.FEEDBACK_ASK, buttons=unique(buttons))


def menu_reply(catalog: Catalog, text: str, resume: CompiledFlow | None) -> Reply:
    """The main menu; ``resume`` names the unfinished guide on the "Tiếp tục" button."""
    groups = catalog.groups()
    buttons = []
    if resume is not None:
        label = short_label(texts.CONTINUE_NAMED.format(title=resume.label))
        buttons.append(Button(label, payloads.command("resume")))
    buttons += [Button(label, payloads.group(name))
                for name, label in texts.GROUP_LABELS.items() if groups.get(name)]
    buttons.append(Button(texts.TALK_TO_TEAM, payloads.command("stuck")))
    return Reply(text=text, buttons=tuple(buttons))


def group_reply(catalog: Catalog, group: str) -> Reply | None:
    flows = catalog.groups().get(group)
    if not flows:
        return None
    buttons = [Button(c.label, payloads.open_flow(c.flow.id)) for c in flows]
    return Reply(text=texts.GROUP_PROMPT, buttons=(*buttons, MENU_BUTTON))
