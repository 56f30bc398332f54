"""The results and handouts as an API: ``GET /admin/api/reports/units/{unit_id}`` and
``GET /admin/api/handouts/{flow_id}.pdf?unit=…`` (also ``/admin/api/handouts.pdf?unit=…``:
every guide of a unit in one PDF). Scoped like the dashboard; bad input is a 4xx with
``{"error": …}``."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bot.accounts import Permission, Principal
from bot.admin.auth import admin_route
from bot.admin.context import Admin
from bot.admin.reports_input import BadInput, asked, guide_of, period_of, size_of
from bot.reports.export import to_json
from bot.reports.links import NoPublicUrl


def pdf_response(data: bytes, name: str) -> Response:
    return Response(data, media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{name}"'})


def report_api_routes(admin: Admin) -> list[BaseRoute]:
    @admin_route(admin, Permission.read_reports)
    async def unit_report(request: Request, principal: Principal) -> Response:
        try:
            ask = await asked(admin, request, principal, request.path_params["unit_id"])
            period = period_of(request, ask.reports)
        except BadInput as exc:
            return JSONResponse({"error": exc.message}, status_code=exc.status)
        report = await ask.reports.results.report(ask.unit_id, period, ask.viewer)
        return JSONResponse(to_json(report))

    @admin_route(admin, Permission.read_reports)
    async def handout(request: Request, principal: Principal) -> Response:
        try:
            ask = await asked(admin, request, principal, need_unit=True)
            flow_id = guide_of(ask.reports, request.path_params["flow_id"])
            size = size_of(request)
        except BadInput as exc:
            return JSONResponse({"error": exc.message}, status_code=exc.status)
        assert ask.unit_id is not None
        try:
            data = await ask.reports.handout_pdf([flow_id], ask.unit_id, size=size,
                                                 member=ask.member)
        except NoPublicUrl as exc:  # never a sheet whose QR code opens nothing
            return JSONResponse({"error": exc.message}, status_code=409)
        return pdf_response(data, f"{flow_id}-{ask.unit_id}-{size}.pdf")

    @admin_route(admin, Permission.read_reports)
    async def handouts(request: Request, principal: Principal) -> Response:
        try:
            ask = await asked(admin, request, principal, need_unit=True)
            size = size_of(request)
        except BadInput as exc:
            return JSONResponse({"error": exc.message}, status_code=exc.status)
        assert ask.unit_id is not None
        try:
            data = await ask.reports.handout_pdf(ask.reports.guide_ids(), ask.unit_id,
                                                 size=size, member=ask.member)
        except NoPublicUrl as exc:
            return JSONResponse({"error": exc.message}, status_code=409)
        return pdf_response(data, f"huong-dan-{ask.unit_id}-{size}.pdf")

    return [
        Route("/reports/units/{unit_id}", unit_report),
        Route("/handouts.pdf", handouts),
        Route("/handouts/{flow_id}.pdf", handout),
    ]
