"""The step-by-step form editor: form fields <-> a flow document, and error paths -> fields.
Every field comes from the pydantic models (``bot/flowspec/model.py``): a new schema field
is parsed without touching this file (or fails loudly, :func:`field_kind`), and the page test
(tests/admin/test_form_editor.py) fails until the template shows it.

Fields are named after the document (``steps-3-text``, ``steps-3-buttons-0-label``). A button's
target is one select (``next``/``flow``/``action``) plus one value. Each step and the list end
with an empty row, filled to add a step or a button; a ticked ``delete`` removes one. This keeps
the form usable without JavaScript; the little script only offers placeholders.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import re
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from bot.flows.validation import FieldError
from bot.flowspec.model import Action, Button, EndKind, Flow, Step

_STEP = re.compile(r"^steps-(\d+)-(\w+)$")
_BUTTON = re.compile(r"^steps-(\d+)-buttons-(\d+)-(\w+)$")


def _plain(annotation: Any) -> Any:
    """``X | None`` and ``Annotated[X, ...]`` as ``X``."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            annotation = next(a for a in typing.get_args(annotation) if a is not type(None))
        else:
            return annotation


def field_kind(model: type[BaseModel], name: str) -> str:
    """How the form edits a field of the schema: ``bool`` (a checkbox), ``int``, ``choice``
    (a select of the enum's values), ``list`` (text split on a separator), ``children``
    (nested rows: steps, buttons), ``object`` (a nested record as JSON) or ``text``."""
    annotation = _plain(model.model_fields[name].annotation)
    origin = typing.get_origin(annotation)
    if annotation is bool:
        return "bool"
    if annotation is int or (origin is typing.Literal and all(
            isinstance(a, int) for a in typing.get_args(annotation))):
        return "int"
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return "choice"
    if origin is list:
        item = _plain(typing.get_args(annotation)[0])
        return "children" if isinstance(item, type) and issubclass(item, BaseModel) else "list"
    if annotation in (str, dt.date):
        return "text"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "object"  # a nested record (a step's follow-up), edited as JSON text
    raise TypeError(f"the form editor cannot edit {model.__name__}.{name}: {annotation!r}")


def choices(model: type[BaseModel], name: str) -> tuple[str, ...]:
    """A ``choice`` field's values ("" first when the field may be left out)."""
    info = model.model_fields[name]
    values = tuple(str(v.value) for v in _plain(info.annotation))
    return ("", *values) if not info.is_required() and info.default is None else values


# Every field of the schema, derived from the pydantic models so the form cannot drift.
FLOW_FIELDS = {n: field_kind(Flow, n) for n in Flow.model_fields if n not in ("id", "steps")}
STEP_FIELDS = {n: field_kind(Step, n) for n in Step.model_fields if n != "buttons"}
# A button's target is one select (its kind) plus one value; its other fields are their own.
TARGET_KINDS = ("next", "flow", "action")
BUTTON_FIELDS = {n: field_kind(Button, n) for n in Button.model_fields
                 if n not in TARGET_KINDS}
ACTIONS = tuple(a.value for a in Action)
ENDS = choices(Step, "end")
assert set(ENDS) == {"", *(e.value for e in EndKind)}
SEPARATORS = {"intents": ",", "related": ","}  # other lists: one item a line
LIST_FIELDS = {n: SEPARATORS.get(n, "\n") for n, kind in FLOW_FIELDS.items() if kind == "list"}


@dataclass
class ParsedForm:
    document: dict[str, Any]
    # document index -> form index, to put an error next to the field the editor typed in
    steps: dict[int, int] = field(default_factory=dict)
    buttons: dict[tuple[int, int], int] = field(default_factory=dict)
    images: dict[int, str] = field(default_factory=dict)  # form step index -> upload field


def _text(form: Mapping[str, Any], name: str) -> str:
    value = form.get(name, "")
    # Browsers send a textarea's line breaks as CRLF; the guides use LF.
    return value.replace("\r\n", "\n").strip() if isinstance(value, str) else ""


def _json(value: str) -> Any:
    try:
        return json.loads(value)
    except ValueError:
        return value  # the checks report it next to the step


def _split(value: str, separator: str) -> list[str]:
    return [part.strip() for part in value.split(separator) if part.strip()]


def _optional_int(value: str) -> int | str | None:
    if not value:
        return None
    return int(value) if value.lstrip("-").isdigit() and len(value) < 10 else value


def _object(value: str) -> Any:
    """A nested record typed as JSON; text that is no JSON is kept, for the checks to name."""
    try:
        return json.loads(value)
    except ValueError:
        return value


def _scalars(raw: Mapping[str, str], kinds: Mapping[str, str], into: dict[str, Any]) -> None:
    """The form's values of ``kinds``' fields into a document (empty ones left out, so the
    schema's defaults apply)."""
    for name, kind in kinds.items():
        value = raw.get(name, "")
        if kind == "bool":
            if value:
                into[name] = True
        elif kind == "int":
            number = _optional_int(value)
            if number is not None:
                into[name] = number
        elif kind == "list":
            into[name] = _split(value, LIST_FIELDS.get(name, "\n"))
        elif kind == "object" and value:
            into[name] = _object(value)
        elif kind != "children" and value:
            into[name] = value


def parse_form(flow_id: str, form: Mapping[str, Any]) -> ParsedForm:
    """Build the document the form describes (invalid ones too: the checks explain)."""
    document: dict[str, Any] = {"id": flow_id}
    _scalars({n: _text(form, n) for n in FLOW_FIELDS}, FLOW_FIELDS, document)
    steps: dict[int, dict[str, str]] = {}
    buttons: dict[int, dict[int, dict[str, str]]] = {}
    for key in form:
        if match := _BUTTON.match(key):
            step_i, button_i, name = int(match[1]), int(match[2]), match[3]
            buttons.setdefault(step_i, {}).setdefault(button_i, {})[name] = _text(form, key)
        elif match := _STEP.match(key):
            steps.setdefault(int(match[1]), {})[match[2]] = _text(form, key)
    parsed = ParsedForm(document)
    document["steps"] = []
    for form_i in sorted(steps):
        raw = steps[form_i]
        if raw.get("delete") or not (raw.get("id") or raw.get("text")):
            continue
        step: dict[str, Any] = {"id": raw.get("id", ""), "text": raw.get("text", "")}
        _scalars(raw, STEP_FIELDS, step)
        step_buttons: list[dict[str, Any]] = []
        for button_i in sorted(buttons.get(form_i, {})):
            rawb = buttons[form_i][button_i]
            if rawb.get("delete") or not (rawb.get("label") or rawb.get("target")):
                continue
            button: dict[str, Any] = {"label": rawb.get("label", "")}
            kind = rawb.get("kind") or "next"
            kind = kind if kind in TARGET_KINDS else "next"
            button[kind] = rawb.get("target", "")
            _scalars(rawb, BUTTON_FIELDS, button)
            parsed.buttons[(len(document["steps"]), len(step_buttons))] = button_i
            step_buttons.append(button)
        if step_buttons:
            step["buttons"] = step_buttons
        parsed.steps[len(document["steps"])] = form_i
        document["steps"].append(step)
    return parsed


def field_of(error: FieldError, parsed: ParsedForm | None) -> str:
    """The form field an error belongs to ("" for the form as a whole)."""
    parts = error.path.split(".") if error.path else []
    if not parts:
        return ""
    if parts[0] != "steps" or len(parts) < 2 or not parts[1].isdigit():
        return parts[0] if parts[0] in FLOW_FIELDS else ""
    doc_step = int(parts[1])
    form_step = parsed.steps.get(doc_step, doc_step) if parsed else doc_step
    if len(parts) >= 4 and parts[2] == "buttons" and parts[3].isdigit():
        doc_button = int(parts[3])
        form_button = (parsed.buttons.get((doc_step, doc_button), doc_button)
                       if parsed else doc_button)
        name = parts[4] if len(parts) > 4 else "label"
        name = "target" if name in TARGET_KINDS else name
        return f"steps-{form_step}-buttons-{form_button}-{name}"
    name = parts[2] if len(parts) > 2 else "id"
    return f"steps-{form_step}-{name}"


def errors_by_field(errors: list[FieldError], parsed: ParsedForm | None
                    ) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {}
    for error in errors:
        result.setdefault(field_of(error, parsed), []).append(error.message)
    return result


def _shown(value: Any, kind: str) -> Any:
    if kind == "bool":
        return bool(value)
    if kind == "list":
        return value or []
    if kind == "object":
        return json.dumps(value, ensure_ascii=False) if value else ""
    return "" if value is None else value


def _row_value(value: Any, kind: str) -> Any:
    """A step's or button's field as its form control holds it (a list: one item a line)."""
    shown = _shown(value, kind)
    return "\n".join(str(v) for v in shown) if kind == "list" else shown


def form_rows(document: dict[str, Any]) -> list[dict[str, Any]]:
    """The steps as the template shows them (every field of the schema), with one empty
    button row each and one empty step at the end."""
    rows = []
    for step in [*document.get("steps", []), {}]:
        buttons = []
        for button in [*step.get("buttons", []), {}]:
            kind = next((k for k in TARGET_KINDS if button.get(k)), "next")
            buttons.append({**{n: _row_value(button.get(n), k)
                               for n, k in BUTTON_FIELDS.items()},
                            "kind": kind, "target": button.get(kind) or ""})
        rows.append({**{n: _row_value(step.get(n), k) for n, k in STEP_FIELDS.items()},
                     "buttons": buttons})
    return rows


def form_fields(document: dict[str, Any]) -> dict[str, str]:
    """What a browser sends for ``document`` shown in the form and saved untouched (the empty
    rows included): the round trip the tests check for every guide."""
    sent: dict[str, str] = {}
    for name, kind in FLOW_FIELDS.items():
        if kind == "list":
            sent[name] = list_text(document, name)
        elif kind != "bool" or document.get(name):
            sent[name] = "1" if kind == "bool" else str(_shown(document.get(name), kind))
    for i, row in enumerate(form_rows(document)):
        for name, kind in STEP_FIELDS.items():
            if kind != "bool" or row[name]:
                sent[f"steps-{i}-{name}"] = "1" if kind == "bool" else str(row[name])
        for j, button in enumerate(row["buttons"]):
            prefix = f"steps-{i}-buttons-{j}"
            sent.update({f"{prefix}-kind": button["kind"], f"{prefix}-target": button["target"]})
            for name, kind in BUTTON_FIELDS.items():
                if kind != "bool" or button[name]:
                    sent[f"{prefix}-{name}"] = "1" if kind == "bool" else str(button[name])
    return sent


def list_text(document: dict[str, Any], name: str) -> str:
    separator = LIST_FIELDS[name]
    return (separator + (" " if separator == "," else "")).join(
        str(v) for v in document.get(name) or [])
