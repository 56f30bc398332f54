"""The tickets' JSON API (``/admin/api/tickets``): what a team member's inbox shows and does,
for scripts and checks. Scoped like the inbox pages (:mod:`bot.admin.ticket_access`); roles
and CSRF as for the rest of ``/admin/api``; errors in Vietnamese.

- ``GET /tickets[?state=open,claimed]``: ``[{"id", "unit_id", "state", "channel",
  "waiting_since", "summary": {"flow_id", "step_id", "last_messages", ...}}]``;
- ``POST /tickets/{id}/claim``: 200; 409 when someone else holds it, or it is closed;
- ``POST /tickets/{id}/reply`` ``{"text"}``: 200, relayed to the resident; 409 unless one
  holds it;
- ``POST /tickets/{id}/close``: 200; 409 unless one holds it (admins: any open ticket).
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bot.accounts import Permission, Principal
from bot.admin.auth import admin_route
from bot.admin.context import Admin
from bot.admin.ticket_access import TicketAccess
from bot.admin.views_units import entry
from bot.storage.tickets import Ticket
from bot.teams.desk import WON
from bot.teams.team_inbox import EVERY_STATUS

NOT_FOUND = "Không có phiếu này, hoặc phiếu không thuộc tổ của bạn."
NOT_MEMBER = "Bạn không thuộc tổ nhận phiếu này."


def _error(status: int, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": message, **extra}, status_code=status)


def ticket_json(ticket: Ticket) -> dict[str, Any]:
    context = ticket.context
    said = [s for s in context.get("said", []) if isinstance(s, str)]
    return {
        "id": ticket.id, "unit_id": ticket.unit_id, "team_unit": ticket.team_unit,
        "state": ticket.status, "channel": ticket.channel,
        "waiting_since": ticket.opened_at.isoformat(),
        "claimed_by": ticket.claimed_name,
        "summary": {"flow_id": ticket.flow_id, "step_id": ticket.step_id,
                    "title": context.get("title"), "progress": context.get("progress"),
                    "place": context.get("place"), "last_messages": said},
    }


def ticket_api_routes(admin: Admin) -> list[BaseRoute]:
    access = TicketAccess(admin.services)

    @admin_route(admin)
    async def listing(request: Request, principal: Principal) -> Response:
        wanted = tuple(s for s in request.query_params.get("state", "").split(",") if s)
        if any(s not in EVERY_STATUS for s in wanted):
            return _error(400, "Trạng thái phải là một trong: " + ", ".join(EVERY_STATUS))
        units = await access.scope(principal)
        tickets = await access.inbox.tickets(units, wanted or EVERY_STATUS) \
            if units != [] else []
        return JSONResponse([ticket_json(t) for t in tickets])

    @admin_route(admin)
    async def claim(request: Request, principal: Principal) -> Response:
        view = await access.view(request.path_params["ticket_id"], principal)
        if view is None:
            return _error(404, NOT_FOUND)
        member = await access.acting(principal, view)
        if member is None:
            return _error(403, NOT_MEMBER)
        if view.ticket.claimed_by == member.id:
            return JSONResponse(ticket_json(view.ticket))  # already theirs: nothing changes
        outcome = await access.inbox.claim(view.ticket.id, member, entry(
            principal, "ticket.claimed", str(view.ticket.id)))
        if outcome.kind != WON:
            taken = f"{outcome.name} đã nhận phiếu này." if outcome.name else "Phiếu này đã đóng."
            return _error(409, taken, claimed_by=outcome.name)
        return await _current(view.ticket.id, principal)

    async def _current(ticket_id: int, principal: Principal) -> Response:
        view = await access.view(ticket_id, principal)
        return JSONResponse(ticket_json(view.ticket)) if view else _error(404, NOT_FOUND)

    @admin_route(admin)
    async def reply(request: Request, principal: Principal) -> Response:
        try:
            data = json.loads(await request.body())
        except ValueError:
            data = None
        text = data.get("text") if isinstance(data, dict) else None
        if not isinstance(text, str) or not text.strip() or len(text) > 2000:
            return _error(400, "Gửi {\"text\": \"...\"}: tin không được để trống, tối đa 2000 "
                               "ký tự.")
        view = await access.view(request.path_params["ticket_id"], principal)
        if view is None:
            return _error(404, NOT_FOUND)
        member = await access.acting(principal, view)
        if member is None:
            return _error(403, NOT_MEMBER)
        done = await access.inbox.reply(view.ticket.id, member, text, entry(
            principal, "ticket.replied", str(view.ticket.id)))
        if not done:
            return _error(409, "Chỉ người đã nhận phiếu mới trả lời được.")
        return await _current(view.ticket.id, principal)

    @admin_route(admin)
    async def close(request: Request, principal: Principal) -> Response:
        view = await access.view(request.path_params["ticket_id"], principal)
        if view is None:
            return _error(404, NOT_FOUND)
        audit = entry(principal, "ticket.closed", str(view.ticket.id))
        holder = view.ticket.claimed_by in await access.own_member_ids(principal)
        if principal.can(Permission.manage_accounts) and not holder:
            done = await access.inbox.close(view.ticket.id, None, audit)
        else:
            member = await access.acting(principal, view)
            if member is None:
                return _error(403, NOT_MEMBER)
            done = await access.inbox.close(view.ticket.id, member, audit)
        if not done:
            return _error(409, "Chỉ người đã nhận phiếu mới đóng được (hoặc phiếu đã đóng).")
        return await _current(view.ticket.id, principal)

    return [
        Route("/tickets", listing, methods=["GET"]),
        Route("/tickets/{ticket_id:int}/claim", claim, methods=["POST"]),
        Route("/tickets/{ticket_id:int}/reply", reply, methods=["POST"]),
        Route("/tickets/{ticket_id:int}/close", close, methods=["POST"]),
    ]
