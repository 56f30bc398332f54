"""The Telegram channel: configuration, start/stop, long polling or the webhook route.

It runs inside the web chat's process and event loop (``bot serve``): polling is a background
task of the PTB application; in webhook mode Telegram posts to a Starlette route of the same
web server, and the route only checks the secret and queues the update.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from telegram import BotCommand, Update
from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.ext import AIORateLimiter, Application

from bot.channels.telegram import texts
from bot.channels.telegram.handlers import TelegramHandlers
from bot.channels.telegram.ordering import PerChatProcessor
from bot.channels.telegram.photos import PhotoCache
from bot.channels.telegram.render import Renderer
from bot.channels.telegram.reports import ReportHandlers
from bot.channels.telegram.sender import TelegramSender
from bot.channels.telegram.teams import TeamHandlers
from bot.config import Settings
from bot.conversation import ConversationService
from bot.outbox import Outbox as Queue
from bot.reports.service import Reports
from bot.teams.desk import TicketDesk
from bot.teams.registry import Registry

log = logging.getLogger(__name__)

DEFAULT_API = "https://api.telegram.org"
WEBHOOK_PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
ALLOWED_UPDATES = [
    Update.MESSAGE,
    Update.CALLBACK_QUERY,
    Update.INLINE_QUERY,
    Update.MY_CHAT_MEMBER,
]
MAX_BODY = 1024 * 1024
MAX_RETRIES = 3  # RetryAfter (429) waits, per request, before giving up
MAX_CONCURRENT = 64  # updates in progress at once, across chats
MAX_RETRY_DELAY = 300.0
_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


@dataclass(frozen=True)
class TelegramConfig:
    token: str
    images_dir: Path
    api_url: str = DEFAULT_API
    webhook_url: str | None = None
    webhook_secret: str = ""

    @classmethod
    def from_settings(cls, settings: Settings) -> TelegramConfig | None:
        """None without a token: the web chat then runs alone.

        The webhook secret is ``TELEGRAM_WEBHOOK_SECRET`` or, by default, derived from the
        token: stable across restarts and unguessable without the token."""
        if not settings.telegram_token:
            return None
        secret = (
            settings.telegram_webhook_secret
            or hashlib.sha256(f"digiguide-webhook:{settings.telegram_token}".encode()).hexdigest()
        )
        if not _SECRET.match(secret):
            raise ValueError("TELEGRAM_WEBHOOK_SECRET may hold 1-256 of A-Z a-z 0-9 _ -")
        url = settings.telegram_webhook_url
        if url and urlsplit(url).path in ("", "/"):
            url = url.rstrip("/") + WEBHOOK_PATH
        return cls(
            token=settings.telegram_token,
            images_dir=settings.flows_dir / "images",
            api_url=(settings.telegram_api_url or DEFAULT_API).rstrip("/"),
            webhook_url=url,
            webhook_secret=secret,
        )

    @property
    def webhook_path(self) -> str:
        """The route serves the public URL's path, so a proxy only has to pass it through."""
        return urlsplit(self.webhook_url).path if self.webhook_url else WEBHOOK_PATH


class TelegramChannel:
    def __init__(
        self,
        config: TelegramConfig,
        service: ConversationService,
        *,
        retry_delay: float = 5.0,
        queue: Queue | None = None,
        teams: tuple[Registry, TicketDesk] | None = None,
        reports: Reports | None = None,
    ) -> None:
        """``queue``: the outbox whose Telegram messages this channel sends; ``teams``: the
        registry and ticket desk for team groups and members; ``reports``: members' reach
        commands (/chiase, /thongke, /thongbao)."""
        self.config = config
        self.retry_delay = retry_delay
        self._gave_up = False
        builder = (
            Application.builder()
            .token(config.token)
            .base_url(f"{config.api_url}/bot{{token}}")
            .base_file_url(f"{config.api_url}/file/bot{{token}}")
            .rate_limiter(AIORateLimiter(max_retries=MAX_RETRIES))
            .concurrent_updates(PerChatProcessor(MAX_CONCURRENT))
        )
        if config.webhook_url:
            builder = builder.updater(None)
        self.application = builder.build()
        renderer = Renderer(PhotoCache(config.images_dir))
        if teams is not None:
            TeamHandlers(*teams).register(self.application)
        self.reports = reports
        if reports is not None:
            ReportHandlers(reports).register(self.application)
        TelegramHandlers(service, renderer).register(self.application)
        if queue is not None:
            queue.register(TelegramSender(self.application, renderer,
                                          teams[1] if teams is not None else None))

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        service: ConversationService,
        *,
        queue: Queue | None = None,
        teams: tuple[Registry, TicketDesk] | None = None,
        reports: Reports | None = None,
    ) -> TelegramChannel | None:
        """The channel ``bot serve`` runs, or None without ``TELEGRAM_BOT_TOKEN``."""
        config = TelegramConfig.from_settings(settings)
        return cls(config, service, queue=queue, teams=teams,
                   reports=reports) if config else None

    @property
    def status(self) -> str:
        """For /healthz: ``ok`` when serving, ``off`` after Telegram refused to start it (a
        rejected token), ``starting`` while it is still trying."""
        if self.application.running:
            return "ok"
        return "off" if self._gave_up else "starting"

    @property
    def routes(self) -> list[BaseRoute]:
        """Extra routes for the web server: the webhook endpoint, in webhook mode only."""
        if not self.config.webhook_url:
            return []
        return [Route(self.config.webhook_path, self._webhook, methods=["POST"])]

    async def start(self) -> None:
        app = self.application
        await app.initialize()  # getMe: checks the token, learns the bot's username
        if self.reports is not None:  # members' links and handouts name the bot
            self.reports.links.bot_username = app.bot.username
        await self._set_commands()
        if self.config.webhook_url:
            await app.bot.set_webhook(
                self.config.webhook_url,
                allowed_updates=ALLOWED_UPDATES,
                secret_token=self.config.webhook_secret,
            )
        elif app.updater is not None:
            await app.updater.start_polling(allowed_updates=ALLOWED_UPDATES)
        await app.start()
        mode = "webhook " + self.config.webhook_path if self.config.webhook_url else "polling"
        log.info("Telegram bot @%s is running (%s)", app.bot.username, mode)

    async def stop(self) -> None:
        """Stop polling and finish the updates in hand. A webhook stays registered, so
        Telegram keeps residents' messages until the next start."""
        app = self.application
        if app.updater is not None and app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
        await app.shutdown()

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Telegram for the duration of the block, started in the background: the web chat
        must serve even while Telegram is unreachable (rural connections drop)."""
        starting = asyncio.create_task(self._start_with_retries())
        try:
            yield
        finally:
            starting.cancel()
            with suppress(asyncio.CancelledError):
                await starting
            await self.stop()

    async def _start_with_retries(self) -> None:
        delay = self.retry_delay
        while True:
            try:
                await self.start()
                return
            except InvalidToken:
                log.error(
                    "Telegram rejected TELEGRAM_BOT_TOKEN: the Telegram channel is off, "
                    "the web chat keeps running"
                )
                self._gave_up = True
                return
            except NetworkError as error:
                log.warning("Telegram is unreachable (%s); trying again in %.0f s", error, delay)
            except TelegramError as error:
                log.error(
                    "Telegram refused to start the bot (%s): the Telegram channel is off", error
                )
                self._gave_up = True
                return
            await asyncio.sleep(delay)
            delay = min(delay * 2, MAX_RETRY_DELAY)

    async def _set_commands(self) -> None:
        bot = self.application.bot
        await bot.set_my_commands([BotCommand(c, d) for c, d in texts.COMMANDS_VI])
        await bot.set_my_commands(
            [BotCommand(c, d) for c, d in texts.COMMANDS_EN], language_code="en"
        )

    async def _webhook(self, request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.config.webhook_secret.encode()):
            log.warning("webhook call without the right secret token refused")
            return Response(status_code=403)
        if not self.application.running:
            return Response(status_code=503)  # Telegram retries later
        body = await request.body()
        if len(body) > MAX_BODY:
            return Response(status_code=413)
        try:
            data = json.loads(body)
            if not isinstance(data, dict):
                raise TypeError("an update is a JSON object")
            update = Update.de_json(data, self.application.bot)
        except Exception as error:  # any shape PTB cannot read
            # Acknowledged all the same: Telegram redelivers a refused update for a day.
            log.warning("malformed webhook update dropped: %s", type(error).__name__)
            return Response()
        await self.application.update_queue.put(update)
        return Response()
