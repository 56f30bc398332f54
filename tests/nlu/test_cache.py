"""The NLU cache: identical normalised texts cost one Rasa call, bounded, shared while in
flight, never caching failures, emptied when Rasa serves another model."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from bot.intents.keywords import KeywordRecognizer
from bot.intents.rasa import RasaRecognizer, RasaUnavailable
from bot.intents.resilient import ResilientRecognizer
from bot.metrics import NLU_DEGRADED
from tests.nlu.helpers import until


class FakeRasa:
    """Answers /model/parse with an intent named after the model, and /status with it."""

    def __init__(self) -> None:
        self.model = "model-a"
        self.parsed: list[str] = []
        self.fail = False
        self.delay = 0.0

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/status":
            return httpx.Response(200, json={"model_id": self.model, "model_file": "x.tar.gz"})
        text = json.loads(request.read())["text"]
        self.parsed.append(text)
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.fail:
            return httpx.Response(500)
        return httpx.Response(200, json={"intent_ranking": [
            {"name": f"{self.model}:{text}", "confidence": 0.9}], "entities": []})


def rasa_with(fake: FakeRasa, size: int = 100) -> RasaRecognizer:
    return RasaRecognizer("http://rasa.test", "t", transport=httpx.MockTransport(fake),
                          cache_size=size)


async def _top(rasa: RasaRecognizer, text: str) -> str:
    result = await rasa.recognize(text)
    assert result.top is not None
    return result.top.name


async def test_identical_normalised_texts_cost_one_call() -> None:
    fake = FakeRasa()
    rasa = rasa_with(fake)
    first = await _top(rasa, "Cài VNeID  thế nào")
    assert await _top(rasa, "cài vneid thế nào ") == first
    assert await _top(rasa, "cài   VNEID thế nào") == first
    assert fake.parsed == ["cài vneid thế nào"]  # Rasa sees the normalised text
    assert await _top(rasa, "cai vneid the nao") != first  # diacritics matter to Rasa
    assert len(fake.parsed) == 2
    await rasa.aclose()


async def test_the_cache_is_bounded_least_recently_used_first() -> None:
    fake = FakeRasa()
    rasa = rasa_with(fake, size=2)
    for text in ("a", "b", "a", "c"):  # "b" is the least recently used when "c" arrives
        await rasa.recognize(text)
    assert len(rasa.cache) == 2
    await rasa.recognize("a")
    await rasa.recognize("b")
    assert fake.parsed == ["a", "b", "c", "b"]
    await rasa.aclose()


async def test_concurrent_identical_texts_share_one_request() -> None:
    fake = FakeRasa()
    fake.delay = 0.05
    rasa = rasa_with(fake)
    results = await asyncio.gather(*(_top(rasa, "xin chào") for _ in range(10)))
    assert len(set(results)) == 1 and fake.parsed == ["xin chào"]
    await rasa.aclose()


async def test_failures_are_not_cached() -> None:
    fake = FakeRasa()
    fake.fail = True
    rasa = rasa_with(fake)
    with pytest.raises(RasaUnavailable):
        await rasa.recognize("quên mật khẩu")
    fake.fail = False
    assert await _top(rasa, "quên mật khẩu") == "model-a:quên mật khẩu"
    await rasa.aclose()


async def test_another_model_empties_the_cache() -> None:
    fake = FakeRasa()
    rasa = rasa_with(fake)
    assert await rasa.healthy()
    assert await _top(rasa, "vssid") == "model-a:vssid"
    fake.model = "model-b"  # retrained and loaded; the next status check notices
    assert await _top(rasa, "vssid") == "model-a:vssid"  # not yet checked: still cached
    assert await rasa.healthy()
    assert await _top(rasa, "vssid") == "model-b:vssid"
    await rasa.aclose()


async def test_size_zero_disables_the_cache() -> None:
    fake = FakeRasa()
    rasa = rasa_with(fake, size=0)
    await rasa.recognize("menu vneid")
    await rasa.recognize("menu vneid")
    assert len(fake.parsed) == 2
    await rasa.aclose()


async def test_the_watcher_notices_a_new_model_and_the_degraded_gauge_follows() -> None:
    fake = FakeRasa()
    rasa = rasa_with(fake)
    resilient = ResilientRecognizer(rasa, KeywordRecognizer([]), first_probe_delay=0.01,
                                    watch_every=0.02)
    assert NLU_DEGRADED._value.get() == 1  # type: ignore[attr-defined]
    resilient.start()
    await until(resilient.healthy, 10)
    assert NLU_DEGRADED._value.get() == 0  # type: ignore[attr-defined]
    await resilient.recognize("dịch vụ công")
    fake.model = "model-b"
    async def switched() -> bool:
        return rasa.model_id == "model-b"

    await until(switched, 10)
    result = await resilient.recognize("dịch vụ công")
    assert result.top is not None and result.top.name == "model-b:dịch vụ công"
    await resilient.aclose()
