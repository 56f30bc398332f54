"""The Zalo channel's outbox sender: renders a queued turn and sends it part by part.

Each part spends one of the OA's free replies: 8 within 48 hours of the resident's last
message, counted here in the database (``zalo_recipients``) because the outbox may send after
a restart or from another worker. The last reply the quota allows carries a note asking the
resident to write again; a part the quota does not allow is held until they do (the inbox
handler releases it). Access-token trouble (-216) is refreshed once and the part resent;
Zalo down or 5xx is retried by the outbox with backoff, in order.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import logging
import mimetypes
import time
from pathlib import Path
from typing import Any

from bot.channels.zalo import api as zalo_api
from bot.channels.zalo import texts
from bot.channels.zalo.api import Answer, TokenRefused, Unavailable, ZaloAPI
from bot.channels.zalo.render import Part, render, with_note
from bot.channels.zalo.tokens import NoRefreshToken, TokenManager
from bot.clock import Clock
from bot.conversation import ConversationService
from bot.outbox import (
    Delivered,
    Failed,
    Hold,
    Outcome,
    Progress,
    Retry,
    Unreachable,
    replies_from_body,
)
from bot.storage.outbox import OutboxMessage
from bot.storage.zalo import ZaloStore

log = logging.getLogger(__name__)

CHANNEL = "zalo"
FREE_REPLIES = 8
WINDOW = dt.timedelta(hours=48)
MAX_IMAGE_BYTES = 1024 * 1024
TOKEN_TROUBLE_WAIT = dt.timedelta(minutes=5)
RATE_LIMIT_WAIT = dt.timedelta(minutes=1)


class Pace:
    """Outgoing requests spaced at most ``per_second`` per second, across recipients."""

    def __init__(self, per_second: float) -> None:
        self.interval = 1.0 / per_second
        self._next = 0.0
        self._lock = asyncio.Lock()

    async def wait(self) -> None:
        async with self._lock:
            now = time.monotonic()
            if self._next > now:
                await asyncio.sleep(self._next - now)
            self._next = max(now, self._next) + self.interval


def zalo_message(user_id: str, part: Part, media: dict[str, str] | None) -> dict[str, Any]:
    message: dict[str, Any] = {}
    if part.text:
        message["text"] = part.text
    if media is not None:
        message["attachment"] = {"type": "template", "payload": {
            "template_type": "media", "elements": [{"media_type": "image", **media}]}}
    elif part.buttons:
        message["attachment"] = {"type": "template", "payload": {"buttons": [
            {"type": "oa.query.hide", "title": b.label, "payload": b.payload}
            for b in part.buttons]}}
    return {"recipient": {"user_id": user_id}, "message": message}


class ZaloSender:
    channel = CHANNEL

    def __init__(self, api: ZaloAPI, tokens: TokenManager, store: ZaloStore,
                 residents: ConversationService, clock: Clock, images_dir: Path, *,
                 per_second: float = 10.0) -> None:
        self.api = api
        self.tokens = tokens
        self.store = store
        self.residents = residents
        self.clock = clock
        self.images_dir = images_dir.resolve()
        self.pace = Pace(per_second)

    async def deliver(self, message: OutboxMessage, progress: Progress) -> Outcome:
        user = message.recipient
        rendered = render(replies_from_body(message.body))
        if message.progress == 0:
            await self.store.set_options(user, rendered.options)
        try:
            for index in range(message.progress, len(rendered.parts)):
                outcome = await self._deliver_part(user, rendered.parts[index])
                if outcome is not None:
                    return outcome
                if not await progress(index + 1):
                    return Retry("lease lost")  # another worker owns it now
        except Unavailable as error:
            return Retry(f"Zalo unavailable: {error}")
        except (TokenRefused, NoRefreshToken) as error:
            return Retry(f"no access token: {type(error).__name__}", after=TOKEN_TROUBLE_WAIT)
        return Delivered()

    async def _deliver_part(self, user: str, part: Part) -> Outcome | None:
        """Send one part; None when it was sent (or skipped: an image that cannot be)."""
        quota = await self.store.quota(user)
        now = self.clock.now()
        if quota.last_inbound_at is None or now >= quota.last_inbound_at + WINDOW:
            return Hold("outside the 48-hour reply window")
        if quota.replies_used >= FREE_REPLIES:
            return Hold("free replies used up")
        if quota.replies_used == FREE_REPLIES - 1:
            part = with_note(part, texts.QUOTA_NOTE)
        media: dict[str, str] | None = None
        if part.image:
            media = await self._media(part.image)
            if media is None:
                return None  # the step still makes sense in words
        answer = await self._post(zalo_message(user, part, media))
        if answer.ok:
            await self.store.count_reply(user)
            return None
        return await self._refused(user, answer)

    async def _refused(self, user: str, answer: Answer) -> Outcome:
        error = f"Zalo error {answer.error}: {answer.message}"
        if answer.error in zalo_api.NOT_FOLLOWING:
            await self.residents.set_active(CHANNEL, user, False)
            return Unreachable(error)
        if answer.error in zalo_api.OUTSIDE_WINDOW:
            return Hold(error)
        if answer.error in zalo_api.RATE_LIMITED:
            return Retry(error, after=RATE_LIMIT_WAIT)
        if answer.error in zalo_api.TOKEN_INVALID:
            return Retry(error)  # refused even after a refresh
        return Failed(error)

    async def _post(self, body: dict[str, Any]) -> Answer:
        token = await self.tokens.access_token()
        await self.pace.wait()
        answer = await self.api.send(token, body)
        if answer.error in zalo_api.TOKEN_INVALID:
            token = await self.tokens.refresh(failed=token)
            await self.pace.wait()
            answer = await self.api.send(token, body)
        return answer

    async def _media(self, image: str) -> dict[str, str] | None:
        """How to show a step image: its URL, or the attachment id of its one upload."""
        if image.startswith(("https://", "http://")):
            return {"url": image}
        path = (self.images_dir / image).resolve()
        if not path.is_relative_to(self.images_dir) or not path.is_file():
            log.error("step image not found under %s: %s", self.images_dir, image)
            return None
        content = await asyncio.to_thread(path.read_bytes)
        if len(content) > MAX_IMAGE_BYTES:
            log.error("step image %s is over Zalo's 1 MB: sent as text only", image)
            return None
        digest = hashlib.sha256(content).hexdigest()
        known = await self.store.attachment(image, digest)
        if known is not None:
            return {"attachment_id": known}
        mime = mimetypes.guess_type(path.name)[0] or "image/png"
        token = await self.tokens.access_token()
        answer = await self.api.upload_image(token, path.name, content, mime)
        if answer.error in zalo_api.TOKEN_INVALID:
            token = await self.tokens.refresh(failed=token)
            answer = await self.api.upload_image(token, path.name, content, mime)
        attachment = answer.data.get("attachment_id")
        if not answer.ok or not isinstance(attachment, str) or not attachment:
            log.error("Zalo refused step image %s (error %d)", image, answer.error)
            return None
        await self.store.save_attachment(image, digest, attachment, self.clock.now())
        return {"attachment_id": attachment}
