"""A fake Zalo OA API for tests, served on loopback by uvicorn, plus a webhook client that
signs events the way Zalo does.

The channel talks to it over real HTTP (httpx), exactly as to openapi.zalo.me and
oauth.zaloapp.com. It keeps the rules the channel must respect: single-use refresh tokens,
access tokens that can be expired on demand (-216), 2,000 characters per text, at most 5
buttons, ``oa.query.hide`` payloads, and the reply quota (8 replies within 48 hours of the
resident's last message; a reply beyond it is refused and recorded as a violation). Chosen
sends fail on demand (HTTP 500, or an error code for one resident).
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import email.parser
import email.policy
import hashlib
import itertools
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.clock import ManualClock

APP_ID = "1234567890123456789"
APP_SECRET = "app-secret-for-tests"
OA_SECRET = "oa-secret-for-tests"
OA_ID = "4321987654321"
FIRST_REFRESH = "rt-initial"
QUOTA, WINDOW = 8, dt.timedelta(hours=48)


@dataclass
class Sent:
    user: str
    message: dict[str, Any]

    @property
    def text(self) -> str:
        return str(self.message.get("text", ""))

    @property
    def buttons(self) -> list[dict[str, Any]]:
        attachment = self.message.get("attachment") or {}
        return list((attachment.get("payload") or {}).get("buttons") or [])

    @property
    def image(self) -> dict[str, Any] | None:
        attachment = self.message.get("attachment") or {}
        elements = (attachment.get("payload") or {}).get("elements") or []
        return elements[0] if elements else None


@dataclass
class FakeZalo:
    clock: ManualClock
    base_url: str = ""
    refresh_tokens: set[str] = field(default_factory=lambda: {FIRST_REFRESH})
    access_tokens: set[str] = field(default_factory=set)
    refreshes: int = 0
    codes: dict[str, str] = field(default_factory=dict)  # permission code -> code_challenge
    token_delay: float = 0.0
    expires_in: int = 90000
    sent: list[Sent] = field(default_factory=list)
    uploads: int = 0
    violations: list[str] = field(default_factory=list)
    fail_next: list[int] = field(default_factory=list)  # HTTP statuses for the next sends
    user_errors: dict[str, int] = field(default_factory=dict)  # user -> Zalo error code
    files: dict[str, bytes] = field(default_factory=dict)  # residents' pictures, by name
    _wrote: dict[str, dt.datetime] = field(default_factory=dict)
    _used: dict[str, int] = field(default_factory=dict)
    _counter: int = 0

    @property
    def app(self) -> Starlette:
        return Starlette(routes=[
            Route("/v4/oa/access_token", self._token, methods=["POST"]),
            Route("/v3.0/oa/message/cs", self._send, methods=["POST"]),
            Route("/v2.0/oa/upload/image", self._upload, methods=["POST"]),
            Route("/files/{name}", self._file, methods=["GET"]),
        ])

    def picture_url(self, name: str, data: bytes) -> str:
        """Where Zalo's CDN serves a picture a resident sent (the URL in the event)."""
        self.files[name] = data
        return f"{self.base_url}/files/{name}"

    async def _file(self, request: Request) -> Response:
        data = self.files.get(request.path_params["name"])
        return Response(status_code=404) if data is None else Response(
            data, media_type="image/jpeg")

    def user_wrote(self, user: str, at: dt.datetime) -> None:
        self._wrote[user] = at
        self._used[user] = 0

    def expire_access_tokens(self) -> None:
        self.access_tokens.clear()

    def sent_to(self, user: str) -> list[Sent]:
        return [s for s in self.sent if s.user == user]

    def _next(self, prefix: str) -> str:
        self._counter += 1
        return f"{prefix}-{self._counter}"

    async def _token(self, request: Request) -> Response:
        form = dict(parse_qsl((await request.body()).decode(), keep_blank_values=True))
        if request.headers.get("secret_key") != APP_SECRET or form.get("app_id") != APP_ID:
            return JSONResponse({"error": -14002, "error_name": "Invalid app"})
        if form.get("grant_type") == "authorization_code":
            return self._grant_code(form)
        token = str(form.get("refresh_token", ""))
        if self.token_delay:
            await asyncio.sleep(self.token_delay)
        if form.get("grant_type") != "refresh_token" or token not in self.refresh_tokens:
            self.violations.append("refresh token used twice or unknown")
            return JSONResponse({"error": -14014, "error_name": "Invalid refresh token"})
        self.refresh_tokens.discard(token)  # single use
        self.refreshes += 1
        return self._issue()

    def _grant_code(self, form: dict[str, str]) -> Response:
        challenge = self.codes.pop(form.get("code", ""), None)
        verifier = form.get("code_verifier", "")
        digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
        if challenge is None or digest.decode().rstrip("=") != challenge:
            return JSONResponse({"error": -14019, "error_name": "Invalid code"})
        return self._issue()

    def _issue(self) -> Response:
        access, refresh = self._next("at"), self._next("rt")
        self.access_tokens.add(access)
        self.refresh_tokens.add(refresh)
        return JSONResponse({"access_token": access, "refresh_token": refresh,
                             "expires_in": str(self.expires_in)})

    def _check_token(self, request: Request) -> JSONResponse | None:
        if request.headers.get("access_token") not in self.access_tokens:
            return JSONResponse({"error": -216, "message": "Access token is invalid"})
        return None

    async def _send(self, request: Request) -> Response:
        if self.fail_next:
            return Response(status_code=self.fail_next.pop(0))
        refused = self._check_token(request)
        if refused is not None:
            return refused
        body = await request.json()
        user = str(body["recipient"]["user_id"])
        message = body["message"]
        problem = _malformed(message)
        if problem:
            self.violations.append(problem)
            return JSONResponse({"error": -201, "message": problem})
        if user in self.user_errors:
            return JSONResponse({"error": self.user_errors[user], "message": "refused"})
        wrote = self._wrote.get(user)
        if wrote is None or self.clock.now() >= wrote + WINDOW or self._used.get(user, 0) >= QUOTA:
            self.violations.append(f"reply to {user} beyond the quota")
            return JSONResponse({"error": -230, "message": "no interaction"})
        self._used[user] = self._used.get(user, 0) + 1
        self.sent.append(Sent(user, message))
        return JSONResponse({"error": 0, "message": "Success",
                             "data": {"message_id": self._next("mid"), "user_id": user}})

    async def _upload(self, request: Request) -> Response:
        refused = self._check_token(request)
        if refused is not None:
            return refused
        content_type = request.headers.get("content-type", "")
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + await request.body())
        files = {part.get_param("name", header="content-disposition"): part.get_payload(
            decode=True) for part in message.iter_parts() if part.get_filename()}
        if not files.get("file"):
            return JSONResponse({"error": -201, "message": "no file"})
        self.uploads += 1
        return JSONResponse({"error": 0, "data": {"attachment_id": self._next("att")}})


def _malformed(message: dict[str, Any]) -> str | None:
    text = message.get("text")
    if text is not None and (not isinstance(text, str) or len(text) > 2000):
        return "text over 2,000 characters"
    attachment = message.get("attachment")
    if text is None and attachment is None:
        return "empty message"
    if attachment is not None:
        payload = attachment.get("payload") or {}
        buttons = payload.get("buttons")
        if buttons is not None:
            if not 1 <= len(buttons) <= 5:
                return "1 to 5 buttons"
            for button in buttons:
                if button.get("type") != "oa.query.hide" or not button.get("payload"):
                    return "bad button"
        elif payload.get("template_type") != "media":
            return "unknown template"
    return None


_MESSAGE_NUMBERS = itertools.count(1)


class ZaloWebhookClient:
    """Posts events to the bot's webhook, signed as Zalo signs them."""

    def __init__(self, url: str, fake: FakeZalo, clock: ManualClock) -> None:
        self.url = url
        self.fake = fake
        self.clock = clock

    def event(self, name: str, user: str, **message: Any) -> dict[str, Any]:
        number = next(_MESSAGE_NUMBERS)  # unique across restarts of the bot, like Zalo's ids
        stamp = str(int(self.clock.now().timestamp() * 1000))
        event: dict[str, Any] = {"app_id": APP_ID, "event_name": name, "timestamp": stamp}
        if name in ("follow", "unfollow"):
            event |= {"oa_id": OA_ID, "follower": {"id": user}, "source": "testing"}
        else:
            event |= {"sender": {"id": user}, "recipient": {"id": OA_ID},
                      "message": {"msg_id": f"msg{number:06d}{user}", **message}}
        return event

    async def post(self, event: dict[str, Any], *, secret: str = OA_SECRET,
                   retry: int = 0) -> httpx.Response:
        raw = json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode()
        mac = hashlib.sha256(APP_ID.encode() + raw + str(event["timestamp"]).encode()
                             + secret.encode()).hexdigest()
        if event["event_name"].startswith(("user_send", "follow")):
            user = (event.get("sender") or event.get("follower"))["id"]
            self.fake.user_wrote(user, self.clock.now())
        async with httpx.AsyncClient() as client:
            return await client.post(self.url, content=raw, headers={
                "X-ZEvent-Signature": f"mac={mac}", "Content-Type": "application/json",
                "num_retry": str(retry)})

    async def text(self, user: str, text: str) -> httpx.Response:
        return await self.post(self.event("user_send_text", user, text=text))
