"""Edge cases of the HTTP client and the resilient wrapper, with httpx.MockTransport.

Only failures a live server will not produce on demand are mocked here (timeouts, 500s, a
dropped connection); the happy path runs against a real Rasa server in test_rasa_live.py.
"""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from bot.intents.base import IntentGuess, IntentResult
from bot.intents.rasa import RasaRecognizer, RasaUnavailable, parse_response
from bot.intents.resilient import ResilientRecognizer
from tests.nlu.helpers import until

PARSE_REPLY = {
    "text": "x",
    "intent": {"name": "nlu_fallback", "confidence": 0.4},
    "entities": [
        {"entity": "wallet", "start": 20, "end": 33, "value": "viettel money"},
        {"entity": "bank", "start": 3, "end": 11, "value": "Agribank"},
        {"entity": "bank", "start": 40, "end": 43, "value": "bidv"},
    ],
    "intent_ranking": [
        {"name": "nlu_fallback", "confidence": 0.4},
        {"name": "payment_ewallet", "confidence": 0.35},
        {"name": "payment_bank_app", "confidence": 0.3},
    ],
}

Handler = Callable[[httpx.Request], httpx.Response]


class Recorder:
    """A MockTransport handler that plays a script of responses/exceptions and counts calls."""

    def __init__(self, *script: httpx.Response | Exception) -> None:
        self.script = list(script)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        step = self.script.pop(0) if len(self.script) > 1 else self.script[0]
        if isinstance(step, Exception):
            raise step
        return step


def client(handler: Handler, token: str | None = "s3cret") -> RasaRecognizer:
    return RasaRecognizer("http://rasa.test", token, transport=httpx.MockTransport(handler))


def test_nlu_fallback_is_dropped_but_real_intents_keep_their_ranking() -> None:
    result = parse_response(PARSE_REPLY)
    assert [g.name for g in result.ranking] == ["payment_ewallet", "payment_bank_app"]
    assert result.top == IntentGuess("payment_ewallet", 0.35)
    assert result.entities == {"bank": "agribank", "wallet": "viettel_money"}
    assert result.source == "rasa"


async def test_parse_sends_text_and_token_and_reads_the_ranking() -> None:
    recorder = Recorder(httpx.Response(200, json=PARSE_REPLY))
    rasa = client(recorder)
    result = await rasa.recognize("  lien ket Agribank  ")
    await rasa.aclose()
    (request,) = recorder.requests
    assert request.url.path == "/model/parse"
    assert request.url.params["token"] == "s3cret"
    assert request.read() == b'{"text":"lien ket agribank"}'  # lowercased: Rasa's tokenizer does
    assert result.top is not None and result.top.name == "payment_ewallet"


async def test_blank_text_does_not_call_rasa() -> None:
    recorder = Recorder(httpx.Response(500))
    rasa = client(recorder)
    assert await rasa.recognize("   ") == IntentResult(source="rasa")
    await rasa.aclose()
    assert recorder.requests == []


async def test_one_retry_after_a_500_then_success() -> None:
    recorder = Recorder(httpx.Response(500), httpx.Response(200, json=PARSE_REPLY))
    rasa = client(recorder)
    result = await rasa.recognize("hi")
    await rasa.aclose()
    assert len(recorder.requests) == 2
    assert result.top is not None


async def test_two_500s_make_rasa_unavailable() -> None:
    recorder = Recorder(httpx.Response(500))
    rasa = client(recorder)
    with pytest.raises(RasaUnavailable, match="500"):
        await rasa.recognize("hi")
    await rasa.aclose()
    assert len(recorder.requests) == 2


async def test_a_dropped_connection_is_retried_once() -> None:
    recorder = Recorder(httpx.RemoteProtocolError("closed"), httpx.Response(200, json=PARSE_REPLY))
    rasa = client(recorder)
    assert (await rasa.recognize("hi")).top is not None
    await rasa.aclose()
    assert len(recorder.requests) == 2


async def test_a_timeout_is_not_retried() -> None:
    recorder = Recorder(httpx.ReadTimeout("slow"))
    rasa = client(recorder)
    with pytest.raises(RasaUnavailable, match="timed out"):
        await rasa.recognize("hi")
    await rasa.aclose()
    assert len(recorder.requests) == 1


async def test_401_is_not_retried_and_reported_as_auth() -> None:
    recorder = Recorder(httpx.Response(401, json={"reason": "NotAuthenticated"}))
    rasa = client(recorder, token="wrong")
    with pytest.raises(RasaUnavailable, match="token"):
        await rasa.recognize("hi")
    assert not await rasa.healthy()
    await rasa.aclose()
    assert len(recorder.requests) == 2  # one parse, one status probe


async def test_garbage_reply_is_unavailable_not_a_crash() -> None:
    rasa = client(Recorder(httpx.Response(200, text="<html>proxy error</html>")))
    with pytest.raises(RasaUnavailable, match="JSON"):
        await rasa.recognize("hi")
    await rasa.aclose()


class Switchable:
    """A fake Rasa that can be switched off and on (answers every path)."""

    def __init__(self) -> None:
        self.up = True
        self.parses = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/model/parse":
            self.parses += 1
        if not self.up:
            raise httpx.ConnectError("refused")
        if request.url.path == "/status":
            return httpx.Response(200, json={"model_file": "m.tar.gz"})
        return httpx.Response(200, json=PARSE_REPLY)


class Keywords:
    async def recognize(self, text: str) -> IntentResult:
        return IntentResult((IntentGuess("greet", 1.0),), {}, "keywords")

    async def healthy(self) -> bool:
        return True


async def test_resilient_degrades_then_recovers_without_traffic() -> None:
    fake = Switchable()
    resilient = ResilientRecognizer(
        client(fake), Keywords(), first_probe_delay=0.01, max_probe_delay=0.05
    )
    resilient.start()
    await until(resilient.healthy, 5)
    assert (await resilient.recognize("hi")).source == "rasa"
    fake.up = False
    assert (await resilient.recognize("hi")).source == "keywords"
    assert not await resilient.healthy()
    parses = fake.parses
    assert (await resilient.recognize("hi")).source == "keywords"
    assert fake.parses == parses  # degraded: messages skip Rasa instead of waiting on it
    fake.up = True
    await until(resilient.healthy, 5)
    assert (await resilient.recognize("hi")).source == "rasa"
    await resilient.aclose()


def test_a_malformed_reply_gives_an_empty_result_not_an_exception() -> None:
    weird = {"intent_ranking": ["greet", {"name": 3, "confidence": 1}], "entities": [None, 7]}
    assert parse_response(weird) == IntentResult(source="rasa")
