"""Telegram updates in, engine replies out: each handler turns one kind of update into an
:class:`Incoming`, runs it through the conversation service and sends what comes back.

Every decision about guides is the service's; handlers only decide whether an update is meant
for the bot at all (groups), what to call it (``unsupported="voice"``) and where to answer.
"""

from __future__ import annotations

import logging
import re

from telegram import Bot, CallbackQuery, Message, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    ContextTypes,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

from bot.channels.telegram import inline, texts
from bot.channels.telegram.render import Renderer
from bot.conversation import ConversationService
from bot.metrics import SEND_ERRORS
from bot.turn_contract import Incoming

log = logging.getLogger(__name__)

CHANNEL = "telegram"
Context = ContextTypes.DEFAULT_TYPE

# What a message carries, checked in this order (an animation is also a document).
_KINDS = (
    "sticker",
    "voice",
    "audio",
    "video_note",
    "animation",
    "video",
    "photo",
    "document",
    "venue",
    "location",
    "contact",
    "poll",
    "dice",
)


def unsupported_kind(message: Message) -> str:
    return next((kind for kind in _KINDS if getattr(message, kind, None)), "other")


def _replies_to_bot(message: Message, bot: Bot) -> bool:
    replied = message.reply_to_message
    return replied is not None and replied.from_user is not None and replied.from_user.id == bot.id


def addressed_text(message: Message, bot: Bot) -> str | None:
    """The text meant for the bot, or None when a group message is for someone else.

    In a group the bot answers commands (``/menu`` or ``/menu@this_bot``), messages that
    mention it (the mention is removed) and replies to its own messages; the rest of the
    group's talk is not its business. A guide card posted through the bot's own inline mode
    is the bot's words, not a question."""
    text = message.text or ""
    if message.via_bot is not None and message.via_bot.id == bot.id:
        return None
    if message.chat.type == ChatType.PRIVATE:
        return text
    if text.startswith("/"):
        target = text.split(maxsplit=1)[0].partition("@")[2]
        return text if not target or target.lower() == bot.username.lower() else None
    mention = re.compile(rf"@{re.escape(bot.username)}\b", re.IGNORECASE)
    if mention.search(text):
        return mention.sub(" ", text).strip()
    return text if _replies_to_bot(message, bot) else None


class TelegramHandlers:
    def __init__(self, service: ConversationService, renderer: Renderer) -> None:
        self.service = service
        self.renderer = renderer

    def register(self, application: Application) -> None:  # type: ignore[type-arg]
        new_message = filters.UpdateType.MESSAGE
        application.add_handler(MessageHandler(new_message & filters.TEXT, self.on_text))
        application.add_handler(
            MessageHandler(new_message & ~filters.StatusUpdate.ALL, self.on_unsupported)
        )
        application.add_handler(CallbackQueryHandler(self.on_button))
        application.add_handler(InlineQueryHandler(self.on_inline_query))
        application.add_handler(
            ChatMemberHandler(self.on_membership, ChatMemberHandler.MY_CHAT_MEMBER)
        )
        application.add_error_handler(self.on_error)

    @staticmethod
    def _key(update: Update, bot: Bot) -> str:
        """The dedupe key: update ids are unique per bot, so a redelivery has the same key."""
        return f"tg{bot.id}.{update.update_id}"

    async def on_text(self, update: Update, context: Context) -> None:
        message, user = update.message, update.effective_user
        if message is None or user is None:
            return
        text = addressed_text(message, context.bot)
        if text is None:
            return
        await self._turn(
            update,
            context,
            Incoming(CHANNEL, str(user.id), text=text, message_key=self._key(update, context.bot)),
        )

    async def on_unsupported(self, update: Update, context: Context) -> None:
        """Stickers, voice notes, photos...: the engine answers what it can do instead."""
        message, user = update.message, update.effective_user
        if message is None or user is None:
            return
        if message.chat.type != ChatType.PRIVATE and not _replies_to_bot(message, context.bot):
            return
        await self._turn(
            update,
            context,
            Incoming(
                CHANNEL,
                str(user.id),
                unsupported=unsupported_kind(message),
                message_key=self._key(update, context.bot),
            ),
        )

    async def on_button(self, update: Update, context: Context) -> None:
        query = update.callback_query
        if query is None:
            return
        await _answer(query)
        if not query.data:
            return
        await self._turn(
            update,
            context,
            Incoming(
                CHANNEL,
                str(query.from_user.id),
                payload=query.data,
                message_key=self._key(update, context.bot),
            ),
            pressed=query,
        )

    async def on_inline_query(self, update: Update, context: Context) -> None:
        query = update.inline_query
        if query is None:
            return
        # The catalog served now: a guide published in the console is found at once.
        found = inline.search(self.service.engine.catalog, query.query)
        flows, next_offset = inline.page(found, query.offset)
        await query.answer(
            [inline.article(flow, context.bot.username) for flow in flows],
            cache_time=inline.CACHE_SECONDS,
            next_offset=next_offset,
        )

    async def on_membership(self, update: Update, _: Context) -> None:
        """Telegram reports a resident blocking (or unblocking) the bot in a private chat,
        so they are marked inactive before any message to them fails."""
        change = update.my_chat_member
        if change is None or change.chat.type != ChatType.PRIVATE:
            return
        blocked = change.new_chat_member.status == ChatMemberStatus.BANNED
        log.info(
            "resident %s the bot (update %d)",
            "blocked" if blocked else "unblocked",
            update.update_id,
        )
        await self.service.set_active(CHANNEL, str(change.from_user.id), not blocked)

    async def _turn(
        self,
        update: Update,
        context: Context,
        incoming: Incoming,
        pressed: CallbackQuery | None = None,
    ) -> None:
        replies = await self.service.handle(incoming)
        if replies is None:
            log.info("update %d is a redelivery; already answered", update.update_id)
            return
        if pressed is not None:
            await _remove_keyboard(pressed)
        chat = update.effective_chat
        await self.renderer.send(context.bot, chat.id if chat else int(incoming.user_id), replies)

    async def on_error(self, update: object, context: Context) -> None:
        """Log with context (never the resident's words), then apologise: never silence.

        A 403 from a private chat means the resident blocked the bot: they are marked
        inactive and nobody is there to apologise to."""
        error = context.error
        if isinstance(error, TelegramError):
            SEND_ERRORS.labels("telegram", type(error).__name__).inc()
        if not isinstance(update, Update):
            log.error("Telegram error outside an update", exc_info=error)
            return
        chat, user = update.effective_chat, update.effective_user
        if isinstance(error, Forbidden):
            if chat is not None and chat.type == ChatType.PRIVATE and user is not None:
                log.info("resident blocked the bot (update %d); marking inactive", update.update_id)
                await self.service.set_active(CHANNEL, str(user.id), False)
            else:
                log.warning(
                    "Telegram refused to post for update %d: %s", update.update_id, error.message
                )
            return
        log.error(
            "Telegram update %d (%s) failed", update.update_id, _update_kind(update), exc_info=error
        )
        if chat is None:
            return  # an inline query: there is no chat to answer in
        try:
            await context.bot.send_message(chat.id, texts.APOLOGY)
        except TelegramError as again:
            log.error("apology for update %d failed too: %s", update.update_id, again)


def _update_kind(update: Update) -> str:
    if update.callback_query:
        return "button"
    if update.inline_query:
        return "inline query"
    if update.message:
        return "text" if update.message.text else unsupported_kind(update.message)
    return "other"


async def _answer(query: CallbackQuery) -> None:
    """Stop the button's spinner. A query answered before (a redelivery) or too old is no
    reason to stop the turn."""
    try:
        await query.answer()
    except BadRequest as error:
        log.info("could not answer a button press: %s", error.message)


async def _remove_keyboard(query: CallbackQuery) -> None:
    """Take the buttons off the pressed message, so old buttons do not linger under the chat."""
    if not isinstance(query.message, Message) or query.message.reply_markup is None:
        return
    try:
        await query.edit_message_reply_markup(reply_markup=None)
    except BadRequest as error:
        log.info("could not remove a pressed keyboard: %s", error.message)
