"""The checks a flow version must pass to be served: the pydantic model and the static checks
of ``flows validate``, with its messages, located by field for the console's forms."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from bot.flows.messages_vi import vietnamese
from bot.flows.yamlio import to_yaml
from bot.flowspec.checks import check_flow
from bot.flowspec.loader import LoadedFlow, Problem, parse_flow
from bot.flowspec.model import Flow
from bot.flowspec.safeyaml import YamlProblem, read_yaml


@dataclass(frozen=True)
class FieldError:
    path: str  # "steps.3.buttons.0.next"; "" for the whole document
    line: int  # in the YAML view of the document
    message: str

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "line": self.line, "message": self.message}


@dataclass(frozen=True)
class Checked:
    flow: Flow | None  # None when the document does not even parse into a flow
    errors: list[FieldError]

    @property
    def ok(self) -> bool:
        return self.flow is not None and not self.errors


def _field_errors(problems: Iterable[Problem], document: Any = None) -> list[FieldError]:
    """The problems as the console shows them: in Vietnamese, steps named as in the editor
    (``path`` keeps the document's own 0-based path, for the form fields and scripts)."""
    return [FieldError(".".join(str(part) for part in p.loc), p.line,
                       vietnamese(p.message, p.loc, document))
            for p in sorted(problems)]


def file_for(flows_dir: Path, flow_id: str) -> str:
    """The file name checks are run under: the id must match it, images resolve beside it."""
    return str(flows_dir / f"{flow_id}.yml")


def check_yaml(text: str, *, flow_id: str, known_ids: Iterable[str], flows_dir: Path
               ) -> Checked:
    """Check a flow written as YAML exactly as ``flows validate`` checks a file."""
    loaded, problems = parse_flow(text, file_for(flows_dir, flow_id))
    if loaded is None:
        return Checked(None, _field_errors(problems, _steps_of(text)))
    problems = [*problems, *check_flow(loaded, {*known_ids, loaded.flow.id})]
    return Checked(loaded.flow, _field_errors(problems, loaded.flow.model_dump()))


def _steps_of(text: str) -> Any:
    """The document's steps as far as the YAML reads, to name them in messages."""
    try:
        return read_yaml(text).data
    except YamlProblem:
        return None


def check_document(document: Any, *, flow_id: str, known_ids: Iterable[str], flows_dir: Path
                   ) -> Checked:
    """Check a flow given as JSON (the API, the form editor) through its YAML view, so the
    messages and lines are those of ``flows validate``."""
    if not isinstance(document, dict):
        return Checked(None, [FieldError("", 1, "Hướng dẫn phải là một đối tượng JSON (id, "
                                                "title, steps…)")])
    return check_yaml(to_yaml(document), flow_id=flow_id, known_ids=known_ids,
                      flows_dir=flows_dir)


def servable(document: dict[str, Any], known_ids: set[str], flows_dir: Path) -> Flow | None:
    """The flow when ``document`` passes every check, else None (the fast path for serving)."""
    try:
        flow = Flow.model_validate(document)
    except ValidationError:
        return None
    loaded = LoadedFlow(flow=flow, file=file_for(flows_dir, flow.id))
    return None if check_flow(loaded, known_ids | {flow.id}) else flow
