"""Engine replies in Telegram's shape: HTML text, message-sized pieces, inline keyboards.

The engine writes ``**bold**``; Telegram's HTML parse mode is used because it only needs ``<``,
``>`` and ``&`` escaped (MarkdownV2 would need a dozen characters escaped in every guide).

Tappable details: Telegram makes web addresses tappable itself (its ``url`` entities), so they
are sent as plain text. Phone numbers cannot be linked by a bot: a text link must be an
``http(s)``/``tg`` URL (a ``tel:`` link makes Telegram refuse the whole message) and
``phone_number`` entities are only ever found by Telegram, never taken from a bot. Phone
numbers (:func:`bot.channels.links.find_links`) are therefore sent as ``code``, which the
Telegram apps copy with one tap, ready to paste into the phone's dialler.
Telegram counts message length in UTF-16 code units after entity parsing, so pieces are
measured on the text without the ``**`` markers' HTML expansion: the raw text is never shorter
than what Telegram counts.
"""

from __future__ import annotations

import html
import itertools
import logging
import re
from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import InlineKeyboardButtonLimit, MessageLimit

from bot.channels import split
from bot.channels.links import find_links
from bot.engine.messages import Button

log = logging.getLogger(__name__)

TEXT_LIMIT = MessageLimit.MAX_TEXT_LENGTH  # 4096
CAPTION_LIMIT = MessageLimit.CAPTION_LENGTH  # 1024
CALLBACK_LIMIT = InlineKeyboardButtonLimit.MAX_CALLBACK_DATA  # 64 bytes
PAIR_LABEL = 16  # two buttons share a row only when both labels are this short

_BOLD = re.compile(r"\*\*(.+?)\*\*")


def to_html(text: str) -> str:
    """``**bold**`` to ``<b>bold</b>``, phone numbers to ``<code>`` (never inside ``<b>``:
    Telegram does not nest code in other entities); everything else escaped."""
    runs: list[tuple[str, bool]] = []
    last = 0
    for match in _BOLD.finditer(text):
        runs += [(text[last:match.start()], False), (match[1], True)]
        last = match.end()
    runs.append((text[last:], False))
    plain = "".join(run for run, _ in runs)
    phones = [(link.start, link.end) for link in find_links(plain) if link.kind == "tel"]
    cuts = sorted({0, len(plain), *(edge for span in phones for edge in span)})
    out: list[str] = []
    offset = 0
    for run, bold in runs:
        end = offset + len(run)
        edges = [offset, *(c for c in cuts if offset < c < end), end]
        for start, stop in itertools.pairwise(edges):
            piece = html.escape(plain[start:stop], quote=False)
            if any(a <= start and stop <= b for a, b in phones):
                out.append(f"<code>{piece}</code>")
            elif piece:
                out.append(f"<b>{piece}</b>" if bold else piece)
        offset = end
    return "".join(out)


def units(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji counts as two)."""
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Pieces of at most ``limit`` units, cut between lines where possible."""
    return split.split_text(text, limit, units)


def keyboard(buttons: Sequence[Button]) -> InlineKeyboardMarkup | None:
    """Buttons as an inline keyboard: short labels two to a row, long ones alone.

    Payloads are the engine's short ids and become the callback data as they are; a payload
    over Telegram's 64 bytes would make the whole message fail, so that button is dropped
    and logged instead."""
    fitting = [b for b in buttons if 0 < len(b.payload.encode()) <= CALLBACK_LIMIT]
    for dropped in (b for b in buttons if b not in fitting):
        log.error(
            "button payload of %d bytes dropped (limit %d): %.20s...",
            len(dropped.payload.encode()),
            CALLBACK_LIMIT,
            dropped.payload,
        )
    rows: list[list[InlineKeyboardButton]] = []
    for button in fitting:
        key = InlineKeyboardButton(button.label, callback_data=button.payload)
        previous = rows[-1] if rows else None
        if (
            previous is not None
            and len(previous) == 1
            and len(button.label) <= PAIR_LABEL
            and len(previous[0].text) <= PAIR_LABEL
        ):
            previous.append(key)
        else:
            rows.append([key])
    return InlineKeyboardMarkup(rows) if rows else None
