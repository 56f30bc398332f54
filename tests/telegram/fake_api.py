"""A fake Telegram Bot API server for tests, served on loopback by uvicorn.

python-telegram-bot talks to it over real HTTP (``HTTPXRequest``), exactly as it talks to
api.telegram.org. It keeps Telegram's limits that the channel must respect (4,096 characters
of text, 1,024 of caption, 64 bytes of callback data, 50 inline results, well-formed HTML,
valid text links), answers with the entities Telegram would store (``fake_entities``), records
every call, feeds ``getUpdates`` from a queue, and fails chosen calls on demand (429 with
``retry_after``, 403 blocked, 500).
"""

from __future__ import annotations

import asyncio
import email.parser
import email.policy
import json
import re
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.telegram.fake_entities import BadRequest, parse, units

TOKEN = "7000001:TEST-token_for-digiguide"
BOT_USER = {
    "id": 7000001,
    "is_bot": True,
    "first_name": "DigiGuide",
    "username": "digiguide_test_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": True,
}
JSON_FIELDS = {
    "reply_markup",
    "results",
    "commands",
    "allowed_updates",
    "scope",
    "button",
    "entities",
    "caption_entities",
    "link_preview_options",
    "reply_parameters",
}
COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    files: dict[str, bytes] = field(default_factory=dict)
    failed: bool = False
    result: Any = None  # what the fake answered (the Message, for sends)


def _visible(text: str, parse_mode: str | None) -> str:
    """The text after entity parsing; refuses HTML Telegram would refuse."""
    return parse(text, parse_mode)[0]


def _check_markup(markup: Any) -> None:
    if markup is None:
        return
    rows = markup.get("inline_keyboard")
    if not isinstance(rows, list) or sum(len(r) for r in rows) > 100:
        raise BadRequest("Bad Request: invalid reply markup")
    for row in rows:
        if not row or len(row) > 8:
            raise BadRequest("Bad Request: invalid inline keyboard row")
        for button in row:
            if not button.get("text"):
                raise BadRequest("Bad Request: button text must be non-empty")
            data, url = button.get("callback_data"), button.get("url")
            if data is not None and not 1 <= len(data.encode()) <= 64:
                raise BadRequest("Bad Request: BUTTON_DATA_INVALID")
            if url is not None and not url.startswith(("https://", "http://", "tg://")):
                raise BadRequest("Bad Request: BUTTON_URL_INVALID")
            if data is None and url is None:
                raise BadRequest("Bad Request: button has no action")


class FakeBotAPI:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.base_url = ""
        self._pending: list[dict[str, Any]] = []
        self._faults: dict[str, list[tuple[int, str, int | None]]] = {}
        self._changed = asyncio.Condition()
        self._message_id = 100
        self._file_number = 0
        self.downloads: dict[str, bytes] = {}  # file_id -> what getFile's file holds
        self.app = Starlette(
            routes=[
                Route("/bot{token}/{method}", self._endpoint, methods=["GET", "POST"]),
                Route("/file/bot{token}/{path:path}", self._file, methods=["GET"]),
            ]
        )

    # ------------------------------------------------------------------ test controls
    def queue_update(self, update: dict[str, Any]) -> None:
        """An update for ``getUpdates`` (long polling) to deliver."""
        self._pending.append(update)

    def fail(
        self, method: str, status: int, description: str, retry_after: int | None = None
    ) -> None:
        """Fail the next call of ``method`` once, the way Telegram would."""
        self._faults.setdefault(method, []).append((status, description, retry_after))

    def made(self, method: str, *, ok_only: bool = True) -> list[Call]:
        return [c for c in self.calls if c.method == method and not (ok_only and c.failed)]

    def sent(self) -> list[Call]:
        """Messages and photos delivered, in order."""
        return [c for c in self.calls if c.method in ("sendMessage", "sendPhoto") and not c.failed]

    async def wait_for(self, method: str, count: int = 1, deadline: float = 15.0) -> list[Call]:
        """Wait until ``count`` successful calls of ``method`` were made (a deadline only
        against hanging forever; no test asserts on time)."""

        async def enough() -> None:
            async with self._changed:
                await self._changed.wait_for(lambda: len(self.made(method)) >= count)

        try:
            await asyncio.wait_for(enough(), deadline)
        except TimeoutError:
            raise AssertionError(
                f"{method} called {len(self.made(method))} times, "
                f"expected {count}: {[c.method for c in self.calls]}"
            ) from None
        return self.made(method)

    def offer_file(self, file_id: str, data: bytes) -> None:
        """A file residents sent (a photo, a document) that getFile and the download serve."""
        self.downloads[file_id] = data

    # ------------------------------------------------------------------ HTTP
    async def _file(self, request: Request) -> Response:
        if request.path_params["token"] != TOKEN:
            return Response(status_code=401)
        file_id = request.path_params["path"].removeprefix("photos/")
        data = self.downloads.get(file_id)
        return Response(status_code=404) if data is None else Response(data)

    async def _endpoint(self, request: Request) -> JSONResponse:
        if request.path_params["token"] != TOKEN:
            return JSONResponse(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status_code=401
            )
        method = request.path_params["method"]
        params, files = await _parse(request)
        call = Call(method, params, files)
        async with self._changed:
            self.calls.append(call)
            faults = self._faults.get(method)
            if faults:
                status, description, retry_after = faults.pop(0)
                call.failed = True
                body: dict[str, Any] = {
                    "ok": False,
                    "error_code": status,
                    "description": description,
                }
                if retry_after is not None:
                    body["parameters"] = {"retry_after": retry_after}
                return JSONResponse(body, status_code=status)
        try:
            if method == "getUpdates":
                result = await self._get_updates(params)
            else:
                result = self._answer(method, params, files)
        except BadRequest as error:
            call.failed = True
            reply = JSONResponse(
                {"ok": False, "error_code": 400, "description": str(error)}, status_code=400
            )
        else:
            call.result = result
            reply = JSONResponse({"ok": True, "result": result})
        async with self._changed:
            self._changed.notify_all()
        return reply

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset", 0))
        self._pending = [u for u in self._pending if u["update_id"] >= offset]
        waited = 0.0
        limit = min(float(params.get("timeout", 0)), 0.5)
        while not self._pending and waited < limit:  # long polling, kept short for tests
            await asyncio.sleep(0.02)
            waited += 0.02
        return list(self._pending)

    def _answer(self, method: str, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        if method == "getMe":
            return BOT_USER
        if method == "getFile":
            file_id = str(params.get("file_id", ""))
            if file_id not in self.downloads:
                raise BadRequest("Bad Request: invalid file_id")
            return {"file_id": file_id, "file_unique_id": f"u{file_id}",
                    "file_size": len(self.downloads[file_id]), "file_path": f"photos/{file_id}"}
        if method in ("deleteWebhook", "setWebhook", "answerCallbackQuery"):
            return True
        if method == "setMyCommands":
            for command in params["commands"]:
                if not COMMAND.match(command["command"]) or not command["description"]:
                    raise BadRequest("Bad Request: BOT_COMMAND_INVALID")
            return True
        if method == "answerInlineQuery":
            results = params["results"]
            ids = [r["id"] for r in results]
            if len(results) > 50 or len(set(ids)) != len(ids):
                raise BadRequest("Bad Request: RESULTS_TOO_MUCH or duplicate ids")
            for result in results:
                _check_markup(result.get("reply_markup"))
                content = result["input_message_content"]
                _visible(content["message_text"], content.get("parse_mode"))
            return True
        if method == "sendMessage":
            text, entities = parse(params.get("text", ""), params.get("parse_mode"),
                                   params.get("entities"))
            if not text.strip():
                raise BadRequest("Bad Request: message text is empty")
            if units(text) > 4096:
                raise BadRequest("Bad Request: message is too long")
            _check_markup(params.get("reply_markup"))
            return self._message(params, text=text, **({"entities": entities} if entities else {}))
        if method == "sendPhoto":
            caption, entities = parse(params.get("caption", ""), params.get("parse_mode"),
                                      params.get("caption_entities"))
            if units(caption) > 1024:
                raise BadRequest("Bad Request: message caption is too long")
            _check_markup(params.get("reply_markup"))
            photo = params.get("photo", "")
            if "photo" not in files and not str(photo).startswith(("file-", "http")):
                raise BadRequest("Bad Request: wrong file identifier/HTTP URL specified")
            if "photo" in files:
                self._file_number += 1
                photo = f"file-{self._file_number}"
            return self._message(
                params,
                caption=caption,
                **({"caption_entities": entities} if entities else {}),
                photo=[
                    {"file_id": photo, "file_unique_id": f"u{photo}", "width": 640, "height": 480}
                ],
            )
        if method == "editMessageText":
            text, entities = parse(params.get("text", ""), params.get("parse_mode"),
                                   params.get("entities"))
            if not text.strip() or units(text) > 4096:
                raise BadRequest("Bad Request: message text is empty or too long")
            _check_markup(params.get("reply_markup"))
            return self._message(params, message_id=int(params["message_id"]), text=text,
                                 **({"entities": entities} if entities else {}))
        if method == "editMessageReplyMarkup":
            _check_markup(params.get("reply_markup"))
            return self._message(params, message_id=int(params["message_id"]), text="…")
        raise BadRequest(f"Bad Request: method {method} is not faked")

    def _message(
        self, params: dict[str, Any], message_id: int | None = None, **content: Any
    ) -> dict[str, Any]:
        if message_id is None:
            self._message_id += 1
            message_id = self._message_id
        chat_id = int(params["chat_id"])
        message = {
            "message_id": message_id,
            "date": int(time.time()),
            "from": BOT_USER,
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"},
            **content,
        }
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        return message


async def _parse(request: Request) -> tuple[dict[str, Any], dict[str, bytes]]:
    """PTB posts form fields (JSON-encoded when not strings), multipart when uploading."""
    body = await request.body()
    content_type = request.headers.get("content-type", "")
    fields: dict[str, str] = {}
    files: dict[str, bytes] = {}
    if content_type.startswith("multipart/form-data"):
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body
        )
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True)
            if part.get_filename():
                files[str(name)] = payload
            else:
                fields[str(name)] = payload.decode()
    elif body:
        fields = dict(parse_qsl(body.decode(), keep_blank_values=True))
    params = {k: json.loads(v) if k in JSON_FIELDS else v for k, v in fields.items()}
    return params, files
