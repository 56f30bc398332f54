"""Static checks across flows: what pydantic cannot see from one model alone."""

from __future__ import annotations

from pathlib import Path

from bot.flowspec.graph import StepGraph, default_next
from bot.flowspec.loader import LoadedFlow, Problem
from bot.flowspec.model import PLACEHOLDER_RE, PLACEHOLDERS
from bot.text import fold


def _placeholder_problems(loaded: LoadedFlow) -> list[Problem]:
    problems = []
    for i, step in enumerate(loaded.flow.steps):
        texts = [("text", step.text)] + [
            (("buttons", j, "label"), b.label) for j, b in enumerate(step.buttons)
        ]
        for where, text in texts:
            for name in PLACEHOLDER_RE.findall(text):
                if name not in PLACEHOLDERS:
                    loc = ("steps", i, *(where if isinstance(where, tuple) else (where,)))
                    known = ", ".join(sorted("{" + p + "}" for p in PLACEHOLDERS))
                    problems.append(Problem(loaded.file, loaded.line_of(*loc),
                                            f"unknown placeholder `{{{name}}}` (known: {known})",
                                            loc))
    return problems


def check_flow(loaded: LoadedFlow, flow_ids: set[str]) -> list[Problem]:
    """Problems inside one flow, given the ids of every flow loaded with it."""
    flow, file = loaded.flow, loaded.file
    problems: list[Problem] = []

    def report(message: str, *loc: str | int) -> None:
        problems.append(Problem(file, loaded.line_of(*loc), message, loc))

    stem = Path(file).stem
    if stem != flow.id:
        report(f"flow id `{flow.id}` must equal the file name `{stem}`", "id")
    images = Path(file).parent / "images"
    step_ids: set[str] = set()
    for i, step in enumerate(flow.steps):
        if step.id in step_ids:
            report(f"duplicate step id `{step.id}`", "steps", i, "id")
        step_ids.add(step.id)
    for i, step in enumerate(flow.steps):
        if step.next is not None and step.next not in step_ids:
            report(f"`next: {step.next}` names no step of this flow", "steps", i, "next")
        for j, button in enumerate(step.buttons):
            if button.next is not None and button.next not in step_ids:
                report(f"button `{button.label}`: `next: {button.next}` names no step of this "
                       "flow", "steps", i, "buttons", j, "next")
            if button.flow is not None and button.flow not in flow_ids:
                report(f"button `{button.label}`: no flow `{button.flow}`",
                       "steps", i, "buttons", j, "flow")
        if step.followup is not None:
            for name in ("done", "not_yet", "problem"):
                answer = getattr(step.followup, name)
                if answer.flow is not None and answer.flow not in flow_ids:
                    report(f"follow-up `{name}`: no flow `{answer.flow}`",
                           "steps", i, "followup", name, "flow")
            if step.followup.done.again:
                report("follow-up `done` cannot ask `again`", "steps", i, "followup", "done")
        if step.image and "://" not in step.image and not (images / step.image).is_file():
            report(f"image `{step.image}` not found in {images}", "steps", i, "image")
        if step.end is None and not step.buttons and default_next(flow, i) is None:
            report(f"step `{step.id}` is the last one but has no `end`, `next` or buttons",
                   "steps", i, "id")
    for k, related in enumerate(flow.related):
        if related not in flow_ids:
            report(f"related flow `{related}` does not exist", "related", k)
    if not any(step.end is not None for step in flow.steps):
        report("the flow has no step with `end`", "steps")
    if not problems:
        graph = StepGraph.of(flow)
        for i, step in enumerate(flow.steps):
            if step.id not in graph.reachable:
                report(f"step `{step.id}` cannot be reached from the first step",
                       "steps", i, "id")
            elif step.id not in graph.can_finish and not any(
                b.action is not None or b.flow is not None for b in step.buttons
            ):
                report(f"step `{step.id}` never leads to an end", "steps", i, "id")
            if step.waits and step.id in graph.can_complete:
                report(f"step `{step.id}` waits (the rest happens later or elsewhere), but a "
                       "path from it ends `completed`: end that path with `pending`",
                       "steps", i, "waits")
    problems.extend(_placeholder_problems(loaded))
    return problems


def check_flows(loaded: list[LoadedFlow]) -> list[Problem]:
    """Problems across a set of flows: duplicate ids, then each flow's own checks."""
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for item in loaded:
        if item.flow.id in seen:
            problems.append(Problem(item.file, item.line_of("id"),
                                    f"duplicate flow id `{item.flow.id}` (also in "
                                    f"{seen[item.flow.id]})"))
        seen.setdefault(item.flow.id, item.file)
    ids = set(seen)
    for item in loaded:
        problems.extend(check_flow(item, ids))
    problems.extend(_screen_problems(loaded))
    return sorted(problems)


def _screen_problems(loaded: list[LoadedFlow]) -> list[Problem]:
    """One on-screen text identifies one step: a screenshot must not match two."""
    problems: list[Problem] = []
    owner: dict[str, str] = {}
    for item in loaded:
        for i, step in enumerate(item.flow.steps):
            for k, screen in enumerate(step.screens):
                here = f"{item.flow.id}.{step.id}"
                first = owner.setdefault(fold(screen), here)
                if first != here:
                    problems.append(Problem(item.file, item.line_of("steps", i, "screens", k),
                                            f"screen text `{screen}` is also in {first}",
                                            ("steps", i, "screens", k)))
    return problems


