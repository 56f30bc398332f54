"""The served catalog, kept current on every worker without a restart.

Every publish, rollback and commune change bumps a one-row counter in the database
(``catalog_revision``). Each process reads it every second (one primary-key read, on SQLite and
PostgreSQL alike) and rebuilds its catalog when it moved; the process that published is poked
and rebuilds at once. Polling was chosen over PostgreSQL's LISTEN/NOTIFY because it works the
same on SQLite, needs no dedicated connection, and cannot miss a notification across a
reconnect: a publish reaches every worker within about a second.

A flow is served at its published version only when that version passes every check of
``flows validate``; otherwise the newest earlier published version that passes is served, and
a flow with none is left out (and reported on ``/healthz``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

from bot.communes import Commune
from bot.engine.catalog import Catalog
from bot.flows.communes import CommuneService
from bot.flows.validation import servable
from bot.flowspec.model import Flow
from bot.storage.flow_store import FlowStore

log = logging.getLogger(__name__)
POLL_SECONDS = 1.0

Listener = Callable[[Catalog, dict[str, Commune]], None]


async def served_flows(store: FlowStore, flows_dir: Path) -> tuple[list[Flow], list[str]]:
    """The flows to serve and the ids of flows that have no version passing the checks."""
    candidates = await store.served_candidates()
    ids = set(candidates)
    flows: list[Flow] = []
    unserved: list[str] = []
    for flow_id, documents in sorted(candidates.items()):
        for age, document in enumerate(documents):
            flow = servable(document, ids, flows_dir)
            if flow is not None:
                if age:
                    log.error("flow %s: the published version fails the checks; serving the "
                              "one published %d version(s) before", flow_id, age)
                flows.append(flow)
                break
        else:
            log.error("flow %s: no published version passes the checks; not served", flow_id)
            unserved.append(flow_id)
    return flows, unserved


class LiveCatalog:
    def __init__(self, flows: FlowStore, communes: CommuneService, flows_dir: Path, *,
                 interval: float = POLL_SECONDS,
                 before_build: Callable[[], Awaitable[None]] | None = None) -> None:
        self.flows = flows
        self.communes = communes
        self.flows_dir = flows_dir
        self.interval = interval
        self.before_build = before_build
        self.revision: int | None = None
        self.unserved: list[str] = []
        self.listeners: list[Listener] = []
        self._poked = asyncio.Event()
        # One rebuild at a time: a refresh that finds another under way waits for it, so it
        # never returns before the newer catalog is installed, and an older build never
        # replaces a newer one.
        self._rebuilding = asyncio.Lock()

    async def build(self) -> tuple[Catalog, dict[str, Commune]]:
        """Read the revision first, so a publish during the build is picked up next time."""
        self.revision = await self.flows.revision()
        if self.before_build is not None:
            await self.before_build()
        flows, self.unserved = await served_flows(self.flows, self.flows_dir)
        return Catalog(flows), await self.communes.served()

    async def refresh(self) -> bool:
        """Rebuild and tell the listeners when the revision moved."""
        async with self._rebuilding:
            if await self.flows.revision() == self.revision:
                return False
            catalog, communes = await self.build()
            for listener in self.listeners:
                listener(catalog, communes)
        log.info("catalog reloaded at revision %s (%d guides)", self.revision,
                 len(catalog.flows))
        return True

    def poke(self) -> None:
        """Something was published here: refresh now rather than at the next poll."""
        self._poked.set()

    async def run(self) -> None:
        while True:
            # asyncio.timeout, not wait_for: Python 3.11's wait_for can swallow a cancellation
            # that arrives as the event is set, and the task would never stop.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.interval):
                    await self._poked.wait()
            self._poked.clear()
            try:
                await self.refresh()
            except Exception:  # a database hiccup must not stop reloading for good
                log.exception("catalog refresh failed; retrying")
