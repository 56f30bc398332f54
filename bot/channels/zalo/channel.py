"""The Zalo Official Account channel: configuration, the webhook route, and the wiring of its
inbox handler and outbox sender.

``POST /zalo/webhook`` checks Zalo's signature and the event's age, stores the event in the
inbox and answers 200 at once (Zalo wants an answer within about 2 s and retries otherwise);
the inbox worker processes it afterwards, and the outbox worker sends the replies.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import hmac
import json
import logging
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bot.channels.zalo.api import DEFAULT_API, DEFAULT_OAUTH, TokenRefused, Unavailable, ZaloAPI
from bot.channels.zalo.events import CHANNEL, HANDLED, ZaloEvents, event_key, event_time, sender_of
from bot.channels.zalo.sender import WINDOW, ZaloSender
from bot.channels.zalo.tokens import NoRefreshToken, TokenManager
from bot.clock import Clock
from bot.config import Settings
from bot.conversation import ConversationService
from bot.outbox import Inbox, Outbox
from bot.sharing import ShareCodes
from bot.storage.zalo import ZaloStore

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/zalo/webhook"
SIGNATURE_HEADER = "X-ZEvent-Signature"
MAX_BODY = 256 * 1024
MAX_AGE = dt.timedelta(hours=3)  # Zalo's last retry comes about 1 h 50 min after the event
MAX_AHEAD = dt.timedelta(minutes=5)  # clocks differ a little
START_RETRY = 5.0
START_RETRY_MAX = 300.0


@dataclass(frozen=True)
class ZaloConfig:
    app_id: str
    app_secret: str
    oa_secret: str
    images_dir: Path
    refresh_token: str | None = None
    api_url: str = DEFAULT_API
    oauth_url: str = DEFAULT_OAUTH

    @classmethod
    def from_settings(cls, settings: Settings) -> ZaloConfig | None:
        """None unless the app id, app secret and OA secret are all set."""
        if not (settings.zalo_app_id and settings.zalo_app_secret and settings.zalo_oa_secret):
            return None
        return cls(app_id=settings.zalo_app_id, app_secret=settings.zalo_app_secret,
                   oa_secret=settings.zalo_oa_secret, images_dir=settings.flows_dir / "images",
                   refresh_token=settings.zalo_refresh_token,
                   api_url=settings.zalo_api_url or DEFAULT_API,
                   oauth_url=settings.zalo_oauth_url or DEFAULT_OAUTH)


def signature_ok(config: ZaloConfig, body: bytes, timestamp: str, header: str) -> bool:
    """``X-ZEvent-Signature: mac=<sha256(app_id + raw body + timestamp + OA secret)>``: a
    plain SHA-256 of the concatenation, not an HMAC."""
    given = header.strip()
    if given.lower().startswith("mac="):
        given = given[4:].strip()
    expected = hashlib.sha256(config.app_id.encode() + body + timestamp.encode()
                              + config.oa_secret.encode()).hexdigest()
    return hmac.compare_digest(given.lower().encode(), expected.encode())


class ZaloChannel:
    def __init__(self, config: ZaloConfig, service: ConversationService, outbox: Outbox,
                 inbox: Inbox, store: ZaloStore, codes: ShareCodes, clock: Clock, *,
                 http: httpx.AsyncClient | None = None, per_second: float = 10.0) -> None:
        self.config = config
        self.clock = clock
        self.inbox = inbox
        self.api = ZaloAPI(config.app_id, config.app_secret, api_url=config.api_url,
                           oauth_url=config.oauth_url, client=http)
        self.tokens = TokenManager(self.api, store, clock, seed=config.refresh_token)
        self.sender = ZaloSender(self.api, self.tokens, store, service, clock,
                                 config.images_dir, per_second=per_second)
        self.events = ZaloEvents(service, outbox, store, codes, clock)
        service.queue_replies_for(CHANNEL, keep=WINDOW)
        outbox.register(self.sender)
        inbox.register(CHANNEL, self.events)
        self._warming: asyncio.Task[None] | None = None

    @property
    def status(self) -> str:
        """For /healthz: ``ok`` once Zalo gave a token, ``error`` when it refused the refresh
        token (or there is none), ``starting`` until then."""
        return self.tokens.state

    @property
    def routes(self) -> list[BaseRoute]:
        return [Route(WEBHOOK_PATH, self._webhook, methods=["POST"])]

    async def start(self) -> None:
        """Seed the token store, then get a token in the background (Zalo may be down)."""
        await self.tokens.seed_store()
        self._warming = asyncio.create_task(self._warm_up())

    async def stop(self) -> None:
        if self._warming is not None:
            self._warming.cancel()
            with suppress(asyncio.CancelledError):
                await self._warming
        await self.tokens.settle()
        await self.api.close()

    async def _warm_up(self) -> None:
        delay = START_RETRY
        while True:
            try:
                await self.tokens.access_token()
                log.info("Zalo OA channel is ready")
                return
            except (TokenRefused, NoRefreshToken) as error:
                log.error("Zalo channel has no access token (%s)", type(error).__name__)
                return
            except Unavailable as error:
                log.warning("Zalo is unreachable (%s); trying again in %.0f s", error, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, START_RETRY_MAX)

    async def _webhook(self, request: Request) -> Response:
        body = await request.body()
        if len(body) > MAX_BODY:
            return _refuse(413, "body too large")
        try:
            event = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            return _refuse(400, "body must be JSON")
        if not isinstance(event, dict):
            return _refuse(400, "body must be a JSON object")
        timestamp = str(event.get("timestamp", ""))
        if (str(event.get("app_id", "")) != self.config.app_id
                or not signature_ok(self.config, body, timestamp,
                                    request.headers.get(SIGNATURE_HEADER, ""))):
            log.warning("Zalo webhook call with a wrong signature refused")
            return _refuse(401, "bad signature")
        moment, now = event_time(event), self.clock.now()
        if moment is None or not now - MAX_AGE <= moment <= now + MAX_AHEAD:
            log.warning("Zalo webhook event with a stale timestamp refused")
            return _refuse(401, "stale timestamp")
        name = event.get("event_name")
        if name not in HANDLED:  # the OA's own echoes, delivery and seen receipts...
            return JSONResponse({"ok": True})
        user = sender_of(event)
        if user is None:
            return _refuse(400, "event without a sender")
        try:
            new = await self.inbox.accept(CHANNEL, event_key(event, user), user, event)
        except Exception:  # the database is down: Zalo retries later, nothing is lost
            log.exception("could not store a Zalo event")
            return _refuse(503, "try again later")
        if not new:
            log.info("Zalo redelivered an event (retry %s)", request.headers.get("num_retry"))
        return JSONResponse({"ok": True})


def _refuse(status: int, message: str) -> Response:
    body: dict[str, Any] = {"error": message}
    return JSONResponse(body, status_code=status)
