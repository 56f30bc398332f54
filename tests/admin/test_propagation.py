"""A publish reaches every worker without a restart: two server processes on one PostgreSQL
database; the console publishes through one, a resident chats with the other."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from bot.accounts import AccountService
from bot.storage.accounts import AccountStore
from bot.storage.audit import AuditStore
from bot.storage.database import Database
from bot.storage.migrate import upgrade_async
from tests.accounts.conftest import CHEAP
from tests.conftest import FLOWS, ROOT

pytestmark = pytest.mark.postgres
PASSWORD = "mật khẩu thử nghiệm 1"
DEADLINE = 5.0  # the promise: every worker within 5 seconds


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def spawn(url: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DATABASE_URL": url, "NLU": "keywords", "PORT": str(port),
           "FLOWS_DIR": str(FLOWS)}
    with log.open("wb") as sink:
        return subprocess.Popen([sys.executable, "-m", "bot", "serve"], env=env, cwd=ROOT,
                                stdout=sink, stderr=subprocess.STDOUT)


def tail(log: Path) -> str:
    return log.read_text(errors="replace")[-3000:]


async def start(url: str, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    process = spawn(url, port, log)
    base = f"http://127.0.0.1:{port}"
    async with httpx.AsyncClient(base_url=base, timeout=2) as client:
        for _ in range(600):
            assert process.poll() is None, tail(log)
            try:
                if (await client.get("/healthz")).status_code == 200:
                    return process, base
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    process.kill()
    raise AssertionError("server did not start: " + tail(log))


@pytest.fixture
async def two_servers(postgres_url: str, tmp_path: Path) -> AsyncIterator[tuple[str, str]]:
    await upgrade_async(postgres_url)
    database = Database(postgres_url)
    await AccountService(AccountStore(database.engine), AuditStore(database.engine),
                         passwords=CHEAP).create_user("editor", "editor", password=PASSWORD)
    await database.dispose()
    first = await start(postgres_url, tmp_path / "a.log")
    second = await start(postgres_url, tmp_path / "b.log")
    try:
        yield first[1], second[1]
    finally:
        for process, _ in (first, second):
            process.terminate()
            process.wait(timeout=20)


async def first_text(client: httpx.AsyncClient, user: str) -> str:
    response = await client.post("/api/chat", json={"user": user,
                                                    "text": "/start vneid_install"})
    return "\n".join(m["text"] for m in response.json()["messages"])


async def test_a_publish_reaches_the_other_process(two_servers: tuple[str, str]) -> None:
    console_base, resident_base = two_servers
    new_text = "Bác mở CH Play (văn bản vừa xuất bản ở máy chủ bên kia)."
    async with httpx.AsyncClient(base_url=console_base, timeout=10) as console, \
            httpx.AsyncClient(base_url=resident_base, timeout=10) as resident:
        assert new_text not in await first_text(resident, "before")
        login = await console.post("/admin/api/login", json={"login": "editor",
                                                             "password": PASSWORD})
        csrf = {"X-CSRF-Token": login.json()["csrf_token"]}
        flow = (await console.get("/admin/api/flows/vneid_install")).json()
        flow["document"]["steps"][0]["text"] = new_text
        draft = await console.put("/admin/api/flows/vneid_install/draft", headers=csrf, json={
            "base_version": flow["published_version"], "document": flow["document"]})
        version = draft.json()["draft_version"]
        assert new_text not in await first_text(resident, "draft")  # a draft is not served
        published = await console.post("/admin/api/flows/vneid_install/publish", headers=csrf,
                                       json={"version": version})
        assert published.status_code == 200
        started = time.monotonic()
        seen_after = None
        for attempt in range(200):
            if new_text in await first_text(resident, f"after-{attempt}"):
                seen_after = time.monotonic() - started
                break
            await asyncio.sleep(0.05)
        assert seen_after is not None and seen_after < DEADLINE
        assert new_text in await first_text(console, "same-process")
    print(json.dumps({"propagation_seconds": round(seen_after, 3), "database": "postgres",
                      "processes": 2}))
