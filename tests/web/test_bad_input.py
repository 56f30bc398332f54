"""No input answers 5xx, and a keep-alive connection survives every answer (issue #9).

A real server (uvicorn, SQLite, the real guides, a Telegram webhook against the fake Bot API)
runs in its own thread; a raw HTTP/1.1 client sends each bad request, then ``/healthz`` on the
same connection (or on a new one only when the server said ``Connection: close``). The
recognizer always fails, as Rasa does when it dies mid-turn."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.applications import Starlette

from bot.app import build_runtime
from bot.channels.telegram import TelegramChannel
from bot.channels.web.app import create_app
from bot.intents.base import IntentResult
from bot.turn_contract import Incoming
from tests.conftest import settings_for, sqlite_url
from tests.server import serving
from tests.telegram.conftest import config_for
from tests.telegram.fake_api import FakeBotAPI
from tests.telegram.updates import Updates
from tests.web.rawhttp import Answer, Connection, threaded

HOOK = "/tg/hook"
SECRET = {"X-Telegram-Bot-Api-Secret-Token": "s3cret", "Content-Type": "application/json"}
JSON = {"Content-Type": "application/json"}


class BrokenRecognizer:
    async def recognize(self, text: str) -> IntentResult:
        raise RuntimeError("the NLU died mid-turn")

    async def healthy(self) -> bool:
        return True


@pytest.fixture(scope="module")
def port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    folder = tmp_path_factory.mktemp("bad-input")

    @asynccontextmanager
    async def make() -> AsyncIterator[Starlette]:
        fake = FakeBotAPI()
        async with serving(fake.app) as base:
            fake.base_url = base
            async with build_runtime(settings_for(sqlite_url(folder)),
                                     recognizer=BrokenRecognizer()) as rt:
                config = config_for(fake, webhook_url=f"https://bot.example.org{HOOK}")
                channel = TelegramChannel(config, rt.service)
                app = create_app(rt.service, rt.health, extra_routes=channel.routes,
                                 images_dir=folder / "no-images-here", mailbox=rt.mailbox)
                async with channel.running():
                    await fake.wait_for("setWebhook")
                    yield app

    with threaded(make) as served:
        yield served


@pytest.fixture
def conn(port: int) -> Iterator[Connection]:
    connection = Connection(port)
    yield connection
    connection.close()


def still_usable(conn: Connection, answer: Answer) -> None:
    assert answer.status < 500, (answer.status, answer.body[:300])
    after = conn.request("GET", "/healthz")
    assert after.status == 200, after.body


def chat(conn: Connection, body: bytes, headers: dict[str, str] | None = None) -> Answer:
    answer = conn.request("POST", "/api/chat", body, JSON if headers is None else headers)
    still_usable(conn, answer)
    return answer


BAD = [
    b'{"user": "r1", "text": "\\ud800 c\\u00e0i vneid"}',
    b'{"user": "r1", "payload": "s:vneid_install.prepare.\\udfff"}',
    b'{"user": "\\ud83d", "text": "hi"}',
    b'{"user": "r1", "text": "\xed\xa0\xbd\xed\xb8\x80"}',  # CESU-8 for an emoji
    b'{"user": "r1", "text": ' + b"[" * 1000 + b"]" * 1000 + b"}",
    b"[" * 60000,
    b'{"user": "r1", "payload": "s:vneid_install.prepare.\xc2\xb2"}',  # '²' as an index
    b'{"user": "r\\u0000x", "text": "hi"}',
    b'{"user": "r1", "payload": "c:menu\\u0000"}',
    b'{"user": "r1", "text": "c\xc3\xa0i vneid th\xe1\xba\xbf n\xc3\xa0o"}',  # the NLU fails
    b'{"user": "r1", "text": 1e999}',
    b'{"user": "r1", "text": "hi", "id": "\\ud800"}',
]


@pytest.mark.parametrize("index", range(len(BAD)))
def test_known_bad_inputs_get_no_5xx(conn: Connection, index: int) -> None:
    answer = chat(conn, BAD[index])
    assert answer.status in (200, 400), answer.body[:200]


def test_the_connection_survives_many_bad_requests(conn: Connection) -> None:
    for body in [b"{", b'{"user": "\\ud800"}', b"[]", b"x" * 70000]:
        chat(conn, body)
    assert conn.opened <= 2  # only the refused oversized body closes the connection


def test_only_json_is_accepted(conn: Connection) -> None:
    body = b'{"user": "r1", "text": "/start"}'
    answer = chat(conn, body, {"Content-Type": "text/plain"})
    assert answer.status == 415
    assert chat(conn, body, {"Content-Type": "application/json; charset=utf-8"}).status == 200


def test_a_large_body_is_refused_before_it_is_read(conn: Connection) -> None:
    """The client announces 300 MB and sends a little: the server answers at once."""
    head = (b"POST /api/chat HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
            b"Content-Length: 300000000\r\n\r\n")
    answer = conn.raw(head + b"{" * 1000)
    assert answer.status == 413 and answer.headers["connection"] == "close"
    chunked = (b"POST /api/chat HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
               b"Transfer-Encoding: chunked\r\n\r\n" + b"10000\r\n" + b"x" * 65536 + b"\r\n"
               + b"10000\r\n" + b"x" * 65536 + b"\r\n")
    answer = conn.raw(chunked)
    assert answer.status == 413


@pytest.mark.parametrize("query", [
    "user=u1&after=%C2%B2", "user=u1&after=1e3", "user=u1&wait=nan", "user=u1&wait=-1",
    "user=%00", "user=%ED%A0%80&wait=0.5x", "user=u1&after=" + "9" * 30, "after=1"])
def test_odd_update_queries_get_a_400(conn: Connection, query: str) -> None:
    answer = conn.request("GET", f"/api/chat/updates?{query}")
    still_usable(conn, answer)
    assert answer.status == 400


def test_missing_images_folder_is_404(conn: Connection) -> None:
    assert conn.request("GET", "/images/vneid/store.png").status == 404


def test_security_headers_everywhere(conn: Connection) -> None:
    for method, path in [("GET", "/"), ("GET", "/healthz"), ("POST", "/api/chat"),
                         ("GET", "/static/chat.js"), ("GET", "/nowhere")]:
        answer = conn.request(method, path, headers=JSON)
        assert "default-src 'self'" in answer.headers["content-security-policy"], path
        assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["referrer-policy"] == "no-referrer"
        assert "server" not in answer.headers


def test_telegram_webhook_answers_malformed_updates_with_200(conn: Connection) -> None:
    for body in [b"{not json", b"[]", b'{"update_id": "x"}', b'{"update_id": 5, "message": 7}',
                 b'{"update_id": 6, "message": {"chat": []}}', b"\xff\xfe",
                 b'{"update_id": ' + b"[" * 5000 + b"}"]:
        answer = conn.request("POST", HOOK, body, SECRET)
        still_usable(conn, answer)
        assert answer.status == 200, body
    assert conn.request("POST", HOOK, b"{}", JSON).status == 403


# ------------------------------------------------------------------ property tests
TEXT = st.text(st.one_of(st.characters(), st.sampled_from(["\ud800", "\udfff", "\x00", "²",
                                                          "\u202e", "\ufeff"])), max_size=80)
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), TEXT)
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(TEXT, inner, max_size=3)), max_leaves=8)
PAYLOADS = st.one_of(TEXT, st.builds(lambda kind, rest: f"{kind}:{rest}",
                                     st.sampled_from(["s", "n", "f", "g", "fb", "c"]), TEXT))
BODIES = st.one_of(
    st.fixed_dictionaries({"user": st.one_of(TEXT, VALUES)},
                          optional={"text": st.one_of(TEXT, VALUES), "payload": PAYLOADS,
                                    "id": st.one_of(TEXT, VALUES)}).map(
        lambda d: json.dumps(d).encode()),
    VALUES.map(lambda v: json.dumps(v).encode()),
    st.binary(max_size=200),
)


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(body=BODIES)
def test_no_body_gets_a_5xx(port: int, body: bytes) -> None:
    conn = Connection(port)
    try:
        chat(conn, body)
    finally:
        conn.close()


def _update(data: Any) -> bytes:
    base: dict[str, Any] = Updates().text("/start")
    if isinstance(data, dict):
        base["message"] = {**base["message"], **data}
    else:
        base["message"] = data
    return json.dumps(base).encode()


@settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
@given(body=st.one_of(VALUES.map(_update), st.binary(max_size=100), VALUES.map(
    lambda v: json.dumps(v).encode())))
def test_no_telegram_update_gets_a_5xx(port: int, body: bytes) -> None:
    conn = Connection(port)
    try:
        answer = conn.request("POST", HOOK, body, SECRET)
        still_usable(conn, answer)
        assert answer.status == 200
    finally:
        conn.close()


def test_the_answers_are_right_after_the_storm(conn: Connection) -> None:
    answer = chat(conn, b'{"user": "calm", "text": "/start"}')
    assert answer.status == 200 and "Cháu chào bác" in answer.body.decode()
    assert Path(__file__).exists()



@pytest.mark.parametrize("message", [
    Incoming("web", "p1", text="c\x00ài \ud800vneid"),
    Incoming("web", "p1", payload="c:menu\x00\udfff"),
    Incoming("zalo", "p1", payload="s:vneid_install.prepare.²"),
])
async def test_nul_and_surrogates_reach_no_database(database_url: str, message: Incoming
                                                    ) -> None:
    """PostgreSQL refuses NUL in text and JSON; no encoding takes a lone surrogate."""
    async with build_runtime(settings_for(database_url)) as rt:
        replies = await rt.service.handle(message)
        assert replies
