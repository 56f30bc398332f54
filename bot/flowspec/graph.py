"""The step graph of a flow: where each step can lead, and its progress number.

Progress ("Bước 2/6") counts the path a resident actually walks: a step's number is its
distance from the first step, and the total adds the shortest distance from it to a finishing
step. Detours (``side: true``) are not counted, so a common-error branch does not make the
counter jump; a branch point whose ways differ in length shows its number without a total.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from bot.flowspec.model import Flow


def default_next(flow: Flow, index: int) -> str | None:
    """Where a step's standard 'Xong' button goes: its ``next``, else the step below it."""
    step = flow.steps[index]
    if step.end is not None:
        return None
    if step.next is not None:
        return step.next
    if step.buttons:
        return None
    if index + 1 < len(flow.steps):
        return flow.steps[index + 1].id
    return None


def successors(flow: Flow, index: int) -> list[str]:
    """Steps of the same flow that a step can lead to, in button order."""
    step = flow.steps[index]
    targets = [b.next for b in step.buttons if b.next is not None]
    implicit = default_next(flow, index)
    if implicit is not None:
        targets.append(implicit)
    return targets


def _distances(starts: list[str], edges: dict[str, list[str]]) -> dict[str, int]:
    dist = {s: 0 for s in starts}
    queue = deque(starts)
    while queue:
        current = queue.popleft()
        for target in edges.get(current, []):
            if target in edges and target not in dist:
                dist[target] = dist[current] + 1
                queue.append(target)
    return dist


@dataclass(frozen=True)
class StepGraph:
    """Precomputed navigation facts for one flow."""

    edges: dict[str, list[str]]
    progress: dict[str, tuple[int, int]]
    reachable: frozenset[str]
    can_finish: frozenset[str]

    @classmethod
    def of(cls, flow: Flow) -> StepGraph:
        edges = {step.id: successors(flow, i) for i, step in enumerate(flow.steps)}
        reverse: dict[str, list[str]] = {sid: [] for sid in edges}
        for source, targets in edges.items():
            for target in targets:
                if target in reverse:
                    reverse[target].append(source)
        from_start = _distances([flow.steps[0].id], edges)
        ends = [s.id for s in flow.steps if s.end is not None]
        to_end = _distances(ends, reverse)
        progress: dict[str, tuple[int, int]] = {}
        main = {s.id for s in flow.steps if not s.side}
        # Count only main-path steps: distances over the graph without detours.
        main_edges = {k: [t for t in v if t in main] for k, v in edges.items() if k in main}
        main_reverse = {k: [t for t in v if t in main] for k, v in reverse.items() if k in main}
        main_from_start = _distances([flow.steps[0].id], main_edges)
        main_to_end = _distances([e for e in ends if e in main], main_reverse)
        for step in flow.steps:
            if step.id in main_from_start and step.id in main_to_end:
                number = main_from_start[step.id] + 1
                progress[step.id] = (number, number + main_to_end[step.id])
        # At a branch whose ways differ in length, any total would change after the choice
        # ("Bước 1/4" then "Bước 2/8"): such steps show their number alone (total 0).
        for source, (number, total) in list(progress.items()):
            if any(progress.get(t, (0, total))[1] != total for t in main_edges.get(source, [])):
                progress[source] = (number, 0)
        return cls(edges=edges, progress=progress, reachable=frozenset(from_start),
                   can_finish=frozenset(to_end))


