"""The set of guides the engine runs, indexed for the lookups a turn needs."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.flowspec.graph import StepGraph, default_next
from bot.flowspec.model import Flow, Step


@dataclass(frozen=True)
class CompiledFlow:
    flow: Flow
    graph: StepGraph
    steps: dict[str, Step]
    positions: dict[str, int]

    def default_next(self, step_id: str) -> str | None:
        return default_next(self.flow, self.positions[step_id])

    @property
    def first_step(self) -> str:
        return self.flow.steps[0].id


class Catalog:
    """Flows by id, by NLU intent and by menu group."""

    def __init__(self, flows: Iterable[Flow]) -> None:
        self.flows: dict[str, CompiledFlow] = {}
        self.by_intent: dict[str, str] = {}
        for flow in sorted(flows, key=lambda f: f.id):
            self.flows[flow.id] = CompiledFlow(
                flow=flow,
                graph=StepGraph.of(flow),
                steps={s.id: s for s in flow.steps},
                positions={s.id: i for i, s in enumerate(flow.steps)},
            )
            for intent in flow.intents:
                self.by_intent.setdefault(intent, flow.id)

    def get(self, flow_id: str | None) -> CompiledFlow | None:
        return self.flows.get(flow_id) if flow_id else None

    def groups(self) -> dict[str, list[CompiledFlow]]:
        result: dict[str, list[CompiledFlow]] = {}
        for compiled in self.flows.values():
            result.setdefault(compiled.flow.menu_group.value, []).append(compiled)
        return result
