"""Saved states that name a step or a guide a newer version removed or renamed.

A resident's state outlives the guide version it was saved with. Before a turn, every name
in it is checked against the catalog: a removed step becomes the nearest earlier step of the
resident's own way that still exists (else the guide's first step), a removed guide is closed,
and the resident is told once. The engine never raises on an old state.
"""

from __future__ import annotations

from dataclasses import replace

from bot.engine.catalog import Catalog
from bot.engine.state import Place, SessionState


def repaired_place(catalog: Catalog, place: Place) -> Place | None:
    """``place`` with only names that exist; None when its guide is gone."""
    compiled = catalog.get(place.flow_id)
    if compiled is None:
        return None
    history = tuple(s for s in place.history if s in compiled.steps)
    step = compiled.steps.get(place.step_id)
    if step is not None and step.end is None:
        return Place(place.flow_id, place.step_id, history)
    while history and compiled.steps[history[-1]].end is not None:
        history = history[:-1]
    if history:
        return Place(place.flow_id, history[-1], history[:-1])
    return Place(place.flow_id, compiled.first_step, ())


def repaired(catalog: Catalog, state: SessionState) -> tuple[SessionState, str | None]:
    """The state with names that exist, and what changed for the resident: None, "updated"
    (their step is gone, they continue from the nearest one) or "gone" (their guide is)."""
    trail = tuple(p for p in (repaired_place(catalog, p) for p in state.trail) if p)
    notice = None
    place = state.place
    if place is None:
        state = state.idle() if (state.flow_id or state.step_id) else state
    else:
        fixed = repaired_place(catalog, place)
        if fixed is None:
            state, notice = state.idle(), "gone"
        elif fixed != place:
            if fixed.step_id != place.step_id:
                notice = "updated"
            state = replace(state, step_id=fixed.step_id, history=fixed.history,
                            trouble=0 if notice else state.trouble)
    return (replace(state, trail=trail) if trail != state.trail else state), notice
