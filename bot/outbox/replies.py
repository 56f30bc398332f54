"""The engine's replies as outbox bodies: plain JSON every channel's sender can render."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from bot.engine.messages import Button, Reply


def replies_body(replies: Iterable[Reply], **extra: Any) -> dict[str, Any]:
    return {"replies": [reply.to_json() for reply in replies], **extra}


def replies_from_body(body: dict[str, Any]) -> list[Reply]:
    """The replies of a body written by :func:`replies_body`; malformed items are skipped."""
    replies = []
    for item in body.get("replies") or []:
        if not isinstance(item, dict) or not isinstance(item.get("text"), str):
            continue
        buttons = tuple(Button(str(b["label"]), str(b["payload"]))
                        for b in item.get("buttons") or []
                        if isinstance(b, dict) and b.get("label") and b.get("payload"))
        image = item.get("image")
        replies.append(Reply(item["text"], buttons, image if isinstance(image, str) else None))
    return replies
