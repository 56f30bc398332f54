"""Composition root: settings -> database -> flows -> NLU -> conversation service -> channels."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from typing import Any

from bot.clock import Clock, SystemClock
from bot.communes import CommuneDirectory
from bot.config import Settings
from bot.conversation import ConversationService
from bot.engine.catalog import Catalog
from bot.engine.engine import Engine
from bot.flowspec import load_flows
from bot.flowspec.model import Flow
from bot.intents.base import IntentRecognizer
from bot.intents.keywords import KeywordRecognizer
from bot.intents.runtime import nlu_runtime
from bot.outbox import Inbox, Outbox
from bot.sharing import ShareCodes
from bot.storage.conversations import ConversationStore
from bot.storage.database import Database
from bot.storage.flow_store import FlowStore
from bot.storage.inbox import InboxStore
from bot.storage.migrate import upgrade_async
from bot.storage.outbox import OutboxStore
from bot.storage.runner import Transactions
from bot.storage.share_codes import ShareCodeStore

log = logging.getLogger(__name__)
SEEN_MESSAGES_KEPT = dt.timedelta(days=7)
OUTBOX_KEPT = dt.timedelta(days=30)
WORKERS_STOP_TIMEOUT = 10.0  # seconds to finish the deliveries in hand at shutdown


@dataclass
class Runtime:
    settings: Settings
    database: Database
    catalog: Catalog
    recognizer: IntentRecognizer
    service: ConversationService
    clock: Clock
    transactions: Transactions
    outbox: Outbox
    inbox: Inbox
    codes: ShareCodes

    @asynccontextmanager
    async def workers(self) -> AsyncIterator[None]:
        """The outbox and inbox workers of the channels registered so far, in the background
        for the duration of the block; at the end they finish what they hold (a delivery cut
        off anyway is claimed again after its lease, by this or another process)."""
        tasks = [asyncio.create_task(self.outbox.run()), asyncio.create_task(self.inbox.run())]
        try:
            yield
        finally:
            self.outbox.stop()
            self.inbox.stop()
            _, pending = await asyncio.wait(tasks, timeout=WORKERS_STOP_TIMEOUT)
            for task in pending:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def health(self) -> dict[str, Any]:
        database = "ok" if await self.database.ping() else "error"
        nlu = "ok" if await self.recognizer.healthy() else "degraded"
        return {"database": database, "nlu": nlu, "flows": len(self.catalog.flows)}


async def load_catalog(settings: Settings, database: Database) -> Catalog:
    """Import ``flows/`` into the versioned flow store, then serve what the store publishes.

    A broken file is reported and skipped; the other guides keep working."""
    loaded, problems = load_flows([settings.flows_dir])
    for problem in problems:
        log.error("flow problem: %s", problem)
    store = FlowStore(database.engine)
    changed = await store.import_documents([item.flow.model_dump(mode="json")
                                            for item in loaded])
    if changed:
        log.info("imported new versions of %d flow(s): %s", len(changed), ", ".join(changed))
    flows = [Flow.model_validate(doc) for doc in await store.published_documents()]
    return Catalog(flows)


@asynccontextmanager
async def build_runtime(settings: Settings, *, migrate: bool = True,
                        recognizer: IntentRecognizer | None = None, clock: Clock | None = None,
                        poll: float = 1.0) -> AsyncIterator[Runtime]:
    """Everything a channel needs, started and stopped together."""
    if migrate:
        await upgrade_async(settings.database_url)
    database = Database(settings.database_url)
    try:
        catalog = await load_catalog(settings, database)
        engine = Engine(catalog, settings.places)
        keywords = KeywordRecognizer(c.flow for c in catalog.flows.values())
        async with AsyncExitStack() as stack:
            chosen = recognizer
            if chosen is None and settings.nlu_mode == "keywords":
                chosen = keywords
            elif chosen is None:
                chosen = await stack.enter_async_context(
                    nlu_runtime(keywords, rasa_url=settings.rasa_url))
            clock = clock or SystemClock()
            transactions = Transactions(database.engine)
            stack.callback(transactions.close)
            store = ConversationStore(database.engine, transactions)
            await store.forget_seen_messages(older_than=SEEN_MESSAGES_KEPT)
            inbox_store = InboxStore(transactions)
            await inbox_store.prune(before=clock.now() - SEEN_MESSAGES_KEPT)
            codes = ShareCodes(ShareCodeStore(transactions), clock)
            await codes.ensure_guides(catalog)
            communes = CommuneDirectory.load(settings.communes_dir, engine.places)
            process_id = uuid.uuid4().hex
            service = ConversationService(engine, store, chosen, process_id=process_id,
                                          communes=communes, clock=clock)
            outbox_store = OutboxStore(transactions)
            await outbox_store.prune(before=clock.now() - OUTBOX_KEPT)
            outbox = Outbox(outbox_store, clock, poll=poll, worker_id=process_id)
            inbox = Inbox(inbox_store, clock, poll=poll, worker_id=process_id)
            yield Runtime(settings, database, catalog, chosen, service, clock, transactions,
                          outbox, inbox, codes)
    finally:
        await database.dispose()
