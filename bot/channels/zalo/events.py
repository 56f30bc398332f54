"""Zalo webhook events in, conversation turns out: the inbox handler of the Zalo channel.

Each stored event becomes one :class:`Incoming` for the conversation service, whose replies are
queued in the outbox in the turn's own transaction (the service is told to do so for
``zalo``). Every decision about guides stays the service's: this module only decides what an
event is (text, a pressed button, a typed number from a numbered list, a share code, a
sticker...) and keeps the reply quota's clock (a resident's message opens a new window).
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from bot.channels.zalo import texts
from bot.clock import Clock
from bot.conversation import STORED_TEXT, ConversationService
from bot.engine import payloads
from bot.engine.messages import Reply
from bot.outbox import Outbox, replies_body
from bot.privacy import mask
from bot.sharing import ShareCodes
from bot.storage.inbox import InboxEvent
from bot.storage.zalo import ZaloStore
from bot.turn_contract import Incoming

log = logging.getLogger(__name__)
CHANNEL = "zalo"

TEXT = "user_send_text"
FOLLOW, UNFOLLOW = "follow", "unfollow"
# What the engine hears for each kind of attachment (its friendly "I read text" answer).
UNSUPPORTED = {
    "user_send_image": "photo",
    "user_send_gif": "animation",
    "user_send_sticker": "sticker",
    "user_send_audio": "voice",
    "user_send_video": "video",
    "user_send_file": "document",
    "user_send_location": "location",
    "user_send_link": "link",
    "user_send_business_card": "contact",
}
HANDLED = frozenset({TEXT, FOLLOW, UNFOLLOW, *UNSUPPORTED})


def sender_of(event: dict[str, Any]) -> str | None:
    """The resident an event is about (``follower.id`` for follow/unfollow)."""
    holder = event.get("follower") if event.get("event_name") in (FOLLOW, UNFOLLOW) else None
    holder = holder or event.get("sender")
    user = holder.get("id") if isinstance(holder, dict) else None
    return str(user) if isinstance(user, str | int) and str(user).strip() else None


def event_time(event: dict[str, Any]) -> dt.datetime | None:
    """Zalo's ``timestamp`` (milliseconds, as a string or a number)."""
    raw = event.get("timestamp")
    try:
        return dt.datetime.fromtimestamp(int(str(raw)) / 1000, dt.UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def event_key(event: dict[str, Any], user: str) -> str:
    """Zalo redelivers an event unchanged: its ``msg_id`` (or, for follow events without
    one, the event's name, resident and time) identifies it."""
    message = event.get("message")
    msg_id = message.get("msg_id") if isinstance(message, dict) else None
    if isinstance(msg_id, str | int) and str(msg_id):
        return f"m:{msg_id}"[:96]
    return f"{event.get('event_name')}:{user}:{event.get('timestamp')}"[:96]


class ZaloEvents:
    def __init__(self, service: ConversationService, outbox: Outbox, store: ZaloStore,
                 codes: ShareCodes, clock: Clock) -> None:
        self.service = service
        self.outbox = outbox
        self.store = store
        self.codes = codes
        self.clock = clock

    async def handle(self, event: InboxEvent) -> None:
        body, user = event.body, event.sender
        name = body.get("event_name")
        if name == UNFOLLOW:
            log.info("a resident unfollowed the OA; marking inactive")
            await self.service.set_active(CHANNEL, user, False)
            await self.outbox.cancel(CHANNEL, user, "unfollowed")
            return
        # The resident just wrote: a new window of free replies, and what waited goes first.
        await self.store.resident_wrote(user, event_time(body) or self.clock.now())
        await self.outbox.release(CHANNEL, user)
        incoming = await self._incoming(str(name), body, user, event.key)
        if incoming is None:
            return
        replies = await self.service.handle(incoming)
        if replies is None:
            log.info("zalo event %d was handled before", event.id)
        self.outbox.wake(CHANNEL)

    def scrub(self, body: dict[str, Any]) -> dict[str, Any]:
        """The event as kept after processing: the text masked (attachment URLs stay, for
        later screen understanding)."""
        message = body.get("message")
        if not isinstance(message, dict) or not isinstance(message.get("text"), str):
            return body
        return {**body, "message": {**message, "text": mask(message["text"])[:STORED_TEXT]}}

    async def gave_up(self, event: InboxEvent) -> None:
        """Never silence: the resident hears that something went wrong."""
        await self.outbox.send(CHANNEL, event.sender, replies_body([Reply(texts.APOLOGY)]))

    async def _incoming(self, name: str, body: dict[str, Any], user: str,
                        key: str) -> Incoming | None:
        dedup = f"zalo.{key}"[:64]
        if name == FOLLOW:
            return Incoming(CHANNEL, user, text="/start", message_key=dedup)
        if name in UNSUPPORTED:
            return Incoming(CHANNEL, user, unsupported=UNSUPPORTED[name], message_key=dedup)
        message = body.get("message")
        text = message.get("text") if isinstance(message, dict) else None
        if not isinstance(text, str):
            text = ""
        stripped = text.strip()
        if payloads.parse(stripped) is not None:  # a pressed oa.query.hide button
            return Incoming(CHANNEL, user, payload=stripped, message_key=dedup)
        if stripped.isdigit() and len(stripped) <= 2:
            chosen = (await self.store.options(user)).get(str(int(stripped)))
            if chosen is not None:
                return Incoming(CHANNEL, user, payload=chosen, message_key=dedup)
        code = await self.codes.resolve(stripped) if len(stripped) <= 12 else None
        if code is not None:
            return Incoming(CHANNEL, user, text=code.start, message_key=dedup)
        return Incoming(CHANNEL, user, text=text, message_key=dedup)
