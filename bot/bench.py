"""``python -m bot bench --json``: simulated residents walking guides over the HTTP API.

The server runs in its own process (as in production) with every turn persisted; the
residents are coroutines in this process pressing the guide's forward button ("Xong" or the
first authored choice) until the guide ends, then opening it again. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

STANDARD = ("c:back", "c:stuck", "c:menu", "c:resume", "fb:")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _forward(messages: list[dict[str, Any]]) -> str | None:
    """The payload a resident walking straight through would press."""
    for message in reversed(messages):
        for button in message["buttons"]:
            if not button["payload"].startswith(STANDARD):
                return str(button["payload"])
    return None


class _Connection:
    """A minimal HTTP/1.1 keep-alive client for one simulated resident.

    httpx costs about a millisecond of CPU per request, on the same two cores as the server;
    this costs a tenth of that, so the figures measure the server, not the client."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        data = json.dumps(body).encode()
        self.writer.write(
            f"POST {path} HTTP/1.1\r\nHost: {self.host}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(data)}\r\n\r\n".encode() + data)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = next(int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                      if line.lower().startswith(b"content-length:"))
        payload = await self.reader.readexactly(length)
        if status != 200:
            raise RuntimeError(f"HTTP {status}: {payload[:200]!r}")
        result: dict[str, Any] = json.loads(payload)
        return result

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            await self.writer.wait_closed()


async def _resident(host: str, port: int, user: str, flow: str, turns: int,
                    latencies: list[float]) -> None:
    connection = _Connection(host, port)
    payload: str | None = None
    try:
        for _ in range(turns):
            body = {"user": user, "payload": payload} if payload else {
                "user": user, "text": f"/start {flow}"}
            started = time.perf_counter()
            answer = await connection.post("/api/chat", body)
            latencies.append((time.perf_counter() - started) * 1000)
            payload = _forward(answer["messages"])
            if payload is not None and payload.startswith("f:"):
                payload = None  # a "related guide" button: start over instead
    finally:
        await connection.close()


async def _scenario(port: int, residents: int, turns: int, flow: str, tag: str
                    ) -> dict[str, Any]:
    latencies: list[float] = []
    await _resident("127.0.0.1", port, f"warm-{tag}", flow, 5, [])
    started = time.perf_counter()
    await asyncio.gather(*(_resident("127.0.0.1", port, f"{tag}-{i}", flow, turns, latencies)
                           for i in range(residents)))
    elapsed = time.perf_counter() - started
    cuts = statistics.quantiles(latencies, n=100)
    return {"residents": residents, "turns": len(latencies),
            "turns_per_second": round(len(latencies) / elapsed, 1),
            "latency_ms_p50": round(cuts[49], 2), "latency_ms_p95": round(cuts[94], 2),
            "latency_ms_p99": round(cuts[98], 2)}


def _peak_rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


async def _wait_ready(base: str, process: subprocess.Popen[bytes]) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=2) as client:
        for _ in range(300):
            if process.poll() is not None:
                raise RuntimeError("the server exited during start-up")
            try:
                if (await client.get("/healthz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError("the server did not become ready")


def _start_server(url: str, label: str) -> tuple[subprocess.Popen[bytes], Path, int]:
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": url, "NLU": "keywords", "PORT": str(port)}
    log = Path(tempfile.mkstemp(prefix=f"bench-{label}-", suffix=".log")[1])
    with log.open("wb") as sink:
        process = subprocess.Popen([sys.executable, "-m", "bot", "serve"], env=env,
                                   stdout=sink, stderr=subprocess.STDOUT)
    return process, log, port


def _failure(label: str, exc: Exception, process: subprocess.Popen[bytes], log: Path
             ) -> RuntimeError:
    state = f"exited with {process.poll()}" if process.poll() is not None else "running"
    tail = log.read_text(errors="replace")[-2000:]
    return RuntimeError(f"{label}: {exc!r}; server {state}; log {log}:\n{tail}")


async def _bench_database(url: str, label: str, args: argparse.Namespace) -> dict[str, Any]:
    process, log, port = _start_server(url, label)
    try:
        await _wait_ready(f"http://127.0.0.1:{port}", process)
        results = [await _scenario(port, n, args.turns, args.flow, f"{label}{n}")
                   for n in args.residents]
        return {"database": label, "scenarios": results, "server_peak_rss_mb":
                _peak_rss_mb(process.pid)}
    except (OSError, asyncio.IncompleteReadError, RuntimeError) as exc:
        raise _failure(label, exc, process, log) from exc
    finally:
        process.terminate()
        process.wait(timeout=30)


async def _run(args: argparse.Namespace) -> dict[str, Any]:
    report: dict[str, Any] = {"flow": args.flow, "turns_per_resident": args.turns,
                              "cpus": os.cpu_count(), "databases": []}
    with tempfile.TemporaryDirectory() as tmp:
        targets = []
        if "sqlite" in args.databases:
            targets.append(("sqlite", f"sqlite+aiosqlite:///{tmp}/bench.db"))
        postgres = args.postgres_url or os.environ.get("TEST_DATABASE_URL")
        if "postgres" in args.databases and postgres:
            targets.append(("postgres", postgres))
        elif "postgres" in args.databases:
            report["postgres"] = "skipped: set TEST_DATABASE_URL or --postgres-url"
        for label, url in targets:
            report["databases"].append(await _bench_database(url, label, args))
    return report


def _bench(args: argparse.Namespace) -> int:
    report = asyncio.run(_run(args))
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
    else:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    return 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("bench", help="measure turns/second and latency over HTTP")
    parser.add_argument("--json", action="store_true", help="one line of JSON")
    parser.add_argument("--residents", type=lambda s: [int(x) for x in s.split(",")],
                        default=[1, 50], help="concurrency levels, e.g. 1,10,50")
    parser.add_argument("--turns", type=int, default=200, help="turns per resident")
    parser.add_argument("--flow", default="vneid_install")
    parser.add_argument("--databases", type=lambda s: s.split(","), default=["sqlite", "postgres"])
    parser.add_argument("--postgres-url", default=None)
    parser.set_defaults(handler=_bench)
