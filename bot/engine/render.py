"""Turning guide steps and menus into channel-neutral replies."""

from __future__ import annotations

from collections.abc import Mapping

from bot.engine import payloads, texts
from bot.engine.catalog import Catalog, CompiledFlow
from bot.engine.messages import Button, Reply
from bot.flowspec.model import LABEL_MAX, PLACEHOLDER_RE, EndKind


def fill(text: str, places: Mapping[str, str]) -> str:
    """Replace ``{commune}``-style placeholders; unknown names stay as written."""
    return PLACEHOLDER_RE.sub(lambda m: places.get(m[1], m[0]), text)


def short_label(text: str, limit: int = LABEL_MAX) -> str:
    """A button label within the limit, cut at a word boundary."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0]
    return cut.rstrip(" ,.:;-–") + "…"


def progress_label(compiled: CompiledFlow, step_id: str) -> str:
    position = compiled.graph.progress.get(step_id)
    if position is None:
        return texts.SIDE_MARK
    number, total = position
    if not total:
        return texts.PROGRESS_OPEN.format(number=number)
    return texts.PROGRESS.format(number=number, total=total)


MENU_BUTTON = Button(texts.MENU, payloads.command("menu"))
STUCK_BUTTON = Button(texts.STUCK, payloads.command("stuck"))
CONTINUE_BUTTON = Button(texts.CONTINUE, payloads.command("resume"))


def step_reply(compiled: CompiledFlow, step_id: str, has_history: bool,
               places: Mapping[str, str]) -> Reply:
    """A step with its progress, its authored buttons and the standard ones."""
    flow, step = compiled.flow, compiled.steps[step_id]
    header = progress_label(compiled, step_id)
    if step.end is not None:
        header = "🎉" if step.end is EndKind.completed else ""
    body = fill(step.text, places)
    text = f"{header}\n{body}" if header and step.end is None else body
    buttons = []
    if step.end is None and compiled.default_next(step_id) is not None:
        buttons.append(Button(texts.DONE, payloads.done(flow.id, step.id)))  # the main way first
    buttons += [Button(fill(b.label, places), payloads.button(flow.id, step.id, i))
                for i, b in enumerate(step.buttons)]
    if step.end is None:
        if has_history:
            buttons.append(Button(texts.BACK, payloads.command("back")))
        buttons.append(STUCK_BUTTON)
    if step.end is not EndKind.completed:  # a completed guide gets finish_reply's buttons
        buttons.append(MENU_BUTTON)
    return Reply(text=text, buttons=tuple(buttons), image=step.image)


def finish_reply(compiled: CompiledFlow, catalog: Catalog) -> Reply:
    """After a completed guide: feedback in one tap, and what to learn next."""
    buttons = [
        Button(texts.USEFUL, payloads.feedback(compiled.flow.id, "useful")),
        Button(texts.UNCLEAR, payloads.feedback(compiled.flow.id, "unclear")),
    ]
    for related in compiled.flow.related:
        other = catalog.get(related)
        if other is not None:
            buttons.append(Button(short_label("➡️ " + other.flow.title),
                                  payloads.open_flow(related)))
    buttons.append(MENU_BUTTON)
    return Reply(text=texts.FEEDBACK_ASK, buttons=tuple(buttons))


def menu_reply(catalog: Catalog, text: str, can_resume: bool) -> Reply:
    groups = catalog.groups()
    buttons = [CONTINUE_BUTTON] if can_resume else []
    buttons += [Button(label, payloads.group(name))
                for name, label in texts.GROUP_LABELS.items() if groups.get(name)]
    buttons.append(Button(texts.TALK_TO_TEAM, payloads.command("stuck")))
    return Reply(text=text, buttons=tuple(buttons))


def group_reply(catalog: Catalog, group: str) -> Reply | None:
    flows = catalog.groups().get(group)
    if not flows:
        return None
    buttons = [Button(short_label(c.flow.title), payloads.open_flow(c.flow.id)) for c in flows]
    return Reply(text=texts.GROUP_PROMPT, buttons=(*buttons, MENU_BUTTON))
