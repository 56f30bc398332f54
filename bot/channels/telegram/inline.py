"""Inline mode: ``@bot vneid`` in any chat lists guides; choosing one posts a card whose button
opens the guide in a private chat with the bot (``t.me/<bot>?start=<flow_id>``).

This is how team members hand a guide to a resident: the card lands in the resident's chat,
and one tap starts the guide at step 1 (the engine handles ``/start <flow_id>``).
"""

from __future__ import annotations

from html import escape

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
)
from telegram.constants import InlineQueryLimit, ParseMode
from telegram.helpers import create_deep_linked_url

from bot.channels.telegram import texts
from bot.engine.catalog import Catalog
from bot.flowspec.model import Flow
from bot.text import fold, fold_words

PAGE = InlineQueryLimit.RESULTS  # 50
CACHE_SECONDS = 300


def search(catalog: Catalog, query: str) -> list[Flow]:
    """Guides whose title, id or keywords contain every word of the query, without caring
    about case or diacritics ("cai vneid" finds "Cài ứng dụng VNeID"). Title matches first;
    an empty query lists every guide."""
    words = fold_words(query)
    in_title: list[Flow] = []
    elsewhere: list[Flow] = []
    for compiled in catalog.flows.values():
        flow = compiled.flow
        title = fold(flow.title)
        haystack = " ".join([title, fold(flow.id), *(fold(k) for k in flow.keywords)])
        if all(word in title for word in words):
            in_title.append(flow)
        elif all(word in haystack for word in words):
            elsewhere.append(flow)
    return sorted(in_title, key=lambda f: f.title) + sorted(elsewhere, key=lambda f: f.title)


def page(flows: list[Flow], offset: str) -> tuple[list[Flow], str]:
    """One page of results and the ``next_offset`` Telegram sends back for the next one."""
    start = int(offset) if offset.isdigit() else 0
    end = start + PAGE
    return flows[start:end], str(end) if end < len(flows) else ""


def article(flow: Flow, bot_username: str) -> InlineQueryResultArticle:
    link = create_deep_linked_url(bot_username, flow.id)
    card = texts.INLINE_CARD.format(title=escape(flow.title), summary=escape(flow.summary))
    return InlineQueryResultArticle(
        id=flow.id,
        title=flow.title,
        description=flow.summary,
        input_message_content=InputTextMessageContent(card, parse_mode=ParseMode.HTML),
        reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton(texts.INLINE_OPEN, url=link)]]),
    )
