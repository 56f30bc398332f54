"""Per-chat ordering of updates: one chat in order, other chats not held up."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from telegram import Update

from bot.channels.telegram.ordering import PerChatProcessor


def _update(chat_id: int) -> Update:
    return Update.de_json(
        {
            "update_id": chat_id,
            "message": {
                "message_id": 1,
                "date": 0,
                "chat": {"id": chat_id, "type": "private"},
                "text": "hi",
            },
        },
        None,
    )


async def test_updates_of_one_chat_wait_for_each_other_but_not_for_other_chats() -> None:
    processor = PerChatProcessor(8)
    order: list[str] = []
    started, release = asyncio.Event(), asyncio.Event()

    def work(name: str, wait: bool) -> Callable[[], Awaitable[None]]:
        async def run() -> None:
            order.append(f"{name} start")
            if wait:
                started.set()
                await release.wait()
            order.append(f"{name} end")

        return run

    first = asyncio.create_task(processor.process_update(_update(1), work("a1", True)()))
    await started.wait()
    second = asyncio.create_task(processor.process_update(_update(1), work("a2", False)()))
    for _ in range(5):  # let the second update of chat 1 reach its lock
        await asyncio.sleep(0)
    await processor.process_update(_update(2), work("b", False)())  # not held up by chat 1
    assert order == ["a1 start", "b start", "b end"]
    release.set()
    await asyncio.gather(first, second)
    assert order[3:] == ["a1 end", "a2 start", "a2 end"]
    assert not processor._locks  # nothing kept for idle chats
