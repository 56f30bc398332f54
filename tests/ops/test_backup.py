"""``db backup`` / ``db restore`` round trip on SQLite and PostgreSQL: residents mid-guide
continue from where the backup left them; a broken file is refused and changes nothing."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.app import build_runtime
from bot.engine.messages import Reply
from bot.storage.backup import BackupError, backup, restore
from tests.conftest import settings_for
from tests.storage.test_conversations import press, say


def forward(replies: list[Reply]) -> str:
    has_done = any(b.label.startswith("✅") for r in replies for b in r.buttons)
    return press(replies, "✅" if has_done else "Android")


async def _walk(url: str, user: str, presses: int) -> str:
    """Open the VNeID guide and press forward; the last step's text."""
    async with build_runtime(settings_for(url)) as rt:
        replies = await say(rt, user, text="/start vneid_install")
        for _ in range(presses):
            replies = await say(rt, user, payload=forward(replies))
        return replies[0].text


async def _continue(url: str, user: str) -> tuple[str, str]:
    """A resident coming back after the restore: offered to resume, then one step on."""
    async with build_runtime(settings_for(url)) as rt:
        offer = await say(rt, user, text="alo")
        resumed = await say(rt, user, payload=press(offer, "▶️"))
        onward = await say(rt, user, payload=forward(resumed))
        return resumed[0].text, onward[0].text


async def test_backup_and_restore_round_trip(database_url: str, tmp_path: Path) -> None:
    at_backup = await _walk(database_url, "mid-1", 3)
    assert at_backup.startswith("**Bước 4/")
    await _walk(database_url, "mid-2", 1)
    file = tmp_path / "backups" / "digiguide.backup"
    await asyncio.to_thread(backup, database_url, file)
    assert file.stat().st_size > 0

    after_backup = await _walk(database_url, "mid-1", 5)  # work done after the backup ...
    assert not after_backup.startswith("**Bước 4/")
    await _walk(database_url, "late", 1)
    await asyncio.to_thread(restore, database_url, file)  # ... is rolled back

    resumed, onward = await _continue(database_url, "mid-1")
    assert resumed == at_backup
    assert onward.startswith("**Bước 5/")
    resumed_2, _ = await _continue(database_url, "mid-2")
    assert resumed_2.startswith("**Bước 2/")
    async with build_runtime(settings_for(database_url)) as rt:
        fresh = await say(rt, "late", text="alo")  # unknown before the backup: a greeting
        assert "làm dở" not in fresh[0].text


async def test_a_broken_backup_is_refused_and_changes_nothing(
        database_url: str, tmp_path: Path) -> None:
    before = await _walk(database_url, "kept", 2)
    broken = tmp_path / "broken.backup"
    broken.write_bytes(b"not a backup at all")
    with pytest.raises(BackupError):
        await asyncio.to_thread(restore, database_url, broken)
    with pytest.raises(BackupError, match="does not exist"):
        await asyncio.to_thread(restore, database_url, tmp_path / "missing")
    resumed, _ = await _continue(database_url, "kept")
    assert resumed == before
