"""The Telegram channel's outbox sender: messages decided outside an update (a team member's
answer to a resident, a ticket posted in a team's group, the group post's later edits).

A body is the outbox's replies (``{"replies": [...]}``), sent part by part with the same
rendering as answers to updates. ``"post": <id>`` marks a ticket's post in a team group: its
delivery (or refusal) is reported to the teams service, which only then tells the resident the
team has their question. ``"edit": <id>`` changes such a post (claimed, closed), found by the
message id recorded at its delivery; the outbox sends a group's messages in order, so the post
is always delivered before its edits.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from typing import Protocol

from telegram import Bot, Message
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
)
from telegram.ext import Application

from bot.channels.telegram.markup import keyboard, to_html
from bot.channels.telegram.render import Renderer
from bot.engine.messages import Reply
from bot.outbox import Delivered, Failed, Outcome, Progress, Retry, Unreachable, replies_from_body
from bot.storage.outbox import OutboxMessage

log = logging.getLogger(__name__)
CHANNEL = "telegram"
NOT_STARTED_WAIT = dt.timedelta(seconds=5)
_GONE = ("chat not found", "bot was kicked", "not a member", "group chat was deactivated")


class PostReceipts(Protocol):
    async def posted(self, post_id: int, message_id: int | None) -> None: ...

    async def failed(self, post_id: int, *, group_gone: bool = False) -> None: ...

    async def message_of(self, post_id: int) -> int | None: ...


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


class TelegramSender:
    channel = CHANNEL

    def __init__(self, application: Application,  # type: ignore[type-arg]
                 renderer: Renderer, receipts: PostReceipts | None = None) -> None:
        self.application = application
        self.renderer = renderer
        self.receipts = receipts
        self._starting = asyncio.Lock()

    async def _ready(self) -> bool:
        """The bot knows who it is (getMe). A worker that does not poll Telegram (another one
        holds the polling lease) initialises it here, to send."""
        async with self._starting:
            try:
                self.application.bot.id  # noqa: B018  (raises until getMe was done)
                return True
            except RuntimeError:
                pass
            try:
                await self.application.initialize()
            except (NetworkError, InvalidToken) as error:
                log.warning("Telegram sender not ready: %s", type(error).__name__)
                return False
            return True

    async def deliver(self, message: OutboxMessage, progress: Progress) -> Outcome:
        if not await self._ready():
            return Retry("Telegram is not reachable yet", after=NOT_STARTED_WAIT)
        bot = self.application.bot
        body = message.body
        post, edit = _int(body.get("post")), _int(body.get("edit"))
        try:
            chat = int(message.recipient)
        except ValueError:
            return Failed("not a Telegram chat id")
        replies = replies_from_body(body)
        try:
            if edit is not None and replies:
                await self._edit(bot, chat, edit, replies[0])
                return Delivered()
            sent: Message | None = None
            for index, reply in enumerate(replies):
                if index < message.progress:
                    continue
                sent = await self.renderer.send_one(bot, chat, reply,
                                                    silent=bool(body.get("silent")))
                await progress(index + 1)
        except RetryAfter as error:
            return Retry("flood control", after=_seconds(error.retry_after))
        except (Forbidden, ChatMigrated) as error:
            await self._failed(post, group_gone=True)
            return Unreachable(str(error))
        except BadRequest as error:
            gone = any(words in error.message.lower() for words in _GONE)
            await self._failed(post, group_gone=gone)
            return Unreachable(error.message) if gone else Failed(error.message)
        except NetworkError as error:
            return Retry(type(error).__name__)
        if post is not None and self.receipts is not None:
            await self.receipts.posted(post, sent.message_id if sent is not None else None)
        return Delivered()

    async def _failed(self, post: int | None, *, group_gone: bool) -> None:
        if post is not None and self.receipts is not None:
            await self.receipts.failed(post, group_gone=group_gone)

    async def _edit(self, bot: Bot, chat: int, post: int, reply: Reply) -> None:
        message_id = await self.receipts.message_of(post) if self.receipts else None
        if message_id is None:  # the post itself never arrived: the news goes as a message
            await self.renderer.send_one(bot, chat, reply)
            return
        try:
            await bot.edit_message_text(to_html(reply.text), chat_id=chat, message_id=message_id,
                                        parse_mode=ParseMode.HTML,
                                        reply_markup=keyboard(reply.buttons))
        except BadRequest as error:
            if "not modified" in error.message.lower():
                return
            if "not found" in error.message.lower():  # deleted by someone in the group
                await self.renderer.send_one(bot, chat, reply)
                return
            raise


def _seconds(value: int | dt.timedelta) -> dt.timedelta:
    return value if isinstance(value, dt.timedelta) else dt.timedelta(seconds=value)
