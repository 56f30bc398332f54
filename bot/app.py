"""Composition root: settings -> database -> flows -> NLU -> conversation service -> channels."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.accounts import AccountService
from bot.admin.context import ConsoleServices
from bot.announcements import wiring as announcing
from bot.announcements.service import Announcements
from bot.clock import Clock, SystemClock
from bot.communes import Commune
from bot.config import Settings
from bot.conversation import ConversationService
from bot.engine.catalog import Catalog
from bot.engine.engine import Engine
from bot.engine.texts import DEFAULT_PLACES
from bot.flows.communes import CommuneService
from bot.flows.images import ImageService
from bot.flows.live import LiveCatalog
from bot.flows.preview import Served
from bot.flows.proposals import ProposalService
from bot.flows.service import FlowService
from bot.intents.base import IntentRecognizer
from bot.intents.keywords import KeywordRecognizer
from bot.intents.runtime import nlu_runtime
from bot.jobs import PeriodicJob, worker_name
from bot.metrics import ScrapeGauges
from bot.nluloop.loop import LearningLoop
from bot.outbox import Inbox, Outbox
from bot.outbox.mailbox import CHANNEL as WEB
from bot.outbox.mailbox import Mailbox
from bot.outreach.followups import FollowUps
from bot.ratelimit import RateLimits, RateRules, Rule
from bot.reports.service import Reports
from bot.reports.wiring import build_reports, weekly_job
from bot.residents.service import DataRights
from bot.sharing import ShareCodes
from bot.storage.accounts import AccountStore
from bot.storage.audit import AuditStore
from bot.storage.conversations import ConversationStore
from bot.storage.database import Database
from bot.storage.flow_store import FlowStore
from bot.storage.images import ImageStore
from bot.storage.inbox import InboxStore
from bot.storage.jobs import JobStore
from bot.storage.migrate import upgrade_async
from bot.storage.nlu import NluStore
from bot.storage.outbox import OutboxStore
from bot.storage.proposals import ProposalStore
from bot.storage.rate_counters import RateCounterStore
from bot.storage.residents_data import ResidentDataStore
from bot.storage.runner import Transactions
from bot.storage.share_codes import ShareCodeStore
from bot.teams.desk import TicketDesk
from bot.teams.handoff import Handoffs
from bot.teams.inbox import TeamInbox
from bot.teams.registry import Registry

log = logging.getLogger(__name__)
SEEN_MESSAGES_KEPT = dt.timedelta(days=7)
OUTBOX_KEPT = dt.timedelta(days=30)
WORKERS_STOP_TIMEOUT = 10.0  # seconds to finish the deliveries in hand at shutdown


@dataclass
class Runtime:
    settings: Settings
    database: Database
    catalog: Catalog  # replaced on every reload: read it, don't keep it
    recognizer: IntentRecognizer
    service: ConversationService
    clock: Clock
    transactions: Transactions
    outbox: Outbox
    inbox: Inbox
    codes: ShareCodes
    console: ConsoleServices
    live: LiveCatalog
    data_rights: DataRights
    jobs: JobStore
    worker: str  # this process's name in leases, job claims and outbox claims
    registry: Registry
    desk: TicketDesk
    mailbox: Mailbox
    team_inbox: TeamInbox
    reports: Reports
    gauges: ScrapeGauges = field(default_factory=ScrapeGauges)
    broken_files: list[str] = field(default_factory=list)  # flow files that failed to import
    # Periodic jobs the server runs once across workers; capabilities append theirs.
    periodic_jobs: list[PeriodicJob] = field(default_factory=list)
    announcements: Announcements | None = None  # a team's news to residents who agreed
    followups: FollowUps | None = None  # the assistant comes back after a wait (issue 26)

    def wake(self, channel: str, recipient: str) -> None:
        """New messages for ``recipient``: the channel's sender (or the waiting web page)."""
        self.outbox.wake(channel)
        if channel == WEB:
            self.mailbox.notify(recipient)

    @asynccontextmanager
    async def workers(self) -> AsyncIterator[None]:
        """The outbox and inbox workers of the channels registered so far, the escalation
        worker and the registry's refresh, in the background for the duration of the block;
        at the end they finish what they hold (a delivery cut off anyway is claimed again
        after its lease, by this or another process)."""
        tasks = [asyncio.create_task(self.outbox.run()), asyncio.create_task(self.inbox.run()),
                 asyncio.create_task(self.desk.run()), asyncio.create_task(self.registry.run())]
        try:
            yield
        finally:
            self.outbox.stop()
            self.inbox.stop()
            self.desk.stop()
            self.registry.stop()
            _, pending = await asyncio.wait(tasks, timeout=WORKERS_STOP_TIMEOUT)
            for task in pending:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def drain(self, within: float = WORKERS_STOP_TIMEOUT) -> int:
        """On shutdown, after HTTP has stopped: send what the outbox holds for every channel
        (the replies of the last turns), for at most ``within`` seconds."""
        sent = 0
        try:
            async with asyncio.timeout(within):
                for channel in self.outbox.channels:
                    while done := await self.outbox.drain(channel):
                        sent += done
        except TimeoutError:
            log.warning("outbox not empty at shutdown; another worker or the next start "
                        "sends the rest")
        return sent

    async def health(self) -> dict[str, Any]:
        database = "ok" if await self.database.ping() else "error"
        nlu = "ok" if await self.recognizer.healthy() else "degraded"
        return {"database": database, "nlu": nlu, "flows": len(self.catalog.flows),
                "broken_flows": sorted({*self.broken_files, *self.live.unserved})}

    def reload(self, catalog: Catalog, communes: dict[str, Commune]) -> None:
        """Serve a new catalog from the next turn on; turns under way finish on the old one.
        Place names come from the teams registry, which keeps itself current."""
        self.catalog = catalog
        self.service.engine = Engine(catalog, self.settings.places)

    def served(self) -> Served:
        """What residents are served now: the console's preview runs on it."""
        return Served(self.catalog, self.service.communes, self.recognizer)


def deployment_places(settings: Settings) -> dict[str, str]:
    """What fills ``{commune}``, ``{team_name}``, ``{team_phone}`` for residents of no known
    commune: the ``DIGIGUIDE_*`` variables over generic words."""
    return {**DEFAULT_PLACES, **settings.places}


def build_registry(settings: Settings, transactions: Transactions, clock: Clock) -> Registry:
    return Registry(transactions, clock, deployment_places(settings))


def build_console(settings: Settings, database: Database, registry: Registry
                  ) -> ConsoleServices:
    engine = database.engine
    proposals = ProposalStore(engine)
    flows = FlowService(FlowStore(engine), proposals, settings.flows_dir)
    return ConsoleServices(
        accounts=AccountService(AccountStore(engine), AuditStore(engine)),
        flows=flows,
        proposals=ProposalService(proposals, flows),
        communes=CommuneService(registry),
        images=ImageService(ImageStore(engine), settings.flows_dir / "images"),
        registry=registry,
    )


async def import_seeds(settings: Settings, console: ConsoleServices) -> list[str]:
    """Import ``flows/`` and ``flows/communes/`` as new versions where they changed. A broken
    file is reported and never served; the other guides keep working. Returns the names of
    the broken files."""
    stored, problems = await console.flows.import_dir(settings.flows_dir)
    for problem in problems:
        log.error("flow problem: %s", problem)
    for version in stored:
        state = "published" if version.published else "stored as a draft, not served"
        log.info("imported %s v%d (%s)", version.flow_id, version.version, state)
    changed = await console.communes.import_dir(settings.communes_dir)
    if changed:
        log.info("imported commune details: %s", ", ".join(changed))
    return sorted({Path(problem.file).name for problem in problems})


def rate_limits(settings: Settings, transactions: Transactions) -> RateLimits:
    rules = RateRules(resident=Rule(settings.rate_resident_per_minute, 60),
                      new_residents=Rule(settings.rate_new_residents_per_hour, 3600),
                      handoffs=Rule(settings.rate_handoffs_per_hour, 3600))
    return RateLimits(rules, RateCounterStore(transactions))


def register_gauges(runtime: Runtime) -> None:
    """Figures /metrics reads from the database when scraped."""
    async def open_handoffs() -> dict[tuple[str, ...], float]:
        return {(): float(await runtime.data_rights.store.open_handoffs())}

    async def outbox_messages() -> dict[tuple[str, ...], float]:
        found: dict[tuple[str, ...], float] = {}
        for channel in runtime.outbox.channels:
            for status, count in (await runtime.outbox.store.counts(channel)).items():
                found[(channel, status)] = float(count)
        return found

    runtime.gauges.register("digiguide_handoffs_open", "Hand-offs not yet closed",
                            open_handoffs)
    runtime.gauges.register("digiguide_outbox_messages", "Outbox messages by channel and status "
                            "(pending and held: the depth still to send)", outbox_messages,
                            labels=("channel", "status"))


@asynccontextmanager
async def build_runtime(settings: Settings, *, migrate: bool = True,
                        recognizer: IntentRecognizer | None = None, clock: Clock | None = None,
                        poll: float = 1.0) -> AsyncIterator[Runtime]:
    """Everything a channel needs, started and stopped together."""
    if migrate:
        await upgrade_async(settings.database_url)
    database = Database(settings.database_url)
    transactions = Transactions(database.engine)
    try:
        clock = clock or SystemClock()
        registry = build_registry(settings, transactions, clock)
        await registry.load()
        console = build_console(settings, database, registry)
        live = LiveCatalog(console.flows.store, console.communes, settings.flows_dir,
                           before_build=console.images.materialise)
        console.flows.on_publish = live.poke
        broken = await import_seeds(settings, console)
        catalog, _ = await live.build()
        engine = Engine(catalog, settings.places)
        keywords = KeywordRecognizer(c.flow for c in catalog.flows.values())
        served: list[Runtime] = []
        console.learning = LearningLoop.build(
            NluStore(transactions), clock, settings.nlu_paths, console.flows,
            lambda: served[0].catalog if served else catalog)
        async with AsyncExitStack() as stack:
            chosen = recognizer
            if chosen is None and settings.nlu_mode == "keywords":
                chosen = keywords
            elif chosen is None:
                chosen = await stack.enter_async_context(
                    nlu_runtime(keywords, rasa_url=settings.rasa_url,
                                cache_size=settings.nlu_cache_size, paths=settings.nlu_paths,
                                source=console.learning.serving))
            store = ConversationStore(database.engine, transactions)
            await store.forget_seen_messages(older_than=SEEN_MESSAGES_KEPT)
            inbox_store = InboxStore(transactions)
            await inbox_store.prune(before=clock.now() - SEEN_MESSAGES_KEPT)
            codes = ShareCodes(ShareCodeStore(transactions), clock)
            await codes.ensure_guides(catalog)
            worker = worker_name()
            data_rights = DataRights(ResidentDataStore(transactions),
                                     retention_days=settings.retention_days, clock=clock)
            # Residents are offered to resume after a restart of the deployment, not each
            # time another worker answers them: all workers share the instance id.
            instance = (settings.instance_id or uuid.uuid4().hex)[:32]
            outbox_store = OutboxStore(transactions)
            await outbox_store.prune(before=clock.now() - OUTBOX_KEPT)
            outbox = Outbox(outbox_store, clock, poll=poll, worker_id=worker)
            rules = announcing.outreach_rules(settings)
            announcing.proactive_delivery(outbox, transactions, clock, rules)
            inbox = Inbox(inbox_store, clock, poll=poll, worker_id=worker)
            mailbox = Mailbox(transactions, clock, poll=max(poll, 1.0))
            await mailbox.expire()
            woken: list[Runtime] = []

            def wake(channel: str, recipient: str) -> None:
                for runtime in woken:
                    runtime.wake(channel, recipient)

            limits = rate_limits(settings, transactions)
            service = ConversationService(engine, store, chosen, process_id=instance,
                                          communes=registry, clock=clock,
                                          data_rights=data_rights,
                                          hook=announcing.consent_hook(
                                              Handoffs(registry, clock, wake), registry, clock,
                                              rules), limits=limits)
            desk = TicketDesk(transactions, registry, clock, wake, poll=poll)
            console.team_inbox = TeamInbox(transactions, registry, clock, wake)
            runtime = Runtime(settings, database, catalog, chosen, service, clock,
                              transactions, outbox, inbox, codes, console, live, data_rights,
                              JobStore(transactions), worker, registry, desk, mailbox,
                              console.team_inbox, build_reports(settings, transactions, registry,
                                                                service, codes, console, clock))
            runtime.broken_files = broken
            woken.append(runtime)
            served.append(runtime)
            runtime.periodic_jobs.append(data_rights.retention_job())
            runtime.periodic_jobs.append(weekly_job(runtime.reports, outbox))
            runtime.announcements = announcing.build_announcements(
                settings, transactions, registry, clock, lambda: runtime.catalog,
                runtime.reports.viewer, service, wake, rules)
            console.announcements = runtime.announcements
            runtime.periodic_jobs.append(runtime.announcements.job())
            runtime.followups = FollowUps(transactions, clock, wake=wake)
            console.followups = runtime.followups
            runtime.periodic_jobs.append(runtime.followups.job())
            register_gauges(runtime)
            live.listeners.append(runtime.reload)
            live.listeners.append(lambda fresh, _: keywords.update(
                c.flow for c in fresh.flows.values()))
            watchers = [asyncio.create_task(live.run(), name="catalog-reload"),
                        asyncio.create_task(limits.run(), name="rate-counters")]
            try:
                yield runtime
            finally:
                await console.learning.trainer.aclose()
                for watcher in watchers:
                    watcher.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await watcher
    finally:
        transactions.close()
        await database.dispose()
