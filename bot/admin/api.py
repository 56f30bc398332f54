"""The console's JSON API (``/admin/api/…``): the contract admins script bulk changes with."""

from __future__ import annotations

import json
import math
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bot.accounts import Locked, Permission, Principal, SignInFailed
from bot.admin.auth import admin_route, clear_session_cookie, client_address, set_session_cookie
from bot.admin.context import Admin
from bot.flows.service import Conflict, FlowNotFound, Invalid
from bot.storage.flow_store import Version

MAX_BODY = 1024 * 1024


class BadRequest(ValueError):
    pass


def error(status: int, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": message, **extra}, status_code=status)


async def json_body(request: Request) -> dict[str, Any]:
    body = await request.body()
    if len(body) > MAX_BODY:
        raise BadRequest("request body too large")
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        raise BadRequest("body must be a JSON object") from None
    if not isinstance(data, dict):
        raise BadRequest("body must be a JSON object")
    return data


def int_field(data: dict[str, Any], name: str) -> int:
    value = data.get(name)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**31:
        raise BadRequest(f"`{name}` must be a version number")
    return value


def version_json(version: Version, served: int | None) -> dict[str, Any]:
    return {"version": version.version, "author": version.author,
            "created_at": version.created_at.isoformat(), "published": version.published,
            "serving": version.version == served, "note": version.note,
            "source": version.source}


def api_routes(admin: Admin) -> list[BaseRoute]:
    services = admin.services
    flows = services.flows

    async def login(request: Request) -> Response:
        try:
            data = await json_body(request)
        except BadRequest as exc:
            return error(400, str(exc))
        user, password = data.get("login"), data.get("password")
        if not isinstance(user, str) or not isinstance(password, str):
            return error(400, "send {\"login\": \"...\", \"password\": \"...\"}")
        try:
            signed = await services.accounts.sign_in(user, password, client_address(request))
        except Locked as exc:
            wait = max(1, math.ceil((exc.until - services.accounts.clock.now()).total_seconds()))
            return JSONResponse({"error": "too many failed sign-ins; try again later"},
                                status_code=429, headers={"Retry-After": str(wait)})
        except SignInFailed:
            return error(401, "wrong login or password")
        response = JSONResponse({"csrf_token": signed.principal.csrf_token,
                                 "role": signed.principal.role.value,
                                 "failed_since_last_sign_in": signed.failed_since,
                                 "failed_from_addresses": signed.failed_addresses})
        set_session_cookie(admin, request, response, signed.token)
        return response

    @admin_route(admin)
    async def logout(request: Request, principal: Principal) -> Response:
        await services.accounts.sign_out(principal)
        response = JSONResponse({"ok": True})
        clear_session_cookie(response)
        return response

    @admin_route(admin, Permission.read_guides)
    async def list_flows(request: Request, principal: Principal) -> Response:
        return JSONResponse([row.to_json() for row in await flows.summaries()])

    @admin_route(admin, Permission.read_guides)
    async def get_flow(request: Request, principal: Principal) -> Response:
        detail = await flows.detail(request.path_params["flow_id"])
        return JSONResponse(detail.to_json())

    @admin_route(admin, Permission.edit_guides)
    async def put_draft(request: Request, principal: Principal) -> Response:
        data = await json_body(request)
        note = data.get("note", "")
        version = await flows.save_draft(principal, request.path_params["flow_id"],
                                         int_field(data, "base_version"), data.get("document"),
                                         note if isinstance(note, str) else "")
        return JSONResponse({"draft_version": version})

    @admin_route(admin, Permission.read_guides)
    async def check(request: Request, principal: Principal) -> Response:
        data = await json_body(request)
        checked = await flows.check(request.path_params["flow_id"], data.get("document"))
        return JSONResponse({"ok": checked.ok, "errors": [e.to_json() for e in checked.errors]})

    @admin_route(admin, Permission.edit_guides)
    async def publish(request: Request, principal: Principal) -> Response:
        flow_id = request.path_params["flow_id"]
        version = int_field(await json_body(request), "version")
        await flows.publish(principal, flow_id, version)
        return JSONResponse({"published_version": version})

    @admin_route(admin, Permission.read_guides)
    async def versions(request: Request, principal: Principal) -> Response:
        flow_id = request.path_params["flow_id"]
        head = (await flows.detail(flow_id)).head
        return JSONResponse([version_json(v, head.published_version)
                             for v in await flows.versions(flow_id)])

    @admin_route(admin, Permission.read_guides)
    async def version(request: Request, principal: Principal) -> Response:
        found = await flows.version(request.path_params["flow_id"],
                                    request.path_params["version"])
        head = (await flows.detail(found.flow_id)).head
        return JSONResponse({**version_json(found, head.published_version),
                             "document": found.document})

    @admin_route(admin, Permission.edit_guides)
    async def rollback(request: Request, principal: Principal) -> Response:
        flow_id = request.path_params["flow_id"]
        number = await flows.rollback(principal, flow_id,
                                      int_field(await json_body(request), "version"))
        return JSONResponse({"published_version": number})

    routes = [
        ("/login", login, ["POST"]),
        ("/logout", logout, ["POST"]),
        ("/flows", list_flows, ["GET"]),
        ("/flows/{flow_id}", get_flow, ["GET"]),
        ("/flows/{flow_id}/draft", put_draft, ["PUT"]),
        ("/flows/{flow_id}/check", check, ["POST"]),
        ("/flows/{flow_id}/publish", publish, ["POST"]),
        ("/flows/{flow_id}/versions", versions, ["GET"]),
        ("/flows/{flow_id}/versions/{version:int}", version, ["GET"]),
        ("/flows/{flow_id}/rollback", rollback, ["POST"]),
    ]
    return [Route(path, with_errors(handler), methods=methods)
            for path, handler, methods in routes]


def with_errors(endpoint: Any) -> Any:
    """Service exceptions as the contract's 4xx answers."""
    async def handle(request: Request) -> Response:
        try:
            response: Response = await endpoint(request)
        except BadRequest as exc:
            return error(400, str(exc))
        except FlowNotFound:
            return error(404, "no such guide or version")
        except Invalid as exc:
            return JSONResponse({"errors": [e.to_json() for e in exc.errors]}, status_code=422)
        except Conflict as exc:
            return error(409, str(exc), latest_version=exc.latest)
        return response

    handle.__name__ = getattr(endpoint, "__name__", "endpoint")
    return handle
