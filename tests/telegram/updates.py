"""Telegram updates as the Bot API delivers them (JSON), numbered like Telegram numbers them."""

from __future__ import annotations

import itertools
import time
from typing import Any

from tests.telegram.fake_api import BOT_USER

RESIDENT = {"id": 555001, "is_bot": False, "first_name": "Bà Tư", "language_code": "vi"}
NEIGHBOUR = {"id": 555002, "is_bot": False, "first_name": "Ông Năm", "language_code": "vi"}
GROUP = {"id": -100777, "type": "supergroup", "title": "Tổ 3 thôn Đông"}


def private_chat(user: dict[str, Any]) -> dict[str, Any]:
    return {"id": user["id"], "type": "private", "first_name": user["first_name"]}


class Updates:
    def __init__(self, first_id: int = 9000) -> None:
        self._ids = itertools.count(first_id)
        self._message_ids = itertools.count(1)

    def _message(
        self, user: dict[str, Any], chat: dict[str, Any] | None, **content: Any
    ) -> dict[str, Any]:
        return {
            "update_id": next(self._ids),
            "message": {
                "message_id": next(self._message_ids),
                "date": int(time.time()),
                "from": user,
                "chat": chat or private_chat(user),
                **content,
            },
        }

    def text(
        self,
        text: str,
        user: dict[str, Any] = RESIDENT,
        chat: dict[str, Any] | None = None,
        reply_to_bot: bool = False,
        via_bot: bool = False,
    ) -> dict[str, Any]:
        content: dict[str, Any] = {"text": text}
        if via_bot:
            content["via_bot"] = BOT_USER
        if text.startswith("/"):
            length = len(text.split(maxsplit=1)[0])
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        if reply_to_bot:
            content["reply_to_message"] = {
                "message_id": 1,
                "date": int(time.time()),
                "from": BOT_USER,
                "chat": chat,
                "text": "…",
            }
        return self._message(user, chat, **content)

    def sticker(
        self, user: dict[str, Any] = RESIDENT, chat: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        return self._message(
            user,
            chat,
            sticker={
                "file_id": "st1",
                "file_unique_id": "ust1",
                "type": "regular",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
            },
        )

    def voice(self, user: dict[str, Any] = RESIDENT) -> dict[str, Any]:
        return self._message(
            user, None, voice={"file_id": "v1", "file_unique_id": "uv1", "duration": 4}
        )

    def photo(self, file_id: str, size: int, user: dict[str, Any] = RESIDENT,
              chat: dict[str, Any] | None = None) -> dict[str, Any]:
        """A photo, in the sizes Telegram makes of it (the last is the largest)."""
        sizes = [{"file_id": f"{file_id}-small", "file_unique_id": f"u{file_id}s", "width": 90,
                  "height": 180, "file_size": 2000},
                 {"file_id": file_id, "file_unique_id": f"u{file_id}", "width": 1080,
                  "height": 2160, "file_size": size}]
        return self._message(user, chat, photo=sizes)

    def document(self, file_id: str, size: int, mime_type: str,
                 user: dict[str, Any] = RESIDENT) -> dict[str, Any]:
        return self._message(user, None, document={
            "file_id": file_id, "file_unique_id": f"u{file_id}", "file_name": "anh.jpg",
            "mime_type": mime_type, "file_size": size})

    def location(self, user: dict[str, Any] = RESIDENT) -> dict[str, Any]:
        return self._message(user, None, location={"latitude": 21.0, "longitude": 105.8})

    def button(
        self, data: str, message: dict[str, Any], user: dict[str, Any] = RESIDENT
    ) -> dict[str, Any]:
        """A press of a button under ``message`` (a message the fake server returned)."""
        return {
            "update_id": next(self._ids),
            "callback_query": {
                "id": f"cq{next(self._message_ids)}",
                "from": user,
                "chat_instance": "ci1",
                "data": data,
                "message": message,
            },
        }

    def inline(
        self, query: str, offset: str = "", user: dict[str, Any] = RESIDENT
    ) -> dict[str, Any]:
        return {
            "update_id": next(self._ids),
            "inline_query": {
                "id": f"iq{next(self._message_ids)}",
                "from": user,
                "query": query,
                "offset": offset,
            },
        }

    def membership(self, status: str, user: dict[str, Any] = RESIDENT) -> dict[str, Any]:
        """The bot's own membership in a private chat changed: "kicked" when blocked."""
        old = {"user": BOT_USER, "status": "member"}
        new: dict[str, Any] = {"user": BOT_USER, "status": status}
        if status == "kicked":
            old, new = new | {"status": "member"}, new | {"until_date": 0}
        return {
            "update_id": next(self._ids),
            "my_chat_member": {
                "chat": private_chat(user),
                "from": user,
                "date": int(time.time()),
                "old_chat_member": old,
                "new_chat_member": new,
            },
        }
