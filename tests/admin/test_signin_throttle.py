"""Sign-in guessing from one address does not keep the owner, on another, out (two real client
addresses on loopback: 127.0.0.2 guesses, 127.0.0.1 is the owner's usual computer)."""

from __future__ import annotations

import httpx
import pytest

from tests.admin.conftest import PASSWORD, Site

OWNER, GUESSER = "127.0.0.1", "127.0.0.2"
pytestmark = pytest.mark.socket


def client_from(site: Site, address: str) -> httpx.AsyncClient:
    transport = httpx.AsyncHTTPTransport(local_address=address)
    return httpx.AsyncClient(base_url=site.base, transport=transport, timeout=30)


async def test_guesses_from_another_address_do_not_lock_the_owner_out(site: Site) -> None:
    """Failed before: five wrong passwords from anywhere locked the admin out for 15 minutes."""
    async with client_from(site, OWNER) as owner:
        first = await owner.post("/admin/api/login", json={"login": "admin",
                                                           "password": PASSWORD})
        assert first.status_code == 200 and first.json()["failed_since_last_sign_in"] == 0
    async with client_from(site, GUESSER) as guesser:
        answers = [(await guesser.post("/admin/login", data={
            "login": "admin", "password": f"đoán thử {n}"})).status_code for n in range(12)]
        assert answers[:4] == [401] * 4 and answers[-1] == 429  # the guesser waits
        held = await guesser.post("/admin/login", data={"login": "admin", "password": PASSWORD})
        assert held.status_code == 429 and "hãy thử lại sau" in held.text
        assert "Retry-After" in (await guesser.post("/admin/api/login", json={
            "login": "admin", "password": PASSWORD})).headers
    async with client_from(site, OWNER) as owner:
        signed = await owner.post("/admin/login", data={"login": "admin", "password": PASSWORD,
                                                        "next": "/admin/audit"})
        assert signed.status_code == 200  # told what happened, then on to the audit log
        assert "đã có 5 lần nhập sai mật khẩu" in signed.text and "từ 1 địa chỉ" in signed.text
        assert 'href="/admin/audit"' in signed.text
        audit = await owner.get("/admin/audit")
        assert audit.status_code == 200 and "signin.failed" in audit.text
        assert GUESSER in audit.text and "signin.throttled" in audit.text


async def test_the_wait_is_told_in_minutes(site: Site) -> None:
    async with client_from(site, GUESSER) as guesser:
        for n in range(6):
            answer = await guesser.post("/admin/login", data={"login": "editor",
                                                              "password": f"sai {n}"})
    assert answer.status_code == 429 and "hãy thử lại sau 1 phút" in answer.text
