"""A real server on loopback with the console mounted, and accounts of every role."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

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


@dataclass
class Site:
    base: str
    runtime: Runtime

    @asynccontextmanager
    async def client(self, login: str | None = None
                     ) -> AsyncIterator[tuple[httpx.AsyncClient, str]]:
        """A client signed in as ``login`` (None: anonymous) and its CSRF token."""
        async with httpx.AsyncClient(base_url=self.base, timeout=30) as client:
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
async def site(runtime: Runtime) -> AsyncIterator[Site]:
    runtime.console.accounts.passwords = CHEAP
    await runtime.console.communes.save(None, "yen_binh", {
        "commune": "xã Yên Bình", "team_name": "Tổ CNS Yên Bình", "team_phone": "0900 000 000"},
        create=await runtime.console.communes.get("yen_binh") is None)
    for login, (role, commune) in ROLES.items():
        await runtime.console.accounts.create_user(login, role, commune=commune,
                                                   password=PASSWORD)
    async with serving(app_for(runtime)) as base:
        yield Site(base, runtime)
