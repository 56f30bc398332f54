"""The composition root, the only one: settings -> database -> flows -> NLU -> conversation
service -> channels. Every service is built here, complete, and handed to whoever uses it.

Commands open what they need with :func:`open_services` (migrate, open the database, build
the transactions, dispose at the end: once, here); the server gets everything, started and
stopped together, from :func:`build_runtime`, which opens the database the same way.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.accounts import AccountService
from bot.admin.context import ConsoleServices
from bot.announcements.service import Announcements
from bot.channels.zalo.channel import ZaloChannel, ZaloConfig
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
from bot.nluloop.examples import HELDOUT, ExampleBook
from bot.nluloop.loop import LearningLoop
from bot.nluloop.serving import ServingRecord
from bot.outbox import Inbox, Outbox
from bot.outbox.mailbox import CHANNEL as WEB
from bot.outbox.mailbox import Mailbox
from bot.outreach.delivery import SharedPace, rules_of, wrap_platforms
from bot.outreach.followups import FollowUps
from bot.outreach.hook import OutreachHook
from bot.outreach.rules import Rules
from bot.ratelimit import RateLimits, RateRules, Rule
from bot.reports.links import Links
from bot.reports.service import Reports
from bot.reports.weekly import WeeklySummary
from bot.residents.service import DataRights
from bot.screenshots import ScreenReader
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
from bot.storage.zalo import ZaloStore
from bot.teams.desk import TicketDesk
from bot.teams.handoff import Handoffs
from bot.teams.registry import Registry
from bot.teams.team_inbox import TeamInbox

log = logging.getLogger(__name__)
SEEN_MESSAGES_KEPT = dt.timedelta(days=7)
OUTBOX_KEPT = dt.timedelta(days=30)
WORKERS_STOP_TIMEOUT = 10.0  # seconds to finish the deliveries in hand at shutdown


class CurrentCatalog:
    """The catalog residents are served now, replaced on every reload; services that read it
    (reports, the NLU trainer) call this rather than keep a catalog."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog

    def __call__(self) -> Catalog:
        return self.catalog


@dataclass(frozen=True)
class Content:
    """The guides and commune details as the console and the commands edit them."""

    flows: FlowService
    proposals: ProposalService
    communes: CommuneService
    images: ImageService
    live: LiveCatalog  # the served catalog, rebuilt when a publish bumps the revision


class OpenServices:
    """A migrated, open database and the services a command builds on it."""

    def __init__(self, settings: Settings, database: Database, transactions: Transactions,
                 clock: Clock) -> None:
        self.settings = settings
        self.database = database
        self.transactions = transactions
        self.clock = clock

    def accounts(self) -> AccountService:
        return AccountService(AccountStore(self.database.engine),
                              AuditStore(self.database.engine))

    def data_rights(self) -> DataRights:
        return DataRights(ResidentDataStore(self.transactions),
                          retention_days=self.settings.retention_days, clock=self.clock)

    async def registry(self) -> Registry:
        """The teams registry, loaded; its places fall back on the deployment's."""
        registry = Registry(self.transactions, self.clock, deployment_places(self.settings))
        await registry.load()
        return registry

    def content(self, registry: Registry) -> Content:
        engine = self.database.engine
        store, proposals = FlowStore(engine), ProposalStore(engine)
        communes = CommuneService(registry)
        images = ImageService(ImageStore(engine), self.settings.flows_dir / "images")
        live = LiveCatalog(store, communes, self.settings.flows_dir,
                           before_build=images.materialise)
        flows = FlowService(store, proposals, self.settings.flows_dir, on_publish=live.poke)
        return Content(flows, ProposalService(proposals, flows), communes, images, live)

    async def seeded_content(self) -> tuple[Content, list[str]]:
        """The content with ``flows/`` imported first, exactly as the server starts, and the
        names of the files that failed to import."""
        content = self.content(await self.registry())
        return content, await import_seeds(self.settings, content)

    def codes(self) -> ShareCodes:
        return ShareCodes(ShareCodeStore(self.transactions), self.clock)

    def examples(self) -> ExampleBook:
        return ExampleBook(NluStore(self.transactions), self.clock,
                           self.settings.nlu_paths.training, HELDOUT)

    def serving_record(self) -> ServingRecord:
        return ServingRecord(NluStore(self.transactions), self.clock, self.settings.nlu_paths)

    def zalo_store(self) -> ZaloStore:
        return ZaloStore(self.database.engine, self.transactions)


@asynccontextmanager
async def open_services(settings: Settings | None = None, *, migrate: bool = True,
                        clock: Clock | None = None) -> AsyncIterator[OpenServices]:
    """The configured database (migrated first unless ``migrate`` is False), disposed when
    the block ends."""
    settings = settings or Settings.from_env()
    if migrate:
        await upgrade_async(settings.database_url)
    database = Database(settings.database_url)
    transactions = Transactions(database.engine)
    try:
        yield OpenServices(settings, database, transactions, clock or SystemClock())
    finally:
        transactions.close()
        await database.dispose()


async def prepare_database(settings: Settings) -> None:
    """Migrate, import the guides and give them share codes once (the supervisor, before
    its workers start, so they do not race each other to insert the same rows)."""
    async with open_services(settings) as services:
        content, _ = await services.seeded_content()
        catalog, _ = await content.live.build()
        await services.codes().ensure_guides(catalog)


@dataclass
class Runtime:
    settings: Settings
    database: Database
    current: CurrentCatalog
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
    gauges: ScrapeGauges
    broken_files: list[str]  # flow files that failed to import
    periodic_jobs: list[PeriodicJob]  # run once across workers
    screens: ScreenReader  # pictures to text
    announcements: Announcements  # a team's news to residents who agreed
    followups: FollowUps  # the assistant comes back after a wait

    @property
    def catalog(self) -> Catalog:
        """Replaced on every reload: read it, don't keep it."""
        return self.current.catalog

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
        self.current.catalog = catalog
        self.service.engine = Engine(catalog, self.settings.places)

    def served(self) -> Served:
        """What residents are served now: the console's preview runs on it."""
        return Served(self.catalog, self.service.communes, self.recognizer)


def deployment_places(settings: Settings) -> dict[str, str]:
    """What fills ``{commune}``, ``{team_name}``, ``{team_phone}`` for residents of no known
    commune: the ``DIGIGUIDE_*`` variables over generic words."""
    return {**DEFAULT_PLACES, **settings.places}


async def import_seeds(settings: Settings, content: Content) -> list[str]:
    """Import ``flows/`` and ``flows/communes/`` as new versions where they changed. A broken
    file is reported and never served; the other guides keep working. Returns the names of
    the broken files."""
    stored, problems = await content.flows.import_dir(settings.flows_dir)
    for problem in problems:
        log.error("flow problem: %s", problem)
    for version in stored:
        state = "published" if version.published else "stored as a draft, not served"
        log.info("imported %s v%d (%s)", version.flow_id, version.version, state)
    changed = await content.communes.import_dir(settings.communes_dir)
    if changed:
        log.info("imported commune details: %s", ", ".join(changed))
    return sorted({Path(problem.file).name for problem in problems})


def rate_limits(settings: Settings, transactions: Transactions) -> RateLimits:
    rules = RateRules(resident=Rule(settings.rate_resident_per_minute, 60),
                      new_residents=Rule(settings.rate_new_residents_per_hour, 3600),
                      handoffs=Rule(settings.rate_handoffs_per_hour, 3600))
    return RateLimits(rules, RateCounterStore(transactions))


def scrape_gauges(data_rights: DataRights, outbox: Outbox) -> ScrapeGauges:
    """Figures /metrics reads from the database when scraped."""
    async def open_handoffs() -> dict[tuple[str, ...], float]:
        return {(): float(await data_rights.store.open_handoffs())}

    async def outbox_messages() -> dict[tuple[str, ...], float]:
        found: dict[tuple[str, ...], float] = {}
        for channel in outbox.channels:
            for status, count in (await outbox.store.counts(channel)).items():
                found[(channel, status)] = float(count)
        return found

    gauges = ScrapeGauges()
    gauges.register("digiguide_handoffs_open", "Hand-offs not yet closed", open_handoffs)
    gauges.register("digiguide_outbox_messages", "Outbox messages by channel and status "
                    "(pending and held: the depth still to send)", outbox_messages,
                    labels=("channel", "status"))
    return gauges


TELEGRAM_PACE_KEY = "outreach-pace:telegram"  # one pace shared by every worker


def proactive_delivery(outbox: Outbox, transactions: Transactions, clock: Clock,
                       rules: Rules) -> None:
    """Every platform sender registered from now on gets its proactive twin (announcements
    and follow-ups: quiet hours, per-resident limits, Telegram's pace across workers)."""
    pace = SharedPace(RateCounterStore(transactions), TELEGRAM_PACE_KEY,
                      rules.telegram_per_second)
    outbox.on_register.append(wrap_platforms(outbox.register, transactions, clock, rules,
                                             pace))


def zalo_channel(runtime: Runtime, **options: Any) -> ZaloChannel | None:
    """The Zalo channel ``bot serve`` runs, or None without the Zalo settings."""
    config = ZaloConfig.from_settings(runtime.settings)
    if config is None:
        return None
    store = ZaloStore(runtime.database.engine, runtime.transactions)
    return ZaloChannel(config, runtime.service, runtime.outbox, runtime.inbox, store,
                       runtime.codes, runtime.clock, screens=runtime.screens, **options)


@asynccontextmanager
async def build_runtime(settings: Settings, *, migrate: bool = True,
                        recognizer: IntentRecognizer | None = None, clock: Clock | None = None,
                        poll: float = 1.0) -> AsyncIterator[Runtime]:
    """Everything a channel needs, started and stopped together."""
    async with open_services(settings, migrate=migrate, clock=clock) as opened, \
            AsyncExitStack() as stack:
        transactions, clock = opened.transactions, opened.clock
        registry = await opened.registry()
        content = opened.content(registry)
        broken = await import_seeds(settings, content)
        catalog, _ = await content.live.build()
        current = CurrentCatalog(catalog)
        keywords = KeywordRecognizer(c.flow for c in catalog.flows.values())
        learning = LearningLoop.build(NluStore(transactions), clock, settings.nlu_paths,
                                      content.flows, current)
        chosen = recognizer
        if chosen is None and settings.nlu_mode == "keywords":
            chosen = keywords
        elif chosen is None:
            chosen = await stack.enter_async_context(
                nlu_runtime(keywords, rasa_url=settings.rasa_url,
                            cache_size=settings.nlu_cache_size, paths=settings.nlu_paths,
                            source=learning.serving))
        stack.push_async_callback(learning.trainer.aclose)  # before the NLU server stops
        store = ConversationStore(opened.database.engine, transactions)
        await store.forget_seen_messages(older_than=SEEN_MESSAGES_KEPT)
        inbox_store = InboxStore(transactions)
        await inbox_store.prune(before=clock.now() - SEEN_MESSAGES_KEPT)
        codes = opened.codes()
        await codes.ensure_guides(catalog)
        worker = worker_name()
        data_rights = opened.data_rights()
        # Residents are offered to resume after a restart of the deployment, not each
        # time another worker answers them: all workers share the instance id.
        instance = (settings.instance_id or uuid.uuid4().hex)[:32]
        outbox_store = OutboxStore(transactions)
        await outbox_store.prune(before=clock.now() - OUTBOX_KEPT)
        outbox = Outbox(outbox_store, clock, poll=poll, worker_id=worker)
        rules = rules_of(settings.announce_per_day, settings.announce_per_week)
        proactive_delivery(outbox, transactions, clock, rules)
        inbox = Inbox(inbox_store, clock, poll=poll, worker_id=worker)
        mailbox = Mailbox(transactions, clock, poll=max(poll, 1.0))
        await mailbox.expire()

        def wake(channel: str, recipient: str) -> None:
            outbox.wake(channel)
            if channel == WEB:
                mailbox.notify(recipient)

        links = Links(settings.public_url, codes)
        reports = Reports(transactions, registry, current, links, clock)
        limits = rate_limits(settings, transactions)
        consent = OutreachHook(Handoffs(registry, clock, wake),
                               lambda unit: registry.directory.places(unit), clock, rules)
        service = ConversationService(Engine(catalog, settings.places), store, chosen,
                                      process_id=instance, communes=registry, clock=clock,
                                      data_rights=data_rights, hook=consent, limits=limits,
                                      reach=reports.recorder, start_codes=links,
                                      extensions=[consent])
        announcements = Announcements(
            transactions, registry, clock, lambda: current.catalog, reports.viewer,
            rules=rules, unit_per_day=settings.announce_unit_per_day,
            unit_per_week=settings.announce_unit_per_week, wake=wake)
        followups = FollowUps(transactions, clock, wake=wake)
        team_inbox = TeamInbox(transactions, registry, clock, wake)
        console = ConsoleServices(
            accounts=opened.accounts(), flows=content.flows, proposals=content.proposals,
            communes=content.communes, images=content.images, registry=registry,
            team_inbox=team_inbox, reports=reports, learning=learning,
            announcements=announcements, followups=followups)
        runtime = Runtime(
            settings, opened.database, current, chosen, service, clock, transactions, outbox,
            inbox, codes, console, content.live, data_rights, JobStore(transactions), worker,
            registry, TicketDesk(transactions, registry, clock, wake, poll=poll), mailbox,
            team_inbox, reports, scrape_gauges(data_rights, outbox), broken,
            [data_rights.retention_job(), WeeklySummary(reports, outbox).job(),
             announcements.job(), followups.job()],
            ScreenReader(enabled=settings.ocr, jobs=settings.ocr_jobs,
                         timeout=settings.ocr_timeout, niceness=settings.ocr_niceness),
            announcements, followups)
        content.live.listeners.append(runtime.reload)
        content.live.listeners.append(lambda fresh, _: keywords.update(
            c.flow for c in fresh.flows.values()))
        watchers = [asyncio.create_task(content.live.run(), name="catalog-reload"),
                    asyncio.create_task(limits.run(), name="rate-counters")]
        try:
            yield runtime
        finally:
            for watcher in watchers:
                watcher.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await watcher
