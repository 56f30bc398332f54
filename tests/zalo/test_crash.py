"""A real ``bot serve`` process killed with SIGKILL while a reply waits in the outbox (Zalo
answering 503): the restarted process sends it, once."""

from __future__ import annotations

import asyncio
import os
import socket
import sqlite3
import subprocess
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx

from tests.conftest import ROOT
from tests.zalo.fake_zalo import APP_ID, APP_SECRET, FIRST_REFRESH, OA_SECRET, FakeZalo
from tests.zalo.fake_zalo import ZaloWebhookClient as Webhook

WAIT = 120.0  # seconds: a bound so a broken build fails instead of hanging, not a speed claim
# (a fresh `serve` on a 2-core machine that trains Rasa for another test takes most of a minute)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen([sys.executable, "-m", "bot", "serve"], cwd=ROOT, env=env,
                                stdout=out, stderr=subprocess.STDOUT)


async def until(check: Callable[[], Awaitable[bool]], what: str) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + WAIT
    while loop.time() < deadline:
        if await check():
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"gave up waiting for {what}")


def outbox_statuses(db: Path) -> list[str]:
    try:
        with sqlite3.connect(db) as conn:
            return [row[0] for row in conn.execute(
                "SELECT status FROM outbox WHERE channel = 'zalo' ORDER BY id")]
    except sqlite3.OperationalError:
        return []  # not migrated yet


async def test_a_reply_queued_before_a_kill_is_sent_once_after_restart(
        tmp_path: Path, flows_dir: Path, fake: FakeZalo) -> None:
    db, port, log = tmp_path / "bot.db", free_port(), tmp_path / "serve.log"
    env = {**os.environ, "DATABASE_URL": f"sqlite+aiosqlite:///{db}", "FLOWS_DIR": str(flows_dir),
           "NLU": "keywords", "PORT": str(port), "ZALO_APP_ID": APP_ID,
           "ZALO_APP_SECRET": APP_SECRET, "ZALO_OA_SECRET": OA_SECRET,
           "ZALO_REFRESH_TOKEN": FIRST_REFRESH, "ZALO_API_URL": fake.base_url,
           "ZALO_OAUTH_URL": fake.base_url}
    env.pop("TELEGRAM_BOT_TOKEN", None)
    base = f"http://127.0.0.1:{port}"
    webhook = Webhook(base + "/zalo/webhook", fake, fake.clock)

    async def healthy() -> bool:
        try:
            async with httpx.AsyncClient() as client:
                return (await client.get(base + "/healthz")).json().get("zalo") == "ok"
        except httpx.HTTPError:
            return False

    fake.fail_next = [503] * 10_000  # Zalo is down: the reply stays in the outbox
    first = start(env, log)
    try:
        await until(healthy, "the first server")
        assert (await webhook.text("u1", "cài vneid")).status_code == 200

        async def queued() -> bool:
            return outbox_statuses(db) == ["pending"]

        await until(queued, "the reply to be queued")
    finally:
        first.kill()  # SIGKILL: no shutdown code runs
        first.wait()
    assert fake.sent == []

    fake.fail_next = []  # Zalo is back
    second = start(env, log)
    try:
        async def sent() -> bool:
            return outbox_statuses(db) == ["sent"]

        await until(sent, "the reply to be sent after the restart")
    finally:
        second.terminate()
        second.wait()
    replies = fake.sent_to("u1")
    assert len(replies) == 1, log.read_text()
    assert "Bước 1/" in replies[0].text
