"""A real model behind a real ``rasa run --enable-api``, reached through the bot's client."""

from __future__ import annotations

import asyncio
import os
import secrets
import signal

import pytest

from bot.intents.keywords import KeywordRecognizer
from bot.intents.rasa import RasaRecognizer, RasaUnavailable
from bot.intents.rasa_server import (
    NluPaths,
    RasaServer,
    TrainedModel,
    ensure_model,
    free_port,
)
from bot.intents.resilient import ResilientRecognizer
from bot.intents.runtime import LocalRasa, nlu_runtime
from tests.nlu.helpers import until

pytestmark = [pytest.mark.rasa, pytest.mark.asyncio(loop_scope="session")]

# Unambiguous messages, none of them verbatim in the training data, in several spellings.
EXPECTED = [
    ("làm cách nào cài được ứng dụng VNeID vào máy", "vneid_install"),
    ("chau oi quen mat khau vssid roi lam sao", "vssid_login"),
    ("e quên mk vneid r, ko vào dc", "vneid_login"),
    ("muốn thanh toán tiền điện tháng này qua app", "payment_bills"),
    ("cái tin nhắn bảo hồ sơ được phê duyệt rồi, kích hoạt tài khoản ra sao", "vneid_activate"),
    ("có đứa gọi xưng công an đòi mã otp", "scam_report"),
    ("giá lúa hôm nay thế nào", "out_of_scope"),
]


@pytest.fixture
async def rasa(rasa_server: RasaServer) -> RasaRecognizer:
    return RasaRecognizer(rasa_server.url, rasa_server.token, timeout=5.0)


@pytest.mark.parametrize(("text", "intent"), EXPECTED)
async def test_intents_through_http(rasa: RasaRecognizer, text: str, intent: str) -> None:
    result = await rasa.recognize(text)
    await rasa.aclose()
    assert result.source == "rasa"
    assert result.top is not None and result.top.name == intent
    confidences = [guess.confidence for guess in result.ranking]
    assert len(result.ranking) == 10 and confidences == sorted(confidences, reverse=True)
    assert result.top.confidence > 0.4 > confidences[1]


async def test_entities_are_normalised(rasa: RasaRecognizer) -> None:
    iphone = await rasa.recognize("may IPhone cua bac tai vneid o dau")
    bank_wallet = await rasa.recognize("liên kết tài khoản Vietcombank vào ví Zalo Pay")
    nothing = await rasa.recognize("quét mã qr trả tiền ở chợ")
    await rasa.aclose()
    assert iphone.entities == {"platform": "iphone"}
    assert bank_wallet.entities == {"bank": "vietcombank", "wallet": "zalopay"}
    assert bank_wallet.top is not None and bank_wallet.top.name == "payment_ewallet"
    assert nothing.entities == {}


async def test_a_wrong_token_is_refused(rasa_server: RasaServer) -> None:
    intruder = RasaRecognizer(rasa_server.url, "not-the-token", timeout=5.0)
    with pytest.raises(RasaUnavailable, match="401"):
        await intruder.recognize("xin chào")
    assert not await intruder.healthy()
    await intruder.aclose()


async def test_an_unchanged_model_is_reused(rasa_model: TrainedModel, nlu_paths: NluPaths) -> None:
    again = await ensure_model(nlu_paths)
    assert again.path == rasa_model.path and not again.trained_now


async def test_degrades_to_keywords_and_recovers_after_restart(rasa_server: RasaServer) -> None:
    resilient = ResilientRecognizer(
        RasaRecognizer(rasa_server.url, rasa_server.token),
        KeywordRecognizer([]),
        first_probe_delay=0.2,
        max_probe_delay=1.0,
    )
    resilient.start()
    try:
        await until(resilient.healthy, 10)
        assert (await resilient.recognize("xin chào")).source == "rasa"
        await rasa_server.stop()
        result = await resilient.recognize("xin chào")
        assert result.source == "keywords"
        assert result.top is not None and result.top.name == "greet"
        assert not await resilient.healthy()
        await rasa_server.start()  # same port, same token
        await until(resilient.healthy, 10)
        assert (await resilient.recognize("xin chào")).source == "rasa"
    finally:
        await resilient.aclose()
        await rasa_server.start()  # leave the shared server running for later tests


async def test_local_rasa_is_restarted_after_a_crash(
    rasa_model: TrainedModel, nlu_paths: NluPaths
) -> None:
    port, token = free_port(), secrets.token_urlsafe(16)
    resilient = ResilientRecognizer(
        RasaRecognizer(f"http://127.0.0.1:{port}", token),
        KeywordRecognizer([]),
        max_probe_delay=1.0,
    )
    resilient.start()
    local = LocalRasa(nlu_paths, port, token, resilient)
    task = asyncio.create_task(local.run())
    try:
        await until(resilient.healthy, 120)
        assert local.server is not None and local.server.pid is not None
        os.killpg(local.server.pid, signal.SIGKILL)
        assert (await resilient.recognize("xin chào")).source == "keywords"
        await until(resilient.healthy, 120)
        assert (await resilient.recognize("xin chào")).source == "rasa"
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await local.stop()
        await resilient.aclose()


async def test_runtime_uses_rasa_url(
    rasa_server: RasaServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RASA_TOKEN", rasa_server.token)
    async with nlu_runtime(
        KeywordRecognizer([]), rasa_url=rasa_server.url, ready_within=10
    ) as recognizer:
        assert await recognizer.healthy()
        result = await recognizer.recognize("chau oi quen mat khau vssid roi lam sao")
        assert result.source == "rasa" and result.top is not None
        assert result.top.name == "vssid_login"


async def test_runtime_keywords_mode_skips_rasa(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NLU", "keywords")
    keywords = KeywordRecognizer([])
    async with nlu_runtime(keywords, rasa_url="http://127.0.0.1:9") as recognizer:
        assert recognizer is keywords


async def test_runtime_starts_and_stops_a_local_server(
    monkeypatch: pytest.MonkeyPatch, rasa_model: TrainedModel
) -> None:
    monkeypatch.delenv("RASA_URL", raising=False)
    monkeypatch.delenv("NLU", raising=False)
    async with nlu_runtime(KeywordRecognizer([])) as recognizer:
        assert isinstance(recognizer, ResilientRecognizer)
        # Yielded at once: keyword answers while Rasa starts in the background.
        assert not await recognizer.healthy()
        assert (await recognizer.recognize("xin chào")).source == "keywords"
        await until(recognizer.healthy, 120)
        assert (await recognizer.recognize("xin chào")).source == "rasa"
        url = recognizer.rasa_url
    probe = RasaRecognizer(url)
    assert not await probe.healthy()  # the server went away with the runtime
    await probe.aclose()
