"""The step graph of a flow: where each step can lead, and how much is left from it.

Progress ("Bước 2/6") is the path a resident actually walks: a step's number counts the main
steps already walked, and the total adds the longest way left from the step
(:meth:`StepGraph.progress`). So a forward press never lowers the number, and the total
never grows; it only shrinks when the resident picks a shorter way. Detours (``side: true``)
and the finishing step itself are not counted.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from bot.flowspec.model import EndKind, Flow


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


def _forward_edges(edges: dict[str, list[str]], first: str) -> dict[str, list[str]]:
    """The edges without the loops: an edge back to a step still on the depth-first walk
    from the first step (a detour that returns to the step it came from) is dropped."""
    forward: dict[str, list[str]] = {step: [] for step in edges}
    state: dict[str, int] = {}  # 1: on the walk, 2: done

    def visit(step: str) -> None:
        state[step] = 1
        for target in edges[step]:
            if target not in edges or state.get(target) == 1:
                continue
            forward[step].append(target)
            if target not in state:
                visit(target)
        state[step] = 2

    for start in [first, *edges]:
        if start not in state:
            visit(start)
    return forward


def _longest_left(forward: dict[str, list[str]], counted: frozenset[str], start: str) -> int:
    """The most ``counted`` steps on a way from ``start`` to an end (``start`` excluded)."""
    memo: dict[str, int] = {}

    def visit(step: str) -> int:
        if step not in memo:
            memo[step] = max((int(t in counted) + visit(t) for t in forward[step]), default=0)
        return memo[step]

    return visit(start)


@dataclass(frozen=True)
class StepGraph:
    """Precomputed navigation facts for one flow."""

    edges: dict[str, list[str]]
    main: frozenset[str]  # steps that carry a number: not detours, not endings
    forward: dict[str, list[str]]  # the edges without loops back
    reachable: frozenset[str]
    can_finish: frozenset[str]
    can_complete: frozenset[str]  # steps from which an `end: completed` step is reachable

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
        completed = [s.id for s in flow.steps if s.end is EndKind.completed]
        main = frozenset(s.id for s in flow.steps if not s.side and s.end is None)
        return cls(edges=edges, main=main, forward=_forward_edges(edges, flow.steps[0].id),
                   reachable=frozenset(from_start),
                   can_finish=frozenset(_distances(ends, reverse)),
                   can_complete=frozenset(_distances(completed, reverse)))

    def progress(self, step_id: str, history: tuple[str, ...]) -> tuple[int, int] | None:
        """``(number, total)`` of a main step reached through ``history``; None for detours
        and endings. The number counts the distinct main steps walked, this one included; the
        total adds the most main steps not yet walked on a way from here to an end."""
        if step_id not in self.main:
            return None
        walked = {s for s in history if s in self.main} | {step_id}
        number = len(walked)
        return number, number + _longest_left(self.forward, self.main - walked, step_id)
