"""The Zalo OA API over httpx: the token endpoint, the consultation send, the image upload.

Only what the channel uses, as ``../shared/domain/facts.md`` section 5 describes it. Zalo
answers most errors with HTTP 200 and a negative ``error`` code in the JSON; this module turns
network trouble and 5xx into :class:`Unavailable` and leaves the codes to the caller. Tokens
travel in headers and form bodies only, never in URLs, and nothing here logs them.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

import httpx

log = logging.getLogger(__name__)

DEFAULT_API = "https://openapi.zalo.me"
DEFAULT_OAUTH = "https://oauth.zaloapp.com"
SEND_PATH = "/v3.0/oa/message/cs"
UPLOAD_PATH = "/v2.0/oa/upload/image"
TOKEN_PATH = "/v4/oa/access_token"
PERMISSION_PATH = "/v4/oa/permission"
TIMEOUT = httpx.Timeout(10.0, connect=5.0)
TOKEN_TIMEOUT = httpx.Timeout(5.0)  # the refresh holds the token lock: keep it short

# Error codes seen in public integrations (the official list was not reachable).
TOKEN_INVALID = frozenset({-216, -124})  # access token expired or invalid: refresh, resend
NOT_FOLLOWING = frozenset({-213})  # the resident unfollowed or blocked the OA
OUTSIDE_WINDOW = frozenset({-230, -232})  # no recent interaction: wait for the resident
RATE_LIMITED = frozenset({-32})


class Unavailable(Exception):
    """Zalo could not be reached or answered 5xx: try again later."""


class TokenRefused(Exception):
    """The token endpoint refused the refresh token (used up, revoked, wrong app)."""


@dataclass(frozen=True)
class Grant:
    access_token: str
    refresh_token: str
    expires_in: dt.timedelta


@dataclass(frozen=True)
class Answer:
    """Zalo's JSON answer: ``error`` 0 on success."""

    error: int
    message: str
    data: dict[str, Any]

    @property
    def ok(self) -> bool:
        return self.error == 0


def _answer(response: httpx.Response) -> Answer:
    if response.status_code >= 500 or response.status_code == 429:
        raise Unavailable(f"HTTP {response.status_code}")
    try:
        body = response.json()
    except ValueError as error:
        raise Unavailable(f"HTTP {response.status_code}, not JSON") from error
    if not isinstance(body, dict):
        raise Unavailable("unexpected answer")
    code = body.get("error", 0 if response.is_success else -1)
    data = body.get("data")
    return Answer(int(code) if isinstance(code, int | str) and str(code).lstrip("-").isdigit()
                  else -1, str(body.get("message", ""))[:200],
                  data if isinstance(data, dict) else {})


class ZaloAPI:
    def __init__(self, app_id: str, app_secret: str, *, api_url: str = DEFAULT_API,
                 oauth_url: str = DEFAULT_OAUTH, client: httpx.AsyncClient | None = None
                 ) -> None:
        self.app_id = app_id
        self._app_secret = app_secret
        self.api_url = api_url.rstrip("/")
        self.oauth_url = oauth_url.rstrip("/")
        self.client = client or httpx.AsyncClient(timeout=TIMEOUT)

    async def close(self) -> None:
        await self.client.aclose()

    async def refresh(self, refresh_token: str) -> Grant:
        """Trade the (single-use) refresh token for a new access and refresh token."""
        return await self._grant({"grant_type": "refresh_token",
                                  "refresh_token": refresh_token})

    async def exchange_code(self, code: str, verifier: str) -> Grant:
        """Trade the code of the OA admin's permission (OAuth v4 with PKCE) for the first
        tokens."""
        return await self._grant({"grant_type": "authorization_code", "code": code,
                                  "code_verifier": verifier})

    async def _grant(self, form: dict[str, str]) -> Grant:
        try:
            response = await self.client.post(
                self.oauth_url + TOKEN_PATH,
                headers={"secret_key": self._app_secret},
                data={"app_id": self.app_id, **form},
                timeout=TOKEN_TIMEOUT)
        except httpx.HTTPError as error:
            raise Unavailable(type(error).__name__) from error
        if response.status_code >= 500:
            raise Unavailable(f"HTTP {response.status_code}")
        try:
            body = response.json()
        except ValueError as error:
            raise Unavailable("token endpoint answered no JSON") from error
        access, refresh = body.get("access_token"), body.get("refresh_token")
        if not isinstance(access, str) or not isinstance(refresh, str) or not access:
            # Never include the body: it may echo what we sent.
            raise TokenRefused(f"error {body.get('error', '?')}")
        try:
            seconds = int(body.get("expires_in", 3600))
        except (TypeError, ValueError):
            seconds = 3600
        return Grant(access, refresh, dt.timedelta(seconds=max(seconds, 60)))

    async def send(self, access_token: str, message: dict[str, Any]) -> Answer:
        """POST one consultation message (``{"recipient": …, "message": …}``)."""
        try:
            response = await self.client.post(
                self.api_url + SEND_PATH, json=message,
                headers={"access_token": access_token})
        except httpx.HTTPError as error:
            raise Unavailable(type(error).__name__) from error
        return _answer(response)

    async def upload_image(self, access_token: str, name: str, content: bytes,
                           mime: str) -> Answer:
        try:
            response = await self.client.post(
                self.api_url + UPLOAD_PATH, files={"file": (name, content, mime)},
                headers={"access_token": access_token})
        except httpx.HTTPError as error:
            raise Unavailable(type(error).__name__) from error
        return _answer(response)
