"""``GET /api/chat/followups?user=U``: what the assistant will ask that web resident again
(``[{"id", "flow_id", "step_id", "due_at"}]``), only theirs, identified as ``/api/chat``
identifies them."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bot.outreach.followups import FollowUps

MAX_USER = 64


def followup_routes(followups: FollowUps) -> list[BaseRoute]:
    async def listing(request: Request) -> Response:
        user = request.query_params.get("user", "").strip()
        if not user or len(user) > MAX_USER or not user.isprintable():
            return JSONResponse({"error": "`user` is required (the id used with /api/chat)"},
                                status_code=400)
        rows = await followups.of_resident("web", user)
        return JSONResponse([{"id": r.id, "flow_id": r.flow_id, "step_id": r.step_id,
                              "due_at": r.due_at.isoformat()} for r in rows],
                            headers={"Cache-Control": "no-store"})

    return [Route("/api/chat/followups", listing)]
