"""Chat with a draft exactly as a resident would, through the real engine, storing nothing in
residents' tables: the conversation state lives in the editor's console session."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.engine.catalog import Catalog
from bot.engine.engine import Engine
from bot.engine.messages import Inbound, Reply
from bot.engine.state import SessionState
from bot.flows.service import FlowService, Invalid
from bot.intents.base import IntentRecognizer
from bot.privacy import mask
from bot.turn_contract import PlaceBook

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Served:
    """What residents are served right now (read at each preview turn)."""

    catalog: Catalog
    communes: PlaceBook
    recognizer: IntentRecognizer


class PreviewService:
    def __init__(self, flows: FlowService, served: Callable[[], Served]) -> None:
        self.flows = flows
        self.served = served

    async def turn(self, flow_id: str, version: int, state: dict[str, Any] | None, *,
                   text: str | None = None, payload: str | None = None,
                   commune: str | None = None) -> tuple[dict[str, Any], list[Reply]]:
        """One preview turn on ``version`` of ``flow_id``, the other guides as served.

        Raises :class:`Invalid` when that version does not pass the checks (the engine is only
        ever given flows that do)."""
        draft = await self.flows.version(flow_id, version)
        checked = await self.flows.check(flow_id, draft.document)
        if not checked.ok or checked.flow is None:
            raise Invalid(checked.errors)
        served = self.served()
        others = [c.flow for fid, c in served.catalog.flows.items() if fid != flow_id]
        engine = Engine(Catalog([*others, checked.flow]), served.communes.defaults)
        current = SessionState.from_json(state)
        inbound = Inbound(text=text, payload=payload)
        if text and engine.needs_intent(current, inbound):
            try:
                intent = await served.recognizer.recognize(mask(text))
            except Exception:  # as in a resident's turn: answer without an intent
                log.exception("intent recognition failed in a preview")
                intent = None
            inbound = Inbound(text=text, intent=intent)
        turn = engine.step(current, inbound, served.communes.places(commune))
        return turn.state.to_json(), list(turn.replies)
