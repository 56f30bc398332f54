"""The benchmark's simulated residents: a minimal keep-alive HTTP client and two behaviours,
pressing the forward button of a guide, or typing free-text questions."""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

STANDARD = ("c:back", "c:stuck", "c:menu", "c:resume", "fb:")


def forward(messages: list[dict[str, Any]]) -> str | None:
    """The payload a resident walking straight through would press."""
    for message in reversed(messages):
        for button in message["buttons"]:
            if not button["payload"].startswith(STANDARD):
                return str(button["payload"])
    return None


@dataclass
class Tally:
    """What one scenario measured on the client side."""

    latencies: list[float] = field(default_factory=list)
    workers: Counter[str] = field(default_factory=Counter)


class Connection:
    """A minimal HTTP/1.1 keep-alive client for one simulated resident.

    httpx costs about a millisecond of CPU per request, on the same two cores as the server;
    this costs a tenth of that, so the figures measure the server, not the client."""

    def __init__(self, host: str, port: int, tally: Tally) -> None:
        self.host, self.port, self.tally = host, port, tally
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        data = json.dumps(body).encode()
        started = time.perf_counter()
        self.writer.write(
            f"POST {path} HTTP/1.1\r\nHost: {self.host}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(data)}\r\n\r\n".encode() + data)
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        status = int(lines[0].split(b" ", 2)[1])
        headers = {k.strip().lower(): v.strip() for k, _, v in
                   (line.partition(b":") for line in lines[1:] if line)}
        payload = await self.reader.readexactly(int(headers[b"content-length"]))
        self.tally.latencies.append((time.perf_counter() - started) * 1000)
        self.tally.workers[headers.get(b"x-digiguide-worker", b"1").decode()] += 1
        if status != 200:
            raise RuntimeError(f"HTTP {status}: {payload[:200]!r}")
        result: dict[str, Any] = json.loads(payload)
        return result

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            await self.writer.wait_closed()


async def press_buttons(connection: Connection, user: str, flow: str, turns: int) -> None:
    """Walk ``flow`` by its forward buttons, starting over at the end."""
    payload: str | None = None
    for _ in range(turns):
        body = {"user": user, "payload": payload} if payload else {
            "user": user, "text": f"/start {flow}"}
        answer = await connection.post("/api/chat", body)
        payload = forward(answer["messages"])
        if payload is not None and payload.startswith("f:"):
            payload = None  # a "related guide" button: start over instead


async def type_questions(connection: Connection, user: str, texts: list[str], turns: int,
                         offset: int) -> None:
    """Send free-text questions (every one goes through the NLU), each resident starting at
    its own place in the list."""
    for i in range(turns):
        await connection.post("/api/chat", {"user": user,
                                            "text": texts[(offset + i) % len(texts)]})
