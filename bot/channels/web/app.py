"""HTTP routes: the chat page (``/`` and its ``/static/`` files), ``POST /api/chat``,
``GET /api/chat/updates``, ``/healthz`` and the flow schema.

Handlers only translate JSON to :class:`Incoming` and replies back; every decision is the
conversation service's.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from bot.channels.web.guard import Guard
from bot.conversation import ConversationService
from bot.flowspec.model import Flow
from bot.outbox.mailbox import MAX_WAIT, Mailbox
from bot.turn_contract import Incoming

STATIC = Path(__file__).parent / "static"
MAX_BODY = 64 * 1024
MAX_USER = 64

HealthCheck = Callable[[], Awaitable[dict[str, Any]]]


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def _is_json(request: Request) -> bool:
    media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    return media == "application/json"


def _unprintable(value: str) -> bool:
    """Control characters (NUL among them) or lone surrogates: never in an id."""
    return any(ord(c) < 32 or 0xD800 <= ord(c) <= 0xDFFF for c in value)


def _parse_chat(body: bytes) -> Incoming | JSONResponse:
    if len(body) > MAX_BODY:
        return _error(413, "request body too large")
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        return _error(400, "body must be JSON: {\"user\": \"...\", \"text\": \"...\"}")
    if not isinstance(data, dict):
        return _error(400, "body must be a JSON object")
    user, text, payload = data.get("user"), data.get("text"), data.get("payload")
    if not isinstance(user, str | int) or isinstance(user, bool) or not str(user).strip():
        return _error(400, "`user` is required (a string id)")
    if len(str(user)) > MAX_USER or _unprintable(str(user)):
        return _error(400, f"`user` must be at most {MAX_USER} printable characters")
    if text is not None and not isinstance(text, str):
        return _error(400, "`text` must be a string")
    if payload is not None and not isinstance(payload, str):
        return _error(400, "`payload` must be a string")
    if text is None and payload is None:
        return _error(400, "send `text` or `payload`")
    message_id = data.get("id")
    if message_id is not None and (not isinstance(message_id, str) or _unprintable(message_id)
                                   or not 0 < len(message_id) <= MAX_USER):
        return _error(400, f"`id` must be a string of 1 to {MAX_USER} characters")
    user_id = str(user).strip()
    # A retried message carries the same id: the second copy is dropped, never applied twice.
    key = (hashlib.sha256(f"{user_id}\n{message_id}".encode()).hexdigest()[:40]
           if message_id is not None else None)
    return Incoming(channel="web", user_id=user_id, text=text, payload=payload, message_key=key)


def _parse_updates(request: Request) -> tuple[str, int, float] | JSONResponse:
    params = request.query_params
    user = params.get("user", "").strip()
    after, wait = params.get("after", "").strip() or "0", params.get("wait", "").strip()
    if not user:
        return _error(400, "`user` is required (the id used with /api/chat)")
    if len(user) > MAX_USER or _unprintable(user):
        return _error(400, f"`user` must be at most {MAX_USER} printable characters")
    if not (after.isascii() and after.isdigit()) or len(after) > 18:  # "²" is a digit too
        return _error(400, "`after` must be a cursor from an earlier answer")
    try:
        seconds = float(wait) if wait else MAX_WAIT
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds <= MAX_WAIT:
        return _error(400, f"`wait` must be 0 to {MAX_WAIT:.0f} seconds")
    return user, int(after), seconds


def create_app(service: ConversationService, health: HealthCheck,
               extra_routes: Sequence[BaseRoute] = (), images_dir: Path | None = None,
               mailbox: Mailbox | None = None) -> Starlette:
    """``images_dir`` serves the guides' step images at ``/images/`` (flows/images);
    ``mailbox`` answers ``GET /api/chat/updates`` (messages sent outside a request)."""
    async def index(_: Request) -> Response:
        return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8")

    async def chat(request: Request) -> Response:
        if not _is_json(request):  # a cross-site form can post text/plain, never JSON
            return _error(415, "send the body as application/json")
        parsed = _parse_chat(await request.body())
        if isinstance(parsed, JSONResponse):
            return parsed
        client = request.client.host if request.client else "unknown"
        result = await service.handle_turn(replace(parsed, client=client))
        if result is None:
            return JSONResponse({"messages": [], "guide": None})
        return JSONResponse({"messages": [r.to_json() for r in result.replies],
                             "guide": result.guide_json()})

    async def updates(request: Request) -> Response:
        """Long poll: ``{"messages": [...], "cursor": "…"}``, the messages in
        ``/api/chat``'s shape; the next call passes the cursor as ``after``."""
        if mailbox is None:
            return _error(404, "no updates on this server")
        parsed = _parse_updates(request)
        if isinstance(parsed, JSONResponse):
            return parsed
        user, after, wait = parsed
        messages, cursor = await mailbox.fetch(user, after, wait)
        return JSONResponse({"messages": messages, "cursor": str(cursor)},
                            headers={"Cache-Control": "no-store"})

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
        Route("/api/chat/updates", updates),
        Route("/healthz", healthz),
        Route("/api/flow-schema", schema),
        Mount("/static", StaticFiles(directory=STATIC)),
        *extra_routes,
    ]
    if images_dir is not None:
        routes.append(Mount("/images", _OptionalFiles(directory=images_dir, check_dir=False)))
    return Starlette(routes=routes, middleware=[Middleware(Guard)])


class _OptionalFiles(StaticFiles):
    """The guides' images: 404, not 500, while the folder does not exist (none published)."""

    async def check_config(self) -> None:
        with contextlib.suppress(RuntimeError):
            await super().check_config()
