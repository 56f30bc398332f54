"""From an intent recognizer's ranking to what the engine should do.

Below the confidence threshold, or when the top two intents are close, the assistant must not
guess: it asks with the likeliest topics as buttons. It also asks, however confident the model
is, for the intents the caller names in ``ask_first`` (the engine names the scam guide when the
safety layer found no scam sign: opening it at "Nếu bác ĐÃ MẤT TIỀN" on an ordinary question
is crying wolf).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from bot.engine.catalog import Catalog
from bot.intents.base import IntentResult

CONFIDENT = 0.55
MARGIN = 0.15
CANDIDATE_MIN = 0.1
MAX_CANDIDATES = 3
BUILTINS = frozenset({"greet", "thanks_bye", "help_menu", "human_help", "out_of_scope"})


@dataclass(frozen=True)
class Route:
    flow_id: str | None = None
    builtin: str | None = None
    candidates: tuple[str, ...] = ()


def _known(name: str, catalog: Catalog) -> bool:
    return name in BUILTINS or name in catalog.by_intent


def route_intent(result: IntentResult | None, catalog: Catalog, *,
                 ask_first: Collection[str] = ()) -> Route:
    """A flow to open, a built-in behaviour, intents to offer, or nothing (not understood)."""
    if result is None or result.top is None:
        return Route()
    ranking = [g for g in result.ranking if _known(g.name, catalog)]
    if not ranking:
        return Route()
    top = ranking[0]
    runner_up = ranking[1].confidence if len(ranking) > 1 else 0.0
    if (top.confidence >= CONFIDENT and top.confidence - runner_up >= MARGIN
            and top.name not in ask_first):
        if top.name in BUILTINS:
            return Route(builtin=top.name)
        return Route(flow_id=catalog.by_intent[top.name])
    candidates = tuple(
        g.name for g in ranking[:MAX_CANDIDATES]
        if g.confidence >= CANDIDATE_MIN and g.name not in ("out_of_scope", "greet",
                                                             "thanks_bye", "help_menu")
    )
    if candidates:
        return Route(candidates=candidates)
    return Route(builtin=top.name if top.name == "out_of_scope" else None)
