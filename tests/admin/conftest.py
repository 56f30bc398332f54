"""The console mounted on the web app, and accounts of every role. Requests go to the app in
process (``httpx.ASGITransport``); a browser test gets a real server on loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from bot.admin.app import console_mount
from bot.app import Runtime
from bot.channels.web.app import create_app
from tests.accounts.conftest import CHEAP
from tests.server import serving

PASSWORD = "mật khẩu thử nghiệm 1"
ROLES = {"admin": ("admin", None), "editor": ("editor", None),
         "member": ("team_member", None), "yb_editor": ("editor", "yen_binh")}


IN_PROCESS = "http://127.0.0.1"


@dataclass
class Site:
    base: str
    runtime: Runtime
    app: Any = None  # given: requests go to it in process; None: over the socket at ``base``

    def http(self) -> httpx.AsyncClient:
        """A new anonymous client of the site."""
        # Like a server, answer an app's exception with a 500 rather than raise it here.
        transport = (httpx.ASGITransport(self.app, raise_app_exceptions=False)
                     if self.app is not None else None)
        return httpx.AsyncClient(base_url=self.base, transport=transport, timeout=30)

    @asynccontextmanager
    async def client(self, login: str | None = None
                     ) -> AsyncIterator[tuple[httpx.AsyncClient, str]]:
        """A client signed in as ``login`` (None: anonymous) and its CSRF token."""
        async with self.http() as client:
            if login is None:
                yield client, ""
                return
            response = await client.post("/admin/api/login",
                                         json={"login": login, "password": PASSWORD})
            assert response.status_code == 200, response.text
            yield client, response.json()["csrf_token"]


def app_for(runtime: Runtime):  # type: ignore[no-untyped-def]
    return create_app(runtime.service, runtime.health,
                      extra_routes=[console_mount(runtime.console, runtime.served)])


@pytest.fixture
async def site(runtime: Runtime, request: pytest.FixtureRequest) -> AsyncIterator[Site]:
    runtime.console.accounts.passwords = CHEAP
    await runtime.console.communes.save(None, "yen_binh", {
        "commune": "xã Yên Bình", "team_name": "Tổ CNS Yên Bình", "team_phone": "0900 000 000"},
        create=await runtime.console.communes.get("yen_binh") is None)
    for login, (role, commune) in ROLES.items():
        await runtime.console.accounts.create_user(login, role, commune=commune,
                                                   password=PASSWORD)
    app = app_for(runtime)
    if not any(request.node.get_closest_marker(m) for m in ("browser", "socket")):
        yield Site(IN_PROCESS, runtime, app)
        return
    async with serving(app) as base:
        yield Site(base, runtime)
