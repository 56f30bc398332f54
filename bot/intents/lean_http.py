"""A lean httpx transport for the one request every free-text turn makes: ``POST /model/parse``.

httpx's default transport (httpcore over anyio) measured 1.3 ms of CPU per request on this
machine, a third of the bot's whole cost of a free-text turn; this transport, plain asyncio
streams with keep-alive, costs a fraction of that (README, "Free-text turns"). It speaks only
what a Rasa server answers: HTTP/1.1, ``Content-Length`` or chunked bodies, http or https. The
client above it stays httpx (timeouts, params, the same errors), so only the wire is replaced.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl

import httpx

MAX_HEAD = 64 * 1024
_Stream = tuple[asyncio.StreamReader, asyncio.StreamWriter]


class LeanTransport(httpx.AsyncBaseTransport):
    def __init__(self, max_connections: int = 20, max_idle: int = 10) -> None:
        self._idle: dict[tuple[str, str, int], list[_Stream]] = {}
        self._max_idle = max_idle
        self._slots = asyncio.Semaphore(max_connections)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        timeout = request.extensions.get("timeout", {})
        try:
            async with asyncio.timeout(timeout.get("pool")):
                await self._slots.acquire()
        except TimeoutError as error:
            raise httpx.PoolTimeout("too many requests to Rasa at once") from error
        try:
            return await self._send(request, timeout)  # connect and read limits
        finally:
            self._slots.release()

    async def _send(self, request: httpx.Request, limits: dict[str, float | None]
                    ) -> httpx.Response:
        url = request.url
        port = url.port or (443 if url.scheme == "https" else 80)
        key = (url.scheme, url.host, port)
        body = await request.aread()
        head = [f"{request.method} {url.raw_path.decode('ascii')} HTTP/1.1",
                f"Host: {url.netloc.decode('ascii')}"]
        head += [f"{name}: {value}" for name, value in request.headers.items()
                 if name.lower() not in ("host", "content-length", "transfer-encoding",
                                         "accept-encoding")]
        head.append("Accept-Encoding: identity")  # the body is handed to httpx as it came
        head.append(f"Content-Length: {len(body)}")
        wire = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body
        pooled = self._idle.get(key) or []
        # One retry on a pooled connection the server closed meanwhile (keep-alive timeout):
        # the request never reached the server, so it is safe to send again.
        while True:
            stream, reused = (pooled.pop(), True) if pooled else (None, False)
            if stream is None:
                stream = await self._connect(key, limits.get("connect"))
            try:
                async with asyncio.timeout(limits.get("read")):
                    status, headers, content, keep = await self._exchange(stream, wire)
            except TimeoutError as error:
                self._discard(stream)
                raise httpx.ReadTimeout("Rasa did not answer in time", request=request) from error
            except (OSError, asyncio.IncompleteReadError, ValueError) as error:
                self._discard(stream)
                if reused:
                    continue
                raise httpx.ReadError(f"connection failed: {error!r}", request=request) from error
            break
        if keep and len(self._idle.setdefault(key, [])) < self._max_idle:
            self._idle[key].append(stream)
        else:
            self._discard(stream)
        return httpx.Response(status, headers=headers, content=content, request=request)

    async def _connect(self, key: tuple[str, str, int], within: float | None) -> _Stream:
        scheme, host, port = key
        try:
            async with asyncio.timeout(within):
                return await asyncio.open_connection(
                    host, port, ssl=ssl.create_default_context() if scheme == "https" else None)
        except TimeoutError as error:
            raise httpx.ConnectTimeout(f"connecting to {host}:{port} timed out") from error
        except OSError as error:
            raise httpx.ConnectError(f"cannot connect to {host}:{port}: {error}") from error

    @staticmethod
    async def _exchange(stream: _Stream, wire: bytes
                        ) -> tuple[int, list[tuple[bytes, bytes]], bytes, bool]:
        reader, writer = stream
        writer.write(wire)
        await writer.drain()
        raw = await reader.readuntil(b"\r\n\r\n")
        if len(raw) > MAX_HEAD:
            raise ValueError("response head too large")
        lines = raw[:-4].split(b"\r\n")
        version, status, *_ = lines[0].split(b" ", 2)
        headers = [(k.strip(), v.strip()) for k, _, v in
                   (line.partition(b":") for line in lines[1:])]
        fields = {k.lower(): v for k, v in headers}
        if fields.get(b"transfer-encoding", b"").lower() == b"chunked":
            content = b""
            while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
                content += (await reader.readexactly(size + 2))[:-2]
            await reader.readuntil(b"\r\n")
            headers = [(k, v) for k, v in headers if k.lower() != b"transfer-encoding"]
        else:
            content = await reader.readexactly(int(fields.get(b"content-length", b"0")))
        keep = version == b"HTTP/1.1" and fields.get(b"connection", b"").lower() != b"close"
        return int(status), headers, content, keep

    @staticmethod
    def _discard(stream: _Stream) -> None:
        with contextlib.suppress(Exception):
            stream[1].close()

    async def aclose(self) -> None:
        for streams in self._idle.values():
            for stream in streams:
                self._discard(stream)
        self._idle.clear()
