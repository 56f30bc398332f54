"""A readable diff between two versions of a flow: step by step, word by word.

Steps are matched by id and buttons by label, so an editor sees "step `open_app`: text
changed (these words), button `Xong` now goes to `login`" rather than a YAML line diff.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any

# Words keep their trailing space, so a changed phrase reads as one piece, not word by word.
_TOKENS = re.compile(r"\w+\s*|[^\w\s]\s*|\s+", re.UNICODE)
META_FIELDS = ("title", "short_title", "summary", "menu_group", "menu_order", "intents",
               "keywords", "related", "sources", "reviewed", "review_by")
STEP_FIELDS = ("text", "image", "next", "end", "slot", "side")

Piece = tuple[str, str]  # ("=", "same words") | ("-", "removed") | ("+", "added")


def word_diff(old: str, new: str) -> list[Piece]:
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    pieces: list[Piece] = []

    def add(op: str, text: str) -> None:
        if pieces and pieces[-1][0] == op:
            pieces[-1] = (op, pieces[-1][1] + text)
        else:
            pieces.append((op, text))

    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            add("=", "".join(a[i1:i2]))
            continue
        if i2 > i1:
            add("-", "".join(a[i1:i2]))
        if j2 > j1:
            add("+", "".join(b[j1:j2]))
    return pieces


def _show(value: Any) -> str:
    if value is None or value == [] or value is False:
        return ""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


@dataclass(frozen=True)
class FieldChange:
    name: str
    old: str
    new: str
    pieces: list[Piece]


def _field(name: str, old: Any, new: Any) -> FieldChange | None:
    a, b = _show(old), _show(new)
    return None if a == b else FieldChange(name, a, b, word_diff(a, b))


def button_target(button: dict[str, Any]) -> str:
    for key, prefix in (("next", "bước "), ("flow", "hướng dẫn "), ("action", "")):
        if button.get(key):
            return f"{prefix}{button[key]}"
    return ""


@dataclass
class StepDiff:
    step_id: str
    status: str  # added | removed | changed | same
    fields: list[FieldChange] = field(default_factory=list)
    buttons_added: list[str] = field(default_factory=list)
    buttons_removed: list[str] = field(default_factory=list)
    buttons_changed: list[FieldChange] = field(default_factory=list)
    text: str = ""  # the step's text (the new one, or the old one when removed)


@dataclass
class FlowDiff:
    meta: list[FieldChange]
    steps: list[StepDiff]

    @property
    def changed_steps(self) -> list[StepDiff]:
        return [s for s in self.steps if s.status != "same"]

    @property
    def empty(self) -> bool:
        return not self.meta and not self.changed_steps


def _button_line(button: dict[str, Any]) -> str:
    return f"{button.get('label', '')} → {button_target(button)}"


def _step_diff(old: dict[str, Any], new: dict[str, Any]) -> StepDiff:
    diff = StepDiff(str(new.get("id")), "same", text=str(new.get("text", "")))
    diff.fields = [c for name in STEP_FIELDS
                   if (c := _field(name, old.get(name), new.get(name))) is not None]
    old_buttons = {str(b.get("label")): b for b in old.get("buttons") or []}
    new_buttons = {str(b.get("label")): b for b in new.get("buttons") or []}
    for label, button in new_buttons.items():
        before = old_buttons.get(label)
        if before is None:
            diff.buttons_added.append(_button_line(button))
        elif before != button:
            change = _field(label, _button_line(before), _button_line(button))
            if change is not None:
                diff.buttons_changed.append(change)
    diff.buttons_removed = [_button_line(b) for label, b in old_buttons.items()
                            if label not in new_buttons]
    if diff.fields or diff.buttons_added or diff.buttons_removed or diff.buttons_changed:
        diff.status = "changed"
    return diff


def diff_documents(old: dict[str, Any], new: dict[str, Any]) -> FlowDiff:
    meta = [c for name in META_FIELDS
            if (c := _field(name, old.get(name), new.get(name))) is not None]
    old_steps = [s for s in old.get("steps") or [] if isinstance(s, dict)]
    new_steps = [s for s in new.get("steps") or [] if isinstance(s, dict)]
    old_by_id = {str(s.get("id")): s for s in old_steps}
    new_ids = {str(s.get("id")) for s in new_steps}
    steps: list[StepDiff] = []
    for step in new_steps:
        before = old_by_id.get(str(step.get("id")))
        if before is None:
            steps.append(StepDiff(str(step.get("id")), "added", text=str(step.get("text", "")),
                                  buttons_added=[_button_line(b)
                                                 for b in step.get("buttons") or []]))
        else:
            steps.append(_step_diff(before, step))
    # A removed step is shown after the step that preceded it in the old version.
    previous: str | None = None
    for step in old_steps:
        step_id = str(step.get("id"))
        if step_id not in new_ids:
            removed = StepDiff(step_id, "removed", text=str(step.get("text", "")))
            at = next((i + 1 for i, s in enumerate(steps) if s.step_id == previous), 0)
            steps.insert(at, removed)
        previous = step_id
    return FlowDiff(meta, steps)
