"""The set of guides the engine runs, indexed for the lookups a turn needs."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.flowspec.graph import StepGraph, default_next
from bot.flowspec.model import LABEL_MAX, Flow, Step
from bot.text import fold_words


def short_label(text: str, limit: int = LABEL_MAX) -> str:
    """A button label within the limit, cut at a word boundary."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0]
    return cut.rstrip(" ,.:;-–") + "…"


@dataclass(frozen=True)
class CompiledFlow:
    flow: Flow
    graph: StepGraph
    steps: dict[str, Step]
    positions: dict[str, int]

    def default_next(self, step_id: str) -> str | None:
        return default_next(self.flow, self.positions[step_id])

    def way_to(self, step_id: str) -> tuple[str, ...]:
        """The steps on the shortest way from the first step to ``step_id`` (its history when
        a resident is taken straight there)."""
        previous: dict[str, str | None] = {self.first_step: None}
        queue = [self.first_step]
        for current in queue:
            if current == step_id:
                break
            for target in self.graph.edges.get(current, []):
                if target not in previous:
                    previous[target] = current
                    queue.append(target)
        if step_id not in previous:
            return ()
        way: list[str] = []
        at = previous[step_id]
        while at is not None:
            way.append(at)
            at = previous[at]
        return tuple(reversed(way))

    @property
    def label(self) -> str:
        """The guide's name on a button: its short title, else its title cut to fit."""
        return self.flow.short_title or short_label(self.flow.title)

    @property
    def first_step(self) -> str:
        return self.flow.steps[0].id


@dataclass(frozen=True)
class Screen:
    """An on-screen text a step declares (``screens:``), folded into words for matching."""

    words: tuple[str, ...]
    text: str
    flow_id: str
    step_id: str


class Catalog:
    """Flows by id, by NLU intent, by menu group, and the steps' on-screen texts."""

    def __init__(self, flows: Iterable[Flow]) -> None:
        self.flows: dict[str, CompiledFlow] = {}
        self.by_intent: dict[str, str] = {}
        self.screens: list[Screen] = []
        for flow in sorted(flows, key=lambda f: f.id):
            self.flows[flow.id] = CompiledFlow(
                flow=flow,
                graph=StepGraph.of(flow),
                steps={s.id: s for s in flow.steps},
                positions={s.id: i for i, s in enumerate(flow.steps)},
            )
            for intent in flow.intents:
                self.by_intent.setdefault(intent, flow.id)
            self.screens += [Screen(tuple(fold_words(text)), text, flow.id, step.id)
                             for step in flow.steps for text in step.screens]

    def get(self, flow_id: str | None) -> CompiledFlow | None:
        return self.flows.get(flow_id) if flow_id else None

    def groups(self) -> dict[str, list[CompiledFlow]]:
        """Flows by menu group, each group in ``menu_order`` (ties by id)."""
        result: dict[str, list[CompiledFlow]] = {}
        ordered = sorted(self.flows.values(), key=lambda c: (c.flow.menu_order, c.flow.id))
        for compiled in ordered:
            result.setdefault(compiled.flow.menu_group.value, []).append(compiled)
        return result
