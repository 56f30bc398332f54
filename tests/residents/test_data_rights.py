"""A resident sees what is stored about them and erases it from the chat; staff export and
erase from the command line; old message texts are erased by the retention job."""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import func, select, text, update

from bot.app import Runtime, build_runtime
from bot.commands import main
from bot.jobs import JobContext
from bot.storage.tables import events, handoffs, residents, unanswered
from tests.conftest import settings_for
from tests.storage.test_conversations import press, say

USER = "rights-1"
OTHER = "rights-2"


@pytest.fixture
async def rt(database_url: str) -> AsyncIterator[Runtime]:
    async with build_runtime(settings_for(database_url)) as runtime:
        yield runtime


async def _talk(rt: Runtime, user: str, story: str = "tôi bị mất điện thoại hôm qua ở chợ"
                ) -> None:
    replies = await say(rt, user, text="/start vneid_install")
    replies = await say(rt, user, payload=press(replies, "✅"))
    await say(rt, user, text=story)  # unanswered: stored (masked) for the admins
    await say(rt, user, payload=press(replies, "🆘"))  # a hand-off


async def _dump_everything(rt: Runtime) -> str:
    """Every row of every table, as text: what a database reader could find."""
    async with rt.database.engine.connect() as conn:
        names = await conn.run_sync(lambda c: c.dialect.get_table_names(c))
        rows = []
        for name in names:
            result = await conn.execute(text(f'SELECT * FROM "{name}"'))
            rows += [name + ": " + json.dumps(list(r), default=str, ensure_ascii=False)
                     for r in result]
    return "\n".join(rows)


async def test_a_resident_sees_then_erases_their_data(rt: Runtime) -> None:
    await _talk(rt, USER, "con gái tôi tên Xíu ở xóm Đình Cỏ cài giúp mà không được")
    await _talk(rt, OTHER)
    shown = await say(rt, USER, text="xem dữ liệu của tôi")
    summary = shown[-1].text
    assert "Đây là những gì cháu đang lưu" in summary
    assert "Cài ứng dụng VNeID" in summary  # the guide in progress
    assert "con gái tôi tên Xíu" in summary  # a recent message
    assert "1 lần nhờ tổ hỗ trợ" in summary
    erase_button = press(shown, "🗑️")

    asked = await say(rt, USER, payload=erase_button)
    assert "xóa toàn bộ dữ liệu" in asked[0].text
    kept = await say(rt, USER, payload=press(asked, "Không xóa"))
    assert "giữ nguyên" in kept[0].text
    asked = await say(rt, USER, text="Xóa dữ liệu của tôi")  # typed, any case
    done = await say(rt, USER, payload=press(asked, "🗑️"))
    assert done[0].text.startswith("✅ Cháu đã xóa toàn bộ dữ liệu")

    everything = await _dump_everything(rt)
    leftovers = [row for row in everything.splitlines()
                 if USER in row or "Xíu" in row or "Đình Cỏ" in row]
    assert not leftovers
    assert "mất điện thoại" in everything  # the other resident's message is still there
    async with rt.database.engine.connect() as conn:
        ids = (await conn.execute(select(residents.c.id, residents.c.external_id))).all()
        assert [r.external_id for r in ids] == [OTHER]
        other_id = ids[0].id
        for table in (events, unanswered, handoffs):
            owners = set((await conn.execute(select(table.c.resident_id))).scalars())
            assert owners == {other_id}, table.name
        texts = list((await conn.execute(select(unanswered.c.text))).scalars())
        assert len(texts) == 1  # only the other resident's message remains
    counts = await rt.data_rights.store.anonymous_counts()
    assert counts[("flow_started", "vneid_install")] == 1
    assert counts[("handoff", "vneid_install")] == 1
    assert counts[("resident_erased", "")] == 1
    assert counts[("message_in", "")] >= 5

    again = await say(rt, USER, text="xem dữ liệu của tôi")  # a new, empty resident
    assert "1 tin nhắn" in again[-1].text  # just this request
    assert "con gái" not in again[-1].text


def test_staff_export_and_delete_from_the_command_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import asyncio

    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"

    async def seed() -> None:
        async with build_runtime(settings_for(url)) as runtime:
            await _talk(runtime, USER)

    asyncio.run(seed())
    monkeypatch.setenv("DATABASE_URL", url)
    assert main(["residents", "export", f"web:{USER}"]) == 0
    exported = json.loads(capsys.readouterr().out)
    assert exported["resident"]["external_id"] == USER
    assert any("mất điện thoại" in m.get("text", "") for m in exported["messages"])
    assert exported["handoffs"][0]["flow_id"] == "vneid_install"
    assert main(["residents", "delete", f"web:{USER}"]) == 0
    assert json.loads(capsys.readouterr().out)["handoffs"] == 1
    assert main(["residents", "export", f"web:{USER}"]) == 1
    assert "nothing stored" in capsys.readouterr().err
    assert os.environ["DATABASE_URL"] == url
    with pytest.raises(SystemExit):
        main(["residents", "delete", "no-colon"])


async def test_retention_erases_old_texts_and_keeps_the_figures(rt: Runtime) -> None:
    await _talk(rt, USER)
    await _talk(rt, OTHER)
    old = dt.datetime.now(dt.UTC) - dt.timedelta(days=200)
    async with rt.database.engine.begin() as conn:
        user_id = (await conn.execute(select(residents.c.id).where(
            residents.c.external_id == USER))).scalar_one()
        for table in (events, unanswered):
            await conn.execute(update(table).where(table.c.resident_id == user_id)
                               .values(created_at=old))

    async def message_texts() -> dict[str, list[str | None]]:
        async with rt.database.engine.connect() as conn:
            rows = await conn.execute(select(residents.c.external_id, events.c.data).join(
                residents, residents.c.id == events.c.resident_id).where(
                events.c.kind == "message_in"))
            found: dict[str, list[str | None]] = {}
            for who, data in rows:
                found.setdefault(who, []).append(data.get("text"))
            return found

    before = await message_texts()
    job = rt.data_rights.retention_job()
    cursor = await job.run(JobContext(dt.datetime.now(dt.UTC), None))
    after = await message_texts()
    assert {k: len(v) for k, v in after.items()} == {k: len(v) for k, v in before.items()}
    assert not any(after[USER]) and any(before[USER])  # texts gone, rows (figures) kept
    assert after[OTHER] == before[OTHER]  # recent: untouched
    async with rt.database.engine.connect() as conn:
        blank = (await conn.execute(select(func.count()).select_from(unanswered).where(
            unanswered.c.resident_id == user_id, unanswered.c.text == ""))).scalar()
        assert blank == 1
    # The next run starts at the previous cut-off and finds nothing new.
    assert await job.run(JobContext(dt.datetime.now(dt.UTC), cursor)) > cursor
    assert await message_texts() == after
