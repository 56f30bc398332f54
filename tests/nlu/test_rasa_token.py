"""The Rasa server's auth token never appears on its command line (issue #9): every user of
the machine can read command lines in ``ps``."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.intents.rasa_server import RasaServer
from bot.config import NluPaths

TOKEN = "-starts-with-a-dash-Z9"


def test_the_token_travels_in_the_environment() -> None:
    server = RasaServer(Path("models/m.tar.gz"), 5099, TOKEN, NluPaths())
    args, env = server.command()
    assert not [a for a in args if TOKEN in a]
    assert TOKEN in env.values()


@pytest.mark.rasa
@pytest.mark.asyncio(loop_scope="session")
async def test_a_running_server_shows_no_token(rasa_server: RasaServer) -> None:
    assert rasa_server.pid is not None
    cmdline = Path(f"/proc/{rasa_server.pid}/cmdline").read_bytes()
    assert rasa_server.token.encode() not in cmdline
    assert b"run" in cmdline and os.path.exists(f"/proc/{rasa_server.pid}")
