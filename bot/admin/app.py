"""``/admin``: the console as a Starlette sub-application mounted into the web server."""

from __future__ import annotations

import logging
from collections.abc import Callable

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from bot.admin.api import api_routes
from bot.admin.api_announcements import announcement_api_routes
from bot.admin.api_nlu import nlu_api_routes
from bot.admin.api_reports import report_api_routes
from bot.admin.api_tickets import ticket_api_routes
from bot.admin.context import STATIC, Admin, ConsoleServices
from bot.admin.render import page
from bot.admin.views_announcements import announcement_routes
from bot.admin.views_auth import auth_routes
from bot.admin.views_flows import flow_routes
from bot.admin.views_history import history_routes
from bot.admin.views_inbox import inbox_routes
from bot.admin.views_nlu import nlu_routes
from bot.admin.views_reports import report_routes
from bot.admin.views_team import team_routes
from bot.admin.views_units import unit_routes
from bot.flows.preview import PreviewService, Served
from bot.flows.service import FlowNotFound

log = logging.getLogger(__name__)


def console_mount(services: ConsoleServices, served: Callable[[], Served], *,
                  secure_cookies: bool = False) -> Mount:
    """What the web server mounts: the console on the runtime's services."""
    return admin_mount(Admin(services, PreviewService(services.flows, served),
                             secure_cookies=secure_cookies))


def admin_mount(admin: Admin) -> Mount:
    async def not_found(request: Request, exc: Exception) -> Response:
        if request.url.path.startswith("/admin/api/"):
            return JSONResponse({"error": "not found"}, status_code=404)
        return page(request, "message.html", None, status=404,
                    message="Không tìm thấy trang, hướng dẫn hoặc phiên bản này.")

    app = Starlette(
        routes=[
            Mount("/api", routes=[*api_routes(admin), *report_api_routes(admin),
                                  *nlu_api_routes(admin), *announcement_api_routes(admin),
                                  *ticket_api_routes(admin)]),
            Mount("/static", StaticFiles(directory=STATIC)),
            *auth_routes(admin), *flow_routes(admin), *history_routes(admin),
            *team_routes(admin), *unit_routes(admin), *inbox_routes(admin),
            *report_routes(admin), *nlu_routes(admin), *announcement_routes(admin),
        ],
        exception_handlers={FlowNotFound: not_found, 404: not_found},
    )
    return Mount("/admin", app=app)
