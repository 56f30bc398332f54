"""The outermost layer of the web server: bodies limited while they are read, slow bodies cut
off, security headers on every answer, and no exception turned into a dropped connection.

* A body is read here, before any route sees it, up to a limit that depends on the path
  (64 KiB for the chat API, more for the console's uploads). A body announced or found to be
  larger is refused with 413 as soon as the limit is passed, without reading the rest; a body
  that takes longer than ``body_seconds`` to arrive is refused with 408. Both answers carry
  ``Connection: close``: the unread rest cannot be told apart from a next request.
* Every answer gets the security headers below; every console answer (``/admin``, except its
  static files, which hold no data) also ``Cache-Control: no-store``, so on a shared commune
  computer Back after sign-out cannot bring a report or the audit log back from the cache.
* An exception that escapes a route is logged (masked, like every record) and answered with a
  500 that closes the connection; after an answer was started it is only logged, and the
  server keeps the connection as HTTP allows. Starlette would re-raise it to the server,
  which then drops the keep-alive connection without a word.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

log = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

KIB = 1024
# Longest prefix first. The console's own checks (1 MiB of JSON, 5 MB of CSV, 2 MB images)
# and the chat's picture upload (5 MB) answer in their words; these limits sit above them.
BODY_LIMITS = (("/admin/api/", 1024 * KIB + 64 * KIB), ("/admin/", 6 * 1024 * KIB),
               ("/api/chat/image", 8 * 1024 * KIB), ("/api/", 64 * KIB))
DEFAULT_LIMIT = 1024 * KIB  # webhooks (Telegram's and Zalo's updates are far smaller)
BODY_SECONDS = 15.0

CSP = ("default-src 'self'; script-src 'self'; connect-src 'self'; img-src 'self' https: data:; "
       "style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'; "
       "form-action 'self'; frame-ancestors 'none'")
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
]
NO_STORE = [(b"cache-control", b"no-store"), (b"pragma", b"no-cache")]


def headers_for(path: str) -> list[tuple[bytes, bytes]]:
    console = path.startswith("/admin") and not path.startswith("/admin/static/")
    return [*SECURITY_HEADERS, *NO_STORE] if console else SECURITY_HEADERS


class _TooLarge(Exception):
    pass


class _Gone(Exception):
    """The client disconnected while sending the body."""


def limit_for(path: str) -> int:
    for prefix, limit in BODY_LIMITS:
        if path.startswith(prefix):
            return limit
    return DEFAULT_LIMIT


async def _read_body(receive: Receive, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise _Gone
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise _TooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            return int(value) if value.isdigit() else -1
    return None


class Guard:
    def __init__(self, app: ASGIApp, *, body_seconds: float = BODY_SECONDS) -> None:
        self.app = app
        self.body_seconds = body_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False
        added = headers_for(scope["path"])
        replaced = {name for name, _ in added}

        async def secured(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                kept = [(k, v) for k, v in message.get("headers", [])
                        if k.lower() not in replaced]
                message["headers"] = [*kept, *added]
            await send(message)

        limit = limit_for(scope["path"])
        declared = _declared_length(scope)
        if declared is not None and not 0 <= declared <= limit:
            await _refuse(secured, 413, "request body too large")
            return
        try:
            async with asyncio.timeout(self.body_seconds):
                body = await _read_body(receive, limit)
        except _TooLarge:
            await _refuse(secured, 413, "request body too large")
            return
        except TimeoutError:
            await _refuse(secured, 408, "request body too slow")
            return
        except _Gone:
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        try:
            await self.app(scope, replay, secured)
        except Exception:
            log.exception("unhandled error on %s", scope["path"])
            if not started:
                await _refuse(secured, 500, "internal error; the resident's progress is safe, "
                                            "please retry")


async def _refuse(send: Send, status: int, error: str) -> None:
    body = json.dumps({"error": error}).encode()
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
        (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})
