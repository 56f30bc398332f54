"""Sending the engine's replies to one chat: text in pieces, photos, keyboards.

Only the last piece of a split text carries the keyboard, so the buttons stay under the words
they answer. Telegram errors propagate (the handler's error path logs them and apologises),
except a photo Telegram will not take: the step is still worth sending as text.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from pathlib import Path

from telegram import Bot, InlineKeyboardMarkup, InputFile, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.channels.telegram.markup import CAPTION_LIMIT, keyboard, split_text, to_html, units
from bot.channels.telegram.photos import PhotoCache
from bot.engine.messages import Reply

log = logging.getLogger(__name__)


class Renderer:
    def __init__(self, photos: PhotoCache) -> None:
        self.photos = photos

    async def send(self, bot: Bot, chat_id: int, replies: Sequence[Reply]) -> None:
        for reply in replies:
            await self.send_one(bot, chat_id, reply)

    async def send_one(
        self, bot: Bot, chat_id: int, reply: Reply, *, silent: bool = False
    ) -> Message | None:
        """Send one reply; the last message it took (the one carrying the buttons).
        ``silent``: no notification sound (a team group at night)."""
        markup = keyboard(reply.buttons)
        if reply.image:
            as_caption = units(reply.text) <= CAPTION_LIMIT
            sent = await self._send_photo(
                bot,
                chat_id,
                reply.image,
                reply.text if as_caption else None,
                markup if as_caption else None,
            )
            if sent is not None and as_caption:
                return sent
        pieces = split_text(reply.text)
        last = None
        for number, piece in enumerate(pieces, start=1):
            last = await bot.send_message(
                chat_id,
                to_html(piece),
                parse_mode=ParseMode.HTML,
                reply_markup=markup if number == len(pieces) else None,
                disable_notification=silent or None,
            )
        return last

    async def _send_photo(
        self,
        bot: Bot,
        chat_id: int,
        image: str,
        caption: str | None,
        markup: InlineKeyboardMarkup | None,
    ) -> Message | None:
        """Send a step's image; None when it could not be sent (the text follows anyway)."""
        source = self.photos.source(image)
        if source is None:
            return None
        photo = (
            InputFile(await asyncio.to_thread(source.read_bytes), filename=source.name)
            if isinstance(source, Path)
            else source
        )
        try:
            message = await bot.send_photo(
                chat_id,
                photo,
                caption=to_html(caption) if caption else None,
                parse_mode=ParseMode.HTML,
                reply_markup=markup,
            )
        except BadRequest as error:
            if self.photos.is_cached(image):
                log.warning(
                    "Telegram rejected the file id of %s (%s); uploading again",
                    image,
                    error.message,
                )
                self.photos.forget(image)
                return await self._send_photo(bot, chat_id, image, caption, markup)
            log.error("Telegram rejected step image %s: %s", image, error.message)
            return None
        self.photos.remember(image, message)
        return message
