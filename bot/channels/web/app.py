"""HTTP routes: the chat page (``/`` and its ``/static/`` files), ``POST /api/chat``,
``/healthz`` and the flow schema.

Handlers only translate JSON to :class:`Incoming` and replies back; every decision is the
conversation service's.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from bot.conversation import ConversationService, Incoming
from bot.flowspec.model import Flow

log = logging.getLogger(__name__)
STATIC = Path(__file__).parent / "static"
MAX_BODY = 64 * 1024
MAX_USER = 64

HealthCheck = Callable[[], Awaitable[dict[str, Any]]]


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def _parse_chat(body: bytes) -> Incoming | JSONResponse:
    if len(body) > MAX_BODY:
        return _error(413, "request body too large")
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return _error(400, "body must be JSON: {\"user\": \"...\", \"text\": \"...\"}")
    if not isinstance(data, dict):
        return _error(400, "body must be a JSON object")
    user, text, payload = data.get("user"), data.get("text"), data.get("payload")
    if not isinstance(user, str | int) or isinstance(user, bool) or not str(user).strip():
        return _error(400, "`user` is required (a string id)")
    if len(str(user)) > MAX_USER:
        return _error(400, f"`user` must be at most {MAX_USER} characters")
    if text is not None and not isinstance(text, str):
        return _error(400, "`text` must be a string")
    if payload is not None and not isinstance(payload, str):
        return _error(400, "`payload` must be a string")
    if text is None and payload is None:
        return _error(400, "send `text` or `payload`")
    message_id = data.get("id")
    if message_id is not None and (not isinstance(message_id, str)
                                   or not 0 < len(message_id) <= MAX_USER):
        return _error(400, f"`id` must be a string of 1 to {MAX_USER} characters")
    user_id = str(user).strip()
    # A retried message carries the same id: the second copy is dropped, never applied twice.
    key = (hashlib.sha256(f"{user_id}\n{message_id}".encode()).hexdigest()[:40]
           if message_id is not None else None)
    return Incoming(channel="web", user_id=user_id, text=text, payload=payload, message_key=key)


def create_app(service: ConversationService, health: HealthCheck,
               extra_routes: Sequence[BaseRoute] = (), images_dir: Path | None = None
               ) -> Starlette:
    """``images_dir`` serves the guides' step images at ``/images/`` (flows/images)."""
    async def index(_: Request) -> Response:
        return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8")

    async def chat(request: Request) -> Response:
        parsed = _parse_chat(await request.body())
        if isinstance(parsed, JSONResponse):
            return parsed
        result = await service.handle_turn(parsed)
        if result is None:
            return JSONResponse({"messages": [], "guide": None})
        return JSONResponse({"messages": [r.to_json() for r in result.replies],
                             "guide": result.guide_json()})

    async def healthz(_: Request) -> Response:
        status = await health()
        ok = status.get("database") == "ok"
        return JSONResponse({"status": "ok" if ok else "error", **status},
                            status_code=200 if ok else 503)

    async def schema(_: Request) -> Response:
        return JSONResponse(Flow.model_json_schema())

    routes: list[BaseRoute] = [
        Route("/", index),
        Route("/api/chat", chat, methods=["POST"]),
        Route("/healthz", healthz),
        Route("/api/flow-schema", schema),
        Mount("/static", StaticFiles(directory=STATIC)),
        *extra_routes,
    ]
    if images_dir is not None:
        routes.append(Mount("/images", StaticFiles(directory=images_dir, check_dir=False)))

    async def on_error(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s", request.url.path)
        return _error(500, "internal error; the resident's progress is safe, please retry")

    return Starlette(routes=routes, exception_handlers={Exception: on_error})
