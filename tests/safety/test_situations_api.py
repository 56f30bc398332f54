"""The issue's examples through ``/api/chat`` (a real server, real SQLite, the real guides):
an OTP, a password, the police or a bank *mentioned* raises no alarm; harm already done goes
straight to the urgent step, as a first message and inside another guide, with the safety
advice first and buttons to go on."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from bot.app import Runtime
from bot.channels.web.app import create_app
from bot.engine import texts
from tests.server import serving

WARNINGS = set(texts.SCAM_WARNINGS.values())


@pytest.fixture
async def client(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(runtime.service, runtime.health)
    async with serving(app) as base, httpx.AsyncClient(base_url=base, timeout=10) as http:
        yield http


async def chat(client: httpx.AsyncClient, user: str, text: str) -> dict[str, Any]:
    response = await client.post("/api/chat", json={"user": user, "text": text})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def alarmed(body: dict[str, Any]) -> bool:
    guide = body.get("guide") or {}
    return (any(m["text"] in WARNINGS for m in body["messages"])
            or guide.get("id") == "scam_report"
            or any(b["payload"] == "f:scam_report" for m in body["messages"]
                   for b in m["buttons"]))


ORDINARY = [
    "đổi đt mới đăng nhập vneid nó gửi otp về máy cũ, máy cũ bán mất rồi",
    "kích hoạt vneid nó bắt đặt mật khẩu có chữ hoa chữ thường ký tự đặc biệt, khó quá, là sao",
    "công an xã hẹn làm mức 2",
    "cong an xa hen sang mai len lam muc 2",
    "chuyển tiền cho con, ngân hàng gửi mã otp về máy để xác nhận, bác nhập vào đâu",
    "sao cháu ơi otp ko về máy bác",
    "mat khau vneid phai co chu hoa la sao chau",
]


@pytest.mark.parametrize("text", ORDINARY)
@pytest.mark.parametrize("guide", [None, "vneid_login", "payment_transfer"])
async def test_a_mention_is_no_alarm(client: httpx.AsyncClient, text: str,
                                     guide: str | None) -> None:
    user = f"ok-{guide}-{abs(hash(text))}"
    if guide is not None:
        await chat(client, user, f"/start {guide}")
    body = await chat(client, user, text)
    assert not alarmed(body), [m["text"][:80] for m in body["messages"]]
    assert body["messages"][-1]["buttons"]


async def test_the_otp_to_the_old_phone_opens_its_own_answer(client: httpx.AsyncClient) -> None:
    body = await chat(client, "old-phone", ORDINARY[0])
    assert body["guide"]["id"] == "vneid_login"


# (message, the urgent step, words of that step the resident must see)
HARM = [
    ("co tin nhan bao tai khoan bi khoa co kem duong link, bac bam vao roi",
     "link_urgent", "Dùng một máy khác"),
    ("cô đọc cho nó cái mã 6 số nhắn về máy rồi", "otp_given",
     "Bác gọi ngay tổng đài ngân hàng để khóa thẻ"),
    ("bác bấm nhầm một số, tiền đi sang người khác mất rồi", "wrong_bank",
     "xin ngân hàng tra soát giúp"),
    ("bac bi lua mat 20 trieu roi", "lost_bank", "Bác gọi ngay tổng đài ngân hàng"),
]


@pytest.mark.parametrize(("text", "step", "words"), HARM)
@pytest.mark.parametrize("guide", [None, "vneid_install", "payment_transfer"])
async def test_harm_done_goes_straight_to_the_urgent_step(
        client: httpx.AsyncClient, text: str, step: str, words: str, guide: str | None) -> None:
    user = f"harm-{guide}-{step}"
    if guide is not None:
        await chat(client, user, f"/start {guide}")
    body = await chat(client, user, text)
    messages = body["messages"]
    assert messages[0]["text"].startswith("⚠️"), messages[0]["text"]  # safety advice first
    assert any(words in m["text"] for m in messages), [m["text"][:80] for m in messages]
    assert all("đừng bấm" not in m["text"].lower() for m in messages[:1])  # not prevention
    if body.get("guide") is not None:  # the step that ends in a hand-off has no guide left
        assert body["guide"]["step"] == step
    assert messages[-1]["buttons"], "never cut off"
    if guide is None or (guide, step) == ("payment_transfer", "wrong_bank"):
        return
    back = await client.post("/api/chat", json={"user": user, "payload": "c:return"})
    assert back.json()["guide"]["id"] == guide, "the way back to the guide the resident was in"
