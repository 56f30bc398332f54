"""What Telegram makes of a message's text: the visible text and its entities.

Modelled on the Bot API documentation and TDLib (which the Bot API server runs):
- HTML parse mode: only Telegram's tags; a text link (``<a href>``) must be an ``http(s)``
  URL whose host has a dot, or a ``tg://`` link, otherwise the whole message is refused
  ("entity URL '…' is invalid"); ``tel:`` is refused.
- Entities sent by the bot: only formatting types and text links are taken; ``url``,
  ``phone_number``, ``mention``… are found by Telegram itself and never taken from a bot.
- Telegram then finds web addresses itself (``url`` entities, like TDLib's ``find_entities``):
  with or without ``http(s)://``, the domain ending in a known top-level domain, trailing
  punctuation and unbalanced closing brackets left out, never inside ``code``/``pre`` or a
  text link.
Offsets and lengths are in UTF-16 code units, as Telegram counts them.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from typing import Any
from urllib.parse import urlsplit


class BadRequest(Exception):
    """Answered as Telegram answers a request it refuses: 400 and a description."""


TAGS = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline",
    "ins": "underline", "s": "strikethrough", "strike": "strikethrough",
    "del": "strikethrough", "a": "text_link", "code": "code", "pre": "pre",
    "tg-spoiler": "spoiler", "span": "spoiler", "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
FOUND_BY_TELEGRAM = {"mention", "hashtag", "cashtag", "bot_command", "url", "email",
                     "phone_number", "bank_card_number"}
NO_LINKS_INSIDE = {"code", "pre", "text_link"}
TOP_LEVEL_DOMAINS = {"vn", "com", "net", "org", "gov", "edu", "info", "io", "me", "app", "dev",
                     "ru", "uk", "de", "fr", "jp"}
_CANDIDATE = re.compile(
    r"(?<![\w@.])(?:(?:https?)://)?(?:[a-z0-9_-]+\.)+([a-z]{2,})(?::[0-9]{1,5})?"
    r"(?:[/?#][^\s<>\"«»]*)?",
    re.IGNORECASE,
)
_BAD_PATH_END = ".:;,('?!`"


def units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def check_link(url: str) -> None:
    scheme = url.split(":", 1)[0].lower() if ":" in url else ""
    if scheme == "tg":
        return
    if scheme not in ("http", "https") and scheme:
        raise BadRequest(f"Bad Request: entity URL '{url}' is invalid: Unsupported URL protocol")
    host = urlsplit(url if scheme else f"http://{url}").hostname or ""
    if "." not in host:
        raise BadRequest(f"Bad Request: entity URL '{url}' is invalid: Wrong HTTP URL")


def _from_html(text: str) -> tuple[str, list[dict[str, Any]]]:
    try:
        root = ET.fromstring(f"<root>{text}</root>")
    except ET.ParseError as error:
        raise BadRequest(f"Bad Request: can't parse entities: {error}") from error
    parts: list[str] = []
    entities: list[dict[str, Any]] = []

    def walk(element: ET.Element) -> None:
        if element.text:
            parts.append(element.text)
        for child in element:
            kind = TAGS.get(child.tag)
            if kind is None:
                raise BadRequest(f"Bad Request: can't parse entities: unsupported tag {child.tag}")
            start = units("".join(parts))
            walk(child)
            length = units("".join(parts)) - start
            entity: dict[str, Any] = {"type": kind, "offset": start, "length": length}
            if kind == "text_link":
                entity["url"] = child.get("href", "")
                check_link(entity["url"])
            if length:
                entities.append(entity)
            if child.tail:
                parts.append(child.tail)

    walk(root)
    return html.unescape("".join(parts)), entities


def _balanced(address: str) -> str:
    """Cut at the first closing bracket without its opening one, as TDLib's ``fix_url``."""
    depth = {")": 0, "]": 0, "}": 0}
    opening = {"(": ")", "[": "]", "{": "}"}
    for index, char in enumerate(address):
        if char in opening:
            depth[opening[char]] += 1
        elif char in depth:
            depth[char] -= 1
            if depth[char] < 0:
                return address[:index]
    return address


def _found_urls(text: str, taken: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``url`` entities for the web addresses Telegram finds in ``text`` by itself."""
    blocked = [(e["offset"], e["offset"] + e["length"]) for e in taken
               if e["type"] in NO_LINKS_INSIDE]
    found = []
    for match in _CANDIDATE.finditer(text):
        if match[1].lower() not in TOP_LEVEL_DOMAINS:
            continue
        address = _balanced(match.group()).rstrip(_BAD_PATH_END)
        start = units(text[:match.start()])
        end = start + units(address)
        if any(start < b and a < end for a, b in blocked):
            continue
        found.append({"type": "url", "offset": start, "length": end - start})
    return found


def parse(text: str, parse_mode: str | None,
          entities: list[dict[str, Any]] | None = None) -> tuple[str, list[dict[str, Any]]]:
    """The message as Telegram stores it: visible text and entities, sorted by offset."""
    if parse_mode == "HTML":
        visible, taken = _from_html(text)
    else:
        visible = text
        taken = [dict(e) for e in entities or [] if e.get("type") not in FOUND_BY_TELEGRAM]
        for entity in taken:
            if entity.get("type") == "text_link":
                check_link(str(entity.get("url", "")))
    everything = taken + _found_urls(visible, taken)
    return visible, sorted(everything, key=lambda e: (e["offset"], -e["length"]))


def covered(text: str, entities: list[dict[str, Any]], span: str, kind: str) -> bool:
    """Whether ``span`` (the first occurrence in ``text``) is exactly one entity of ``kind``."""
    index = text.find(span)
    if index < 0:
        return False
    start, length = units(text[:index]), units(span)
    return any(e["type"] == kind and e["offset"] == start and e["length"] == length
               for e in entities)
