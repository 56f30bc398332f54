"""The step-by-step form editor: form fields <-> a flow document, and error paths -> fields.

Fields are named after the document (``steps-3-text``, ``steps-3-buttons-0-label``). A button's
target is one select (``next``/``flow``/``action``) plus one value. Each step and the list end
with an empty row, filled to add a step or a button; a ticked ``delete`` removes one. This keeps
the form usable without JavaScript; the little script only offers placeholders.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.flows.validation import FieldError

_STEP = re.compile(r"^steps-(\d+)-(\w+)$")
_BUTTON = re.compile(r"^steps-(\d+)-buttons-(\d+)-(\w+)$")
TARGET_KINDS = ("next", "flow", "action")
ACTIONS = ("menu", "end", "handoff", "restart")
ENDS = ("", "completed", "handoff", "aborted")
LIST_FIELDS = {"intents": ",", "related": ",", "keywords": "\n", "sources": "\n"}


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


def parse_form(flow_id: str, form: Mapping[str, Any]) -> ParsedForm:
    """Build the document the form describes (invalid ones too: the checks explain)."""
    document: dict[str, Any] = {"id": flow_id}
    for name in ("title", "short_title", "summary", "menu_group", "reviewed", "review_by"):
        if _text(form, name):
            document[name] = _text(form, name)
    order = _optional_int(_text(form, "menu_order"))
    if order is not None:
        document["menu_order"] = order
    for name, separator in LIST_FIELDS.items():
        document[name] = _split(_text(form, name), separator)
    steps: dict[int, dict[str, Any]] = {}
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
        for name in ("image", "next", "end", "slot"):
            if raw.get(name):
                step[name] = raw[name]
        if raw.get("side"):
            step["side"] = True
        if raw.get("screens"):
            step["screens"] = _split(raw["screens"], "\n")
        if raw.get("waits"):
            step["waits"] = True
        if raw.get("followup"):  # kept as the YAML view wrote it (the form does not edit it)
            step["followup"] = _json(raw["followup"])
        step_buttons: list[dict[str, Any]] = []
        for button_i in sorted(buttons.get(form_i, {})):
            rawb = buttons[form_i][button_i]
            if rawb.get("delete") or not (rawb.get("label") or rawb.get("target")):
                continue
            button: dict[str, Any] = {"label": rawb.get("label", "")}
            kind = rawb.get("kind") or "next"
            kind = kind if kind in TARGET_KINDS else "next"
            button[kind] = rawb.get("target", "")
            if rawb.get("value"):
                button["value"] = rawb["value"]
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
        return parts[0] if parts[0] in ("title", "short_title", "summary", "menu_group",
                                        "menu_order", "reviewed", "review_by", *LIST_FIELDS) \
            else ""
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


def form_rows(document: dict[str, Any]) -> list[dict[str, Any]]:
    """The steps as the template shows them, with one empty button row each and one empty
    step at the end."""
    rows = []
    for step in [*document.get("steps", []), {}]:
        buttons = []
        for button in [*step.get("buttons", []), {}]:
            kind = next((k for k in TARGET_KINDS if button.get(k)), "next")
            buttons.append({"label": button.get("label", ""), "kind": kind,
                            "target": button.get(kind) or "", "value": button.get("value") or ""})
        followup = step.get("followup")
        rows.append({**{k: step.get(k) or "" for k in ("id", "text", "image", "next", "end",
                                                         "slot")},
                     "side": bool(step.get("side")), "waits": bool(step.get("waits")),
                     "followup": json.dumps(followup, ensure_ascii=False) if followup else "",
                     "followup_days": followup.get("after_days") if isinstance(followup, dict)
                     else "", "buttons": buttons,
                     "screens": "\n".join(step.get("screens") or [])})
    return rows


def list_text(document: dict[str, Any], name: str) -> str:
    separator = LIST_FIELDS[name]
    return (separator + (" " if separator == "," else "")).join(
        str(v) for v in document.get(name) or [])
