"""The lean transport against a real loopback server: keep-alive reuse, chunked bodies, a
connection the server dropped while idle (sent again), and timeouts (Rasa unavailable)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import httpx
import pytest

from bot.intents.lean_http import LeanTransport
from bot.intents.rasa import RasaRecognizer, RasaUnavailable

REPLY = json.dumps({"intent_ranking": [{"name": "greet", "confidence": 0.9}]}).encode()


class RawServer:
    """Answers every request; ``mode`` picks how: length, chunked, close, slow."""

    def __init__(self) -> None:
        self.mode = "length"
        self.connections = 0
        self.requests: list[bytes] = []

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                              if line.lower().startswith(b"content-length"))
                self.requests.append(head + await reader.readexactly(length))
                if self.mode == "slow":
                    await asyncio.sleep(2)
                if self.mode == "chunked":
                    writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                                 + b"".join(f"{len(p):x}\r\n".encode() + p + b"\r\n"
                                            for p in (REPLY[:10], REPLY[10:])) + b"0\r\n\r\n")
                else:
                    writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                                 + f"Content-Length: {len(REPLY)}\r\n\r\n".encode() + REPLY)
                await writer.drain()
                if self.mode == "close":  # the keep-alive connection is dropped while idle
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


@pytest.fixture
async def raw() -> AsyncIterator[tuple[RawServer, str]]:
    server = RawServer()
    listener = await asyncio.start_server(server.handle, "127.0.0.1", 0)
    port = listener.sockets[0].getsockname()[1]
    yield server, f"http://127.0.0.1:{port}"
    listener.close()


async def _parse(client: httpx.AsyncClient) -> dict[str, object]:
    reply = await client.post("/model/parse", json={"text": "xin chào"}, params={"token": "t"})
    reply.raise_for_status()
    result: dict[str, object] = reply.json()
    return result


async def test_keep_alive_and_chunked_bodies(raw: tuple[RawServer, str]) -> None:
    server, base = raw
    async with httpx.AsyncClient(base_url=base, transport=LeanTransport()) as client:
        assert await _parse(client) == json.loads(REPLY)
        server.mode = "chunked"
        assert await _parse(client) == json.loads(REPLY)
    assert server.connections == 1
    first = server.requests[0]
    assert first.startswith(b"POST /model/parse?token=t HTTP/1.1\r\n")
    assert first.endswith('{"text":"xin chào"}'.encode())


async def test_a_connection_dropped_while_idle_is_reopened(raw: tuple[RawServer, str]) -> None:
    server, base = raw
    server.mode = "close"
    async with httpx.AsyncClient(base_url=base, transport=LeanTransport()) as client:
        for _ in range(3):
            assert await _parse(client) == json.loads(REPLY)
    assert server.connections == 3 and len(server.requests) == 3  # each sent once


async def test_a_slow_rasa_is_unavailable(raw: tuple[RawServer, str]) -> None:
    server, base = raw
    server.mode = "slow"
    rasa = RasaRecognizer(base, "t", timeout=0.2)
    with pytest.raises(RasaUnavailable, match="timed out"):
        await rasa.recognize("quên mật khẩu vneid")
    await rasa.aclose()


async def test_nobody_listening_is_unavailable() -> None:
    rasa = RasaRecognizer("http://127.0.0.1:9", "t", timeout=0.5)
    with pytest.raises(RasaUnavailable, match="unreachable"):
        await rasa.recognize("cài vneid")
    await rasa.aclose()
