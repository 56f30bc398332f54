"""History of a guide: every version, a step-by-step diff between any two, rollback."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bot.accounts import Permission, Principal
from bot.admin.auth import admin_route
from bot.admin.context import Admin
from bot.admin.render import page, redirect
from bot.flows.service import Invalid


def _int(value: object) -> int:
    return int(value) if isinstance(value, str) and value.isdigit() and len(value) < 10 else 0


def history_routes(admin: Admin) -> list[BaseRoute]:
    flows = admin.services.flows

    @admin_route(admin, Permission.read_guides, page=True)
    async def history(request: Request, principal: Principal) -> Response:
        flow_id = request.path_params["flow_id"]
        detail = await flows.detail(flow_id)
        return page(request, "history.html", principal, detail=detail,
                    versions=await flows.versions(flow_id))

    @admin_route(admin, Permission.read_guides, page=True)
    async def diff(request: Request, principal: Principal) -> Response:
        flow_id = request.path_params["flow_id"]
        detail = await flows.detail(flow_id)
        new = _int(request.query_params.get("b")) or detail.head.latest_version
        old = _int(request.query_params.get("a")) or max(1, new - 1)
        return page(request, "diff.html", principal, detail=detail, a=old, b=new,
                    diff=await flows.diff(flow_id, old, new),
                    versions=await flows.versions(flow_id))

    @admin_route(admin, Permission.edit_guides, page=True)
    async def rollback(request: Request, principal: Principal) -> Response:
        flow_id = request.path_params["flow_id"]
        version = _int((await request.form()).get("version"))
        try:
            number = await flows.rollback(principal, flow_id, version)
        except Invalid as exc:
            return page(request, "message.html", principal, status=422,
                        message="Phiên bản này không còn hợp lệ, không thể khôi phục: "
                                + "; ".join(e.message for e in exc.errors))
        return redirect(f"/admin/flows/{flow_id}/history?ok=rolled-back-{number}")

    return [
        Route("/flows/{flow_id}/history", history),
        Route("/flows/{flow_id}/diff", diff),
        Route("/flows/{flow_id}/rollback", rollback, methods=["POST"]),
    ]
