"""Serve an ASGI app on a free loopback port for the duration of a test.

Uvicorn's own ``serve()`` costs a test about 0.3 s of waiting: the caller polls for
``started``, the main loop notices ``should_exit`` at its next 0.1 s tick and ``shutdown()``
sleeps another 0.1 s before it waits for connections in 0.1 s steps. Here the server is started
and stopped directly, and the wait for open connections to finish polls in small steps.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import uvicorn

GRACEFUL_SECONDS = 60.0  # a long poll still open when the test ends is answered first


@asynccontextmanager
async def serving(app: Any) -> AsyncIterator[str]:
    """Run ``app`` with uvicorn on 127.0.0.1 (random port); yield its base URL."""
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_config=None, access_log=False,
                            lifespan="off")
    config.load()
    server = uvicorn.Server(config)
    server.lifespan = config.lifespan_class(config)
    await server.startup()
    # The main loop keeps the Date header fresh, as in `serve()`; it ends when cancelled.
    ticking = asyncio.create_task(server.main_loop())
    try:
        port = server.servers[0].sockets[0].getsockname()[1]
        yield f"http://127.0.0.1:{port}"
    finally:
        ticking.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await ticking
        await _stop(server)


async def _stop(server: uvicorn.Server) -> None:
    """What ``Server.shutdown()`` does, without its fixed sleeps: stop listening, ask every
    connection to close after its current response, wait for them and for their tasks."""
    for listener in server.servers:
        listener.close()
    state = server.server_state
    for connection in list(state.connections):
        connection.shutdown()
    try:
        async with asyncio.timeout(GRACEFUL_SECONDS):
            # Uvicorn has no event for "the last connection closed": poll, in small steps.
            while state.connections or state.tasks:  # noqa: ASYNC110
                await asyncio.sleep(0.005)
    except TimeoutError:
        for task in state.tasks:
            task.cancel()
    for listener in server.servers:
        await listener.wait_closed()
