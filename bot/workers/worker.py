"""One server process: HTTP (web chat, webhooks, /metrics) plus its background work.

``serve`` runs it directly; ``serve --workers N`` runs N of them under the supervisor, each
accepting on the supervisor's listening socket. SIGTERM (or SIGINT) shuts it down gracefully:
stop accepting, finish the requests in flight (keep-alive connections get ``Connection:
close``), stop Telegram after the updates in hand, drain the outboxes, close the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
from collections.abc import Callable, Generator
from typing import Any

import uvicorn

from bot.admin.app import console_mount
from bot.app import Runtime, build_runtime, zalo_channel
from bot.channels.web.app import create_app
from bot.channels.web.ops import metrics_route, worker_header
from bot.channels.zalo import ZaloChannel
from bot.config import Settings
from bot.workers.background import TelegramSlot, background

log = logging.getLogger(__name__)
GRACEFUL_SECONDS = 30


class _Server(uvicorn.Server):
    """uvicorn, minus its own signal handling (it re-raises SIGTERM after shutting down, which
    would kill the process before Telegram and the outboxes are drained), plus a callback once
    it accepts."""

    def __init__(self, config: uvicorn.Config, on_started: Callable[[], None] | None) -> None:
        super().__init__(config)
        self._on_started = on_started

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self._on_started is not None and self.started:
            self._on_started()


@contextlib.contextmanager
def _on_signals(server: uvicorn.Server) -> Generator[None, None, None]:
    loop = asyncio.get_running_loop()

    def stop(sig: signal.Signals) -> None:
        # A second Ctrl-C stops waiting for connections. A repeated SIGTERM does not: a
        # service manager may signal the whole group and the supervisor signal again.
        if server.should_exit and sig is signal.SIGINT:
            server.force_exit = True
        log.info("%s: finishing the turns in progress, then stopping", sig.name)
        server.should_exit = True

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop, sig)
    try:
        yield
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)


def build_app(runtime: Runtime, telegram: TelegramSlot, zalo: ZaloChannel | None = None,
              worker: str | None = None) -> Any:
    """The ASGI app one worker serves: web chat, health, metrics, Telegram's and Zalo's
    webhooks."""
    settings = runtime.settings

    async def health() -> dict[str, Any]:
        status = await runtime.health()
        if telegram.status is not None:
            status["telegram"] = telegram.status
        status["zalo"] = zalo.status if zalo is not None else "off"
        return status

    routes = [metrics_route(runtime.gauges, settings.metrics_token),
              *(telegram.channel.routes if telegram.channel is not None else []),
              *(zalo.routes if zalo is not None else []),
              console_mount(runtime.console, runtime.served,
                            secure_cookies=settings.secure_cookies)]
    app: Any = create_app(runtime.service, health, extra_routes=routes,
                          images_dir=settings.flows_dir / "images", mailbox=runtime.mailbox)
    return worker_header(app, worker) if worker is not None else app


def server_config(app: Any, settings: Settings) -> uvicorn.Config:
    """uvicorn's settings: no ``server`` banner (it names the software to attackers)."""
    return uvicorn.Config(app, host=settings.host, port=settings.port, log_config=None,
                          access_log=False, lifespan="off", timeout_keep_alive=75,
                          timeout_graceful_shutdown=GRACEFUL_SECONDS, server_header=False)


async def serve_worker(settings: Settings, *, listen_fd: int | None = None,
                       ready_fd: int | None = None, worker: str | None = None) -> None:
    """Serve until SIGTERM. With ``listen_fd``, accept on that inherited socket and write one
    byte to ``ready_fd`` once accepting (the supervisor's cue for a rolling restart)."""
    async with build_runtime(settings) as runtime:
        telegram = TelegramSlot(runtime)
        zalo = zalo_channel(runtime)
        app = build_app(runtime, telegram, zalo, worker)
        config = server_config(app, settings)
        sockets = [socket.socket(fileno=listen_fd)] if listen_fd is not None else None

        def ready() -> None:
            if ready_fd is not None:
                os.write(ready_fd, b"1")
                os.close(ready_fd)
            where = f"http://{settings.host}:{settings.port}"
            log.info("serving on %s (%d guides)", where, len(runtime.catalog.flows))

        server = _Server(config, ready)
        if zalo is not None:
            await zalo.start()
        try:
            with _on_signals(server):
                async with background(runtime, telegram):
                    await server.serve(sockets=sockets)
        finally:
            if zalo is not None:
                await zalo.stop()
        log.info("stopped cleanly")
