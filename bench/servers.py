"""The processes the benchmark measures: the bot (one process, or a supervisor and its
workers) and one Rasa server shared by every run, with their CPU time read from /proc."""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import socket
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from bot.intents.rasa_server import NluError, RasaServer, ensure_model, free_port

TICKS = os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    kids: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            kids += [int(p) for p in (task / "children").read_text().split()]
    return kids


def tree(pid: int) -> list[int]:
    """``pid`` and all its descendants."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo += _children(current)
    return found


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of these processes (and of their children they waited for)."""
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += sum(int(x) for x in fields[11:15])  # utime stime cutime cstime
    return total / TICKS


def peak_rss_mb(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1])
    return round(total / 1024, 1)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    log: Path

    def pids(self) -> list[int]:
        return tree(self.process.pid)

    def failure(self, label: str, error: Exception) -> RuntimeError:
        state = "running" if self.process.poll() is None else f"exited {self.process.poll()}"
        tail = self.log.read_text(errors="replace")[-2000:]
        return RuntimeError(f"{label}: {error!r}; server {state}; log {self.log}:\n{tail}")


async def _wait_ready(server: Server) -> None:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{server.port}", timeout=2) as http:
        for _ in range(1200):
            if server.process.poll() is not None:
                raise server.failure("start", RuntimeError("exited during start-up"))
            with contextlib.suppress(httpx.TransportError):
                health = await http.get("/healthz")
                if health.status_code == 200 and health.json().get("nlu") == "ok":
                    return
            await asyncio.sleep(0.1)
    raise server.failure("start", RuntimeError("not ready"))


@contextlib.asynccontextmanager
async def bot_server(url: str, label: str, workers: int, env: dict[str, str]
                     ) -> AsyncIterator[Server]:
    port = _free_port()
    environment = {**os.environ, "DATABASE_URL": url, "PORT": str(port), "WORKERS": "1",
                   **env}
    handle, name = tempfile.mkstemp(prefix=f"bench-{label}-", suffix=".log")
    log = Path(name)
    command = [sys.executable, "-m", "bot", "serve", "--workers", str(workers)]
    process = subprocess.Popen(command, env=environment, stdout=handle,  # noqa: ASYNC220
                               stderr=subprocess.STDOUT)
    os.close(handle)
    server = Server(process, port, log)
    try:
        await _wait_ready(server)
        yield server
    finally:
        process.terminate()
        await asyncio.to_thread(process.wait, 90)


@contextlib.asynccontextmanager
async def rasa_server() -> AsyncIterator[tuple[dict[str, str], RasaServer]]:
    """One Rasa for all runs (trained first if needed): the environment pointing at it."""
    try:
        model = await ensure_model()
    except (NluError, OSError) as error:
        raise RuntimeError(f"free-text turns need the NLU model: {error}") from error
    server = RasaServer(model.path, free_port(), secrets.token_urlsafe(16))
    await server.start()
    try:
        yield {"NLU": "rasa", "RASA_URL": server.url, "RASA_TOKEN": server.token}, server
    finally:
        await server.stop()
