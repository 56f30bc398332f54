"""The outer guard on its own: slow bodies, limits by path, errors after an answer started,
and the server's settings (issue #9)."""

from __future__ import annotations

import asyncio
import time

import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from bot.channels.web.guard import Guard, limit_for
from bot.config import Settings
from bot.workers.worker import server_config
from tests.server import serving


async def echo(request: Request) -> Response:
    return JSONResponse({"size": len(await request.body())})


async def broken(request: Request) -> Response:
    raise RuntimeError("sdt 0915468791 in the parameters")


async def broken_late(request: Request) -> Response:
    async def parts() -> object:
        yield b"first"
        raise RuntimeError("after the answer started")

    return StreamingResponse(parts())


# As create_app installs it: inside Starlette's error middleware, which would otherwise
# re-raise the error to the server after its own 500.
APP = Starlette(routes=[Route("/{path:path}", echo, methods=["POST"]), Route("/boom", broken),
                        Route("/late", broken_late)],
                middleware=[Middleware(Guard, body_seconds=0.5)])


async def exchange(port: str, data: bytes, pause: float = 0) -> bytes:
    host, _, number = port.rpartition(":")
    reader, writer = await asyncio.open_connection(host.removeprefix("http://"), int(number))
    writer.write(data)
    await writer.drain()
    if pause:
        await asyncio.sleep(pause)
    answer = await asyncio.wait_for(reader.read(65536), 5)
    writer.close()
    return answer


async def test_a_slow_body_is_cut_off() -> None:
    async with serving(APP) as base:
        started = time.monotonic()
        answer = await exchange(base, b"POST /api/chat HTTP/1.1\r\nHost: t\r\n"
                                      b"Content-Length: 100\r\n\r\n0123456789")
        assert answer.startswith(b"HTTP/1.1 408") and b"connection: close" in answer
        assert time.monotonic() - started < 3


async def test_an_error_is_a_500_that_closes_the_connection() -> None:
    async with serving(APP) as base:
        answer = await exchange(base, b"GET /boom HTTP/1.1\r\nHost: t\r\n\r\n")
        assert answer.startswith(b"HTTP/1.1 500") and b"connection: close" in answer
        late = await exchange(base, b"GET /late HTTP/1.1\r\nHost: t\r\n\r\n")
        assert late.startswith(b"HTTP/1.1 200") and b"first" in late


@pytest.mark.parametrize(("path", "limit"), [
    ("/api/chat", 64 * 1024), ("/admin/api/flows/x", 1088 * 1024),
    ("/admin/units/import", 6 * 1024 * 1024), ("/telegram/webhook", 1024 * 1024)])
def test_limits_by_path(path: str, limit: int) -> None:
    assert limit_for(path) == limit


async def test_the_console_still_takes_a_large_upload() -> None:
    body = b"x" * (3 * 1024 * 1024)
    async with serving(APP) as base:
        head = (f"POST /admin/units/import HTTP/1.1\r\nHost: t\r\n"
                f"Content-Length: {len(body)}\r\n\r\n").encode()
        answer = await exchange(base, head + body)
    assert answer.startswith(b"HTTP/1.1 200") and b'"size":3145728' in answer


def test_no_server_banner() -> None:
    assert server_config(APP, Settings()).server_header is False
