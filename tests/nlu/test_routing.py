"""Free text through the whole service with the real Rasa model: the right guide opens,
entities pre-fill the branch, and off-topic questions get the polite refusal."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.app import build_runtime
from bot.turn_contract import Incoming
from bot.engine import texts
from bot.engine.messages import Reply
from bot.intents.rasa import RasaRecognizer
from bot.intents.rasa_server import RasaServer
from tests.conftest import settings_for, sqlite_url

pytestmark = [pytest.mark.rasa, pytest.mark.asyncio(loop_scope="session")]


def opened_flow(replies: list[Reply]) -> str | None:
    """The guide whose step buttons a reply carries (``n:`` / ``s:`` payloads); a scam
    warning may come first."""
    for reply in replies:
        for button in reply.buttons:
            if button.payload.startswith(("n:", "s:")):
                return button.payload[2:].split(".", 1)[0]
    return None


@pytest.mark.parametrize(("text", "flow"), [
    ("cai vneid the nao", "vneid_install"),
    ("quen mk vssid", "vssid_login"),
    ("có người gọi bảo đọc mã otp cho họ", "scam_report"),
    ("muốn đóng tiền điện qua điện thoại", "payment_bills"),
    # v2 guides (issue 16), and the v1 guide that used to take the first message
    ("má tui muốn chuyển tiền cho con mà hổng biết làm sao", "payment_transfer"),
    ("sáp nhập xã rồi có phải đổi căn cước không", "admin_reorg"),
    ("có người gọi bảo sáp nhập rồi phải đóng phí cập nhật thường trú", "scam_report"),
    ("đăng ký tạm trú trên vneid", "vneid_residence"),
    ("sổ sức khỏe điện tử", "vneid_health_book"),
    ("chữ ký số là gì", "digital_signature"),
])
async def test_free_text_opens_the_guide(rasa_server: RasaServer, tmp_path: Path, text: str,
                                         flow: str) -> None:
    recognizer = RasaRecognizer(rasa_server.url, rasa_server.token, timeout=5.0)
    async with build_runtime(settings_for(sqlite_url(tmp_path)), recognizer=recognizer) as rt:
        replies = await rt.service.handle(Incoming("web", "r", text=text))
    await recognizer.aclose()
    assert replies is not None
    assert opened_flow(replies) == flow, [r.text[:60] for r in replies]


async def test_entity_skips_the_phone_question(rasa_server: RasaServer, tmp_path: Path) -> None:
    recognizer = RasaRecognizer(rasa_server.url, rasa_server.token, timeout=5.0)
    async with build_runtime(settings_for(sqlite_url(tmp_path)), recognizer=recognizer) as rt:
        replies = await rt.service.handle(Incoming("web", "r", text="cài vneid trên iphone"))
        assert replies is not None and opened_flow(replies) == "vneid_install"
        onward = replies
        for _ in range(3):  # walk until the store step, which the platform decides
            payload = next(b.payload for b in onward[-1].buttons if b.payload.startswith("n:"))
            onward = await rt.service.handle(Incoming("web", "r", payload=payload)) or []
            if "App Store" in onward[0].text:
                break
    await recognizer.aclose()
    assert "App Store" in onward[0].text and "«iPhone»" in onward[0].text


async def test_off_topic_gets_the_polite_refusal(rasa_server: RasaServer, tmp_path: Path) -> None:
    recognizer = RasaRecognizer(rasa_server.url, rasa_server.token, timeout=5.0)
    async with build_runtime(settings_for(sqlite_url(tmp_path)), recognizer=recognizer) as rt:
        replies = await rt.service.handle(Incoming("web", "r", text="giá vàng hôm nay"))
    await recognizer.aclose()
    assert replies is not None
    assert replies[0].text == texts.OUT_OF_SCOPE
