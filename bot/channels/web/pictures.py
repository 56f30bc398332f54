"""``POST /api/chat/image``: a picture of the resident's screen, read and answered like a
message.

Multipart with the fields ``user`` (the chat's id) and ``file`` (JPEG, PNG or WebP, up to
5 MB), optionally ``id`` (a retry with the same id is answered once). The picture is read in
memory and dropped; only its recognised text goes into the turn. Every refusal is a 4xx (or
a 503 while reading is unavailable) whose ``error`` is a sentence for the resident.
"""

from __future__ import annotations

import hashlib

from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.conversation import ConversationService
from bot.screenshots import MAX_BYTES, Problem, ScreenReader
from bot.screenshots.reader import ANSWERS
from bot.turn_contract import Incoming

PATH = "/api/chat/image"
MAX_ID = 64
STATUS = {Problem.too_big: 413, Problem.not_image: 415, Problem.corrupt: 422,
          Problem.timeout: 503, Problem.unreachable: 502, Problem.unavailable: 503,
          Problem.off: 503}
NOT_MULTIPART = "Bác gửi ảnh bằng nút 📎 trên trang trò chuyện nhé (trang gửi ảnh bị lỗi)."
NO_USER = "Trang trò chuyện gửi ảnh thiếu mã người dùng ạ. Bác tải lại trang rồi gửi lại nhé."
NO_FILE = "Cháu chưa nhận được ảnh nào ạ. Bác bấm nút 📎 rồi chọn một ảnh nhé."


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def _field(value: object) -> str | None:
    """A short printable text field, or None."""
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_ID:
        return None
    return None if any(ord(c) < 32 or 0xD800 <= ord(c) <= 0xDFFF for c in value) \
        else value.strip()


def picture_route(service: ConversationService, reader: ScreenReader) -> Route:
    async def chat_image(request: Request) -> Response:
        media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if media != "multipart/form-data":
            return _error(415, NOT_MULTIPART)
        try:
            form = await request.form(max_files=1, max_fields=4)
        except (MultiPartException, ValueError, KeyError):
            return _error(400, NOT_MULTIPART)
        try:
            user, upload = _field(form.get("user")), form.get("file")
            message_id = form.get("id")
            if user is None:
                return _error(400, NO_USER)
            if not isinstance(upload, UploadFile):
                return _error(400, NO_FILE)
            data = await upload.read(MAX_BYTES + 1)
        finally:
            await form.close()
        if len(data) > MAX_BYTES:
            return _error(413, ANSWERS[Problem.too_big])
        if not data:
            return _error(400, NO_FILE)
        read = await reader.read(data)
        del data  # the picture is never kept
        if read.problem is not None:
            return _error(STATUS[read.problem], ANSWERS[read.problem])
        key = None
        if _field(message_id) is not None:
            key = hashlib.sha256(f"{user}\n{message_id}".encode()).hexdigest()[:40]
        client = request.client.host if request.client else "unknown"
        result = await service.handle_turn(Incoming("web", user, text=read.text, picture=True,
                                                    message_key=key, client=client))
        if result is None:
            return JSONResponse({"messages": [], "guide": None})
        return JSONResponse({"messages": [r.to_json() for r in result.replies],
                             "guide": result.guide_json()})

    return Route(PATH, chat_image, methods=["POST"])
