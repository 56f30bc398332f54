"""``serve --workers N`` as a real process tree for tests, plus a keep-alive HTTP client that
knows which worker answered and retries like browsers and proxies do."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.conftest import FLOWS, ROOT


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


@dataclass
class Cluster:
    process: subprocess.Popen[bytes]
    port: int
    log: Path
    _seen: int = 0

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def workers(self) -> list[int]:
        return children(self.process.pid)

    def records(self) -> list[dict[str, Any]]:
        """The JSON log lines written so far (supervisor and workers)."""
        found = []
        for line in self.log.read_text(errors="replace").splitlines():
            with contextlib.suppress(ValueError):
                found.append(json.loads(line))
        return found

    async def wait_log(self, predicate: Callable[[dict[str, Any]], bool],
                       deadline: float = 90.0) -> dict[str, Any]:
        """The first log record matching ``predicate`` (a deadline only against hanging)."""
        end = time.monotonic() + deadline
        while time.monotonic() < end:
            for record in self.records():
                if predicate(record):
                    return record
            if self.process.poll() is not None:
                break
            await asyncio.sleep(0.2)
        raise AssertionError(f"no such log line; log tail:\n{self.log.read_text()[-3000:]}")


@contextlib.asynccontextmanager
async def cluster(tmp_path: Path, database_url: str, workers: int = 2,
                  **env: str) -> AsyncIterator[Cluster]:
    port = free_port()
    log = tmp_path / "cluster.log"
    # Load from one address, faster than any resident: the rate limits would refuse it.
    limits_off = {"RATE_RESIDENT_PER_MINUTE": "0", "RATE_NEW_RESIDENTS_PER_HOUR": "0",
                  "RATE_HANDOFFS_PER_HOUR": "0"}
    environment = {**os.environ, "DATABASE_URL": database_url, "NLU": "keywords",
                   "PORT": str(port), "FLOWS_DIR": str(FLOWS), "LOG_FORMAT": "json",
                   **limits_off, **env}
    if "TELEGRAM_BOT_TOKEN" not in env:
        environment.pop("TELEGRAM_BOT_TOKEN", None)
    command = [sys.executable, "-m", "bot", "serve", "--workers", str(workers)]
    with log.open("wb") as sink:
        process = subprocess.Popen(command, env=environment, cwd=ROOT,  # noqa: ASYNC220
                                   stdout=sink, stderr=subprocess.STDOUT)
    running = Cluster(process, port, log)
    try:
        await running.wait_log(lambda r: "workers serve" in r.get("message", ""), 180)
        yield running
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                await asyncio.to_thread(process.wait, 90)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


class Closed(Exception):
    """The server closed the connection before sending any byte of a response."""


@dataclass
class Connection:
    """One keep-alive HTTP/1.1 connection (a resident's browser tab)."""

    port: int
    reader: asyncio.StreamReader | None = None
    writer: asyncio.StreamWriter | None = None
    used: bool = False
    retries: int = 0
    workers: list[str] = field(default_factory=list)

    async def _open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        self.used = False

    async def request(self, method: str, path: str, body: dict[str, Any] | None = None
                      ) -> tuple[int, dict[str, str], bytes]:
        """Send one request. A reused connection closed by the server before answering
        (an idle keep-alive connection closed by a stopping worker) is reopened and the
        request sent again, as browsers and proxies do: the server never saw it."""
        for _ in range(3):
            if self.writer is None:
                await self._open()
            reused = self.used
            try:
                return await self._exchange(method, path, body)
            except (Closed, ConnectionResetError, BrokenPipeError):
                await self.close()
                if not reused:
                    raise
                self.retries += 1
        raise Closed("closed three times")

    async def _exchange(self, method: str, path: str, body: dict[str, Any] | None
                        ) -> tuple[int, dict[str, str], bytes]:
        assert self.reader is not None and self.writer is not None
        data = json.dumps(body).encode() if body is not None else b""
        self.writer.write(f"{method} {path} HTTP/1.1\r\nHost: t\r\nContent-Type: "
                          f"application/json\r\nContent-Length: {len(data)}\r\n\r\n".encode()
                          + data)
        await self.writer.drain()
        try:
            head = await self.reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError as error:
            if not error.partial:
                raise Closed from error
            raise
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {k.strip().lower(): v.strip() for k, _, v in
                   (line.partition(":") for line in lines[1:] if line)}
        payload = await self.reader.readexactly(int(headers.get("content-length", "0")))
        self.used = True
        if "x-digiguide-worker" in headers:
            self.workers.append(headers["x-digiguide-worker"])
        if headers.get("connection", "").lower() == "close":
            await self.close()
        return status, headers, payload

    async def chat(self, user: str, *, text: str | None = None,
                   payload: str | None = None) -> list[dict[str, Any]]:
        body = {"user": user, **({"text": text} if text else {}),
                **({"payload": payload} if payload else {})}
        status, _, raw = await self.request("POST", "/api/chat", body)
        if status != 200:
            raise AssertionError(f"HTTP {status}: {raw[:300]!r}")
        messages: list[dict[str, Any]] = json.loads(raw)["messages"]
        return messages

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()
        self.reader = self.writer = None


async def connection_to_each_worker(port: int, workers: int, tries: int = 64
                                    ) -> dict[str, Connection]:
    """Keep-alive connections, one answered by each worker (a connection stays with the
    worker that accepted it). Opened in bursts so that every worker gets some."""
    found: dict[str, Connection] = {}
    for _ in range(tries // 8):
        burst = [Connection(port) for _ in range(8)]
        await asyncio.gather(*(c.request("GET", "/healthz") for c in burst))
        for conn in burst:
            name = conn.workers[-1]
            if name not in found:
                found[name] = conn
            else:
                await conn.close()
        if len(found) == workers:
            return found
    raise AssertionError(f"only workers {sorted(found)} answered")
