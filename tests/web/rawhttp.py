"""A server in its own thread (so synchronous hypothesis tests can drive it) and a raw
HTTP/1.1 client that shows what happens to a keep-alive connection."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractAsyncContextManager, contextmanager
from dataclasses import dataclass
from typing import Any

import uvicorn


@contextmanager
def threaded(make: Callable[[], AbstractAsyncContextManager[Any]]) -> Iterator[int]:
    """Serve the app ``make()`` yields, on a free loopback port, from another thread."""
    ready = threading.Event()
    box: dict[str, Any] = {}

    async def main() -> None:
        try:
            async with make() as app:
                config = uvicorn.Config(app, host="127.0.0.1", port=0, log_config=None,
                                        access_log=False, lifespan="off", server_header=False)
                server = box["server"] = uvicorn.Server(config)
                task = asyncio.create_task(server.serve())
                while not server.started:
                    if task.done():
                        task.result()
                    await asyncio.sleep(0.01)
                box["port"] = server.servers[0].sockets[0].getsockname()[1]
                ready.set()
                await task
        finally:
            ready.set()

    def run() -> None:
        try:
            asyncio.run(main())
        except BaseException as error:  # the test sees why the server did not start
            box["error"] = error

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    ready.wait(120)
    if "port" not in box:
        raise RuntimeError("the server did not start") from box.get("error")
    try:
        yield box["port"]
    finally:
        box["server"].should_exit = True
        thread.join(30)


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes


class Connection:
    """One client connection, reopened only when the server said ``Connection: close``."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.sock: socket.socket | None = None
        self.opened = 0

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None

    def raw(self, data: bytes) -> Answer:
        if self.sock is None:
            self.sock = socket.create_connection(("127.0.0.1", self.port), timeout=15)
            self.opened += 1
        self.sock.sendall(data)
        answer = self._read()
        if answer.headers.get("connection", "").lower() == "close":
            self.close()
        return answer

    def request(self, method: str, path: str, body: bytes = b"",
                headers: dict[str, str] | None = None) -> Answer:
        lines = [f"{method} {path} HTTP/1.1", "Host: test", f"Content-Length: {len(body)}",
                 *(f"{k}: {v}" for k, v in (headers or {}).items())]
        return self.raw(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)

    def _read(self) -> Answer:
        assert self.sock is not None
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError(f"connection closed without an answer: {data!r}")
            data += chunk
        head, body = data.split(b"\r\n\r\n", 1)
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        headers: dict[str, str] = {}
        for line in header_lines:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0"))
        while len(body) < length:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("connection closed in the middle of an answer")
            body += chunk
        return Answer(int(status_line.split()[1]), headers, body[:length])
