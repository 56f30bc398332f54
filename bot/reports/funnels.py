"""A guide's main path and the funnel along it.

The main path starts at the first step and follows, at each step, the standard "Xong" (the
step's ``next`` or the step below), else its first button that leads to a step that is not a
detour; it ends at a finishing step. Detours (``side: true``) are never on it. The funnel
counts, for each step of that path, the guide runs that reached it; the biggest loss is the
step after which most runs went no further, with the share of runs that pressed "🆘 Tôi bị
kẹt" right there.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.engine.catalog import CompiledFlow

LABEL_MAX = 48


def main_path(compiled: CompiledFlow) -> list[str]:
    path: list[str] = []
    step_id: str | None = compiled.first_step
    while step_id is not None and step_id not in path:
        path.append(step_id)
        step = compiled.steps[step_id]
        if step.end is not None:
            break
        step_id = compiled.default_next(step_id) or next(
            (b.next for b in step.buttons
             if b.next and b.next in compiled.steps and not compiled.steps[b.next].side), None)
    return path


def printable(text: str) -> str:
    """Without emoji and variation selectors: the print font has none, and paper is grey."""
    kept = "".join(ch for ch in text if ord(ch) <= 0xFFFF and ch != "\ufe0f"
                   and not 0x2600 <= ord(ch) <= 0x27BF)
    return " ".join(kept.split())


def step_label(compiled: CompiledFlow, step_id: str) -> str:
    """The first line of a step's text, short enough for a table or a plot."""
    text = compiled.steps[step_id].text.strip()
    line = next((ln for ln in (printable(x).strip(" •-*") for x in text.splitlines()) if ln),
                step_id)
    line = line.replace("**", "")
    return line if len(line) <= LABEL_MAX else line[:LABEL_MAX - 1].rsplit(" ", 1)[0] + "…"


@dataclass(frozen=True)
class FunnelStep:
    step_id: str
    label: str
    reached: int
    stuck: int
    lost: int  # runs that reached this step but not the next one on the path
    biggest: bool  # the step with the biggest loss


def funnel(compiled: CompiledFlow, counts: dict[str, tuple[int, int]]) -> list[FunnelStep]:
    """``counts``: step id -> (runs that reached it, runs that pressed "Tôi bị kẹt" there)."""
    path = main_path(compiled)
    reached = [counts.get(s, (0, 0))[0] for s in path]
    lost = [max(0, reached[i] - reached[i + 1]) if i + 1 < len(path) else 0
            for i in range(len(path))]
    worst = max(range(len(path)), key=lambda i: (lost[i], -i)) if path else -1
    return [FunnelStep(s, step_label(compiled, s), reached[i], counts.get(s, (0, 0))[1],
                       lost[i], i == worst and lost[i] > 0)
            for i, s in enumerate(path)]
