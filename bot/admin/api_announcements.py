"""Announcements as an API: ``POST /admin/api/announcements``, ``…/{id}/preview``,
``…/{id}/send`` (with the preview's count), ``…/{id}/approve`` and ``GET …/{id}`` (what
happened). Roles and CSRF as for the rest of ``/admin/api``; bad input is a 4xx with
``{"error": …}`` in Vietnamese."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bot.accounts import Permission, Principal
from bot.admin.api import BadRequest, json_body
from bot.admin.auth import admin_route
from bot.admin.context import Admin
from bot.announcements.input import Problem
from bot.announcements.service import Announcements
from bot.storage.announcements import AnnouncementRow

Handler = Callable[[Request, Principal, Announcements], Awaitable[Response]]


def row_json(row: AnnouncementRow) -> dict[str, Any]:
    return {"id": row.id, "state": row.state, "unit_id": row.unit_id, "text": row.text,
            "flow_id": row.flow_id, "include_subunits": row.include_subunits,
            "send_at": row.send_at.isoformat() if row.send_at else None,
            "release_at": row.release_at.isoformat() if row.release_at else None,
            "created_by": row.created_by, "approved_by": row.approved_by}


def guarded(admin: Admin, permission: Permission, handler: Handler
            ) -> Callable[[Request], Awaitable[Response]]:
    """The service, and its problems as 4xx answers."""
    @admin_route(admin, permission)
    async def endpoint(request: Request, principal: Principal) -> Response:
        service = admin.services.announcements
        if service is None:
            return JSONResponse({"error": "thông báo chưa chạy"}, status_code=503)
        try:
            return await handler(request, principal, service)
        except Problem as exc:
            return JSONResponse({"error": exc.message, **exc.extra}, status_code=exc.status)
        except BadRequest as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)

    endpoint.__name__ = handler.__name__
    return endpoint


def _id(request: Request) -> int:
    value: int = request.path_params["announcement_id"]
    return value


def announcement_api_routes(admin: Admin) -> list[BaseRoute]:
    async def create(request: Request, principal: Principal, service: Announcements
                     ) -> Response:
        row = await service.create(principal, await json_body(request))
        return JSONResponse({"id": row.id, "state": row.state}, status_code=201)

    async def listing(request: Request, principal: Principal, service: Announcements
                      ) -> Response:
        return JSONResponse([row_json(r) for r in await service.listing(principal)])

    async def status(request: Request, principal: Principal, service: Announcements
                     ) -> Response:
        return JSONResponse(await service.status(principal, _id(request)))

    async def preview(request: Request, principal: Principal, service: Announcements
                      ) -> Response:
        return JSONResponse(await service.preview(principal, _id(request)))

    async def send(request: Request, principal: Principal, service: Announcements
                   ) -> Response:
        data = await json_body(request)
        row = await service.send(principal, _id(request), data.get("confirm_count"))
        return JSONResponse(row_json(row), status_code=202)

    async def approve(request: Request, principal: Principal, service: Announcements
                      ) -> Response:
        return JSONResponse(row_json(await service.approve(principal, _id(request))))

    base = "/announcements"
    one = base + "/{announcement_id:int}"
    return [
        Route(base, guarded(admin, Permission.propose, create), methods=["POST"]),
        Route(base, guarded(admin, Permission.read_reports, listing), methods=["GET"]),
        Route(one, guarded(admin, Permission.read_reports, status), methods=["GET"]),
        Route(one + "/preview", guarded(admin, Permission.read_reports, preview),
              methods=["GET"]),
        Route(one + "/send", guarded(admin, Permission.propose, send), methods=["POST"]),
        Route(one + "/approve", guarded(admin, Permission.propose, approve), methods=["POST"]),
    ]
