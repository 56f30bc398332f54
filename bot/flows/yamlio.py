"""Flow documents as YAML in the format of ``flows/``: what ``flows export`` writes and the
console's raw YAML view shows. Defaults are left out and buttons are one line each, as in the
hand-written files, so an exported file reads like its seed."""

from __future__ import annotations

import datetime as dt
from typing import Any

import yaml
from pydantic import ValidationError

from bot.flowspec.model import Flow

_DATES = ("reviewed", "review_by")
_INLINE_LISTS = ("intents", "related")


class _Inline(dict[str, Any]):
    """A mapping written on one line: ``{label: Android, next: android_store}``."""


class _InlineList(list[Any]):
    pass


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)  # "steps:\n  - id: …" as in the seed files


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)
_Dumper.add_representer(
    _Inline, lambda d, v: d.represent_mapping("tag:yaml.org,2002:map", v, flow_style=True))
_Dumper.add_representer(
    _InlineList, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", v, flow_style=True))


def _compact(document: dict[str, Any]) -> dict[str, Any]:
    """A valid document without its defaults; anything else as it is."""
    try:
        data: dict[str, Any] = Flow.model_validate(document).model_dump(
            mode="json", exclude_defaults=True)
    except ValidationError:
        return document
    for key in _DATES:
        if isinstance(data.get(key), str):
            data[key] = dt.date.fromisoformat(data[key])
    for key in _INLINE_LISTS:
        if isinstance(data.get(key), list):
            data[key] = _InlineList(data[key])
    for step in data.get("steps", []):
        if isinstance(step, dict) and isinstance(step.get("buttons"), list):
            step["buttons"] = [_Inline(b) if isinstance(b, dict) else b
                               for b in step["buttons"]]
    return data


def to_yaml(document: dict[str, Any]) -> str:
    return yaml.dump(_compact(document), Dumper=_Dumper, allow_unicode=True, sort_keys=False,
                     width=4096, default_flow_style=False)
