"""The live catalog: concurrent refreshes never return before the newer catalog is in place."""

from __future__ import annotations

import asyncio

from bot.app import Runtime
from bot.engine.catalog import Catalog
from bot.flows.live import LiveCatalog
from tests.flows.helpers import EDITOR, step, working_copy

NEW_TEXT = "Bản mới của bước chuẩn bị."


async def test_a_refresh_waits_for_the_rebuild_under_way(runtime: Runtime) -> None:
    gate = asyncio.Event()
    slow = True

    async def before_build() -> None:
        if slow:  # the first rebuild (the background poll, say) is slow
            await gate.wait()

    live = LiveCatalog(runtime.live.flows, runtime.live.communes, runtime.live.flows_dir,
                       before_build=before_build)
    installed: list[Catalog] = []
    live.listeners.append(lambda catalog, _communes: installed.append(catalog))
    slow = False
    await live.refresh()
    slow = True

    flows = runtime.console.flows
    base, document = await working_copy(runtime, "vneid_install")
    step(document, "prepare")["text"] = NEW_TEXT
    draft = await flows.save_draft(EDITOR, "vneid_install", base, document, "new text")
    await flows.publish(EDITOR, "vneid_install", draft)

    polling = asyncio.create_task(live.refresh())
    await asyncio.sleep(0.05)  # the poll is now inside its slow rebuild
    asking = asyncio.create_task(live.refresh())
    await asyncio.sleep(0.05)
    assert not asking.done(), "a refresh returned while the newer catalog was still building"
    gate.set()
    await asyncio.gather(polling, asking)
    newest = installed[-1].flows["vneid_install"].steps["prepare"].text
    assert newest == NEW_TEXT
