"""``python -m bot serve``: the web chat (and, with a token, Telegram) in one process."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import logging
from contextlib import nullcontext
from typing import Any

import uvicorn
import uvloop

from bot.admin.app import console_mount
from bot.app import build_runtime
from bot.channels.telegram import TelegramChannel
from bot.channels.web.app import create_app
from bot.channels.zalo import ZaloChannel
from bot.config import Settings
from bot.privacy import install_log_masking

log = logging.getLogger(__name__)


async def serve(settings: Settings) -> None:
    async with build_runtime(settings) as runtime:
        telegram = TelegramChannel.from_settings(settings, runtime.service, runtime.catalog)
        zalo = ZaloChannel.from_runtime(runtime)

        async def health() -> dict[str, Any]:
            status = await runtime.health()
            if telegram is not None:
                status["telegram"] = telegram.status
            status["zalo"] = zalo.status if zalo is not None else "off"
            return status

        console = console_mount(runtime.console, runtime.served,
                                secure_cookies=settings.secure_cookies)
        routes = [*(telegram.routes if telegram else ()), *(zalo.routes if zalo else ()),
                  console]
        app = create_app(runtime.service, health, extra_routes=routes,
                         images_dir=settings.flows_dir / "images")
        config = uvicorn.Config(app, host=settings.host, port=settings.port, log_config=None,
                                access_log=False, lifespan="off", timeout_keep_alive=75)
        server = uvicorn.Server(config)
        log.info("web chat on http://%s:%d (%d guides)", settings.host, settings.port,
                 len(runtime.catalog.flows))
        if zalo is not None:
            await zalo.start()
        try:
            async with runtime.workers(), telegram.running() if telegram else nullcontext():
                await server.serve()
        finally:
            if zalo is not None:
                await zalo.stop()


def _serve(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its request lines carry tokens
    install_log_masking()
    settings = Settings.from_env()
    if args.port is not None:
        settings = dataclasses.replace(settings, port=args.port)
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(serve(settings))
    return 0


def _upgrade(args: argparse.Namespace) -> int:
    from bot.storage.migrate import upgrade

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    upgrade(Settings.from_env().database_url)
    return 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("serve", help="run the web chat (and Telegram with a token)")
    parser.add_argument("--port", type=int, default=None)
    parser.set_defaults(handler=_serve)
    db = commands.add_parser("db", help="database schema")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    upgrade = db_sub.add_parser("upgrade", help="apply Alembic migrations (upgrade head)")
    upgrade.set_defaults(handler=_upgrade)
