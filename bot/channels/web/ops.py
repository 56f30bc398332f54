"""Operator routes: ``/metrics`` (Prometheus), restricted to loopback or a bearer token."""

from __future__ import annotations

import hmac
import ipaddress
from typing import Any

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from bot.metrics import ScrapeGauges, exposition

WORKER_HEADER = b"x-digiguide-worker"


def _is_loopback(host: str | None) -> bool:
    try:
        return host is not None and ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def allowed(request: Request, token: str | None) -> bool:
    """With ``METRICS_TOKEN`` set, only ``Authorization: Bearer <token>`` gets in; without
    it, only direct loopback clients (a request relayed by a proxy carries forwarding
    headers, and is refused: the proxy may be serving the internet)."""
    if token:
        given = request.headers.get("authorization", "")
        return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())
    forwarded = any(h in request.headers for h in ("forwarded", "x-forwarded-for", "x-real-ip"))
    return not forwarded and _is_loopback(request.client.host if request.client else None)


def metrics_route(gauges: ScrapeGauges, token: str | None) -> Route:
    async def metrics(request: Request) -> Response:
        if not allowed(request, token):
            return PlainTextResponse("forbidden: loopback only, or METRICS_TOKEN\n",
                                     status_code=403)
        body, content_type = await exposition(gauges)
        return Response(body, media_type=content_type)

    return Route("/metrics", metrics)


def worker_header(app: Any, worker: str) -> Any:
    """Name the worker that answered in every response (several workers share one port)."""
    value = worker.encode()

    async def wrapped(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return

        async def send_with_header(message: Any) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []),
                                                  (WORKER_HEADER, value)]}
            await send(message)

        await app(scope, receive, send_with_header)

    return wrapped
