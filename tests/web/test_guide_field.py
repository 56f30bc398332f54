"""The `/api/chat` contract of issue 8: every answer says where the resident is after the turn,
``"guide": {"id": …, "step": …}``, or ``"guide": null`` outside a guide; a clarifying question's
options stay buttons that open a guide (``f:<flow_id>``)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from bot.app import Runtime
from bot.channels.web.app import create_app
from tests.server import serving


@pytest.fixture
async def client(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(runtime.service, runtime.health)
    async with serving(app) as base, httpx.AsyncClient(base_url=base, timeout=10) as http:
        yield http


async def post(client: httpx.AsyncClient, **body: Any) -> dict[str, Any]:
    response = await client.post("/api/chat", json={"user": "g1", **body})
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    assert set(data) == {"messages", "guide"}
    return data


async def test_guide_field_follows_the_resident(client: httpx.AsyncClient) -> None:
    assert (await post(client, text="/start"))["guide"] is None
    opened = await post(client, text="/start vneid_install")
    assert opened["guide"] == {"id": "vneid_install", "step": "prepare"}
    moved = await post(client, text="rồi")
    assert moved["guide"] == {"id": "vneid_install", "step": "choose_phone"}
    assert (await post(client, text="menu"))["guide"] is None  # paused: outside the guide
    assert (await post(client, payload="c:resume"))["guide"]["step"] == "choose_phone"


async def test_guide_field_after_a_scam_warning(client: httpx.AsyncClient) -> None:
    data = await post(client, text="lỡ đọc mã otp cho thằng nó gọi xưng ngân hàng rồi")
    assert data["guide"] == {"id": "scam_report", "step": "otp_given"}


async def test_clarifying_options_open_guides(client: httpx.AsyncClient) -> None:
    data = await post(client, text="vneid hay vssid")  # two guides tie: the resident picks
    payloads = [b["payload"] for m in data["messages"] for b in m["buttons"]]
    assert data["guide"] is None
    assert {"f:vneid_install", "f:vssid_install"} <= set(payloads), payloads
    picked = await post(client, payload="f:vssid_install")
    assert picked["guide"] == {"id": "vssid_install", "step": "prepare"}


async def test_unknown_guide_link_is_told_and_logged(client: httpx.AsyncClient,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="bot.conversation"):
        data = await post(client, text="/start vneid_khong_ton_tai")
    assert data["guide"] is None
    assert "không tìm thấy" in data["messages"][0]["text"]
    assert any("vneid_khong_ton_tai" in r.getMessage() for r in caplog.records)


async def test_unknown_commune_in_a_link_is_logged(client: httpx.AsyncClient,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="bot.conversation"):
        data = await post(client, text="/start vneid_install-xa_khong_co")
    assert data["guide"] == {"id": "vneid_install", "step": "prepare"}
    assert any("xa_khong_co" in r.getMessage() for r in caplog.records)
